"""The measurement loop shared by every framework (probe-method.md): same clock, same sync points.

Per cell (workload x mode) within its slice of the budget: a cold first step timed alone (tracing or
compilation), a time-boxed warm-up, individually timed training steps, an energy window of at least
one second where NVML reports energy, batch-1 latency calls and large-batch throughput. Every clock
read is preceded by ``backend.sync()``.

Budget keeping: the budget is wall-clock time as the parent sees it, the framework import included.
Each cell gets an equal share of what is left (less :data:`EXIT_RESERVE_S` for writing the result and
the interpreter's start and exit, which the child's clock cannot see), so a cell that ran long shortens the
ones after it. Within a cell the phases share what is left of its slice in proportion to their
weights, recomputed before each phase, so a slow first step or an untimed warm-up comes out of the
phases still to run instead of adding to the cell. The inference warm-ups trace or compile a new
input shape; in compiled mode that can cost as much as the first step, so that much is set aside
before the timed phases start, and after the batch-1 warm-up its measured cost is set aside for the
large-batch one. Only the minimum sample counts and a single step that cannot be interrupted (a long
compilation) can still run past a slice.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from advisor.evidence.protocol import OWN_MODEL, CellResult, Mode, ProbeRequest
from advisor.evidence.stats import settled, summarize
from advisor.probing.child import nvml
from advisor.probing.child.backend import Backend, Cell
from advisor.probing.child.own_model import OwnModel
from advisor.probing.child.workloads import WORKLOADS

COMPILE_SHARE = 0.7  # a first step (compile) longer than this share of the cell's slice stops the cell
WARMUP_SHARE, TRAIN_SHARE, B1_SHARE, LARGE_SHARE = 0.1, 0.35, 0.2, 0.15  # weights of the timed phases
MIN_TRAIN, MAX_TRAIN, MIN_B1, MAX_B1, MIN_LARGE = 5, 300, 10, 200, 3
ENERGY_WINDOW_S = 1.0
SETTLE_WINDOW_S = 0.5  # a phase that settles still samples this long: a shorter window is at the mercy of drift
EXIT_RESERVE_S = 3.0  # result, flush and interpreter exit after the last cell, plus the start before the
# child's clock: 2.1 s (PyTorch) and 2.8 s (TensorFlow) between the parent's and the child's clock on a
# loaded 2-core CPU; at most EXIT_RESERVE_SHARE of a budget, so that short test budgets still measure
EXIT_RESERVE_SHARE = 0.1

Emit = Callable[[str, dict[str, Any]], None]


class FaultInjected(Exception):
    """Raised by the test hook ADVISOR_PROBE_FAULT=raise:<workload>."""


class Syncs(Protocol):
    """What the clock needs of a backend: a way to wait for the device (a probe's or a scaling worker's)."""

    def sync(self) -> None: ...


def timed(backend: Syncs, step: Callable[[], Any]) -> float:
    """Seconds ``step`` takes, the device synchronised before and after."""
    backend.sync()
    start = time.perf_counter()
    step()
    backend.sync()
    return time.perf_counter() - start


class _OutOfBudget(Exception):
    """The child's whole budget ran out inside a cell, before a phase had its minimum samples."""

    def __init__(self, phase: str, got: int, minimum: int) -> None:
        super().__init__(
            f"the time budget ran out during the {phase} ({got} of {minimum} samples); the cell was stopped"
        )


def _repeat(
    backend: Backend,
    step: Callable[[], None],
    seconds: float,
    minimum: int,
    maximum: int,
    hard_deadline: float = math.inf,
    phase: str = "measurement",
    settle: bool = False,
) -> list[float]:
    """Timed calls of ``step``: at least ``minimum``, then until ``seconds`` have passed (``maximum`` at
    most) or, with ``settle``, until the median is known well enough (:func:`settled`, after at least
    :data:`SETTLE_WINDOW_S`). Past
    ``hard_deadline`` (the end of the child's budget) a phase short of its minimum stops."""
    samples: list[float] = []
    started = time.perf_counter()
    until = started + seconds
    while (
        len(samples) < maximum
        and (len(samples) < minimum or time.perf_counter() < until)
        and not (settle and time.perf_counter() - started >= SETTLE_WINDOW_S and settled(samples))
    ):
        if time.perf_counter() > hard_deadline:
            raise _OutOfBudget(phase, len(samples), minimum)
        samples.append(timed(backend, step))
    return samples


