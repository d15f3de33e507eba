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


DEFAULT_ONLY_CAP = 0.10  # the largest share of the score a criterion weighted only by its default may take
_CAP_ROUNDS = 40


def _shares(
    weights: Mapping[str, float], groups: Mapping[str, float], group_of: Mapping[str, str]
) -> tuple[dict[str, float], dict[str, float], float]:
    """(criterion shares, summed criterion weight per group, total weight of active groups)."""
    inner: dict[str, float] = {}
    for c, w in weights.items():
        inner[group_of[c]] = inner.get(group_of[c], 0.0) + w
    total = sum(groups[g] for g, w in inner.items() if w > 0)
    if total <= 0:
        return {c: 0.0 for c in weights}, inner, 0.0
    shares = {c: groups[group_of[c]] * w / (inner[group_of[c]] * total) if w > 0 else 0.0 for c, w in weights.items()}
    return shares, inner, total


def _default_only(trail: tuple[WeightStepOut, ...]) -> bool:
    return all(step.op == "default" for step in trail)


def follow_relevance(
    kb: KnowledgeBase,
    criteria: Weighted,
    groups: Weighted,
    ratings: Mapping[tuple[str, str], float],
    candidates: list[str],
) -> tuple[Weighted, Weighted]:
    """Weights that follow what is relevant to this spec, each change recorded in the weight's trail.

    - A criterion on which every candidate has the same rating cannot separate them; left in, it only
      dilutes the criteria that do (team fit at 3.0 vs 3.0 took a fifth of the score). It is shown with
      its ratings but weighs 0 ("tie").
    - A criterion that nothing about this project raised (its weight and its group's are the defaults)
      may take at most DEFAULT_ONLY_CAP of the score: a background concern never decides alone. Its
      weight, or its group's when it is alone in the group, is lowered to the cap ("cap").
    Groups whose criteria weigh nothing already take no share (see :class:`Problem`).
    """
    crit = dict(criteria)
    grp = dict(groups)
    if len(candidates) > 1:
        for c in kb.criteria:
            values = {ratings[(c, fw)] for fw in candidates}
            if crit[c][0] > 0 and len(values) == 1:
                step = WeightStepOut(source="model:tie", op="tie", value=0.0)
                crit[c] = (0.0, (*crit[c][1], step))
    group_of = {c: criterion.group for c, criterion in kb.criteria.items()}
    for _ in range(_CAP_ROUNDS):
        shares, inner, total = _shares(
            {c: w for c, (w, _) in crit.items()}, {g: w for g, (w, _) in grp.items()}, group_of
        )
        over = [
            (share, c)
            for c, share in shares.items()
            if share > DEFAULT_ONLY_CAP + 1e-9 and _default_only(crit[c][1]) and _default_only(grp[group_of[c]][1])
        ]
        if not over:
            break
        _, c = max(over)
        g = group_of[c]
        rest = inner[g] - crit[c][0]
        if rest > 0:  # lower the criterion within its group: G w / ((rest + w) T) = cap
            new = DEFAULT_ONLY_CAP * total * rest / (grp[g][0] - DEFAULT_ONLY_CAP * total)
            step = WeightStepOut(source="model:default-cap", op="cap", value=round(new, 3))
            crit[c] = (round(new, 3), (*crit[c][1], step))
        else:  # alone in its group: lower the group, G / (T_rest + G) = cap
            new = DEFAULT_ONLY_CAP * (total - grp[g][0]) / (1 - DEFAULT_ONLY_CAP)
            step = WeightStepOut(source="model:default-cap", op="cap", value=round(new, 3))
            grp[g] = (round(new, 3), (*grp[g][1], step))
    return crit, grp
