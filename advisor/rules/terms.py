"""A term: one cited contribution to a rating (a knowledge entry, a rule or a measurement).

It lives with the rules because rules produce terms; scoring sums them into ratings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One contribution to a rating: a knowledge entry or a rule, and how much it moved the rating."""

    source: str  # knowledge entry id or "rule:<id>" or "evidence:<id>"
    delta: float
    note: str = ""
    sd: float | None = None  # a rule may widen the spread (e.g. for a codebase of unknown size)
