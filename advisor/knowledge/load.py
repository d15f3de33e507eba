"""Loads ``knowledge_base/`` and checks what one file alone cannot: ids unique, references resolve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import RootModel

from advisor._loading import load_model, located
from advisor.errors import DataError
from advisor.knowledge.model import (
    ApiMapFile,
    ApiMapping,
    Capability,
    ClassicAdvice,
    ClassicAdviceFile,
    CriteriaFile,
    Criterion,
    CriterionGroup,
    EntryFile,
    Framework,
    KnowledgeEntry,
    SeedClaim,
    SeedClaimFile,
    SeedSource,
    SourcesFile,
    StackComponent,
    StackFile,
)
from advisor.matching import Matcher, check_matcher
from advisor.paths import data_dir

SEED_PREFIX = "seed:"  # how a reference cites a seed article: seed:<file>


class _FrameworksFile(RootModel[list[Framework]]):
    pass


class _CapabilitiesFile(RootModel[list[Capability]]):
    pass


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the engine knows, indexed by id. Built by :func:`load_knowledge`."""

    groups: Mapping[str, CriterionGroup]
    criteria: Mapping[str, Criterion]
    frameworks: Mapping[str, Framework]
    capabilities: Mapping[str, Capability]
    entries: Mapping[str, KnowledgeEntry]
    entry_files: Mapping[str, str]  # entry id -> file name, for error messages and docs
    seed_claims: tuple[SeedClaim, ...] = ()
    api_map: tuple[ApiMapping, ...] = ()
    stack: tuple[StackComponent, ...] = ()
    classic_advice: tuple[ClassicAdvice, ...] = ()
    seeds: Mapping[str, SeedSource] = field(default_factory=dict)  # file name -> the seed article

    def due_for_review(self, day: dt.date) -> list[KnowledgeEntry]:
        """Entries whose review-by date (last review + shelf life) falls on or before ``day``, oldest first."""
        due = [e for e in self.entries.values() if e.review_by <= day]
        return sorted(due, key=lambda e: (e.review_by, e.id))

    def source_title(self, source: str) -> str | None:
        """What a reference's ``seed:<file>`` source is, in one line (None for URLs)."""
        seed = self.seeds.get(source.removeprefix(SEED_PREFIX)) if source.startswith(SEED_PREFIX) else None
        return seed.describe() if seed else None

    @property
    def as_of(self) -> dt.date:
        """The knowledge base is as current as its most recently reviewed entry."""
        return max(entry.reviewed for entry in self.entries.values())

    def entry(self, entry_id: str) -> KnowledgeEntry:
        return self.entries[entry_id]

    def group_reference(self, group_id: str) -> float:
        """The summed criterion weight at which ``group_id`` counts once (see :class:`CriterionGroup`)."""
        declared = self.groups[group_id].reference_weight
        if declared is not None:
            return declared
        return sum(c.default_weight for c in self.criteria.values() if c.group == group_id)


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Load and cross-check the knowledge base at ``root`` (default: the shipped one)."""
    root = root or data_dir("knowledge_base")
    criteria_file = load_model(root / "criteria.yaml", CriteriaFile)
    groups = _index(criteria_file.groups, root / "criteria.yaml")
    criteria = _index(criteria_file.criteria, root / "criteria.yaml")
    for criterion in criteria.values():
        if criterion.group not in groups:
            raise located(root / "criteria.yaml", f"unknown group '{criterion.group}'", field=criterion.id)
    for group in groups.values():
        if group.reference_weight is None and not any(
            c.default_weight > 0 for c in criteria.values() if c.group == group.id
        ):
            raise located(
                root / "criteria.yaml",
                "every criterion of this group defaults to weight 0, so declare its reference_weight",
                field=f"{group.id}.reference_weight",
            )
    if set(groups) & set(criteria):
        raise located(
            root / "criteria.yaml",
            "group and criterion ids must differ",
            field=", ".join(sorted(set(groups) & set(criteria))),
        )
    frameworks = _index(load_model(root / "frameworks.yaml", _FrameworksFile).root, root / "frameworks.yaml")
    entries: dict[str, KnowledgeEntry] = {}
    files: dict[str, str] = {}
    for path in sorted((root / "entries").glob("*.yaml")):
        for entry in load_model(path, EntryFile).entries:
            if entry.id in entries:
                raise located(path, f"duplicate entry id (also in {files[entry.id]})", field=entry.id)
            entries[entry.id] = entry
            files[entry.id] = path.name
            _check_entry(entry, path, criteria, frameworks)
    for entry_id, entry in entries.items():
        for successor in entry.superseded_by:
            if successor not in entries:
                raise located(
                    root / "entries" / files[entry_id],
                    f"superseded_by names unknown entry '{successor}'",
                    field=f"{entry_id}.superseded_by",
                )
    capabilities_path = root / "capabilities.yaml"
    capabilities = _index(load_model(capabilities_path, _CapabilitiesFile).root, capabilities_path)
    for capability in capabilities.values():
        _check_capability(capability, capabilities_path, frameworks, entries)
    claims = tuple(_load_seed_claims(root / "seed_claims", entries))
    seeds = _load_seeds(root / "sources.yaml")
    _check_seed_citations(root, entries, files, claims, seeds)
    classic = _load_classic_advice(root / "classic_advice.yaml", entries, frameworks)
    for advice in classic:
        for source in advice.sources:
            if source.removeprefix(SEED_PREFIX) not in seeds:
                raise located(root / "classic_advice.yaml", f"'{source}' is not in sources.yaml", field=advice.id)
    return KnowledgeBase(
        groups,
        criteria,
        frameworks,
        capabilities,
        entries,
        files,
        claims,
        _load_api_map(root / "api_map.yaml", entries),
        _load_stack(root / "stack.yaml", entries, frameworks),
        classic,
        seeds,
    )


def _load_seeds(path: Path) -> dict[str, SeedSource]:
    """The seed articles (optional: a knowledge base that cites none needs no sources.yaml)."""
    if not path.exists():
        return {}
    seeds: dict[str, SeedSource] = {}
    for seed in load_model(path, SourcesFile).seeds:
        if seed.file in seeds:
            raise located(path, "duplicate seed", field=seed.file)
        seeds[seed.file] = seed
    return seeds


def _check_seed_citations(
    root: Path,
    entries: Mapping[str, KnowledgeEntry],
    files: Mapping[str, str],
    claims: tuple[SeedClaim, ...],
    seeds: Mapping[str, SeedSource],
) -> None:
    """Every ``seed:`` citation names an article sources.yaml describes, as of the date it gives for it."""
    for entry in entries.values():
        for ref in entry.references:
            if not ref.source.startswith(SEED_PREFIX):
                continue
            seed = seeds.get(ref.source.removeprefix(SEED_PREFIX))
            where = root / "entries" / files[entry.id]
            if seed is None:
                raise located(where, f"'{ref.source}' is not described in sources.yaml", field=f"{entry.id}.references")
            if ref.as_of != seed.cited_as_of:
                raise located(
                    where,
                    f"'{ref.source}' is cited as of {seed.cited_as_of} (sources.yaml), not {ref.as_of}",
                    field=f"{entry.id}.references",
                )
    for claim in claims:
        if claim.seed not in seeds:
            raise located(root / "seed_claims", f"'{claim.seed}' is not described in sources.yaml", field="seed")


def _check_condition(matcher: Matcher | None, path: Path, field: str) -> None:
    if matcher is None:
        return
    from advisor.spec.derived import RuleFacts  # the spec schema: entries and rules match the same facts

    try:
        check_matcher(matcher, RuleFacts, None)
    except ValueError as exc:
        raise located(path, str(exc), field=field) from None


def _check_cites(cites: list[str], path: Path, field: str, entries: Mapping[str, KnowledgeEntry]) -> None:
    for cited in cites:
        if cited not in entries:
            raise located(path, f"cites unknown knowledge entry '{cited}'", field=field)


def _load_stack(
    path: Path, entries: Mapping[str, KnowledgeEntry], frameworks: Mapping[str, Framework]
) -> tuple[StackComponent, ...]:
    """Stack components (optional file); names, conditions and target kinds checked."""
    if not path.exists():
        return ()
    from advisor.spec.model import TargetKind

    kinds = {k.value for k in TargetKind}
    components = load_model(path, StackFile).components
    _index(components, path)
    for c in components:
        if c.framework not in frameworks:
            raise located(path, f"unknown framework '{c.framework}'", field=f"{c.id}.framework")
        wrong = [k for k in c.target_kinds if k not in kinds]
        if wrong:
            raise located(path, f"unknown target kind '{wrong[0]}'", field=f"{c.id}.target_kinds")
        _check_condition(c.applies_when, path, f"{c.id}.applies_when")
        _check_cites(c.cites, path, f"{c.id}.cites", entries)
    return tuple(components)


def _load_classic_advice(
    path: Path, entries: Mapping[str, KnowledgeEntry], frameworks: Mapping[str, Framework]
) -> tuple[ClassicAdvice, ...]:
    """The seeds' decision guide as data (optional file)."""
    if not path.exists():
        return ()
    advice = load_model(path, ClassicAdviceFile).advice
    _index(advice, path)
    for a in advice:
        if a.guide_says not in frameworks:
            raise located(path, f"unknown framework '{a.guide_says}'", field=f"{a.id}.guide_says")
        _check_condition(a.when, path, f"{a.id}.when")
        _check_cites(a.overturned_by, path, f"{a.id}.overturned_by", entries)
    return tuple(advice)


