"""Markdown for design reviews: summary, scores, reasons with citations, constraints, confidence,
what would change the pick, the per-criterion table and the dated references."""

from __future__ import annotations

from advisor.migration.model import MigrationPlan
from advisor.report._migration_markdown import migration_markdown
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
    comparison_line,
    delta,
    deploy_cells,
    draw_shares,
    effective_cell,
    freshness_line,
    group_lines,
    headline,
    md_cell,
    md_cite,
    md_classic_items,
    md_code,
    md_reference_lines,
    md_text,
    model_intro,
    probe_cells,
    replay_line,
    scale_cells,
    scale_comparison_line,
    scale_intro,
    stack_heading,
    stack_rows,
    weight_cell,
)
from advisor.scoring.result import CitedEntry, ModelSummary, ProbeSummary, Recommendation, ScaleSummary


def render(report: Recommendation, *, width: int | None = None, color: bool = False) -> str:
    """The report as one document (``width`` and ``color`` are for the terminal format: ignored here)."""
    out: list[str] = [f"# Framework recommendation: {md_text(report.project)}", ""]
    if report.description:
        out += [f"> {md_text(report.description)}", ""]
    out += [f"**Recommendation: {headline(report)}**", ""]
    meta = f"Knowledge base as of {report.knowledge_as_of.isoformat()}; framework-advisor {report.advisor_version}"
    if report.spec_file:
        meta += f"; spec {md_code(report.spec_file)}"
    if report.generated_at:
        meta += f"; generated {report.generated_at}"
    out += [meta + ".", ""]
    out += [f"**{line}**" for line in (replay_line(report),) if line] + ([""] if report.as_of else [])
    out += [f"_{report.evidence.note}_", ""]
    out += _scores(report) + _reasons(report) + _excluded(report) + _confidence(report)
    out += (
        _stack(report)
        + _classic(report)
        + _notes(report)
        + _unknowns(report)
        + _migration(report)
        + _probe(report)
        + _criteria(report)
    )
    out += _not_applicable(report) + _rules(report) + _references(report)
    return "\n".join(out).rstrip() + "\n"


def _scores(report: Recommendation) -> list[str]:
    out = ["## Scores", "", "| Rank | Framework | Score (1-5) | Status |", "|---:|---|---:|---|"]
    for s in report.ranking:
        status = "excluded" if s.excluded else ("pick" if s.framework == report.winner else "candidate")
        if s.warnings:
            status += "; " + "; ".join(s.warnings)
        out.append(f"| {s.rank} | {s.name} | {s.score:.2f} | {md_cell(status)} |")
    return [*out, ""]


def _reasons(report: Recommendation) -> list[str]:
    if not report.reasons:
        return []
    first = report.ranking[0].framework
    out = ["## Why", ""]
    for title, group in (
        (f"In favour of {report.framework_name(first)}", [r for r in report.reasons if r.favours == first]),
        (f"Where {report.ranking[1].name} is stronger", [r for r in report.reasons if r.favours != first]),
    ):
        if group:
            out += [f"**{title}** (share of the score margin in brackets):", ""]
            out += [f"- {r.text} [{r.contribution:+.2f}]. Sources: {md_cite(r.cites)}" for r in group]
            out.append("")
    return out


def _excluded(report: Recommendation) -> list[str]:
    excluded = [s for s in report.ranking if s.excluded]
    if not excluded:
        return []
    out = ["## Excluded options", ""]
    for s in excluded:
        for e in s.exclusions:
            by = ", ".join(f"`{w}`" for w in e.required_by)
            sources = f" Sources: {md_cite(e.cites)}" if e.cites else ""
            out.append(f"- **{s.name}**: {e.reason} (required by {by}).{sources}")
    return [*out, ""]


