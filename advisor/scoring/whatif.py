"""What if the priorities were different? The engine's answer for any priorities, without re-reading the spec.

A priority replaces a criterion's or group's weight and changes nothing else (see
:mod:`advisor.scoring.weights`), and ties depend on the ratings only, so the scores for any priorities
follow from each weight before the spec's priority (``base``) and the ratings. The HTML report's what-if
page does the same arithmetic in the browser; the golden vectors computed here are embedded in the page,
which checks them on load, and a test checks that they equal a full ``advisor recommend`` run with those
priorities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from advisor.scoring import sensitivity
from advisor.scoring.aggregate import Problem, rank_key
from advisor.scoring.result import WhatIfRank, WhatIfTip, WhatIfVector
from advisor.scoring.weights import MAX_WEIGHT


def tied(problem: Problem, criterion: str) -> bool:
    """Every candidate has the same rating: the criterion weighs 0 whatever its priority."""
    return len(problem.candidates) > 1 and len({problem.ratings[(criterion, f)] for f in problem.candidates}) == 1


def with_priorities(
    base: Problem, base_groups: Mapping[str, float], base_criteria: Mapping[str, float], priorities: Mapping[str, float]
) -> Problem:
    """The problem with ``priorities`` in place of the base weights (clamped to 0..5), ties at 0."""

    def chosen(item: str, value: float) -> float:
        return min(MAX_WEIGHT, max(0.0, priorities[item])) if item in priorities else value

    weights = {c: 0.0 if tied(base, c) else chosen(c, w) for c, w in base_criteria.items()}
    groups = {g: chosen(g, w) for g, w in base_groups.items()}
    return replace(base, weights=weights, group_weights=groups)


def vector(problem: Problem, priorities: Mapping[str, float]) -> WhatIfVector:
    """What the report says for ``problem``: ranking with scores, shares, and the tipping points shown."""
    scores = problem.scores()
    order = list(problem.candidates)
    ranking = sorted(order, key=lambda f: (-rank_key(scores[f]), order.index(f)))
    tips = [*sensitivity.shown_tips(problem, ranking[0], MAX_WEIGHT)] if len(ranking) > 1 else [[], []]
    return WhatIfVector(
        priorities=dict(priorities),
        ranking=tuple(WhatIfRank(framework=f, score=scores[f]) for f in ranking),
        shares=problem.shares(),
        tipping_points=tuple(
            WhatIfTip(
                kind=t.kind,  # type: ignore[arg-type]
                target=t.target,
                framework=t.framework,
                threshold=t.threshold,
                new_winner=t.new_winner,
            )
            for group in tips
            for t in group
        ),
    )


def settings(problem: Problem, spec_priorities: Mapping[str, float]) -> list[dict[str, float]]:
    """A handful of priority settings that exercise every part of the arithmetic, for golden vectors:
    the spec's own, a group dropped and one raised, the heaviest criterion dropped, a light one raised
    to the top, a criterion that weighs 0 brought in, and fractional values."""
    shares = problem.shares()
    weighted = sorted((c for c in problem.criteria if shares[c] > 0), key=lambda c: (-shares[c], c))
    idle = [c for c in problem.criteria if problem.weights[c] == 0 and not tied(problem, c)]
    groups = sorted(problem.group_weights)
    out: list[dict[str, float]] = [{}]
    if weighted:
        out += [{weighted[0]: 0.0}, {weighted[-1]: 5.0}]
    if groups:
        out += [{groups[0]: 0.0, groups[-1]: 3.5}]
    if idle:
        out += [{idle[0]: 2.75}]
    if len(weighted) > 1 and len(groups) > 1:
        out += [{weighted[1]: 1.35, groups[1]: 0.6}]
    return [{**spec_priorities, **setting} for setting in out]
