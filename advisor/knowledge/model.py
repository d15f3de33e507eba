"""Schema of the knowledge base (``knowledge_base/*.yaml``), defined once and exported as JSON Schema.

A rating the advisor shows is the sum of the ``effects`` of the entries on that criterion (see
:mod:`advisor.scoring.ratings`), so every number traces to entry ids, and every entry carries at least
one dated reference. Claims from the seed articles that no longer hold stay in the base as ``stale``
(with what replaced them) so a reviewer can see why an old argument was set aside.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from advisor._model import StrictModel
from advisor.matching import Matcher

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*[a-z0-9]$", max_length=80)]


class Status(str, Enum):
    """How far an entry can be trusted today."""

    current = "current"  # verified against current documentation
    contested = "contested"  # sources disagree or evidence is thin: counted at half weight
    stale = "stale"  # no longer true: kept for provenance, counted at zero


class ShelfLife(str, Enum):
    """How fast a kind of fact goes out of date, which sets when an entry is due for review."""

    release = "release"  # version numbers, release cadence: 6 months
    support = "support"  # maintenance, deprecations, platform and hardware support, services: 12 months
    ecosystem = "ecosystem"  # libraries, community and usage statistics, hiring: 12 months
    design = "design"  # lasting API and architecture properties: 24 months
    governance = "governance"  # foundations, licensing, ownership: 36 months


SHELF_MONTHS = {
    ShelfLife.release: 6,
    ShelfLife.support: 12,
    ShelfLife.ecosystem: 12,
    ShelfLife.design: 24,
    ShelfLife.governance: 36,
}
UNKNOWN_DATE: Literal["unknown"] = "unknown"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 29th-31st of a short month becomes its last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Support(str, Enum):
    """How well a framework provides a capability (only ``unsupported`` excludes)."""

    supported = "supported"
    limited = "limited"
    unsupported = "unsupported"


class Reference(StrictModel):
    """A source: a seed article (``seed:<file name>``) or a URL, with the date it was true as of."""

    source: Annotated[str, Field(min_length=3)]
    as_of: dt.date
    note: str | None = None

    @field_validator("source")
    @classmethod
    def _seed_or_url(cls, value: str) -> str:
        if not (value.startswith(("seed:", "https://", "http://"))):
            raise ValueError("source must be 'seed:<file name>' or an http(s) URL")
        return value


class CriterionGroup(StrictModel):
    """A branch of the value tree; its weight multiplies its criteria's weights (see docs/arithmetic.md)."""

    id: Identifier
    name: str
    description: str
    default_weight: Annotated[float, Field(ge=0, le=5)]
    reference_weight: Annotated[float, Field(gt=0, le=50)] | None = Field(
        None,
        description=(
            "The summed criterion weight at which the group counts once; its criteria's weights are read "
            "against it. Default: the sum of its criteria's default weights (declare it when that is 0)."
        ),
    )


class Criterion(StrictModel):
    """A dimension the frameworks are compared on."""

    id: Identifier
    group: Identifier
    name: str
    description: str
    default_weight: Annotated[float, Field(ge=0, le=5)]
    spec_dependent: bool = Field(False, description="Ratings come from the spec via rules (team fit, migration cost).")


class CriteriaFile(StrictModel):
    """``knowledge_base/criteria.yaml``: the groups and the criteria in them."""

    groups: Annotated[list[CriterionGroup], Field(min_length=1)]
    criteria: Annotated[list[Criterion], Field(min_length=1)]


class Framework(StrictModel):
    """A framework the advisor can recommend."""

    id: Identifier
    name: str
    description: str
    packages: list[str] = Field(default_factory=list)
    released: Reference | None = Field(
        None,
        description="Its first public release: the source and its date (as_of). A replay (--as-of) before it "
        "excludes the framework, which did not exist yet.",
    )


class Capability(StrictModel):
    """Something a spec can require outright; a framework that cannot do it is excluded."""

    id: Identifier
    name: str
    description: str
    support: dict[str, Support]
    cites: Annotated[list[Identifier], Field(min_length=1)]


