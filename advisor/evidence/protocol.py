"""The probe protocol: the JSON request a framework child reads and the one JSON result it writes.

Shared by the parent (which never imports a framework) and the children (each imports its own), with
the events a child streams on stderr (:data:`EVENT_PREFIX`) so the parent keeps what a crashed child finished.
Bump ``PROTOCOL_VERSION`` when a field changes meaning; ``advisor`` refuses results of another version.

The same models validate saved runs a user hands back (``--evidence``), so every number is checked
where it enters: no float may be NaN or infinite (a NaN ratio once scored as the largest advantage),
times are positive, and every quantity has an upper bound far above anything a machine measures, so
the report's unit conversions (seconds to ms, bytes to MB) can never overflow or divide by zero.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

PROTOCOL_VERSION = "1.0"
KNOWN_PROTOCOL_VERSIONS = frozenset({PROTOCOL_VERSION})
# A child streams events on stderr, one a line: this prefix, then a JSON object with an "event" key.
EVENT_PREFIX = "@@probe "

MAX_SECONDS = 1e6  # 11.6 days: the longest budget is an hour per framework and round
MAX_BYTES = 2**50  # 1 PiB: above any process's memory or any model file
MAX_COUNT = 10**13  # parameters, batch sizes, sample counts, CPUs: ten trillion
MAX_RATE = 1e15  # samples per second
MAX_JOULES = 1e6  # per sample: a quarter of a kilowatt-hour
MAX_SETTING_INT = 2**63 - 1  # a setting is a flag, a size or a count: a 64-bit integer holds all of them

FrameworkName = Literal["pytorch", "tensorflow", "jax"]
# The KERAS_BACKEND a Keras 3 model runs on in each framework's child (the parent sets it, the child checks it).
KERAS_BACKENDS: dict[str, str] = {"tensorflow": "tensorflow", "pytorch": "torch", "jax": "jax"}
# What a child runs in: a framework, or onnxruntime (an ``.onnx`` model measured as a baseline, never a candidate).
Runtime = Literal["pytorch", "tensorflow", "jax", "onnxruntime"]
SyntheticWorkload = Literal["mlp", "cnn", "transformer", "lstm"]
OWN_MODEL: Literal["model"] = "model"  # the workload name of the team's own model (ProbeRequest.model)
WorkloadName = Literal["mlp", "cnn", "transformer", "lstm", "model"]
ModelKind = Literal["torch_factory", "keras_factory", "pt2", "keras_file", "saved_model", "onnx"]
Precision = Literal["fp32", "tf32", "bf16", "fp16"]
Mode = Literal["eager", "compiled"]
CellStatus = Literal["ok", "error", "oom", "budget_exceeded", "skipped", "not_run"]
ProbeStatus = Literal["ok", "partial", "error", "crashed", "timeout", "missing"]
DeployTarget = Literal["server", "onnx", "mobile", "microcontroller", "browser"]
DeployStatus = Literal["ok", "failed", "parity_failed", "not_checked"]


def _none_if_not_finite(value: Any) -> Any:
    """A parity error of NaN or infinity (the converted model's outputs were NaN) means "no usable
    error", which is what the wire already carries: pydantic writes non-finite floats as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _bounded_setting(value: Any) -> Any:
    """Settings are free-form, but their numbers are shown in every report: finite and 64-bit."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a setting must be a finite number")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SETTING_INT:
        raise ValueError("a setting must be an integer that fits in 64 bits")
    return value


def _known_protocol(value: str) -> str:
    """A result of another protocol version may mean other things by the same field: refuse it."""
    if value not in KNOWN_PROTOCOL_VERSIONS:
        raise ValueError(f"unknown protocol version; this advisor reads {PROTOCOL_VERSION} (re-run advisor probe)")
    return value


ProtocolVersion = Annotated[str, AfterValidator(_known_protocol)]
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
PositiveSeconds = Annotated[float, Field(gt=0, le=MAX_SECONDS)]
Bytes = Annotated[int, Field(ge=0, le=MAX_BYTES)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Field(ge=1, le=MAX_COUNT)]
Rate = Annotated[float, Field(ge=0, le=MAX_RATE)]
ParityError = Annotated[Annotated[float, Field(ge=0)] | None, BeforeValidator(_none_if_not_finite)]
SettingValue = Annotated[str | int | float | bool | None, BeforeValidator(_bounded_setting)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ModelSource(_Model):
    """The team's own model, as the child loads it (the advisor process never imports it).

    ``kind`` says how: a factory function (``path`` a ``.py`` file, or ``module`` a dotted module name
    found on ``search_path``) returning a PyTorch or Keras 3 model and its example inputs, or a saved
    artifact at ``path``. ``dynamic_dims`` are the axes of every input that may change size (axis 0,
    the batch axis, unless the user or the factory says otherwise): the server and ONNX exports mark
    them dynamic and check parity at a second size too.
    """

    ref: str = Field(max_length=4096, description="The reference as the user wrote it (for messages)")
    kind: ModelKind
    path: str | None = Field(None, max_length=4096, description="Absolute path of the file or SavedModel folder")
    module: str | None = Field(None, max_length=1024, description="Dotted module name of a package factory")
    function: str | None = Field(None, max_length=256, description="The factory function's name")
    search_path: list[str] = Field(
        default_factory=list, description="Folders appended to sys.path after the framework import"
    )
    dynamic_dims: list[Annotated[int, Field(ge=0, le=31)]] | None = Field(
        None, description="Axes that may change size; None: the factory's, else axis 0 (the batch)"
    )


class ProbeRequest(_Model):
    """What one framework child must measure."""

    protocol_version: ProtocolVersion = PROTOCOL_VERSION
    framework: Runtime
    workloads: list[SyntheticWorkload]
    modes: list[Mode] = Field(default_factory=lambda: list[Mode](["eager", "compiled"]))
    device: str = Field("auto", description="auto, cpu or cuda:N")
    precision: Precision = "fp32"
    threads: int = Field(ge=1, le=MAX_COUNT, description="CPU threads, the same for every framework")
    budget_s: float = Field(gt=0, le=MAX_SECONDS, description="Wall-clock budget for the measurements")
    seed: int = 0
    deploy: list[DeployTarget] = Field(default_factory=list, description="Deployment routes to check after measuring")
    deploy_budget_s: float = Field(
        120.0, gt=0, le=MAX_SECONDS, description="Extra wall-clock allowance for the deployment checks"
    )
    model: ModelSource | None = Field(
        None, description="The team's own model: measured (workload 'model') and put through the deploy checks"
    )

    def allowance_s(self) -> float:
        """Wall-clock seconds the child may take: its budget, plus the deployment checks' allowance when it
        has checks (the parent's time-out and both sides' ``over_budget`` are measured against it)."""
        return self.budget_s + (self.deploy_budget_s if self.deploy else 0.0)


class Stats(_Model):
    """Summary of repeated timings (seconds)."""

    median: PositiveSeconds
    p95: PositiveSeconds
    iqr: Seconds
    n: PositiveCount
    mean: PositiveSeconds
    spread_flag: bool = Field(description="IQR/median above 10 %: noisy, treat with care")


class CellResult(_Model):
    """One workload in one mode."""

    workload: WorkloadName
    mode: Mode
    status: CellStatus
    message: str = ""
    params: Count | None = None
    batch_size: PositiveCount | None = None
    large_batch_size: PositiveCount | None = None
    first_step_s: Seconds | None = Field(None, description="Cold first training step: tracing/compilation")
    train_step: Stats | None = None
    train_samples_per_s: Rate | None = None
    train_step_samples: list[PositiveSeconds] = Field(default_factory=list, description="Raw step times (s)")
    infer_b1: Stats | None = None
    infer_b1_samples: list[PositiveSeconds] = Field(default_factory=list)
    infer_throughput_samples_per_s: Rate | None = None
    peak_memory_bytes: Bytes | None = None
    memory_source: str | None = None
    nvml_process_memory_bytes: Bytes | None = None
    energy_j_per_sample: Annotated[float, Field(ge=0, le=MAX_JOULES)] | None = None
    energy_window_s: Seconds | None = None
    wall_s: Seconds = 0.0


class DeployCheck(_Model):
    """One real conversion of a probe model to a deployment format, loaded back and compared."""

    target: DeployTarget
    workload: WorkloadName
    route: str = Field(
        description="The conversion route actually used, e.g. 'Keras model.export(format=\"onnx\") -> onnxruntime'"
    )
    status: DeployStatus
    message: str = ""
    max_abs_error: ParityError = None
    max_rel_error: ParityError = None
    tolerance: str | None = Field(None, description="The parity criterion applied")
    artifact_bytes: Bytes | None = None
    convert_s: Seconds | None = None


class Environment(_Model):
    os: str
    python: str
    framework_version: str
    device: str
    device_name: str
    gpu_visible: bool
    gpu_present: bool = Field(description="NVML sees an NVIDIA GPU (whether or not the framework does)")
    driver_version: str | None = None
    cuda_driver_version: str | None = None
    cpu_count: Count


class ProbeResult(_Model):
    """Everything one framework child reports (or what the parent could recover when it failed)."""

    protocol_version: ProtocolVersion = PROTOCOL_VERSION
    framework: Runtime
    status: ProbeStatus
    message: str = ""
    model_error: str | None = Field(
        None,
        max_length=4000,
        description="The own model could not be loaded or is not a model: one line naming the file, the "
        "function and what was expected",
    )
    traceback: str | None = None
    environment: Environment | None = None
    settings: dict[str, SettingValue] = Field(
        default_factory=dict, description="Every setting that could tilt a comparison"
    )
    cells: list[CellResult] = Field(default_factory=list)
    deploy_checks: list[DeployCheck] = Field(default_factory=list)
    wall_s: Seconds = 0.0
    budget_s: Seconds = 0.0
    over_budget: bool = False
