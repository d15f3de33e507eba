"""The scaling probe (``advisor probe --scale N``): each framework at 1 and N workers on its own launcher,
joined into rows a reviewer can check and compared across frameworks by the verdict rule.

Per framework, node 0 first runs the 1-worker launch (the timing baseline, and the single-process losses
the N-worker run must reproduce), then every node runs its share of the N-worker launch. Weak scaling:
each worker keeps the workload's batch, so at N workers the global batch is N times larger and a linear
scaling keeps the step time; the efficiency is the 1-worker median step over the N-worker one. A row
whose losses differ from the single-process run's beyond :data:`LOSS_TOLERANCE` is ``numerics_failed``
and carries no efficiency: a scaling figure from a wrong computation is an error, not a number.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from advisor.evidence.probe_run import DISPLAY_NAMES, ProbeRun, ProbeSettings
from advisor.evidence.protocol import FrameworkName
from advisor.evidence.scale import (
    BandwidthRow,
    Numerics,
    ScaleComparison,
    ScaleFramework,
    ScaleMetric,
    ScaleRequest,
    ScaleRow,
    ScaleSection,
    ScaleSettings,
    WorkerCell,
    WorkerReport,
)
from advisor.evidence.stats import compare_timings
from advisor.probing.child.workloads import WORKLOADS
from advisor.probing.install_hints import FRAMEWORKS
from advisor.probing.launcher import framework_installed
from advisor.probing.plan import ScalePlan
from advisor.probing.run import described
from advisor.probing.scale_launch import LAUNCHERS, Cluster, Ended, run_launch

LOSS_TOLERANCE = 1e-3  # relative, fp32: a different summation order moves the losses by ~1e-6
STARTUP_ALLOWANCE_S = 60.0  # per launch, beyond the budget: imports, rendezvous, interpreter exit
ORDER: tuple[FrameworkName, ...] = ("pytorch", "tensorflow", "jax")
OnProgress = Callable[[str], None]


def bus_bandwidth(size_bytes: int, seconds: float, workers: int) -> tuple[float, float]:
    """(algbw, busbw) in GB/s for an all-reduce: busbw = algbw x 2(n-1)/n, as nccl-tests define it, so
    the figure compares with the link's bandwidth whatever the number of workers."""
    algbw = size_bytes / seconds / 1e9
    return algbw, algbw * 2 * (workers - 1) / workers


def numerics(reference: Sequence[float], measured: Sequence[float]) -> Numerics | None:
    if not reference or len(reference) != len(measured):
        return None
    worst = max(abs(m - r) / max(abs(r), 1e-12) for r, m in zip(reference, measured, strict=True))
    return Numerics(
        reference=list(reference),
        measured=list(measured),
        max_rel_diff=min(worst, 1e12),
        tolerance=LOSS_TOLERANCE,
        ok=worst <= LOSS_TOLERANCE,
    )


def _cell(report: WorkerReport | None, cell: WorkerCell) -> WorkerCell | None:
    if report is None:
        return None
    return next((c for c in report.cells if (c.workload, c.strategy) == (cell.workload, cell.strategy)), None)


def join_rows(
    framework: FrameworkName, single: WorkerReport | None, scaled: Sequence[WorkerReport], workers: int
) -> list[ScaleRow]:
    """One row per workload and strategy the N-worker launch ran: rank 0's timings (the lowest rank this
    node holds), the largest memory peak of this node's workers, and the numerics check."""
    if not scaled:
        return []
    lead = min(scaled, key=lambda r: r.rank)
    rows = []
    for cell in lead.cells:
        alone = _cell(single, cell)
        peaks = [c.peak_memory_bytes for r in scaled if (c := _cell(r, cell)) and c.peak_memory_bytes is not None]
        check = numerics(alone.reference_losses, cell.losses) if alone else None
        status, message = cell.status, cell.message
        if alone is not None and alone.status != "ok" and status == "ok":
            status, message = alone.status, f"at 1 worker: {alone.message}"
        if status == "ok" and check is not None and not check.ok:
            status = "numerics_failed"
            message = (
                f"the {workers}-worker losses differ from the single-process run's by {check.max_rel_diff:.2g} "
                f"(tolerance {LOSS_TOLERANCE:g}): not a scaling figure"
            )
        one = alone.step.median if status == "ok" and alone is not None and alone.step is not None else None
        many = cell.step.median if cell.step is not None else None
        rows.append(
            ScaleRow(
                framework=framework,
                workload=cell.workload,
                strategy=cell.strategy,
                implementation=cell.implementation,
                workers=workers,
                per_worker_batch=cell.per_worker_batch,
                status=status,
                message=message,
                single=alone.step if alone else None,
                single_samples=alone.step_samples if alone else [],
                scaled=cell.step,
                scaled_samples=cell.step_samples,
                efficiency=one / many if one is not None and many is not None else None,
                exposed_comm_s=max(0.0, many - one) if one is not None and many is not None else None,
                first_step_single_s=alone.first_step_s if alone else None,
                first_step_scaled_s=cell.first_step_s,
                memory_single_bytes=alone.peak_memory_bytes if alone else None,
                memory_scaled_bytes=max(peaks) if peaks else None,
                memory_source=cell.memory_source,
                numerics=check,
            )
        )
    return rows


