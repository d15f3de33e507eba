"""The probe protocol: the JSON request a framework child reads and the one JSON result it writes.

Shared by the parent (which never imports a framework) and the children (which import exactly one).
Bump ``PROTOCOL_VERSION`` when a field changes meaning; ``advisor`` refuses results of another version.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = "1.0"

FrameworkName = Literal["pytorch", "tensorflow"]
WorkloadName = Literal["mlp", "cnn", "transformer", "lstm"]
Precision = Literal["fp32", "tf32", "bf16", "fp16"]
Mode = Literal["eager", "compiled"]
CellStatus = Literal["ok", "error", "oom", "budget_exceeded", "skipped", "not_run"]
ProbeStatus = Literal["ok", "partial", "error", "crashed", "timeout", "missing"]
DeployTarget = Literal["server", "onnx", "mobile", "microcontroller", "browser"]
DeployStatus = Literal["ok", "failed", "parity_failed", "not_checked"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProbeRequest(_Model):
    """What one framework child must measure."""

    protocol_version: str = PROTOCOL_VERSION
    framework: FrameworkName
    workloads: list[WorkloadName]
    modes: list[Mode] = Field(default_factory=lambda: ["eager", "compiled"])
    device: str = Field("auto", description="auto, cpu or cuda:N")
    precision: Precision = "fp32"
    threads: int = Field(ge=1, description="CPU threads, the same for every framework")
    budget_s: float = Field(gt=0, description="Wall-clock budget for the measurements")
    seed: int = 0
    deploy: list[DeployTarget] = Field(default_factory=list, description="Deployment routes to check after measuring")
    deploy_budget_s: float = Field(120.0, gt=0, description="Extra wall-clock allowance for the deployment checks")


class Stats(_Model):
    """Summary of repeated timings (seconds) or other samples."""

    median: float
    p95: float
    iqr: float
    n: int
    mean: float
    spread_flag: bool = Field(description="IQR/median above 10 %: noisy, treat with care")


class CellResult(_Model):
    """One workload in one mode."""

    workload: WorkloadName
    mode: Mode
    status: CellStatus
    message: str = ""
    params: int | None = None
    batch_size: int | None = None
    large_batch_size: int | None = None
    first_step_s: float | None = Field(None, description="Cold first training step: tracing/compilation")
    train_step: Stats | None = None
    train_samples_per_s: float | None = None
    train_step_samples: list[float] = Field(default_factory=list, description="Raw step times (s)")
    infer_b1: Stats | None = None
    infer_b1_samples: list[float] = Field(default_factory=list)
    infer_throughput_samples_per_s: float | None = None
    peak_memory_bytes: int | None = None
    memory_source: str | None = None
    nvml_process_memory_bytes: int | None = None
    energy_j_per_sample: float | None = None
    energy_window_s: float | None = None
    wall_s: float = 0.0


class DeployCheck(_Model):
    """One real conversion of a probe model to a deployment format, loaded back and compared."""

    target: DeployTarget
    workload: WorkloadName
    route: str = Field(
        description="The conversion route actually used, e.g. 'Keras model.export(format=\"onnx\") -> onnxruntime'"
    )
    status: DeployStatus
    message: str = ""
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    tolerance: str | None = Field(None, description="The parity criterion applied")
    artifact_bytes: int | None = None
    convert_s: float | None = None


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
    cpu_count: int


class ProbeResult(_Model):
    """Everything one framework child reports (or what the parent could recover when it failed)."""

    protocol_version: str = PROTOCOL_VERSION
    framework: FrameworkName
    status: ProbeStatus
    message: str = ""
    traceback: str | None = None
    environment: Environment | None = None
    settings: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Every setting that could tilt a comparison"
    )
    cells: list[CellResult] = Field(default_factory=list)
    deploy_checks: list[DeployCheck] = Field(default_factory=list)
    wall_s: float = 0.0
    budget_s: float = 0.0
    over_budget: bool = False
