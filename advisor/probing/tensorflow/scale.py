"""TensorFlow's scaling worker: one process per worker, each started with ``TF_CONFIG`` (the cluster's
worker addresses and this task's index), which TensorFlow's own multi-worker runtime reads.

Data parallel is ``tf.distribute.MultiWorkerMirroredStrategy``: every worker holds the whole Keras model,
its variables created inside ``strategy.scope()`` (the initial values broadcast from task 0), and the
Keras optimiser all-reduces the gradients in the replica context. The collectives are TensorFlow's own:
ring all-reduce over gRPC on CPU, NCCL on GPUs. A 1-worker launch gets a one-worker ``TF_CONFIG`` and the
same strategy, so both sides of the scaling figure pay the same strategy overheads.

Sharded parameters are not run: ``tf.distribute`` has no strategy that shards a Keras model's variables
across data-parallel workers, and Keras 3 does not lay out its variables with ``tf.experimental.dtensor``
on this backend (see :data:`NO_SHARDED`).

A worker trains on its slice of a seeded global batch, each replica's loss being
``tf.nn.compute_average_loss`` over the global batch size, so the summed gradients are those of the global
mean. The single-process reference averages the per-slice losses (batch norm sees one slice at a time, as
it does per replica under the strategy), whose gradient is that same sum.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from advisor.evidence.protocol import Environment
from advisor.evidence.scale import ScaleRequest, ScaleWorkload, StrategyKind
from advisor.probing import host
from advisor.probing.child import nvml
from advisor.probing.child.scale import LOCAL_RANK_ENV, RANK_ENV, WORLD_ENV, main
from advisor.probing.child.workloads import (
    LEARNING_RATE,
    MOMENTUM,
    WORKLOADS,
    CnnShape,
    LstmShape,
    MlpShape,
    TransformerShape,
    Workload,
)
from advisor.probing.tensorflow.runtime import GPU_PEAK_SOURCE

DATA_BATCHES = 4  # distinct global batches the steps cycle through (generated once, up front)
# XLA is off: on CPU it has no kernels for the strategy's collectives (jit_compile=True fails on the
# CollectiveGatherV2 that all-gathers the embedding's IndexedSlices gradient).
COMPILE = "tf.function (graph; jit_compile=False: XLA has no kernel for the strategy's CollectiveGatherV2)"
# Checked against TensorFlow 2.21 and Keras 3.15: tf.experimental.dtensor still ships (only its
# DTensorCheckpoint is marked deprecated), but Keras 3's TensorFlow distribution module is a prototype
# headed "DO NOT USE" that cannot place variables, and Keras 3 does not support parameter-server training
# (keras-team/keras#18624).
NO_SHARDED = (
    "TensorFlow has no sharded-parameter strategy for Keras 3 training: MultiWorkerMirroredStrategy mirrors "
    "every variable on every worker, ParameterServerStrategy (variables partitioned onto parameter servers, "
    "asynchronous) is not supported by Keras 3, and tf.experimental.dtensor (TensorFlow {version}: "
    "experimental, not deprecated) is not wired into Keras 3 on the TensorFlow backend "
    "(keras.distribution shards variables on JAX only)"
)


def implementation_name(on_gpu: bool) -> str:
    collectives = "NCCL" if on_gpu else "RING"
    return f"MultiWorkerMirroredStrategy (CommunicationImplementation.{collectives}, custom tf.function step)"


class TfTrainer:
    """One workload under the strategy: a Keras model and SGD built in ``strategy.scope()``, the global
    batches split per replica once, and a ``tf.function`` step run by ``strategy.run``."""

    def __init__(self, backend: TensorFlowScaleBackend, workload: ScaleWorkload) -> None:
        tf, keras, strategy = backend.tf, backend.keras, backend.strategy
        self.backend, self.implementation = backend, implementation_name(backend.on_gpu)
        spec = WORKLOADS[workload]
        self.per_worker_batch = spec.batch_size
        global_batch = spec.batch_size * backend.workers
        self.batches = [backend.distribute(batch) for batch in backend.global_batches(workload, backend.workers)]
        with strategy.scope():
            model = backend.fresh_model(workload)
            optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=MOMENTUM)
            optimizer.build(model.trainable_variables)  # slots exist before any tracing
        self.model, self.optimizer = model, optimizer

        def replica_step(inputs: Any, labels: Any) -> Any:
            """This replica's slice; the optimiser sums the gradients over replicas before applying them."""
            variables = model.trainable_variables
            with tf.GradientTape() as tape:
                logits = model(inputs, training=True)
                per_example = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            optimizer.apply(tape.gradient(loss, variables), variables)
            return loss

        self._step: Callable[[Any, Any], Any] = tf.function(
            lambda inputs, labels: strategy.run(replica_step, args=(inputs, labels))
        )

    def step(self, index: int) -> Any:
        inputs, labels = self.batches[index % len(self.batches)]
        loss = self._step(inputs, labels)
        self.backend.local(loss).numpy()  # the step has finished on this worker when this returns
        return loss

    def global_mean(self, loss: Any) -> float:
        """The sum over replicas of losses already divided by the global batch: the global mean."""
        strategy = self.backend.strategy
        return float(strategy.reduce(self.backend.tf.distribute.ReduceOp.SUM, loss, axis=None).numpy())


