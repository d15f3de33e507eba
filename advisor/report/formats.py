"""The report formats and the interface every renderer implements.

A renderer is a module's ``render(report, *, width=None, color=False) -> str``. ``width`` (columns)
and ``color`` (ANSI styles) matter to the terminal format; the file formats accept and ignore them,
so a caller never needs to know which format it holds. Renderers are imported on use: JSON output
never imports rich or jinja2.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from advisor.scoring.result import Recommendation

FORMATS: dict[str, str] = {
    "terminal": "advisor.report.terminal",
    "markdown": "advisor.report.markdown",
    "json": "advisor.report.json_format",
    "html": "advisor.report.html",
    "adr": "advisor.report.adr",
}
# The file extensions that name a format when ``-o FILE`` is given without ``-f``.
EXTENSIONS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".txt": "terminal",
}


class Renderer(Protocol):
    """Formats a recommendation as text."""

    def __call__(self, report: Recommendation, *, width: int | None = None, color: bool = False) -> str: ...


def renderer(name: str) -> Renderer:
    """The ``render`` function of format ``name`` (one of :data:`FORMATS`)."""
    module = importlib.import_module(FORMATS[name])
    render: Renderer = module.render
    return render
