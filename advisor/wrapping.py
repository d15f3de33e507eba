"""Text for the terminal, wrapped at word boundaries to the terminal's width.

Every plain-text line the CLI prints (errors and hints, ``kb`` listings, ``init``'s questions) goes
through :func:`wrap`, so no word is cut in two at the edge of a terminal. A line keeps its own indentation; its
continuation lines are indented by ``hanging`` more, or aligned after a ``- `` bullet. Long words such
as URLs are never broken.
"""

from __future__ import annotations

import os
import sys
import textwrap

MIN_WIDTH, MAX_WIDTH = 40, 120


def terminal_width() -> int | None:
    """Columns to wrap at, within 40..120: ``COLUMNS`` if set, else the terminal's that stderr or stdout
    is; None when neither is a terminal (a pipe or a file gets each line whole, for tools that read it)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, min(int(columns), MAX_WIDTH))
    for stream in (sys.stderr, sys.stdout):
        try:
            if stream is not None and stream.isatty():
                return max(MIN_WIDTH, min(os.get_terminal_size(stream.fileno()).columns, MAX_WIDTH))
        except (OSError, ValueError, AttributeError):
            continue
    return None


def wrap(text: str, *, width: int | None = None, hanging: str = "  ", lead: str = "") -> str:
    """``text`` with each of its lines wrapped to ``width`` columns (default: the terminal's). ``lead``
    starts the first line and is never broken (a file:line location stays in one piece)."""
    columns = width or terminal_width()
    if columns is None:
        return lead + text
    if lead:
        first, _, rest = text.partition("\n")
        head = textwrap.fill(
            first.strip(" "),
            columns,
            initial_indent=lead,
            subsequent_indent=hanging,
            break_long_words=False,
            break_on_hyphens=False,
        )
        return head + ("\n" + wrap(rest, width=columns, hanging=hanging) if rest else "")
    out = []
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip(" "))]
        more = "  " if line.lstrip(" ").startswith("- ") else hanging
        out.append(
            textwrap.fill(
                line.strip(" "),
                columns,
                initial_indent=indent,
                subsequent_indent=indent + more,
                break_long_words=False,
                break_on_hyphens=False,
            )
            if line.strip()
            else line
        )
    return "\n".join(out)