def _load_api_map(path: Path, entries: Mapping[str, KnowledgeEntry]) -> tuple[ApiMapping, ...]:
    """The migration map; optional, so a knowledge base without one still loads."""
    if not path.exists():
        return ()
    mappings = load_model(path, ApiMapFile).mappings
    seen: set[str] = set()
    for mapping in mappings:
        if mapping.id in seen:
            raise located(path, "duplicate id", field=mapping.id)
        seen.add(mapping.id)
        for cited in (*mapping.cites, *mapping.jax_cites):
            if cited not in entries:
                raise located(path, f"cites unknown knowledge entry '{cited}'", field=mapping.id)
        _check_condition(mapping.applies_when, path, f"{mapping.id}.applies_when")
    return tuple(mappings)


def _load_seed_claims(folder: Path, entries: Mapping[str, KnowledgeEntry]) -> list[SeedClaim]:
    claims: list[SeedClaim] = []
    for path in sorted(folder.glob("*.yaml")):
        for index, claim in enumerate(load_model(path, SeedClaimFile).claims):
            for entry_id in claim.entries:
                if entry_id not in entries:
                    raise located(path, f"names unknown entry '{entry_id}'", field=f"claims[{index}].entries")
            claims.append(claim)
    return claims


def _index(items: list, path: Path) -> dict:  # type: ignore[type-arg]
    out: dict = {}  # type: ignore[type-arg]
    for item in items:
        if item.id in out:
            raise located(path, "duplicate id", field=item.id)
        out[item.id] = item
    return out