class TensorFlowScaleBackend:
    def __init__(self, request: ScaleRequest) -> None:
        os.environ["KERAS_BACKEND"] = "tensorflow"  # must precede the first keras import
        import keras
        import tensorflow as tf

        self.request, self.tf, self.keras = request, tf, keras
        self.on_gpu = request.device == "cuda"
        local = int(os.environ.get(LOCAL_RANK_ENV, "0"))
        # Every setting before the first op: devices, memory growth and threads are fixed once the
        # runtime starts, and the strategy below starts it.
        gpus = tf.config.list_physical_devices("GPU")
        if self.on_gpu:
            if local >= len(gpus):
                raise RuntimeError(
                    f"worker {local} on this node needs GPU {local}, but TensorFlow sees {len(gpus)} GPU(s)"
                )
            tf.config.set_visible_devices(gpus[local], "GPU")  # one GPU per worker, seen as GPU:0
            tf.config.experimental.set_memory_growth(gpus[local], True)
        elif gpus:
            tf.config.set_visible_devices([], "GPU")  # a CPU request stays on the CPU
        tf.config.threading.set_intra_op_parallelism_threads(request.threads_per_worker)
        tf.config.threading.set_inter_op_parallelism_threads(1)  # PyTorch's interop threads are 1 too
        tf.config.experimental.enable_tensor_float_32_execution(False)  # fp32 stays fp32: the numerics check
        keras.mixed_precision.set_global_policy("float32")
        collectives = tf.distribute.experimental.CommunicationImplementation
        self.collectives = collectives.NCCL if self.on_gpu else collectives.RING
        self.strategy: Any = tf.distribute.MultiWorkerMirroredStrategy(
            communication_options=tf.distribute.experimental.CommunicationOptions(implementation=self.collectives)
        )
        self.device = self.strategy.extended.worker_devices[0]  # this worker's replica (one per worker)
        resolver = self.strategy.cluster_resolver
        self.rank = int(resolver.task_id or 0)
        self.workers = len(resolver.cluster_spec().as_dict().get("worker", [])) or 1
        if self.workers != request.workers or self.strategy.num_replicas_in_sync != self.workers:
            raise RuntimeError(
                f"TF_CONFIG lists {self.workers} worker(s) and the strategy {self.strategy.num_replicas_in_sync} "
                f"replica(s), but the launch has {request.workers} (one replica per worker)"
            )
        world, rank = int(os.environ.get(WORLD_ENV, self.workers)), int(os.environ.get(RANK_ENV, self.rank))
        if (world, rank) != (self.workers, self.rank):
            raise RuntimeError(f"TF_CONFIG (task {self.rank} of {self.workers}) disagrees with {RANK_ENV}/{WORLD_ENV}")

    def environment(self) -> Environment:
        tf = self.tf
        driver, cuda_driver = nvml.driver_versions()
        device_name = host.cpu_name()
        if self.on_gpu:
            gpu = tf.config.get_visible_devices("GPU")[0]
            device_name = str(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
        return Environment(
            os=host.os_name(),
            python=host.python_version(),
            framework_version=tf.__version__,
            device=self.device,
            device_name=device_name,
            gpu_visible=bool(tf.config.list_physical_devices("GPU")),
            gpu_present=nvml.open_gpu(0) is not None,
            driver_version=driver,
            cuda_driver_version=cuda_driver,
            cpu_count=host.cpu_count(),
        )

    def settings(self) -> dict[str, Any]:
        tf = self.tf
        return {
            "launcher": "one process per worker, TF_CONFIG (tf.distribute.MultiWorkerMirroredStrategy)",
            "collectives": f"CommunicationImplementation.{self.collectives.name}",
            "threads": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
            "precision": "fp32",
            "tf32": tf.config.experimental.tensor_float_32_execution_enabled(),
            "compile": COMPILE,
            "optimizer": f"keras.optimizers.SGD(learning_rate={LEARNING_RATE}, momentum={MOMENTUM})",
            "loss": "tf.nn.compute_average_loss(per-example, global_batch_size)",
            "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
            "tensorflow_version": tf.__version__,
            "keras_version": self.keras.__version__,
            "keras_backend": self.keras.backend.backend(),
        }

    def supports(self, strategy: StrategyKind) -> str | None:
        return NO_SHARDED.format(version=self.tf.__version__) if strategy == "sharded" else None

    def fresh_model(self, workload: ScaleWorkload) -> Any:
        """The workload's Keras model from the request's seed: the same initial weights on every worker
        and in the reference (the seed is reset before each build)."""
        from advisor.probing.tensorflow.models import build_model

        self.keras.utils.set_random_seed(self.request.seed)
        return build_model(WORKLOADS[workload], use_cudnn=self.on_gpu)

    def global_batches(self, workload: ScaleWorkload, workers: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The seeded global batches (``workers`` x the per-worker batch), identical on every worker."""
        spec = WORKLOADS[workload]
        batches = []
        for index in range(DATA_BATCHES):
            generator = np.random.default_rng(self.request.seed * 1000 + index)
            size = spec.batch_size * workers
            inputs = make_inputs(spec, size, generator)
            labels = generator.integers(0, spec.shape.classes, size=(size,), dtype=np.int32)
            batches.append((inputs, labels))
        return batches

    def distribute(self, batch: tuple[np.ndarray, np.ndarray]) -> tuple[Any, Any]:
        """Each replica's slice of a global batch, placed on its device: replica ``r`` (task ``r``, one
        replica per worker) takes rows ``r * size`` to ``(r + 1) * size``."""
        tf, inputs, labels = self.tf, batch[0], batch[1]
        size = inputs.shape[0] // self.workers

        def slice_for(context: Any) -> tuple[Any, Any]:
            start = context.replica_id_in_sync_group * size
            with tf.device(self.device):  # the strategy leaves placement to the function
                return tf.constant(inputs[start : start + size]), tf.constant(labels[start : start + size])

        values = self.strategy.experimental_distribute_values_from_function(slice_for)
        return values[0], values[1]

    def local(self, value: Any) -> Any:
        """This worker's (only) replica's component of a per-replica value."""
        return self.strategy.experimental_local_results(value)[0]

    def trainer(self, workload: ScaleWorkload, strategy: StrategyKind) -> TfTrainer:
        return TfTrainer(self, workload)

    def reference_losses(
        self, workload: ScaleWorkload, strategy: StrategyKind, workers: int, steps: int
    ) -> list[float]:
        """A separate model outside the strategy (the default strategy), one slice at a time per step."""
        tf, keras = self.tf, self.keras
        model = self.fresh_model(workload)
        optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=MOMENTUM)
        optimizer.build(model.trainable_variables)
        size = WORKLOADS[workload].batch_size

        @tf.function
        def step(inputs: Any, labels: Any) -> Any:
            variables = model.trainable_variables
            with tf.GradientTape() as tape:
                parts = []
                for part in range(workers):
                    x, y = inputs[part * size : (part + 1) * size], labels[part * size : (part + 1) * size]
                    logits = model(x, training=True)
                    parts.append(
                        tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
                    )
                loss = tf.add_n(parts) / workers
            optimizer.apply(tape.gradient(loss, variables), variables)
            return loss

        batches = [(tf.constant(x), tf.constant(y)) for x, y in self.global_batches(workload, workers)]
        return [float(step(*batches[index % len(batches)]).numpy()) for index in range(steps)]

    def all_reduce(self, size_bytes: int) -> Callable[[], None]:
        """A SUM all-reduce of ``size_bytes`` of float32 in the replica context (the strategy's collective,
        the one that carries the gradients); a scalar of the result is fetched so it has completed."""
        tf, strategy = self.tf, self.strategy
        elements = max(1, size_bytes // 4)
        with tf.device(self.device):
            buffer = strategy.experimental_distribute_values_from_function(
                lambda _: tf.ones((elements,), dtype=tf.float32)
            )

        def replica_fn(value: Any) -> Any:
            # An argument has no device inside the function; the strategy reduces to the value's device,
            # so it is placed first (an Identity: no copy).
            placed = tf.identity(value)
            return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, placed)[0]

        reduce = tf.function(lambda value: strategy.run(replica_fn, args=(value,)))

        def run() -> None:
            self.local(reduce(buffer)).numpy()

        return run

    def sync(self) -> None:
        """A step's or collective's own result is fetched to the host; on a GPU wait for the queue too."""
        if self.on_gpu:
            self.tf.test.experimental.sync_devices()

    def peak_memory(self) -> tuple[int | None, str]:
        if self.on_gpu:
            info = self.tf.config.experimental.get_memory_info("GPU:0")
            return int(info["peak"]), GPU_PEAK_SOURCE
        return host.peak_rss_bytes(), host.PEAK_RSS_SOURCE

    def close(self) -> None:
        """A last collective as a barrier, so that no worker leaves while a peer still needs it; the runtime
        and its coordination service (no public shutdown call) end with the process."""
        with contextlib.suppress(Exception):
            self.all_reduce(4)()


def make_inputs(workload: Workload, batch: int, generator: np.random.Generator) -> np.ndarray:
    """Seeded synthetic inputs (channels-last images and floats from a normal, tokens in [0, vocab))."""
    shape = workload.shape
    if isinstance(shape, TransformerShape):
        return generator.integers(0, shape.vocab, size=(batch, shape.seq), dtype=np.int32)
    if isinstance(shape, MlpShape):
        dims: tuple[int, ...] = (shape.inputs,)
    elif isinstance(shape, CnnShape):
        dims = (shape.image, shape.image, shape.channels)  # NHWC, Keras' default
    else:
        assert isinstance(shape, LstmShape)
        dims = (shape.seq, shape.inputs)
    return generator.standard_normal((batch, *dims), dtype=np.float32)


if __name__ == "__main__":
    main(TensorFlowScaleBackend)
