"""What every scaling worker runs, whatever its framework: read the request, let the framework join its
world (its own launcher and collectives), measure each workload and strategy and the all-reduce sizes,
and write this rank's report.

A framework implements :class:`ScaleBackend` in ``<framework>/scale.py`` and calls :func:`main`. The
clock, the warm-up, the checked steps and the statistics are here, so every framework is timed the
same way: the first step alone (tracing, compilation, collective set-up), ``check_steps`` steps whose
global mean losses are compared with the single-process run's, warm-up, then ``steps`` timed steps, each
ended by the backend's ``sync`` (a device synchronisation; the collectives of a data-parallel step
already hold every worker to the slowest). A failure becomes a report with status ``error`` and its
traceback, never a missing file, unless the process is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from advisor.evidence.protocol import Environment
from advisor.evidence.scale import (
    CollectiveCell,
    ScaleRequest,
    ScaleWorkload,
    StrategyKind,
    WorkerCell,
    WorkerReport,
)
from advisor.evidence.stats import summarize
from advisor.probing.child.measure import timed

# What the parent sets for every worker (torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR itself;
# TensorFlow's workers also get TF_CONFIG, JAX's the coordinator's address):
T0_ENV = "ADVISOR_SCALE_T0"  # the parent's time.time() when it started the launch: start-up is measured from it
RANK_ENV = "ADVISOR_SCALE_RANK"  # this worker's global rank (JAX, TensorFlow)
WORLD_ENV = "ADVISOR_SCALE_WORLD"  # the number of workers, all nodes together (JAX, TensorFlow)
LOCAL_RANK_ENV = "ADVISOR_SCALE_LOCAL_RANK"  # this worker's index on its node (JAX, TensorFlow)
COORDINATOR_ENV = "ADVISOR_SCALE_COORDINATOR"  # host:port of JAX's coordinator (jax.distributed.initialize)


class Trainer(Protocol):
    """One workload under one strategy, built and placed on this worker's share of the data."""

    implementation: str
    per_worker_batch: int

    def step(self, index: int) -> Any:
        """One training step on global batch ``index`` (this worker's slice); returns the local loss."""

    def global_mean(self, loss: Any) -> float:
        """The mean of every worker's loss (a collective); called on checked steps only."""


class ScaleBackend(Protocol):
    """A framework's side of the scaling probe."""

    rank: int
    workers: int

    def environment(self) -> Environment: ...

    def settings(self) -> dict[str, Any]: ...

    def supports(self, strategy: StrategyKind) -> str | None:
        """None when the strategy runs here, else why not (said in the report)."""

    def trainer(self, workload: ScaleWorkload, strategy: StrategyKind) -> Trainer: ...

    def reference_losses(
        self, workload: ScaleWorkload, strategy: StrategyKind, workers: int, steps: int
    ) -> list[float]:
        """The single-process losses of the first ``steps`` steps at ``workers`` times the batch, from the
        same initial weights and data: what an N-worker run must reproduce."""

    def all_reduce(self, size_bytes: int) -> Callable[[], None]:
        """A callable that all-reduces (sums) ``size_bytes`` of float32 and waits for it."""

    def sync(self) -> None: ...

    def peak_memory(self) -> tuple[int | None, str]: ...

    def close(self) -> None: ...


