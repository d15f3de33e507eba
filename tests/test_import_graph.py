"""The package's imports, walked with grimp (which import-linter ships): no import cycle anywhere under
advisor, between modules or between folders, lazy imports inside functions included; and frameworks
loaded only in the probe children, never by anything the advisor process imports. (pyproject's layers
contract says which way imports go; this says no chain of them comes back.)

Issue 20: own_model, own_torch, own_keras, ort_probe and the child entry imported each other in a
circle (through imports inside functions, which grimp sees as well as top-level ones).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

grimp = pytest.importorskip("grimp")

PROBING = "advisor.probing"
FRAMEWORK_FOLDERS = ("pytorch", "tensorflow", "keras", "jax", "onnxruntime")
FRAMEWORKS = {"torch", "tensorflow", "keras", "jax", "jaxlib", "flax", "onnxruntime"}


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    return grimp.build_graph("advisor", include_external_packages=True)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def internal(graph, modules: Iterable[str]) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Each advisor module's direct imports of other advisor modules."""
    names = {m for m in modules if m.startswith("advisor")}
    return {m: {i for i in graph.find_modules_directly_imported_by(m) if i in names} for m in names}


def folder(module: str, depth: int) -> str:
    """The folder (or module) ``depth`` names deep that a module belongs to: depth 2 for advisor's
    packages, 3 for the folders inside one of them."""
    return ".".join(module.split(".")[:depth])


def folder_edges(graph, modules: Iterable[str], depth: int) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Which folder imports which, from the modules' imports."""
    edges: dict[str, set[str]] = {}
    for module, imported in internal(graph, modules).items():
        own = folder(module, depth)
        edges.setdefault(own, set()).update(folder(i, depth) for i in imported if folder(i, depth) != own)
    return edges


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_is_in_an_import_cycle(graph) -> None:  # type: ignore[no-untyped-def]
    """Every module under advisor, through imports at the top and inside functions alike."""
    assert cycles(internal(graph, graph.modules)) == []


def test_no_package_of_advisor_imports_in_a_circle(graph) -> None:  # type: ignore[no-untyped-def]
    """Packages too: scoring importing probing's types while probing imports scoring's was such a circle."""
    modules = [m for m in graph.modules if m.startswith("advisor.")]
    assert cycles(folder_edges(graph, modules, 2)) == []


@pytest.mark.parametrize("package", ["advisor.probing", "advisor.scoring", "advisor.report", "advisor.cli"])
def test_no_folder_inside_a_package_imports_in_a_circle(graph, package: str) -> None:  # type: ignore[no-untyped-def]
    modules = [m for m in graph.modules if m.startswith(package + ".")]
    assert cycles(folder_edges(graph, modules, 3)) == []


def test_the_cycle_tests_see_a_lazy_import(graph) -> None:  # type: ignore[no-untyped-def]
    """The graph includes imports written inside functions (how the old cycles hid): the CLI imports
    the API only inside its commands."""
    assert "advisor.api" in graph.find_modules_directly_imported_by("advisor.cli.recommend")


def test_frameworks_load_only_in_their_own_childs_folder(graph) -> None:  # type: ignore[no-untyped-def]
    """Nothing the advisor process imports reaches a framework, directly or through other modules: only
    the framework folders (each run in its own child) do."""
    children = tuple(f"{PROBING}.{name}" for name in FRAMEWORK_FOLDERS)
    parent_side = [m for m in graph.modules if m.startswith("advisor") and not m.startswith(children)]
    reaching = {
        module: sorted(FRAMEWORKS & graph.find_upstream_modules(module))
        for module in parent_side
        if FRAMEWORKS & graph.find_upstream_modules(module)
    }
    assert reaching == {}


def test_the_framework_folders_stay_apart(graph) -> None:  # type: ignore[no-untyped-def]
    """The PyTorch child imports no JAX, the JAX and TensorFlow children no torch; the Keras folder (the
    team's Keras model, loaded by every backend's probe) imports neither."""

    def reach(name: str) -> set[str]:
        package = f"{PROBING}.{name}"
        return set().union(*(graph.find_upstream_modules(m) for m in graph.find_descendants(package)))

    assert not reach("pytorch") & {"jax", "jaxlib", "flax"}
    assert not reach("jax") & {"torch"}
    assert not reach("tensorflow") & {"torch", "jax"}
    assert not reach("keras") & {"torch", "tensorflow", "jax"}
