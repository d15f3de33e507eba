"""TensorFlow/Keras 3 probe child: ``python -m advisor.probing.tensorflow.probe`` (request on stdin,
result on stdout).

Only builds models, runs steps and hands its models to the route table; timing, warm-up and budgets
live in :mod:`advisor.probing.child.measure` so every framework is measured the same way. TensorFlow is
imported inside ``TensorFlowBackend.__init__``, after ``KERAS_BACKEND`` is set, so the child's start
time (taken in :mod:`advisor.probing.child.main`) precedes the framework import and the budget includes
it. Fairness choices follow
shared/research/probe-method.md: GPU memory growth before any op, explicit TF32, the same thread
counts as PyTorch, custom ``GradientTape`` loops instead of ``fit`` and ``model(x, training=False)``
instead of ``predict``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

from advisor.evidence.protocol import Environment, Mode, ProbeRequest
from advisor.probing import host
from advisor.probing.child import nvml
from advisor.probing.child.main import LoadModel, main
from advisor.probing.child.routes import SYNTHETIC
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
from advisor.probing.keras.own_model import MIXED_POLICIES, SGD, KerasOwnModel
from advisor.probing.keras.subject import KerasSubject
from advisor.probing.tensorflow.routes import ROUTES, unsupported_op_subject
from advisor.probing.tensorflow.runtime import GPU_PEAK_SOURCE
from advisor.probing.tensorflow.saved_model import SavedModelOwn

REPRESENTATIVE_SAMPLES = 32  # rows of a workload's training batch that calibrate its int8 conversion
XLA = "tf.function(jit_compile=True)"


class TensorFlowBackend:
    """The ``Backend`` protocol for TensorFlow with Keras 3."""

    framework = "tensorflow"

    def __init__(self) -> None:
        os.environ["KERAS_BACKEND"] = "tensorflow"  # must precede the first keras import
        import keras
        import tensorflow as tf

        self.tf: Any = tf
        self.keras: Any = keras
        tf.get_logger().addFilter(_drop_expected_retracing_warnings)
        self.device = "/CPU:0"
        self.precision = "fp32"
        self.seed = 0

    @property
    def on_gpu(self) -> bool:
        return self.device.startswith("/GPU")

    def setup(self, request: ProbeRequest) -> dict[str, Any]:
        """Apply every setting before the first op (memory growth and threads only work then)."""
        tf = self.tf
        gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:  # the default grabs all GPU memory; growth is fairer next to PyTorch's caching
            tf.config.experimental.set_memory_growth(gpu, True)
        tf.config.threading.set_intra_op_parallelism_threads(request.threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)  # PyTorch's interop threads are 1 too
        self.device = resolve_device(request.device, len(gpus))
        self.precision, self.seed = request.precision, request.seed
        return {
            "threads": request.threads,
            "inter_op_threads": 1,
            "device": self.device,
            "memory_growth": all(tf.config.experimental.get_memory_growth(g) for g in gpus) if gpus else None,
            **self._precision_settings(request.precision),
            "layout": "NHWC (channels_last)",
            "optimizer": SGD,
            "eager": "plain Python GradientTape step, no tf.function",
            "compile": XLA,
            "jit_compile_explicit": True,
            "inference": "model(x, training=False)",
            **self._lstm_settings(),
            "cudnn_autotune": os.environ.get("TF_CUDNN_USE_AUTOTUNE", "default (on)") if self.on_gpu else None,
            "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
            "TF_XLA_FLAGS": os.environ.get("TF_XLA_FLAGS"),
            "tensorflow_version": tf.__version__,
            "keras_version": self.keras.__version__,
            "keras_backend": self.keras.backend.backend(),
            "seed": request.seed,
        }

    def _precision_settings(self, precision: str) -> dict[str, Any]:
        """TF32 set explicitly both ways (TensorFlow enables it by default); mixed policies for 16 bit."""
        tf, keras = self.tf, self.keras
        tf.config.experimental.enable_tensor_float_32_execution(precision == "tf32")
        policy = MIXED_POLICIES.get(precision, "float32")
        keras.mixed_precision.set_global_policy(policy)
        tf32: bool | str = tf.config.experimental.tensor_float_32_execution_enabled()
        if not self.on_gpu:
            tf32 = f"{tf32} (does not apply on CPU)"
        return {
            "precision": precision,
            "tf32": tf32,
            "mixed_precision_policy": policy,
            "loss_scaling": "keras.optimizers.LossScaleOptimizer" if precision == "fp16" else None,
        }

    def _lstm_settings(self) -> dict[str, Any]:
        """cuDNN LSTM (default arguments, GPU) is not XLA-compatible; Keras itself then turns jit off."""
        if not self.on_gpu:
            return {"lstm_cudnn_eligible": False, "lstm_compiled": f"{XLA} (generic loop; no cuDNN on CPU)"}
        return {
            "lstm_cudnn_eligible": True,
            "lstm_compiled": "tf.function(jit_compile=False): cuDNN kernel, which XLA cannot compile",
        }

    def environment(self, request: ProbeRequest) -> Environment:
        tf = self.tf
        driver, cuda = nvml.driver_versions()
        return Environment(
            os=host.os_name(),
            python=host.python_version(),
            framework_version=tf.__version__,
            device=self.device,
            device_name=self._device_name(),
            gpu_visible=bool(tf.config.list_physical_devices("GPU")),
            gpu_present=nvml.open_gpu(0) is not None,
            driver_version=driver,
            cuda_driver_version=cuda,
            cpu_count=host.cpu_count(),
        )

    def _device_name(self) -> str:
        if not self.on_gpu:
            return host.cpu_name()
        gpu = self.tf.config.list_physical_devices("GPU")[self._gpu_index()]
        return str(self.tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))

    def _gpu_index(self) -> int:
        return int(self.device.rsplit(":", 1)[1])

    def build(self, workload: Workload, mode: Mode) -> TfCell:
        with self.tf.device(self.device):
            return TfCell(self, workload, mode)

    def sync(self) -> None:
        """Eager CPU execution is synchronous; GPU kernels are queued, so wait for them."""
        if self.on_gpu:
            self.tf.test.experimental.sync_devices()

    def reset_peak_memory(self) -> None:
        if self.on_gpu:
            self.tf.config.experimental.reset_memory_stats(f"GPU:{self._gpu_index()}")

    def peak_memory(self) -> tuple[int | None, str]:
        if not self.on_gpu:
            return host.peak_rss_bytes(), host.PEAK_RSS_SOURCE
        info = self.tf.config.experimental.get_memory_info(f"GPU:{self._gpu_index()}")
        return int(info["peak"]), GPU_PEAK_SOURCE

    def subjects(self, request: ProbeRequest) -> Iterator[KerasSubject]:
        """Each workload's Keras model at batch 1, with its outputs; its own training inputs calibrate int8."""
        for name in request.workloads:
            cell = self.build(WORKLOADS[name], "eager")
            x = cell.x_b1.numpy()
            samples = cell.x.numpy()[:REPRESENTATIVE_SAMPLES]
            yield KerasSubject(
                workload=name,
                kind=SYNTHETIC,
                model=cell.model,
                inputs=(x,),
                expected=cell.model(cell.x_b1, training=False),
                rows=[[row[None].astype(x.dtype)] for row in samples],
                calibration="representative data",
            )
        if os.environ.get("ADVISOR_PROBE_FAULT") == "unsupported_op" and request.workloads:
            yield unsupported_op_subject(self.tf, self.keras, request.workloads[0])

    def is_oom(self, error: BaseException) -> bool:
        return isinstance(error, self.tf.errors.ResourceExhaustedError)


