"""A scaling launch ends as a whole: a worker killed mid-run stops the launch (the others would wait in a
collective for ever) and leaves no process behind, on every framework's launcher."""

from __future__ import annotations

import importlib.util
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.evidence.scale import ScaleRequest
from advisor.probing.scale_launch import MODULES, Cluster, run_launch

FRAMEWORKS = [
    pytest.param("pytorch", "torch", marks=pytest.mark.torch),
    pytest.param("tensorflow", "tensorflow", marks=pytest.mark.tensorflow),
    pytest.param("jax", "jax", marks=pytest.mark.jax),
]


def _commands() -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
    return found


def workers_under(marker: str, framework: str) -> list[int]:
    """Process ids of ``framework``'s scaling workers (not launchers) whose command line names ``marker``."""
    return [
        pid
        for pid, command in _commands().items()
        if MODULES[framework] in command and marker in command and "torch.distributed.run" not in command
    ]


def anything_under(marker: str) -> list[str]:
    return [c for pid, c in _commands().items() if marker in c and pid != os.getpid() and "pytest" not in c]


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize(("framework", "package"), FRAMEWORKS)
def test_a_killed_worker_stops_the_launch_and_leaves_no_process(tmp_path: Path, framework: str, package: str) -> None:
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} is not installed")
    marker = str(tmp_path / "scaled")
    request = ScaleRequest(
        framework=framework,  # type: ignore[arg-type]
        workloads=["transformer", "cnn"],
        workers=2,
        reference_workers=2,
        threads_per_worker=1,
        steps=10_000,  # far more than the time allows: the run is still going when the worker is killed
        budget_s=120,
        out_dir=marker,
    )

    def kill_one() -> None:
        if wait_for(lambda: len(workers_under(marker, framework)) == 2, timeout=90):
            time.sleep(4.0)  # into the measurements, collectives under way
            pids = workers_under(marker, framework)
            if pids:
                os.kill(max(pids), signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    ended = run_launch(framework, request, Cluster(workers_per_node=2), timeout_s=200)  # type: ignore[arg-type]
    killer.join()
    assert ended.status == "crashed", ended
    assert "ended" in ended.message and "the launch was stopped" in ended.message
    assert ended.wall_s < 150  # stopped when the worker died, not waited out to the time limit
    assert wait_for(lambda: not anything_under(marker), timeout=10), anything_under(marker)
