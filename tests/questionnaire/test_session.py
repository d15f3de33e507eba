"""The question loop and ``run_init`` through injected I/O: re-asking, skipping, non-interactive use."""

from __future__ import annotations

import contextlib
import re
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
from advisor.questionnaire.questions import UNKNOWN_HELP, Question, Questionnaire, build_questionnaire, kb_names
from advisor.questionnaire.session import Given, Prompter, collect
from advisor.spec.load import parse_spec
from advisor.spec.model import (
    SPEC_VERSION,
    Accelerator,
    ApiGeneration,
    Experience,
    Horizon,
    MlopsPlatform,
    ProjectSpec,
    ServingSoftware,
    ServingStatus,
)


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
    script = Script(
        {
            "task.domain": ["?", "nlp"],
            "priorities": ["?", ""],
            "codebase.framework": "keras",
            "codebase.lines_of_code": ["?", ""],
            "infrastructure.committed_accelerators": ["?", ""],
        }
    )
    _session(questionnaire, script)
    out = script.output
    assert "choices: vision, nlp" in out
    assert "names: learning_curve" in out
    assert "values: 0..1000000000, or unknown" in out and "Enter keeps the default: unknown" in out
    assert "codebase.lines_of_code [0..1000000000 or unknown] (default: unknown): " in script.shown
    assert UNKNOWN_HELP in out and "bought or contracted" in out


def _question(questionnaire: Questionnaire, qid: str) -> Question:
    return next(q for top in questionnaire.questions for q in (top, *top.children) if q.id == qid)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("unknown", "unknown"),
        ("Unknown", "unknown"),
        ("UNKNOWN", "unknown"),
        ("12000", 12000),
        (" 0 ", 0),
        ("", "unknown"),
    ],
)
def test_numbers_take_unknown(questionnaire: Questionnaire, typed: str, value: object) -> None:
    assert parse_answer(_question(questionnaire, "codebase.lines_of_code"), typed) == value


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("many", "'many' is neither a number (0..1000000000) nor 'unknown'"),
        ("unknwon", "did you mean 'unknown'?"),
        ("unk", "did you mean 'unknown'?"),  # a prefix is a suggestion, not an answer: validate takes no more
        ("un", "neither a number"),
        ("-1", "greater than or equal to 0, or 'unknown'"),
        ("1.5", "valid integer"),
        ("2000000000", "less than or equal to 1000000000"),
        ("none", "nor 'unknown'"),
    ],
)
def test_bad_numbers_say_why_and_offer_unknown(questionnaire: Questionnaire, typed: str, reason: str) -> None:
    with pytest.raises(AnswerError, match=re.escape(reason)):
        parse_answer(_question(questionnaire, "codebase.lines_of_code"), typed)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_no_input_escapes_as_anything_but_an_answer_error(questionnaire: Questionnaire, text: str) -> None:
    for top in questionnaire.questions:
        for question in (top, *top.children):
            with contextlib.suppress(AnswerError):
                parse_answer(question, text)


_WORD_NUMBERS = ("codebase.lines_of_code", "codebase.models", "codebase.custom_ops")


@settings(max_examples=300, deadline=None)
@given(
    qid=st.sampled_from(_WORD_NUMBERS),
    text=st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.sampled_from(["unknown", "UNKNOWN", "Unk", "unknwon", "nan", "inf", "1e3", "0x10", "1_000", "٣"]),
        st.text(alphabet="0123456789unkow.-+e _", max_size=12),
        st.text(max_size=20),
    ),
)
def test_numbers_or_unknown_give_a_valid_value_or_a_reason(questionnaire: Questionnaire, qid: str, text: str) -> None:
    question = _question(questionnaire, qid)
    try:
        value = parse_answer(question, text)
    except AnswerError as error:
        assert str(error)
        return
    assert value == "unknown" or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    assert question.adapter.validate_python(value) == value, "what is accepted is what the model accepts"


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


