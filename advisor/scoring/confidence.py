"""The score model, how sure the pick is (seeded Monte Carlo), and its exact tipping points.

Scores follow a two-level value tree: within a group, a framework's mean rating weighted by the
criterion weights; across groups, the mean of those weighted by the group weights (a group whose
criteria all weigh 0 drops out). So each criterion has an *effective weight*
e_c = G_g w_c / (W_g T), and the score is sum(e_c r_c).

Tipping points are exact. Moving one criterion weight w_k of group g changes the lead D of the winner
over a rival as a Moebius function, D(w) = (R (B + w) + G_g (A + w d_k)) / (T (B + w)), with A, B the
weighted rating gap and weight of the rest of g, and R the weighted gap of the other groups; D is zero
at w = -(R B + G_g A) / (R + G_g d_k). A group weight works the same way one level up.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

WEIGHT_SIGMA = 0.35  # log-normal spread of each weight: "roughly +-40%"
HIGH, MEDIUM = 0.9, 0.7


@dataclass(frozen=True)
class Problem:
    """The numbers the decision rests on (candidates only: excluded frameworks are not in it)."""

    candidates: Sequence[str]
    criteria: Sequence[str]
    weights: Mapping[str, float]  # criterion -> weight within its group
    ratings: Mapping[tuple[str, str], float]  # (criterion, framework) -> rating
    sds: Mapping[tuple[str, str], float]
    group_of: Mapping[str, str]  # criterion -> group
    group_weights: Mapping[str, float]

    def effective_weights(
        self, weights: Mapping[str, float] | None = None, group_weights: Mapping[str, float] | None = None
    ) -> dict[str, float]:
        """Each criterion's share of the score (they sum to 1, or all are 0 when nothing weighs)."""
        w = self.weights if weights is None else weights
        g = self.group_weights if group_weights is None else group_weights
        inner: dict[str, float] = {}
        for c in self.criteria:
            inner[self.group_of[c]] = inner.get(self.group_of[c], 0.0) + w[c]
        total = sum(g[group] for group, weight in inner.items() if weight > 0)
        if total <= 0:
            return {c: 0.0 for c in self.criteria}
        return {
            c: (g[self.group_of[c]] * w[c] / (inner[self.group_of[c]] * total) if inner[self.group_of[c]] > 0 else 0.0)
            for c in self.criteria
        }

    def score(self, framework: str, effective: Mapping[str, float] | None = None) -> float:
        e = self.effective_weights() if effective is None else effective
        return sum(e[c] * self.ratings[(c, framework)] for c in self.criteria)

    def group_gap(self, group: str, winner: str, rival: str, weights: Mapping[str, float]) -> tuple[float, float]:
        """(weighted rating gap, total weight) of ``group``'s criteria."""
        members = [c for c in self.criteria if self.group_of[c] == group]
        gap = sum(weights[c] * (self.ratings[(c, winner)] - self.ratings[(c, rival)]) for c in members)
        return gap, sum(weights[c] for c in members)


_INDEX_BITS = 12
_QUANTILES = 2**_INDEX_BITS
_normal_table: list[float] = []


def _standard_normals() -> list[float]:
    """Mid-point quantiles of N(0, 1): drawing an index uniformly samples a normal in pure Python
    about ten times faster than ``random.gauss``, which matters on the CLI's sub-second path."""
    if not _normal_table:
        inverse = NormalDist().inv_cdf
        _normal_table.extend(inverse((i + 0.5) / _QUANTILES) for i in range(_QUANTILES))
    return _normal_table


def win_probability(problem: Problem, winner: str, draws: int, seed: int) -> float:
    """Share of draws, each weight and rating perturbed, in which ``winner`` still scores highest."""
    return win_shares(problem, draws, seed).get(winner, 0.0)


def win_shares(problem: Problem, draws: int, seed: int) -> dict[str, float]:
    """Per candidate, the share of draws (each weight and rating perturbed) in which it scores highest.

    Only weighted criteria in weighted groups take part: a weight of 0 stays 0 when scaled. With three
    candidates this says how the pick's losses split between the others, not only how often it wins.
    """
    if len(problem.candidates) < 2:
        return dict.fromkeys(problem.candidates, 1.0)
    base = problem.effective_weights()
    active = [c for c in problem.criteria if base[c] > 0]
    groups = sorted({problem.group_of[c] for c in active})
    member = [groups.index(problem.group_of[c]) for c in active]
    weights = [problem.weights[c] for c in active]
    group_weights = [problem.group_weights[g] for g in groups]
    rows = [
        ([problem.ratings[(c, f)] for c in active], [problem.sds[(c, f)] for c in active]) for f in problem.candidates
    ]
    table = _standard_normals()
    spread = [math.exp(WEIGHT_SIGMA * z) for z in table]  # log-normal weight factors, one per quantile
    bits = random.Random(seed).getrandbits  # an index into the 2**12 quantiles in one C call
    cells = [list(zip(ratings, sds, strict=True)) for ratings, sds in rows]
    wins = [0] * len(cells)
    for _ in range(draws):
        w = [x * spread[bits(_INDEX_BITS)] for x in weights]
        inner = [0.0] * len(groups)
        for weight, k in zip(w, member, strict=True):
            inner[k] += weight
        # Each criterion's share up to the common factor 1/total, which cannot change the argmax.
        per_group = [x * spread[bits(_INDEX_BITS)] / inner[k] for k, x in enumerate(group_weights)]
        e = [per_group[k] * weight for weight, k in zip(w, member, strict=True)]
        best, best_score = -1, -math.inf
        for index, row in enumerate(cells):
            score = 0.0
            for ei, (r, sd) in zip(e, row, strict=True):
                value = r + sd * table[bits(_INDEX_BITS)]
                score += ei * (5.0 if value > 5.0 else 1.0 if value < 1.0 else value)
            if score > best_score:
                best, best_score = index, score
        wins[best] += 1
    return {fw: won / draws for fw, won in zip(problem.candidates, wins, strict=True)}


