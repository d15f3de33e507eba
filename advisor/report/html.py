"""A self-contained HTML report for design reviews: one file, inline CSS and SVG, nothing fetched.

Jinja2 renders ``templates/report.html.j2`` with autoescaping on; this module only derives the
numbers the charts need (weighted contributions, the tornado's margins, probe medians) and hands
them to :mod:`advisor.report._svg` for layout. The output is byte-stable for the same report: no
timestamps beyond the report's own ``generated_at``, no random ids.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from advisor.report import _svg
from advisor.report._text import (
    ARITHMETIC_MEANING,
    BANDWIDTH_COLUMNS,
    CLASSIC_TITLE,
    DEPLOY_COLUMNS,
    MODEL_DEPLOY_INTRO,
    MODEL_TITLE,
    NOT_APPLICABLE_INTRO,
    NOT_APPLICABLE_TITLE,
    PROBE_COLUMNS,
    SCALE_COLUMNS,
    SCALE_TITLE,
    SHARPEN_TITLE,
    STACK_TITLE,
    TIE_MEANING,
    bandwidth_cells,
    cap_meaning,
    classic_line,
    comparison_line,
    delta,
    deploy_cells,
    draw_shares,
    effective_cell,
    freshness_line,
    group_lines,
    headline,
    model_intro,
    probe_cells,
    replay_line,
    scale_cells,
    scale_comparison_line,
    scale_intro,
    stack_heading,
    stack_rows,
    weight_cell,
    weight_label,
)
from advisor.scoring.result import ProbeFramework, ProbeRow, Recommendation
from advisor.scoring.sensitivity import MAX_RATING_TIPS, MAX_WEIGHT_TIPS

TEMPLATES = Path(__file__).parent / "templates"


def render(report: Recommendation, *, width: int | None = None, color: bool = False) -> str:
    """The report as one document (``width`` and ``color`` are for the terminal format: ignored here)."""
    return _environment().get_template("report.html.j2").render(report=report, view=_view(report))


WHATIF_SCRIPT = TEMPLATES / "whatif.js"
WHATIF_TOLERANCE = 1e-9  # how far the page's numbers may be from the engine's golden vectors


@functools.cache
def whatif_script() -> tuple[str, str]:
    """The what-if page's script and its CSP source (``'sha256-...'``): the only script the page may run."""
    text = WHATIF_SCRIPT.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


def script_json(data: object) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element: no ``<``, ``>`` or ``&``
    (so no ``</script>`` or comment opener), ASCII only (so no line separators); the page parses it."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _whatif(report: Recommendation) -> dict[str, Any] | None:
    """What the what-if section draws and the data its script reads (the engine's numbers, as data)."""
    if report.whatif is None:
        return None
    own = report.whatif.priorities
    candidates = list(report.whatif.candidates)
    criteria = [
        {
            "id": c.criterion,
            "name": c.name,
            "group": c.group,
            "base": c.base_weight,
            "value": own.get(c.criterion, c.base_weight),
            "tied": len(candidates) > 1 and len({c.ratings[f].value for f in candidates}) == 1,
            "ratings": {f: c.ratings[f].value for f in candidates},
        }
        for c in report.criteria
    ]
    groups = [
        {
            "id": g.group,
            "name": g.name,
            "base": g.base_weight,
            "value": own.get(g.group, g.base_weight),
            "reference": g.reference,
        }
        for g in report.groups
    ]
    data = {
        "project": report.project,
        "frameworks": [{"id": s.framework, "name": s.name} for s in report.ranking],
        "candidates": candidates,
        "criteria": [{k: v for k, v in c.items() if k not in ("value", "tied")} for c in criteria],
        "groups": [{k: v for k, v in g.items() if k != "value"} for g in groups],
        "priorities": own,
        "max_weight": report.aggregation.max_weight,
        "max_weight_tips": MAX_WEIGHT_TIPS,
        "max_rating_tips": MAX_RATING_TIPS,
        "tolerance": WHATIF_TOLERANCE,
        "vectors": [v.model_dump(mode="json") for v in report.whatif.vectors],
    }
    script, source = whatif_script()
    return {"criteria": criteria, "groups": groups, "data": script_json(data), "script": script, "csp": source}


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the golden test instead of vanishing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = format
    env.filters["pct"] = lambda value: f"{value:.0%}"
    env.filters["weight"] = weight_label
    env.filters["delta"] = delta
    env.filters["url_and_rest"] = url_and_rest
    return env


