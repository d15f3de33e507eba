"""The measurement loop shared by every framework (probe-method.md): same clock, same sync points.

Per cell (workload x mode) within its slice of the budget: a cold first step timed alone (tracing or
compilation), a time-boxed warm-up, individually timed training steps, an energy window of at least
one second where NVML reports energy, batch-1 latency calls and large-batch throughput. Every clock
read is preceded by ``backend.sync()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from profilers import nvml
from profilers.backend import Backend, Cell
from profilers.protocol import CellResult, Mode, ProbeRequest
from profilers.stats import summarize
from profilers.workloads import WORKLOADS

COMPILE_SHARE = 0.7  # a first step (compile) longer than this share of the cell's slice stops the cell
WARMUP_SHARE, TRAIN_SHARE, B1_SHARE, LARGE_SHARE = 0.1, 0.35, 0.2, 0.15
MIN_TRAIN, MAX_TRAIN, MAX_B1, MIN_LARGE = 5, 300, 200, 3
ENERGY_WINDOW_S = 1.0

Emit = Callable[[str, dict[str, Any]], None]


class FaultInjected(Exception):
    """Raised by the test hook ADVISOR_PROBE_FAULT=raise:<workload>."""


def _timed(backend: Backend, step: Callable[[], None]) -> float:
    backend.sync()
    start = time.perf_counter()
    step()
    backend.sync()
    return time.perf_counter() - start


def _repeat(backend: Backend, step: Callable[[], None], seconds: float, minimum: int, maximum: int) -> list[float]:
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(samples) < maximum and (len(samples) < minimum or time.perf_counter() < deadline):
        samples.append(_timed(backend, step))
    return samples


def _energy(backend: Backend, cell: Cell, gpu: nvml.Gpu | None, batch: int) -> tuple[float | None, float | None]:
    """Joules per training sample over a window of at least ENERGY_WINDOW_S, where NVML supports it."""
    if gpu is None:
        return None, None
    backend.sync()
    start_mj, start = gpu.energy_mj(), time.perf_counter()
    if start_mj is None:
        return None, None
    steps = 0
    while time.perf_counter() - start < ENERGY_WINDOW_S or steps < 3:
        cell.train_step()
        steps += 1
    backend.sync()
    end_mj, window = gpu.energy_mj(), time.perf_counter() - start
    if end_mj is None or end_mj <= start_mj:
        return None, window
    return (end_mj - start_mj) / 1000.0 / (steps * batch), window


def measure_cell(
    backend: Backend, request: ProbeRequest, name: str, mode: Mode, slice_s: float, gpu: nvml.Gpu | None, fault: str
) -> CellResult:
    """Measure one cell; errors and out-of-memory come back as a status, never as an exception."""
    workload = WORKLOADS[name]
    started = time.perf_counter()
    base: dict[str, Any] = {
        "workload": name,
        "mode": mode,
        "batch_size": workload.batch_size,
        "large_batch_size": workload.large_batch_size,
    }
    try:
        if fault == f"oom:{name}":
            raise MemoryError("injected out-of-memory (ADVISOR_PROBE_FAULT)")
        if fault == f"raise:{name}":
            raise FaultInjected("injected failure (ADVISOR_PROBE_FAULT)")
        cell = backend.build(workload, mode)
        base["params"] = cell.params
        backend.reset_peak_memory()
        first = _timed(backend, cell.train_step)
        base["first_step_s"] = first
        if first > COMPILE_SHARE * slice_s:
            return CellResult(
                **base,
                status="budget_exceeded",
                wall_s=time.perf_counter() - started,
                message=f"first step (tracing/compilation) took {first:.1f} s, over this "
                f"cell's limit of {COMPILE_SHARE * slice_s:.1f} s",
            )
        _repeat(backend, cell.train_step, WARMUP_SHARE * slice_s, 2, MAX_TRAIN)
        train = _repeat(backend, cell.train_step, TRAIN_SHARE * slice_s, MIN_TRAIN, MAX_TRAIN)
        energy, window = _energy(backend, cell, gpu, workload.batch_size)
        _repeat(backend, cell.infer_b1, 0.0, 2, 2)  # warm-up (compiles the batch-1 shape)
        b1 = _repeat(backend, cell.infer_b1, B1_SHARE * slice_s, 10, MAX_B1)
        _repeat(backend, cell.infer_large, 0.0, 1, 1)
        large = _repeat(backend, cell.infer_large, LARGE_SHARE * slice_s, MIN_LARGE, MAX_TRAIN)
        peak, source = backend.peak_memory()
        train_stats, large_stats = summarize(train), summarize(large)
        return CellResult(
            **base,
            status="ok",
            train_step=train_stats,
            train_step_samples=train,
            train_samples_per_s=workload.batch_size / train_stats.median,
            infer_b1=summarize(b1),
            infer_b1_samples=b1,
            infer_throughput_samples_per_s=workload.large_batch_size / large_stats.median,
            peak_memory_bytes=peak,
            memory_source=source,
            nvml_process_memory_bytes=gpu.process_memory() if gpu else None,
            energy_j_per_sample=energy,
            energy_window_s=window,
            wall_s=time.perf_counter() - started,
        )
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
) -> list[CellResult]:
    """Every requested cell in order, each given an equal share of what is left of the budget.

    ``resolved_device`` is the device the backend chose (``auto`` resolved): it decides where NVML
    reads energy and memory, so an ``auto`` run on a GPU is measured like an explicit ``cuda:0``.
    """
    plan = [(w, m) for w in request.workloads for m in request.modes]
    index = nvml.gpu_index(resolved_device or request.device)
    gpu = nvml.open_gpu(index) if index is not None else None
    results: list[CellResult] = []
    for position, (name, mode) in enumerate(plan):
        remaining = request.budget_s - (time.perf_counter() - child_started)
        if remaining <= 0:
            results += [
                CellResult(workload=w, mode=m, status="not_run", message="time budget exhausted")
                for w, m in plan[position:]
            ]
            break
        emit("start", {"workload": name, "mode": mode})
        result = measure_cell(backend, request, name, mode, remaining / (len(plan) - position), gpu, fault)
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
