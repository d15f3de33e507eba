"""Condenses a probe run into the report's probe section (display units, every setting kept), and
says per framework whether anything was measured and, if not, why (:func:`coverage`).

A row is marked noisy by the same gate the verdict rule applies (:func:`advisor.evidence.stats.unstable`),
so "(noisy)" in a table means exactly that comparisons with this cell cannot count.

Every renderer takes its numbers from here (the HTML charts turn them into pixel widths), so nothing
that is not a finite number passes: a run read from a file is validated already, but one built in
code is not, and a missing value (None) is something every renderer shows, where NaN or an overflow
would crash it. Comparisons that cannot be scored are left out, by the same test the scoring uses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from advisor.evidence.probe_run import DISPLAY_NAMES, Comparison, ProbeRun
from advisor.evidence.protocol import CellResult, ProbeResult
from advisor.evidence.scale import ScaleFramework, ScaleRow, ScaleSection
from advisor.evidence.stats import unstable
from advisor.scoring.evidence import DEPLOY_CRITERION
from advisor.scoring.result import (
    BandwidthOut,
    DeployRow,
    ModelSummary,
    ProbeComparison,
    ProbeFramework,
    ProbeRow,
    ProbeSummary,
    ScaleRowOut,
    ScaleSummary,
)

NOTHING_MEASURED_EXIT = 4  # `advisor probe`: no framework completed a single cell or deployment check
NAMES = DISPLAY_NAMES
MAX_REASON = 300  # characters of one framework's reason


def _shown(value: float | None, scale: float = 1.0, digits: int | None = None) -> float | None:
    """``value * scale``, rounded to ``digits``; None where it is missing or not a finite number."""
    if value is None:
        return None
    try:
        scaled = float(value) * scale
    except OverflowError:  # an int too large for a float
        return None
    if not math.isfinite(scaled):
        return None
    return round(scaled, digits) if digits is not None else scaled


def _ms(value: float | None) -> float | None:
    return _shown(value, 1000, 3)


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
        samples_per_s=_shown(cell.train_samples_per_s or None, digits=1),
        b1_p50_ms=_ms(b1.median if b1 else None),
        b1_p95_ms=_ms(b1.p95 if b1 else None),
        throughput=_shown(cell.infer_throughput_samples_per_s or None, digits=1),
        peak_mb=_shown(cell.peak_memory_bytes or None, 1 / 2**20, 1),
        first_step_s=_shown(cell.first_step_s, digits=3),
        energy_mj_per_sample=_shown(cell.energy_j_per_sample or None, 1000, 3),
        noisy=unstable(cell.train_step_samples) or unstable(cell.infer_b1_samples),
    )


def _comparison(comparison: Comparison) -> ProbeComparison:
    """The report's comparison: the fields it has (its verdict text says the outcome in words)."""
    return ProbeComparison(**comparison.model_dump(include=set(ProbeComparison.model_fields)))


def _settings(settings: Mapping[str, str | int | float | bool | None]) -> dict[str, str | int | float | bool | None]:
    """A child's settings as given, less any number that is not finite."""
    return {
        key: value for key, value in settings.items() if not (isinstance(value, float) and not math.isfinite(value))
    }


def _framework(r: ProbeResult) -> ProbeFramework:
    return ProbeFramework(
        framework=r.framework,
        status=r.status,
        message=r.message,
        wall_s=_shown(r.wall_s, digits=1) or 0.0,
        over_budget=r.over_budget,
        environment=r.environment.model_dump() if r.environment else None,
        settings=_settings(r.settings),
    )


def _deploy_rows(results: list[ProbeResult]) -> tuple[DeployRow, ...]:
    return tuple(
        DeployRow(
            framework=r.framework,
            target=c.target,
            criterion=DEPLOY_CRITERION[c.target],
            workload=c.workload,
            route=c.route,
            status=c.status,
            message=c.message,
            max_abs_error=_shown(c.max_abs_error),
            max_rel_error=_shown(c.max_rel_error),
            tolerance=c.tolerance,
            size_kb=_shown(c.artifact_bytes, 1 / 1024, 1),
            convert_s=_shown(c.convert_s, digits=2),
        )
        for r in results
        for c in r.deploy_checks
    )


def summarize_run(run: ProbeRun, warnings: tuple[str, ...]) -> ProbeSummary:
    """``warnings`` come from the scoring (:func:`advisor.scoring.evidence.evidence_from`), dropped
    comparisons included, so the report says why a comparison is missing."""
    return ProbeSummary(
        device=run.settings.device,
        precision=run.settings.precision,
        budget=run.settings.budget,
        wall_s=_shown(run.wall_s, digits=1) or 0.0,
        rows=tuple(_row(r, c) for r in run.results for c in r.cells),
        comparisons=tuple(_comparison(c) for c in run.comparisons if c.usable()),
        frameworks=tuple(_framework(r) for r in run.results),
        warnings=warnings,
        deploy=_deploy_rows(run.results),
        model=summarize_model(run),
        scale=summarize_scale(run.scale) if run.scale is not None else None,
    )


