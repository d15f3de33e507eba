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


NEUTRAL_WEIGHT = 1.0  # the ordinary weight of a criterion that matters as much as any other


def _raised(trail: tuple[WeightStepOut, ...]) -> bool:
    """Whether something about the spec raised the weight above its default (a rule or a priority).

    A rule that brings an ignored criterion in at the neutral weight (no-deployment-targets assumes
    serving at weight 1) states a background concern the spec itself never raised, so it does not
    count: it is capped like any other background criterion.
    """
    default = next((step.value for step in trail if step.op == "default"), 0.0)
    return any(
        step.op == "priority"
        or (step.op == "add" and step.value > 0)
        or (step.op == "scale" and step.value > 1)
        or (step.op == "set" and step.value > max(default, NEUTRAL_WEIGHT))
        for step in trail
    )


def _with_cap(trail: tuple[WeightStepOut, ...], value: float) -> tuple[WeightStepOut, ...]:
    """The trail with one cap step at ``value`` (capping again replaces the earlier cap)."""
    kept = tuple(step for step in trail if step.op != "cap")
    return (*kept, WeightStepOut(source="model:default-cap", op="cap", value=round(value, 4)))


def _lowering(trail: tuple[WeightStepOut, ...]) -> float:
    """The product of the scale-downs in a trail (a prototype horizon scales the ecosystem group down)."""
    factor = 1.0
    for step in trail:
        if step.op == "scale" and step.value < 1:
            factor *= step.value
    return factor


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
    - A criterion that nothing about this project raised (its weight and its group's are the defaults,
      or lowered by a rule) may take at most DEFAULT_ONLY_CAP of the score, times the rules' scale-downs:
      a background concern never decides alone, and a lowered one weighs less than the background. Its
      weight is lowered to the cap ("cap"), or its group's weight when nothing in the group was raised
      (lowering one default criterion there would only hand its share to the group's others).
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
        plain_crit = {c: w for c, (w, _) in crit.items()}
        shares, inner, total = _shares(plain_crit, {g: w for g, (w, _) in grp.items()}, group_of)
        over = []
        for c, share in shares.items():
            trail, group_trail = crit[c][1], grp[group_of[c]][1]
            if _raised(trail) or _raised(group_trail):
                continue
            target = DEFAULT_ONLY_CAP * _lowering(trail) * _lowering(group_trail)
            if share > target + 1e-9:
                over.append((share - target, c, target))
        raised_left = any(w > 0 and (_raised(crit[k][1]) or _raised(grp[group_of[k]][1])) for k, (w, _) in crit.items())
        if not over or not raised_left:
            break  # nothing this spec raised can take the share over: the defaults stand as they are
        _, c, target = max(over)
        g = group_of[c]
        others = [k for k in kb.criteria if group_of[k] == g and k != c and crit[k][0] > 0]
        if any(_raised(crit[k][1]) for k in others):
            # Something this spec raised shares the group: lower c within it, G w / ((rest + w) T) = target.
            rest = inner[g] - crit[c][0]
            new = target * total * rest / (grp[g][0] - target * total)
            crit[c] = (round(new, 4), _with_cap(crit[c][1], new))
        else:
            # Nothing in the group was raised: lowering one default criterion would only hand its share
            # to the others, so lower the group until c is at the target, G w / (W (T_rest + G)) = target.
            w, whole = crit[c][0], inner[g]
            new = target * whole * (total - grp[g][0]) / (w - target * whole)
            grp[g] = (round(new, 4), _with_cap(grp[g][1], new))
    return crit, grp
