"""PyTorch's scaling probe for real, on CPU with 2 workers under torchrun: it starts, the DDP and FSDP2
losses agree with one process, it reports efficiency and bandwidth; a worker killed mid-run and a
Ctrl-C both leave no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")

from advisor.evidence.scale import ScaleRequest
from advisor.probing.scale_launch import Cluster, run_launch
from tests.conftest import ROOT

pytestmark = pytest.mark.torch
WORKER = "advisor.probing.pytorch.scale"


def workers_under(marker: str) -> list[int]:
    """Process ids of scaling workers (not launchers) whose command line names ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if WORKER in command and marker in command and "torch.distributed.run" not in command:
            found.append(int(entry.name))
    return found


def anything_under(marker: str) -> list[str]:
    left = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in command and str(os.getpid()) != entry.name and "pytest" not in command:
                left.append(command)
    return left


def wait_for(predicate, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_two_workers_reproduce_one_process_and_report_scaling(tmp_path: Path) -> None:
    saved = tmp_path / "scale.json"
    command = [sys.executable, "-m", "advisor", "probe", "--scale", "2", "-F", "pytorch", "--device", "cpu"]
    command += ["-w", "transformer", "--budget", "40", "-o", str(saved)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr[-3000:]
    scale = json.loads(saved.read_text())["scale"]
    rows = {r["strategy"]: r for r in scale["rows"]}
    assert set(rows) == {"data_parallel", "sharded"}
    for row in rows.values():
        assert row["status"] == "ok", row["message"]
        assert row["numerics"]["ok"] and row["numerics"]["max_rel_diff"] <= 1e-3
        assert row["efficiency"] > 0 and row["memory_scaled_bytes"] > 0
    assert "DistributedDataParallel" in rows["data_parallel"]["implementation"]
    assert "FSDP2" in rows["sharded"]["implementation"]
    assert [b["size_bytes"] for b in scale["bandwidth"]] == sorted(b["size_bytes"] for b in scale["bandwidth"])
    assert all(b["busbw_gbps"] > 0 for b in scale["bandwidth"])
    assert scale["frameworks"][0]["launcher"].startswith("torchrun --standalone")
    spec = str(ROOT / "examples/llm-finetuning-lab.yaml")
    shown = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", spec, "--evidence", str(saved), "-f", "markdown"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert shown.returncode == 0 and "## Scaling probe" in shown.stdout


def _request(tmp_path: Path, budget: float = 120.0) -> ScaleRequest:
    return ScaleRequest(
        framework="pytorch",
        workloads=["transformer", "cnn"],
        workers=2,
        reference_workers=2,
        threads_per_worker=1,
        steps=10_000,  # far more than the budget allows: the run is still going when the worker is killed
        budget_s=budget,
        out_dir=str(tmp_path / "scaled"),
    )


def test_a_killed_worker_stops_the_launch_and_leaves_no_process(tmp_path: Path) -> None:
    marker = str(tmp_path / "scaled")

    def kill_one() -> None:
        if wait_for(lambda: len(workers_under(marker)) == 2):
            time.sleep(3.0)  # into the measurements, collectives under way
            pids = workers_under(marker)
            if pids:
                os.kill(max(pids), signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    ended = run_launch("pytorch", _request(tmp_path), Cluster(workers_per_node=2), timeout_s=200)
    killer.join()
    assert ended.status in ("crashed", "error"), ended
    assert ended.wall_s < 150  # stopped, not waited out to its time limit
    assert wait_for(lambda: not anything_under(marker), timeout=10), anything_under(marker)


def test_ctrl_c_stops_every_worker(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "advisor", "probe", "--scale", "2", "-F", "pytorch", "--device", "cpu"]
    command += ["--budget", "300"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    try:
        assert wait_for(lambda: len(workers_under("advisor-scale-")) >= 2, timeout=90), "no worker started"
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert wait_for(lambda: not workers_under("advisor-scale-"), timeout=10), workers_under("advisor-scale-")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}
