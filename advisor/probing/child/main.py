"""Entry point shared by the framework children: request on stdin, events on stderr, result on stdout.

Each framework's ``probe`` module calls :func:`main` with its backend, its route table and the kinds of
the team's model it can load, so nothing here imports a framework (or a framework's folder). Exactly
one JSON document is written to stdout, whatever happens inside (a failure becomes a result with
status ``error`` and its traceback). Per-cell results and deployment checks are also streamed to
stderr as events (:data:`~advisor.evidence.protocol.EVENT_PREFIX`), so the parent keeps them if the
child crashes or hangs later.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

CHILD_STARTED = time.perf_counter()  # before the framework import, which the budget includes

from pydantic import ValidationError  # noqa: E402

from advisor.evidence.protocol import (  # noqa: E402
    EVENT_PREFIX,
    PROTOCOL_VERSION,
    DeployCheck,
    Environment,
    ProbeRequest,
    ProbeResult,
    Runtime,
)
from advisor.probing.child.backend import Backend  # noqa: E402
from advisor.probing.child.measure import run_cells  # noqa: E402
from advisor.probing.child.own_model import ModelLoadError, OwnModel  # noqa: E402
from advisor.probing.child.routes import Route, Subject, run_routes  # noqa: E402

LoadModel = Callable[[Any, ProbeRequest], OwnModel]  # (the child's backend, the request) -> the team's model


def emit(event: str, payload: dict[str, Any]) -> None:
    sys.stderr.write(EVENT_PREFIX + json.dumps({"event": event, **payload}) + "\n")
    sys.stderr.flush()


def _own_model(
    framework: Runtime,
    models: Mapping[str, LoadModel],
    backend: Backend,
    request: ProbeRequest,
    environment: Environment,
    settings: dict[str, Any],
) -> tuple[OwnModel | None, ProbeResult | None]:
    """The team's own model, loaded (its settings join the child's), or the result that refuses it: a
    factory or file that is not a model comes back as one line in ``model_error``, never a traceback."""
    source = request.model
    assert source is not None
    try:
        load = models.get(source.kind)
        if load is None:
            raise ModelLoadError(f"{source.ref}: a {source.kind} model cannot be probed in the {framework} child")
        own = load(backend, request)
    except ModelLoadError as error:
        line = str(error)
        return None, ProbeResult(
            framework=request.framework,
            status="error",
            message=line[:2000],
            model_error=line[:4000],
            environment=environment,
            settings=settings,
            wall_s=time.perf_counter() - CHILD_STARTED,
            budget_s=request.budget_s,
        )
    settings.update(own.settings())
    emit("environment", {"environment": environment.model_dump(mode="json"), "settings": settings})
    emit("model", {"params": getattr(own, "params", None), "batches": list(own.batches)})
    return own, None


def _after_cells(own: OwnModel) -> dict[str, Any]:
    """What only the measurement could tell: whether Keras kept ``jit_compile`` on (it turns it off for
    models XLA cannot compile)."""
    effective = getattr(own, "jit_compile_effective", None)
    return {} if effective is None else {"own_model_jit_compile_effective": effective}


def _deploy(
    backend: Backend, own: OwnModel | None, routes: Sequence[Route[Any]], request: ProbeRequest, fault: str
) -> list[DeployCheck]:
    """The route table run on the probe workloads' models, then on the team's model, each check streamed
    the moment it finishes (so a crash later keeps it)."""
    if not request.deploy:
        return []

    def subjects() -> Iterator[Subject]:
        yield from backend.subjects(request)
        subject = own.subject() if own is not None else None
        if subject is not None:
            yield subject

    def streamed(event: str, payload: dict[str, Any]) -> None:
        emit(event, payload)
        if fault == "crash:deploy" and event == "deploy":  # test hook: die after the first check
            os.abort()

    return run_routes(routes, subjects(), request, time.perf_counter(), streamed)


def _reserve_stdout() -> int:
    """Keep the real stdout for the one result; everything else that prints (converters, C++ logging)
    goes to stderr, at the file-descriptor level so prints from native code cannot corrupt the protocol."""
    sys.stdout.flush()
    result_fd = os.dup(1)
    os.dup2(2, 1)
    return result_fd


def _write_result(result_fd: int, result: ProbeResult) -> None:
    sys.stdout.flush()
    with os.fdopen(result_fd, "w", encoding="utf-8") as handle:
        handle.write(result.model_dump_json() + "\n")


def main(
    framework: Runtime,
    make_backend: Callable[[], Backend],
    routes: Sequence[Route[Any]] = (),
    models: Mapping[str, LoadModel] | None = None,
) -> int:
    """Run the request on stdin with the backend ``make_backend`` builds, the framework's route table
    ``routes`` and its loaders of the team's model by kind (``models``); always print one result."""
    result_fd = _reserve_stdout()
    try:
        request = ProbeRequest.model_validate_json(sys.stdin.read())
    except ValidationError as error:
        result = ProbeResult(framework=framework, status="error", message=f"bad request: {error}")
        _write_result(result_fd, result)
        return 0
    fault = os.environ.get("ADVISOR_PROBE_FAULT", "")
    settings: dict[str, Any] = {}
    environment = None
    try:
        backend = make_backend()
        settings = backend.setup(request)
        environment = backend.environment(request)
        emit("environment", {"environment": environment.model_dump(mode="json"), "settings": settings})
        own = None
        if request.model is not None:
            own, refused = _own_model(framework, models or {}, backend, request, environment, settings)
            if refused is not None:
                _write_result(result_fd, refused)
                return 0
        cells = run_cells(
            backend, request, CHILD_STARTED, fault, emit, str(settings.get("device", "")) or None, own=own
        )
        if own is not None:
            settings.update(_after_cells(own))
        checks = _deploy(backend, own, routes, request, fault)
        wall = time.perf_counter() - CHILD_STARTED
        status = "ok" if all(c.status == "ok" for c in cells) else "partial"
        result = ProbeResult(
            framework=request.framework,
            status=status,
            environment=environment,
            settings=settings,
            cells=cells,
            deploy_checks=checks,
            wall_s=wall,
            budget_s=request.budget_s,
            over_budget=wall > request.allowance_s(),
            message="" if status == "ok" else "some cells did not complete",
        )
    except Exception as error:
        result = ProbeResult(
            framework=request.framework,
            status="error",
            environment=environment,
            settings=settings,
            message=f"{type(error).__name__}: {error}"[:2000],
            traceback=traceback.format_exc()[-8000:],
            wall_s=time.perf_counter() - CHILD_STARTED,
            budget_s=request.budget_s,
        )
    assert result.protocol_version == PROTOCOL_VERSION
    _write_result(result_fd, result)
    return 0
