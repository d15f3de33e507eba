"""The command line that starts a probe child, for the launcher and for a child's own helper processes.

``python -P bootstrap.py MODULE PARENT_PID PINS``: :mod:`.bootstrap` (run by its path, so nothing
needs to be importable first) keeps the working directory off ``sys.path``, pins this process's own
top-level packages to the files they came from, and runs ``MODULE`` as ``__main__``. Standard library
only: the parent imports it without importing anything of the child side.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")


def child_command(module: str) -> list[str]:
    """The child's command line: ``module`` run as ``__main__`` by :mod:`.bootstrap`, which keeps the
    working directory off ``sys.path`` and imports this process's own top-level packages from the files
    this process imported them from (``advisor``, and the module's package, e.g. a test's)."""
    safe_path = ["-P"] if sys.version_info >= (3, 11) else []  # older Pythons: the bootstrap cleans sys.path
    pins: dict[str, str] = {}
    for name in dict.fromkeys(("advisor", module.partition(".")[0])):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.has_location and spec.origin:
            pins[name] = spec.origin
    return [sys.executable, *safe_path, str(BOOTSTRAP), module, str(os.getpid()), json.dumps(pins)]
