"""Runs one framework probe in its own child process, with a time-out, and always returns a result.

The parent never imports a framework: it checks that the package is installed with ``find_spec``,
starts ``advisor.probing.<framework>.probe`` through :mod:`advisor.probing.child.bootstrap` in a new
process group, writes the request, and reads exactly one JSON result. A child that crashes or hangs comes back as status
``crashed`` or ``timeout`` with the cells it had finished (streamed on stderr), so one failure never
loses the other results.

Every result leaves here with the parent's accounting (:func:`_accounted`): ``wall_s`` is the time from
starting the child to its exit, what the user waited, interpreter start and exit included;
``budget_s`` is the whole allowance (the measurement budget, plus the deployment checks' allowance
when there were checks to run); and ``over_budget`` is exactly ``wall_s > budget_s``. A run once
reported ``wall_s 97.4, budget_s 90, over_budget false``: the child had compared its own clock with
the allowance, deployment checks included, while reporting the measurement budget alone.

The child cannot import from the working directory (``python -m`` would put it first on ``sys.path``,
so a stray ``torch.py`` there would run). It lives in its own session, so Ctrl-C in a terminal reaches
only the parent: SIGINT and SIGTERM are forwarded to the child's process group, the child gets
:data:`STOP_GRACE_S` to exit before the group is killed, and it is always waited for before the signal
goes on to the parent's previous handler (KeyboardInterrupt, exit 130). No child outlives the parent.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from pydantic import ValidationError

from advisor.evidence.protocol import (
    EVENT_PREFIX,
    OWN_MODEL,
    PROTOCOL_VERSION,
    CellResult,
    DeployCheck,
    Environment,
    ProbeRequest,
    ProbeResult,
    Runtime,
)
from advisor.probing.child.command import child_command
from advisor.probing.install_hints import FRAMEWORKS

MODULES = {  # the child module of each runtime (each a folder of its own, see advisor/probing/__init__.py)
    "pytorch": "advisor.probing.pytorch.probe",
    "tensorflow": "advisor.probing.tensorflow.probe",
    "jax": "advisor.probing.jax.probe",
    # an .onnx model of the team's, measured as a baseline (never a candidate framework)
    "onnxruntime": "advisor.probing.onnxruntime.probe",
}
GRACE_S = 30.0  # beyond the budget before the child is killed: it must be free to report over-budget
STOP_GRACE_S = 0.5  # after a forwarded Ctrl-C/SIGTERM, before the child's group is killed
FORWARDED = (signal.SIGINT, signal.SIGTERM)
STDERR_TAIL = 40

OnEvent = Callable[[str, dict[str, Any]], None]


def framework_installed(framework: Runtime) -> bool:
    return importlib.util.find_spec(FRAMEWORKS[framework][0]) is not None


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
        package, hint = FRAMEWORKS[request.framework]
        missing = ProbeResult(
            framework=request.framework, status="missing", message=f"{package} is not installed: {hint}"
        )
        return _accounted(missing, request, 0.0)
    limit = timeout_s if timeout_s is not None else request.allowance_s() + GRACE_S
    started = time.perf_counter()
    guard = _ChildGuard()
    try:
        with guard:
            process = guard.process = subprocess.Popen(
                child_command(MODULES[request.framework]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
                env=child_environment(extra_env),
            )
            result = _talk(process, request, limit, on_event, started)
            return _accounted(result, request, time.perf_counter() - started)
    except _Signalled as signalled:  # the child is gone, the previous handlers are back
        signal.raise_signal(signalled.signum)  # KeyboardInterrupt for SIGINT; SIG_DFL ends the process
        stopped = ProbeResult(  # a handler of the application's that chose to carry on
            framework=request.framework,
            status="crashed",
            message=f"stopped: the advisor received {signal.Signals(signalled.signum).name}",
        )
        return _accounted(stopped, request, time.perf_counter() - started)


def _accounted(result: ProbeResult, request: ProbeRequest, wall: float) -> ProbeResult:
    """``result`` with the parent's wall time (never less than the child's own), the whole allowance as
    its budget, and ``over_budget`` exactly when the one exceeds the other."""
    wall_s = max(wall, result.wall_s)
    budget_s = request.allowance_s()
    return result.model_copy(update={"wall_s": wall_s, "budget_s": budget_s, "over_budget": wall_s > budget_s})


def _talk(
    process: subprocess.Popen[str], request: ProbeRequest, limit: float, on_event: OnEvent | None, started: float
) -> ProbeResult:
    """Send the request and collect the result (or what the child streamed before it crashed or hung)."""
    events = _EventReader(process, on_event)
    stdout: list[str] = []
    reader = threading.Thread(target=lambda: stdout.append(process.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # a child that died at once: its exit status says why
        process.stdin.write(request.model_dump_json())
    with contextlib.suppress(BrokenPipeError):
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
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _stop(process: subprocess.Popen[str]) -> None:
    """Give a signalled child :data:`STOP_GRACE_S` to exit, then kill its whole group; wait for it either way."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_GRACE_S)
    _kill(process)  # also any grandchildren still in the group


