"""The scaling probe's evidence: what a worker launched by a framework's own distributed launcher reports,
and the saved scaling section of a probe run (``advisor probe --scale N``).

One launch is one world: 1 worker (the single-process reference) or N workers on one or several nodes.
Each worker writes a :class:`WorkerReport`; the parent joins the reports of the 1-worker and the N-worker
launch into :class:`ScaleRow` (step time at 1 and N workers, weak-scaling efficiency, exposed
communication, memory per worker, start-up and compile time, and the numerics check against the
single-process run) and :class:`BandwidthRow` (all-reduce bus bandwidth in the framework's own
collective). Numbers are bounded and finite as in :mod:`.protocol`: a saved section comes back from
the user's disk.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.evidence.protocol import (
    MAX_BYTES,
    MAX_COUNT,
    MAX_SECONDS,
    Bytes,
    Count,
    Environment,
    FrameworkName,
    PositiveCount,
    PositiveSeconds,
    Seconds,
    SettingValue,
    Stats,
)
from advisor.evidence.stats import Outcome

SCALE_PROTOCOL_VERSION: Literal["scale-1.0"] = "scale-1.0"
ScaleWorkload = Literal["transformer", "cnn"]
# data_parallel: every worker holds the whole model and gradients are all-reduced (DDP, the Mirrored
# strategies, a batch-sharded jit); sharded: parameters are sharded across workers (FSDP2, JAX's fully
# sharded parameters). TensorFlow has none for Keras training here: MultiWorkerMirroredStrategy keeps every
# variable whole on every worker, and Keras 3 shards variables (keras.distribution) only on JAX.
StrategyKind = Literal["data_parallel", "sharded"]
RowStatus = Literal["ok", "error", "numerics_failed", "budget_exceeded", "not_run"]
WorkerStatus = Literal["ok", "error", "crashed", "timeout", "missing"]
ScaleMetric = Literal["scale_efficiency", "allreduce_time"]
Gbps = Annotated[float, Field(ge=0, le=1e6)]  # gigabytes per second
Loss = Annotated[float, Field(ge=-1e12, le=1e12)]
MAX_WORKERS = 4096


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ScaleRequest(_Model):
    """What every worker of one launch runs (the same request for each rank)."""

    protocol_version: Literal["scale-1.0"] = SCALE_PROTOCOL_VERSION
    framework: FrameworkName
    workloads: list[ScaleWorkload]
    strategies: list[StrategyKind] = Field(default_factory=lambda: list[StrategyKind](["data_parallel", "sharded"]))
    workers: int = Field(ge=1, le=MAX_WORKERS, description="World size of this launch (all nodes)")
    reference_workers: int = Field(
        ge=1, le=MAX_WORKERS, description="The N whose global batch the numerics reference is computed for"
    )
    device: Literal["cpu", "cuda"] = "cpu"
    threads_per_worker: int = Field(ge=1, le=MAX_COUNT)
    steps: int = Field(20, ge=3, le=10_000, description="Timed steps per workload and strategy")
    warmup: int = Field(3, ge=1, le=1000)
    check_steps: int = Field(3, ge=1, le=100, description="Steps whose losses are checked against the reference")
    message_bytes: list[Annotated[int, Field(ge=4, le=MAX_BYTES)]] = Field(
        default_factory=lambda: [1 << 16, 1 << 20, 1 << 24]
    )
    collective_repeats: int = Field(10, ge=3, le=10_000)
    seed: int = 0
    budget_s: float = Field(
        gt=0, le=MAX_SECONDS, description="The parent's measurement allowance for this launch (it stops the launch)"
    )
    out_dir: str = Field(max_length=4096, description="Each rank writes rank<global rank>.json here")


class Numerics(_Model):
    """The distributed run's losses over the first steps against the single-process run's on the same
    global batch and the same initial weights; a scaling figure from a wrong computation is an error."""

    reference: list[Loss]
    measured: list[Loss]
    max_rel_diff: Annotated[float, Field(ge=0, le=1e12)]
    tolerance: Annotated[float, Field(gt=0, le=1)]
    ok: bool


class WorkerCell(_Model):
    """One workload under one strategy, as one worker measured it."""

    workload: ScaleWorkload
    strategy: StrategyKind
    implementation: str = Field("", max_length=200, description="The framework API used, in words")
    status: RowStatus
    message: str = Field("", max_length=4000)
    per_worker_batch: PositiveCount
    first_step_s: Seconds | None = Field(None, description="First step: tracing, compilation, collective set-up")
    step_samples: list[PositiveSeconds] = Field(default_factory=list)
    step: Stats | None = None
    losses: list[Loss] = Field(default_factory=list, description="Global mean loss of the checked steps")
    reference_losses: list[Loss] = Field(
        default_factory=list, description="1-worker launch only: the reference losses at the N-worker global batch"
    )
    peak_memory_bytes: Bytes | None = None
    memory_source: str | None = None


class CollectiveCell(_Model):
    """All-reduce of one message size (float32 sum) in the framework's own collective."""

    size_bytes: Annotated[int, Field(ge=4, le=MAX_BYTES)]
    samples: list[PositiveSeconds]
    time: Stats


