"""How sure the pick is: a seeded Monte Carlo over the weights and ratings.

Each draw scales every criterion weight and every group weight by its own log-normal factor (sigma
``WEIGHT_SIGMA``, "roughly +-40 %"), moves every rating by its sd (clamped to 1..5), and scores the
candidates with the same aggregation as the report (:mod:`advisor.scoring.aggregate`). The share of draws
each candidate wins is its confidence; the pick's share is the headline figure.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

from advisor.scoring.aggregate import Problem

WEIGHT_SIGMA = 0.35  # log-normal spread of each weight: "roughly +-40%"
HIGH, MEDIUM = 0.9, 0.7


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
    base = problem.effective()
    active = [c for c in problem.criteria if base[c] > 0]
    groups = sorted({problem.group_of[c] for c in active})
    member = [groups.index(problem.group_of[c]) for c in active]
    weights = [problem.weights[c] for c in active]
    group_weights = [problem.group_weights[g] / problem.group_reference[g] for g in groups]
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
        per_group = [x * spread[bits(_INDEX_BITS)] for x in group_weights]
        # Each criterion's effective weight; the common factor 1/total cannot change the argmax.
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
