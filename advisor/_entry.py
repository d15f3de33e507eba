"""Process entry point (``python -m advisor``, the ``advisor`` script): the CLI without start-up work that a
one-shot command does not need. ``bench/cli_startup.py`` measures it; the goal is ``recommend`` < 0.25 s.

- ``recommend`` with its everyday options (spec, format, output, seed, draws, timestamp, knowledge and
  rules folders) runs without building the typer/click application: :func:`parse_recommend` reads exactly
  those options, the way click reads them, and anything else (help, probes, evidence, an unknown, repeated
  or invalid option, any error while recommending) goes to the full CLI in :mod:`advisor.cli`, which then
  reports it in its own words. ``tests/cli/test_entry.py`` checks both paths give the same bytes.
- The cyclic garbage collector runs rarely: start-up allocates a few hundred thousand long-lived objects
  (modules, classes, schemas) and repeated full collections over them cost more than they free.
- Pydantic plugins are not looked up (unless ``PYDANTIC_DISABLE_PLUGINS`` is set otherwise): the lookup
  reads the metadata of every installed distribution, and the CLI's own models have nothing to report.
- The exit skips the interpreter's teardown when nothing depends on it (:func:`exit_now`).

Nothing here imports typer, pydantic or the engine at module level.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.errors import AdvisorError
    from advisor.report.model import Recommendation

FORMATS = ("terminal", "markdown", "json", "html", "adr")
DRAWS_RANGE = (100, 100_000)
# recommend's options that the fast path reads: parameter -> option names (as in advisor.cli.recommend)
VALUE_OPTIONS: dict[str, tuple[str, ...]] = {
    "format": ("--format", "-f"),
    "output": ("--output", "-o"),
    "seed": ("--seed",),
    "draws": ("--draws",),
    "knowledge": ("--knowledge",),
    "rules": ("--rules",),
}
FLAG_OPTIONS: dict[str, tuple[str, str]] = {
    "timestamp": ("--timestamp", "--no-timestamp"),
    "force": ("--force", "--no-force"),
}
# recommend's parameters that only the full CLI handles (a test keeps both lists complete)
FULL_CLI_ONLY = ("probe", "evidence", "save_evidence", "budget", "device", "precision", "mode", "as_of")
DEFAULTS: dict[str, Any] = {
    "spec": None,
    "format": "terminal",
    "output": "-",
    "seed": 2026,
    "draws": 2000,
    "timestamp": False,
    "knowledge": None,
    "rules": None,
    "force": False,
}
_BY_NAME = {flag: name for name, flags in VALUE_OPTIONS.items() for flag in flags}
_FLAG_BY_NAME = {flag: name for name, flags in FLAG_OPTIONS.items() for flag in flags}


def run() -> None:
    """Run the CLI for ``sys.argv`` and exit with its status."""
    import gc

    gc.set_threshold(100_000, 100, 100)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        options = parse_recommend(sys.argv[1:])
        code = recommend(**options) if options is not None else None
        if code is None:
            from advisor.cli import main

            main()  # always ends in SystemExit
        sys.exit(code)
    except SystemExit as done:
        exit_now(done)
        raise


def parse_recommend(argv: list[str]) -> dict[str, Any] | None:
    """The options of ``recommend ...`` as keyword arguments for :func:`recommend`, or None whenever the
    full CLI must read them: a value is taken exactly as click takes it, or not at all."""
    if not argv or argv[0] != "recommend" or os.name == "nt":  # click expands wildcards and ~ on Windows
        return None
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None  # a shell-completion request
    options = dict(DEFAULTS)
    seen: set[str] = set()
    args = iter(argv[1:])
    for arg in args:
        if not arg.startswith("-"):
            name, value = "spec", arg
        elif arg.startswith("--") and "=" in arg:
            flag, value = arg.split("=", 1)
            name = _BY_NAME.get(flag, "")
        elif arg in _BY_NAME:
            name, value = _BY_NAME[arg], next(args, "")
        elif arg in _FLAG_BY_NAME:
            name, value = _FLAG_BY_NAME[arg], arg
        else:
            return None  # --help, --probe, an unknown option, "--", "-" or an attached short value
        if not name or name in seen:
            return None  # unknown, or repeated (click keeps the last; rare enough to leave to it)
        looks_like_option = value.startswith("-") and not (name == "output" and value == "-")
        if name not in FLAG_OPTIONS and (not value or looks_like_option):
            return None  # missing, or a value that looks like an option
        seen.add(name)
        parsed = _value(name, value)
        if parsed is None:
            return None
        options[name] = parsed
    return options if options["spec"] is not None else None


def _value(name: str, value: str) -> Any:
    """One option's value as click converts it, or None where click would complain (or convert oddly)."""
    if name == "format":
        return value if value in FORMATS else None
    if name in ("seed", "draws"):
        if not (value.isascii() and value.isdigit()):
            return None  # signs, spaces, underscores: click's int() accepts them, the fast path leaves them
        number = int(value)
        low, high = DRAWS_RANGE if name == "draws" else (0, sys.maxsize)
        return number if low <= number <= high else None
    if name in FLAG_OPTIONS:
        return value == FLAG_OPTIONS[name][0]
    if name == "output":
        return value if value.isascii() and value.isprintable() else None  # echoed back as "wrote ..."
    if os.path.exists(value) and not os.access(value, os.R_OK):
        return None  # click's "is not readable"
    return Path(value)  # spec, knowledge, rules