class KnowledgeEntry(StrictModel):
    """One fact, in our own words, with its sources, and its effect on one criterion's ratings."""

    id: Identifier
    summary: Annotated[str, Field(min_length=10, max_length=200)]
    why: Annotated[str, Field(min_length=10)]
    criterion: Identifier
    applies_when: Matcher | None = Field(
        None,
        description=(
            "When the fact bears on a project (a matcher over spec fields, as in rules); an entry that does "
            "not apply contributes nothing. Absent: it applies to every project."
        ),
    )
    effects: dict[str, float] = Field(
        default_factory=dict,
        description="Per-framework contribution to the criterion rating, -2..+2 in steps of 0.5.",
    )
    alternatives: Identifier | None = Field(
        None,
        description=(
            "Entries naming the same set describe alternative ways of working in a framework (plain "
            "PyTorch, or Keras 3 on its torch backend); per framework only the strongest of them counts, "
            "so an option open to every framework never adds to one framework's own strength."
        ),
    )
    status: Status
    status_note: str | None = Field(
        None, description="Why the entry is stale or contested (required for those statuses)."
    )
    superseded_by: list[Identifier] = Field(default_factory=list)
    references: Annotated[list[Reference], Field(min_length=1)]
    reviewed: dt.date = Field(description="When we last checked the entry against its sources.")
    valid_from: dt.date | Literal["unknown"] = Field(
        description=(
            "When the fact became true (the release, announcement or deprecation it describes), or unknown "
            "when no source dates it; then its earliest dated source stands for it (known_since)."
        )
    )
    valid_from_note: str | None = Field(None, description="How valid_from was dated (or why it is unknown).")
    valid_until: dt.date | None = Field(
        None, description="When the fact stopped being true (a stale claim, a superseded fact), when known."
    )
    shelf_life: ShelfLife = Field(description="The kind of fact, which sets when it is due for review.")

    @property
    def known_since(self) -> dt.date:
        """When the fact is known to hold from: valid_from, or the earliest date its sources give."""
        if self.valid_from != UNKNOWN_DATE:
            return self.valid_from  # type: ignore[return-value]
        return min(ref.as_of for ref in self.references)

    @property
    def review_by(self) -> dt.date:
        """When the entry is due for another check against its sources."""
        return add_months(self.reviewed, SHELF_MONTHS[self.shelf_life])

    def valid_on(self, day: dt.date) -> bool:
        """Whether the fact held on ``day``: it had become true and had not stopped."""
        return self.known_since <= day and (self.valid_until is None or day < self.valid_until)

    def weight_on(self, day: dt.date | None) -> float:
        """How much the entry counts for a decision taken on ``day`` (None: today).

        A stale claim that was still true on ``day`` (its valid_until is later) counted in full then; a
        fact not yet true, or no longer true, counts nothing.
        """
        if day is None:
            return self.weight
        if not self.valid_on(day):
            return 0.0
        if self.status is Status.stale and self.valid_until is not None:
            return 1.0
        return self.weight

    @field_validator("effects")
    @classmethod
    def _half_steps(cls, value: dict[str, float]) -> dict[str, float]:
        for framework, effect in value.items():
            if not -2 <= effect <= 2 or (effect * 2) != int(effect * 2):
                raise ValueError(f"effect for {framework} must be -2..2 in steps of 0.5")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> KnowledgeEntry:
        if self.valid_until is not None and self.valid_from != UNKNOWN_DATE and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must come after valid_from")
        return self

    @model_validator(mode="after")
    def _status_explained(self) -> KnowledgeEntry:
        if self.status is not Status.current and not self.status_note:
            raise ValueError(f"a {self.status.value} entry needs a status_note saying why")
        if self.status is Status.stale and not self.superseded_by:
            raise ValueError("a stale entry needs superseded_by naming what replaced it")
        return self

    @property
    def weight(self) -> float:
        """How much the entry counts towards ratings: contested claims count half, stale ones not."""
        return {Status.current: 1.0, Status.contested: 0.5, Status.stale: 0.0}[self.status]


class EntryFile(StrictModel):
    """A topic file under ``knowledge_base/entries/``."""

    entries: list[KnowledgeEntry]


class Verdict(str, Enum):
    """What became of a claim made by a seed article."""

    used = "used"  # still holds; the entries state it
    stale = "stale"  # no longer holds; the entries record it as stale and what replaced it
    contested = "contested"  # sources disagree; recorded as contested


SEED_FILE = r"^\d{3}_[0-9a-f]{16}\.txt$"