def _drop_expected_retracing_warnings(record: logging.LogRecord) -> bool:
    """Each cell traces its own functions once per input shape by design; TensorFlow counts traces per
    code object across cells and would warn about "excessive retracing" in every child's stderr."""
    return "triggered tf.function retracing" not in record.getMessage()


def resolve_device(requested: str, gpu_count: int) -> str:
    """auto/cpu/cuda[:N] -> a TensorFlow device string; a GPU TensorFlow cannot see is an error."""
    if requested == "cpu":
        return "/CPU:0"
    if requested == "auto":
        return "/GPU:0" if gpu_count else "/CPU:0"
    index = nvml.gpu_index(requested)
    if index is None:
        raise ValueError(f"unknown device {requested!r}: use auto, cpu or cuda:N")
    if index >= gpu_count:
        raise RuntimeError(
            f"TensorFlow sees no GPU for {requested!r} (tf.config.list_physical_devices('GPU') lists "
            f"{gpu_count}); tensorflow-cpu, a missing CUDA/cuDNN runtime or CUDA_VISIBLE_DEVICES "
            "hide it. Use device 'cpu' or install a GPU build of TensorFlow."
        )
    return f"/GPU:{index}"


class TfCell:
    """One workload in one mode: model, optimiser and synthetic data created once on the device."""

    def __init__(self, backend: TensorFlowBackend, workload: Workload, mode: Mode) -> None:
        from advisor.probing.tensorflow.models import build_model, trainable_params

        tf, keras = backend.tf, backend.keras
        self._tf, self._keras, self._device = tf, keras, backend.device
        keras.utils.set_random_seed(backend.seed)
        cudnn_lstm = backend.on_gpu and isinstance(workload.shape, LstmShape)
        self.model = build_model(workload, use_cudnn=backend.on_gpu)
        self.params = trainable_params(self.model)
        self.x, self.y, self.x_b1, self.x_large = synthetic_data(tf, workload, backend.seed)
        self.optimizer = make_optimizer(keras, backend.precision)
        self.optimizer.build(self.model.trainable_variables)  # variables exist before any tracing
        self._train: Callable[[], Any] = lambda: self._step()
        self._infer: Callable[[Any], Any] = lambda x: self.model(x, training=False)
        if mode == "compiled":
            jit = not cudnn_lstm  # XLA cannot compile the cuDNN LSTM op (see _lstm_settings)
            self._train = tf.function(self._train, jit_compile=jit)
            self._infer = tf.function(self._infer, jit_compile=jit)

    def _step(self) -> None:
        """Forward, sparse cross-entropy from logits (in float32 under mixed precision), SGD update."""
        tf, variables = self._tf, self.model.trainable_variables
        with tf.GradientTape() as tape:
            logits = tf.cast(self.model(self.x, training=True), tf.float32)
            loss = tf.reduce_mean(self._keras.losses.sparse_categorical_crossentropy(self.y, logits, from_logits=True))
            scaled = self.optimizer.scale_loss(loss)  # identity unless LossScaleOptimizer (fp16)
        self.optimizer.apply(tape.gradient(scaled, variables), variables)

    # Each call runs under the requested device scope: without it TensorFlow would place ops on a GPU
    # even when the request says cpu.
    def train_step(self) -> None:
        with self._tf.device(self._device):
            self._train()

    def infer_b1(self) -> None:
        with self._tf.device(self._device):
            self._infer(self.x_b1)

    def infer_large(self) -> None:
        with self._tf.device(self._device):
            self._infer(self.x_large)


