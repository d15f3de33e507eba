"""The one aggregation every number in a report comes from: a weighted mean a reader can redo by hand.

For each criterion c in group g (docs/arithmetic.md works an example through):

    effective weight  e_c = w_c x G_g / N_g
    share             s_c = e_c / sum(e)
    score             S_f = sum(s_c x r_cf)

w_c is the criterion's weight and G_g its group's (default, rule steps, relevance cap and the spec's
priority, see :mod:`advisor.scoring.weights`); N_g is the group's reference weight, a constant of the
knowledge base, so a group split into many criteria does not outweigh one split into few. Every weight
enters linearly: raising one raises its share, and moves every score gap toward that criterion's own
rating difference (dS_a - dS_b has the sign of d_c - (S_a - S_b)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

TIE_DIGITS = 10  # scores equal to this many decimals are a tie, broken by the knowledge base's order


def rank_key(score: float) -> float:
    """A score as ranking compares it: rounding noise (3.0909090909090904 vs ...091) is no lead."""
    return round(score, TIE_DIGITS)


@dataclass(frozen=True)
class Problem:
    """The numbers the decision rests on (candidates only: excluded frameworks are not in it)."""

    candidates: Sequence[str]
    criteria: Sequence[str]
    weights: Mapping[str, float]  # criterion -> its weight (after ties, caps and priorities)
    ratings: Mapping[tuple[str, str], float]  # (criterion, framework) -> rating
    sds: Mapping[tuple[str, str], float]
    group_of: Mapping[str, str]  # criterion -> group
    group_weights: Mapping[str, float]
    group_reference: Mapping[str, float]  # group -> N_g, the summed weight at which it counts once

    def effective(self) -> dict[str, float]:
        """Each criterion's effective weight e_c = w_c G_g / N_g (not normalised)."""
        return {
            c: self.weights[c] * self.group_weights[self.group_of[c]] / self.group_reference[self.group_of[c]]
            for c in self.criteria
        }

    def shares(self) -> dict[str, float]:
        """Each criterion's share of the score (they sum to 1, or all are 0 when nothing weighs)."""
        effective = self.effective()
        total = sum(effective.values())
        return {c: (e / total if total > 0 else 0.0) for c, e in effective.items()}

    def score(self, framework: str, shares: Mapping[str, float] | None = None) -> float:
        s = self.shares() if shares is None else shares
        return sum(s[c] * self.ratings[(c, framework)] for c in self.criteria)

    def scores(self) -> dict[str, float]:
        shares = self.shares()
        return {fw: self.score(fw, shares) for fw in self.candidates}

    def with_weight(self, target: str, value: float) -> Problem:
        """The problem with criterion or group ``target`` at ``value`` (a priority's effect on the numbers)."""
        if target in self.group_weights and target not in self.weights:
            return replace(self, group_weights={**self.group_weights, target: value})
        return replace(self, weights={**self.weights, target: value})

    def with_rating(self, criterion: str, framework: str, value: float) -> Problem:
        return replace(self, ratings={**self.ratings, (criterion, framework): value})

    def gap_terms(self, target: str, a: str, b: str) -> tuple[float, float, float, float]:
        """(A, B, p, q): the gap S_a - S_b as (A + x p) / (B + x q), where x is ``target``'s weight.

        A and B are the rest's weighted rating gap and total effective weight; p and q what one unit of
        ``target``'s weight adds to them. Exact, because every weight enters the sums linearly.
        """
        effective = self.effective()
        if target in self.group_weights and target not in self.weights:
            inside = [c for c in self.criteria if self.group_of[c] == target]
            unit = {c: self.weights[c] / self.group_reference[target] for c in inside}
        else:
            group = self.group_of[target]
            inside = [target]
            unit = {target: self.group_weights[group] / self.group_reference[group]}
        rest = [c for c in self.criteria if c not in inside]
        gap = {c: self.ratings[(c, a)] - self.ratings[(c, b)] for c in self.criteria}
        return (
            sum(effective[c] * gap[c] for c in rest),
            sum(effective[c] for c in rest),
            sum(unit[c] * gap[c] for c in inside),
            sum(unit.values()),
        )