def join_bandwidth(framework: FrameworkName, scaled: Sequence[WorkerReport], workers: int) -> list[BandwidthRow]:
    if not scaled:
        return []
    lead = min(scaled, key=lambda r: r.rank)
    rows = []
    for cell in lead.collectives:
        algbw, busbw = bus_bandwidth(cell.size_bytes, cell.time.median, workers)
        rows.append(
            BandwidthRow(
                framework=framework,
                workers=workers,
                size_bytes=cell.size_bytes,
                time=cell.time,
                samples=cell.samples,
                algbw_gbps=algbw,
                busbw_gbps=busbw,
            )
        )
    return rows


def overhead_samples(row: ScaleRow) -> list[float]:
    """The N-worker step times over the 1-worker median: the scaling overhead (1.0 is linear), as samples
    the verdict rule can compare between frameworks."""
    if row.single is None:
        return []
    return [t / row.single.median for t in row.scaled_samples]


def _comparison(
    metric: ScaleMetric, a: str, b: str, a_samples: list[float], b_samples: list[float], seed: int, **where: object
) -> ScaleComparison | None:
    if len(a_samples) < 3 or len(b_samples) < 3:
        return None
    found = compare_timings([a_samples], [b_samples], seed=seed)
    winner = {"a": a, "b": b, None: None}[found.faster]
    what = "weak-scaling overhead" if metric == "scale_efficiency" else "all-reduce time"
    return ScaleComparison(
        a=a,  # type: ignore[arg-type]
        b=b,  # type: ignore[arg-type]
        metric=metric,
        ratio=round(found.ci.ratio, 4),
        low=round(found.ci.low, 4),
        high=round(found.ci.high, 4),
        outcome=found.outcome,
        winner=winner,  # type: ignore[arg-type]
        verdict=described(what, found, a, b, better="lower"),
        **where,  # type: ignore[arg-type]
    )


def compare_scaling(
    rows: Sequence[ScaleRow], bandwidth: Sequence[BandwidthRow], seed: int = 0
) -> list[ScaleComparison]:
    """Each pair of frameworks: the scaling overhead per workload and strategy both ran cleanly, and the
    all-reduce time at the largest message size both measured."""
    out: list[ScaleComparison] = []
    present = [fw for fw in ORDER if any(r.framework == fw for r in rows)]
    for a, b in itertools.combinations(present, 2):
        for row_a in rows:
            if row_a.framework != a or row_a.status != "ok":
                continue
            row_b = next(
                (
                    r
                    for r in rows
                    if r.framework == b
                    and r.status == "ok"
                    and (r.workload, r.strategy) == (row_a.workload, row_a.strategy)
                ),
                None,
            )
            if row_b is None:
                continue
            found = _comparison(
                "scale_efficiency",
                a,
                b,
                overhead_samples(row_a),
                overhead_samples(row_b),
                seed,
                workload=row_a.workload,
                strategy=row_a.strategy,
            )
            out += [found] if found else []
        sizes_a = {r.size_bytes: r for r in bandwidth if r.framework == a}
        sizes_b = {r.size_bytes: r for r in bandwidth if r.framework == b}
        common = sorted(set(sizes_a) & set(sizes_b))
        if common:
            size = common[-1]
            found = _comparison(
                "allreduce_time", a, b, sizes_a[size].samples, sizes_b[size].samples, seed, size_bytes=size
            )
            out += [found] if found else []
    return out


