"""The recommendation for a terminal, as wide as the terminal. Returns a string; colour only when asked.

The report carries text from the user (the project's name, a spec file's name, everything in an
evidence file) and a terminal obeys the control characters in it. Before anything is laid out, every
string of the report is made :func:`~advisor.errors.printable` (newlines kept), and the console reads
no markup: ``[red]`` in a name is shown as written, not taken as a style.

Layout (see :mod:`advisor.report._terminal_layout`): no line is wider than ``width``, no cell is cut,
and every knowledge id the report cites is printed whole (at any width that holds the longest id), so
it can be passed to ``advisor kb show``. Tables with many columns take a narrow layout where the wide
one would not fit: "Why" below 100 columns, the deployment checks below :data:`DEPLOY_WIDE`, the probe
below :data:`PROBE_WIDE`. The report holds no links (a terminal cannot follow a ``#kb-...`` anchor);
``--format markdown`` has the full references. What a line promises follows it: "listed below" is
followed by the staying costs.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel
from rich.console import Group, RenderableType
from rich.text import Text

from advisor.errors import printable
from advisor.report._terminal_layout import (
    Block,
    ByWidth,
    Col,
    add_row,
    finish,
    hanging,
    ids_cell,
    new_console,
    stacked,
    table,
    terminal_width,
)
from advisor.report._text import (
    ARITHMETIC_MEANING,
    BANDWIDTH_COLUMNS,
    CLASSIC_TITLE,
    DEPLOY_COLUMNS,
    MARGIN_COLUMN,
    MARGIN_MEANING,
    MODEL_TITLE,
    PROBE_COLUMNS,
    SCALE_COLUMNS,
    SCALE_TITLE,
    SHARPEN_TITLE,
    STACK_TITLE,
    bandwidth_cells,
    comparison_line,
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
    shown_criteria,
    stack_heading,
    stack_rows,
    weight_cell,
)
from advisor.scoring.result import DeployRow, ModelSummary, ProbeRow, ProbeSummary, Recommendation, ScaleSummary

_T = TypeVar("_T")
PROBE_WIDE = 140  # the probe's eleven columns read as one table only this wide; narrower: a column per framework
DEPLOY_WIDE = 120  # the deployment checks' ten columns, likewise; narrower: one block per check
SCALE_WIDE = 150  # the scaling probe's eleven columns; narrower: one block per row
MESSAGE_CHARS = 300  # of a converter's message: about four lines of an 80-column terminal


def render(report: Recommendation, *, width: int | None = None, color: bool = False) -> str:
    """The report, ``width`` columns wide (default: the terminal's, see
    :func:`~advisor.report._terminal_layout.terminal_width`)."""
    console, buffer = new_console(width or terminal_width(), color)
    for part in _parts(shown(report)):
        console.print(part)
    return finish(buffer.getvalue(), color)


def _parts(report: Recommendation) -> Iterator[RenderableType]:
    """The report's pieces, top to bottom."""
    # the title is one line: a newline in the name must not start a fake line of the report
    yield Text(f"Framework recommendation: {printable(report.project)}", style="bold")
    yield Text(headline(report), style="bold green" if report.winner else "bold red")
    replay = replay_line(report)
    if replay:
        yield Text(replay, style="yellow")
    yield Text(report.evidence.note, style="dim")
    yield _scores(report)
    if report.reasons:
        yield _why(report)
    for s in report.ranking:
        for e in s.exclusions:
            sources = ", ".join(e.cites) or "policy"
            yield hanging(f"{s.name}: {e.reason} [{sources}]", lead="Excluded ", style="red")
    yield from _confidence(report)
    for stack in report.stacks:
        yield Text(f"\n{STACK_TITLE}: {stack_heading(report, stack)}", style="bold")
        yield from (hanging(f"{role}: {name}") for role, name, _, _ in stack_rows(report, stack))
    if report.classic_advice:
        yield Text(f"\n{CLASSIC_TITLE}:", style="bold")
        for comparison in report.classic_advice:
            verdict = "follows" if comparison.agrees else "goes against"
            yield hanging(
                f"{comparison.persona}: the guide says {report.framework_name(comparison.guide_says)}; "
                f"the pick {verdict} it. Now: {comparison.now}"
            )
    if report.notes:
        yield Text()
    for note in report.notes:
        yield hanging(note.text, lead="Note: ", style="yellow")
    if report.unknowns:
        yield Text(f"\n{SHARPEN_TITLE}:", style="bold")
        yield from (hanging(f"{unknown.field}: {unknown.text}") for unknown in report.unknowns)
    yield from _migration(report)
    if report.evidence.probe is not None:
        yield from _probe(report)
    yield Text()
    yield _criteria(report)
    freshness = freshness_line(report)
    if freshness:
        yield Text(freshness, style="dim")
    yield Text(
        f"{len(report.references)} knowledge entries cited (as of {report.knowledge_as_of.isoformat()}); "
        f"{len(report.not_applicable)} left out as not relevant to this project. `advisor kb show ID` "
        "shows an entry; --format markdown lists every reference.",
        style="dim",
    )


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


