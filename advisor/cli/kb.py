"""``advisor kb``: browse the knowledge base (list, show an entry or a seed article, list what is due)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from advisor.cli import options as opt
from advisor.cli.common import parse_date, report_error
from advisor.errors import AdvisorError, printable
from advisor.wrapping import wrap

if TYPE_CHECKING:
    from advisor.knowledge.load import KnowledgeBase

app = typer.Typer(no_args_is_help=True, help="Browse the knowledge base.")
KnowledgeOpt = Annotated[Path | None, typer.Option(*opt.KNOWLEDGE.flags, help=opt.KNOWLEDGE.help)]


def fail(error: AdvisorError) -> NoReturn:
    """Print a user error and exit with its status."""
    raise typer.Exit(report_error(error))


def _knowledge(folder: Path | None) -> KnowledgeBase:
    """The knowledge base, or a one-line error and exit 2."""
    from advisor.knowledge.load import load_knowledge

    try:
        return load_knowledge(folder)
    except AdvisorError as error:
        fail(error)


@app.command("list")
def kb_list(
    criterion: Annotated[str | None, typer.Option(help="Only entries on this criterion.")] = None,
    status: Annotated[str | None, typer.Option(help="Only entries with this status.")] = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """List knowledge entries (id, criterion, status, summary)."""
    kb = _knowledge(knowledge)
    if criterion is not None and criterion not in kb.criteria:
        fail(
            AdvisorError(
                f"unknown criterion '{criterion}'",
                field="--criterion",
                hint="known: " + ", ".join(kb.criteria),
            )
        )
    shown = [
        e
        for e in kb.entries.values()
        if (criterion is None or e.criterion == criterion) and (status is None or e.status.value == status)
    ]
    for entry in sorted(shown, key=lambda e: (e.criterion, e.id)):
        typer.echo(printable(f"{entry.id}  ({entry.criterion}, {entry.status.value})"))
        typer.echo(wrap(printable(f"  {entry.summary}"), hanging=""))
    typer.echo(f"{len(shown)} of {len(kb.entries)} entries; knowledge base as of {kb.as_of}", err=True)


@app.command("stale")
def kb_stale(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="Check review dates on this day (default: today)."),
    ] = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """List entries due for review (last review + shelf life, by kind of fact), with their sources."""
    kb = _knowledge(knowledge)
    try:
        day = parse_date(as_of, "--as-of") or dt.date.today()
    except AdvisorError as error:
        fail(error)
    due = kb.due_for_review(day)
    for entry in due:
        lines = [f"{entry.id}  review by {entry.review_by} ({entry.shelf_life.value}; reviewed {entry.reviewed})"]
        lines += [f"  {entry.summary}"]
        lines += [f"  - {r.source} (as of {r.as_of})" for r in entry.references]
        typer.echo(wrap(printable("\n".join(lines), multiline=True), hanging=""))
    typer.echo(f"{len(due)} of {len(kb.entries)} entries due for review on {day}", err=True)


@app.command("show")
def kb_show(
    entry_id: Annotated[
        str, typer.Argument(metavar="ID", help="Entry id, or a seed citation (seed:FILE).", show_default=False)
    ],
    knowledge: KnowledgeOpt = None,
) -> None:
    """Show one knowledge entry with its references."""
    import difflib

    kb = _knowledge(knowledge)
    seed = kb.seeds.get(entry_id.removeprefix("seed:"))
    if seed is not None:  # a seed citation resolves to its description
        when = seed.date.isoformat() if seed.date else "undated"
        lines = [f"seed:{seed.file}  (seed article; {when})", f'"{seed.title}"', ""]
        lines += [seed.covers, "", *([seed.date_note] if seed.date_note else [])]
        lines.append(f"cited as of {seed.cited_as_of}; a secondary source of mixed age and quality (see sources.yaml)")
        typer.echo(wrap(printable("\n".join(lines), multiline=True), hanging=""))
        return
    entry = kb.entries.get(entry_id)
    if entry is None:
        close = difflib.get_close_matches(entry_id, list(kb.entries), n=3)
        fail(
            AdvisorError(
                f"no knowledge entry '{entry_id}'",
                hint=f"did you mean: {', '.join(close)}" if close else "see `advisor kb list`",
            )
        )
    effects = ", ".join(f"{k} {v:+g}" for k, v in entry.effects.items()) or "none"
    lines = [
        f"{entry.id}  ({entry.status.value}; {kb.entry_files[entry.id]})",
        entry.summary,
        "",
        entry.why,
        "",
        f"criterion: {entry.criterion}   effects: {effects}   reviewed: {entry.reviewed}",
        f"valid from: {entry.valid_from}"
        + (f" (known since {entry.known_since})" if entry.valid_from == "unknown" else "")
        + (f"   valid until: {entry.valid_until}" if entry.valid_until else "")
        + f"   shelf life: {entry.shelf_life.value}   review by: {entry.review_by}",
    ]
    if entry.valid_from_note:
        lines.append(f"dated by: {entry.valid_from_note}")
    if entry.status_note:
        lines.append(f"status note: {entry.status_note}")
    if entry.superseded_by:
        lines.append(f"superseded by: {', '.join(entry.superseded_by)}")
    lines.append("references:")
    lines += [
        f"  - {r.source}{' ' + title if (title := kb.source_title(r.source)) else ''} (as of {r.as_of})"
        + (f": {r.note}" if r.note else "")
        for r in entry.references
    ]
    typer.echo(wrap(printable("\n".join(lines), multiline=True), hanging=""))


@app.command("ratings")
def kb_ratings(knowledge: KnowledgeOpt = None) -> None:
    """Check a knowledge base and print each framework's documentary rating per criterion (for authors)."""
    from advisor.scoring.ratings import documentary_ratings

    kb = _knowledge(knowledge)
    ratings = documentary_ratings(kb)
    frameworks = list(kb.frameworks)
    typer.echo(f"{len(kb.entries)} entries, as of {kb.as_of}")
    typer.echo(f"{'criterion':24}" + "".join(f"{f:>12}" for f in frameworks))
    for criterion in kb.criteria:
        cells = "".join(f"{ratings[(criterion, f)].value:>12.2f}" for f in frameworks)
        typer.echo(f"{criterion:24}{cells}")