class _Slice:
    """One cell's time: the rest of its slice, handed to the phases still to run in proportion to their
    weights (a soft limit: the minimum sample counts may run past it), and the end of the child's whole
    budget (a hard limit: past it, a phase without its minimum samples stops the cell)."""

    def __init__(self, seconds: float, hard_deadline: float | None) -> None:
        self.deadline = time.perf_counter() + seconds
        self.hard_deadline = math.inf if hard_deadline is None else hard_deadline
        self.set_aside = 0.0  # expected cost of untimed warm-ups still to come

    def share(self, weight: float, weights_left: float) -> float:
        """Seconds for a phase of ``weight`` when ``weights_left`` (its own included) remain to run."""
        left = self.deadline - time.perf_counter() - self.set_aside
        return max(0.0, left) * weight / weights_left


def _energy(
    backend: Backend, step: Callable[[], None], gpu: nvml.Gpu | None, batch: int
) -> tuple[float | None, float | None]:
    """Joules per training sample over a window of at least ENERGY_WINDOW_S, where NVML supports it."""
    if gpu is None:
        return None, None
    backend.sync()
    start_mj, start = gpu.energy_mj(), time.perf_counter()
    if start_mj is None:
        return None, None
    steps = 0
    while time.perf_counter() - start < ENERGY_WINDOW_S or steps < 3:
        step()
        steps += 1
    backend.sync()
    end_mj, window = gpu.energy_mj(), time.perf_counter() - start
    if end_mj is None or end_mj <= start_mj:
        return None, window
    return (end_mj - start_mj) / 1000.0 / (steps * batch), window


def measure_cell(
    backend: Backend,
    request: ProbeRequest,
    name: str,
    mode: Mode,
    slice_s: float,
    gpu: nvml.Gpu | None,
    fault: str,
    hard_deadline: float | None = None,
) -> CellResult:
    """Measure one cell; errors, out-of-memory and a budget run out come back as a status, never as an
    exception. ``hard_deadline`` (a ``time.perf_counter()`` time) is when the child's budget ends."""
    workload = WORKLOADS[name]
    return measure(
        backend,
        lambda: backend.build(workload, mode),
        name,
        mode,
        (workload.batch_size, workload.large_batch_size),
        slice_s,
        gpu,
        fault,
        hard_deadline,
    )


