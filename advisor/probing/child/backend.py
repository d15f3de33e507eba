"""The small interface each framework module implements; everything else is shared.

Keeping timing, warm-up, budgets and statistics in one place (``advisor.probing.child.measure``) is what makes the
comparison fair: the same clock, the same synchronisation points and the same stopping rules apply to
every framework. A backend only knows how to build the workload models and run one step.
"""

from __future__ import annotations

from typing import Any, Protocol

from advisor.probing.child.workloads import Workload
from advisor.probing.protocol import DeployCheck, Environment, Mode, ProbeRequest


class Cell(Protocol):
    """One workload model in one mode, with its synthetic data already on the device."""

    params: int

    def train_step(self) -> None:
        """One optimiser step on the pre-created training batch (may run asynchronously)."""

    def infer_b1(self) -> None:
        """One forward pass at batch size 1, inference mode."""

    def infer_large(self) -> None:
        """One forward pass at the workload's large batch size, inference mode."""


class Backend(Protocol):
    framework: str

    def setup(self, request: ProbeRequest) -> dict[str, Any]:
        """Apply threads, device, precision, TF32 and memory settings before any op; return them all."""

    def environment(self, request: ProbeRequest) -> Environment: ...

    def build(self, workload: Workload, mode: Mode) -> Cell: ...

    def sync(self) -> None:
        """Block until all queued device work is done (called before every clock read)."""

    def reset_peak_memory(self) -> None: ...

    def peak_memory(self) -> tuple[int | None, str]:
        """(peak bytes since the last reset, what counter it came from)."""

    def is_oom(self, error: BaseException) -> bool: ...

    def deploy(self, request: ProbeRequest, started: float) -> list[DeployCheck]:
        """Convert the probe models along ``request.deploy``'s routes, load them back, compare outputs."""