def _confidence(report: Recommendation) -> list[str]:
    if report.confidence is None:
        return []
    c = report.confidence
    if c.margin is None:
        summary = "- The pick is the only framework that meets the hard constraints."
    else:
        summary = (
            f"- Confidence **{c.level}**: the pick wins {c.win_probability:.1%} of draws; "
            f"margin {c.margin:.2f} points on the 1-5 scale."
        )
    shares = draw_shares(report)
    out = ["## Confidence and what would change it", "", summary, *([f"- {shares}"] if shares else [])]
    out.append(f"- Method: {c.method}.")
    if c.capped:
        out.append(f"- Not reported as high, because {c.capped}.")
    out.append("")
    if report.tipping_points:
        out += ["Tipping points (the smallest single change that flips the pick):", ""]
        out += [f"- {t.text}" for t in report.tipping_points]
    else:
        out.append("No single weight (0-5) or rating (1-5) change flips the pick.")
    return [*out, ""]


def _migration(report: Recommendation) -> list[str]:
    if report.migration is None:
        return []
    names = {s.framework: s.name for s in report.ranking}
    return migration_markdown(report.migration, names, md_cite)


def own_model_lines(model: ModelSummary) -> list[str]:
    """The team's own model, ahead of the synthetic workloads: what it is, rows, comparisons, checks."""
    out = [f"## {MODEL_TITLE}", "", md_text(model_intro(model)), ""]
    out += [f"- {md_text(note)}" for note in model.notes]
    out.append("")
    if model.rows:
        out += ["| " + " | ".join(PROBE_COLUMNS) + " |", "|" + "---|" * len(PROBE_COLUMNS)]
        out += ["| " + " | ".join(md_cell(c) for c in probe_cells(row)) + " |" for row in model.rows]
        out.append("")
    if model.comparisons:
        out += ["Across frameworks (the first named's time over the second's, block-bootstrapped 95 % interval):", ""]
        out += [f"- {md_text(comparison_line(c))}" for c in model.comparisons]
        out.append("")
    if model.deploy:
        out += [MODEL_DEPLOY_INTRO, "", "| " + " | ".join(DEPLOY_COLUMNS) + " |", "|" + "---|" * len(DEPLOY_COLUMNS)]
        out += ["| " + " | ".join(md_cell(c) for c in deploy_cells(row)) + " |" for row in model.deploy]
        out.append("")
    for fw in model.frameworks:
        settings = ", ".join(f"{k}={v}" for k, v in sorted(fw.settings.items()) if k.startswith(("own_", "keras_")))
        out.append(f"- **{fw.framework}** ({fw.status}, {fw.wall_s:.0f} s): {md_cell(fw.message) or 'ran'}. {settings}")
    return [*out, ""]


def _probe(report: Recommendation) -> list[str]:
    probe = report.evidence.probe
    if probe is None:
        return []
    scale = scale_lines(probe.scale) if probe.scale is not None else []
    if not (probe.rows or probe.deploy or probe.comparisons or probe.model):
        return [*scale, *(f"> **Warning:** {w}" for w in probe.warnings), *([""] if probe.warnings else [])]
    return _single_device(probe) + scale