def recommend(
    *,
    spec: Path,
    format: str,
    output: str,
    seed: int,
    draws: int,
    timestamp: bool,
    knowledge: Path | None,
    rules: Path | None,
    force: bool,
) -> int | None:
    """``advisor recommend`` without typer: the exit status, or None (nothing written) for the full CLI to
    redo the command and report what went wrong its own way.

    A user error from writing the output is reported here instead, in the full CLI's words: redoing
    the command could write twice (to a FIFO whose reader left, then wait forever for a new reader)."""
    import datetime as dt

    try:
        from advisor import api
        from advisor.errors import AdvisorError
        from advisor.output import write_text

        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds") if timestamp else None
        report = api.recommend(
            spec, knowledge_dir=knowledge, rules_dir=rules, seed=seed, draws=draws, generated_at=stamp
        )
        text = report_text(report, format, output)
    except KeyboardInterrupt:
        return 130  # as typer exits on Ctrl-C
    except Exception:  # a user error or a bug: the full CLI says which
        return None
    try:
        write_text(output, text, force=force)
    except KeyboardInterrupt:
        return 130
    except AdvisorError as error:
        return _report_like_the_cli(error)
    except Exception:  # a bug: the full CLI shows it its own way
        return None
    if output != "-":
        sys.stderr.write(f"wrote {output}\n")
        sys.stderr.flush()
    return 0 if report.winner is not None else 1


def _report_like_the_cli(error: AdvisorError) -> int:
    """Print ``error`` and return the exit status exactly as :mod:`advisor.cli` does (its own code)."""
    import typer

    from advisor.cli import _fail

    try:
        _fail(error)
    except typer.Exit as done:
        return done.exit_code
    return 2  # not reached: _fail always exits


def report_text(report: Recommendation, format: str, output: str) -> str:
    """The report in ``format``; the terminal format in colour, as wide as the terminal, on a terminal."""
    from advisor.report.formats import renderer

    render = renderer(format)
    if format == "terminal" and output == "-" and sys.stdout.isatty():
        import shutil

        return render(report, width=min(shutil.get_terminal_size().columns, 140), color=True)  # type: ignore[call-arg]
    return render(report)


def exit_now(done: SystemExit) -> None:
    """Exit at once with ``done``'s status, skipping module teardown (tens of milliseconds of freeing
    objects one by one), but only when that teardown has nothing left to do: the status is a number, no
    atexit callback or other thread is waiting, no tracer, profiler or ``python -i`` wants the interpreter
    afterwards, and both standard streams flush cleanly. Otherwise return, and the normal exit runs (it
    reports a failing flush as Python always does)."""
    import atexit

    code = 0 if done.code is None else done.code
    if not isinstance(code, int) or not 0 <= code <= 255:
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