def measure_cell(
    backend: ScaleBackend, request: ScaleRequest, workload: ScaleWorkload, strategy: StrategyKind
) -> WorkerCell:
    """First step, checked steps, warm-up and exactly ``request.steps`` timed steps of one workload under
    one strategy. Every worker runs the same steps: a worker that stopped on its own clock would leave the
    others waiting in a collective, so the time limit is the parent's, which stops the launch as a whole
    (the cells finished by then are kept, each written as it ends)."""
    why_not = backend.supports(strategy)
    if why_not:
        return WorkerCell(workload=workload, strategy=strategy, status="not_run", message=why_not, per_worker_batch=1)
    trainer = backend.trainer(workload, strategy)
    base: dict[str, Any] = {"workload": workload, "strategy": strategy, "implementation": trainer.implementation}
    base["per_worker_batch"] = trainer.per_worker_batch
    losses: list[float] = []
    first = timed(backend, lambda: losses.append(trainer.global_mean(trainer.step(0))))
    for index in range(1, request.check_steps):
        losses.append(trainer.global_mean(trainer.step(index)))
    for index in range(request.warmup):
        trainer.step(request.check_steps + index)
    backend.sync()
    samples: list[float] = []
    first_timed = request.check_steps + request.warmup
    for index in range(first_timed, first_timed + request.steps):
        samples.append(timed(backend, partial(trainer.step, index)))
    memory, source = backend.peak_memory()
    reference = (
        backend.reference_losses(workload, strategy, request.reference_workers, request.check_steps)
        if request.workers == 1
        else []
    )
    return WorkerCell(
        **base,
        status="ok",
        first_step_s=first,
        step_samples=samples,
        step=summarize(samples) if samples else None,
        losses=losses,
        reference_losses=reference,
        peak_memory_bytes=memory,
        memory_source=source,
    )


def measure_collective(backend: ScaleBackend, request: ScaleRequest, size_bytes: int) -> CollectiveCell:
    run = backend.all_reduce(size_bytes)
    run()  # the first call sets up the communicator and buffers
    samples = [timed(backend, run) for _ in range(request.collective_repeats)]
    return CollectiveCell(size_bytes=size_bytes, samples=samples, time=summarize(samples))


def write_report(request: ScaleRequest, report: WorkerReport) -> None:
    """This rank's report, written whole (a temporary file renamed) so the parent never reads half a file."""
    folder = Path(request.out_dir)
    target = folder / f"rank{report.rank}.json"
    partial = folder / f".rank{report.rank}.json.part"
    partial.write_text(report.model_dump_json(indent=1))
    os.replace(partial, target)


def run(request: ScaleRequest, make_backend: Callable[[ScaleRequest], ScaleBackend]) -> WorkerReport:
    """Join the world, measure every cell (this rank's report rewritten after each, so a launch stopped
    later keeps them), then the all-reduce sizes."""
    started = time.perf_counter()
    launched = float(os.environ.get(T0_ENV, time.time()))
    rank = int(os.environ.get("RANK", os.environ.get(RANK_ENV, "0")))
    base: dict[str, Any] = {"framework": request.framework, "rank": rank, "workers": request.workers}
    try:
        backend = make_backend(request)
    except Exception as error:  # whatever the framework raised becomes the report
        return WorkerReport(**base, status="error", message=_one_line(error), traceback=traceback.format_exc())
    base["rank"] = backend.rank
    base["startup_s"] = max(0.0, time.time() - launched)
    base["environment"] = backend.environment()
    base["settings"] = backend.settings()
    cells: list[WorkerCell] = []
    collectives: list[CollectiveCell] = []

    def report(status: str = "ok", message: str = "", trace: str | None = None) -> WorkerReport:
        return WorkerReport(
            **base,
            status=status,  # type: ignore[arg-type]
            message=message,
            traceback=trace,
            cells=list(cells),
            collectives=list(collectives),
            wall_s=time.perf_counter() - started,
        )

    try:
        for workload in request.workloads:
            for strategy in request.strategies:
                cells.append(measure_cell(backend, request, workload, strategy))
                write_report(request, report())
        if request.workers > 1:
            collectives = [measure_collective(backend, request, size) for size in request.message_bytes]
    except Exception as error:
        return report("error", _one_line(error), traceback.format_exc())
    with contextlib.suppress(Exception):  # the measurements are in: a failed shutdown must not lose them
        backend.close()
    return report()


def _one_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip().splitlines()
    return text[0][:400] if text else type(error).__name__


def main(make_backend: Callable[[ScaleRequest], ScaleBackend]) -> None:
    """``python <bootstrap> <framework scale module> 0 PINS REQUEST.json``, one process per worker."""
    request = ScaleRequest.model_validate_json(Path(sys.argv[1]).read_text())
    report = run(request, make_backend)
    write_report(request, report)
    sys.stdout.write(json.dumps({"rank": report.rank, "status": report.status}) + "\n")