def _single_device(probe: ProbeSummary) -> list[str]:
    out = own_model_lines(probe.model) if probe.model is not None else []
    if probe.model is not None and not (probe.rows or probe.deploy or probe.comparisons):
        return [*out, *(f"> **Warning:** {w}" for w in probe.warnings), *([""] if probe.warnings else [])]
    out += [
        "## Measured evidence",
        "",
        f"Probes ran on device `{probe.device}` at {probe.precision}, budget {probe.budget}, "
        f"{probe.wall_s:.0f} s in all; one child process per framework.",
        "",
    ]
    out += [f"> **Warning:** {w}" for w in probe.warnings]
    if probe.warnings:
        out.append("")
    out += ["| " + " | ".join(PROBE_COLUMNS) + " |", "|" + "---|" * len(PROBE_COLUMNS)]
    out += ["| " + " | ".join(md_cell(c) for c in probe_cells(row)) + " |" for row in probe.rows]
    out.append("")
    if probe.comparisons:
        out += [
            "Comparisons (PyTorch time / TensorFlow time, bootstrapped 95 % interval; a winner only when "
            "the interval excludes 1):",
            "",
        ]
        out += [
            f"- {c.workload} ({c.mode}): {c.verdict} [ratio {c.ratio:.3f}, {c.low:.3f}-{c.high:.3f}]"
            for c in probe.comparisons
        ]
        out.append("")
    if probe.deploy:
        out += [
            "Deployment checks: each probe model converted for real, loaded back and compared with the source "
            "model on the same input; a failed conversion lowers the criterion it is evidence for.",
            "",
            "| " + " | ".join(DEPLOY_COLUMNS) + " |",
            "|" + "---|" * len(DEPLOY_COLUMNS),
        ]
        out += ["| " + " | ".join(md_cell(c) for c in deploy_cells(row)) + " |" for row in probe.deploy]
        out.append("")
    for fw in probe.frameworks:
        env = fw.environment or {}
        where = ", ".join(f"{k} {v}" for k, v in env.items() if v not in (None, ""))
        settings = ", ".join(f"{k}={v}" for k, v in sorted(fw.settings.items()))
        out.append(
            f"- **{fw.framework}** ({fw.status}{'; over budget' if fw.over_budget else ''}, "
            f"{fw.wall_s:.0f} s): {where or fw.message}. Settings: {settings or '-'}"
        )
    return [*out, ""]


def scale_lines(scale: ScaleSummary) -> list[str]:
    """The scaling probe: its table, all-reduce bandwidth, comparisons, launchers and what did not run."""
    out = [f"## {SCALE_TITLE}", "", scale_intro(scale), ""]
    out += [f"> **Not run here:** {md_cell(line)}." for line in scale.not_run]
    out += [""] if scale.not_run else []
    out += ["| " + " | ".join(SCALE_COLUMNS) + " |", "|" + "---|" * len(SCALE_COLUMNS)]
    out += ["| " + " | ".join(md_cell(c) for c in scale_cells(row)) + " |" for row in scale.rows]
    out.append("")
    if scale.bandwidth:
        out += [
            "All-reduce (float32 sum) in each framework's own collective; bus bandwidth = size / time x 2(n-1)/n.",
            "",
            "| " + " | ".join(BANDWIDTH_COLUMNS) + " |",
            "|" + "---|" * len(BANDWIDTH_COLUMNS),
        ]
        out += ["| " + " | ".join(cells) + " |" for cells in bandwidth_cells(scale)]
        out.append("")
    if scale.comparisons:
        out += ["Scaling comparisons (a winner only when it survives the noise checks):", ""]
        out += [f"- {md_cell(scale_comparison_line(c))}" for c in scale.comparisons]
        out.append("")
    for fw in scale.frameworks:
        launcher = dict(scale.launchers).get(fw.framework, "")
        said = md_cell(fw.message) if fw.message else "ran"
        launch = md_code(launcher) if launcher else "-"
        out.append(f"- **{fw.framework}** ({fw.status}, {fw.wall_s:.0f} s): {said}. Launch: {launch}")
    return [*out, ""]


def _notes(report: Recommendation) -> list[str]:
    if not report.notes:
        return []
    out = ["## Notes", ""]
    out += [f"- {n.text} ({n.source}; sources: {md_cite(n.cites)})" for n in report.notes]
    return [*out, ""]


def _stack(report: Recommendation) -> list[str]:
    if not report.stacks:
        return []
    out = [f"## {STACK_TITLE}", "", "What a team would build on, for the pick and the runner-up.", ""]
    for stack in report.stacks:
        out += [f"**{stack_heading(report, stack)}**", "", "| Role | Choice | Why | Sources |", "|---|---|---|---|"]
        for role, name, detail, cites in stack_rows(report, stack):
            out.append(f"| {role} | {md_cell(name)} | {md_cell(detail)} | {md_cite(cites)} |")
        out.append("")
    return out


