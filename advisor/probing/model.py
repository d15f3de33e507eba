"""The saved probe run (``advisor probe --output results.json``): results of every framework plus the
comparisons between them. Versioned like the report; ``advisor schema --probe`` prints it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from profilers.protocol import DeployTarget, Mode, Precision, ProbeResult, WorkloadName

PROBE_RUN_SCHEMA_VERSION = "1.0"

Metric = Literal["train_step_time", "infer_b1_latency"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProbeSettings(_Frozen):
    """What the user asked for (each child records what it actually applied in its settings)."""

    frameworks: list[str]
    workloads: list[WorkloadName]
    modes: list[Mode]
    device: str
    precision: Precision
    threads: int
    budget: str
    budget_s_per_framework: float
    rounds: int
    order: list[str]
    deploy: list[DeployTarget] = []


class Comparison(_Frozen):
    """PyTorch time over TensorFlow time for one metric, with its bootstrapped 95 % interval."""

    workload: WorkloadName
    mode: Mode
    metric: Metric
    ratio: float  # pytorch / tensorflow; below 1 means PyTorch is faster
    low: float
    high: float
    winner: str | None  # None: the interval includes 1, "no measurable difference"
    verdict: str


class ProbeRun(_Frozen):
    schema_version: str = PROBE_RUN_SCHEMA_VERSION
    settings: ProbeSettings
    results: list[ProbeResult]
    comparisons: list[Comparison]
    wall_s: float
