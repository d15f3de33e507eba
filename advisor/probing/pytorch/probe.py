"""The PyTorch probe child: ``python -m advisor.probing.pytorch.probe`` reads a request on stdin.

Only the framework-specific part lives here (settings, models, one step, the models handed to the route
table); timing, warm-up, budgets and statistics are shared with the other children in
:mod:`advisor.probing.child.measure`, so all are measured the same way. ``torch`` is imported inside
``TorchBackend.__init__``, after the child's start time is taken, so the framework import counts
against the budget as it does for TensorFlow and JAX.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from advisor.evidence.protocol import Environment, Mode, ProbeRequest
from advisor.probing import host
from advisor.probing.child import nvml
from advisor.probing.child.backend import TF32_ON_CPU
from advisor.probing.child.main import LoadModel, main
from advisor.probing.child.routes import SYNTHETIC
from advisor.probing.child.workloads import LEARNING_RATE, MOMENTUM, WORKLOADS, LstmShape, Workload
from advisor.probing.keras.own_model import KerasOwnModel
from advisor.probing.pytorch.own_model import TorchOwnModel
from advisor.probing.pytorch.routes import ROUTES, TorchSubject
from advisor.probing.pytorch.runtime import environment

if TYPE_CHECKING:
    import torch

OPTIMIZER = f"SGD(lr={LEARNING_RATE}, momentum={MOMENTUM})"  # every child uses the same
COMPILE = "torch.compile(fullgraph=True)"  # what tf.function(jit_compile=True) is compared with
AUTOCAST = {"bf16": "bfloat16", "fp16": "float16"}


class TorchBackend:
    """Implements ``advisor.probing.child.backend.Backend`` for PyTorch (eager modules and torch.compile)."""

    framework = "pytorch"

    def __init__(self) -> None:
        import torch

        self.torch = torch
        self.device = torch.device("cpu")
        self.seed = 0
        self.autocast_dtype: torch.dtype | None = None
        self.grad_scaling = False

    def setup(self, request: ProbeRequest) -> dict[str, Any]:
        """Apply every setting before the first op and return them, so a report can show what ran."""
        torch = self.torch
        self.seed = request.seed
        settings: dict[str, Any] = {"framework_version": torch.__version__, "seed": request.seed}
        settings.update(self._threads(request.threads))
        self.device = self._resolve_device(request.device)
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)
        settings["device"] = str(self.device)
        settings.update(self._precision(request.precision))
        torch.backends.cudnn.benchmark = True  # TensorFlow autotunes convolutions by default
        settings.update(
            {
                "cudnn_benchmark": torch.backends.cudnn.benchmark,
                "layout": "NCHW",
                "onednn_enabled": torch.backends.mkldnn.enabled,
                "optimizer": OPTIMIZER,
                "loss": "cross_entropy",
                "compile": COMPILE,
                "compile_scope": "model forward and backward; optimizer step and zero_grad run eagerly",
                "compile_dynamic": "default (shapes specialised, automatic dynamic after a shape change)",
                "mha_fastpath_enabled": torch.backends.mha.get_fastpath_enabled(),
                "lstm_redundant_bias_params": self._lstm_redundant_bias(),
            }
        )
        if "compiled" in request.modes:  # importing torch._dynamo costs time eager-only runs need not pay
            import torch._dynamo

            settings["dynamo_allow_rnn"] = bool(torch._dynamo.config.allow_rnn)
            settings["inductor_cache_preexisting"] = self._inductor_cache_preexisting()
        return settings

    def _threads(self, threads: int) -> dict[str, Any]:
        """Same intra-op thread count as TensorFlow, and one inter-op thread on both sides."""
        torch = self.torch
        torch.set_num_threads(threads)
        with contextlib.suppress(RuntimeError):  # raises once inter-op work has started (in-process tests)
            torch.set_num_interop_threads(1)
        return {"threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads()}

    def _resolve_device(self, requested: str) -> torch.device:
        torch = self.torch
        if requested == "auto":
            return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        if requested == "cpu":
            return torch.device("cpu")
        index = nvml.gpu_index(requested)
        if index is None:
            raise RuntimeError(f"unsupported device {requested!r}: use auto, cpu or cuda:N")
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"device {requested} was requested but this PyTorch build sees no CUDA GPU "
                f"(torch {torch.__version__}, CUDA {torch.version.cuda})"
            )
        if index >= torch.cuda.device_count():
            raise RuntimeError(
                f"device {requested} was requested but only {torch.cuda.device_count()} CUDA device(s) are visible"
            )
        return torch.device(f"cuda:{index}")

    def _precision(self, precision: str) -> dict[str, Any]:
        """TF32 explicit both ways (TF enables it by default, PyTorch matmul does not); autocast for 16 bit."""
        torch, on_gpu = self.torch, self.device.type == "cuda"
        tf32 = precision == "tf32" and on_gpu
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        settings: dict[str, Any] = {"precision_requested": precision}
        if precision == "tf32" and not on_gpu:
            settings["tf32_note"] = TF32_ON_CPU
        effective = "fp32" if precision == "tf32" and not on_gpu else precision
        self.autocast_dtype = getattr(torch, AUTOCAST[precision]) if precision in AUTOCAST else None
        self.grad_scaling = precision == "fp16" and on_gpu
        settings.update(
            {
                "precision": effective,
                "tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
                "tf32_cudnn": torch.backends.cudnn.allow_tf32,
                "float32_matmul_precision": torch.get_float32_matmul_precision(),
                "autocast_dtype": AUTOCAST.get(precision),
                "grad_scaler": self.grad_scaling,
            }
        )
        return settings

    @staticmethod
    def _lstm_redundant_bias() -> int:
        shape = WORKLOADS["lstm"].shape
        assert isinstance(shape, LstmShape)
        return 4 * shape.hidden

    def _inductor_cache_preexisting(self) -> bool:
        """Whether Inductor's on-disk cache already held entries: compile times may then be warm."""
        import os

        from torch._inductor.runtime.cache_dir_utils import cache_dir

        path = cache_dir()
        return os.path.isdir(path) and bool(os.listdir(path))

    def environment(self, request: ProbeRequest) -> Environment:
        return environment(self.torch, self.device)

    def build(self, workload: Workload, mode: Mode) -> TorchCell:
        return TorchCell(self, workload, mode)

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return self.torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)

    def sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize(self.device)

    def reset_peak_memory(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.reset_peak_memory_stats(self.device)

    def peak_memory(self) -> tuple[int | None, str]:
        if self.device.type == "cuda":
            return (
                int(self.torch.cuda.max_memory_allocated(self.device)),
                "torch.cuda.max_memory_allocated (caching-allocator peak since the cell's reset)",
            )
        return host.peak_rss_bytes(), host.PEAK_RSS_SOURCE

    def subjects(self, request: ProbeRequest) -> Iterator[TorchSubject]:
        """Each workload's model in eval mode at batch 1, with its outputs, for the route table."""
        for name in request.workloads:
            cell = self.build(WORKLOADS[name], "eager")
            model, x = cell.model.eval(), cell.x_b1
            subject = TorchSubject(workload=name, kind=SYNTHETIC, model=model, inputs=(x,))
            subject.expected = subject.run_source(subject.inputs)
            yield subject

    def is_oom(self, error: BaseException) -> bool:
        if isinstance(error, self.torch.cuda.OutOfMemoryError):
            return True
        return isinstance(error, RuntimeError) and "out of memory" in str(error)


class TorchCell:
    """One model in one mode with its seeded data and optimiser already on the device."""

    params: int
    forward: Callable[[torch.Tensor], torch.Tensor]  # the module itself, or its torch.compile wrapper

    def __init__(self, backend: TorchBackend, workload: Workload, mode: Mode) -> None:
        from advisor.probing.pytorch import models

        torch = backend.torch
        self.backend = backend
        torch.manual_seed(backend.seed)  # the same initial weights whatever the cell order
        model = models.build_model(workload).to(backend.device)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        self.params = trainable - models.redundant_bias_params(model)
        generator = torch.Generator(device=backend.device).manual_seed(backend.seed)
        batch, large = workload.batch_size, workload.large_batch_size
        self.x = models.make_inputs(workload, batch, backend.device, generator)
        self.y = models.make_labels(workload, batch, backend.device, generator)
        self.x_b1 = models.make_inputs(workload, 1, backend.device, generator)
        self.x_large = models.make_inputs(workload, large, backend.device, generator)
        self.model = model
        self.forward = torch.compile(model, fullgraph=True) if mode == "compiled" else model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        self.scaler = torch.amp.GradScaler("cuda") if backend.grad_scaling else None
        self.loss = torch.nn.CrossEntropyLoss()
        self._training: bool | None = None

    def _set_training(self, training: bool) -> None:
        """Switch train/eval only when it changes: ``Module.train`` walks every submodule."""
        if self._training != training:
            self.model.train(training)
            self._training = training

    def train_step(self) -> None:
        """zero_grad, forward and loss (under autocast if any), backward, step; no host sync."""
        self._set_training(True)
        self.optimizer.zero_grad(set_to_none=True)
        with self.backend.autocast():
            loss = self.loss(self.forward(self.x), self.y)
        if self.scaler is None:
            loss.backward()
            self.optimizer.step()
            return
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()

    def _infer(self, x: torch.Tensor) -> None:
        self._set_training(False)
        with self.backend.torch.inference_mode(), self.backend.autocast():
            self.forward(x)

    def infer_b1(self) -> None:
        self._infer(self.x_b1)

    def infer_large(self) -> None:
        self._infer(self.x_large)


# The team's model, by kind: PyTorch's own, or a Keras 3 model on the torch backend.
MODELS: dict[str, LoadModel] = {
    "torch_factory": TorchOwnModel,
    "pt2": TorchOwnModel,
    "keras_factory": KerasOwnModel,
    "keras_file": KerasOwnModel,
}

if __name__ == "__main__":
    raise SystemExit(main("pytorch", TorchBackend, ROUTES, MODELS))
