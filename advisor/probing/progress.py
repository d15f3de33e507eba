"""A rich progress display for probe runs: one bar per framework child, advancing per finished cell.

The events come from the children's stderr, and a ``start`` event is not validated on the way (a
``cell`` event is), so a payload may lack a key, carry a number where text belongs, or hold rich
markup and terminal escapes. Every value is read with a default and shown as plain, printable text:
a display must never stop a probe run (it is called from the thread that reads the child's stderr,
which would stop draining the pipe) nor let a child write control sequences to the user's terminal.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from advisor.errors import printable

MAX_SHOWN = 60  # characters of one payload value


def _text(payload: dict[str, Any], key: str) -> str:
    """``payload[key]`` as one line of plain text for a markup-reading column ("?" when absent)."""
    value = str(payload.get(key, "?"))
    if len(value) > MAX_SHOWN:
        value = value[: MAX_SHOWN - 3] + "..."
    return escape(printable(value))


def _cells(payload: dict[str, Any]) -> int | None:
    """The bar's total: a non-negative whole number, or None (rich then shows a pulsing bar)."""
    total = payload.get("cells")
    return total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None


class ProbeProgress:
    """Receives launcher events (framework, kind, payload) and draws them on stderr."""

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.fields[framework]:<10}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ProbeProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, framework: str, kind: str, payload: dict[str, Any]) -> None:
        if not isinstance(payload, dict):
            return
        if kind == "launch":
            self._tasks[framework] = self.progress.add_task(
                "starting (importing the framework)", total=_cells(payload), framework=escape(printable(framework))
            )
            return
        task = self._tasks.get(framework)
        if task is None:
            return
        cell = f"{_text(payload, 'workload')} ({_text(payload, 'mode')})"
        if kind == "start":
            self.progress.update(task, description=cell)
        elif kind == "cell":
            self.progress.update(task, advance=1, description=f"{cell}: {_text(payload, 'status')}")
        elif kind == "deploy":  # a deployment check finished (the own model's stream them one by one)
            self.progress.update(task, description=f"{_text(payload, 'target')}: {_text(payload, 'status')}")
        elif kind == "finished":
            self.progress.update(task, description=f"done: {_text(payload, 'status')}")