def _check_entry(
    entry: KnowledgeEntry,
    path: Path,
    criteria: Mapping[str, Criterion],
    frameworks: Mapping[str, Framework],
) -> None:
    if entry.criterion not in criteria:
        raise located(
            path,
            f"unknown criterion '{entry.criterion}' (known: {', '.join(criteria)})",
            field=f"{entry.id}.criterion",
        )
    if entry.effects and criteria[entry.criterion].spec_dependent:
        raise located(
            path,
            f"'{entry.criterion}' is rated from the spec by rules; entries on it carry no effects",
            field=f"{entry.id}.effects",
        )
    for framework in entry.effects:
        if framework not in frameworks:
            raise located(path, f"unknown framework '{framework}'", field=f"{entry.id}.effects")
    _check_condition(entry.applies_when, path, f"{entry.id}.applies_when")


def _check_capability(
    capability: Capability,
    path: Path,
    frameworks: Mapping[str, Framework],
    entries: Mapping[str, KnowledgeEntry],
) -> None:
    missing = [f for f in frameworks if f not in capability.support]
    if missing:
        raise located(path, f"support missing for {', '.join(missing)}", field=capability.id)
    for cited in capability.cites:
        if cited not in entries:
            raise DataError(f"cites unknown knowledge entry '{cited}'", path=str(path), field=capability.id)
