"""TensorFlow's scaling worker, launched as the parent launches it: one process per worker with its
``TF_CONFIG``, first a 1-worker world (which also computes the reference losses), then a 2-worker one
whose global losses must reproduce them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

pytest.importorskip("tensorflow")

from advisor.evidence.scale import ScaleRequest, WorkerReport
from advisor.probing.child.command import child_command
from advisor.probing.child.scale import LOCAL_RANK_ENV, RANK_ENV, T0_ENV, WORLD_ENV

pytestmark = pytest.mark.tensorflow

WORKLOADS = ["transformer", "cnn"]
TOLERANCE = 1e-4
TIMEOUT_S = 240


def free_ports(count: int) -> list[int]:
    """Ports the kernel handed out to sockets bound (all at once, so they differ) and then closed."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def launch(tmp_path: Path, workers: int) -> list[WorkerReport]:
    """One world of ``workers`` processes; every rank's report."""
    out = tmp_path / f"out{workers}"
    out.mkdir()
    request = ScaleRequest(
        framework="tensorflow",
        workloads=WORKLOADS,  # type: ignore[arg-type]
        strategies=["data_parallel", "sharded"],
        workers=workers,
        reference_workers=2,
        threads_per_worker=1,
        steps=3,
        warmup=1,
        collective_repeats=3,
        message_bytes=[1 << 16, 1 << 20],
        budget_s=120,
        out_dir=str(out),
    )
    path = tmp_path / f"request{workers}.json"
    path.write_text(request.model_dump_json())
    addresses = [f"127.0.0.1:{port}" for port in free_ports(workers)]
    processes = []
    for rank in range(workers):
        config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": rank}}
        env = {
            **os.environ,
            "TF_CONFIG": json.dumps(config),
            RANK_ENV: str(rank),
            WORLD_ENV: str(workers),
            LOCAL_RANK_ENV: str(rank),
            T0_ENV: str(time.time()),
        }
        command = [*child_command("advisor.probing.tensorflow.scale"), str(path)]
        log = (tmp_path / f"rank{rank}-of-{workers}.log").open("w")
        processes.append(subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + TIMEOUT_S
    try:
        codes = [process.wait(timeout=max(1.0, deadline - time.monotonic())) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    logs = "\n".join(log.read_text()[-3000:] for log in sorted(tmp_path.glob(f"rank*-of-{workers}.log")))
    assert codes == [0] * workers, logs
    return [WorkerReport.model_validate_json((out / f"rank{rank}.json").read_text()) for rank in range(workers)]


def max_rel_diff(reference: list[float], measured: list[float]) -> float:
    return max(abs(m - r) / max(abs(r), 1e-12) for r, m in zip(reference, measured, strict=True))


def test_one_and_two_workers_train_alike_and_time_their_collectives(tmp_path: Path) -> None:
    single = launch(tmp_path, 1)
    scaled = launch(tmp_path, 2)

    for report in (*single, *scaled):
        assert report.status == "ok", report.traceback
        assert report.settings["threads"] == 1 and report.settings["inter_op_threads"] == 1
        assert report.settings["collectives"] == "CommunicationImplementation.RING"
        assert report.environment is not None and report.startup_s is not None
        assert [(cell.workload, cell.strategy) for cell in report.cells] == [
            (workload, strategy) for workload in WORKLOADS for strategy in ("data_parallel", "sharded")
        ]
        for cell in report.cells:
            if cell.strategy == "sharded":
                assert cell.status == "not_run"
                assert "no sharded-parameter strategy" in cell.message and "dtensor" in cell.message
                continue
            assert cell.status == "ok", cell.message
            assert cell.implementation.startswith("MultiWorkerMirroredStrategy")
            assert len(cell.step_samples) == 3 and cell.step is not None and cell.first_step_s
            assert len(cell.losses) == 3
            assert cell.peak_memory_bytes and cell.peak_memory_bytes > 0 and cell.memory_source
    assert [report.rank for report in scaled] == [0, 1]

    # The 2-worker run's global mean losses are the single process's on the same global batch, on both ranks.
    references = {cell.workload: cell.reference_losses for cell in single[0].cells if cell.strategy == "data_parallel"}
    for report in scaled:
        for cell in report.cells:
            if cell.strategy == "data_parallel":
                assert len(references[cell.workload]) == 3 and not cell.reference_losses
                assert max_rel_diff(references[cell.workload], cell.losses) <= TOLERANCE, cell.workload

    # Collectives: only a world of several workers times them, every size on every rank.
    assert not single[0].collectives
    for report in scaled:
        assert [cell.size_bytes for cell in report.collectives] == [1 << 16, 1 << 20]
        assert all(len(cell.samples) == 3 and cell.time.median > 0 for cell in report.collectives)
