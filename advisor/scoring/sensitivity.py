"""What would change the pick: exact tipping points for weights and ratings, and the tornado.

Every weight enters the score linearly (see :mod:`advisor.scoring.aggregate`), so the gap between the pick
and a rival as one weight x moves is (A + x p) / (B + x q): it crosses zero once, at x = -A / p. A tip is
kept only when that point lies in the range a priority can take (0..5) and, with three candidates, when
carrying the change just past it really makes the named rival the pick (another rival may overtake first).
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.scoring.aggregate import Problem, rank_key
from advisor.scoring.ratings import HIGHEST, LOWEST

_NUDGE = 1e-6  # how far past a threshold a tip is checked: far below any rounding the report shows
MAX_WEIGHT_TIPS, MAX_RATING_TIPS = 5, 3  # how many a report shows (more when each rival needs its own)


@dataclass(frozen=True)
class Tip:
    kind: str  # "weight" (a criterion), "group_weight" or "rating"
    target: str  # criterion or group id
    framework: str | None  # for rating tips: whose rating moves
    current: float
    threshold: float
    new_winner: str

    @property
    def direction(self) -> str:
        return "raise" if self.threshold > self.current else "lower"


def _past(tip: Tip) -> float:
    return tip.threshold + (_NUDGE if tip.threshold > tip.current else -_NUDGE)


def apply_tip(problem: Problem, tip: Tip, value: float | None = None) -> Problem:
    """``problem`` with the tip's change made (at ``value``, or just past the threshold)."""
    at = _past(tip) if value is None else value
    if tip.kind == "rating":
        assert tip.framework is not None
        return problem.with_rating(tip.target, tip.framework, at)
    return problem.with_weight(tip.target, max(0.0, at))


def holds(problem: Problem, tip: Tip) -> bool:
    """Whether making the tip's change just past its threshold makes its ``new_winner`` the pick, ahead of
    every other candidate (a tie broken by the knowledge base's order is not a change of pick to report)."""
    scores = apply_tip(problem, tip).scores()
    best = rank_key(scores[tip.new_winner])
    return all(rank_key(score) < best for fw, score in scores.items() if fw != tip.new_winner)


def _levers(problem: Problem) -> list[tuple[str, str, float]]:
    """(kind, id, current weight) of every weight that takes part in the score now."""
    effective = problem.effective()
    levers = [("weight", c, problem.weights[c]) for c in problem.criteria if effective[c] > 0]
    live_groups = {problem.group_of[c] for c, e in effective.items() if e > 0}
    return levers + [("group_weight", g, problem.group_weights[g]) for g in problem.group_weights if g in live_groups]


def weight_tips(problem: Problem, winner: str, max_weight: float) -> list[Tip]:
    """Per weighted criterion and group, the weight (within 0..max) at which a rival takes the lead."""
    tips = []
    for rival in (f for f in problem.candidates if f != winner):
        for kind, target, current in _levers(problem):
            a, _, p, _ = problem.gap_terms(target, winner, rival)
            if p == 0:
                continue  # the lever moves both scores alike
            threshold = -a / p
            if 0.0 <= threshold <= max_weight and abs(threshold - current) > 1e-9:
                tips.append(Tip(kind, target, None, current, threshold, rival))
    tips.sort(key=lambda t: (abs(t.threshold - t.current) / max(t.current, 1.0), t.target, t.new_winner))
    return [tip for tip in tips if holds(problem, tip)]


def rating_tips(problem: Problem, winner: str) -> list[Tip]:
    """Per weighted criterion, how far the pick's rating must fall (or a rival's rise) for the rival to lead."""
    tips: list[Tip] = []
    shares = problem.shares()
    scores = problem.scores()
    for rival in (f for f in problem.candidates if f != winner):
        lead = scores[winner] - scores[rival]
        for c in problem.criteria:
            if shares[c] <= 0:
                continue
            shift = lead / shares[c]
            lowered = problem.ratings[(c, winner)] - shift
            raised = problem.ratings[(c, rival)] + shift
            if lowered >= LOWEST:
                tips.append(Tip("rating", c, winner, problem.ratings[(c, winner)], lowered, rival))
            if raised <= HIGHEST:
                tips.append(Tip("rating", c, rival, problem.ratings[(c, rival)], raised, rival))
    tips.sort(key=lambda t: (abs(t.threshold - t.current), t.target, t.framework or "", t.new_winner))
    return [tip for tip in tips if holds(problem, tip)]


def each_rival(tips: list[Tip], limit: int) -> list[Tip]:
    """The first ``limit`` tips (closest first), but the closest tip of every rival among them: with
    three candidates the report must say what would make each non-winner the pick, not only the runner-up."""
    chosen: list[Tip] = []
    for tip in tips:
        if all(t.new_winner != tip.new_winner for t in chosen):
            chosen.append(tip)
    for tip in tips:
        if len(chosen) >= max(limit, len({t.new_winner for t in chosen})):
            break
        if tip not in chosen:
            chosen.append(tip)
    order = {id(t): i for i, t in enumerate(tips)}
    return sorted(chosen[: max(limit, len({t.new_winner for t in chosen}))], key=lambda t: order[id(t)])


def shown_tips(problem: Problem, winner: str, max_weight: float) -> tuple[list[Tip], list[Tip]]:
    """The weight tips and the rating tips a report shows, closest first, each rival represented."""
    return (
        each_rival(weight_tips(problem, winner, max_weight), MAX_WEIGHT_TIPS),
        each_rival(rating_tips(problem, winner), MAX_RATING_TIPS),
    )


def margin(problem: Problem, winner: str) -> tuple[float, str]:
    """The pick's lead over the best other candidate, and who that is."""
    scores = problem.scores()
    order = list(problem.candidates)
    rival = max((f for f in order if f != winner), key=lambda f: (rank_key(scores[f]), -order.index(f)))
    return scores[winner] - scores[rival], rival


@dataclass(frozen=True)
class TornadoBar:
    criterion: str
    weight: float
    at_zero: float  # the pick's lead over the best other candidate with this weight at 0
    rival_at_zero: str
    at_max: float  # ... and at the largest weight
    rival_at_max: str


def tornado(problem: Problem, winner: str, max_weight: float) -> list[TornadoBar]:
    """For each weighted criterion, the pick's margin with its weight at 0 and at ``max_weight``, widest first."""
    bars = []
    for kind, target, current in _levers(problem):
        if kind != "weight":
            continue
        low, low_rival = margin(problem.with_weight(target, 0.0), winner)
        high, high_rival = margin(problem.with_weight(target, max_weight), winner)
        bars.append(TornadoBar(target, current, low, low_rival, high, high_rival))
    order = {c: i for i, c in enumerate(problem.criteria)}
    return sorted(bars, key=lambda b: (-abs(b.at_max - b.at_zero), order[b.criterion]))