def url_and_rest(text: str) -> tuple[str | None, str]:
    """Split ``"https://... (as of 2026-01-01)"`` so the template can link the URL and only the URL."""
    head, _, tail = text.partition(" ")
    if head.startswith(("https://", "http://")):
        return head, (" " + tail) if tail else ""
    return None, text


def _view(report: Recommendation) -> dict[str, Any]:
    names = {s.framework: s.name for s in report.ranking}
    fills = {s.framework: _svg.FILLS[i % len(_svg.FILLS)] for i, s in enumerate(report.ranking)}
    ids = list(names)  # the criteria table's column order (rank order), as in the Markdown report
    first = report.ranking[0].framework
    return {
        "whatif": _whatif(report),
        "headline": headline(report),
        "replay": replay_line(report),
        "freshness": freshness_line(report),
        "draw_shares": draw_shares(report),
        "names": names,
        "fills": fills,
        "ids": ids,
        "reasons_for": [r for r in report.reasons if r.favours == first],
        "reasons_against": [r for r in report.reasons if r.favours != first],
        "runner_up": report.ranking[1].name if len(report.ranking) > 1 else None,
        "score_chart": _score_chart(report, fills),
        "tornado": _tornado(report),
        "probe_charts": _probe_charts(report, fills),
        "probe_columns": PROBE_COLUMNS,
        "probe_rows": [probe_cells(row) for row in report.evidence.probe.rows] if report.evidence.probe else [],
        "deploy_columns": DEPLOY_COLUMNS,
        "deploy_rows": [deploy_cells(row) for row in report.evidence.probe.deploy] if report.evidence.probe else [],
        "probe_frameworks": _probe_frameworks(report),
        **_model_view(report),
        **_scale_view(report, fills),
        "criteria_rows": [
            c for c in report.criteria if c.weight > 0 or any(c.ratings[f].terms for f in ids)
        ],  # as the Markdown table: a 0-weight criterion without evidence says nothing
        "zero_weight": [c.name for c in report.criteria if c.weight == 0 and weight_cell(c) != "tie"],
        "weight_cells": {c.criterion: weight_cell(c) for c in report.criteria},
        "effective_cells": {c.criterion: effective_cell(c) for c in report.criteria},
        "group_lines": group_lines(report),
        "arithmetic": ARITHMETIC_MEANING,
        "tie_meaning": TIE_MEANING,
        "cap_meaning": cap_meaning(report),
        "any_capped": any("capped" in weight_cell(c) for c in report.criteria),
        "sharpen_title": SHARPEN_TITLE,
        "stack_title": STACK_TITLE,
        "classic_title": CLASSIC_TITLE,
        "stacks": [(stack_heading(report, stack), stack_rows(report, stack)) for stack in report.stacks],
        "classic": [(classic_line(report, c), c) for c in report.classic_advice],
        "not_applicable_title": NOT_APPLICABLE_TITLE,
        "not_applicable_intro": NOT_APPLICABLE_INTRO,
    }


def _legend(report: Recommendation, fills: dict[str, str], frameworks: list[str]) -> list[_svg.LegendItem]:
    return [_svg.LegendItem(fills[f], report.framework_name(f)) for f in frameworks]


