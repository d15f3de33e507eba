"""Condenses a probe run into the report's probe section (display units, every setting kept)."""

from __future__ import annotations

from advisor.probing.model import ProbeRun
from advisor.report.model import DeployRow, ProbeComparison, ProbeFramework, ProbeRow, ProbeSummary
from advisor.scoring.evidence import DEPLOY_CRITERION
from profilers.protocol import CellResult, ProbeResult


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 3)


def _row(result: ProbeResult, cell: CellResult) -> ProbeRow:
    train, b1 = cell.train_step, cell.infer_b1
    return ProbeRow(
        framework=result.framework,
        workload=cell.workload,
        mode=cell.mode,
        status=cell.status,
        message=cell.message,
        train_ms=_ms(train.median if train else None),
        train_p95_ms=_ms(train.p95 if train else None),
        train_iqr_ms=_ms(train.iqr if train else None),
        train_n=train.n if train else None,
        samples_per_s=round(cell.train_samples_per_s, 1) if cell.train_samples_per_s else None,
        b1_p50_ms=_ms(b1.median if b1 else None),
        b1_p95_ms=_ms(b1.p95 if b1 else None),
        throughput=round(cell.infer_throughput_samples_per_s, 1) if cell.infer_throughput_samples_per_s else None,
        peak_mb=round(cell.peak_memory_bytes / 2**20, 1) if cell.peak_memory_bytes else None,
        first_step_s=round(cell.first_step_s, 3) if cell.first_step_s is not None else None,
        energy_mj_per_sample=round(cell.energy_j_per_sample * 1000, 3) if cell.energy_j_per_sample else None,
        noisy=bool((train and train.spread_flag) or (b1 and b1.spread_flag)),
    )


def summarize_run(run: ProbeRun, warnings: tuple[str, ...]) -> ProbeSummary:
    return ProbeSummary(
        device=run.settings.device,
        precision=run.settings.precision,
        budget=run.settings.budget,
        wall_s=round(run.wall_s, 1),
        rows=tuple(_row(r, c) for r in run.results for c in r.cells),
        comparisons=tuple(ProbeComparison(**c.model_dump()) for c in run.comparisons),
        frameworks=tuple(
            ProbeFramework(
                framework=r.framework,
                status=r.status,
                message=r.message,
                wall_s=round(r.wall_s, 1),
                over_budget=r.over_budget,
                environment=r.environment.model_dump() if r.environment else None,
                settings=dict(r.settings),
            )
            for r in run.results
        ),
        warnings=warnings,
        deploy=tuple(
            DeployRow(
                framework=r.framework,
                target=c.target,
                criterion=DEPLOY_CRITERION[c.target],
                workload=c.workload,
                route=c.route,
                status=c.status,
                message=c.message,
                max_abs_error=c.max_abs_error,
                max_rel_error=c.max_rel_error,
                tolerance=c.tolerance,
                size_kb=round(c.artifact_bytes / 1024, 1) if c.artifact_bytes is not None else None,
                convert_s=round(c.convert_s, 2) if c.convert_s is not None else None,
            )
            for r in run.results
            for c in r.deploy_checks
        ),
    )
