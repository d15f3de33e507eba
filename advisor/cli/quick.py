"""The quick start: ``advisor recommend`` with everyday options, read from the option table without
building the typer application (about 50 ms of imports and set-up that a one-shot command does not need).

:func:`parse` takes a value exactly as click would, or returns None and leaves the whole command to
typer, which then reports any problem in its own words: help, probe options, an unknown, repeated or
invalid option. Either way the same function runs the command (:func:`advisor.cli.recommend.run`).
``tests/cli/test_entry.py`` checks that both ways give the same bytes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from advisor.cli.options import RECOMMEND, SPEC, Option

_QUICK = [option for option in RECOMMEND if option.quick]
_BY_FLAG = {flag: option for option in _QUICK for flag in option.flags}


def parse(argv: list[str]) -> dict[str, Any] | None:
    """The arguments of ``recommend ...`` by name (every option, defaults filled in), or None whenever
    typer must read them."""
    if not argv or argv[0] != "recommend" or os.name == "nt":  # click expands wildcards and ~ on Windows
        return None
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None  # a shell-completion request
    values: dict[str, Any] = {SPEC.name: None, **{option.name: option.default for option in RECOMMEND}}
    seen: set[str] = set()
    args = iter(argv[1:])
    for arg in args:
        if not arg.startswith("-"):
            option, value = None, arg
        elif arg.startswith("--") and "=" in arg:
            flag, value = arg.split("=", 1)
            option = _BY_FLAG.get(flag)
            if option is None or option.kind == "switch":
                return None  # unknown, or a switch given a value
        elif arg in _BY_FLAG:
            option = _BY_FLAG[arg]
            value = arg if option.kind == "switch" else next(args, "")
        else:
            return None  # --help, --probe, an unknown option, "--", "-" or an attached short value
        name = option.name if option else SPEC.name
        if name in seen:
            return None  # repeated (click keeps the last; rare enough to leave to it)
        seen.add(name)
        parsed = _value(option, value)
        if parsed is None:
            return None
        values[name] = parsed
    return values if values[SPEC.name] is not None else None


def _value(option: Option | None, value: str) -> Any:
    """One value as click converts it, or None where click would complain (or convert oddly)."""
    if option is None or option.kind == "path":
        if not value or value.startswith("-"):
            return None
        if os.path.exists(value) and not os.access(value, os.R_OK):
            return None  # click's "is not readable"
        return Path(value)
    if option.kind == "switch":
        return value == option.flags[0]
    if not value or (value.startswith("-") and not (option.name == "output" and value == "-")):
        return None  # missing, or a value that looks like an option
    if option.kind == "choice":
        return value if value in option.choices else None
    if option.kind == "int":
        if not (value.isascii() and value.isdigit()):
            return None  # signs, spaces, underscores: click's int() accepts them, the quick start leaves them
        number = int(value)
        low, high = option.bounds or (0, sys.maxsize)
        return number if low <= number <= high else None
    return value if value.isascii() and value.isprintable() else None  # echoed back as "wrote ..."


def exit_now(code: int) -> None:
    """Exit at once with ``code``, skipping module teardown (tens of milliseconds of freeing objects one
    by one), but only when that teardown has nothing left to do: no atexit callback or other thread is
    waiting, no tracer, profiler or ``python -i`` wants the interpreter afterwards, and both standard
    streams flush cleanly. Otherwise return, and the normal exit runs (it reports a failing flush as
    Python always does)."""
    import atexit

    if not 0 <= code <= 255:
        return
    if sys.flags.inspect or os.environ.get("PYTHONINSPECT") or sys.gettrace() or sys.getprofile():
        return
    callbacks = getattr(atexit, "_ncallbacks", None)  # CPython's count of registered callbacks
    threading = sys.modules.get("threading")
    if callbacks is None or callbacks() or (threading is not None and threading.active_count() > 1):
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
