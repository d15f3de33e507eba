"""Layout pieces shared by the terminal renderers (the report and the migration summary).

rich, left to itself, fits a table that is too wide by cutting its cells (``pytorch-foundation-go…``)
and wraps a long line back to column 0. So here:

- every table folds text it cannot fit (never ``…``), and keeps knowledge ids in columns that do not
  shrink, one id a line, so an id the reader is told to pass to ``advisor kb show`` is always whole;
- a table with many columns is a :class:`ByWidth`: the wide table where it fits, a narrow layout
  (stacked rows, or one column per framework) where it would not. It decides when it is printed, from
  the width of the console that prints it, so the CLI's own consoles get the same layouts;
- wrapped lines keep their indent (:func:`hanging`);
- every string becomes a :class:`~rich.text.Text` here, so nothing is ever read as rich markup, even on
  a console that reads markup in plain strings.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

DEFAULT_WIDTH = 80  # no terminal to ask (a pipe, a file): the width every terminal has
MAX_WIDTH = 140  # on a wider terminal, lines longer than this are hard to read
WIDE = 100  # below this, tables with many columns take their narrow layout
_UNBOUNDED = 100_000  # a width no table reaches, to measure what a table needs


def terminal_width() -> int:
    """The real terminal's width (``COLUMNS``, else standard output's terminal), :data:`DEFAULT_WIDTH`
    without a terminal, and never more than :data:`MAX_WIDTH`."""
    return min(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, MAX_WIDTH)


def new_console(width: int, color: bool) -> tuple[Console, io.StringIO]:
    """A console that writes to a string buffer: ``width`` columns, colour only when asked for, and no
    markup, highlighting or emoji codes read from the text."""
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
    return console, buffer


def text(value: str | Text, style: str = "") -> Text:
    """``value`` as a Text (never parsed as markup); a Text is returned as it is."""
    return value if isinstance(value, Text) else Text(value, style=style)


def hanging(body: str | Text, lead: str = "  - ", style: str = "") -> Table:
    """``lead`` and then ``body`` (both in ``style``), wrapped at spaces with every further line indented
    under the body's first character, so a list item reads as one item however many lines it takes."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(lead, style=style), text(body, style))
    return grid


def ids_cell(ids: Iterable[str]) -> Text:
    """Knowledge ids one a line, for a :class:`Col` with ``ids=True`` (which never shrinks below them)."""
    return Text("\n".join(ids) or "-")


@dataclass(frozen=True)
class Col:
    """A table column: its header; ``right`` for numbers; ``ids`` for cells of whole knowledge ids."""

    name: str
    right: bool = False
    ids: bool = False


def table(title: str | Text | None, columns: Sequence[Col], show_lines: bool = False) -> Table:
    """A table whose cells wrap at spaces and fold what is still too long, never cut with ``…``; a
    column of ids keeps its width (rich shrinks only the other columns)."""
    grid = Table(title=text(title) if title is not None else None, title_justify="left", show_lines=show_lines)
    for col in columns:
        grid.add_column(
            text(col.name),
            justify="right" if col.right else "left",
            overflow="fold",
            no_wrap=col.ids,
        )
    return grid


def add_row(grid: Table, cells: Iterable[str | Text]) -> None:
    grid.add_row(*(text(cell) for cell in cells))


def needs(console: Console, options: ConsoleOptions, renderable: RenderableType) -> int:
    """The fewest columns ``renderable`` takes without folding a word (for a table: its longest words,
    or its longest ids, plus borders and padding)."""
    return Measurement.get(console, options.update_width(_UNBOUNDED), renderable).minimum


class ByWidth:
    """The ``wide`` table where the width it is printed at is at least ``at_least`` and every word of
    the table fits; otherwise what ``narrow`` builds. Decided at print time, from the printing console."""

    def __init__(self, wide: Table, narrow: Callable[[], RenderableType], at_least: int = WIDE) -> None:
        self.wide = wide
        self.narrow = narrow
        self.at_least = at_least

    def fits(self, console: Console, options: ConsoleOptions) -> bool:
        width = options.max_width
        return width >= self.at_least and needs(console, options, self.wide) <= width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.wide if self.fits(console, options) else self.narrow()


class Command:
    """A shell command on its own line(s), broken only where it must be, between ``words`` (an option
    and its value are one word), with a trailing backslash: pasted into a shell it still runs as one
    command (a plain wrap would run its first line alone)."""

    def __init__(self, words: Sequence[str], lead: str = "  ", style: str = "") -> None:
        self.words = words
        self.lead = lead
        self.style = style

    def lines(self, width: int) -> list[str]:
        lines: list[str] = []
        line = self.lead + self.words[0]
        for index, word in enumerate(self.words[1:], 2):
            room = 0 if index == len(self.words) else len(" \\")  # a later break needs its backslash
            if cell_len(line) + 1 + cell_len(word) + room <= width:
                line += " " + word
            else:
                lines.append(line + " \\")
                line = f"{self.lead}    {word}"
        return [*lines, line]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(self.lines(options.max_width)), style=self.style, overflow="fold")


@dataclass(frozen=True)
class Block:
    """One row of a table, stacked: a heading line, then ``label: value`` lines indented below it."""

    heading: Text
    fields: tuple[tuple[str, str | Text], ...]


def stacked(title: str | Text, blocks: Iterable[Block], note: str = "") -> Group:
    """A table's rows one under another (its narrow layout): the title (and a ``note`` on what the
    figures mean), then per row its heading and one indented line per field; wrapped lines stay indented."""
    parts: list[RenderableType] = [text(title, "italic")]
    if note:
        parts.append(Text(note))
    for block in blocks:
        parts.append(hanging(block.heading, lead="  "))
        parts += [hanging(Text.assemble(f"{label}: ", text(value)), lead="    ") for label, value in block.fields]
    return Group(*parts)


def finish(output: str, color: bool) -> str:
    """Console output without the spaces rich pads lines with (plain text only: in colour, padding may
    sit inside style codes, and a terminal shows trailing spaces as nothing anyway)."""
    if color:
        return output
    return "\n".join(line.rstrip(" ") for line in output.split("\n"))
