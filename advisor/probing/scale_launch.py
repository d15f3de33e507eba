"""Each framework's own way of starting a distributed job, and one loop that runs a launch to its end.

- PyTorch: ``torchrun`` (``python -m torch.distributed.run``): ``--standalone`` on one node, a c10d
  rendezvous at the first host's port :data:`TORCH_PORT` across nodes; it sets RANK, WORLD_SIZE and
  LOCAL_RANK and restarts nothing (``--max-restarts 0``).
- JAX: one process per worker, each calling ``jax.distributed.initialize`` with the coordinator at the
  first host's port :data:`JAX_PORT`, its process id and the process count.
- TensorFlow: one process per worker with ``TF_CONFIG`` naming every worker (``host:port``, from
  :data:`TF_PORT` up on each host) and this one's index, as ``MultiWorkerMirroredStrategy`` expects.

Every worker starts through the child bootstrap (working directory off ``sys.path``, killed by the
kernel if the process that started it dies), all processes of a launch share one process group, and
a launch ends as a whole: when one worker fails the others, stuck in a collective, are stopped; on a
time-out or Ctrl-C the group gets SIGTERM, then SIGKILL. No worker outlives its launch.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from advisor.evidence.protocol import FrameworkName
from advisor.evidence.scale import ScaleRequest, WorkerReport
from advisor.probing.child.command import child_command
from advisor.probing.child.scale import COORDINATOR_ENV, LOCAL_RANK_ENV, RANK_ENV, T0_ENV, WORLD_ENV

MODULES: dict[str, str] = {
    "pytorch": "advisor.probing.pytorch.scale",
    "tensorflow": "advisor.probing.tensorflow.scale",
    "jax": "advisor.probing.jax.scale",
}
TORCH_PORT, JAX_PORT, TF_PORT = 29400, 29500, 29600  # on the first host (TensorFlow: on every host, one per worker)
STOP_GRACE_S = 3.0  # after SIGTERM, before the group is killed
POLL_S = 0.1
LOCAL = "127.0.0.1"


@dataclass(frozen=True)
class Cluster:
    """Where a launch runs: the hosts (the first coordinates), which of them this is, workers per host."""

    hosts: tuple[str, ...] = (LOCAL,)
    node_rank: int = 0
    workers_per_node: int = 1

    @property
    def world(self) -> int:
        return len(self.hosts) * self.workers_per_node

    @property
    def single_node(self) -> bool:
        return len(self.hosts) == 1


@dataclass(frozen=True)
class Process:
    command: list[str]
    env: dict[str, str]
    name: str  # in messages: "torchrun", "worker 1"


@dataclass(frozen=True)
class Launch:
    """The processes this node starts for one launch, and the command in words for the report."""

    processes: tuple[Process, ...]
    shown: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        return int(probe.getsockname()[1])


def _worker(framework: str, request_path: Path) -> list[str]:
    return [*child_command(MODULES[framework]), str(request_path)]


def torchrun(cluster: Cluster, request_path: Path) -> Launch:
    """One torchrun per node; it starts the workers (through the bootstrap, told to die with torchrun)."""
    if cluster.single_node:
        where = ["--standalone", "--nnodes", "1"]
    else:
        endpoint = f"{cluster.hosts[0]}:{TORCH_PORT}"
        where = ["--nnodes", str(len(cluster.hosts)), "--rdzv-backend", "c10d", "--rdzv-endpoint", endpoint]
        where += ["--rdzv-id", "advisor-scale", "--node-rank", str(cluster.node_rank)]
    worker = _worker("pytorch", request_path)
    bootstrap_at = worker.index(next(a for a in worker if a.endswith("bootstrap.py")))
    script = worker[bootstrap_at:]
    script[2] = "0"  # the worker's parent is torchrun: die with it, whatever its process id
    arguments = [*where, "--nproc-per-node", str(cluster.workers_per_node), "--max-restarts", "0", *script]
    command = [*child_command("torch.distributed.run"), *arguments]
    shown = " ".join(["torchrun", *arguments[: -len(script)], "-m", MODULES["pytorch"], "REQUEST.json"])
    return Launch((Process(command, {}, "torchrun (it had lost a worker)"),), shown)


def jax_processes(cluster: Cluster, request_path: Path) -> Launch:
    coordinator = f"{cluster.hosts[0]}:{JAX_PORT if not cluster.single_node else free_port()}"
    processes = []
    for local in range(cluster.workers_per_node):
        rank = cluster.node_rank * cluster.workers_per_node + local
        env = {RANK_ENV: str(rank), WORLD_ENV: str(cluster.world), LOCAL_RANK_ENV: str(local)}
        processes.append(Process(_worker("jax", request_path), {**env, COORDINATOR_ENV: coordinator}, f"worker {rank}"))
    shown = (
        f"{cluster.workers_per_node} x python -m advisor.probing.jax.scale on this host, each calling "
        f"jax.distributed.initialize(coordinator_address={coordinator!r}, num_processes={cluster.world}, "
        "process_id=rank)"
    )
    return Launch(tuple(processes), shown)


def tf_processes(cluster: Cluster, request_path: Path) -> Launch:
    if cluster.single_node:
        addresses = [f"{LOCAL}:{free_port()}" for _ in range(cluster.workers_per_node)]
    else:
        addresses = [f"{host}:{TF_PORT + i}" for host in cluster.hosts for i in range(cluster.workers_per_node)]
    processes = []
    for local in range(cluster.workers_per_node):
        rank = cluster.node_rank * cluster.workers_per_node + local
        config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": rank}}
        env = {RANK_ENV: str(rank), WORLD_ENV: str(cluster.world), LOCAL_RANK_ENV: str(local)}
        config_env = {**env, "TF_CONFIG": json.dumps(config)}
        processes.append(Process(_worker("tensorflow", request_path), config_env, f"worker {rank}"))
    shown = (
        f"{cluster.workers_per_node} x python -m advisor.probing.tensorflow.scale on this host, each with "
        f"TF_CONFIG naming the workers {', '.join(addresses)} and its index (MultiWorkerMirroredStrategy)"
    )
    return Launch(tuple(processes), shown)


LAUNCHERS = {"pytorch": torchrun, "jax": jax_processes, "tensorflow": tf_processes}


@dataclass(frozen=True)
class Ended:
    """How a launch ended: every rank's report that was written, and what went wrong, if anything."""

    reports: tuple[WorkerReport, ...]
    status: str  # ok, error, crashed, timeout
    message: str
    wall_s: float


