"""The question loop and ``run_init`` through injected I/O: re-asking, skipping, non-interactive use."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import api
from advisor.errors import AdvisorError
from advisor.knowledge.load import KnowledgeBase
from advisor.questionnaire import EXIT_CANCELLED, run_init
from advisor.questionnaire.answers import AnswerError, parse_answer
from advisor.questionnaire.questions import Questionnaire, build_questionnaire, kb_names
from advisor.questionnaire.session import Prompter, collect
from advisor.spec.load import parse_spec
from advisor.spec.model import ProjectSpec


@pytest.fixture(scope="module")
def questionnaire(kb: KnowledgeBase) -> Questionnaire:
    return build_questionnaire(ProjectSpec, kb_names(kb))


class Script:
    """Answers questions by id from a script; records every prompt and line shown."""

    def __init__(self, answers: dict[str, str | list[str]]) -> None:
        self.answers = {k: [v] if isinstance(v, str) else list(v) for k, v in answers.items()}
        self.asked: list[str] = []
        self.shown: list[str] = []

    def ask(self, prompt: str) -> str:
        qid = prompt.split(" ", 1)[0].removesuffix(":")
        self.asked.append(qid)
        self.shown.append(prompt)
        assert self.asked.count(qid) < 6, f"{qid} asked again and again:\n{self.output[-600:]}"
        queue = self.answers.get(qid)
        return queue.pop(0) if queue else ""

    def say(self, text: str) -> None:
        self.shown.append(text)

    @property
    def output(self) -> str:
        return "\n".join(self.shown)


def _session(questionnaire: Questionnaire, script: Script, **given: str) -> dict[str, object]:
    from advisor.questionnaire.session import Given

    prompter = Prompter(script.ask, script.say, questionnaire.sections)
    pre = {k.replace("__", "."): Given(v) for k, v in given.items()}
    return collect(questionnaire, pre, prompter=prompter, use_defaults=False, defaults={"name": "demo"})


def test_invalid_answers_are_re_asked_with_the_reason(questionnaire: Questionnaire) -> None:
    script = Script(
        {
            "task.domain": ["vison", "vision"],
            "team.size": ["lots", "0", "4"],
            "deployment.targets": ["android,fridge", "android"],
            "priorities": ["mobile_edge=9", "mobil_edge=4", "mobile_edge=4"],
        }
    )
    answers = _session(questionnaire, script)
    assert script.asked.count("task.domain") == 2 and script.asked.count("team.size") == 3
    out = script.output
    assert "invalid: 'vison' is not one of" in out and "did you mean 'vision'?" in out
    assert "invalid: Input should be a valid integer" in out
    assert "invalid: Input should be greater than or equal to 1" in out
    assert "'fridge' is not one of" in out
    assert "invalid: mobile_edge: Input should be less than or equal to 5" in out
    assert "did you mean 'mobile_edge'?" in out
    assert (answers["task.domain"], answers["team.size"], answers["priorities"]) == ("vision", 4, {"mobile_edge": 4})


def test_question_mark_shows_the_full_help(questionnaire: Questionnaire) -> None:
    script = Script({"task.domain": ["?", "nlp"], "priorities": ["?", ""]})
    _session(questionnaire, script)
    assert "choices: vision, nlp" in script.output
    assert "names: learning_curve" in script.output


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_no_input_escapes_as_anything_but_an_answer_error(questionnaire: Questionnaire, text: str) -> None:
    for top in questionnaire.questions:
        for question in (top, *top.children):
            with contextlib.suppress(AnswerError):
                parse_answer(question, text)


def test_control_characters_and_undecodable_bytes_are_refused(questionnaire: Questionnaire) -> None:
    name = next(q for q in questionnaire.questions if q.id == "name")
    with pytest.raises(AnswerError, match="control characters"):
        parse_answer(name, "app\x1b[A")
    with pytest.raises(AnswerError, match="not valid UTF-8"):
        parse_answer(name, "caf\udce9")


def test_irrelevant_questions_are_skipped(questionnaire: Questionnaire) -> None:
    script = Script({"task.domain": "vision", "deployment.targets": "server_rest,batch"})
    _session(questionnaire, script)
    asked = set(script.asked)
    assert "deployment.targets.server_rest.latency_ms_p95" in asked
    assert "deployment.targets.server_rest.max_model_size_mb" not in asked  # servers have no size limit
    assert "deployment.targets.batch.latency_ms_p95" not in asked
    assert not any(".microcontroller." in q or ".android." in q for q in asked)
    assert {"codebase.lines_of_code", "codebase.keras_version", "infrastructure.windows_native"}.isdisjoint(asked)


def test_earlier_answers_open_follow_up_questions(questionnaire: Questionnaire) -> None:
    script = Script(
        {
            "task.domain": "tabular",
            "deployment.targets": "android",
            "codebase.framework": "keras",
            "codebase.keras_version": ["4", "2"],
            "infrastructure.operating_systems": "linux,windows",
            "infrastructure.windows_native": "yes",
        }
    )
    answers = _session(questionnaire, script)
    assert {"deployment.targets.android.max_model_size_mb", "codebase.lines_of_code"} <= set(script.asked)
    assert answers["codebase.keras_version"] == 2 and answers["infrastructure.windows_native"] is True
    assert "'4' is not one of 2, 3" in script.output


def test_written_spec_round_trips_and_keeps_comments(tmp_path: Path, kb: KnowledgeBase) -> None:
    script = Script(
        {
            "name": "Plant app: offline",
            "description": 'It\'s "quoted", #not a comment',
            "task.domain": "vision",
            "deployment.targets": "android,ios",
            "deployment.targets.android.latency_ms_p95": "40",
            "deployment.targets.ios.required": "no",
            "team.experience.pytorch": "intermediate",
            "priorities": "mobile_edge=4, team=2.5",
            "constraints.required_capabilities": "android",
        }
    )
    out = tmp_path / "spec.yaml"
    assert run_init(str(out), interactive=True, ask=script.ask, say=script.say) == 0
    text = out.read_text()
    spec = parse_spec(text, kb)
    assert spec.name == "Plant app: offline" and spec.description == 'It\'s "quoted", #not a comment'
    assert [(t.kind.value, t.required, t.latency_ms_p95) for t in spec.deployment.targets] == [
        ("android", True, 40),
        ("ios", False, None),
    ]
    assert spec.priorities == {"mobile_edge": 4, "team": 2.5}
    assert "# Task domain of the project." in text and "    - kind: android" in text
    assert api.validate(out).team.experience.pytorch.value == "intermediate"


def test_defaults_need_only_what_has_no_default(tmp_path: Path, kb: KnowledgeBase) -> None:
    out = tmp_path / "my-project.yaml"
    assert run_init(str(out), interactive=False, defaults=True, answers=["task.domain=nlp"], say=_quiet) == 0
    spec = parse_spec(out.read_text(), kb)
    assert (spec.name, spec.task.domain.value, spec.team.size) == ("my-project", "nlp", 3)


def test_missing_answers_without_a_terminal_are_named(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    with pytest.raises(AdvisorError, match=r"no answer for: task\.domain"):
        run_init(str(out), interactive=False, defaults=True, say=_quiet)
    with pytest.raises(AdvisorError, match="questions unanswered") as info:
        run_init(str(out), interactive=False, answers=["task.domain=nlp"], say=_quiet)
    assert "--defaults" in (info.value.hint or "")
    assert not out.exists()


def test_answers_from_a_partial_spec(tmp_path: Path, kb: KnowledgeBase) -> None:
    partial = tmp_path / "partial.yaml"
    partial.write_text(
        "name: Forecasts\ndescription: |\n  Weekly retraining.\n  Served over gRPC.\ntask: {domain: tabular}\n"
        "deployment:\n  targets:\n    - {kind: server_grpc, latency_ms_p95: 30}\n    - {kind: batch}\n"
        "codebase: {framework: keras, keras_version: 2, lines_of_code: 60000}\n"
        "team: {experience: {tensorflow: expert}}\n"
    )
    out = tmp_path / "spec.yaml"
    run_init(str(out), interactive=False, defaults=True, from_file=partial, answers=["team.size=8"], say=_quiet)
    spec = parse_spec(out.read_text(), kb)
    assert spec.codebase.keras_version == 2 and spec.codebase.lines_of_code == 60000 and spec.team.size == 8
    assert [t.kind.value for t in spec.deployment.targets] == ["server_grpc", "batch"]
    assert spec.description == "Weekly retraining.\nServed over gRPC.\n"
    assert api.recommend(out).winner == "tensorflow"


@pytest.mark.parametrize(
    ("partial", "message", "line"),
    [
        ("task: {domain: vison}\n", "did you mean 'vision'", 1),
        ("task:\n  domain: vision\nteam:\n  size: 0\n", "greater than or equal to 1", 4),
        ("task: {domain: vision}\ncodebase: {framework: pytorch, keras_version: 3}\n", "does not apply", 2),
        ("task: {domain: vision}\nteem: {size: 3}\n", "no such question", 2),
        ("task: vision\n", "expected a mapping", 1),
        ("task: {domain: [vision]}\n", "expected a single value", 1),
    ],
)
def test_bad_partial_specs_name_file_line_and_field(tmp_path: Path, partial: str, message: str, line: int) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text(partial)
    with pytest.raises(AdvisorError, match=message) as info:
        run_init(str(tmp_path / "out.yaml"), interactive=False, defaults=True, from_file=path, say=_quiet)
    assert (info.value.path, info.value.line) == (str(path), line)
    assert not (tmp_path / "out.yaml").exists()


def test_set_answers_reach_list_items(tmp_path: Path, kb: KnowledgeBase) -> None:
    out = tmp_path / "out.yaml"
    pairs = ["task.domain=vision", "deployment.targets=ios", "deployment.targets.ios.max_model_size_mb=12.5"]
    run_init(str(out), interactive=False, defaults=True, answers=pairs, say=_quiet)
    assert parse_spec(out.read_text(), kb).deployment.targets[0].max_model_size_mb == 12.5


def test_bad_set_pairs(tmp_path: Path) -> None:
    out = str(tmp_path / "out.yaml")
    with pytest.raises(AdvisorError, match="not ID=VALUE"):
        run_init(out, interactive=False, defaults=True, answers=["task.domain"], say=_quiet)
    with pytest.raises(AdvisorError, match=r"did you mean 'task\.domain'"):
        run_init(out, interactive=False, defaults=True, answers=["task.domian=vision"], say=_quiet)


def test_existing_file_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    out.write_text("keep me\n")
    with pytest.raises(AdvisorError, match="already exists") as info:
        run_init(str(out), interactive=False, defaults=True, answers=["task.domain=rl"], say=_quiet)
    assert "--force" in (info.value.hint or "") and out.read_text() == "keep me\n"
    run_init(str(out), interactive=False, defaults=True, force=True, answers=["task.domain=rl"], say=_quiet)
    assert "domain: rl" in out.read_text()


@pytest.mark.parametrize("stop", [KeyboardInterrupt, EOFError])
def test_interrupt_leaves_no_file(tmp_path: Path, stop: type[BaseException]) -> None:
    def ask(prompt: str) -> str:
        if prompt.startswith("team.size"):
            raise stop
        return "vision" if prompt.startswith("task.domain") else ""

    shown: list[str] = []
    code = run_init(str(tmp_path / "spec.yaml"), interactive=True, ask=ask, say=shown.append)
    assert code == EXIT_CANCELLED and "cancelled: nothing written" in shown[-1]
    assert list(tmp_path.iterdir()) == []


def test_recommend_is_offered_at_the_end(tmp_path: Path) -> None:
    script = Script({"task.domain": "vision", "Run": "y"})
    seen: list[Path] = []

    def recommend(path: Path) -> int:
        seen.append(path)
        return 7

    out = tmp_path / "spec.yaml"
    assert run_init(str(out), interactive=True, ask=script.ask, say=script.say, recommend=recommend) == 7
    assert seen == [out]


def test_dash_writes_the_spec_to_stdout(capsys: pytest.CaptureFixture[str], kb: KnowledgeBase) -> None:
    assert run_init("-", interactive=False, defaults=True, answers=["task.domain=speech", "name=x"]) == 0
    captured = capsys.readouterr()
    assert parse_spec(captured.out, kb).task.domain.value == "speech"
    assert yaml.safe_load(captured.out)["version"] == 1


def _quiet(text: str) -> None:
    pass
