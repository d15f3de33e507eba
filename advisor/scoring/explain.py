"""Turns the numbers into what a reviewer reads: reasons, tipping points and the cited entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from advisor.knowledge.load import KnowledgeBase
from advisor.rules.engine import RuleOutcome
from advisor.rules.model import Rule
from advisor.rules.terms import Term
from advisor.scoring import sensitivity
from advisor.scoring.aggregate import Problem
from advisor.scoring.ratings import Rating
from advisor.scoring.result import CitedEntry, Exclusion, Reason, ReferenceOut, TippingPoint

MAX_REASONS_FOR, MAX_REASONS_AGAINST = 6, 3
RULE = "rule:"


def term_cites(terms: Sequence[Term], rule_index: Mapping[str, Rule]) -> list[str]:
    """Knowledge ids behind rating terms, in the given order; a rule term contributes its cites."""
    cites: list[str] = []
    for term in terms:
        if term.source.startswith(RULE):
            cites += rule_index[term.source[len(RULE) :]].cites
        elif ":" not in term.source:
            cites.append(term.source)
    return list(dict.fromkeys(cites))


def reasons(
    problem: Problem,
    order: Sequence[str],
    kb: KnowledgeBase,
    ratings: Mapping[tuple[str, str], Rating],
    rule_index: Mapping[str, Rule],
) -> tuple[Reason, ...]:
    """The criteria that separate the top two, each with its share of the margin and its sources."""
    first, second = order[0], order[1]
    effective = problem.shares()
    shares = []
    for c in kb.criteria:
        gap = ratings[(c, first)].value - ratings[(c, second)].value
        if effective[c] > 0 and gap != 0:
            shares.append((effective[c] * gap, c))
    pros = sorted((s for s in shares if s[0] > 0), key=lambda s: (-s[0], s[1]))[:MAX_REASONS_FOR]
    cons = sorted((s for s in shares if s[0] < 0), key=lambda s: (s[0], s[1]))[:MAX_REASONS_AGAINST]
    out = []
    for share, c in pros + cons:
        favours = first if share > 0 else second
        a, b = ratings[(c, first)], ratings[(c, second)]
        text = (
            f"{kb.criteria[c].name}: {kb.frameworks[first].name} {a.value:.1f} vs "
            f"{kb.frameworks[second].name} {b.value:.1f} ({effective[c]:.0%} of the score)"
        )
        # Lead with what pushes towards the favoured side: its gains, then the other side's losses.
        sign = {first: 1.0, second: -1.0} if favours == first else {first: -1.0, second: 1.0}
        signed = [(sign[first] * t.delta, t) for t in a.terms] + [(sign[second] * t.delta, t) for t in b.terms]
        ordered = [t for _, t in sorted(signed, key=lambda x: (-x[0], x[1].source))]
        out.append(
            Reason(
                criterion=c,
                favours=favours,
                contribution=share,
                text=text,
                cites=tuple(term_cites(ordered, rule_index)),
            )
        )
    return tuple(out)


def tipping_points(problem: Problem, winner: str, kb: KnowledgeBase, max_weight: float) -> tuple[TippingPoint, ...]:
    """The smallest single changes (one weight, or one rating) that would change the pick, worded by direction."""
    name = {fw: kb.frameworks[fw].name for fw in kb.frameworks}
    out = []
    weight_tips, rating_tips = sensitivity.shown_tips(problem, winner, max_weight)
    for tip in weight_tips:
        what = f"the {kb.groups[tip.target].name} group" if tip.kind == "group_weight" else kb.criteria[tip.target].name
        if tip.direction == "raise":
            text = f"Raising the weight of {what} from {tip.current:g} to {tip.threshold:.2f} or more"
        elif round(tip.threshold, 2) > 0:
            text = f"Lowering the weight of {what} from {tip.current:g} to {tip.threshold:.2f} or less"
        else:
            text = f"Only dropping {what} entirely (weight 0, from {tip.current:g})"
        out.append(_tip(tip, f"{text} makes {name[tip.new_winner]} the pick."))
    for tip in rating_tips:
        assert tip.framework is not None
        now, then = distinct(tip.current, tip.threshold)
        out.append(
            _tip(
                tip,
                f"If {name[tip.framework]}'s {kb.criteria[tip.target].name} rating were {then} instead of {now}, "
                f"{name[tip.new_winner]} would be the pick.",
            )
        )
    return tuple(out)


def distinct(current: float, threshold: float) -> tuple[str, str]:
    """Both numbers with the fewest decimals (1 to 3) that tell them apart: never "4.2 instead of 4.2"."""
    for digits in (1, 2, 3):
        if round(current, digits) != round(threshold, digits):
            return f"{current:.{digits}f}", f"{threshold:.{digits}f}"
    word = "just above" if threshold > current else "just below"
    return f"{current:.3f}", f"{word} {current:.3f}"


def _tip(tip: sensitivity.Tip, text: str) -> TippingPoint:
    return TippingPoint(
        kind=tip.kind,  # type: ignore[arg-type]
        target=tip.target,
        framework=tip.framework,
        direction=tip.direction,  # type: ignore[arg-type]
        current=tip.current,
        threshold=tip.threshold,
        new_winner=tip.new_winner,
        text=text,
    )


def cited_entries(
    kb: KnowledgeBase,
    ratings: Mapping[tuple[str, str], Rating],
    rule_index: Mapping[str, Rule],
    outcome: RuleOutcome,
    checks: Mapping[str, tuple[list[Exclusion], list[str]]],
    extra: Iterable[str] = (),
) -> tuple[CitedEntry, ...]:
    """Every knowledge entry the report relies on, with its dated references, sorted by id."""
    ids: set[str] = set(extra)
    for rating in ratings.values():
        ids.update(term_cites(rating.terms, rule_index))
    for firing in outcome.firings:
        ids.update(rule_index[firing.rule_id].cites)
    for exclusions, _ in checks.values():
        for exclusion in exclusions:
            ids.update(exclusion.cites)
    return cite_entries(kb, ids)


def cite_entries(kb: KnowledgeBase, ids: Iterable[str]) -> tuple[CitedEntry, ...]:
    """The entries ``ids`` with their dated references, sorted by id (for a References section)."""
    return tuple(
        CitedEntry(
            id=entry_id,
            summary=kb.entries[entry_id].summary,
            status=kb.entries[entry_id].status.value,
            references=tuple(
                ReferenceOut(source=r.source, as_of=r.as_of, note=r.note, title=kb.source_title(r.source))
                for r in kb.entries[entry_id].references
            ),
        )
        for entry_id in sorted(set(ids))
    )