def _numerics(row: ScaleRow) -> str:
    check = row.numerics
    if check is None:
        return "not checked"
    said = f"max relative difference {check.max_rel_diff:.1g} over {len(check.measured)} steps"
    return f"ok ({said})" if check.ok else f"FAILED ({said}; tolerance {check.tolerance:g})"


def _scale_row(row: ScaleRow) -> ScaleRowOut:
    return ScaleRowOut(
        framework=row.framework,
        workload=row.workload,
        strategy=row.strategy,
        implementation=row.implementation,
        workers=row.workers,
        per_worker_batch=row.per_worker_batch,
        status=row.status,
        message=row.message,
        single_ms=_ms(row.single.median if row.single else None),
        scaled_ms=_ms(row.scaled.median if row.scaled else None),
        scaled_iqr_ms=_ms(row.scaled.iqr if row.scaled else None),
        efficiency=_shown(row.efficiency, digits=3),
        exposed_comm_ms=_ms(row.exposed_comm_s),
        first_step_s=_shown(row.first_step_scaled_s, digits=3),
        memory_single_mb=_shown(row.memory_single_bytes, 1 / 2**20, 1),
        memory_scaled_mb=_shown(row.memory_scaled_bytes, 1 / 2**20, 1),
        numerics=_numerics(row),
    )


def _scale_framework(f: ScaleFramework) -> ProbeFramework:
    return ProbeFramework(
        framework=f.framework,
        status=f.status,
        message=f.message,
        wall_s=_shown(f.wall_s, digits=1) or 0.0,
        over_budget=False,
        environment=f.environment.model_dump() if f.environment else None,
        settings={
            **_settings(f.settings),
            "startup_single_s": _shown(f.startup_single_s, digits=2),
            "startup_scaled_s": _shown(f.startup_scaled_s, digits=2),
        },
    )


def summarize_scale(section: ScaleSection) -> ScaleSummary:
    """The scaling probe for the report, saying plainly which paths did not run here."""
    settings = section.settings
    not_run = []
    if not section.ran_on_gpu:
        not_run.append("GPU collectives (NCCL) did not run: these figures are CPU workers with CPU collectives")
    if settings.nodes == 1:
        not_run.append("several nodes did not run: all workers shared one host")
    elif len(section.nodes_seen) < settings.nodes:
        not_run.append(f"files of {len(section.nodes_seen)} of {settings.nodes} nodes were given")
    return ScaleSummary(
        workers=settings.workers,
        nodes=settings.nodes,
        device=settings.device,
        threads_per_worker=settings.threads_per_worker,
        rows=tuple(_scale_row(r) for r in section.rows),
        bandwidth=tuple(
            BandwidthOut(
                framework=b.framework,
                workers=b.workers,
                size_mb=round(b.size_bytes / 2**20, 4),
                time_ms=_ms(b.time.median) or 0.0,
                busbw_gbps=round(b.busbw_gbps, 3),
            )
            for b in section.bandwidth
        ),
        comparisons=tuple(
            ProbeComparison(
                a=c.a,
                b=c.b,
                workload=c.workload or (f"{c.size_bytes / 2**20:g} MB" if c.size_bytes else ""),
                mode=c.strategy or "all-reduce",
                metric=c.metric,
                ratio=c.ratio,
                low=c.low,
                high=c.high,
                winner=c.winner,
                verdict=c.verdict,
                outcome=c.outcome,
            )
            for c in section.comparisons
        ),
        frameworks=tuple(_scale_framework(f) for f in section.frameworks),
        launchers=tuple((f.framework, f.launcher) for f in section.frameworks if f.launcher),
        not_run=tuple(not_run),
    )


def summarize_model(run: ProbeRun) -> ModelSummary | None:
    """The own model's part of the report: rows, comparisons, deployment checks, and what they can and
    cannot say (a PyTorch model runs in one framework; a conversion is no measurement of the target's)."""
    own, model = run.settings.model, run.model
    if own is None or model is None:
        return None
    params = next((c.params for r in model.results for c in r.cells if c.params is not None), None)
    return ModelSummary(
        ref=own.source.ref,
        described=own.described,
        runtimes=tuple(own.runtimes),
        params=params,
        rows=tuple(_row(r, c) for r in model.results for c in r.cells),
        comparisons=tuple(_comparison(c) for c in model.comparisons if c.usable()),
        deploy=_deploy_rows(model.results),
        frameworks=tuple(_framework(r) for r in model.results),
        notes=model_notes(run),
    )


