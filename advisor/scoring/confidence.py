"""How sure the recommendation is: seeded Monte Carlo over weights and ratings, and tipping points.

The score of a framework is the weighted mean of its ratings, S_f = sum(w_c r_fc) / W. That makes the
single-weight tipping point exact: raising w_k by delta changes the winner's lead D over a rival to
(D W + delta d_k) / (W + delta), d_k being the rating gap on k, which is zero at delta = -D W / d_k.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WEIGHT_SIGMA = 0.35  # log-normal spread of each weight: "roughly +-40%"
HIGH, MEDIUM = 0.9, 0.7


@dataclass(frozen=True)
class Problem:
    """The numbers the decision rests on (candidates only: excluded frameworks are not in it)."""

    candidates: Sequence[str]
    criteria: Sequence[str]
    weights: Mapping[str, float]
    ratings: Mapping[tuple[str, str], float]  # (criterion, framework) -> rating
    sds: Mapping[tuple[str, str], float]

    def score(self, framework: str, weights: Mapping[str, float] | None = None) -> float:
        w = weights or self.weights
        total = sum(w[c] for c in self.criteria)
        return sum(w[c] * self.ratings[(c, framework)] for c in self.criteria) / total


def win_probability(problem: Problem, winner: str, draws: int, seed: int) -> float:
    """Share of perturbed draws in which ``winner`` still scores highest."""
    if len(problem.candidates) < 2:
        return 1.0
    rng = random.Random(seed)
    wins = 0
    for _ in range(draws):
        weights = {
            c: problem.weights[c] * math.exp(rng.gauss(0.0, WEIGHT_SIGMA)) for c in problem.criteria
        }
        total = sum(weights.values())
        best, best_score = "", -math.inf
        for framework in problem.candidates:
            score = 0.0
            for c in problem.criteria:
                rating = problem.ratings[(c, framework)] + rng.gauss(0.0, problem.sds[(c, framework)])
                score += weights[c] * min(5.0, max(1.0, rating))
            if score / total > best_score:
                best, best_score = framework, score / total
        wins += best == winner
    return wins / draws


def level(probability: float) -> str:
    return "high" if probability >= HIGH else "medium" if probability >= MEDIUM else "low"


@dataclass(frozen=True)
class Tip:
    kind: str  # "weight" or "rating"
    criterion: str
    framework: str | None
    current: float
    threshold: float
    new_winner: str


def weight_tips(problem: Problem, winner: str, max_weight: float) -> list[Tip]:
    """For each criterion and rival, the weight at which the rival overtakes (within 0..max)."""
    tips: list[Tip] = []
    total = sum(problem.weights[c] for c in problem.criteria)
    for rival in problem.candidates:
        if rival == winner:
            continue
        lead = problem.score(winner) - problem.score(rival)
        for c in problem.criteria:
            gap = problem.ratings[(c, winner)] - problem.ratings[(c, rival)]
            if gap == 0:
                continue
            threshold = problem.weights[c] - lead * total / gap
            if 0.0 <= threshold <= max_weight:
                tips.append(Tip("weight", c, None, problem.weights[c], threshold, rival))
    return sorted(tips, key=lambda t: (abs(t.threshold - t.current), t.criterion))


def rating_tips(problem: Problem, winner: str) -> list[Tip]:
    """For each weighted criterion, how far the winner's rating must fall (or a rival's rise)."""
    tips: list[Tip] = []
    total = sum(problem.weights[c] for c in problem.criteria)
    for rival in problem.candidates:
        if rival == winner:
            continue
        lead = problem.score(winner) - problem.score(rival)
        for c in problem.criteria:
            if problem.weights[c] <= 0:
                continue
            shift = lead * total / problem.weights[c]
            lowered = problem.ratings[(c, winner)] - shift
            raised = problem.ratings[(c, rival)] + shift
            if lowered >= 1.0:
                tips.append(Tip("rating", c, winner, problem.ratings[(c, winner)], lowered, rival))
            if raised <= 5.0:
                tips.append(Tip("rating", c, rival, problem.ratings[(c, rival)], raised, rival))
    return sorted(tips, key=lambda t: (abs(t.threshold - t.current), t.criterion))
