"""Registry of output formats. Renderers are imported on use: JSON output never imports rich."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from advisor.report.model import Recommendation

Renderer = Callable[[Recommendation], str]

FORMATS: dict[str, str] = {
    "terminal": "advisor.report.terminal",
    "markdown": "advisor.report.markdown",
    "json": "advisor.report.json_format",
    "html": "advisor.report.html",
    "adr": "advisor.report.adr",
}


def renderer(name: str) -> Renderer:
    """The ``render`` function of format ``name`` (one of :data:`FORMATS`)."""
    module = importlib.import_module(FORMATS[name])
    return module.render  # type: ignore[no-any-return]
