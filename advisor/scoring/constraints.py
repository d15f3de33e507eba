"""Hard constraints: policy exclusions, required capabilities and minimum ratings.

A framework that fails one is excluded from the ranking, and the report says which constraint, who
imposed it (the spec or a rule) and which knowledge entries back it. ``limited`` support does not
exclude; it becomes a warning, because "works with caveats" is a judgement the team should make.
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.knowledge.load import KnowledgeBase
from advisor.knowledge.model import Support
from advisor.scoring.ratings import Rating
from advisor.scoring.result import Exclusion
from advisor.spec.model import ProjectSpec


def required_capabilities(spec: ProjectSpec, from_rules: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Capability -> who requires it (``spec`` and/or ``rule:<id>``), in a stable order."""
    required: dict[str, list[str]] = {}
    for capability in spec.constraints.required_capabilities:
        required.setdefault(capability, []).append("spec")
    for capability, rule_ids in from_rules.items():
        required.setdefault(capability, []).extend(f"rule:{r}" for r in rule_ids)
    return {k: tuple(v) for k, v in sorted(required.items())}


def check_framework(
    framework: str,
    spec: ProjectSpec,
    kb: KnowledgeBase,
    required: Mapping[str, tuple[str, ...]],
    ratings: Mapping[tuple[str, str], Rating],
) -> tuple[list[Exclusion], list[str]]:
    """Exclusions and warnings for one framework."""
    exclusions: list[Exclusion] = []
    warnings: list[str] = []
    if framework in spec.constraints.exclude_frameworks:
        exclusions.append(
            Exclusion(
                kind="policy",
                reason="excluded by the spec's policy (constraints.exclude_frameworks)",
                required_by=("spec",),
                cites=(),
            )
        )
    for capability_id, who in required.items():
        capability = kb.capabilities[capability_id]
        support = capability.support[framework]
        if support is Support.unsupported:
            exclusions.append(
                Exclusion(
                    kind="capability",
                    reason=f"does not support: {capability.name}",
                    required_by=who,
                    cites=tuple(capability.cites),
                )
            )
        elif support is Support.limited:
            warnings.append(f"limited support for required capability: {capability.name}")
    for criterion, minimum in sorted(spec.constraints.min_ratings.items()):
        rating = ratings[(criterion, framework)]
        if rating.value < minimum:
            cites = tuple(t.source for t in rating.terms if not t.source.startswith("rule:"))
            name = kb.criteria[criterion].name
            exclusions.append(
                Exclusion(
                    kind="min_rating",
                    reason=f"{name} rated {rating.value:.1f}, below the required {minimum:g}",
                    required_by=("spec",),
                    cites=cites,
                )
            )
    return exclusions, warnings