class WorkerReport(_Model):
    """Everything one worker reports (rank 0's timings stand for the launch; every rank its memory)."""

    protocol_version: Literal["scale-1.0"] = SCALE_PROTOCOL_VERSION
    framework: FrameworkName
    rank: Count
    workers: PositiveCount
    status: WorkerStatus
    message: str = Field("", max_length=4000)
    traceback: str | None = Field(None, max_length=20_000)
    environment: Environment | None = None
    settings: dict[str, SettingValue] = Field(default_factory=dict)
    startup_s: Seconds | None = Field(None, description="Launch to the collectives being ready")
    cells: list[WorkerCell] = Field(default_factory=list)
    collectives: list[CollectiveCell] = Field(default_factory=list)
    wall_s: Seconds = 0.0


class ScaleRow(_Model):
    """One framework, workload and strategy at 1 and N workers (weak scaling: the same per-worker batch)."""

    framework: FrameworkName
    workload: ScaleWorkload
    strategy: StrategyKind
    implementation: str = Field("", max_length=200)
    workers: PositiveCount
    per_worker_batch: PositiveCount
    status: RowStatus
    message: str = Field("", max_length=4000)
    single: Stats | None = None
    single_samples: list[PositiveSeconds] = Field(default_factory=list)
    scaled: Stats | None = None
    scaled_samples: list[PositiveSeconds] = Field(default_factory=list)
    efficiency: Annotated[float, Field(gt=0, le=1e6)] | None = Field(
        None, description="Weak scaling: median step at 1 worker over median step at N (1.0 is linear)"
    )
    exposed_comm_s: Seconds | None = Field(None, description="Step time at N less at 1: communication not hidden")
    first_step_single_s: Seconds | None = None
    first_step_scaled_s: Seconds | None = None
    memory_single_bytes: Bytes | None = None
    memory_scaled_bytes: Bytes | None = Field(None, description="The largest of the N workers' peaks")
    memory_source: str | None = None
    numerics: Numerics | None = None


class BandwidthRow(_Model):
    framework: FrameworkName
    workers: PositiveCount
    size_bytes: Annotated[int, Field(ge=4, le=MAX_BYTES)]
    time: Stats
    samples: list[PositiveSeconds]
    algbw_gbps: Gbps
    busbw_gbps: Gbps = Field(description="algbw x 2(n-1)/n, as nccl-tests define all-reduce bus bandwidth")


class ScaleFramework(_Model):
    """How one framework's launches went."""

    framework: FrameworkName
    status: WorkerStatus
    message: str = Field("", max_length=4000)
    launcher: str = Field("", max_length=2000, description="The N-worker launch command (this node's)")
    startup_single_s: Seconds | None = None
    startup_scaled_s: Seconds | None = None
    environment: Environment | None = None
    settings: dict[str, SettingValue] = Field(default_factory=dict)
    wall_s: Seconds = 0.0


class ScaleComparison(_Model):
    """Framework ``a`` against ``b`` on a scaling metric, by the verdict rule of :mod:`.stats`:
    ``scale_efficiency`` compares each side's N-worker step times divided by its own median 1-worker step
    (the scaling overhead; lower is better), ``allreduce_time`` the largest message's all-reduce times."""

    a: FrameworkName
    b: FrameworkName
    metric: ScaleMetric
    workload: ScaleWorkload | None = None
    strategy: StrategyKind | None = None
    size_bytes: Annotated[int, Field(ge=4, le=MAX_BYTES)] | None = None
    ratio: Annotated[float, Field(gt=0, le=1e6)]
    low: Annotated[float, Field(gt=0, le=1e6)]
    high: Annotated[float, Field(gt=0, le=1e6)]
    outcome: Outcome
    winner: FrameworkName | None
    verdict: str = Field(max_length=1000)


class ScaleSettings(_Model):
    workers: int = Field(ge=2, le=MAX_WORKERS, description="Workers of the scaled launch, all nodes together")
    nodes: int = Field(1, ge=1, le=MAX_WORKERS)
    node_rank: int = Field(0, ge=0, le=MAX_WORKERS)
    device: Literal["cpu", "cuda"]
    threads_per_worker: int = Field(ge=1, le=MAX_COUNT)
    workloads: list[ScaleWorkload]
    strategies: list[StrategyKind]
    steps: int = Field(ge=3, le=10_000)
    check_steps: int = Field(ge=1, le=100)
    budget_s_per_framework: float = Field(gt=0, le=MAX_SECONDS)


class ScaleSection(_Model):
    """The scaling probe's part of a saved run: this node's view (node 0 holds the timings)."""

    settings: ScaleSettings
    frameworks: list[ScaleFramework]
    rows: list[ScaleRow]
    bandwidth: list[BandwidthRow]
    comparisons: list[ScaleComparison] = Field(default_factory=list)
    ran_on_gpu: bool = False
    nodes_seen: list[Annotated[int, Field(ge=0, le=MAX_WORKERS)]] = Field(
        default_factory=lambda: [0], description="The node ranks whose files were merged into this section"
    )
