"""A rich progress display for probe runs: one bar per framework child, advancing per finished cell."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


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
        if kind == "launch":
            self._tasks[framework] = self.progress.add_task(
                "starting (importing the framework)", total=payload["cells"], framework=framework
            )
            return
        task = self._tasks.get(framework)
        if task is None:
            return
        if kind == "start":
            self.progress.update(task, description=f"{payload['workload']} ({payload['mode']})")
        elif kind == "cell":
            self.progress.update(
                task, advance=1, description=f"{payload['workload']} ({payload['mode']}): {payload['status']}"
            )
        elif kind == "finished":
            self.progress.update(task, description=f"done: {payload['status']}")
