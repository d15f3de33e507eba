"""First code a probe child runs: it cannot import from the working directory, and it dies with its parent.

The launcher starts ``python -P <this file> MODULE PARENT_PID PINS [ARGS]`` instead of ``python -m MODULE``,
because ``-m`` puts the working directory first on ``sys.path``: a ``torch.py`` lying there would be
imported, and run, in place of the framework. Here

- nothing is put in front of ``sys.path``: ``-P`` (Python 3.11+) stops it, and on older Pythons the
  entry Python added (this file's folder) is removed before anything else is imported;
- the parent's own top-level packages (``PINS``: name -> the file it imported each from) are imported
  from exactly those files, so ``advisor`` works from a source checkout run in place, where only the
  working directory made it importable, as well as from an installed wheel, and the child runs the
  same code as its parent without the rest of that directory becoming importable;
- on Linux the child asks the kernel to kill it when its parent dies (even by SIGKILL), so a parent
  that cannot clean up still leaves no orphan behind.

Only the standard library is used here, and nothing is imported before ``sys.path`` is cleaned.
"""

from __future__ import annotations

import sys

if __name__ == "__main__" and not getattr(sys.flags, "safe_path", False) and sys.path:
    del sys.path[0]  # this file's folder, put first without -P: its modules must not become top-level imports

import importlib.util
import json
import os
import runpy
import signal

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def pin(name: str, origin: str) -> None:
    """Import the top-level module or package ``name`` from the file ``origin``, whatever ``sys.path``
    holds; its submodules are then found in that package's folder, as for any package."""
    folder = os.path.dirname(origin)
    is_package = os.path.basename(origin).startswith("__init__.")
    spec = importlib.util.spec_from_file_location(
        name, origin, submodule_search_locations=[folder] if is_package else None
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {name} from {origin}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when the thread that started it ends (Linux only; elsewhere
    the parent's signal forwarding is the only guard). A parent already gone ends the child here."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return
    if os.getppid() != parent:  # died before the request took effect: nobody waits for a result
        sys.stderr.write(f"probe child: parent {parent} is gone\n")
        os._exit(1)


def main(argv: list[str]) -> None:
    """Pin the parent's packages, then run ``argv[1]`` as ``python -m`` would (as ``__main__``), with the
    arguments after the pins as its own (probe children take none: their request comes on stdin)."""
    module, parent, pins = argv[1], int(argv[2]), json.loads(argv[3])
    die_with_parent(parent or os.getppid())  # 0: whichever process started this one (a framework's launcher)
    for name, origin in pins.items():
        pin(name, origin)
    sys.argv = [argv[0], *argv[4:]]  # the module sees only its own arguments, as under ``python -m module``
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv)
