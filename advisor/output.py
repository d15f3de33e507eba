"""Writes reports: atomically (temp file + rename) so a crash never leaves half a report; ``-`` = stdout."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from advisor.errors import AdvisorError


def write_text(destination: str, text: str) -> None:
    """Write ``text`` to ``destination`` (a path, or ``-`` for standard output)."""
    if destination == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(destination)
    if path.is_dir():
        raise AdvisorError("is a directory; give a file name", path=destination)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise AdvisorError(f"cannot write here: {exc.strerror}", path=destination) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
