"""Weights follow relevance: ties weigh nothing, background criteria are capped in one visible step."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule
from advisor.scoring.evaluate import evaluate
from advisor.scoring.weights import BACKGROUND_CAP
from advisor.spec.load import load_spec, parse_spec
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def _background(steps: tuple) -> bool:  # type: ignore[type-arg]
    return all(s.op in ("default", "cap", "tie") or (s.op == "scale" and s.value < 1) for s in steps)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_no_background_criterion_above_the_cap(path: Path, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    report = evaluate(load_spec(path, kb), kb, rules)
    groups = {g.group: g for g in report.groups}
    for c in report.criteria:
        if _background(c.weight_steps) and _background(groups[c.group].weight_steps):
            assert c.weight <= BACKGROUND_CAP * groups[c.group].reference + 1e-9, (c.criterion, c.weight)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_tied_criteria_are_shown_but_weigh_nothing(path: Path, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    report = evaluate(load_spec(path, kb), kb, rules)
    candidates = [s.framework for s in report.ranking if not s.excluded]
    assert len(report.criteria) == len(kb.criteria)
    for c in report.criteria:
        if len(candidates) > 1 and len({c.ratings[fw].value for fw in candidates}) == 1:
            assert c.share == 0 and c.weight == 0, c.criterion
    assert sum(c.share for c in report.criteria) == pytest.approx(1)


def test_a_spec_without_targets_weighs_serving_as_a_background_concern(
    kb: KnowledgeBase, rules: tuple[Rule, ...]
) -> None:
    spec = parse_spec("name: quick experiments\nhorizon: prototype\ntask: {domain: vision, architecture: novel}\n", kb)
    report = evaluate(spec, kb, rules)
    serving = next(c for c in report.criteria if c.criterion == "production_serving")
    deployment = next(g for g in report.groups if g.group == "deployment")
    assert serving.effective_weight == pytest.approx(BACKGROUND_CAP * deployment.reference), serving
    development = sum(c.effective_weight for c in report.criteria if c.group == "development")
    assert serving.effective_weight < development / 2


def test_background_cap_is_recorded_in_the_trail(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    spec = parse_spec("name: app\ntask: {domain: tabular}\ndeployment: {targets: [{kind: android}]}\n", kb)
    report = evaluate(spec, kb, rules)
    maintenance = next(c for c in report.criteria if c.criterion == "long_term_maintenance")
    cap = [s for s in maintenance.weight_steps if s.op == "cap"]
    assert cap and maintenance.weight == cap[0].value == pytest.approx(BACKGROUND_CAP * 2.5)


def test_a_priority_replaces_the_capped_weight(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    spec = parse_spec("name: app\ntask: {domain: tabular}\npriorities: {long_term_maintenance: 1.5}\n", kb)
    maintenance = next(c for c in evaluate(spec, kb, rules).criteria if c.criterion == "long_term_maintenance")
    assert maintenance.weight == 1.5 and maintenance.base_weight == pytest.approx(BACKGROUND_CAP * 2.5)
    assert [s.op for s in maintenance.weight_steps] == ["default", "cap", "priority"]


def test_a_raised_group_lifts_the_cap_of_its_criteria(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    platform = parse_spec("name: platform\ntask: {domain: tabular}\nhorizon: platform\n", kb)
    maintenance = next(c for c in evaluate(platform, kb, rules).criteria if c.criterion == "long_term_maintenance")
    assert maintenance.weight == 1.5 and not any(s.op == "cap" for s in maintenance.weight_steps)
