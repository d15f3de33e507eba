"""Runs the probes (one child process per framework and round) and compares the frameworks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from advisor.probing.model import Comparison, Metric, ProbeRun, ProbeSettings
from profilers.launcher import run_probe
from profilers.protocol import ProbeRequest, ProbeResult
from profilers.stats import bootstrap_ratio

OnEvent = Callable[[str, str, dict[str, Any]], None]  # (framework, event, payload)
MIN_SAMPLES = 5
SAMPLES: dict[Metric, str] = {"train_step_time": "train_step_samples", "infer_b1_latency": "infer_b1_samples"}


def run_probes(settings: ProbeSettings, *, on_event: OnEvent | None = None, seed: int = 0) -> ProbeRun:
    """Run every framework in ``settings.order``; a failed child never stops the others."""
    started = time.perf_counter()
    results: list[ProbeResult] = []
    deployed: set[str] = set()  # deployment checks run once per framework, in its first round
    for framework in settings.order:
        request = ProbeRequest(
            framework=framework,  # type: ignore[arg-type]
            workloads=settings.workloads,
            modes=settings.modes,
            device=settings.device,
            precision=settings.precision,
            threads=settings.threads,
            budget_s=settings.budget_s_per_framework,
            seed=seed,
            deploy=settings.deploy if framework not in deployed else [],
        )
        if on_event is not None:
            on_event(framework, "launch", {"cells": len(settings.workloads) * len(settings.modes)})
        callback = (lambda kind, payload, fw=framework: on_event(fw, kind, payload)) if on_event else None
        result = run_probe(request, on_event=callback)
        deployed.add(framework)
        results.append(result)
        if on_event is not None:
            on_event(framework, "finished", {"status": result.status})
    return ProbeRun(
        settings=settings,
        results=results,
        comparisons=compare(results, seed=seed),
        wall_s=time.perf_counter() - started,
    )


def _samples(results: list[ProbeResult], framework: str, workload: str, mode: str, field: str) -> list[float]:
    """Samples of one cell, merged over rounds (only cells that completed)."""
    merged: list[float] = []
    for result in results:
        if result.framework != framework:
            continue
        for cell in result.cells:
            if cell.workload == workload and cell.mode == mode and cell.status == "ok":
                merged += getattr(cell, field)
    return merged


def compare(results: list[ProbeResult], *, seed: int = 0) -> list[Comparison]:
    """PyTorch vs TensorFlow per workload, mode and metric, where both sides have enough samples."""
    cells = sorted({(c.workload, c.mode) for r in results for c in r.cells})
    out: list[Comparison] = []
    for workload, mode in cells:
        for metric, field in SAMPLES.items():
            torch_samples = _samples(results, "pytorch", workload, mode, field)
            tf_samples = _samples(results, "tensorflow", workload, mode, field)
            if len(torch_samples) < MIN_SAMPLES or len(tf_samples) < MIN_SAMPLES:
                continue
            ci = bootstrap_ratio(torch_samples, tf_samples, seed=seed)
            winner = None if not ci.excludes_one else ("pytorch" if ci.ratio < 1 else "tensorflow")
            out.append(
                Comparison(
                    workload=workload,
                    mode=mode,
                    metric=metric,
                    ratio=round(ci.ratio, 4),
                    low=round(ci.low, 4),
                    high=round(ci.high, 4),
                    winner=winner,
                    verdict=_verdict(metric, ci.ratio, winner),
                )
            )
    return out


def _verdict(metric: Metric, ratio: float, winner: str | None) -> str:
    what = "training step" if metric == "train_step_time" else "batch-1 latency"
    if winner is None:
        return f"{what}: no measurable difference (95 % interval includes 1)"
    factor = 1 / ratio if winner == "pytorch" else ratio
    name = "PyTorch" if winner == "pytorch" else "TensorFlow"
    return f"{what}: {name} {factor:.2f}x faster"