def _framework(framework: FrameworkName, single: Ended | None, scaled: Ended, launcher: str) -> ScaleFramework:
    reports = [*(single.reports if single else ()), *scaled.reports]
    failed = [e for e in (single, scaled) if e is not None and e.status != "ok"]
    broken = [r for r in reports if r.status != "ok"]
    status = failed[0].status if failed else ("error" if broken else "ok")
    message = failed[0].message if failed else (broken[0].message if broken else "")
    lead = min(scaled.reports, key=lambda r: r.rank) if scaled.reports else None
    alone = single.reports[0] if single and single.reports else None
    told = lead or alone
    return ScaleFramework(
        framework=framework,
        status=status,  # type: ignore[arg-type]
        message=message,
        launcher=launcher,
        startup_single_s=alone.startup_s if alone else None,
        startup_scaled_s=lead.startup_s if lead else None,
        environment=told.environment if told else None,
        settings=told.settings if told else {},
        wall_s=(single.wall_s if single else 0.0) + scaled.wall_s,
    )


def probe_framework(
    framework: FrameworkName, settings: ScaleSettings, cluster: Cluster, *, seed: int = 0, folder: Path
) -> tuple[ScaleFramework, list[ScaleRow], list[BandwidthRow]]:
    """One framework's 1-worker launch (node 0 only) and its N-worker launch; never raises for a failed
    worker (the row or the framework says what happened)."""
    if not framework_installed(framework):
        package, hint = FRAMEWORKS[framework]
        return (
            ScaleFramework(framework=framework, status="missing", message=f"{package} is not installed: {hint}"),
            [],
            [],
        )

    def request(workers: int, out: str) -> ScaleRequest:
        return ScaleRequest(
            framework=framework,
            workloads=settings.workloads,
            strategies=settings.strategies,
            workers=workers,
            reference_workers=settings.workers,
            device=settings.device,
            threads_per_worker=settings.threads_per_worker,
            steps=settings.steps,
            check_steps=settings.check_steps,
            seed=seed,
            budget_s=settings.budget_s_per_framework / 2,
            out_dir=str(folder / framework / out),
        )

    limit = settings.budget_s_per_framework / 2 + STARTUP_ALLOWANCE_S
    single = None
    if cluster.node_rank == 0:
        single = run_launch(framework, request(1, "single"), Cluster(workers_per_node=1), limit)
    # another node's scaled launch waits at the rendezvous while node 0 runs the 1-worker baseline first
    waits = limit if cluster.node_rank > 0 else 0.0
    scaled = run_launch(framework, request(settings.workers, "scaled"), cluster, limit + waits)
    shown = LAUNCHERS[framework](cluster, Path("REQUEST.json")).shown
    lead = single.reports[0] if single and single.reports else None
    rows = join_rows(framework, lead, scaled.reports, settings.workers)
    rows += _unfinished(framework, settings, rows, scaled)
    return (
        _framework(framework, single, scaled, shown),
        rows,
        join_bandwidth(framework, scaled.reports, settings.workers),
    )


def _unfinished(
    framework: FrameworkName, settings: ScaleSettings, rows: Sequence[ScaleRow], scaled: Ended
) -> list[ScaleRow]:
    """A row for every workload and strategy the N-worker launch did not finish, saying why."""
    done = {(r.workload, r.strategy) for r in rows}
    status = "budget_exceeded" if scaled.status == "timeout" else ("error" if scaled.status != "ok" else "not_run")
    return [
        ScaleRow(
            framework=framework,
            workload=workload,
            strategy=strategy,
            workers=settings.workers,
            per_worker_batch=WORKLOADS[workload].batch_size,
            status=status,  # type: ignore[arg-type]
            message=scaled.message or "the launch ended before this row",
        )
        for workload in settings.workloads
        for strategy in settings.strategies
        if (workload, strategy) not in done
    ]


