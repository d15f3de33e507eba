"""The seeds' classic advice for this team's persona, set against the pick and against current facts.

Readers arrive with the classic decision guide in mind ("beginners: Keras", "production: TensorFlow").
When the pick goes against it, the report must say so and name the dated entries that changed the
picture, or the recommendation reads as an error. The guide lives in ``knowledge_base/classic_advice.yaml``;
its personas are matchers over the same spec facts rules use, so which advice applies is data, not code.
A conflict between guide and pick is also a signal for the confidence level (:func:`guide_conflicts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from advisor._model import StrictModel
from advisor.knowledge.load import KnowledgeBase
from advisor.matching import matches


class ClassicComparison(StrictModel):
    """One line of the classic guide that fits this team, and whether the pick agrees with it."""

    id: str
    persona: str
    guide_says: str
    guide_text: str
    agrees: bool
    now: str
    overturned_by: tuple[str, ...]
    sources: tuple[str, ...]


def compare_with_classic_advice(
    kb: KnowledgeBase, facts: Mapping[str, Any], pick: str
) -> tuple[ClassicComparison, ...]:
    """Every persona of the guide that ``facts`` (``rule_facts(spec)``) match, in file order. Pure."""
    return tuple(
        ClassicComparison(
            id=advice.id,
            persona=advice.persona,
            guide_says=advice.guide_says,
            guide_text=advice.guide_text,
            agrees=advice.guide_says == pick,
            now=advice.now,
            overturned_by=tuple(advice.overturned_by),
            sources=tuple(advice.sources),
        )
        for advice in kb.classic_advice
        if matches(advice.when, facts)
    )


def guide_conflicts(comparisons: Iterable[ClassicComparison]) -> bool:
    """Whether the classic advice for some matched persona disagrees with the pick."""
    return any(not comparison.agrees for comparison in comparisons)