def test_new_questions_are_asked_where_they_apply(questionnaire: Questionnaire) -> None:
    greenfield = Script({"task.domain": "vision"})
    _session(questionnaire, greenfield)
    asked = set(greenfield.asked)
    assert {"horizon", "infrastructure.mlops_platforms", "infrastructure.committed_accelerators"} <= asked
    assert "deployment.serving" in asked, "no target yet: the serving stack may still matter"
    assert "codebase.api_generations" not in asked, "no codebase"
    assert "version" not in asked

    on_device = Script({"task.domain": "vision", "deployment.targets": "android,ios", "codebase.framework": "keras"})
    _session(questionnaire, on_device)
    assert "deployment.serving" not in on_device.asked
    assert "codebase.api_generations" in on_device.asked

    for targets in ("server_rest", "server_grpc", "serverless", "batch", "android,batch"):
        script = Script({"task.domain": "nlp", "deployment.targets": targets, "deployment.serving": "vllm,kserve"})
        answers = _session(questionnaire, script)
        assert answers["deployment.serving"] == ["vllm", "kserve"], targets
        assert {"deployment.serving.vllm.status", "deployment.serving.kserve.status"} <= set(script.asked)


def test_serving_items_and_api_generations_are_written(tmp_path: Path, kb: KnowledgeBase) -> None:
    script = Script(
        {
            "task.domain": "llm_finetuning",
            "horizon": ["proto", "prototype"],
            "deployment.targets": "server_grpc",
            "deployment.serving": ["vllm,torchsrve", "vllm,torchserv", "vllm,torchserve"],
            "deployment.serving.vllm.status": "required",
            "team.experience.pytorch": "expert",
            "codebase.framework": "tensorflow",
            "codebase.lines_of_code": "unknown",
            "codebase.models": "12",
            "codebase.api_generations": "tf1,tf2_keras2",
            "infrastructure.committed_accelerators": "tpu",
            "infrastructure.mlops_platforms": "vertex_ai,tfx",
        }
    )
    out = tmp_path / "spec.yaml"
    assert run_init(str(out), interactive=True, ask=script.ask, say=script.say) == 0
    assert "'torchsrve' is not one of" in script.output and "did you mean 'torchserve'?" in script.output
    assert "'proto' is not one of" in script.output and "did you mean 'prototype'?" in script.output  # as validate
    text = out.read_text()
    spec = parse_spec(text, kb)
    assert parse_spec(text, kb) == api.validate(out)
    assert (spec.version, spec.horizon) == (SPEC_VERSION, Horizon.prototype)
    assert [(s.software, s.status) for s in spec.deployment.serving] == [
        (ServingSoftware.vllm, ServingStatus.required),
        (ServingSoftware.torchserve, ServingStatus.in_use),
    ]
    assert (spec.codebase.lines_of_code, spec.codebase.models) == ("unknown", 12)
    assert spec.codebase.api_generations == [ApiGeneration.tf1, ApiGeneration.tf2_keras2]
    assert spec.infrastructure.committed_accelerators == [Accelerator.tpu]
    assert spec.infrastructure.mlops_platforms == [MlopsPlatform.vertex_ai, MlopsPlatform.tfx]
    assert (spec.team.experience.pytorch, spec.team.experience.tensorflow) == (Experience.expert, Experience.unknown)
    assert "    - software: vllm\n      # required: mandated by policy" in text
    assert "  lines_of_code: unknown\n" in text


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


def test_defaults_leave_what_is_not_known_unknown(tmp_path: Path, kb: KnowledgeBase) -> None:
    out = tmp_path / "legacy.yaml"
    pairs = ["task.domain=vision", "codebase.framework=keras"]
    assert run_init(str(out), interactive=False, defaults=True, answers=pairs, say=_quiet) == 0
    spec = parse_spec(out.read_text(), kb)
    experience = spec.team.experience
    assert (experience.pytorch, experience.tensorflow, experience.jax) == (Experience.unknown,) * 3
    assert (spec.codebase.lines_of_code, spec.codebase.models, spec.codebase.custom_ops) == ("unknown", "unknown", 0)
    assert not spec.codebase.size_known
    assert (spec.horizon, spec.deployment.serving, spec.infrastructure.mlops_platforms) == (Horizon.product, [], [])


