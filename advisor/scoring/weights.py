"""Weights of criteria and of groups: the knowledge base's default, changed by fired rules,
overridden by the spec's priorities.

Rule steps combine order-independently: the largest ``set`` (or the default when none), plus every
``add``, times every ``scale``, clamped to 0..5. An explicit priority in the spec replaces the result:
the team knows what matters to it better than our rules do. Criterion and group ids never collide,
so one function serves both levels.
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.knowledge.load import KnowledgeBase
from advisor.report.model import WeightStepOut
from advisor.rules.engine import WeightStep
from advisor.spec.model import ProjectSpec

MAX_WEIGHT = 5.0

Weighted = dict[str, tuple[float, tuple[WeightStepOut, ...]]]


def _weigh(
    item_id: str, default: float, steps: Mapping[str, tuple[WeightStep, ...]], spec: ProjectSpec
) -> tuple[float, tuple[WeightStepOut, ...]]:
    trail = [WeightStepOut(source="default", op="default", value=default)]
    own = steps.get(item_id, ())
    sets = [s.value for s in own if s.op == "set"]
    weight = max(sets) if sets else default
    weight += sum(s.value for s in own if s.op == "add")
    for step in own:
        if step.op == "scale":
            weight *= step.value
    trail += [WeightStepOut(source=s.source, op=s.op, value=s.value) for s in own]  # type: ignore[arg-type]
    if item_id in spec.priorities:
        weight = spec.priorities[item_id]
        trail.append(WeightStepOut(source="spec:priorities", op="priority", value=weight))
    return round(min(MAX_WEIGHT, max(0.0, weight)), 3), tuple(trail)


def compute_weights(
    kb: KnowledgeBase, steps: Mapping[str, tuple[WeightStep, ...]], spec: ProjectSpec
) -> tuple[Weighted, Weighted]:
    """(criterion weights, group weights), each with the steps that produced it."""
    criteria = {cid: _weigh(cid, c.default_weight, steps, spec) for cid, c in kb.criteria.items()}
    groups = {gid: _weigh(gid, g.default_weight, steps, spec) for gid, g in kb.groups.items()}
    return criteria, groups