def run_launch(framework: FrameworkName, request: ScaleRequest, cluster: Cluster, timeout_s: float) -> Ended:
    """Start this node's processes of one launch and wait for all of them, or stop them all."""
    folder = Path(request.out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    request_path = folder / "request.json"
    request_path.write_text(request.model_dump_json())
    launch = LAUNCHERS[framework](cluster, request_path)
    started = time.perf_counter()
    base = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    base[T0_ENV] = repr(time.time())
    running: list[subprocess.Popen[bytes]] = []
    status, message = "ok", ""
    try:
        for process in launch.processes:
            group = running[0].pid if running else 0
            running.append(
                subprocess.Popen(
                    process.command,
                    env={**base, **process.env},
                    cwd=folder,
                    stdout=subprocess.DEVNULL,
                    stderr=(folder / f"stderr{len(running)}.txt").open("wb"),
                    process_group=group,
                )
            )
        status, message = _wait(running, [p.name for p in launch.processes], started + timeout_s)
    finally:
        if running:
            _stop_group(running)
    reports = tuple(_reports(folder, framework))
    return Ended(reports, status, message or _stderr_tail(folder, status), time.perf_counter() - started)


def _wait(running: list[subprocess.Popen[bytes]], names: list[str], deadline: float) -> tuple[str, str]:
    """Until every process exits (ok), one fails (the rest are stopped), or the deadline passes."""
    while True:
        codes = [p.poll() for p in running]
        failed = [(i, c) for i, c in enumerate(codes) if c not in (None, 0)]
        if failed:
            index, code = failed[0]
            how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
            return "crashed", f"{names[index]} ended ({how}); the launch was stopped"
        if all(c == 0 for c in codes):
            return "ok", ""
        if time.perf_counter() > deadline:
            return "timeout", "the launch ran past its time limit and was stopped"
        time.sleep(POLL_S)


def _stop_group(running: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to the launch's process group (torchrun passes it on to its workers), then SIGKILL."""
    group = running[0].pid
    if all(p.poll() is not None for p in running):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.perf_counter() + STOP_GRACE_S
    while time.perf_counter() < deadline and any(p.poll() is None for p in running):
        time.sleep(POLL_S)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
    for process in running:
        process.wait()


def _reports(folder: Path, framework: FrameworkName) -> list[WorkerReport]:
    reports = []
    for path in sorted(folder.glob("rank*.json"), key=lambda p: int(p.stem.removeprefix("rank") or 0)):
        try:
            reports.append(WorkerReport.model_validate_json(path.read_text()))
        except (OSError, ValidationError, ValueError) as error:
            rank = int(path.stem.removeprefix("rank") or 0)
            reports.append(
                WorkerReport(
                    framework=framework, rank=rank, workers=1, status="error", message=f"unreadable: {error}"[:400]
                )
            )
    return reports


def _stderr_tail(folder: Path, status: str) -> str:
    """The last meaningful line any worker printed, to say why a launch failed."""
    if status == "ok":
        return ""
    for path in sorted(folder.glob("stderr*.txt")):
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
        errors = [line for line in lines if "Error" in line or "error" in line]
        if errors or lines:
            return (errors or lines)[-1].strip()[:400]
    return ""