def make_optimizer(keras: Any, precision: str) -> Any:
    """SGD with momentum; wrapped in dynamic loss scaling for float16, as Keras recommends."""
    sgd = keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=MOMENTUM)
    return keras.optimizers.LossScaleOptimizer(sgd) if precision == "fp16" else sgd


def synthetic_data(tf: Any, workload: Workload, seed: int) -> tuple[Any, Any, Any, Any]:
    """(training inputs, labels, batch-1 inputs, large-batch inputs), seeded, on the current device."""
    generator = tf.random.Generator.from_seed(seed)
    shape = workload.shape

    def inputs(batch: int) -> Any:
        if isinstance(shape, TransformerShape):
            return generator.uniform((batch, shape.seq), 0, shape.vocab, dtype=tf.int32)
        if isinstance(shape, MlpShape):
            dims: tuple[int, ...] = (shape.inputs,)
        elif isinstance(shape, CnnShape):
            dims = (shape.image, shape.image, shape.channels)
        else:
            assert isinstance(shape, LstmShape)
            dims = (shape.seq, shape.inputs)
        return generator.normal((batch, *dims))

    labels = generator.uniform((workload.batch_size,), 0, shape.classes, dtype=tf.int32)
    return inputs(workload.batch_size), labels, inputs(1), inputs(workload.large_batch_size)


# The team's model, by kind: a Keras 3 model on the TensorFlow backend, or a SavedModel.
MODELS: dict[str, LoadModel] = {
    "keras_factory": KerasOwnModel,
    "keras_file": KerasOwnModel,
    "saved_model": SavedModelOwn,
}

if __name__ == "__main__":
    raise SystemExit(main("tensorflow", TensorFlowBackend, ROUTES, MODELS))
