"""Every rule's YAML cases, run by one generic test (ids ``<rule-id>_<case>``; ``pytest -k ID``)."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.api import load_context
from advisor.rules.engine import fired_for
from advisor.rules.model import Rule, RuleCase
from advisor.spec.derived import rule_facts
from advisor.spec.model import ProjectSpec

BASE_SPEC: dict[str, Any] = {"name": "rule case", "task": {"domain": "vision"}}
_KB, _RULES = load_context()
FRAMEWORKS = list(_KB.frameworks)


def merged(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge, everything else (lists included) is replaced."""
    out = dict(base)
    for key, value in patch.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _cases() -> list[Any]:
    params = []
    for rule in _RULES:
        for expect, cases in ((True, rule.cases.fires), (False, rule.cases.does_not_fire)):
            params += [pytest.param(rule, case, expect, id=f"{rule.id}_{case.name}") for case in cases]
    return params


@pytest.mark.parametrize(("rule", "case", "should_fire"), _cases())
def test_rule_case(rule: Rule, case: RuleCase, should_fire: bool) -> None:
    spec = ProjectSpec.model_validate(merged(BASE_SPEC, case.spec))  # the case itself must be valid
    fired = fired_for(rule, rule_facts(spec), FRAMEWORKS)
    if not should_fire:
        assert fired == [], f"{rule.id} fired for {fired} on '{case.name}'"
        return
    assert fired, f"{rule.id} did not fire on '{case.name}'"
    if case.fires_for is not None:
        assert sorted(f for f in fired if f) == sorted(case.fires_for)


def test_there_are_rules() -> None:
    assert len(_RULES) >= 20


def test_per_framework_cases_say_for_which_framework() -> None:
    """A per-framework rule's firing cases must pin the frameworks, or a wrong {fw} would pass."""
    missing = [f"{r.id}_{c.name}" for r in _RULES if r.per_framework for c in r.cases.fires if c.fires_for is None]
    assert missing == []


def test_every_rule_cites_current_or_contested_knowledge() -> None:
    stale = [(r.id, c) for r in _RULES for c in r.cites if _KB.entries[c].status.value == "stale"]
    assert stale == [], "rules must rest on knowledge that still holds"


# Spec v2 fields: each must be read by at least one rule (issue 10: "each new field is read by at
# least one rule with cases"), or it would be a question the advice ignores.
V2_FIELDS = (
    "horizon",
    "deployment.serving",
    "codebase.api_generations",
    "infrastructure.mlops_platforms",
    "infrastructure.committed_accelerators",
)


def _fields(matcher: object) -> list[str]:
    from advisor.matching import AllMatcher, AnyMatcher, FieldMatcher, NotMatcher

    if isinstance(matcher, AllMatcher | AnyMatcher):
        subs = matcher.all if isinstance(matcher, AllMatcher) else matcher.any
        return [f for m in subs for f in _fields(m)]
    if isinstance(matcher, NotMatcher):
        return _fields(matcher.not_)
    assert isinstance(matcher, FieldMatcher)
    return [matcher.field, *(_fields(matcher.where) if matcher.where is not None else [])]


@pytest.mark.parametrize("field", V2_FIELDS)
def test_every_spec_v2_field_is_read_by_a_rule(field: str) -> None:
    readers = [r.id for r in _RULES if any(f.replace("[]", "").startswith(field) for f in _fields(r.when))]
    assert readers, f"no rule reads {field}"
