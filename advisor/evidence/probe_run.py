"""The saved probe run (``advisor probe --output results.json``): results of every framework plus the
comparisons between them. Versioned like the report; ``advisor schema --probe`` prints it.

A saved run comes back from the user's disk (``--evidence``), so the model is also its validation:
ratios are finite and positive with an interval that holds together, a winner named exactly when the
comparison counted (and on the side of 1 its interval is on), each framework's ``over_budget`` equal
to ``wall_s > budget_s``, and the schema version is one this advisor knows. The numbers of each
framework's result are checked by the probe protocol's own models.

Schema 1.4 adds the scaling probe (``scale``: each framework at 1 and N workers on its own launcher,
:mod:`advisor.evidence.scale`); a run of ``advisor probe --scale`` alone has no single-device results.
Schema 1.3 adds the team's own model (``settings.model``, what was probed, and ``model``, its results
and the comparisons across the frameworks it ran in); 1.1 and 1.2 runs have neither and read as before.

Schema 1.1 added the comparison's ``outcome`` (the verdict rule of ``advisor.evidence.stats``); a 1.0 run's
winners were named by a bootstrap that took correlated timings as independent and had no noise gate,
so it is refused with a request to re-run rather than scored as if it had passed the checks. Schema
1.2 names the pair each comparison is between (``a`` and ``b``, ratio = a / b), so a run can compare
three frameworks; a 1.1 run compared only PyTorch (a) with TensorFlow (b) and reads as that.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from advisor.evidence.protocol import (
    MAX_COUNT,
    MAX_SECONDS,
    DeployTarget,
    FrameworkName,
    Mode,
    ModelSource,
    Precision,
    ProbeResult,
    Runtime,
    SyntheticWorkload,
    WorkloadName,
)
from advisor.evidence.scale import ScaleSection
from advisor.evidence.stats import Outcome

PROBE_RUN_SCHEMA_VERSION = "1.4"
KNOWN_SCHEMA_VERSIONS = frozenset({"1.1", "1.2", "1.3", PROBE_RUN_SCHEMA_VERSION})
RETIRED_SCHEMA_VERSIONS = frozenset({"1.0"})  # readable once, but their verdicts skipped today's checks
DEPLOY_BUDGET_S = 120.0  # per framework, on top of the measurement budget, when deployment checks are asked for
MAX_RATIO = 1e6  # a millionfold gap between two frameworks on one workload is a broken file, not a measurement

DISPLAY_NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "jax": "JAX"}  # how probe text names frameworks
Metric = Literal["train_step_time", "infer_b1_latency"]
Ratio = Annotated[float, Field(ge=1 / MAX_RATIO, le=MAX_RATIO)]


def _known_schema(value: str) -> str:
    """A newer run may mean other things by the same fields, an older one decided its verdicts by a
    weaker rule: refuse both rather than guess."""
    if value in RETIRED_SCHEMA_VERSIONS:
        raise ValueError(
            f"schema {value} was saved before comparisons had to pass the noise checks; "
            f"this advisor reads {PROBE_RUN_SCHEMA_VERSION} (re-run advisor probe)"
        )
    if value not in KNOWN_SCHEMA_VERSIONS:
        raise ValueError(
            f"unknown schema version; this advisor reads {PROBE_RUN_SCHEMA_VERSION} (re-run advisor probe)"
        )
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ModelSettings(_Frozen):
    """The team's own model as asked for: the reference, what it was taken for, and which runtimes
    (one child each, in this order) load it; a Keras 3 model runs on every Keras backend."""

    source: ModelSource
    described: str = Field(max_length=200, description="What the model is, in words (PyTorch model (factory), ...)")
    runtimes: list[Runtime]
    budget_s: float = Field(gt=0, le=MAX_SECONDS, description="Measurement budget per child and round")
    why: str = Field("", max_length=400, description="How its framework was decided (a factory's imports)")


class ProbeSettings(_Frozen):
    """What the user asked for (each child records what it actually applied in its settings)."""

    frameworks: list[str]
    workloads: list[SyntheticWorkload]
    modes: list[Mode]
    device: str
    precision: Precision
    threads: int = Field(ge=1, le=MAX_COUNT)
    budget: str
    budget_s_per_framework: float = Field(gt=0, le=MAX_SECONDS)
    deploy_budget_s_per_framework: float = Field(
        DEPLOY_BUDGET_S,
        gt=0,
        le=MAX_SECONDS,
        description="Allowance for the deployment checks on top of the budget, where deploy names targets",
    )
    rounds: int = Field(ge=1, le=MAX_COUNT)
    order: list[str]
    deploy: list[DeployTarget] = []
    model: ModelSettings | None = None


class Comparison(_Frozen):
    """Framework ``a``'s time over framework ``b``'s for one metric: the ratio of medians, its
    block-bootstrapped 95 % interval, and the outcome of the verdict rule
    (:func:`advisor.evidence.stats.compare_timings`). One per pair of frameworks, workload, mode and metric."""

    a: FrameworkName = "pytorch"  # the defaults are the only pair a schema 1.1 run compared
    b: FrameworkName = "tensorflow"
    workload: WorkloadName
    mode: Mode
    metric: Metric
    ratio: Ratio  # a / b; below 1 means a is faster
    low: Ratio
    high: Ratio
    outcome: Outcome  # only "counted" names a winner and moves ratings
    winner: FrameworkName | None  # the measurably faster of a and b, when the outcome is counted
    verdict: str

    @field_validator("b")
    @classmethod
    def _two_frameworks(cls, b: str, info: ValidationInfo) -> str:
        if b == info.data.get("a"):
            raise ValueError(f"compares {b} with itself")
        return b

    @field_validator("high")
    @classmethod
    def _interval_in_order(cls, high: float, info: ValidationInfo) -> float:
        low = info.data.get("low")
        if low is not None and high < low:
            raise ValueError(f"the interval's high end is below its low end ({low:g})")
        return high

    @field_validator("winner")
    @classmethod
    def _winner_agrees(cls, winner: str | None, info: ValidationInfo) -> str | None:
        """A winner exactly when the comparison counted, on the side of 1 its interval lies (4-digit
        rounding keeps the edges); "no_difference" means the interval includes 1."""
        low, high, outcome = info.data.get("low"), info.data.get("high"), info.data.get("outcome")
        if outcome is None:
            return winner  # the outcome itself is already reported
        if outcome != "counted":
            if winner is not None:
                raise ValueError(f"names a winner, but an outcome of {outcome} has no winner (only counted has)")
            if outcome == "no_difference" and low is not None and high is not None and not low <= 1 <= high:
                raise ValueError(f"the interval {low:g}-{high:g} excludes 1, which is no 'no_difference'")
            return winner
        if low is None or high is None:
            return winner  # the interval itself is already reported
        allowed: set[str | None] = set()
        allowed |= {info.data.get("a")} if high <= 1 else set()
        allowed |= {info.data.get("b")} if low >= 1 else set()
        if winner not in allowed:
            named = sorted(w for w in allowed if w is not None)
            says = f"names {' or '.join(named)}" if named else "includes 1: nothing to count"
            raise ValueError(f"disagrees with the interval {low:g}-{high:g}, which {says}")
        return winner

    def usable(self) -> bool:
        """Finite, positive numbers: defence in depth for comparisons built without validation."""
        numbers = (self.ratio, self.low, self.high)
        return all(isinstance(v, float | int) and math.isfinite(v) and v > 0 for v in numbers)


def _over_budget_is_wall_over_budget(result: ProbeResult) -> ProbeResult:
    """A run once said ``wall_s 97.4, budget_s 90, over_budget false``: the flag must be that comparison."""
    if result.over_budget != (result.wall_s > result.budget_s):
        where = "above" if result.wall_s > result.budget_s else "within"
        raise ValueError(
            f"over_budget is {str(result.over_budget).lower()} but wall_s {result.wall_s:g} is {where} "
            f"budget_s {result.budget_s:g}"
        )
    return result


Checked = Annotated[ProbeResult, AfterValidator(_over_budget_is_wall_over_budget)]


class ModelRun(_Frozen):
    """The own model's children (one per runtime and round, workload ``model``) and the comparisons
    between the frameworks it ran in (a Keras 3 model on each backend); a PyTorch model runs in one
    framework, so it has none."""

    results: list[Checked]
    comparisons: list[Comparison] = []


class ProbeRun(_Frozen):
    schema_version: Annotated[str, AfterValidator(_known_schema)] = PROBE_RUN_SCHEMA_VERSION
    settings: ProbeSettings
    results: list[Checked]
    comparisons: list[Comparison]
    wall_s: float = Field(ge=0, le=MAX_SECONDS)
    model: ModelRun | None = None
    scale: ScaleSection | None = None
