"""The command line: ``advisor`` (the script) and ``python -m advisor`` both run :func:`main`.

Exit codes: 0 success; 1 ran fine but every framework is excluded by hard constraints; 2 user error
(bad spec, bad data file, bad option); 3 an internal error (a bug; ``--debug`` shows its traceback);
4 ``advisor probe`` measured nothing (no framework completed a cell or a deployment check; the
reasons are printed); 130 interrupted.

Start-up is part of the product (``bench/cli_startup.py``): ``recommend`` with everyday options runs
without building the typer application (:mod:`advisor.cli.quick`), the cyclic garbage collector runs
rarely (start-up allocates a few hundred thousand long-lived objects that full collections only walk),
pydantic plugins are not looked up (the lookup reads every installed distribution's metadata), and the
exit skips the interpreter's teardown when nothing depends on it. Nothing here imports typer, pydantic
or the engine at module level.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run the command in ``sys.argv`` and exit with its status."""
    import gc

    gc.set_threshold(100_000, 100, 100)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from advisor.cli.quick import exit_now, parse

    try:
        values = parse(sys.argv[1:])
        if values is not None:
            from advisor.cli.recommend import run

            code = run(**values)
        else:
            from advisor.cli.commands import app

            app()  # always ends in SystemExit
            code = 0
    except SystemExit as done:
        if not isinstance(done.code, int | None):
            raise  # a message as the status: Python prints it
        code = done.code or 0
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # a bug, not a user error: say so without hiding it under --debug
        if "--debug" in sys.argv:
            raise
        from advisor.errors import printable

        message = printable(f"internal error: {type(exc).__name__}: {exc}")
        sys.stderr.write(f"{message} (run with --debug for the traceback)\n")
        code = 3
    exit_now(code)
    sys.exit(code)