def run_scale(
    settings: ScaleSettings,
    frameworks: Sequence[FrameworkName],
    cluster: Cluster,
    *,
    seed: int = 0,
    on_progress: OnProgress | None = None,
) -> ScaleSection:
    """Every framework in turn (one launch at a time: frameworks never share the machine)."""
    found: list[ScaleFramework] = []
    rows: list[ScaleRow] = []
    bandwidth: list[BandwidthRow] = []
    with tempfile.TemporaryDirectory(prefix="advisor-scale-") as scratch:
        for framework in frameworks:
            if on_progress:
                on_progress(f"{DISPLAY_NAMES[framework]}: 1 and {settings.workers} workers")
            started = time.perf_counter()
            result, its_rows, its_bandwidth = probe_framework(
                framework, settings, cluster, seed=seed, folder=Path(scratch)
            )
            found.append(result)
            rows += its_rows
            bandwidth += its_bandwidth
            if on_progress:
                on_progress(f"{DISPLAY_NAMES[framework]}: {result.status} in {time.perf_counter() - started:.0f} s")
    return ScaleSection(
        settings=settings,
        frameworks=found,
        rows=rows,
        bandwidth=bandwidth,
        comparisons=compare_scaling(rows, bandwidth, seed) if cluster.node_rank == 0 else [],
        ran_on_gpu=settings.device == "cuda",
        nodes_seen=[cluster.node_rank],
    )


def _worse(a: str, b: str) -> str:
    rank = ["ok", "not_run", "budget_exceeded", "numerics_failed", "error", "crashed", "timeout", "missing"]
    return max(a, b, key=lambda s: rank.index(s) if s in rank else len(rank))


def merge_nodes(sections: Sequence[ScaleSection]) -> ScaleSection:
    """One section from every node's file: node 0's timings, numerics and comparisons; each row's memory
    the largest any node saw; a framework's status the worst any node had."""
    if len(sections) == 1:
        return sections[0]
    ordered = sorted(sections, key=lambda s: min(s.nodes_seen))
    head, rest = ordered[0], ordered[1:]
    seen = sorted({n for s in ordered for n in s.nodes_seen})
    if len(seen) != sum(len(s.nodes_seen) for s in ordered):
        raise ValueError(f"the scaling files repeat a node (nodes {seen}): give each node's file once")
    rows = []
    for row in head.rows:
        peaks = [row.memory_scaled_bytes] + [
            r.memory_scaled_bytes
            for s in rest
            for r in s.rows
            if (r.framework, r.workload, r.strategy) == (row.framework, row.workload, row.strategy)
        ]
        known = [p for p in peaks if p is not None]
        rows.append(row.model_copy(update={"memory_scaled_bytes": max(known) if known else None}))
    frameworks = []
    for fw in head.frameworks:
        status, message = fw.status, fw.message
        for other in (f for s in rest for f in s.frameworks if f.framework == fw.framework):
            if _worse(status, other.status) != status:
                status, message = other.status, f"on another node: {other.message}"
        frameworks.append(fw.model_copy(update={"status": status, "message": message}))
    return head.model_copy(update={"rows": rows, "frameworks": frameworks, "nodes_seen": seen})


def scale_probe(
    plan: ScalePlan, *, budget: str = "quick", seed: int = 0, on_progress: OnProgress | None = None
) -> ProbeRun:
    """``advisor probe --scale N``: the scaling section in a probe run of its own (no single-device
    results), saved and read back like any run."""
    started = time.perf_counter()
    settings = plan.settings
    section = run_scale(settings, plan.frameworks, plan.cluster, seed=seed, on_progress=on_progress)  # type: ignore[arg-type]
    return ProbeRun(
        settings=ProbeSettings(
            frameworks=plan.frameworks,
            workloads=list(settings.workloads),
            modes=[],
            device=settings.device,
            precision="fp32",
            threads=settings.threads_per_worker,
            budget=budget,
            budget_s_per_framework=settings.budget_s_per_framework,
            rounds=1,
            order=plan.frameworks,
        ),
        results=[],
        comparisons=[],
        wall_s=time.perf_counter() - started,
        scale=section,
    )


def node_commands(plan: ScalePlan, base: Sequence[str]) -> list[str]:
    """The command each node runs for a multi-node scaling probe (``base``: this command's arguments
    without ``--node-rank`` and ``--output``), each writing its own file for ``recommend --evidence``."""
    hosts = plan.cluster.hosts
    return [
        " ".join([*base, "--node-rank", str(rank), "-o", f"scale-node{rank}.json"]) + f"   # on {host}"
        for rank, host in enumerate(hosts)
    ]