@settings(max_examples=40, deadline=None)
@given(
    horizon=st.sampled_from([h.value for h in Horizon]),
    targets=st.lists(st.sampled_from(["server_rest", "batch", "android", "browser"]), unique=True, max_size=3),
    serving=st.dictionaries(
        st.sampled_from([s.value for s in ServingSoftware]),
        st.sampled_from([s.value for s in ServingStatus]),
        max_size=3,
    ),
    experience=st.sampled_from([e.value for e in Experience]),
    framework=st.sampled_from(["none", "pytorch", "tensorflow", "keras"]),
    lines=st.one_of(st.just("unknown"), st.integers(min_value=0, max_value=10**9)),
    generations=st.lists(st.sampled_from([g.value for g in ApiGeneration]), unique=True, max_size=3),
    committed=st.lists(st.sampled_from([a.value for a in Accelerator]), unique=True, max_size=2),
    mlops=st.lists(st.sampled_from([m.value for m in MlopsPlatform]), unique=True, max_size=2),
)
def test_any_answers_to_the_new_questions_read_back_identically(
    questionnaire: Questionnaire,
    kb: KnowledgeBase,
    horizon: str,
    targets: list[str],
    serving: dict[str, str],
    experience: str,
    framework: str,
    lines: int | str,
    generations: list[str],
    committed: list[str],
    mlops: list[str],
) -> None:
    from advisor.questionnaire.render import render_spec

    given = {
        "name": "fuzz",
        "task.domain": "vision",
        "horizon": horizon,
        "deployment.targets": ",".join(targets) or "-",
        "team.experience.jax": experience,
        "codebase.framework": framework,
        "infrastructure.committed_accelerators": ",".join(committed) or "-",
        "infrastructure.mlops_platforms": ",".join(mlops) or "-",
    }
    server_like = not targets or {"server_rest", "batch"} & set(targets)
    if server_like:
        given["deployment.serving"] = ",".join(serving) or "-"
        given.update({f"deployment.serving.{name}.status": status for name, status in serving.items()})
    if framework != "none":
        given.update({"codebase.lines_of_code": str(lines), "codebase.api_generations": ",".join(generations) or "-"})
    answers = collect(questionnaire, {k: Given(v) for k, v in given.items()}, prompter=None, use_defaults=True)
    text = render_spec(questionnaire, answers, "fuzz")
    spec = parse_spec(text, kb)
    assert parse_spec(render_spec(questionnaire, answers, "again"), kb) == spec
    assert spec.horizon.value == horizon and spec.team.experience.jax.value == experience
    assert [(s.software.value, s.status.value) for s in spec.deployment.serving] == (
        list(serving.items()) if server_like else []
    )
    assert [a.value for a in spec.infrastructure.committed_accelerators] == committed
    assert [m.value for m in spec.infrastructure.mlops_platforms] == mlops
    if framework != "none":
        assert spec.codebase.lines_of_code == lines
        assert [g.value for g in spec.codebase.api_generations] == generations
    else:
        assert (spec.codebase.lines_of_code, spec.codebase.api_generations) == (0, [])


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
        ("task: {domain: vision}\ncodebase: {framework: pytorch, lines_of_code: lots}\n", "nor 'unknown'", 2),
        ("task: {domain: vision}\ncodebase: {api_generations: [tf1]}\n", "there is no codebase", 2),
        (
            "task: {domain: vision}\ndeployment:\n  targets: [{kind: android}]\n  serving: [{software: triton}]\n",
            "no server-like target",
            4,
        ),
        ("task: {domain: vision}\ndeployment:\n  serving: [{software: trition}]\n", "did you mean 'triton'", 3),
        ("task: {domain: vision}\nteam: {experience: {jax: unkown}}\n", "did you mean 'unknown'", 2),
    ],
)
def test_bad_partial_specs_name_file_line_and_field(tmp_path: Path, partial: str, message: str, line: int) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text(partial)
    with pytest.raises(AdvisorError, match=message) as info:
        run_init(str(tmp_path / "out.yaml"), interactive=False, defaults=True, from_file=path, say=_quiet)
    assert (info.value.path, info.value.line) == (str(path), line)
    assert not (tmp_path / "out.yaml").exists()


