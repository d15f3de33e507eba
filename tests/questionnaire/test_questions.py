"""The questionnaire comes from the spec model: fields become questions, enums choices, bounds stay."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

import pytest
from pydantic import Field

from advisor.knowledge.load import KnowledgeBase
from advisor.questionnaire.questions import (
    KB_NAMES,
    UNKNOWN_HELP,
    Kind,
    Question,
    Questionnaire,
    build_questionnaire,
    kb_names,
)
from advisor.questionnaire.relevance import RULES
from advisor.questionnaire.session import Given, collect
from advisor.spec.model import SPEC_VERSION, Domain, Experience, ProjectSpec, TeamSpec


@pytest.fixture(scope="module")
def questionnaire(kb: KnowledgeBase) -> Questionnaire:
    return build_questionnaire(ProjectSpec, kb_names(kb))


def _by_id(questionnaire: Questionnaire) -> dict[str, Question]:
    return {q.id: q for top in questionnaire.questions for q in (top, *top.children)}


def test_enums_become_choices_with_the_field_help(questionnaire: Questionnaire) -> None:
    domain = _by_id(questionnaire)["task.domain"]
    assert domain.kind is Kind.choice
    assert domain.choices == tuple(d.value for d in Domain)
    assert domain.required
    assert domain.help == ProjectSpec.model_fields["task"].annotation.model_fields["domain"].description  # type: ignore[union-attr]


def test_each_field_shape_has_its_kind(questionnaire: Questionnaire) -> None:
    q = _by_id(questionnaire)
    assert (q["team.size"].kind, q["team.size"].default, q["team.size"].bounds) == (Kind.number, 3, "1..10000")
    assert (q["team.hiring"].kind, q["team.hiring"].default) == (Kind.yes_no, False)
    assert (q["infrastructure.accelerators"].kind, q["infrastructure.accelerators"].default) == (
        Kind.multi,
        ["nvidia_gpu"],
    )
    assert q["codebase.keras_version"].values == (2, 3) and q["codebase.keras_version"].default is None
    assert q["name"].kind is Kind.text and q["name"].required
    assert q["priorities"].kind is Kind.mapping and q["priorities"].bounds == "0..5"
    assert q["deployment.targets.*.latency_ms_p95"].bounds == "> 0"
    assert q["version"].fixed


def test_list_of_models_is_keyed_by_its_enum(questionnaire: Questionnaire) -> None:
    targets = _by_id(questionnaire)["deployment.targets"]
    assert targets.kind is Kind.items
    assert [c.name for c in targets.children] == ["kind", "required", "latency_ms_p95", "max_model_size_mb"]
    assert "android" in targets.choices
    serving = _by_id(questionnaire)["deployment.serving"]
    assert (serving.kind, serving.default) == (Kind.items, [])
    assert [c.name for c in serving.children] == ["software", "status"]
    assert {"torchserve", "tf_serving", "triton", "kserve", "vllm", "onnx_runtime"} <= set(serving.choices)
    status = _by_id(questionnaire)["deployment.serving.*.status"]
    assert (status.choices, status.default) == (("required", "in_use"), "in_use")


@pytest.mark.parametrize(
    ("qid", "default", "bounds"),
    [
        ("codebase.lines_of_code", "unknown", "0..1000000000"),
        ("codebase.models", "unknown", "0..1000000"),
        ("codebase.custom_ops", 0, "0..100000"),
    ],
)
def test_numbers_that_may_be_unknown_take_the_word_too(
    questionnaire: Questionnaire, qid: str, default: object, bounds: str
) -> None:
    question = _by_id(questionnaire)[qid]
    assert (question.kind, question.choices, question.default, question.bounds) == (
        Kind.number,
        ("unknown",),
        default,
        bounds,
    )
    assert question.words and question.number_adapter is not None


def test_unknown_is_offered_and_explained_wherever_the_model_takes_it(questionnaire: Questionnaire) -> None:
    q = _by_id(questionnaire)
    for name in ("pytorch", "tensorflow", "jax"):
        experience = q[f"team.experience.{name}"]
        assert experience.choices == tuple(e.value for e in Experience) and "unknown" in experience.choices
        assert experience.default == "unknown", "an unanswered experience question is unknown, as in the model"
    with_unknown = [question for question in q.values() if "unknown" in question.choices]
    assert {
        "horizon",
        "codebase.lines_of_code",
        "codebase.api_generations",
        "infrastructure.accelerators",
        "infrastructure.committed_accelerators",
        "infrastructure.mlops_platforms",
    } <= {question.id for question in with_unknown}
    assert all(question.help.endswith(UNKNOWN_HELP) for question in with_unknown)
    assert UNKNOWN_HELP not in q["task.domain"].help


def test_the_new_v2_fields_are_questions(questionnaire: Questionnaire) -> None:
    q = _by_id(questionnaire)
    assert (q["horizon"].kind, q["horizon"].default) == (Kind.choice, "product")
    assert (q["codebase.api_generations"].kind, q["codebase.api_generations"].default) == (Kind.multi, [])
    assert "tf1" in q["codebase.api_generations"].choices
    assert "vertex_ai" in q["infrastructure.mlops_platforms"].choices
    committed = q["infrastructure.committed_accelerators"]
    assert (committed.kind, committed.default) == (Kind.multi, [])
    assert "bought or contracted" in committed.help and "TPU pods" in committed.help
    order = [question.id for question in questionnaire.questions]
    assert order.index("horizon") < order.index("task.domain"), "asked in model order"


def test_the_format_version_is_written_not_asked(questionnaire: Questionnaire) -> None:
    version = _by_id(questionnaire)["version"]
    assert version.fixed and version.default == SPEC_VERSION


def test_names_come_from_the_knowledge_base(questionnaire: Questionnaire, kb: KnowledgeBase) -> None:
    q = _by_id(questionnaire)
    assert set(q["priorities"].choices) == {*kb.criteria, *kb.groups}
    assert set(q["constraints.exclude_frameworks"].choices) == set(kb.frameworks)
    assert set(q["constraints.required_capabilities"].choices) == set(kb.capabilities)
    assert set(KB_NAMES) <= set(q)


class Pace(str, Enum):
    relaxed = "relaxed"
    urgent = "urgent"


class TeamWithPace(TeamSpec):
    pace: Pace = Field(Pace.relaxed, description="How soon the first model must ship.")


class SpecWithMore(ProjectSpec):
    team: TeamWithPace = Field(default_factory=TeamWithPace)
    budget_usd: int = Field(1000, ge=0, description="Monthly compute budget.")
    gpu_hours: Annotated[int, Field(ge=0, le=1000)] | Literal["unknown"] = Field(
        "unknown", description="GPU hours a month."
    )


def test_a_new_spec_field_is_asked_without_new_code() -> None:
    extended = build_questionnaire(SpecWithMore)
    q = _by_id(extended)
    assert q["team.pace"].choices == ("relaxed", "urgent") and q["team.pace"].help.startswith("How soon")
    assert (q["budget_usd"].kind, q["budget_usd"].default, q["budget_usd"].bounds) == (Kind.number, 1000, ">= 0")
    assert (q["gpu_hours"].kind, q["gpu_hours"].choices, q["gpu_hours"].bounds) == (
        Kind.number,
        ("unknown",),
        "0..1000",
    )
    base = build_questionnaire(ProjectSpec)
    assert set(q) - set(_by_id(base)) == {"team.pace", "budget_usd", "gpu_hours"}
    given = {"task.domain": Given("vision"), "team.pace": Given("urgent"), "name": Given("x")}
    answers = collect(extended, given, prompter=None, use_defaults=True)
    assert answers["team.pace"] == "urgent" and answers["budget_usd"] == 1000 and answers["gpu_hours"] == "unknown"
    answers = collect(extended, {**given, "gpu_hours": Given("12")}, prompter=None, use_defaults=True)
    assert answers["gpu_hours"] == 12


def test_unsupported_field_type_names_the_field() -> None:
    class Odd(ProjectSpec):
        when: complex = Field(1j, description="no question kind for this")

    with pytest.raises(TypeError, match="when"):
        build_questionnaire(Odd)


@pytest.mark.parametrize("target", sorted(RULES))
def test_relevance_rules_name_real_questions_and_choices(questionnaire: Questionnaire, target: str) -> None:
    q = _by_id(questionnaire)
    rule = RULES[target]
    assert target in q, target
    assert rule.field in q, rule.field
    for condition in (rule, *rule.or_when):
        assert condition.field in q, condition.field
        asked = q[condition.field]
        allowed = set(asked.choices) | ({"yes", "no"} if asked.kind.value == "yes_no" else set())
        assert set(condition.any_of | condition.none_of) <= allowed, condition
        assert list(q).index(condition.field) < list(q).index(target), "a rule may only look at earlier answers"


def test_the_training_scale_question_is_asked_only_for_several_accelerators() -> None:
    from advisor.questionnaire.relevance import skip_reason

    question = "infrastructure.training_accelerators"
    one = {"infrastructure.multi_gpu": False, "infrastructure.multi_node": False}
    assert skip_reason(question, one) is not None
    assert skip_reason(question, {**one, "infrastructure.multi_gpu": True}) is None
    assert skip_reason(question, {**one, "infrastructure.multi_node": True}) is None
