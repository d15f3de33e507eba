"""Criterion weights: the knowledge base's default, changed by fired rules, overridden by priorities.

Rule steps combine order-independently: the largest ``set`` (or the default when none), plus every
``add``, times every ``scale``, clamped to 0..5. An explicit priority in the spec replaces the result:
the team knows what matters to it better than our rules do.
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.knowledge.load import KnowledgeBase
from advisor.report.model import WeightStepOut
from advisor.rules.engine import WeightStep
from advisor.spec.model import ProjectSpec

MAX_WEIGHT = 5.0


def compute_weights(
    kb: KnowledgeBase, steps: Mapping[str, tuple[WeightStep, ...]], spec: ProjectSpec
) -> dict[str, tuple[float, tuple[WeightStepOut, ...]]]:
    """Weight per criterion, with the steps that produced it (for the report)."""
    out: dict[str, tuple[float, tuple[WeightStepOut, ...]]] = {}
    for criterion_id, criterion in kb.criteria.items():
        trail = [WeightStepOut(source="default", op="default", value=criterion.default_weight)]
        own = steps.get(criterion_id, ())
        sets = [s.value for s in own if s.op == "set"]
        weight = max(sets) if sets else criterion.default_weight
        weight += sum(s.value for s in own if s.op == "add")
        for step in own:
            if step.op == "scale":
                weight *= step.value
        trail += [WeightStepOut(source=s.source, op=s.op, value=s.value) for s in own]  # type: ignore[arg-type]
        if criterion_id in spec.priorities:
            weight = spec.priorities[criterion_id]
            trail.append(WeightStepOut(source="spec:priorities", op="priority", value=weight))
        out[criterion_id] = (round(min(MAX_WEIGHT, max(0.0, weight)), 3), tuple(trail))
    return out
