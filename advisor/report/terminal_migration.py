"""``advisor migrate`` on a terminal: the plan's summary, as wide as the terminal, the full plan a flag away.

The full plan (:func:`advisor.report.markdown.migration_document`) runs to a thousand lines, most of
them the API map, whose rows are paragraphs. A terminal gets what a reader decides with: the strategy
and why, the effort with its assumptions, the phases with their exit criteria, the risks, how to verify,
how many API-map rows there are and which have no equivalent, and the ids of the sources, whole. The
last line names the command that prints the full plan as Markdown. Like the report, every string is
made printable first and nothing is read as markup; there are no links (a terminal cannot follow
``#kb-...`` anchors).
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Iterator

from rich.console import RenderableType
from rich.text import Text

from advisor.errors import printable
from advisor.migration.model import MigrationPlan
from advisor.report._terminal_layout import Command, finish, hanging, new_console, terminal_width
from advisor.report.terminal import shown

EQUIVALENCE_WORDS = {"direct": "direct", "partial": "partial", "none": "with no direct equivalent"}


def render(
    plan: MigrationPlan, names: dict[str, str], spec_file: str, *, width: int | None = None, color: bool = False
) -> str:
    """The summary of ``plan`` for the spec at ``spec_file`` (as the user gave it: the closing line
    repeats it in a command), ``width`` columns wide (default: the terminal's)."""
    console, buffer = new_console(width or terminal_width(), color)
    for part in _parts(shown(plan), shown(names), printable(spec_file)):
        console.print(part)
    return finish(buffer.getvalue(), color)


def _parts(plan: MigrationPlan, names: dict[str, str], spec_file: str) -> Iterator[RenderableType]:
    target = names.get(plan.target, plan.target)
    source = names.get(plan.source or "", plan.source)
    moving = f": {source} to {target}" if plan.needed else f": to {target}"
    yield Text(f"Migration plan for {spec_file}{moving}", style="bold")
    yield Text(plan.reason)
    if not plan.needed:
        yield from (hanging(cost) for cost in plan.staying_costs)
        return
    yield from _strategy(plan)
    yield from _effort(plan)
    yield Text("\nPhases:", style="bold")
    for number, phase in enumerate(plan.phases, 1):
        yield hanging(f"{phase.name}: {phase.goal} Exit when: {'; '.join(phase.exit_criteria)}.", lead=f"  {number}. ")
    yield from _api_map(plan)
    yield Text("\nRisks:", style="bold")
    yield from (hanging(f"{r.risk} Mitigation: {r.mitigation}") for r in plan.risks)
    yield Text("\nVerification:", style="bold")
    yield from (hanging(v) for v in plan.verification)
    if plan.cites:
        yield Text("\nSources for the strategies (advisor kb show ID):", style="bold")
        yield hanging(", ".join(plan.cites), lead="  ")
    yield Text("\nThe full plan, with the API map row by row and every reference:", style="bold cyan")
    yield Command(["advisor migrate", shlex.quote(spec_file), f"--to {plan.target}", "-f markdown"], style="cyan")
    yield hanging("(add -o FILE to save it, and any --knowledge or --evidence given here)", lead="  ")


def _strategy(plan: MigrationPlan) -> Iterator[RenderableType]:
    chosen = plan.recommended_strategy
    assert chosen is not None  # a needed migration always recommends one
    yield Text("\nStrategy:", style="bold")
    yield hanging(f"{chosen.name} (recommended), because {plan.recommendation_why}.", lead="  ")
    for s in plan.strategies:
        if s.id != plan.recommended:
            fits = "fits" if s.applicable else "does not fit"
            yield hanging(f"{s.name} (effort x{s.effort_factor:g}): {fits}: {s.why}")


def _effort(plan: MigrationPlan) -> Iterator[RenderableType]:
    effort = plan.effort
    assert effort is not None
    terms = ", ".join(f"{t.name} {t.person_weeks:g}" for t in effort.terms)
    factors = ", ".join(f"{name} x{value:g}" for name, value, _ in effort.factors)
    yield Text("\nEffort:", style="bold")
    yield hanging(
        f"{effort.low:g}-{effort.high:g} person-weeks (point estimate {effort.point:g}; about "
        f"{effort.calendar_weeks:g} calendar weeks): person-weeks for {terms}; times {factors}.",
        lead="  ",
    )
    yield from (hanging(f"Assumption: {a}") for a in effort.assumptions)


def _api_map(plan: MigrationPlan) -> Iterator[RenderableType]:
    counts = Counter(row.equivalence for row in plan.api_map)
    parts = [f"{counts[kind]} {EQUIVALENCE_WORDS[kind]}" for kind in ("direct", "partial", "none") if counts[kind]]
    yield Text("\nAPI and tooling map:", style="bold")
    yield hanging(f"{len(plan.api_map)} rows: {', '.join(parts) or 'none'}.", lead="  ")
    missing = [row.area for row in plan.api_map if row.equivalence == "none"]
    if missing:
        yield hanging(f"No direct equivalent (plan a replacement or a redesign): {', '.join(missing)}.")
    if plan.unmapped:
        yield hanging(f"Not yet mapped for this pair of frameworks (check by hand): {', '.join(plan.unmapped)}.")