def measure(
    backend: Backend,
    build: Callable[[], Cell],
    name: str,
    mode: Mode,
    batches: tuple[int, int],
    slice_s: float,
    gpu: nvml.Gpu | None,
    fault: str,
    hard_deadline: float | None = None,
) -> CellResult:
    """Measure the cell ``build`` makes (a synthetic workload, or the team's own model, ``name`` "model")
    at ``batches`` (training batch, large inference batch). A cell whose ``train_step`` is None (an
    inference-only artifact) skips the training phases; its cold first step is then the first batch-1 call."""
    started = time.perf_counter()
    clock = _Slice(slice_s, hard_deadline)
    batch_size, large_batch_size = batches
    base: dict[str, Any] = {
        "workload": name,
        "mode": mode,
        "batch_size": batch_size,
        "large_batch_size": large_batch_size,
    }
    try:
        if fault == f"oom:{name}":
            raise MemoryError("injected out-of-memory (ADVISOR_PROBE_FAULT)")
        if fault == f"raise:{name}":
            raise FaultInjected("injected failure (ADVISOR_PROBE_FAULT)")
        cell = build()
        base["params"] = cell.params
        backend.reset_peak_memory()
        train_step = getattr(cell, "train_step", None)  # None: an inference-only model
        first = timed(backend, train_step if train_step is not None else cell.infer_b1)
        base["first_step_s"] = first
        if first > COMPILE_SHARE * slice_s:
            return CellResult(
                **base,
                status="budget_exceeded",
                wall_s=time.perf_counter() - started,
                message=f"first step (tracing/compilation) took {first:.1f} s, over this "
                f"cell's limit of {COMPILE_SHARE * slice_s:.1f} s",
            )
        train: list[float] = []
        energy, window = None, None
        if train_step is not None:
            clock.set_aside = 2 * first if mode == "compiled" else 0.0  # two new shapes to compile
            shares = WARMUP_SHARE + TRAIN_SHARE + B1_SHARE + LARGE_SHARE
            _repeat(
                backend,
                train_step,
                clock.share(WARMUP_SHARE, shares),
                2,
                MAX_TRAIN,
                clock.hard_deadline,
                "warm-up",
            )
            train = _repeat(
                backend,
                train_step,
                clock.share(TRAIN_SHARE, shares - WARMUP_SHARE),
                MIN_TRAIN,
                MAX_TRAIN,
                clock.hard_deadline,
                "training steps",
                settle=True,
            )
            energy, window = _energy(backend, train_step, gpu, batch_size)
        else:
            clock.set_aside = first if mode == "compiled" else 0.0  # one new shape to compile
        started_b1 = time.perf_counter()  # warm-up: traces or compiles the batch-1 shape
        _repeat(backend, cell.infer_b1, 0.0, 2, 2, clock.hard_deadline, "batch-1 warm-up")
        clock.set_aside = time.perf_counter() - started_b1 if mode == "compiled" else 0.0  # one more new shape
        b1 = _repeat(
            backend,
            cell.infer_b1,
            clock.share(B1_SHARE, B1_SHARE + LARGE_SHARE),
            MIN_B1,
            MAX_B1,
            clock.hard_deadline,
            "batch-1 latency",
            settle=True,
        )
        clock.set_aside = 0.0
        _repeat(backend, cell.infer_large, 0.0, 1, 1, clock.hard_deadline, "large-batch warm-up")
        large = _repeat(
            backend,
            cell.infer_large,
            clock.share(LARGE_SHARE, LARGE_SHARE),
            MIN_LARGE,
            MAX_TRAIN,
            clock.hard_deadline,
            "large-batch throughput",
            settle=True,
        )
        peak, source = backend.peak_memory()
        train_stats, large_stats = (summarize(train) if train else None), summarize(large)
        return CellResult(
            **base,
            status="ok",
            train_step=train_stats,
            train_step_samples=train,
            train_samples_per_s=batch_size / train_stats.median if train_stats else None,
            infer_b1=summarize(b1),
            infer_b1_samples=b1,
            infer_throughput_samples_per_s=large_batch_size / large_stats.median,
            peak_memory_bytes=peak,
            memory_source=source,
            nvml_process_memory_bytes=gpu.process_memory() if gpu else None,
            energy_j_per_sample=energy,
            energy_window_s=window,
            wall_s=time.perf_counter() - started,
        )
    except _OutOfBudget as stopped:
        return CellResult(**base, status="budget_exceeded", message=str(stopped), wall_s=time.perf_counter() - started)
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        status = "oom" if isinstance(error, MemoryError) or backend.is_oom(error) else "error"
        return CellResult(
            **base,
            status=status,
            message=f"{type(error).__name__}: {error}"[:2000],
            wall_s=time.perf_counter() - started,
        )


def run_cells(
    backend: Backend,
    request: ProbeRequest,
    child_started: float,
    fault: str,
    emit: Emit,
    resolved_device: str | None = None,
    own: OwnModel | None = None,
) -> list[CellResult]:
    """Every requested cell in order, each given an equal share of what is left of the budget; the
    own model's cells (``own``, workload "model") come first.

    ``resolved_device`` is the device the backend chose (``auto`` resolved): it decides where NVML
    reads energy and memory, so an ``auto`` run on a GPU is measured like an explicit ``cuda:0``.
    """
    plan: list[tuple[str, Mode]] = [(OWN_MODEL, m) for m in request.modes] if own is not None else []
    plan += [(w, m) for w in request.workloads for m in request.modes]
    index = nvml.gpu_index(resolved_device or request.device)
    gpu = nvml.open_gpu(index) if index is not None else None
    results: list[CellResult] = []
    hard_deadline = child_started + request.budget_s - min(EXIT_RESERVE_S, EXIT_RESERVE_SHARE * request.budget_s)
    for position, (name, mode) in enumerate(plan):
        remaining = hard_deadline - time.perf_counter()
        if remaining <= 0:
            results += [
                CellResult(workload=w, mode=m, status="not_run", message="time budget exhausted")
                for w, m in plan[position:]
            ]
            break
        emit("start", {"workload": name, "mode": mode})
        slice_s = remaining / (len(plan) - position)
        if name == OWN_MODEL and own is not None:
            build = functools.partial(own.build, mode)
            result = measure(backend, build, name, mode, own.batches, slice_s, gpu, fault, hard_deadline)
        else:
            result = measure_cell(backend, request, name, mode, slice_s, gpu, fault, hard_deadline)
        results.append(result)
        emit("cell", result.model_dump(mode="json"))
        if fault in ("crash", "hang") and position == 0:
            _fault_after_first_cell(fault)
    return results


def _fault_after_first_cell(fault: str) -> None:
    """Test hook: die or hang after one cell, so the parent must keep the partial result."""
    import os

    if fault == "crash":
        os.abort()
    while True:
        time.sleep(60)
