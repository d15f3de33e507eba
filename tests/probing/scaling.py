"""Synthetic scaling sections for tests that must not start workers: rows joined from worker reports
as the parent joins real ones, with seeded step times."""

from __future__ import annotations

import random

from advisor.evidence.probe_run import ProbeRun, ProbeSettings
from advisor.evidence.scale import (
    CollectiveCell,
    ScaleSection,
    ScaleSettings,
    WorkerCell,
    WorkerReport,
)
from advisor.evidence.stats import summarize
from advisor.probing.scale import compare_scaling, join_bandwidth, join_rows
from tests.probing.synthetic import environment

SETTINGS = ScaleSettings(
    workers=2,
    device="cpu",
    threads_per_worker=1,
    workloads=["transformer"],
    strategies=["data_parallel"],
    steps=20,
    check_steps=3,
    budget_s_per_framework=90,
)
LOSSES = [2.31, 2.27, 2.26]


def times(median: float, seed: int, n: int = 20, jitter: float = 0.02) -> list[float]:
    rng = random.Random(seed)
    return [median * (1 + rng.uniform(-jitter, jitter)) for _ in range(n)]


def report(
    framework: str,
    rank: int,
    workers: int,
    step_s: float,
    seed: int,
    *,
    losses: list[float] | None = None,
    reference: list[float] | None = None,
    jitter: float = 0.02,
    allreduce_s: float | None = None,
) -> WorkerReport:
    samples = times(step_s, seed, jitter=jitter)
    cell = WorkerCell(
        workload="transformer",
        strategy="data_parallel",
        implementation="synthetic",
        status="ok",
        per_worker_batch=16,
        first_step_s=0.5,
        step_samples=samples,
        step=summarize(samples),
        losses=losses if losses is not None else LOSSES,
        reference_losses=reference or [],
        peak_memory_bytes=(300 + rank) * 2**20,
        memory_source="synthetic",
    )
    collectives = []
    if allreduce_s is not None:
        ar = times(allreduce_s, seed + 7, n=10)
        collectives = [CollectiveCell(size_bytes=1 << 24, samples=ar, time=summarize(ar))]
    return WorkerReport(
        framework=framework,  # type: ignore[arg-type]
        rank=rank,
        workers=workers,
        status="ok",
        environment=environment(),
        startup_s=2.0,
        cells=[cell],
        collectives=collectives,
    )


def section(
    overheads: dict[str, float], *, jitter: float = 0.02, allreduce: dict[str, float] | None = None
) -> ScaleSection:
    """Each framework with a 1-worker step of 10 ms and an N-worker step ``overhead`` times that."""
    from advisor.evidence.scale import ScaleFramework

    rows, bandwidth, frameworks = [], [], []
    for index, (framework, overhead) in enumerate(overheads.items()):
        single = report(framework, 0, 1, 0.010, index, reference=LOSSES, jitter=jitter)
        scaled = [
            report(
                framework,
                rank,
                2,
                0.010 * overhead,
                100 + index * 10 + rank,
                jitter=jitter,
                allreduce_s=(allreduce or {}).get(framework),
            )
            for rank in range(2)
        ]
        rows += join_rows(framework, single, scaled, 2)  # type: ignore[arg-type]
        bandwidth += join_bandwidth(framework, scaled, 2)  # type: ignore[arg-type]
        frameworks.append(ScaleFramework(framework=framework, status="ok", launcher=f"{framework} launcher"))  # type: ignore[arg-type]
    return ScaleSection(
        settings=SETTINGS,
        frameworks=frameworks,
        rows=rows,
        bandwidth=bandwidth,
        comparisons=compare_scaling(rows, bandwidth),
    )


def run(scale: ScaleSection) -> ProbeRun:
    """A probe run holding only a scaling section, as ``advisor probe --scale`` saves it."""
    frameworks = [f.framework for f in scale.frameworks]
    return ProbeRun(
        settings=ProbeSettings(
            frameworks=frameworks,
            workloads=["transformer"],
            modes=[],
            device="cpu",
            precision="fp32",
            threads=1,
            budget="quick",
            budget_s_per_framework=90,
            rounds=1,
            order=frameworks,
        ),
        results=[],
        comparisons=[],
        wall_s=60.0,
        scale=scale,
    )
