"""The what-if arithmetic is the engine's: any priorities give what ``advisor recommend`` gives with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.scoring.evaluate import evaluate
from advisor.scoring.result import Recommendation, WhatIfVector
from advisor.spec.load import parse_spec
from tests.scoring.test_arithmetic_properties import IDS, KB, RULES, SHIPPED

TOLERANCE = 1e-9


def _recommend(spec: Mapping[str, Any], priorities: Mapping[str, float]) -> Recommendation:
    data = {**spec, "priorities": dict(priorities)}
    return evaluate(parse_spec(yaml.safe_dump(data), KB), KB, RULES, draws=10)


def assert_same(vector: WhatIfVector, report: Recommendation) -> None:
    """``vector`` (the what-if arithmetic) says what the full report says."""
    ranking = [(s.framework, s.score) for s in report.ranking if not s.excluded]
    assert [r.framework for r in vector.ranking] == [f for f, _ in ranking]
    for r, (_, score) in zip(vector.ranking, ranking, strict=True):
        assert abs(r.score - score) <= TOLERANCE
    for c in report.criteria:
        assert abs(vector.shares[c.criterion] - c.share) <= TOLERANCE, c.criterion
    shown = [(t.kind, t.target, t.framework, t.new_winner) for t in report.tipping_points]
    assert [(t.kind, t.target, t.framework, t.new_winner) for t in vector.tipping_points] == shown
    for tip, expected in zip(vector.tipping_points, report.tipping_points, strict=True):
        assert abs(tip.threshold - expected.threshold) <= TOLERANCE


@pytest.mark.parametrize("index", range(len(SHIPPED)))
def test_every_golden_vector_is_what_recommend_gives_for_its_priorities(index: int) -> None:
    spec = SHIPPED[index]
    report = _recommend(spec, spec.get("priorities", {}))
    assert report.whatif is not None and len(report.whatif.vectors) >= 4
    assert report.whatif.vectors[0].priorities == report.whatif.priorities
    for vector in report.whatif.vectors:
        assert_same(vector, _recommend(spec, vector.priorities))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SHIPPED),
    st.dictionaries(st.sampled_from(IDS), st.floats(0, 5).map(lambda x: round(x, 2)), min_size=1, max_size=4),
)
def test_any_priorities_through_the_what_if_arithmetic_give_the_full_report(
    spec: dict,  # type: ignore[type-arg]
    changes: dict[str, float],
) -> None:
    from advisor.scoring import whatif
    from advisor.scoring.aggregate import Problem

    base = _recommend(spec, spec.get("priorities", {}))
    candidates = [s.framework for s in base.ranking if not s.excluded]
    problem = Problem(
        candidates=candidates,
        criteria=[c.criterion for c in base.criteria],
        weights={c.criterion: c.weight for c in base.criteria},
        ratings={(c.criterion, f): r.value for c in base.criteria for f, r in c.ratings.items()},
        sds={(c.criterion, f): r.sd for c in base.criteria for f, r in c.ratings.items()},
        group_of={c.criterion: c.group for c in base.criteria},
        group_weights={g.group: g.weight for g in base.groups},
        group_reference={g.group: g.reference for g in base.groups},
    )
    priorities = {**spec.get("priorities", {}), **changes}
    moved = whatif.with_priorities(
        problem,
        {g.group: g.base_weight for g in base.groups},
        {c.criterion: c.base_weight for c in base.criteria},
        priorities,
    )
    if sum(moved.effective().values()) <= 0:
        return  # every weight 0: recommend refuses it with a clear error
    assert_same(whatif.vector(moved, priorities), _recommend(spec, priorities))
