"""Terminal output with rich tables. Returns a string; colour only when the caller asks for it.

The report carries text from the user (the project's name, a spec file's name, everything in an
evidence file) and a terminal obeys the control characters in it. Before anything is laid out, every
string of the report is made :func:`~advisor.errors.printable` (newlines kept), and the console reads
no markup: ``[red]`` in a name is shown as written, not taken as a style.
"""

from __future__ import annotations

import io
from typing import Any, TypeVar

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.errors import printable
from advisor.report._text import (
    CLASSIC_TITLE,
    DEPLOY_COLUMNS,
    PROBE_COLUMNS,
    SHARPEN_TITLE,
    STACK_TITLE,
    deploy_cells,
    headline,
    probe_cells,
    shown_criteria,
    stack_heading,
    stack_rows,
    weight_cell,
)
from advisor.report.model import DeployRow, ProbeRow, Recommendation

DEFAULT_WIDTH = 100
_T = TypeVar("_T")


def render(report: Recommendation, *, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
    report = shown(report)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="auto" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    # the title is one line: a newline in the name must not start a fake line of the report
    console.print(Text(f"Framework recommendation: {printable(report.project)}", style="bold"))
    style = "bold green" if report.winner else "bold red"
    console.print(Text(headline(report), style=style))
    console.print(Text(report.evidence.note, style="dim"))
    console.print(_scores(report))
    if report.reasons:
        console.print(_reasons(report))
    for s in report.ranking:
        for e in s.exclusions:
            console.print(Text(f"Excluded {s.name}: {e.reason} [{', '.join(e.cites) or 'policy'}]", style="red"))
    if report.confidence is not None:
        c = report.confidence
        if c.margin is None:
            console.print("\nThe pick is the only framework that meets the hard constraints.")
        else:
            console.print(
                f"\nConfidence {c.level}: wins {c.win_probability:.1%} of {c.draws} "
                f"perturbed draws; margin {c.margin:.2f}."
            )
        if c.capped:
            console.print(f"  Not reported as high, because {c.capped}.")
        for tip in report.tipping_points:
            console.print(f"  - {tip.text}")
        if not report.tipping_points:
            console.print("  No single weight (0-5) or rating (1-5) change flips the pick.")
    for stack in report.stacks:
        console.print(Text(f"{STACK_TITLE}: {stack_heading(report, stack)}", style="bold"))
        for role, name, _, _ in stack_rows(report, stack):
            console.print(f"  - {role}: {name}")
    if report.classic_advice:
        console.print(Text(f"{CLASSIC_TITLE}:", style="bold"))
        for comparison in report.classic_advice:
            verdict = "follows" if comparison.agrees else "goes against"
            console.print(
                f"  - {comparison.persona}: the guide says {report.framework_name(comparison.guide_says)}; "
                f"the pick {verdict} it. Now: {comparison.now}"
            )
    for note in report.notes:
        console.print(Text(f"Note: {note.text}", style="yellow"))
    if report.unknowns:
        console.print(Text(f"{SHARPEN_TITLE}:", style="bold"))
        for unknown in report.unknowns:
            console.print(f"  - {unknown.field}: {unknown.text}")
    if report.migration is not None:
        console.print(Text(_migration_line(report), style="cyan"))
    if report.evidence.probe is not None:
        _print_probe(console, report)
    console.print(_criteria(report))
    console.print(
        Text(
            f"{len(report.references)} knowledge entries cited (as of "
            f"{report.knowledge_as_of.isoformat()}); {len(report.not_applicable)} left out as not relevant "
            "to this project; use --format markdown for the full references, or `advisor kb show ID`.",
            style="dim",
        )
    )
    return buffer.getvalue()


def shown(value: _T) -> _T:
    """``value`` (a report or any part of it) with every string in it made printable, newlines kept.

    Walks models, tuples, lists and dicts (keys too, so lookups by id still match); parts without
    anything to escape are returned as they are, so a clean report costs a walk and no copies.
    """
    return _shown(value)  # type: ignore[no-any-return]


def _shown(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value, multiline=True)
    if isinstance(value, BaseModel):
        changed = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _shown(old)
            if new is not old:
                changed[name] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, tuple | list):
        items = [_shown(item) for item in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        pairs = [(_shown(k), _shown(v)) for k, v in value.items()]
        if all(a is k and b is v for (a, b), (k, v) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    return value


def _scores(report: Recommendation) -> Table:
    table = Table(title="Scores", title_justify="left")
    table.add_column("Rank", justify="right")
    table.add_column("Framework")
    table.add_column("Score", justify="right")
    table.add_column("Status")
    for s in report.ranking:
        status = "excluded" if s.excluded else ("pick" if s.framework == report.winner else "")
        status = "; ".join([status, *s.warnings]).strip("; ")
        table.add_row(str(s.rank), s.name, f"{s.score:.2f}", status)
    return table


def _reasons(report: Recommendation) -> Table:
    table = Table(title="Why", title_justify="left", show_lines=False)
    table.add_column("Favours")
    table.add_column("Reason")
    table.add_column("Share", justify="right")
    table.add_column("Sources")
    for r in report.reasons:
        table.add_row(
            report.framework_name(r.favours),
            r.text.split(":")[0],
            f"{r.contribution:+.2f}",
            ", ".join(r.cites[:3]) + (" ..." if len(r.cites) > 3 else ""),
        )
    return table


def _criteria(report: Recommendation) -> Table:
    ids = sorted(s.framework for s in report.ranking)
    groups = ", ".join(f"{g.name} {g.share:.0%}" for g in report.groups if g.share > 0)
    table = Table(title=f"Ratings per criterion (1-5); share of the score by group: {groups}", title_justify="left")
    table.add_column("Criterion")
    table.add_column("Weight", justify="right")
    table.add_column("Share", justify="right")
    for fw in ids:
        table.add_column(report.framework_name(fw), justify="right")
    for c in shown_criteria(report):
        table.add_row(c.name, weight_cell(c), f"{c.share:.0%}", *(f"{c.ratings[f].value:.1f}" for f in ids))
    return table


def probe_table(rows: tuple[ProbeRow, ...], title: str = "Measured evidence") -> Table:
    """The probe rows as a table, safe on any console: text escaped, and cells that are never read as
    markup (the CLI prints this table on a console that reads markup in plain strings)."""
    table = Table(title=Text(printable(title)), title_justify="left")
    for column in PROBE_COLUMNS:
        table.add_column(column, justify="left" if column in ("Framework", "Workload", "Mode", "Status") else "right")
    for row in shown(rows):
        table.add_row(*map(Text, probe_cells(row)))
    return table


def _print_probe(console: Console, report: Recommendation) -> None:
    probe = report.evidence.probe
    assert probe is not None
    for warning in probe.warnings:
        console.print(Text(f"WARNING: {warning}", style="bold red"))
    console.print(
        probe_table(probe.rows, f"Measured evidence ({probe.device}, {probe.precision}, budget {probe.budget})")
    )
    for c in probe.comparisons:
        console.print(f"  {c.workload} ({c.mode}): {c.verdict} [ratio {c.ratio:.3f}, {c.low:.3f}-{c.high:.3f}]")
    if probe.deploy:
        console.print(deploy_table(probe.deploy))


def _migration_line(report: Recommendation) -> str:
    plan = report.migration
    assert plan is not None
    if not plan.needed or plan.effort is None:
        return f"Migration: {plan.reason}"
    chosen = plan.recommended_strategy
    assert chosen is not None
    return (
        f"Migration from {plan.source}: {chosen.name}, {plan.effort.low:g}-{plan.effort.high:g} person-weeks "
        f"(advisor migrate SPEC for the plan)."
    )


def deploy_table(rows: tuple[DeployRow, ...]) -> Table:
    table = Table(title="Deployment checks (real conversions, loaded back and compared)", title_justify="left")
    for column in DEPLOY_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in shown(rows):
        cells = deploy_cells(row)
        table.add_row(*map(Text, cells[:-1]), Text(cells[-1][:160]))
    return table