class SeedSource(StrictModel):
    """A seed article, described so that its citations resolve without the article (never quoted)."""

    file: Annotated[str, Field(pattern=SEED_FILE)]
    title: Annotated[str, Field(min_length=3)]
    date: dt.date | None = Field(None, description="Publication date, when the text gives one.")
    date_note: str | None = Field(None, description="How old the text is, as far as its contents tell.")
    cited_as_of: dt.date = Field(description="The as_of every reference to this article uses.")
    covers: Annotated[str, Field(min_length=20, description="What the article covers, in our own words.")]

    @model_validator(mode="after")
    def _dated_or_explained(self) -> SeedSource:
        if self.date is None and not self.date_note:
            raise ValueError("an undated seed needs a date_note saying how old its text is")
        return self

    def describe(self) -> str:
        """One line for reports: title, age, and what kind of source it is."""
        when = self.date.isoformat() if self.date else "undated"
        return f'"{self.title}" ({when}; a secondary source of mixed quality)'


class SourcesFile(StrictModel):
    """``knowledge_base/sources.yaml``: the seed articles the knowledge base started from."""

    seeds: list[SeedSource]


class SeedClaim(StrictModel):
    """One claim of a seed article, paraphrased, and the entries that record it."""

    seed: Annotated[str, Field(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")]
    claim: Annotated[str, Field(min_length=10)]
    verdict: Verdict
    entries: Annotated[list[Identifier], Field(min_length=1)]


class SeedClaimFile(StrictModel):
    """A ledger file under ``knowledge_base/seed_claims/``: proves every seed claim was weighed."""

    claims: list[SeedClaim]


class Equivalence(str, Enum):
    """How closely one framework's tool maps onto the other's."""

    direct = "direct"  # same concept, mostly mechanical translation
    partial = "partial"  # exists, but semantics or coverage differ: plan work
    none = "none"  # no counterpart: replace with a third-party tool or redesign


class ApiMapping(StrictModel):
    """One row of the migration map: one API or tool in PyTorch, TensorFlow/Keras and (optionally) JAX.

    ``equivalence``, ``note``, ``references`` and ``cites`` describe the PyTorch/TensorFlow pair. The
    ``jax_*`` fields describe JAX's counterpart and how close it is to each of the other two: one
    ``jax_equivalence`` when the closeness is the same for both pairs, or ``{pytorch: ..., tensorflow: ...}``
    when it differs (``jax_note`` then says why). A plan between two frameworks shows their two columns
    with that pair's equivalence, note and sources (:meth:`pair`).
    """

    id: Identifier
    area: Annotated[str, Field(min_length=3)]
    pytorch: Annotated[str, Field(min_length=2)]
    tensorflow: Annotated[str, Field(min_length=2)]
    equivalence: Equivalence
    note: Annotated[str, Field(min_length=10, description="What differs and what to watch for, in our words.")]
    applies_when: Matcher | None = Field(
        None,
        description=(
            "Which projects the row is about (a matcher over the spec, as in rules): a plan shows it only when "
            "the spec has that technology. Omitted: every project (the row is about any model's code)."
        ),
    )
    cites: list[Identifier] = Field(default_factory=list, description="Knowledge entries behind the row.")
    references: Annotated[list[Reference], Field(min_length=1)]
    jax: Annotated[str, Field(min_length=2)] | None = Field(
        None, description="JAX's counterpart (JAX, Flax NNX, Optax, Orbax, Grain... or Keras 3 on the JAX backend)."
    )
    jax_equivalence: Equivalence | dict[str, Equivalence] | None = Field(
        None,
        description="How close JAX's counterpart is: one value for both pairs, or one per other framework.",
    )
    jax_note: Annotated[str, Field(min_length=10)] | None = Field(
        None, description="What differs between JAX and the other two, in our words."
    )
    jax_cites: list[Identifier] = Field(default_factory=list, description="Knowledge entries behind the JAX column.")
    jax_references: list[Reference] = Field(default_factory=list, description="Sources for the JAX column.")
    reviewed: dt.date

    @model_validator(mode="after")
    def _jax_column_complete(self) -> ApiMapping:
        given = {
            "jax": self.jax is not None,
            "jax_equivalence": self.jax_equivalence is not None,
            "jax_note": self.jax_note is not None,
            "jax_references": bool(self.jax_references),
        }
        if any(given.values()) and not all(given.values()):
            missing = ", ".join(name for name, present in given.items() if not present)
            raise ValueError(
                f"a JAX column needs jax, jax_equivalence, jax_note and jax_references (missing: {missing})"
            )
        if self.jax_cites and self.jax is None:
            raise ValueError("jax_cites needs a JAX column")
        closeness = self.jax_equivalence
        if isinstance(closeness, dict):
            if set(closeness) != {"pytorch", "tensorflow"}:
                raise ValueError("a per-pair jax_equivalence names both pytorch and tensorflow")
            if closeness["pytorch"] == closeness["tensorflow"]:
                raise ValueError("jax_equivalence is the same for both pairs: give the single value")
        return self

    def counterpart(self, framework: str) -> str | None:
        """The row's API or tool in ``framework`` (None: the row has no column for it)."""
        return {"pytorch": self.pytorch, "tensorflow": self.tensorflow, "jax": self.jax}.get(framework)

    def pair(self, a: str, b: str) -> tuple[Equivalence, str, tuple[Reference, ...], tuple[str, ...]] | None:
        """``(equivalence, note, references, cites)`` of the move between ``a`` and ``b`` (either order);
        None when the row has no column for one of them. A JAX pair lists the JAX sources first, then the
        row's own (which back the PyTorch and TensorFlow columns)."""
        if {a, b} == {"pytorch", "tensorflow"}:
            return self.equivalence, self.note, tuple(self.references), tuple(self.cites)
        other = b if a == "jax" else a
        if "jax" not in (a, b) or other not in ("pytorch", "tensorflow") or self.jax_note is None:
            return None
        closeness = self.jax_equivalence
        if isinstance(closeness, dict):
            closeness = closeness[other]
        assert closeness is not None  # the validator requires it with jax_note
        return (
            closeness,
            self.jax_note,
            (*self.jax_references, *self.references),
            tuple(dict.fromkeys((*self.jax_cites, *self.cites))),
        )


class ApiMapFile(StrictModel):
    """``knowledge_base/api_map.yaml``."""

    mappings: list[ApiMapping]


class StackRole(str, Enum):
    """What part of a team's stack a component fills."""

    high_level_api = "high_level_api"  # how models are written and trained (Lightning, Keras 3, plain PyTorch)
    deployment_route = "deployment_route"  # how a model reaches one deployment target kind
    serving = "serving"  # the serving software behind server targets
    domain_library = "domain_library"  # the library of the project's domain (TorchRec, PyG, diffusers, ...)


class StackComponent(StrictModel):
    """One building block a team would use with a framework, and when it is the right one.

    For each framework and role the report names the first component (lowest ``preference``) whose
    ``applies_when`` holds; deployment routes are chosen per target kind, domain libraries all match.
    """

    id: Identifier
    framework: Identifier
    role: StackRole
    name: Annotated[str, Field(min_length=2, max_length=80)]
    summary: Annotated[str, Field(min_length=10, max_length=240)]
    target_kinds: list[str] = Field(
        default_factory=list, description="For deployment routes: the target kinds (TargetKind values) it serves."
    )
    applies_when: Matcher | None = None
    preference: Annotated[int, Field(ge=0, le=100)] = 50
    cites: Annotated[list[Identifier], Field(min_length=1)]

    @model_validator(mode="after")
    def _routes_name_targets(self) -> StackComponent:
        if (self.role is StackRole.deployment_route) != bool(self.target_kinds):
            raise ValueError("target_kinds is required for deployment routes and only for them")
        return self


class StackFile(StrictModel):
    """``knowledge_base/stack.yaml``: the components a recommended stack is assembled from."""

    components: list[StackComponent]


class ClassicAdvice(StrictModel):
    """One line of the seeds' decision guide ("beginners: Keras"), as data, with what became of it.

    The report compares the pick with the guide's advice for the team's persona and, where they differ,
    names the dated entries that overturned it.
    """

    id: Identifier
    persona: Annotated[str, Field(min_length=3, max_length=80)]
    when: Matcher
    guide_says: Identifier = Field(description="The framework the classic guide recommends for this persona.")
    guide_text: Annotated[str, Field(min_length=10)] = Field(description="The guide's advice, in our words.")
    sources: Annotated[list[Annotated[str, Field(pattern=r"^seed:\d{3}_[0-9a-f]{16}\.txt$")]], Field(min_length=1)]
    now: Annotated[str, Field(min_length=10)] = Field(description="What current facts say, in our words.")
    overturned_by: list[Identifier] = Field(
        default_factory=list, description="Dated entries that changed the picture since the guide was written."
    )


class ClassicAdviceFile(StrictModel):
    """``knowledge_base/classic_advice.yaml``."""

    advice: list[ClassicAdvice]
