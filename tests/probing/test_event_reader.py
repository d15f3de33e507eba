"""The thread that reads a probe child's stderr survives any line the child (or a library) prints."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from advisor.evidence.protocol import EVENT_PREFIX
from advisor.probing.launcher import _EventReader


def _read(lines: list[str]) -> tuple[_EventReader, list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []
    process = SimpleNamespace(stderr=io.StringIO("".join(lines)))
    reader = _EventReader(process, lambda kind, event: seen.append((kind, event)))  # type: ignore[arg-type]
    reader.join()
    return reader, seen


def test_malformed_event_lines_are_kept_as_text_and_reading_goes_on() -> None:
    hostile = ["[1]", '"text"', "null", "{}", '{"event": "environment", "environment": 3}', "{not json"]
    lines = [f"{EVENT_PREFIX}{h}\n" for h in hostile] + ["last words\n"]
    reader, seen = _read(lines)
    assert seen == []
    assert reader.tail[-1] == "last words", "the reader stopped before the end of the pipe"
    assert len(reader.tail) == len(lines)