def _scores(report: Recommendation) -> RenderableType:
    grid = table("Scores", [Col("Rank", right=True), Col("Framework"), Col("Score", right=True), Col("Status")])
    for s in report.ranking:
        status = "excluded" if s.excluded else ("pick" if s.framework == report.winner else "")
        add_row(grid, [str(s.rank), s.name, f"{s.score:.2f}", "; ".join([status, *s.warnings]).strip("; ")])
    return grid


def _why(report: Recommendation) -> RenderableType:
    """The reasons, each with its margin and every source id: a table with one id a line, or (narrow) one
    block per reason with its ids wrapped whole."""
    columns = [Col("Favours"), Col("Reason"), Col(MARGIN_COLUMN, right=True), Col("Sources", ids=True)]
    wide = table("\nWhy", columns, show_lines=True)
    wide.caption, wide.caption_justify = Text(MARGIN_MEANING), "left"
    for r in report.reasons:
        add_row(wide, [report.framework_name(r.favours), _reason(r.text), f"{r.contribution:+.2f}", ids_cell(r.cites)])

    def narrow() -> RenderableType:
        blocks = [
            Block(
                Text(f"{_reason(r.text)}: favours {report.framework_name(r.favours)}, margin {r.contribution:+.2f}"),
                (("Sources", ", ".join(r.cites) or "-"),),
            )
            for r in report.reasons
        ]
        return stacked("\nWhy", blocks, note=MARGIN_MEANING)

    return ByWidth(wide, narrow)


def _reason(text: str) -> str:
    """The criterion's name, which a reason's text starts with."""
    return text.split(":")[0]


def _confidence(report: Recommendation) -> Iterator[RenderableType]:
    c = report.confidence
    if c is None:
        return
    if c.margin is None:
        yield Text("\nThe pick is the only framework that meets the hard constraints.")
    else:
        draws = f"wins {c.win_probability:.1%} of {c.draws} perturbed draws"
        yield Text(f"\nConfidence {c.level}: {draws}; margin {c.margin:.2f}.")
        shares = draw_shares(report)
        if shares:
            yield hanging(shares, lead="  ")
    if c.capped:
        yield hanging(f"Not reported as high, because {c.capped}.", lead="  ")
    yield from (hanging(tip.text) for tip in report.tipping_points)
    if not report.tipping_points:
        yield hanging("No single weight (0-5) or rating (1-5) change flips the pick.", lead="  ")


def _criteria(report: Recommendation) -> RenderableType:
    ids = [s.framework for s in report.ranking]  # the pick's column first, then in rank order
    columns = [Col("Criterion"), Col("Weight", right=True), Col("Eff.", right=True), Col("Share", right=True)]
    grid = table("Ratings per criterion (1-5)", columns + [Col(report.framework_name(f), right=True) for f in ids])
    groups = "; ".join(group_lines(report))
    grid.caption, grid.caption_justify = Text(f"{ARITHMETIC_MEANING} Groups: {groups}."), "left"
    for c in shown_criteria(report):
        cells = [c.name, weight_cell(c), effective_cell(c), f"{c.share:.0%}"]
        add_row(grid, [*cells, *(f"{c.ratings[f].value:.1f}" for f in ids)])
    return grid


