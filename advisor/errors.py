"""User-facing errors.

Everything the user can cause (a bad spec, a broken data file, a missing path) raises a subclass of
:class:`AdvisorError`. The CLI prints ``str(error)`` as one line plus the hint and exits 2; anything
else is a bug and keeps its traceback (under ``--debug``).
"""

from __future__ import annotations


class AdvisorError(Exception):
    """An error the user can fix; carries where it happened and a hint."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        self.hint = hint

    def location(self) -> str:
        """``file:line`` (as far as known), the prefix editors and terminals make clickable."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        parts = [p for p in (self.location(), f"field '{self.field}'" if self.field else "") if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class SpecError(AdvisorError):
    """The project spec cannot be read or is invalid."""


class DataError(AdvisorError):
    """A knowledge-base or rule file shipped with the advisor (or pointed to by the user) is invalid."""


class EvidenceError(AdvisorError):
    """A saved probe result cannot be read or does not match the result schema."""
