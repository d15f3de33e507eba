"""Written once: every install hint names pyproject.toml's extras (and their pins), every text of the
probing code exists in one place, and every row of every route table is well formed.

Issue 20: the install hint was defined four times, the "not checked" texts were repeated between the
synthetic and the own-model routes, and `advisor probe` suggested an unpinned `jax[cpu]`.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from advisor.evidence.protocol import ModelKind
from advisor.probing import install_hints
from advisor.probing.child.routes import SYNTHETIC, Route
from tests.conftest import ROOT

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
EXTRAS: dict[str, list[str]] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
DISTRIBUTIONS = {"ai_edge_litert": "ai-edge-litert"}  # module -> distribution, where the names differ
EXTRA = re.compile(r"framework-advisor\[(\w+)\]")
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[\w,]+\])?\s*(?:==\s*([\w.]+))?")


def hints() -> list[str]:
    return [hint for _, hint in install_hints.FRAMEWORKS.values()] + list(install_hints.CONVERTERS.values())


def requirements(extra: str) -> dict[str, str | None]:
    """The distributions an extra requires, with the version it pins (None where it only bounds it)."""
    found: dict[str, str | None] = {}
    for line in EXTRAS[extra]:
        match = REQUIREMENT.match(line)
        assert match, line
        found[match.group(1).lower()] = match.group(2)
    return found


def test_every_extra_a_hint_names_exists_and_holds_the_package() -> None:
    named = [(module, hint) for module, hint in install_hints.CONVERTERS.items()]
    named += [(package, hint) for package, hint in install_hints.FRAMEWORKS.values()]
    for module, hint in named:
        for extra in EXTRA.findall(hint):
            assert extra in EXTRAS, f"{hint}: pyproject.toml has no extra {extra}"
            assert DISTRIBUTIONS.get(module, module) in requirements(extra), f"{module} is not in [{extra}]"


def test_no_hint_installs_an_unpinned_package_the_extras_pin() -> None:
    """``jax[cpu]`` without a version installs whatever JAX is newest; the jax extra pins the one the
    probes were run with. A package named with extras of its own must carry the extras' pin."""
    pinned = {name: version for extra in EXTRAS for name, version in requirements(extra).items() if version}
    for hint in hints():
        for name, extras, version in re.findall(r"\b([a-z][\w-]*)\[([\w,]+)\](?:==([\w.]+))?", hint):
            if name == "framework-advisor":
                continue
            assert version, f"{hint}: {name}[{extras}] without a version"
            assert pinned.get(name) == version, f"{hint}: {name} {version}, but the extras pin {pinned.get(name)}"


def test_the_jax_hint_names_the_jax_extra() -> None:
    package, hint = install_hints.FRAMEWORKS["jax"]
    assert package == "jax" and "pip install 'framework-advisor[jax]'" in hint and '"jax[cpu]"' not in hint


def _prose(path: Path) -> list[tuple[str, int]]:
    """The string constants of a module that are prose (30 characters or more, with spaces), docstrings
    aside, each once per line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return sorted(
        {
            (node.value, node.lineno)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and len(node.value) >= 30
            and " " in node.value
        }
    )


def test_every_text_of_the_probing_code_is_written_once() -> None:
    """Install hints, not-checked reasons, settings notes: each defined in one place and referred to."""
    places: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "advisor" / "probing").rglob("*.py")):
        for text, line in _prose(path):
            places[text].append(f"{path.relative_to(ROOT)}:{line}")
    assert {text: where for text, where in places.items() if len(where) > 1} == {}
    extras = [where for text, where in places.items() if "framework-advisor[" in text]
    assert extras and all(p.startswith("advisor/probing/install_hints.py") for where in extras for p in where)


def tables() -> dict[str, tuple[Route[Any], ...]]:
    from advisor.probing.jax.routes import ROUTES as JAX
    from advisor.probing.onnxruntime.routes import ROUTES as ONNXRUNTIME
    from advisor.probing.pytorch.routes import ROUTES as PYTORCH
    from advisor.probing.tensorflow.routes import ROUTES as TENSORFLOW

    return {"pytorch": PYTORCH, "tensorflow": TENSORFLOW, "jax": JAX, "onnxruntime": ONNXRUNTIME}


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow", "jax", "onnxruntime"])
def test_every_route_is_well_formed(framework: str) -> None:
    """Each row names a target and its models, says why where it is not run, has an install hint for
    everything it imports, and a name every model it applies to can fill in."""
    from typing import get_args

    from advisor.probing.child.routes import Subject
    from advisor.probing.keras.subject import KerasSubject
    from advisor.probing.tensorflow.routes import SavedModelSubject

    kinds = {SYNTHETIC, *get_args(ModelKind)}
    for route in tables()[framework]:
        assert route.models is None or route.models <= kinds, route
        assert route.export is not None or route.not_checked, f"{route.name}: not run, and no reason why"
        assert all(module in install_hints.CONVERTERS for module in route.needs), route.needs
        for kind in sorted(route.models or kinds):
            dims = None if kind == SYNTHETIC else [0]
            common: dict[str, Any] = {"workload": "mlp", "kind": kind, "inputs": (), "dims": dims}
            if framework == "tensorflow":
                subject: Subject = (
                    SavedModelSubject(path="", signature="", names=[], call=print, **common)
                    if kind == "saved_model"
                    else KerasSubject(model=None, **common)
                )
            else:
                subject = Subject(**common)
            name = route.describe(subject)
            assert "{" not in name and name, route.name
