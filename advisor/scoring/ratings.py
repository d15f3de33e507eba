"""Documentary ratings: each framework's rating on each criterion, derived from knowledge entries.

rating = 3 (no known difference) + sum(effect x status weight) over the criterion's entries, clamped
to 1..5. Deriving ratings instead of storing a table keeps one source of truth and makes every number
explainable as a list of cited entries. The spread (``sd``) used by the Monte Carlo grows with
contested entries and is widest where the base knows nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.knowledge.load import KnowledgeBase
from advisor.knowledge.model import KnowledgeEntry
from advisor.matching import matches
from advisor.rules.terms import Term

BASELINE = 3.0
LOWEST, HIGHEST = 1.0, 5.0
SD_KNOWN, SD_PER_CONTESTED, SD_UNKNOWN = 0.35, 0.2, 0.75


@dataclass(frozen=True)
class Rating:
    """A framework's rating on one criterion, with the terms that produced it."""

    value: float
    sd: float
    terms: tuple[Term, ...] = field(default_factory=tuple)

    def with_terms(self, extra: list[Term], sd: float | None = None) -> Rating:
        """A copy with ``extra`` terms added (the value is recomputed and clamped)."""
        terms = self.terms + tuple(extra)
        return Rating(_clamp(BASELINE + sum(t.delta for t in terms)), sd or self.sd, terms)


def _clamp(value: float) -> float:
    return round(min(HIGHEST, max(LOWEST, value)), 3)


def _best_of_alternatives(counted: list[tuple[KnowledgeEntry, Term]]) -> tuple[Term, ...]:
    """The terms that count: every entry outside an alternatives set, and the strongest of each set."""
    best: dict[str, Term] = {}
    for entry, term in counted:
        if entry.alternatives is not None and (
            entry.alternatives not in best or term.delta > best[entry.alternatives].delta
        ):
            best[entry.alternatives] = term
    kept = set(best.values())
    return tuple(term for entry, term in counted if entry.alternatives is None or term in kept)


def applies(entry: KnowledgeEntry, facts: Mapping[str, Any] | None) -> bool:
    """Whether ``entry`` bears on the project described by ``facts`` (None: every entry applies)."""
    return facts is None or entry.applies_when is None or matches(entry.applies_when, facts)


def not_applicable(kb: KnowledgeBase, facts: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Ids of the entries with a rating effect that this project's facts leave out, sorted."""
    return tuple(sorted(e.id for e in kb.entries.values() if e.effects and e.weight > 0 and not applies(e, facts)))


def not_yet_valid(kb: KnowledgeBase, facts: Mapping[str, Any] | None, day: dt.date) -> tuple[str, ...]:
    """Ids of the entries with a rating effect for this project that were not yet true on ``day``, sorted."""
    return tuple(
        sorted(
            e.id
            for e in kb.entries.values()
            if e.effects and e.weight > 0 and applies(e, facts) and e.known_since > day
        )
    )


def then_current(kb: KnowledgeBase, facts: Mapping[str, Any] | None, day: dt.date) -> tuple[str, ...]:
    """Ids of the stale entries with a rating effect for this project that still held on ``day``, sorted."""
    return tuple(
        sorted(
            e.id
            for e in kb.entries.values()
            if e.effects and e.weight == 0 and applies(e, facts) and e.weight_on(day) > 0
        )
    )


def documentary_ratings(
    kb: KnowledgeBase, facts: Mapping[str, Any] | None = None, on: dt.date | None = None
) -> dict[tuple[str, str], Rating]:
    """Ratings for every (criterion, framework) pair from the knowledge entries that apply to ``facts``
    (the rule facts of a spec; None rates with every entry, as the generated docs do), as they stood on
    ``on`` (None: today; see :meth:`KnowledgeEntry.weight_on`)."""
    ratings: dict[tuple[str, str], Rating] = {}
    for criterion in kb.criteria:
        entries = [e for e in kb.entries.values() if e.criterion == criterion and applies(e, facts)]
        for framework in kb.frameworks:
            terms = _best_of_alternatives(
                [
                    (e, Term(e.id, round(e.effects[framework] * e.weight_on(on), 3)))
                    for e in entries
                    if e.effects.get(framework) and e.weight_on(on) > 0
                ]
            )
            contested = sum(1 for e in entries if e.status.value == "contested" and e.weight_on(on) > 0)
            sd = SD_KNOWN + SD_PER_CONTESTED * contested if terms else SD_UNKNOWN
            ratings[(criterion, framework)] = Rating(
                _clamp(BASELINE + sum(t.delta for t in terms)), round(sd, 3), terms
            )
    return ratings
