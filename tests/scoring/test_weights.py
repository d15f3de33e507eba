"""Weights follow relevance: ties do not dilute, default-only criteria never dominate."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.knowledge.load import KnowledgeBase
from advisor.rules.model import Rule
from advisor.scoring.evaluate import evaluate
from advisor.scoring.weights import DEFAULT_ONLY_CAP
from advisor.spec.load import load_spec, parse_spec
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def _default_only(steps: tuple) -> bool:  # type: ignore[type-arg]
    return all(s.op in ("default", "cap") for s in steps)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_no_default_only_criterion_above_the_cap(path: Path, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    report = evaluate(load_spec(path, kb), kb, rules)
    groups = {g.group: g for g in report.groups}
    for c in report.criteria:
        if _default_only(c.weight_steps) and _default_only(groups[c.group].weight_steps):
            assert c.share <= DEFAULT_ONLY_CAP + 0.001, (c.criterion, c.share)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_tied_criteria_are_shown_but_weigh_nothing(path: Path, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    report = evaluate(load_spec(path, kb), kb, rules)
    candidates = [s.framework for s in report.ranking if not s.excluded]
    assert len(report.criteria) == len(kb.criteria)
    for c in report.criteria:
        if len(candidates) > 1 and len({c.ratings[fw].value for fw in candidates}) == 1:
            assert c.share == 0, c.criterion
    assert abs(sum(c.share for c in report.criteria) - 1) < 0.01


def test_a_spec_without_targets_does_not_hand_serving_a_group_share(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    spec = parse_spec("name: quick experiments\nhorizon: prototype\ntask: {domain: vision, architecture: novel}\n", kb)
    report = evaluate(spec, kb, rules)
    serving = next(c for c in report.criteria if c.criterion == "production_serving")
    assert serving.share < 0.15, serving.share


def test_default_cap_is_recorded_in_the_trail(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    spec = parse_spec("name: app\ntask: {domain: tabular}\ndeployment: {targets: [{kind: android}]}\n", kb)
    report = evaluate(spec, kb, rules)
    capped = [c for c in report.criteria if any(s.op == "cap" for s in c.weight_steps)]
    capped += [g for g in report.groups if any(s.op == "cap" for s in g.weight_steps)]  # type: ignore[misc]
    assert capped, "background criteria next to a required target must be capped, and the trail says so"


def test_without_anything_raised_the_defaults_stand(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    """With nothing raised there is nothing to hand a capped share to: shares still sum to 1."""
    report = evaluate(parse_spec("name: minimal\ntask: {domain: tabular}\nhorizon: product\n", kb), kb, rules)
    assert abs(sum(c.share for c in report.criteria) - 1) < 0.01
    assert not any(s.op == "cap" for c in report.criteria for s in c.weight_steps)
