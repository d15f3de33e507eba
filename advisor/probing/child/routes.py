"""Deployment routes: the typed object every framework's route table is made of, and the loop that
runs a table on the models of one child, the synthetic workloads and the team's own model alike.

A :class:`Route` is data: the target it reaches, its name in words, how to export (a function that
writes the artifact and loads it back), how its parity is judged (float or int8), whether the export
keeps the declared dynamic axes (then parity is checked at a second shape too), which modules it
imports (checked with ``find_spec`` before it runs; a missing one is reported with its install hint,
:mod:`advisor.probing.install_hints`), whether its runtime can run here (Core ML needs macOS, TF.js a
browser: their conversions are still made and reported), and for a route not run, why. ``models`` says which
models it applies to: :data:`SYNTHETIC` for the probe workloads, or kinds of the team's model
(``ModelSource.kind``). Each framework keeps its table in one module (``<framework>/routes.py``): adding
a route is adding a row there.

A :class:`Subject` is a model as the routes see it: its example inputs, its outputs on them, the
dynamic axes it declares. Each framework subclasses it with what its exports need (the module, the
Keras model, the jitted function). Every check is judged by :mod:`.parity` and streamed as an event
the moment it finishes, so a child that crashes later keeps it.
"""

from __future__ import annotations

import importlib.util
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from advisor.evidence.protocol import DeployCheck, DeployTarget, ProbeRequest, WorkloadName
from advisor.probing.child.converter_errors import converter_message
from advisor.probing.child.parity import Parity, flat, parity
from advisor.probing.install_hints import not_installed

SYNTHETIC = "synthetic"  # the models a route applies to: the probe workloads, or a ModelSource.kind
BUDGET_EXHAUSTED = "deployment-check budget exhausted"
Emit = Callable[[str, dict[str, Any]], None]
Runner = Callable[[tuple[Any, ...]], Any]  # inputs -> the converted model's outputs


@dataclass(kw_only=True)
class Subject:
    """A model the routes convert, with its example inputs; frameworks subclass it with the model itself."""

    workload: WorkloadName  # the probe workload, or "model" for the team's own
    kind: str  # SYNTHETIC, or the team's ModelSource.kind: selects the routes that apply
    inputs: tuple[Any, ...]  # the example inputs (batch 1 for a synthetic workload)
    dims: list[int] | None = None  # the declared dynamic axes; None: a synthetic workload, exported as built
    varied: tuple[Any, ...] | None = None  # the inputs with every declared dynamic axis doubled
    expected: Any = None  # the source model's outputs on ``inputs``, where computed up front
    targets: frozenset[DeployTarget] | None = None  # only these targets (None: every target requested)
    note: str = ""  # appended to every route name (what this model is, where not the workload itself)

    def reference(self, inputs: tuple[Any, ...]) -> Any:
        """The source model's outputs on ``inputs``."""
        if inputs is self.inputs and self.expected is not None:
            return self.expected
        return self.run_source(inputs)

    def run_source(self, inputs: tuple[Any, ...]) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no source model to run")

    def wording(self) -> Mapping[str, str]:
        """What fills the placeholders of route names: ``{shapes}`` (" (dynamic axes 0)", " (static
        shapes)", or nothing for a synthetic workload), ``{shapes_arg}`` (the same as an argument) and
        ``{static}`` (" (static shapes)" for the team's model, whose other exports keep its axes)."""
        if self.dims is None:
            return {"shapes": "", "shapes_arg": "", "static": ""}
        axes = f"dynamic axes {', '.join(map(str, self.dims))}" if self.dims else "static shapes"
        return {"shapes": f" ({axes})", "shapes_arg": f", {axes}", "static": " (static shapes)"}


S = TypeVar("S", bound=Subject)


@dataclass(frozen=True)
class Artifact:
    """What an export wrote, and how to run it (None where no runtime of it can run in this process)."""

    path: Path
    run: Runner | None


@dataclass(frozen=True)
class Route(Generic[S]):
    """One way to take a model to a deployment target, as a probe child checks it."""

    target: DeployTarget
    name: str  # in words; ``{placeholders}`` are filled by the subject (:meth:`Subject.wording`)
    export: Callable[[S, Path], Artifact] | None = None  # writes the artifact in the folder, loads it back
    parity: Parity = "float"
    dynamic: bool = False  # the export keeps the declared dynamic axes: parity at the doubled shape too
    needs: tuple[str, ...] = ()  # modules the export imports, each with its install hint
    runs_here: Callable[[], bool] = lambda: True  # whether the artifact's runtime can run on this machine
    not_checked: str | None = None  # why it is not run here: no export at all, or its runtime cannot run here
    models: frozenset[str] | None = None  # the models it applies to (None: every model of its framework)

    def applies(self, subject: Subject) -> bool:
        return self.models is None or subject.kind in self.models

    def describe(self, subject: Subject) -> str:
        return self.name.format_map(subject.wording()) + subject.note


