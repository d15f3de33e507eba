"""Entry point shared by the framework children: request on stdin, events on stderr, result on stdout.

Exactly one JSON document is written to stdout, whatever happens inside (a failure becomes a result
with status ``error`` and its traceback). Per-cell results are also streamed to stderr as
``@@probe <json>`` lines, so the parent keeps them if the child crashes or hangs later.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

CHILD_STARTED = time.perf_counter()  # before the framework import, which the budget includes

from pydantic import ValidationError  # noqa: E402

from advisor.probing.child.backend import Backend  # noqa: E402
from advisor.probing.child.measure import run_cells  # noqa: E402
from advisor.probing.protocol import PROTOCOL_VERSION, DeployCheck, ProbeRequest, ProbeResult  # noqa: E402

EVENT_PREFIX = "@@probe "


def emit(event: str, payload: dict[str, Any]) -> None:
    sys.stderr.write(EVENT_PREFIX + json.dumps({"event": event, **payload}) + "\n")
    sys.stderr.flush()


def _allowance(request: ProbeRequest) -> float:
    return request.budget_s + (request.deploy_budget_s if request.deploy else 0.0)


def _deploy(backend: Backend, request: ProbeRequest) -> list[DeployCheck]:
    """The deployment checks, each streamed as an event so a later crash keeps them."""
    if not request.deploy:
        return []
    emit("deploy_start", {"targets": list(request.deploy)})
    checks = backend.deploy(request, time.perf_counter())
    for item in checks:
        emit("deploy", item.model_dump(mode="json"))
    return checks


def _own_model(
    backend: Backend, request: ProbeRequest, environment: Any, settings: dict[str, Any]
) -> tuple[Any, ProbeResult | None]:
    """The team's own model, loaded (its settings join the child's), or the result that refuses it: a
    factory or file that is not a model comes back as one line in ``model_error``, never a traceback."""
    from advisor.probing.child.own_model import ModelLoadError, load

    try:
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


def _after_cells(own: Any) -> dict[str, Any]:
    """What only the measurement could tell: whether Keras kept ``jit_compile`` on (it turns it off for
    models XLA cannot compile)."""
    effective = getattr(own, "jit_compile_effective", None)
    return {} if effective is None else {"own_model_jit_compile_effective": effective}


def _own_deploy(own: Any, request: ProbeRequest, fault: str) -> list[DeployCheck]:
    """The own model's deployment checks, each streamed as it finishes (so a crash later keeps them)."""
    if not request.deploy:
        return []

    def streamed(event: str, payload: dict[str, Any]) -> None:
        emit(event, payload)
        if fault == "crash:deploy" and event == "deploy":  # test hook: die after the first check
            os.abort()

    return list(own.deploy(request, time.perf_counter(), streamed))


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


def main(framework: str, make_backend: Callable[[], Backend]) -> int:
    """Run the request on stdin with the backend ``make_backend`` builds; always print one result."""
    result_fd = _reserve_stdout()
    try:
        request = ProbeRequest.model_validate_json(sys.stdin.read())
    except ValidationError as error:
        result = ProbeResult(framework=framework, status="error", message=f"bad request: {error}")  # type: ignore[arg-type]
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
            own, refused = _own_model(backend, request, environment, settings)
            if refused is not None:
                _write_result(result_fd, refused)
                return 0
        cells = run_cells(
            backend, request, CHILD_STARTED, fault, emit, str(settings.get("device", "")) or None, own=own
        )
        checks = _deploy(backend, request) if request.workloads else []
        if own is not None:
            settings.update(_after_cells(own))
            checks += _own_deploy(own, request, fault)
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
            over_budget=wall > _allowance(request),
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
