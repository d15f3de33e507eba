"""A child for the isolation tests: prints where it would import each module named on stdin from, without
importing it, and its ``sys.path`` (run through the launcher's command line, like a real probe)."""

from __future__ import annotations

import importlib.util
import json
import sys


def origins(names: list[str]) -> dict[str, str | None]:
    """Where each top-level module would come from; already imported modules report their file."""
    found: dict[str, str | None] = {}
    for name in names:
        module = sys.modules.get(name)
        if module is not None:
            found[name] = getattr(module, "__file__", None)
            continue
        spec = importlib.util.find_spec(name)
        found[name] = spec.origin if spec is not None else None
    return found


if __name__ == "__main__":
    print(json.dumps({"path": sys.path, "origins": origins(json.loads(sys.stdin.read()))}))
