"""JAX's scaling worker: one process per worker, started by the advisor's launcher with its global rank,
the world size, its rank on the node and the coordinator's address (``ADVISOR_SCALE_*``); the processes
join through JAX's own multi-process runtime, ``jax.distributed.initialize``, not a process group of ours.

Every process contributes one device to a global 1-D ``jax.sharding.Mesh`` (axis ``data``) and runs the
same ``jax.jit`` train step over global arrays: the batch is sharded along the axis, and the partitioner
inserts the collectives (gloo between processes on CPU, NCCL on GPUs). Data parallel replicates the
parameters (XLA all-reduces the gradients); sharded places parameters and momentum on their first axis
the device count divides (FSDP-style: XLA all-gathers the weights and reduce-scatters the gradients).

A worker holds its slice of a seeded global batch, but the jitted step computes over the global array,
so its loss is the global mean and batch norm normalises over the whole global batch: the N-worker
losses must equal one process's on the whole batch from the same weights, which is the reference below
(unlike PyTorch's, whose replicas each normalise their own slice).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from advisor.evidence.protocol import Environment
from advisor.evidence.scale import ScaleRequest, ScaleWorkload, StrategyKind
from advisor.probing import host
from advisor.probing.child import nvml
from advisor.probing.child.scale import COORDINATOR_ENV, LOCAL_RANK_ENV, RANK_ENV, WORLD_ENV, main
from advisor.probing.child.workloads import LEARNING_RATE, MOMENTUM, WORKLOADS, Workload
from advisor.probing.jax import models
from advisor.probing.jax.runtime import NO_AFFINITY, OPTIMIZER, PEAK_SOURCE, all_cpus

AXIS = "data"  # the mesh's one axis: the batch (and, sharded, the parameters) are split along it
DATA_BATCHES = 4  # distinct global batches the steps cycle through (generated once, up front)
IMPLEMENTATIONS = {
    "data_parallel": "jax.jit over a global Mesh: parameters replicated, batch sharded (NamedSharding); "
    "XLA all-reduces the gradients",
    "sharded": "jax.jit over a global Mesh: parameters and momentum sharded on their first divisible axis "
    "(NamedSharding, FSDP-style), batch sharded",
}
ALL_REDUCE = "jax.shard_map + lax.psum over the mesh axis, jitted"
Tree = Any  # a pytree of arrays (nested dicts, as models.py builds them)


def _pin_threads(threads: int, local_rank: int) -> dict[str, Any]:
    """Give this worker ``threads`` CPUs of its own before JAX's CPU client exists.

    XLA's CPU client sizes its thread pool from the CPUs the process may run on and has no thread-count
    flag: jaxlib 0.10.2 aborts on ``--intra_op_parallelism_threads`` in ``XLA_FLAGS`` (unknown flag) and
    ignores it written without the dashes, so the count is applied through the affinity mask, as the JAX
    probe does. Workers on one node take consecutive, disjoint blocks of CPUs by local rank (wrapping
    round when the node has fewer CPUs than they ask for, which the setting then says).
    """
    if not hasattr(os, "sched_getaffinity"):
        return {"threads": threads, "threads_applied": NO_AFFINITY}
    allowed = sorted(os.sched_getaffinity(0))
    if threads >= len(allowed):
        return {"threads": len(allowed), "threads_applied": all_cpus(len(allowed))}
    chosen = sorted({allowed[(local_rank * threads + index) % len(allowed)] for index in range(threads)})
    os.sched_setaffinity(0, chosen)
    shared = (
        " (shared with another worker: more threads asked for than CPUs)"
        if (local_rank + 1) * threads > len(allowed)
        else ""
    )
    return {"threads": threads, "threads_applied": f"CPU affinity {chosen} of {len(allowed)} allowed{shared}"}


def _train_step(
    workload: Workload, params: Tree, momentum: Tree, state: Tree, x: jax.Array, y: jax.Array
) -> tuple[Tree, Tree, Tree, jax.Array]:
    """value_and_grad of the mean cross-entropy, then SGD with momentum in PyTorch's form (the probe's)."""

    def loss_fn(weights: Tree) -> tuple[jax.Array, Tree]:
        logits, new_state = models.apply(workload, weights, state, x, True)
        return models.cross_entropy(logits, y), new_state

    (loss, new_state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
    momentum = jax.tree.map(lambda b, g: MOMENTUM * b + g, momentum, grads)
    params = jax.tree.map(lambda p, b: p - LEARNING_RATE * b, params, momentum)
    return params, momentum, new_state, loss


class JaxTrainer:
    """One workload under one strategy: global arrays on the mesh and one jitted, donating train step."""

    def __init__(self, backend: JaxScaleBackend, workload: ScaleWorkload, strategy: StrategyKind) -> None:
        self.backend, self.implementation = backend, IMPLEMENTATIONS[strategy]
        spec = WORKLOADS[workload]
        self.per_worker_batch = spec.batch_size
        self.batches = [backend.shard_batch(batch) for batch in backend.global_batches(workload, backend.workers)]
        params, state = backend.initial(workload)
        momentum = jax.tree.map(np.zeros_like, params)
        placement = jax.tree.map(lambda leaf: backend.param_sharding(leaf.shape, strategy), params)
        replicated = jax.tree.map(lambda _: backend.replicated, state)
        self.params = backend.place(params, placement)
        self.momentum = backend.place(momentum, placement)
        self.state = backend.place(state, replicated)
        self._step = jax.jit(
            functools.partial(_train_step, spec),
            out_shardings=(placement, placement, replicated, backend.replicated),
            donate_argnums=(0, 1, 2),
        )

    def step(self, index: int) -> jax.Array:
        inputs, labels = self.batches[index % len(self.batches)]
        self.params, self.momentum, self.state, loss = self._step(
            self.params, self.momentum, self.state, inputs, labels
        )
        self.backend.pending = (loss, self.params)
        return loss

    def global_mean(self, loss: jax.Array) -> float:
        """The jit's loss is already the mean over the global batch, replicated on every process."""
        return float(loss)