def test_a_partial_spec_with_the_new_fields(tmp_path: Path, kb: KnowledgeBase) -> None:
    partial = tmp_path / "partial.yaml"
    partial.write_text(
        "name: Ranking\nhorizon: platform\ntask: {domain: recommender}\n"
        "deployment:\n  targets: [{kind: server_grpc}]\n"
        "  serving:\n    - {software: triton, status: required}\n    - software: tf_serving\n"
        "team: {experience: {tensorflow: expert, pytorch: unknown}}\n"
        "codebase: {framework: tensorflow, lines_of_code: unknown, models: 40, api_generations: [tf1, tf2_keras2]}\n"
        "infrastructure: {committed_accelerators: [tpu], mlops_platforms: [vertex_ai, tfx]}\n"
    )
    out = tmp_path / "spec.yaml"
    run_init(str(out), interactive=False, defaults=True, from_file=partial, say=_quiet)
    spec = parse_spec(out.read_text(), kb)
    assert spec == api.validate(out)
    assert [(s.software.value, s.status.value) for s in spec.deployment.serving] == [
        ("triton", "required"),
        ("tf_serving", "in_use"),
    ]
    assert (spec.codebase.lines_of_code, spec.codebase.models, spec.horizon) == ("unknown", 40, Horizon.platform)
    assert spec.codebase.api_generations == [ApiGeneration.tf1, ApiGeneration.tf2_keras2]
    assert spec.team.experience.pytorch is Experience.unknown
    assert spec.infrastructure.committed_accelerators == [Accelerator.tpu]


def test_set_answers_reach_list_items(tmp_path: Path, kb: KnowledgeBase) -> None:
    out = tmp_path / "out.yaml"
    pairs = ["task.domain=vision", "deployment.targets=ios", "deployment.targets.ios.max_model_size_mb=12.5"]
    run_init(str(out), interactive=False, defaults=True, answers=pairs, say=_quiet)
    assert parse_spec(out.read_text(), kb).deployment.targets[0].max_model_size_mb == 12.5


def test_set_answers_reach_serving_items(tmp_path: Path, kb: KnowledgeBase) -> None:
    out = tmp_path / "out.yaml"
    pairs = [
        "task.domain=nlp",
        "deployment.serving=kserve,onnx_runtime",
        "deployment.serving.kserve.status=required",
        "codebase.framework=pytorch",
        "codebase.models=unknown",
        "codebase.custom_ops=unknown",
        "team.experience.tensorflow=unknown",
    ]
    run_init(str(out), interactive=False, defaults=True, answers=pairs, say=_quiet)
    spec = parse_spec(out.read_text(), kb)
    assert [(s.software.value, s.status.value) for s in spec.deployment.serving] == [
        ("kserve", "required"),
        ("onnx_runtime", "in_use"),
    ]
    assert (spec.codebase.models, spec.codebase.custom_ops) == ("unknown", "unknown")


def test_bad_set_pairs(tmp_path: Path) -> None:
    out = str(tmp_path / "out.yaml")
    with pytest.raises(AdvisorError, match="this question does not apply: no server-like target"):
        run_init(
            out,
            interactive=False,
            defaults=True,
            answers=["task.domain=vision", "deployment.targets=ios", "deployment.serving=triton"],
            say=_quiet,
        )
    with pytest.raises(AdvisorError, match=r"neither a number \(0\.\.1000000\) nor 'unknown'") as info:
        run_init(
            out,
            interactive=False,
            defaults=True,
            answers=["task.domain=vision", "codebase.framework=jax", "codebase.models=several"],
            say=_quiet,
        )
    assert "values: 0..1000000, or unknown" in (info.value.hint or "")
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
    assert yaml.safe_load(captured.out)["version"] == SPEC_VERSION


def _quiet(text: str) -> None:
    pass
