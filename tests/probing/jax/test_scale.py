"""JAX's scaling worker, launched as the parent launches it: one process per worker through the child
bootstrap, joined by ``jax.distributed.initialize`` (gloo collectives on CPU).

A 1-process launch (which also computes the reference losses at the 2-worker global batch) and, at the
same time, a 2-process launch of the transformer and the CNN under both strategies, at the fewest steps a cell
accepts: both launches report ok, the 2-process losses equal the single process's on the whole global
batch, every rank reports its memory, and the all-reduce sizes have timings. Opt-in with the ``jax``
marker; skipped where JAX is not installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from advisor.evidence.scale import ScaleRequest, WorkerCell, WorkerReport
from advisor.probing.child.command import child_command
from advisor.probing.child.scale import COORDINATOR_ENV, LOCAL_RANK_ENV, RANK_ENV, T0_ENV, WORLD_ENV

pytest.importorskip("jax")

pytestmark = pytest.mark.jax

WORKLOADS = ["transformer", "cnn"]
STRATEGIES = ["data_parallel", "sharded"]
TOLERANCE = 1e-4  # relative, on each checked step's global mean loss
TIMEOUT_S = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(tmp_path: Path, workers: int) -> list[tuple[subprocess.Popen[bytes], Path]]:
    """Start ``workers`` processes of the JAX scaling worker on one request, as the parent does."""
    out_dir = tmp_path / f"out{workers}"
    out_dir.mkdir()
    request = ScaleRequest(
        framework="jax",
        workloads=WORKLOADS,  # type: ignore[arg-type]
        workers=workers,
        reference_workers=2,
        threads_per_worker=1,
        steps=3,
        warmup=1,
        collective_repeats=3,
        message_bytes=[1 << 10, 1 << 20],
        budget_s=120,
        out_dir=str(out_dir),
    )
    request_file = tmp_path / f"request{workers}.json"
    request_file.write_text(request.model_dump_json())
    port = _free_port()
    started = []
    for rank in range(workers):
        env = {
            **os.environ,
            T0_ENV: repr(time.time()),
            RANK_ENV: str(rank),
            WORLD_ENV: str(workers),
            LOCAL_RANK_ENV: str(rank),
            COORDINATOR_ENV: f"127.0.0.1:{port}",
        }
        command = [*child_command("advisor.probing.jax.scale"), str(request_file)]
        log = tmp_path / f"workers{workers}.rank{rank}.log"  # a file, not a pipe: no rank blocks on a full pipe
        with log.open("wb") as sink:
            process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT)
        started.append((process, log))
    return started


def _reports(tmp_path: Path, workers: int) -> list[WorkerReport]:
    out_dir = tmp_path / f"out{workers}"
    return [WorkerReport.model_validate_json((out_dir / f"rank{rank}.json").read_text()) for rank in range(workers)]


def _cells(report: WorkerReport) -> dict[tuple[str, str], WorkerCell]:
    return {(cell.workload, cell.strategy): cell for cell in report.cells}


def test_two_workers_reproduce_the_single_process_losses(tmp_path: Path) -> None:
    # Both launches at once (they share nothing but the CPUs; no timing is asserted): half the wall time.
    started = _start(tmp_path, 1) + _start(tmp_path, 2)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        for process, _ in started:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for process, _ in started:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, log in started:
        assert process.returncode == 0, log.read_text(errors="replace")[-4000:]
    single, scaled = _reports(tmp_path, 1), _reports(tmp_path, 2)
    for report in [*single, *scaled]:
        assert report.status == "ok", (report.message, report.traceback)
        assert report.environment is not None and report.environment.framework_version
        assert report.settings["threads"] == 1
        assert [(cell.workload, cell.strategy) for cell in report.cells] == [
            (workload, strategy) for workload in WORKLOADS for strategy in STRATEGIES
        ]
        for cell in report.cells:
            assert cell.status == "ok", cell.message
            assert cell.implementation and cell.per_worker_batch > 0
            assert cell.step is not None and len(cell.step_samples) == 3
            assert cell.first_step_s is not None and cell.first_step_s > 0
            assert cell.peak_memory_bytes and cell.memory_source
    assert [report.rank for report in scaled] == [0, 1]
    assert scaled[0].settings["collectives"] == "gloo"
    reference = _cells(single[0])
    for report in scaled:
        for key, cell in _cells(report).items():
            expected, measured = reference[key].reference_losses, cell.losses
            assert len(expected) == len(measured) == 3, key
            for want, got in zip(expected, measured, strict=True):
                assert abs(got - want) <= TOLERANCE * abs(want), (key, expected, measured)
        assert [cell.size_bytes for cell in report.collectives] == [1 << 10, 1 << 20]
        assert all(len(cell.samples) == 3 and cell.time.median > 0 for cell in report.collectives)
    assert single[0].collectives == []  # one worker has nothing to all-reduce with