def missing_module(*modules: str) -> str | None:
    """The first of ``modules`` that is not installed (checked without importing it), or None."""
    return next((m for m in modules if importlib.util.find_spec(m) is None), None)


def size_of(path: Path) -> int:
    """Bytes of a file, or of every file under a directory (a SavedModel is a directory)."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def not_checked(target: DeployTarget, workload: WorkloadName, route: str, why: str) -> DeployCheck:
    return DeployCheck(target=target, workload=workload, route=route, status="not_checked", message=why)


def check(route: Route[S], subject: S, folder: Path) -> DeployCheck:
    """Run one route on one model: export, load back, compare with the source model.

    A converter error becomes status ``failed`` with the converter's own message (the lines that name
    the missing op); outputs outside tolerance become ``parity_failed``.
    """
    name = route.describe(subject)
    if route.export is None:
        return not_checked(route.target, subject.workload, name, route.not_checked or "not checked here")
    runs = route.runs_here()
    missing = missing_module(*route.needs)
    if missing is not None:
        why = not_installed(missing) + ("" if runs else f"; even converted, {route.not_checked}")
        return not_checked(route.target, subject.workload, name, why)
    started = time.perf_counter()
    try:
        artifact = route.export(subject, folder)
        if not runs or artifact.run is None:
            elapsed = time.perf_counter() - started
            why = f"converted ({size_of(artifact.path) // 1024} KB in {elapsed:.1f} s), but {route.not_checked}"
            return not_checked(route.target, subject.workload, name, why)
        expected, got = _outputs(subject, artifact.run, route.dynamic)
    except Exception as error:  # the converter's message is the evidence
        return DeployCheck(
            target=route.target,
            workload=subject.workload,
            route=name,
            status="failed",
            message=converter_message(error),
            convert_s=time.perf_counter() - started,
        )
    elapsed = time.perf_counter() - started
    abs_err, rel_err, tolerance, ok = parity(expected, got, quantized=route.parity == "int8")
    return DeployCheck(
        target=route.target,
        workload=subject.workload,
        route=name,
        status="ok" if ok else "parity_failed",
        max_abs_error=abs_err,
        max_rel_error=rel_err,
        tolerance=tolerance,
        artifact_bytes=size_of(artifact.path),
        convert_s=elapsed,
        message="" if ok else "outputs differ beyond the tolerance",
    )


def _outputs(subject: Subject, run: Runner, dynamic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Source and converted outputs at the example shape and, for a route that keeps the declared
    dynamic axes, at the doubled shape too, concatenated: parity must hold at both."""
    expected, got = flat(subject.reference(subject.inputs)), flat(run(subject.inputs))
    if not dynamic or subject.varied is None:
        return expected, got
    try:
        varied = flat(run(subject.varied))
    except Exception as error:
        raise RuntimeError(
            f"ran at the example shape, but not with the declared dynamic axes {subject.dims} doubled: "
            f"{converter_message(error)}"
        ) from None
    return np.concatenate([expected, flat(subject.reference(subject.varied))]), np.concatenate([got, varied])


def run_routes(
    routes: Sequence[Route[Any]], subjects: Iterable[Subject], request: ProbeRequest, started: float, emit: Emit
) -> list[DeployCheck]:
    """Every route of ``routes`` that applies to each subject, target by target in the request's order,
    within the request's deployment budget (counted from ``started``); each check is emitted as a
    ``deploy`` event the moment it finishes."""
    checks: list[DeployCheck] = []
    with tempfile.TemporaryDirectory(prefix="advisor-deploy-") as name:
        for index, subject in enumerate(subjects):
            folder = Path(name) / f"{index}-{subject.workload}"
            folder.mkdir()
            targets = [t for t in request.deploy if subject.targets is None or t in subject.targets]
            emit("deploy_start", {"targets": targets, "workload": subject.workload})
            for target in targets:
                for route in routes:
                    if route.target != target or not route.applies(subject):
                        continue
                    if time.perf_counter() - started > request.deploy_budget_s:
                        item = not_checked(target, subject.workload, route.describe(subject), BUDGET_EXHAUSTED)
                    else:
                        item = check(route, subject, folder)
                    emit("deploy", item.model_dump(mode="json"))
                    checks.append(item)
    return checks