class JaxScaleBackend:
    def __init__(self, request: ScaleRequest) -> None:
        self.request = request
        self.rank = int(os.environ.get(RANK_ENV, "0"))
        self.workers = int(os.environ.get(WORLD_ENV, "1"))
        local_rank = int(os.environ.get(LOCAL_RANK_ENV, "0"))
        self.coordinator = os.environ.get(COORDINATOR_ENV)
        self.on_gpu = request.device == "cuda"
        self.pending: Any = None  # the last dispatched result; sync() blocks on it
        self.references: dict[tuple[ScaleWorkload, int, int], list[float]] = {}
        self.thread_settings: dict[str, Any] = {}
        if self.on_gpu:
            # JAX preallocates 75 % of GPU memory at its first use unless told otherwise (as the probe).
            os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        else:
            self.thread_settings = _pin_threads(request.threads_per_worker, local_rank)
            jax.config.update("jax_platforms", "cpu")
            jax.config.update("jax_num_cpu_devices", 1)  # one device per process, whatever XLA_FLAGS say
            jax.config.update("jax_cpu_collectives_implementation", "gloo")  # before the CPU client exists
        jax.config.update("jax_default_matmul_precision", "highest")  # fp32 stays fp32 (no TF32 on GPUs)
        self.distributed = self.workers > 1
        if self.distributed:
            if not self.coordinator:
                raise RuntimeError(f"{self.workers} workers but no coordinator address in {COORDINATOR_ENV}")
            jax.distributed.initialize(
                coordinator_address=self.coordinator,
                num_processes=self.workers,
                process_id=self.rank,
                local_device_ids=[local_rank] if self.on_gpu else None,
            )
            self.rank = jax.process_index()
        # One device per process, ordered by process: process r holds rows r of every batch-sharded array.
        first: dict[int, Any] = {}
        for device in sorted(jax.devices(), key=lambda d: (d.process_index, d.id)):
            first.setdefault(device.process_index, device)
        self.device = first[jax.process_index()]
        self.mesh = Mesh(np.array(list(first.values())), (AXIS,))
        if self.mesh.size != self.workers:
            raise RuntimeError(f"the mesh has {self.mesh.size} devices for {self.workers} workers")
        self.replicated = NamedSharding(self.mesh, P())
        self.batch_sharding = NamedSharding(self.mesh, P(AXIS))

    def environment(self) -> Environment:
        driver, cuda_driver = nvml.driver_versions()
        return Environment(
            os=host.os_name(),
            python=host.python_version(),
            framework_version=jax.__version__,
            device=str(self.device),
            device_name=str(self.device.device_kind) if self.on_gpu else host.cpu_name(),
            gpu_visible=self.on_gpu,  # a CPU request restricts JAX to its CPU platform
            gpu_present=nvml.open_gpu(0) is not None,
            driver_version=driver,
            cuda_driver_version=cuda_driver,
            cpu_count=host.cpu_count(),
        )

    def settings(self) -> dict[str, Any]:
        import jaxlib

        collectives = "NCCL (XLA GPU)" if self.on_gpu else str(jax.config.values["jax_cpu_collectives_implementation"])
        return {
            "launcher": "one process per worker, joined by jax.distributed.initialize"
            if self.distributed
            else "one process (no distributed runtime)",
            "coordinator": self.coordinator if self.distributed else None,
            "collectives": collectives if self.distributed else None,
            "mesh": f"1-D Mesh over {self.mesh.size} device(s), axis '{AXIS}', one device per process",
            "all_reduce": ALL_REDUCE,
            **self.thread_settings,
            "XLA_FLAGS": os.environ.get("XLA_FLAGS"),
            "precision": "fp32",
            "jax_default_matmul_precision": jax.config.values["jax_default_matmul_precision"],
            "optimizer": OPTIMIZER,
            "donated_buffers": "params, momentum, batch-norm state",
            "sync": "jax.block_until_ready on the last step's loss and parameters",
            "cpu_async_dispatch": bool(jax.config.values["jax_cpu_enable_async_dispatch"]),
            "framework_version": jax.__version__,
            "jaxlib_version": jaxlib.__version__,
        }

    def supports(self, strategy: StrategyKind) -> str | None:
        return None

    def initial(self, workload: ScaleWorkload) -> tuple[Tree, Tree]:
        """The seeded initial ``(params, state)`` as host arrays, the same in every process and the reference."""
        params, state = models.init(WORKLOADS[workload], self.request.seed)
        return jax.device_get(params), jax.device_get(state)

    def param_sharding(self, shape: tuple[int, ...], strategy: StrategyKind) -> NamedSharding:
        """Replicated for data parallel; sharded: along the first axis the device count divides (else replicated)."""
        if strategy == "sharded":
            for axis, size in enumerate(shape):
                if size % self.mesh.size == 0:
                    return NamedSharding(self.mesh, P(*([None] * axis), AXIS))
        return self.replicated

    def place(self, tree: Tree, shardings: Tree) -> Tree:
        """Host arrays (whole on every process) as global arrays: each process fills its own shards."""
        return jax.tree.map(
            lambda array, sharding: jax.make_array_from_callback(array.shape, sharding, lambda index: array[index]),
            tree,
            shardings,
        )

    def global_batches(self, workload: ScaleWorkload, workers: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The seeded global batches (``workers`` x the per-worker batch) as host arrays, identical everywhere."""
        spec = WORKLOADS[workload]
        batches = []
        size = spec.batch_size * workers
        for index in range(DATA_BATCHES):
            inputs_key, labels_key = jax.random.split(jax.random.key(self.request.seed * 1000 + index))
            inputs = models.make_inputs(spec, size, inputs_key)
            labels = models.make_labels(spec, size, labels_key)
            batches.append((np.asarray(inputs), np.asarray(labels)))
        return batches

    def shard_batch(self, batch: tuple[np.ndarray, np.ndarray]) -> tuple[jax.Array, jax.Array]:
        """This process's slice of a global batch, assembled into one global array sharded along the mesh."""
        arrays = []
        for whole in batch:
            size = whole.shape[0] // self.workers
            local = whole[self.rank * size : (self.rank + 1) * size]
            arrays.append(jax.make_array_from_process_local_data(self.batch_sharding, local, whole.shape))
        return arrays[0], arrays[1]

    def trainer(self, workload: ScaleWorkload, strategy: StrategyKind) -> JaxTrainer:
        return JaxTrainer(self, workload, strategy)

    def reference_losses(
        self, workload: ScaleWorkload, strategy: StrategyKind, workers: int, steps: int
    ) -> list[float]:
        """One process, one device, the whole global batch: what a jit over the N-worker global array computes.
        The strategy changes where arrays live, not the arithmetic, so both strategies share one reference."""
        key = (workload, workers, steps)
        if key not in self.references:
            self.references[key] = self._reference(workload, workers, steps)
        return list(self.references[key])

    def _reference(self, workload: ScaleWorkload, workers: int, steps: int) -> list[float]:
        params, state = jax.device_put(self.initial(workload), self.device)
        momentum = jax.tree.map(jnp.zeros_like, params)
        step = jax.jit(functools.partial(_train_step, WORKLOADS[workload]), donate_argnums=(0, 1, 2))
        batches = [jax.device_put(batch, self.device) for batch in self.global_batches(workload, workers)]
        losses = []
        for index in range(steps):
            inputs, labels = batches[index % len(batches)]
            params, momentum, state, loss = step(params, momentum, state, inputs, labels)
            losses.append(float(loss))
        return losses

    def all_reduce(self, size_bytes: int) -> Callable[[], None]:
        """Sum a float32 buffer of ``size_bytes`` across the processes (each holds one row) and wait for it."""
        count = max(1, size_bytes // 4)
        rows = jax.make_array_from_process_local_data(
            self.batch_sharding, np.ones((1, count), np.float32), (self.workers, count)
        )
        reduce = jax.jit(
            jax.shard_map(lambda row: jax.lax.psum(row, AXIS), mesh=self.mesh, in_specs=P(AXIS), out_specs=P())
        )

        def run() -> None:
            jax.block_until_ready(reduce(rows))

        return run

    def sync(self) -> None:
        if self.pending is not None:
            jax.block_until_ready(self.pending)
            self.pending = None

    def peak_memory(self) -> tuple[int | None, str]:
        stats = self.device.memory_stats() if self.on_gpu else None
        if stats and "peak_bytes_in_use" in stats:
            return int(stats["peak_bytes_in_use"]), PEAK_SOURCE
        return host.peak_rss_bytes(), host.PEAK_RSS_SOURCE

    def close(self) -> None:
        if self.distributed:
            with contextlib.suppress(Exception):
                jax.distributed.shutdown()


if __name__ == "__main__":
    main(JaxScaleBackend)