def _score_chart(report: Recommendation, fills: dict[str, str]) -> _svg.Chart:
    """Each criterion's weighted contribution (share x rating) per framework; they sum to the score."""
    frameworks = [s.framework for s in report.ranking]
    rows = [
        _svg.Row(
            label=f"{c.name} ({c.share:.0%})",
            values=tuple(round(c.share * c.ratings[f].value, 3) for f in frameworks),
            notes=tuple(f"{c.share * c.ratings[f].value:.2f} (rating {c.ratings[f].value:.1f})" for f in frameworks),
        )
        for c in report.criteria
        if c.share > 0
    ]
    return _svg.bar_chart(
        "chart-scores",
        "Weighted score per criterion",
        "For each criterion with a share of the score, each framework's rating times that share. "
        "A framework's bars add up to its score on the 1-5 scale.",
        rows,
        _legend(report, fills, frameworks),
        "points",
    )


def _tornado(report: Recommendation) -> _svg.Chart | None:
    """The engine's tornado (the JSON's ``tornado``): the pick's lead with each weight at 0 and at the maximum.

    With three candidates the lead is over the best of the others at each setting (the pick flips when
    any of them overtakes it), so a bar may be measured against a different rival at each end.
    """
    candidates = [s.framework for s in report.ranking if not s.excluded]
    if report.winner is None or not report.tornado or report.confidence is None or report.confidence.margin is None:
        return None
    runner_up = candidates[1]
    rivals = candidates[1:]
    names = {c.criterion: c.name for c in report.criteria}
    rows = [
        _svg.TornadoRow(label=f"{names[b.criterion]} (weight {b.weight:g})", at_zero=b.at_zero, at_max=b.at_max)
        for b in report.tornado
    ]
    top = report.aggregation.max_weight
    return _svg.tornado(
        "chart-tornado",
        f"How each weight moves the lead of {report.framework_name(report.winner)} over "
        + (report.framework_name(runner_up) if len(rivals) == 1 else "the best of the others"),
        f"Each row sets one criterion's weight to 0 or to {top:g}, all else as in the spec, and shows "
        "the resulting score margin. Bars that cross the dashed line at 0 flip the pick.",
        report.confidence.margin,
        rows,
        (_svg.LegendItem("low", "weight set to 0"), _svg.LegendItem("high", f"weight set to {top:g}")),
        report.framework_name(runner_up) if len(rivals) == 1 else "another framework",
    )


_PROBE_METRICS: tuple[tuple[str, str, Callable[[ProbeRow], tuple[float | None, float | None]]], ...] = (
    ("train", "Training step time: median with p95 whisker", lambda r: (r.train_ms, r.train_p95_ms)),
    ("infer", "Batch-1 inference latency: median with p95 whisker", lambda r: (r.b1_p50_ms, r.b1_p95_ms)),
)


def _probe_charts(report: Recommendation, fills: dict[str, str]) -> list[_svg.Chart]:
    probe = report.evidence.probe
    if probe is None:
        return []
    frameworks = [s.framework for s in report.ranking if any(r.framework == s.framework for r in probe.rows)]
    cells = list(dict.fromkeys((r.workload, r.mode) for r in probe.rows))
    by_key = {(r.framework, r.workload, r.mode): r for r in probe.rows}
    charts = []
    for metric, title, pick in _PROBE_METRICS:
        rows = []
        for workload, mode in cells:
            measured = [by_key.get((f, workload, mode)) for f in frameworks]
            values = [pick(r) if r is not None else (None, None) for r in measured]
            rows.append(
                _svg.Row(
                    label=f"{workload} ({mode})",
                    values=tuple(v[0] for v in values),
                    notes=tuple(_probe_note(r, v) for r, v in zip(measured, values, strict=True)),
                    whiskers=tuple(v[1] for v in values),
                )
            )
        if any(v is not None for row in rows for v in row.values):
            description = (
                f"Bars are medians, whiskers reach the 95th percentile, per framework; device {probe.device}, "
                f"{probe.precision}, budget {probe.budget}. Lower is better."
            )
            charts.append(
                _svg.bar_chart(
                    f"chart-probe-{metric}", title, description, rows, _legend(report, fills, frameworks), "ms"
                )
            )
    return charts


