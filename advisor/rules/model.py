"""Schema of a rule file. Conditions are structured matchers over spec fields (:mod:`advisor.matching`),
never code.

A rule with ``per_framework: true`` is evaluated once per framework with ``{fw}`` replaced by the
framework id in field paths, values and effects (e.g. ``team.experience.{fw}``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from advisor._model import StrictModel
from advisor.knowledge.model import Identifier
from advisor.matching import Matcher


class WeightEffect(StrictModel):
    """Changes a criterion's (or a group's) weight: ``set`` (max of sets), then ``add``, then ``scale``."""

    criterion: Identifier | None = None
    group: Identifier | None = None
    set: Annotated[float, Field(ge=0, le=5)] | None = None
    add: Annotated[float, Field(ge=-5, le=5)] | None = None
    scale: Annotated[float, Field(ge=0, le=5)] | None = None

    @model_validator(mode="after")
    def _one_op(self) -> WeightEffect:
        if sum(v is not None for v in (self.set, self.add, self.scale)) != 1:
            raise ValueError("a weight effect needs exactly one of set, add, scale")
        if (self.criterion is None) == (self.group is None):
            raise ValueError("a weight effect names exactly one of criterion, group")
        return self

    @property
    def target(self) -> str:
        return self.criterion or self.group or ""


class RatingEffect(StrictModel):
    """Moves one framework's rating on a criterion for this spec (``framework`` may be ``{fw}``)."""

    criterion: Identifier
    framework: str
    delta: Annotated[float, Field(ge=-4, le=4)]
    sd: Annotated[float, Field(gt=0, le=2)] | None = Field(
        None, description="Widens the rating's spread to at least this (for what the spec leaves unknown)."
    )


class Effect(StrictModel):
    """Exactly one of: weight change, rating change, required capability, note for the report."""

    weight: WeightEffect | None = None
    rating: RatingEffect | None = None
    require: Identifier | None = Field(None, description="A capability id the spec now requires.")
    note: Annotated[str, Field(min_length=10)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Effect:
        if sum(v is not None for v in (self.weight, self.rating, self.require, self.note)) != 1:
            raise ValueError("an effect needs exactly one of weight, rating, require, note")
        return self


class RuleCase(StrictModel):
    """A partial spec (merged over a minimal valid one) on which the rule must or must not fire."""

    name: Identifier
    spec: dict[str, Any]
    fires_for: list[str] | None = Field(
        None, description="For per-framework rules: exactly the frameworks it must fire for."
    )


class RuleCases(StrictModel):
    fires: Annotated[list[RuleCase], Field(min_length=1)]
    does_not_fire: Annotated[list[RuleCase], Field(min_length=1)]


class Rule(StrictModel):
    """One documented trade-off, as data: when it applies, what it changes, what backs it."""

    id: Identifier
    summary: Annotated[str, Field(min_length=10, max_length=200)]
    why: Annotated[str, Field(min_length=10)]
    when: Matcher
    per_framework: bool = False
    effects: Annotated[list[Effect], Field(min_length=1)]
    cites: Annotated[list[Identifier], Field(min_length=1)]
    cases: RuleCases
