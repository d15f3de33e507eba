"""The saved probe run (``advisor probe --output results.json``): results of every framework plus the
comparisons between them. Versioned like the report; ``advisor schema --probe`` prints it.

A saved run comes back from the user's disk (``--evidence``), so the model is also its validation:
ratios are finite and positive with an interval that holds together and a winner that agrees with
it, and the schema version is one this advisor knows. The numbers of each framework's result are
checked by the probe protocol's own models.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from profilers.protocol import MAX_COUNT, MAX_SECONDS, DeployTarget, Mode, Precision, ProbeResult, WorkloadName

PROBE_RUN_SCHEMA_VERSION = "1.0"
KNOWN_SCHEMA_VERSIONS = frozenset({PROBE_RUN_SCHEMA_VERSION})
MAX_RATIO = 1e6  # a millionfold gap between two frameworks on one workload is a broken file, not a measurement

Metric = Literal["train_step_time", "infer_b1_latency"]
Ratio = Annotated[float, Field(ge=1 / MAX_RATIO, le=MAX_RATIO)]


def _known_schema(value: str) -> str:
    """A newer run may mean other things by the same fields: refuse it rather than guess."""
    if value not in KNOWN_SCHEMA_VERSIONS:
        raise ValueError(
            f"unknown schema version; this advisor reads {PROBE_RUN_SCHEMA_VERSION} (re-run advisor probe)"
        )
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ProbeSettings(_Frozen):
    """What the user asked for (each child records what it actually applied in its settings)."""

    frameworks: list[str]
    workloads: list[WorkloadName]
    modes: list[Mode]
    device: str
    precision: Precision
    threads: int = Field(ge=1, le=MAX_COUNT)
    budget: str
    budget_s_per_framework: float = Field(gt=0, le=MAX_SECONDS)
    rounds: int = Field(ge=1, le=MAX_COUNT)
    order: list[str]
    deploy: list[DeployTarget] = []


class Comparison(_Frozen):
    """PyTorch time over TensorFlow time for one metric, with its bootstrapped 95 % interval."""

    workload: WorkloadName
    mode: Mode
    metric: Metric
    ratio: Ratio  # pytorch / tensorflow; below 1 means PyTorch is faster
    low: Ratio
    high: Ratio
    winner: Literal["pytorch", "tensorflow"] | None  # None: the interval includes 1, "no measurable difference"
    verdict: str

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
        """The probe names a winner exactly when the interval excludes 1 (4-digit rounding keeps the edges)."""
        low, high = info.data.get("low"), info.data.get("high")
        if low is None or high is None:
            return winner  # the interval itself is already reported
        allowed: set[str | None] = {None} if low <= 1 <= high else set()
        allowed |= {"pytorch"} if high <= 1 else set()
        allowed |= {"tensorflow"} if low >= 1 else set()
        if winner not in allowed:
            named = sorted(w for w in allowed if w is not None)
            says = "includes 1: no winner" if None in allowed else f"names {' or '.join(named)}"
            raise ValueError(f"disagrees with the interval {low:g}-{high:g}, which {says}")
        return winner

    def usable(self) -> bool:
        """Finite, positive numbers: defence in depth for comparisons built without validation."""
        numbers = (self.ratio, self.low, self.high)
        return all(isinstance(v, float | int) and math.isfinite(v) and v > 0 for v in numbers)


class ProbeRun(_Frozen):
    schema_version: Annotated[str, AfterValidator(_known_schema)] = PROBE_RUN_SCHEMA_VERSION
    settings: ProbeSettings
    results: list[ProbeResult]
    comparisons: list[Comparison]
    wall_s: float = Field(ge=0, le=MAX_SECONDS)