def _probe_note(row: ProbeRow | None, values: tuple[float | None, float | None]) -> str:
    if row is None:
        return "not run"
    if row.status != "ok" or values[0] is None:
        message = f"{row.status}: {row.message}" if row.message else row.status
        return message if len(message) <= 60 else message[:57] + "..."
    p95 = f" / p95 {values[1]:.2f}" if values[1] is not None else ""
    return f"p50 {values[0]:.2f}{p95} ms" + (" (noisy)" if row.noisy else "")


def _scale_view(report: Recommendation, fills: dict[str, str]) -> dict[str, Any]:
    """The scaling section's texts, rows and efficiency chart (one bar per framework per workload and strategy)."""
    scale = report.evidence.probe.scale if report.evidence.probe else None
    if scale is None:
        return {"scale_chart": None}
    frameworks = [s.framework for s in report.ranking if any(r.framework == s.framework for r in scale.rows)]
    keys = list(dict.fromkeys((r.workload, r.strategy) for r in scale.rows))
    by_key = {(r.framework, r.workload, r.strategy): r for r in scale.rows}
    rows = []
    for workload, strategy in keys:
        found = [by_key.get((f, workload, strategy)) for f in frameworks]
        rows.append(
            _svg.Row(
                label=f"{workload} ({strategy})",
                values=tuple(r.efficiency if r is not None else None for r in found),
                notes=tuple(
                    ("not run" if r is None else f"{r.efficiency:.2f}" if r.efficiency is not None else r.status)
                    for r in found
                ),
            )
        )
    chart = None
    if any(v is not None for row in rows for v in row.values):
        description = (
            f"Weak-scaling efficiency at {scale.workers} workers: the step time at 1 worker over the step time at "
            f"{scale.workers}, per framework ({scale.device}). 1.0 is linear; higher is better."
        )
        chart = _svg.bar_chart(
            "chart-scale-efficiency", "Scaling efficiency", description, rows, _legend(report, fills, frameworks), "x"
        )
    return {
        "scale_chart": chart,
        "scale_title": SCALE_TITLE,
        "scale_intro": scale_intro(scale),
        "scale_columns": SCALE_COLUMNS,
        "scale_rows": [scale_cells(row) for row in scale.rows],
        "bandwidth_columns": BANDWIDTH_COLUMNS,
        "bandwidth_rows": bandwidth_cells(scale),
        "scale_comparisons": [scale_comparison_line(c) for c in scale.comparisons],
    }


def _model_view(report: Recommendation) -> dict[str, Any]:
    """The own model's section (above the synthetic workloads): its rows, comparisons and checks."""
    model = report.evidence.probe.model if report.evidence.probe else None
    if model is None:
        return {}
    return {
        "model_title": MODEL_TITLE,
        "model_intro": model_intro(model),
        "model_rows": [probe_cells(row) for row in model.rows],
        "model_comparisons": [comparison_line(c) for c in model.comparisons],
        "model_deploy_rows": [deploy_cells(row) for row in model.deploy],
        "model_deploy_intro": MODEL_DEPLOY_INTRO,
    }


def _probe_frameworks(report: Recommendation) -> list[tuple[ProbeFramework, str, str]]:
    """Each child's framework, where it ran and its settings, worded as in the Markdown report."""
    probe = report.evidence.probe
    out = []
    for fw in probe.frameworks if probe else ():
        env = fw.environment or {}
        where = ", ".join(f"{k} {v}" for k, v in env.items() if v not in (None, ""))
        settings = ", ".join(f"{k}={v}" for k, v in sorted(fw.settings.items()))
        out.append((fw, where, settings))
    return out