def _classic(report: Recommendation) -> list[str]:
    if not report.classic_advice:
        return []
    return [f"## {CLASSIC_TITLE}", "", *md_classic_items(report, sources=True), ""]


def _unknowns(report: Recommendation) -> list[str]:
    if not report.unknowns:
        return []
    out = [f"## {SHARPEN_TITLE}", ""]
    out += [f"- `{u.field}`: {u.text}" for u in report.unknowns]
    return [*out, ""]


def _not_applicable(report: Recommendation) -> list[str]:
    if not report.not_applicable:
        return []
    ids = ", ".join(f"`{i}`" for i in report.not_applicable)
    return [
        "<details>",
        f"<summary>{NOT_APPLICABLE_TITLE} ({len(report.not_applicable)} entries)</summary>",
        "",
        NOT_APPLICABLE_INTRO,
        "",
        ids,
        "",
        "</details>",
        "",
    ]


def _criteria(report: Recommendation) -> list[str]:
    names = [s.name for s in report.ranking]  # the pick's column first, then in rank order
    ids = [s.framework for s in report.ranking]
    out = [
        "## Ratings per criterion",
        "",
        "Ratings run from 1 (poor) to 5 (excellent); 3 means no known difference. Each rating is 3 "
        "plus the effects listed (knowledge entries; `rule:` terms come from this spec). " + ARITHMETIC_MEANING,
        "",
        f"Groups: {'; '.join(group_lines(report))}.",
        "",
        "| Criterion | Weight | Effective | Share | " + " | ".join(names) + " | Basis |",
        "|---|---:|---:|---:|" + "---:|" * len(ids) + "---|",
    ]
    for c in report.criteria:
        if c.weight == 0 and all(not c.ratings[f].terms for f in ids):
            continue
        cells = f"{effective_cell(c)} | {c.share:.0%} | " + " | ".join(f"{c.ratings[f].value:.1f}" for f in ids)
        basis = "; ".join(
            f"{f}: " + ", ".join(f"{t.source} {delta(t.delta)}" for t in c.ratings[f].terms)
            for f in ids
            if c.ratings[f].terms
        )
        out.append(f"| {c.name} | {weight_cell(c)} | {cells} | {md_cell(basis) or '-'} |")
    zero = [c.name for c in report.criteria if c.weight == 0 and weight_cell(c) != "tie"]
    if zero:
        out += ["", f"Weight 0 (not part of the score for this spec): {', '.join(zero)}."]
    marks = [TIE_MEANING] if any(weight_cell(c) == "tie" for c in report.criteria) else []
    marks += [cap_meaning(report)] if any("capped" in weight_cell(c) for c in report.criteria) else []
    if marks:
        out += ["", " ".join(f"*{m.split(':', 1)[0]}*:{m.split(':', 1)[1]}" for m in marks)]
    freshness = freshness_line(report)
    return [*out, *(["", freshness] if freshness else []), ""]


def _rules(report: Recommendation) -> list[str]:
    if not report.fired_rules:
        return []
    out = ["## Rules that applied", ""]
    for r in report.fired_rules:
        scope = f" (for {', '.join(r.frameworks)})" if r.frameworks else ""
        out.append(f"- `{r.id}`{scope}: {r.summary} Sources: {md_cite(r.cites)}")
    return [*out, ""]


def _references(report: Recommendation) -> list[str]:
    return md_reference_lines(report.references)


def migration_document(
    plan: MigrationPlan, names: dict[str, str], spec_file: str, cited: tuple[CitedEntry, ...]
) -> str:
    """``advisor migrate``'s Markdown: the plan alone, with the references it cites."""
    out = [f"# Migration plan for {md_code(spec_file)}", "", *migration_markdown(plan, names, md_cite, level=2)]
    out += md_reference_lines(cited)
    return "\n".join(out).rstrip() + "\n"
