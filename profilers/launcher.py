"""Runs one framework probe in its own child process, with a time-out, and always returns a result.

The parent never imports a framework: it checks that the package is installed with ``find_spec``,
starts ``python -m profilers.<module>`` in a new process group, writes the request, and reads exactly
one JSON result. A child that crashes or hangs comes back as status ``crashed`` or ``timeout`` with
the cells it had finished (streamed on stderr), so one failure never loses the other results.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from profilers._child import EVENT_PREFIX
from profilers.protocol import PROTOCOL_VERSION, CellResult, DeployCheck, Environment, ProbeRequest, ProbeResult

MODULES = {"pytorch": "profilers.torch_probe", "tensorflow": "profilers.tf_probe"}
PACKAGES = {
    "pytorch": ("torch", "pip install torch (CPU machines: torch==2.13.0 from a CPU wheel)"),
    "tensorflow": ("tensorflow", "pip install tensorflow (CPU machines: tensorflow-cpu)"),
}
GRACE_S = 30.0  # beyond the budget before the child is killed: it must be free to report over-budget
STDERR_TAIL = 40

OnEvent = Callable[[str, dict[str, Any]], None]


def framework_installed(framework: str) -> bool:
    return importlib.util.find_spec(PACKAGES[framework][0]) is not None


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "2")})
    env.update(extra or {})
    return env


def run_probe(
    request: ProbeRequest,
    *,
    timeout_s: float | None = None,
    on_event: OnEvent | None = None,
    extra_env: dict[str, str] | None = None,
) -> ProbeResult:
    """Run ``request`` in a child process and return its result (never raises for child failures)."""
    if not framework_installed(request.framework):
        package, hint = PACKAGES[request.framework]
        return ProbeResult(
            framework=request.framework,
            status="missing",
            message=f"{package} is not installed: {hint}",
            budget_s=request.budget_s,
        )
    allowance = request.budget_s + (request.deploy_budget_s if request.deploy else 0.0)
    limit = timeout_s if timeout_s is not None else allowance + GRACE_S
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", MODULES[request.framework]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=child_environment(extra_env),
    )
    events = _EventReader(process, on_event)
    stdout: list[str] = []
    reader = threading.Thread(target=lambda: stdout.append(process.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    assert process.stdin is not None
    process.stdin.write(request.model_dump_json())
    process.stdin.close()
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        events.join()
        return events.recovered(
            request, "timeout", f"no result within {limit:.0f} s; the child was killed", time.perf_counter() - started
        )
    reader.join(timeout=10)
    events.join()
    return _result(request, process.returncode, "".join(stdout), events, time.perf_counter() - started)


def _kill(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _result(request: ProbeRequest, code: int, stdout: str, events: _EventReader, wall: float) -> ProbeResult:
    lines = [line for line in stdout.splitlines() if line.strip()]
    if code == 0 and len(lines) == 1:
        try:
            result = ProbeResult.model_validate_json(lines[0])
        except ValidationError as error:
            return events.recovered(
                request, "error", f"the child's result does not match the protocol: {error.errors()[0]['msg']}", wall
            )
        if result.protocol_version != PROTOCOL_VERSION:
            return events.recovered(
                request, "error", f"protocol {result.protocol_version} is not {PROTOCOL_VERSION}", wall
            )
        return result
    if code < 0:
        reason = f"the child died with {signal.Signals(-code).name}"
    else:
        reason = f"the child exited with code {code} and {len(lines)} result lines"
    return events.recovered(request, "crashed", reason, wall)


class _EventReader:
    """Reads the child's stderr: progress events, finished cells, and a tail of everything else."""

    def __init__(self, process: subprocess.Popen[str], on_event: OnEvent | None) -> None:
        self.cells: list[CellResult] = []
        self.checks: list[DeployCheck] = []
        self.environment: Environment | None = None
        self.settings: dict[str, Any] = {}
        self.tail: list[str] = []
        self._on_event = on_event
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if not line.startswith(EVENT_PREFIX):
                self.tail = ([*self.tail, line.rstrip()])[-STDERR_TAIL:]
                continue
            try:
                event = json.loads(line[len(EVENT_PREFIX) :])
                kind = event.pop("event")
                if kind == "cell":
                    self.cells.append(CellResult.model_validate(event))
                elif kind == "deploy":
                    self.checks.append(DeployCheck.model_validate(event))
                elif kind == "environment":
                    self.environment = Environment.model_validate(event["environment"])
                    self.settings = event.get("settings", {})
            except (ValueError, KeyError, ValidationError):
                self.tail = ([*self.tail, line.rstrip()])[-STDERR_TAIL:]
                continue
            if self._on_event is not None:
                self._on_event(kind, event)

    def join(self) -> None:
        self._thread.join(timeout=10)

    def recovered(self, request: ProbeRequest, status: str, reason: str, wall: float) -> ProbeResult:
        done = {(c.workload, c.mode) for c in self.cells}
        missing = [
            CellResult(workload=w, mode=m, status="not_run", message=reason)
            for w in request.workloads
            for m in request.modes
            if (w, m) not in done
        ]
        tail = "\n".join(self.tail[-15:])
        return ProbeResult(
            framework=request.framework,
            status=status,
            environment=self.environment,  # type: ignore[arg-type]
            settings=self.settings,
            cells=self.cells + missing,
            deploy_checks=self.checks,
            wall_s=wall,
            budget_s=request.budget_s,
            over_budget=wall > request.budget_s,
            message=reason + (f"; {len(self.cells)} cell(s) kept" if self.cells else ""),
            traceback=tail or None,
        )
