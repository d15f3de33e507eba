"""The questionnaire comes from the spec model: fields become questions, enums choices, bounds stay."""

from __future__ import annotations

from enum import Enum

import pytest
from pydantic import Field

from advisor.knowledge.load import KnowledgeBase
from advisor.questionnaire.questions import (
    KB_NAMES,
    Kind,
    Question,
    Questionnaire,
    build_questionnaire,
    kb_names,
)
from advisor.questionnaire.relevance import RULES
from advisor.questionnaire.session import Given, collect
from advisor.spec.model import Domain, ProjectSpec, TeamSpec


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


def test_a_new_spec_field_is_asked_without_new_code() -> None:
    extended = build_questionnaire(SpecWithMore)
    q = _by_id(extended)
    assert q["team.pace"].choices == ("relaxed", "urgent") and q["team.pace"].help.startswith("How soon")
    assert (q["budget_usd"].kind, q["budget_usd"].default, q["budget_usd"].bounds) == (Kind.number, 1000, ">= 0")
    base = build_questionnaire(ProjectSpec)
    assert set(q) - set(_by_id(base)) == {"team.pace", "budget_usd"}
    given = {"task.domain": Given("vision"), "team.pace": Given("urgent"), "name": Given("x")}
    answers = collect(extended, given, prompter=None, use_defaults=True)
    assert answers["team.pace"] == "urgent" and answers["budget_usd"] == 1000


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
    assert set(rule.any_of | rule.none_of) <= set(q[rule.field].choices), rule
    assert list(q).index(rule.field) < list(q).index(target), "a rule may only look at earlier answers"
