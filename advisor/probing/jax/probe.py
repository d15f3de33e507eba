"""The JAX probe child: ``python -m advisor.probing.jax.probe`` reads a request on stdin (result on stdout).

Only the framework-specific part lives here (settings, models, one step, the models handed to the
route table); timing, warm-up, budgets and statistics are shared with the other children in
:mod:`advisor.probing.child.measure`. ``jax`` is imported inside ``JaxBackend.__init__``, after the
child's start time is taken, so the import counts against the budget as it does for PyTorch and
TensorFlow.

Modes: "compiled" is ``jax.jit`` of the whole training step (value_and_grad, loss and the SGD update,
parameter, momentum and batch-norm buffers donated) and of inference; "eager" is the same Python
functions called without ``jax.jit``, so each ``jax.numpy``/``lax`` operation is dispatched on its own,
as a JAX user gets when not jitting (JAX's own library functions that are jitted internally stay so,
and the LSTM's ``lax.scan`` runs as one compiled loop, as it does for any user).

Fairness choices (shared/research/probe-method.md): explicit matmul precision (JAX's GPU default may
use TF32 for float32 matmuls), no GPU memory preallocation (JAX grabs 75 % of GPU memory by default,
as TensorFlow grabs all without memory growth), the thread count applied through the CPU affinity
set (JAX sizes its CPU thread pool from the CPUs the process may run on and has no thread setting of
its own), ``block_until_ready`` before every clock read, and the same SGD as the other children.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from advisor.evidence.protocol import Environment, Mode, ProbeRequest
from advisor.probing import host
from advisor.probing.child import nvml
from advisor.probing.child.backend import TF32_ON_CPU
from advisor.probing.child.main import LoadModel, main
from advisor.probing.child.routes import SYNTHETIC
from advisor.probing.child.workloads import LEARNING_RATE, MOMENTUM, WORKLOADS, Workload
from advisor.probing.jax.routes import ROUTES, JaxSubject
from advisor.probing.jax.runtime import NO_AFFINITY, OPTIMIZER, PEAK_SOURCE, all_cpus
from advisor.probing.keras.own_model import KerasOwnModel

REPRESENTATIVE_SAMPLES = 32  # rows of a workload's training batch that calibrate its int8 conversion
COMPILE = "jax.jit(train step: value_and_grad + SGD update, donated buffers) and jax.jit(inference)"
EAGER = "un-jitted Python functions: jax.numpy/lax ops dispatched one by one (lax.scan still compiles its loop)"
COMPUTE_DTYPES = {"bf16": "bfloat16", "fp16": "float16"}
MATMUL_PRECISION = {"fp32": "highest", "tf32": "tensorfloat32", "bf16": "default", "fp16": "default"}
FP16_LOSS_SCALE = 2.0**12  # static: JAX has no built-in loss scaler (the others scale dynamically)


def _limit_threads(threads: int) -> dict[str, Any]:
    """Restrict the process to ``threads`` of its CPUs before JAX's CPU client exists.

    XLA's CPU client sizes its thread pool from the CPUs the process may run on; JAX offers no thread
    count setting (jax-ml/jax#1539, where a maintainer names the affinity mask as the way). Fewer
    CPUs than allowed means pinning to the first ``threads`` of them.
    """
    if not hasattr(os, "sched_getaffinity"):
        return {"threads": threads, "threads_applied": NO_AFFINITY}
    allowed = sorted(os.sched_getaffinity(0))
    if threads < len(allowed):
        os.sched_setaffinity(0, allowed[:threads])
        applied = f"CPU affinity set to {allowed[:threads]} (of {len(allowed)} allowed)"
    else:
        applied = all_cpus(len(allowed))
    return {"threads": min(threads, len(allowed)), "threads_applied": applied}


class JaxBackend:
    """Implements ``advisor.probing.child.backend.Backend`` for JAX (un-jitted and ``jax.jit``)."""

    framework = "jax"

    def __init__(self) -> None:
        # JAX preallocates 75 % of GPU memory at its first GPU use unless told otherwise; allocate on
        # demand instead, as the TensorFlow child uses memory growth (read when the backend starts).
        self.preallocate_default = "XLA_PYTHON_CLIENT_PREALLOCATE" not in os.environ
        os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        import jax

        self.jax = jax
        self.device: Any = None
        self.seed = 0
        self.precision = "fp32"
        self.compute_dtype: Any = jax.numpy.float32
        self.loss_scale = 1.0
        self.pending: Any = None  # the last dispatched result; sync() blocks on it
        self.settings: dict[str, Any] = {}

    @property
    def on_gpu(self) -> bool:
        return self.device is not None and self.device.platform == "gpu"

    def setup(self, request: ProbeRequest) -> dict[str, Any]:
        """Apply every setting before the first op (the thread limit only works before the CPU client starts)."""
        jax = self.jax
        settings: dict[str, Any] = {"framework_version": jax.__version__, "seed": request.seed}
        settings.update(_limit_threads(request.threads))
        self.device = self._resolve_device(request.device)
        jax.config.update("jax_default_device", self.device)
        self.seed = request.seed
        settings["device"] = str(self.device)
        settings.update(self._precision(request.precision))
        import jaxlib

        settings.update(
            {
                "jaxlib_version": jaxlib.__version__,
                "layout": "NHWC (channels_last)",
                "optimizer": OPTIMIZER,
                "loss": "softmax cross-entropy from logits (float32)",
                "models": "plain JAX functions, Flax default initialisers",
                "compile": COMPILE,
                "eager": EAGER,
                "donated_buffers": "params, momentum, batch-norm state (compiled training step)",
                "lstm": "lax.scan over time (XLA's loop; no cuDNN LSTM); un-jitted, its forward and backward scans "
                "are compiled again on every step (2 compilations per eager step with jax 0.10.2)",
                "sync": "jax.block_until_ready on the last result",
                "cpu_async_dispatch": bool(jax.config.values["jax_cpu_enable_async_dispatch"]),
                "x64_enabled": bool(jax.config.values["jax_enable_x64"]),
                "XLA_FLAGS": os.environ.get("XLA_FLAGS"),
                "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS"),
                "XLA_PYTHON_CLIENT_PREALLOCATE": os.environ.get("XLA_PYTHON_CLIENT_PREALLOCATE"),
                "XLA_PYTHON_CLIENT_MEM_FRACTION": os.environ.get("XLA_PYTHON_CLIENT_MEM_FRACTION"),
                "gpu_preallocation": "off (set by the probe)" if self.preallocate_default else "as the caller set it",
                "compilation_cache_dir": jax.config.values["jax_compilation_cache_dir"],
                "memory_counter": self._memory_source(),
            }
        )
        self.settings = settings
        return settings

    def _resolve_device(self, requested: str) -> Any:
        jax = self.jax
        gpus = self._gpus()
        if requested == "auto":
            return gpus[0] if gpus else jax.devices("cpu")[0]
        if requested == "cpu":
            return jax.devices("cpu")[0]
        index = nvml.gpu_index(requested)
        if index is None:
            raise ValueError(f"unsupported device {requested!r}: use auto, cpu or cuda:N")
        if index >= len(gpus):
            raise RuntimeError(
                f"device {requested} was requested but JAX sees {len(gpus)} GPU(s) (jax {jax.__version__}, "
                f"backend {jax.default_backend()}); the CPU-only jaxlib or JAX_PLATFORMS hide it. Use device "
                "'cpu' or install jax[cuda12]."
            )
        return gpus[index]

    def _gpus(self) -> list[Any]:
        try:
            return list(self.jax.devices("gpu"))
        except RuntimeError:  # no GPU backend in this jaxlib, or JAX_PLATFORMS excludes it
            return []

    def _precision(self, precision: str) -> dict[str, Any]:
        """Matmul precision explicit (JAX's GPU default may use TF32); a compute dtype for 16 bit."""
        jax = self.jax
        effective = "fp32" if precision == "tf32" and not self.on_gpu else precision
        jax.config.update("jax_default_matmul_precision", MATMUL_PRECISION[effective])
        self.precision = effective
        self.compute_dtype = getattr(jax.numpy, COMPUTE_DTYPES.get(effective, "float32"))
        self.loss_scale = FP16_LOSS_SCALE if effective == "fp16" else 1.0
        settings: dict[str, Any] = {
            "precision_requested": precision,
            "precision": effective,
            "jax_default_matmul_precision": jax.config.values["jax_default_matmul_precision"],
            "compute_dtype": COMPUTE_DTYPES.get(effective, "float32"),
            "master_weights": "float32",
            "loss_scaling": f"static x{FP16_LOSS_SCALE:g}" if effective == "fp16" else None,
        }
        if precision == "tf32" and not self.on_gpu:
            settings["tf32_note"] = TF32_ON_CPU
        return settings

    def _memory_source(self) -> str:
        stats = self.device.memory_stats() if self.device is not None else None
        if stats and "peak_bytes_in_use" in stats:
            return PEAK_SOURCE
        return f"device.memory_stats() not reported on {self.device.platform}; {host.PEAK_RSS_SOURCE}"

    def environment(self, request: ProbeRequest) -> Environment:
        jax = self.jax
        driver, cuda_driver = nvml.driver_versions()
        return Environment(
            os=host.os_name(),
            python=host.python_version(),
            framework_version=jax.__version__,
            device=str(self.device),
            device_name=str(self.device.device_kind) if self.on_gpu else host.cpu_name(),
            gpu_visible=bool(self._gpus()),
            gpu_present=nvml.open_gpu(0) is not None,
            driver_version=driver,
            cuda_driver_version=cuda_driver,
            cpu_count=host.cpu_count(),
        )

    def build(self, workload: Workload, mode: Mode) -> JaxCell:
        return JaxCell(self, workload, mode)

    def sync(self) -> None:
        if self.pending is not None:
            self.jax.block_until_ready(self.pending)
            self.pending = None

    def reset_peak_memory(self) -> None:
        """JAX cannot reset its peak counter; the source string says the peak is since the process started."""

    def peak_memory(self) -> tuple[int | None, str]:
        stats = self.device.memory_stats()
        if stats and "peak_bytes_in_use" in stats:
            return int(stats["peak_bytes_in_use"]), self._memory_source()
        return host.peak_rss_bytes(), self._memory_source()

    def subjects(self, request: ProbeRequest) -> Iterator[JaxSubject]:
        """Each workload's inference function at batch 1 (weights baked in), with its outputs."""
        for name in request.workloads:
            cell = self.build(WORKLOADS[name], "eager")
            weights, state = cell.weights, cell.state

            def infer(x: Any, cell: JaxCell = cell, weights: Any = weights, state: Any = state) -> Any:
                return cell.forward(weights, state, x)

            subject = JaxSubject(
                workload=name,
                kind=SYNTHETIC,
                infer=infer,
                inputs=(np.asarray(cell.x_b1),),
                samples=np.asarray(cell.x)[:REPRESENTATIVE_SAMPLES],
            )
            subject.expected = subject.run_source(subject.inputs)
            yield subject

    def is_oom(self, error: BaseException) -> bool:
        text = str(error)
        return "RESOURCE_EXHAUSTED" in text or "Out of memory" in text or "out of memory" in text


class JaxCell:
    """One model in one mode with its seeded parameters, optimiser state and data on the device."""

    params: int

    def __init__(self, backend: JaxBackend, workload: Workload, mode: Mode) -> None:
        from advisor.probing.jax import models

        jax = backend.jax
        self.backend, self.workload, self.models = backend, workload, models
        keys = jax.random.split(jax.random.key(backend.seed), 5)
        self.weights, self.state = models.init(workload, backend.seed)  # not measured
        self.params = models.count_params(self.weights)
        # Zeros made on the host and put on the device in one go: zeros_like per leaf compiles per shape.
        self.momentum = jax.device_put(jax.tree.map(lambda a: np.zeros(a.shape, a.dtype), self.weights))
        batch, large = workload.batch_size, workload.large_batch_size
        self.x = models.make_inputs(workload, batch, keys[1])
        self.y = models.make_labels(workload, batch, keys[2])
        self.x_b1 = models.make_inputs(workload, 1, keys[3])
        self.x_large = models.make_inputs(workload, large, keys[4])
        self._train: Callable[..., Any] = self._step
        self._infer: Callable[..., Any] = self.forward
        if mode == "compiled":
            self._train = jax.jit(self._step, donate_argnums=(0, 1, 2))
            self._infer = jax.jit(self.forward)

    def forward(self, weights: Any, state: Any, x: Any) -> Any:
        """Inference-mode logits (running batch-norm statistics)."""
        return self.models.apply(self.workload, weights, state, x, False, self.backend.compute_dtype)[0]

    def loss(self, weights: Any, state: Any, x: Any, y: Any) -> tuple[Any, Any]:
        logits, new_state = self.models.apply(self.workload, weights, state, x, True, self.backend.compute_dtype)
        return self.models.cross_entropy(logits, y) * self.backend.loss_scale, new_state

    def _step(self, weights: Any, momentum: Any, state: Any, x: Any, y: Any) -> tuple[Any, Any, Any, Any]:
        """value_and_grad of the loss, then SGD with momentum (PyTorch's form) on float32 master weights."""
        jax = self.backend.jax
        (loss, new_state), grads = jax.value_and_grad(self.loss, has_aux=True)(weights, state, x, y)
        unscale = 1.0 / self.backend.loss_scale
        momentum = jax.tree.map(lambda b, g: MOMENTUM * b + g.astype(b.dtype) * unscale, momentum, grads)
        weights = jax.tree.map(lambda p, b: p - LEARNING_RATE * b, weights, momentum)
        return weights, momentum, new_state, loss

    def train_step(self) -> None:
        self.weights, self.momentum, self.state, loss = self._train(
            self.weights, self.momentum, self.state, self.x, self.y
        )
        self.backend.pending = (loss, self.weights)

    def infer_b1(self) -> None:
        self.backend.pending = self._infer(self.weights, self.state, self.x_b1)

    def infer_large(self) -> None:
        self.backend.pending = self._infer(self.weights, self.state, self.x_large)


# The team's model, by kind: a Keras 3 model on the JAX backend.
MODELS: dict[str, LoadModel] = {"keras_factory": KerasOwnModel, "keras_file": KerasOwnModel}

if __name__ == "__main__":
    raise SystemExit(main("jax", JaxBackend, ROUTES, MODELS))
