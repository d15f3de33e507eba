"""The small interface each framework's probe implements; everything else is shared.

Keeping timing, warm-up, budgets and statistics in one place (:mod:`advisor.probing.child.measure`) is
what makes the comparison fair: the same clock, the same synchronisation points and the same stopping
rules apply to every framework. A backend only knows how to build the workload models, run one step,
and hand its models to its framework's deployment routes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from advisor.evidence.protocol import Environment, Mode, ProbeRequest
from advisor.probing.child.routes import Subject
from advisor.probing.child.workloads import Workload

TF32_ON_CPU = "TF32 does not apply on CPU; ran fp32"  # the setting's note where tf32 was asked for on a CPU


class Cell(Protocol):
    """One model in one mode, with its data already on the device: a probe workload, or the team's model."""

    @property
    def params(self) -> int | None:
        """Trainable parameters (all of them for an inference-only model; None where unknown)."""

    @property
    def train_step(self) -> Callable[[], None] | None:
        """One optimiser step on the pre-created training batch (may run asynchronously); None for a
        model that can only run inference (a saved artifact)."""

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

    def subjects(self, request: ProbeRequest) -> Iterable[Subject]:
        """The probe models of ``request.workloads``, one at a time, for this framework's route table."""
