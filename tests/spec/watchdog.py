"""A per-document watchdog, so that a regression to a hang fails the test instead of hanging the suite."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Hang(AssertionError):
    """The watched code ran past its time (wall clock)."""


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread when the block runs longer than ``seconds``.

    A signal interrupts a Python loop (the duplicate-key walk that spun on ``&a [*a]``) and a blocking
    ``open`` of a FIFO (the system call fails with EINTR and Python runs the handler).
    """

    if not hasattr(signal, "setitimer"):  # Windows: no interval timer; the CPU-time checks remain
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
