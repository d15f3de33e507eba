"""Weights of criteria and of groups, each built in visible steps recorded in its trail.

1. The knowledge base's default.
2. Rule steps, combined order-independently: the largest ``set`` (or the default when none), plus every
   ``add``, times every ``scale``, clamped to 0..5.
3. Relevance cap: a criterion that nothing about the project raised (no rule raised it or its group)
   weighs at most ``BACKGROUND_CAP`` times its group's reference weight, times its own scale-downs, so a
   background concern never carries more than a tenth of a score made of four groups at their
   reference. It depends on the rules only, never on other weights, so it is one step, not an iteration.
4. The spec's priority, when it names the criterion or group, replaces the result: the team knows what
   matters to it better than our rules do.
5. Tie (criteria only, see :func:`mark_ties`): a criterion on which every candidate has the same rating
   cannot separate them and weighs 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.knowledge.load import KnowledgeBase
from advisor.rules.engine import WeightStep
from advisor.scoring.result import WeightStepOut
from advisor.spec.model import ProjectSpec

MAX_WEIGHT = 5.0
BACKGROUND_CAP = 0.4  # of the group's reference weight: a tenth of a score of four groups at reference


@dataclass(frozen=True)
class Weight:
    """A criterion's or group's weight: ``value`` is what scores use, ``base`` the value before the spec's
    priority (and before a tie), ``steps`` how both came about."""

    value: float
    base: float
    steps: tuple[WeightStepOut, ...]


Weighted = dict[str, Weight]


def _from_rules(default: float, own: Sequence[WeightStep]) -> float:
    sets = [s.value for s in own if s.op == "set"]
    weight = max(sets) if sets else default
    weight += sum(s.value for s in own if s.op == "add")
    for step in own:
        if step.op == "scale":
            weight *= step.value
    return round(min(MAX_WEIGHT, max(0.0, weight)), 4)


def raised(default: float, own: Sequence[WeightStep]) -> bool:
    """Whether a rule raised the weight above its default (an add, a scale-up, or a set above it)."""
    return any(
        (step.op == "add" and step.value > 0)
        or (step.op == "scale" and step.value > 1)
        or (step.op == "set" and step.value > default)
        for step in own
    )


def _lowering(own: Sequence[WeightStep]) -> float:
    """The product of a rule trail's scale-downs."""
    factor = 1.0
    for step in own:
        if step.op == "scale" and step.value < 1:
            factor *= step.value
    return factor


def _trail(default: float, own: Sequence[WeightStep]) -> list[WeightStepOut]:
    trail = [WeightStepOut(source="default", op="default", value=default)]
    return trail + [WeightStepOut(source=s.source, op=s.op, value=s.value) for s in own]  # type: ignore[arg-type]


def _with_priority(item_id: str, value: float, trail: list[WeightStepOut], spec: ProjectSpec) -> Weight:
    if item_id not in spec.priorities:
        return Weight(value, value, tuple(trail))
    priority = spec.priorities[item_id]
    trail.append(WeightStepOut(source="spec:priorities", op="priority", value=priority))
    return Weight(min(MAX_WEIGHT, max(0.0, priority)), value, tuple(trail))


def compute_weights(
    kb: KnowledgeBase, steps: Mapping[str, tuple[WeightStep, ...]], spec: ProjectSpec
) -> tuple[Weighted, Weighted]:
    """(criterion weights, group weights), each with the steps that produced it (ties not yet marked)."""
    groups: Weighted = {}
    group_raised: dict[str, bool] = {}
    for gid, group in kb.groups.items():
        own = steps.get(gid, ())
        group_raised[gid] = raised(group.default_weight, own)
        value, trail = _from_rules(group.default_weight, own), _trail(group.default_weight, own)
        groups[gid] = _with_priority(gid, value, trail, spec)
    criteria: Weighted = {}
    for cid, criterion in kb.criteria.items():
        own = steps.get(cid, ())
        value, trail = _from_rules(criterion.default_weight, own), _trail(criterion.default_weight, own)
        if not raised(criterion.default_weight, own) and not group_raised[criterion.group]:
            limit = round(BACKGROUND_CAP * kb.group_reference(criterion.group) * _lowering(own), 4)
            if value > limit:
                value = limit
                trail.append(WeightStepOut(source="model:background-cap", op="cap", value=limit))
        criteria[cid] = _with_priority(cid, value, trail, spec)
    return criteria, groups


def mark_ties(
    kb: KnowledgeBase, criteria: Weighted, ratings: Mapping[tuple[str, str], float], candidates: Sequence[str]
) -> Weighted:
    """Criteria on which every candidate has the same rating weigh 0 (a "tie" step in the trail).

    Left in, such a criterion cannot change the order, only dilute the criteria that do separate the
    candidates (team fit at 3.0 vs 3.0 would take a share of the score for nothing).
    """
    if len(candidates) < 2:
        return dict(criteria)
    out = dict(criteria)
    for c in kb.criteria:
        weight = criteria[c]
        if weight.value > 0 and len({ratings[(c, fw)] for fw in candidates}) == 1:
            step = WeightStepOut(source="model:tie", op="tie", value=0.0)
            out[c] = Weight(0.0, weight.base, (*weight.steps, step))
    return out