class _Signalled(BaseException):
    """Raised in the parent's main thread by a forwarded SIGINT/SIGTERM, to leave the wait for the child;
    :func:`run_probe` passes the signal on to the previous handler once the child is gone."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _ChildGuard:
    """Keeps a child from outliving the parent's run of it. While it is entered, SIGINT and SIGTERM go on
    to the child's process group and the first one interrupts the parent (:class:`_Signalled`); a second
    one kills the group at once. On any exception (that one, a KeyboardInterrupt, a bug) the child gets
    :data:`STOP_GRACE_S` to exit, then its group is killed and it is waited for; only then do the previous
    handlers come back. Signals the parent ignores stay ignored; outside the main thread, where handlers
    cannot be set, only the clean-up on an exception applies."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self._interrupted = False  # the first signal has interrupted the parent: later ones only kill
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _ChildGuard:
        if threading.current_thread() is not threading.main_thread():
            return self
        for signum in FORWARDED:
            previous = signal.getsignal(signum)
            if previous in (signal.SIG_IGN, None):  # None: set outside Python; leave it alone
                continue
            self._previous[signum] = previous
            signal.signal(signum, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            if kind is not None and self.process is not None:
                self._interrupted = True  # a signal now must not interrupt the clean-up
                if not issubclass(kind, _Signalled):  # not told yet: a bug here, or an exception of the caller's
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(self.process.pid, signal.SIGTERM)
                _stop(self.process)
        finally:
            for signum, previous in self._previous.items():
                signal.signal(signum, previous)
            self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = not self._interrupted
        self._interrupted = True
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum if first else signal.SIGKILL)
        if first:
            raise _Signalled(signum)


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
                if not isinstance(event, dict):  # "@@probe [1]": not an event; keep draining the pipe
                    raise ValueError("an event is a JSON object")
                kind = event.pop("event")
                if kind == "cell":
                    self.cells.append(CellResult.model_validate(event))
                elif kind == "deploy":
                    self.checks.append(DeployCheck.model_validate(event))
                elif kind == "environment":
                    self.environment = Environment.model_validate(event["environment"])
                    settings = event.get("settings", {})
                    self.settings = settings if isinstance(settings, dict) else {}
            except (ValueError, KeyError, TypeError, ValidationError):
                self.tail = ([*self.tail, line.rstrip()])[-STDERR_TAIL:]
                continue
            if self._on_event is not None:
                self._on_event(kind, event)

    def join(self) -> None:
        self._thread.join(timeout=10)

    def recovered(self, request: ProbeRequest, status: str, reason: str, wall: float) -> ProbeResult:
        done = {(c.workload, c.mode) for c in self.cells}
        planned = ([OWN_MODEL] if request.model is not None else []) + list(request.workloads)
        missing = [
            CellResult(workload=w, mode=m, status="not_run", message=reason)  # type: ignore[arg-type]
            for w in planned
            for m in request.modes
            if (w, m) not in done
        ]
        checked = {c.target for c in self.checks if c.workload == OWN_MODEL}
        unchecked = (
            [
                DeployCheck(target=t, workload=OWN_MODEL, route="-", status="not_checked", message=f"not run: {reason}")
                for t in request.deploy
                if t not in checked
            ]
            if request.model is not None
            else []
        )
        tail = "\n".join(self.tail[-15:])
        return ProbeResult(
            framework=request.framework,
            status=status,
            environment=self.environment,  # type: ignore[arg-type]
            settings=self.settings,
            cells=self.cells + missing,
            deploy_checks=self.checks + unchecked,
            wall_s=wall,
            message=reason + (f"; {len(self.cells)} cell(s) kept" if self.cells else ""),
            traceback=tail or None,
        )