def _migration(report: Recommendation) -> Iterator[RenderableType]:
    """The plan in one line (``advisor migrate`` prints it whole), or why none is needed and what
    staying costs: the reason promises that list, so it follows."""
    plan = report.migration
    if plan is None:
        return
    names = {s.framework: s.name for s in report.ranking}
    yield Text()
    if not plan.needed or plan.effort is None:
        yield hanging(plan.reason, lead="Migration: ", style="cyan")
        yield from (hanging(cost) for cost in plan.staying_costs)
        return
    chosen = plan.recommended_strategy
    assert chosen is not None
    source = names.get(plan.source or "", plan.source)
    spec = shlex.quote(printable(report.spec_file)) if report.spec_file else "SPEC"
    yield hanging(
        f"{source} to {names.get(plan.target, plan.target)}, {chosen.name}, "
        f"{plan.effort.low:g}-{plan.effort.high:g} person-weeks. The plan: advisor migrate {spec}",
        lead="Migration: ",
        style="cyan",
    )


def probe_table(rows: tuple[ProbeRow, ...], title: str = "Measured evidence") -> RenderableType:
    """The probe rows as a table, or (narrower than :data:`PROBE_WIDE`) one table per workload and mode
    with a column per framework. Safe on any console: text escaped, and no cell is ever read as markup
    (the CLI prints this on a console that reads markup in plain strings)."""
    rows = shown(rows)
    title = printable(title)
    columns = [Col(c, right=c not in ("Framework", "Workload", "Mode", "Status")) for c in PROBE_COLUMNS]
    wide = table(title, columns)
    for row in rows:
        add_row(wide, probe_cells(row))
    return ByWidth(wide, lambda: _probe_by_framework(rows, title), at_least=PROBE_WIDE)


def _probe_by_framework(rows: tuple[ProbeRow, ...], title: str) -> RenderableType:
    """One small table per workload and mode: a row per measure (the wide table's column names), a
    column per framework, so the two frameworks' figures sit side by side."""
    groups: dict[tuple[str, str], list[ProbeRow]] = {}
    for row in rows:
        groups.setdefault((row.workload, row.mode), []).append(row)
    parts: list[RenderableType] = [Text(title, style="italic")]
    for (workload, mode), members in groups.items():
        grid = table(None, [Col(f"{workload}, {mode}"), *(Col(r.framework, right=True) for r in members)])
        cells = [probe_cells(r) for r in members]
        for index, name in enumerate(PROBE_COLUMNS):
            if name not in ("Framework", "Workload", "Mode"):
                add_row(grid, [name, *(c[index] for c in cells)])
        parts.append(grid)
    return Group(*parts)


def own_model(model: ModelSummary) -> Iterator[RenderableType]:
    """The team's own model: what it is, its notes, its rows, comparisons and deployment checks."""
    yield Text()
    yield Text(f"{MODEL_TITLE} (measured; ahead of the synthetic workloads)", style="bold")
    yield hanging(model_intro(model))
    yield from (hanging(note) for note in model.notes)
    if model.rows:
        yield probe_table(model.rows, f"{MODEL_TITLE}: measured")
    for c in model.comparisons:
        yield hanging(comparison_line(c), lead="  ")
    if model.deploy:
        yield deploy_table(
            model.deploy, f"{MODEL_TITLE}: deployment checks (real conversions, loaded back and compared)"
        )


