"""The migration plan every report format shows (and ``advisor migrate`` prints on its own)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

StrategyId = Literal["full_rewrite", "incremental", "convert_and_freeze", "keras3_backend"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Strategy(_Frozen):
    id: StrategyId
    name: str
    summary: str
    applicable: bool
    why: str  # why it fits, or why not, for this spec
    effort_factor: float
    cites: tuple[str, ...]


class Phase(_Frozen):
    name: str
    goal: str
    exit_criteria: tuple[str, ...]


class MapRow(_Frozen):
    """One API/tool in the migration's direction: from the source framework's name to the target's."""

    id: str
    area: str
    source: str
    target: str
    equivalence: Literal["direct", "partial", "none"]
    note: str
    references: tuple[str, ...]  # "url (as of date)"
    cites: tuple[str, ...]


class EffortTerm(_Frozen):
    name: str
    quantity: float
    person_weeks_each: float
    person_weeks: float


class Effort(_Frozen):
    """A range, with the formula and every number in it shown, so a reviewer can challenge it."""

    low: float
    point: float
    high: float
    calendar_weeks: float
    formula: str
    terms: tuple[EffortTerm, ...]
    factors: tuple[tuple[str, float, str], ...]  # (name, value, why)
    assumptions: tuple[str, ...]


class Risk(_Frozen):
    risk: str
    mitigation: str


class MigrationPlan(_Frozen):
    needed: bool
    source: str | None  # framework family of the existing code; None without code
    target: str
    reason: str
    strategies: tuple[Strategy, ...] = ()
    recommended: StrategyId | None = None
    recommendation_why: str = ""
    phases: tuple[Phase, ...] = ()
    api_map: tuple[MapRow, ...] = ()
    unmapped: tuple[str, ...] = ()  # ids of map rows with no counterpart recorded for this pair of frameworks
    effort: Effort | None = None
    risks: tuple[Risk, ...] = ()
    verification: tuple[str, ...] = ()
    staying_costs: tuple[str, ...] = ()  # what not moving costs (when no migration is needed)
    cites: tuple[str, ...] = ()

    @property
    def recommended_strategy(self) -> Strategy | None:
        """The strategy the plan recommends (None when no migration is needed)."""
        return next((s for s in self.strategies if s.id == self.recommended), None)
