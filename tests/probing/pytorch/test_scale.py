"""PyTorch's scaling probe for real, on CPU with 2 workers under torchrun: it starts, the DDP and FSDP2
losses agree with one process, it reports efficiency and bandwidth, and Ctrl-C leaves no process behind
(a killed worker, on every framework: test_scale_teardown.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")

from tests.conftest import ROOT
from tests.probing.test_scale_teardown import wait_for, workers_under

pytestmark = pytest.mark.torch


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


def test_ctrl_c_stops_every_worker(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "advisor", "probe", "--scale", "2", "-F", "pytorch", "--device", "cpu"]
    command += ["--budget", "300"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    try:
        assert wait_for(lambda: len(workers_under("advisor-scale-", "pytorch")) >= 2, timeout=90), "no worker started"
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert wait_for(lambda: not workers_under("advisor-scale-", "pytorch"), timeout=10)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}