def level(probability: float) -> str:
    return "high" if probability >= HIGH else "medium" if probability >= MEDIUM else "low"


@dataclass(frozen=True)
class Tip:
    kind: str  # "weight" (a criterion), "group_weight" or "rating"
    target: str  # criterion or group id
    framework: str | None
    current: float
    threshold: float
    new_winner: str


def _others(problem: Problem, group: str, winner: str, rival: str) -> tuple[float, float]:
    """(sum of G * mean gap, sum of G) over the active groups other than ``group``."""
    weighted, total = 0.0, 0.0
    for other, g in problem.group_weights.items():
        gap, inner = problem.group_gap(other, winner, rival, problem.weights)
        if other != group and inner > 0 and g > 0:
            weighted += g * gap / inner
            total += g
    return weighted, total


def weight_tips(problem: Problem, winner: str, max_weight: float) -> list[Tip]:
    """Per criterion and group, the weight (within 0..max) at which a rival draws level."""
    tips: list[Tip] = []
    for rival in (f for f in problem.candidates if f != winner):
        for c in problem.criteria:
            group = problem.group_of[c]
            g = problem.group_weights[group]
            rest = {k: (0.0 if k == c else v) for k, v in problem.weights.items()}
            a, b = problem.group_gap(group, winner, rival, rest)
            d = problem.ratings[(c, winner)] - problem.ratings[(c, rival)]
            r, t = _others(problem, group, winner, rival)
            if g <= 0 or problem.weights[c] <= 0:  # a criterion the spec ignores is no lever
                continue
            if b <= 0:  # c alone weighs in its group: only dropping it (w = 0) changes anything
                if problem.weights[c] > 0 and t > 0 and r / t < 0 and d > 0:
                    tips.append(Tip("weight", c, None, problem.weights[c], 0.0, rival))
                continue
            if r + g * d == 0:
                continue
            threshold = -(r * b + g * a) / (r + g * d)
            if 0.0 <= threshold <= max_weight and abs(threshold - problem.weights[c]) > 1e-9:
                tips.append(Tip("weight", c, None, problem.weights[c], threshold, rival))
        for group, g in problem.group_weights.items():
            gap, inner = problem.group_gap(group, winner, rival, problem.weights)
            r, t = _others(problem, group, winner, rival)
            if inner <= 0 or gap == 0 or t <= 0:
                continue
            threshold = -r * inner / gap
            if 0.0 <= threshold <= max_weight and abs(threshold - g) > 1e-9:
                tips.append(Tip("group_weight", group, None, g, threshold, rival))
    return true_tips(
        problem, sorted(tips, key=lambda t: (abs(t.threshold - t.current) / max(t.current, 1.0), t.target))
    )


_NUDGE = 1e-6  # how far past a threshold a tip is checked: far below any rounding the report shows


def pick_after(problem: Problem, tip: Tip) -> str:
    """The pick once ``tip``'s change is made and carried just past its threshold.

    With more than two candidates a threshold computed against one rival can be passed after another
    rival has already taken the lead; a tip is only true when this returns its ``new_winner``.
    """
    past = tip.threshold + (_NUDGE if tip.threshold >= tip.current else -_NUDGE)
    weights, group_weights, ratings = dict(problem.weights), dict(problem.group_weights), dict(problem.ratings)
    if tip.kind == "weight":
        weights[tip.target] = max(0.0, past)
    elif tip.kind == "group_weight":
        group_weights[tip.target] = max(0.0, past)
    else:
        assert tip.framework is not None
        ratings[(tip.target, tip.framework)] = past
    changed = Problem(
        problem.candidates, problem.criteria, weights, ratings, problem.sds, problem.group_of, group_weights
    )
    effective = changed.effective_weights()
    return max(problem.candidates, key=lambda fw: (changed.score(fw, effective), fw == tip.new_winner))


def true_tips(problem: Problem, tips: list[Tip]) -> list[Tip]:
    """The tips that really change the pick to the framework they name (see :func:`pick_after`)."""
    if len(problem.candidates) <= 2:
        return tips
    return [tip for tip in tips if pick_after(problem, tip) == tip.new_winner]


def rating_tips(problem: Problem, winner: str) -> list[Tip]:
    """Per weighted criterion, how far the winner's rating must fall (or a rival's rise) to draw."""
    tips: list[Tip] = []
    effective = problem.effective_weights()
    for rival in (f for f in problem.candidates if f != winner):
        lead = problem.score(winner, effective) - problem.score(rival, effective)
        for c in problem.criteria:
            if effective[c] <= 0:
                continue
            shift = lead / effective[c]
            lowered = problem.ratings[(c, winner)] - shift
            raised = problem.ratings[(c, rival)] + shift
            if lowered >= 1.0:
                tips.append(Tip("rating", c, winner, problem.ratings[(c, winner)], lowered, rival))
            if raised <= 5.0:
                tips.append(Tip("rating", c, rival, problem.ratings[(c, rival)], raised, rival))
    return true_tips(problem, sorted(tips, key=lambda t: (abs(t.threshold - t.current), t.target)))