def model_notes(run: ProbeRun) -> tuple[str, ...]:
    """What the own model's results can and cannot say, in a few sentences."""
    own, model = run.settings.model, run.model
    if own is None or model is None:
        return ()
    kind = own.source.kind
    ran = [r.framework for r in model.results if any(c.status == "ok" for c in r.cells)]
    missing = [f"{r.framework} ({r.message})" for r in model.results if r.status == "missing"]
    notes: list[str] = []
    if kind in ("keras_factory", "keras_file"):
        notes.append(
            "The same Keras 3 model ran unchanged on each Keras backend, one child each with KERAS_BACKEND set "
            "before Keras was imported; each row is filed under the backend's framework, and the comparisons "
            "use the same bootstrap and noise checks as the synthetic workloads. Its deployment checks ran on "
            "the TensorFlow backend (SavedModel and LiteRT need TensorFlow)."
        )
    elif kind in ("torch_factory", "pt2"):
        notes.append(
            "A PyTorch model runs in PyTorch only, so there is no cross-framework timing comparison: the "
            "performance ratings keep the synthetic workloads. LiteRT routes (litert-torch, or ONNX then "
            "onnx2tf) are conversions of the PyTorch model and are filed under PyTorch, never as TensorFlow "
            "measurements."
        )
    elif kind == "onnx":
        notes.append("onnxruntime is a baseline here, not a candidate framework: its figures move no rating.")
    else:
        notes.append("A SavedModel runs in TensorFlow only: there is no cross-framework timing comparison.")
    if missing:
        notes.append("Not run: " + "; ".join(missing) + ".")
    if not ran:
        notes.append("No cell of the model completed; see each framework's status below.")
    return tuple(notes)


@dataclass(frozen=True)
class Coverage:
    """Whether one framework was measured in a run, in words: what was measured, or why nothing was."""

    framework: str
    measured: bool
    detail: str

    def sentence(self) -> str:
        name = NAMES.get(self.framework, self.framework)
        return f"{name} measured ({self.detail})" if self.measured else f"{name} not measured: {self.detail}"


def _framework_coverage(framework: str, results: list[ProbeResult], scale: ScaleSection | None = None) -> Coverage:
    """A framework counts as measured when one of its cells completed, one deployment check ran, or one
    of its scaling rows completed."""
    cells = [c for r in results for c in r.cells]
    done = sum(1 for c in cells if c.status == "ok")
    checks = sum(1 for r in results for c in r.deploy_checks if c.status != "not_checked")
    rows = [r for r in (scale.rows if scale else []) if r.framework == framework]
    scaled = sum(1 for r in rows if r.status == "ok")
    if done or checks or scaled:
        parts = [f"{done} of {len(cells)} cells"] if cells else []
        parts += [f"{checks} deployment checks"] if checks else []
        parts += [f"{scaled} of {len(rows)} scaling rows"] if rows else []
        return Coverage(framework, True, ", ".join(parts))
    reasons: dict[str, None] = {}  # in order, once each (two rounds often fail alike)
    for found in (f for f in (scale.frameworks if scale else []) if f.framework == framework):
        if found.status != "ok":
            reasons[
                f"scaling probe {found.status}: {found.message}" if found.status != "missing" else found.message
            ] = None
    for row in rows:
        reasons[f"{row.workload} {row.strategy}: {row.status}, {row.message}"] = None
    for result in results:
        if result.status == "missing":
            reasons[result.message] = None
            continue
        if result.cells:
            said = "; ".join(dict.fromkeys(f"{c.workload} {c.mode}: {c.status}, {c.message}" for c in result.cells))
            reasons[f"no cell completed ({said})"] = None
        if result.status not in ("ok", "partial"):  # the child itself failed: error, crashed, timeout
            reasons[f"probe {result.status}: {result.message}"] = None
    return Coverage(framework, False, _short("; ".join(reasons) or "no workload was asked for"))


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


def coverage(run: ProbeRun) -> tuple[Coverage, ...]:
    """Per framework asked for, in the run's order (the own model's results included, and its
    onnxruntime baseline where it ran): measured (and how much), or not (and why)."""
    own = run.model.results if run.model else []
    names = list(run.settings.frameworks) + sorted({r.framework for r in own} - set(run.settings.frameworks))
    return tuple(
        _framework_coverage(fw, [r for r in [*run.results, *own] if r.framework == fw], run.scale)
        for fw in names
        if fw in run.settings.frameworks or any(r.framework == fw for r in own)
    )


def measured_anything(run: ProbeRun) -> bool:
    return any(c.measured for c in coverage(run))


def probe_exit_code(run: ProbeRun) -> int:
    """`advisor probe`'s exit status: 0 when some framework measured something, else
    :data:`NOTHING_MEASURED_EXIT` (1 stays "every framework excluded", 2 a user error, 3 a bug)."""
    return 0 if measured_anything(run) else NOTHING_MEASURED_EXIT