def scale_table(scale: ScaleSummary) -> Iterator[RenderableType]:
    """The scaling probe: what ran, what did not, its rows (a table, or one block per row when narrow),
    the all-reduce bandwidth, the comparisons and each framework's launch."""
    yield Text()
    yield Text(SCALE_TITLE, style="bold")
    yield hanging(scale_intro(scale))
    yield from (hanging(line + ".", lead="NOT RUN HERE: ", style="bold yellow") for line in scale.not_run)
    rows = shown(scale.rows)
    title = f"{SCALE_TITLE}: 1 and {scale.workers} workers"
    wide = table(title, [Col(c, right=c not in ("Framework", "Workload", "Strategy", "Status")) for c in SCALE_COLUMNS])
    for row in rows:
        add_row(wide, scale_cells(row))

    def narrow() -> RenderableType:
        blocks = []
        for row in rows:
            cells = dict(zip(SCALE_COLUMNS, scale_cells(row), strict=True))
            heading = Text(f"{row.framework}, {row.workload}, {row.strategy}: {row.status}")
            skip = ("Framework", "Workload", "Status")
            blocks.append(Block(heading, tuple((k, v) for k, v in cells.items() if k not in skip)))
        return stacked(title, blocks)

    yield ByWidth(wide, narrow, at_least=SCALE_WIDE)
    if scale.bandwidth:
        grid = table(
            "All-reduce in each framework's own collective",
            [Col(c, right=i > 0) for i, c in enumerate(BANDWIDTH_COLUMNS)],
        )
        for cells in bandwidth_cells(scale):
            add_row(grid, cells)
        yield grid
    for c in scale.comparisons:
        yield hanging(scale_comparison_line(c), lead="  ")
    for framework, launcher in scale.launchers:
        yield hanging(launcher, lead=f"  {framework} launch: ")


def _probe(report: Recommendation) -> Iterator[RenderableType]:
    probe = report.evidence.probe
    assert probe is not None
    if probe.scale is not None and not (probe.rows or probe.deploy or probe.comparisons or probe.model):
        yield from (hanging(warning, lead="WARNING: ", style="bold red") for warning in probe.warnings)
        yield from scale_table(probe.scale)
        return
    yield from _single_device(probe)
    if probe.scale is not None:
        yield from scale_table(probe.scale)


def _single_device(probe: ProbeSummary) -> Iterator[RenderableType]:
    if probe.model is not None:
        yield from own_model(probe.model)
    yield Text()
    yield from (hanging(warning, lead="WARNING: ", style="bold red") for warning in probe.warnings)
    if probe.model is not None and not (probe.rows or probe.deploy or probe.comparisons):
        return  # only the own model was probed
    yield probe_table(probe.rows, f"Measured evidence ({probe.device}, {probe.precision}, budget {probe.budget})")
    for c in probe.comparisons:
        yield hanging(
            f"{c.workload} ({c.mode}): {c.verdict} [ratio {c.ratio:.3f}, {c.low:.3f}-{c.high:.3f}]", lead="  "
        )
    if probe.deploy:
        yield deploy_table(probe.deploy)


def deploy_table(
    rows: tuple[DeployRow, ...], title: str = "Deployment checks (real conversions, loaded back and compared)"
) -> RenderableType:
    """The deployment checks as a table, or (narrower than :data:`DEPLOY_WIDE`) one block per check."""
    rows = shown(rows)
    wide = table(title, [Col(c, right=c in ("Size KB", "Convert s")) for c in DEPLOY_COLUMNS])
    for row in rows:
        add_row(wide, _deploy_cells(row))

    def narrow() -> RenderableType:
        blocks = []
        for row in rows:
            cells = dict(zip(DEPLOY_COLUMNS, _deploy_cells(row), strict=True))
            heading = Text(f"{row.framework} to {row.target} ({row.workload}): {row.status}")
            shown_here = ("Framework", "Target", "Workload", "Status")
            blocks.append(Block(heading, tuple((k, v) for k, v in cells.items() if k not in shown_here)))
        return stacked(title, blocks)

    return ByWidth(wide, narrow, at_least=DEPLOY_WIDE)


def _deploy_cells(row: DeployRow) -> tuple[str, ...]:
    """:func:`deploy_cells`, with a converter's message (up to 1,500 characters: pages of IR are cut in
    the child) kept to :data:`MESSAGE_CHARS` here, saying so; the Markdown report shows it whole."""
    *cells, message = deploy_cells(row)
    if len(message) > MESSAGE_CHARS:
        rest = len(message) - MESSAGE_CHARS
        message = f"{message[:MESSAGE_CHARS]} [{rest} more characters: --format markdown shows them]"
    return (*cells, message)
