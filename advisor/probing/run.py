"""Runs the probes (one child process per framework and round) and compares the frameworks.

Each comparison goes through the verdict rule of :func:`profilers.stats.compare_timings`; its verdict
text says what the rule found, so a comparison that noise could have faked is shown as such.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from advisor.probing.model import Comparison, Metric, ProbeRun, ProbeSettings
from profilers.launcher import run_probe
from profilers.protocol import ProbeRequest, ProbeResult
from profilers.stats import SPREAD_LIMIT, Verdict, compare_timings

OnEvent = Callable[[str, str, dict[str, Any]], None]  # (framework, event, payload)
MIN_SAMPLES = 5
NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow"}
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
            deploy_budget_s=settings.deploy_budget_s_per_framework,
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


def _rounds(results: list[ProbeResult], framework: str, workload: str, mode: str, field: str) -> list[list[float]]:
    """Samples of one cell, one time-ordered series per round (only cells that completed)."""
    return [
        list(getattr(cell, field))
        for result in results
        if result.framework == framework
        for cell in result.cells
        if cell.workload == workload and cell.mode == mode and cell.status == "ok"
    ]


def compare(results: list[ProbeResult], *, seed: int = 0) -> list[Comparison]:
    """PyTorch vs TensorFlow per workload, mode and metric, where both sides have enough samples."""
    cells = sorted({(c.workload, c.mode) for r in results for c in r.cells})
    out: list[Comparison] = []
    for workload, mode in cells:
        for metric, field in SAMPLES.items():
            torch_rounds = _rounds(results, "pytorch", workload, mode, field)
            tf_rounds = _rounds(results, "tensorflow", workload, mode, field)
            if sum(map(len, torch_rounds)) < MIN_SAMPLES or sum(map(len, tf_rounds)) < MIN_SAMPLES:
                continue
            found = compare_timings(torch_rounds, tf_rounds, seed=seed)
            winner = {"a": "pytorch", "b": "tensorflow", None: None}[found.faster]
            out.append(
                Comparison(
                    workload=workload,
                    mode=mode,
                    metric=metric,
                    ratio=round(found.ci.ratio, 4),
                    low=round(found.ci.low, 4),
                    high=round(found.ci.high, 4),
                    outcome=found.outcome,
                    winner=winner,  # type: ignore[arg-type]
                    verdict=verdict(metric, found),
                )
            )
    return out


def verdict(metric: Metric, found: Verdict) -> str:
    """The comparison in words: the factor only when it counted, otherwise what kept it from counting."""
    what = "training step" if metric == "train_step_time" else "batch-1 latency"
    ratio = found.ci.ratio
    leader = "PyTorch" if ratio < 1 else "TensorFlow"
    factor = 1 / ratio if ratio < 1 else ratio
    if found.outcome == "counted":
        return f"{what}: {leader} {factor:.2f}x faster"
    if found.outcome == "no_difference":
        return f"{what}: no measurable difference (95 % interval includes 1)"
    if found.outcome == "within_noise":
        return (
            f"{what}: within the noise, not counted ({leader} {factor:.2f}x faster by the medians, "
            f"but the quartile ranges overlap)"
        )
    if found.outcome == "rounds_disagree":
        rounds = ", ".join(f"{r:.3g}" for r in found.round_ratios)
        return f"{what}: the rounds disagree, not counted (ratio per round {rounds})"
    noisy = [
        f"{NAMES[fw]}'s middle 80 % of samples spans {_percent(value)} of its median"
        for fw, value in (("pytorch", found.spread_a), ("tensorflow", found.spread_b))
        if value > SPREAD_LIMIT
    ]
    return f"{what}: too noisy to compare, not counted ({'; '.join(noisy)}; limit {SPREAD_LIMIT:.0%})"


def _percent(spread: float) -> str:
    """A spread over the limit as a percentage that never reads as the limit itself (50.04 %: "50.0%")."""
    shown = f"{spread:.0%}"
    return f"{spread:.1%}" if shown == f"{SPREAD_LIMIT:.0%}" else shown
