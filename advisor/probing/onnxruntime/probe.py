"""The onnxruntime child: an ``.onnx`` model measured as a baseline (``python -m advisor.probing.onnxruntime.probe``).

onnxruntime is no candidate framework: this child exists so a team that already has an ONNX model sees
what a plain runtime makes of it, beside the frameworks. It measures inference only, on the CPU
execution provider, with the same loop and statistics as the other children: "eager" is a session
with graph optimisations off (ORT_DISABLE_ALL), "compiled" one with all of them (ORT_ENABLE_ALL).
There are no deployment routes to check: the file already is the deployment artifact.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from advisor.probing import host
from advisor.probing.child.main import main
from advisor.probing.child.own_model import (
    Emit,
    ModelLoadError,
    Parts,
    batches,
    check_batch_axis,
    describe_inputs,
    run_routes,
)
from advisor.probing.child.workloads import Workload
from advisor.probing.protocol import DeployCheck, Environment, Mode, ModelSource, ProbeRequest

EXAMPLE_BATCH = 8
NUMPY_TYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
}


class OrtBackend:
    """The ``Backend`` protocol for onnxruntime (CPU execution provider, no synthetic workloads)."""

    framework = "onnxruntime"

    def __init__(self) -> None:
        import onnxruntime

        self.ort = onnxruntime
        self.threads = 1

    def setup(self, request: ProbeRequest) -> dict[str, Any]:
        self.threads = request.threads
        return {
            "onnxruntime_version": self.ort.__version__,
            "device": "cpu",
            "execution_provider": "CPUExecutionProvider",
            "threads": request.threads,
            "inter_op_threads": 1,
            "eager": "graph optimisations off (ORT_DISABLE_ALL)",
            "compile": "all graph optimisations (ORT_ENABLE_ALL)",
        }

    def environment(self, request: ProbeRequest) -> Environment:
        return Environment(
            os=host.os_name(),
            python=host.python_version(),
            framework_version=self.ort.__version__,
            device="cpu",
            device_name=host.cpu_name(),
            gpu_visible=False,
            gpu_present=False,
            cpu_count=host.cpu_count(),
        )

    def build(self, workload: Workload, mode: Mode) -> Any:
        raise RuntimeError("the onnxruntime child measures only an .onnx model")

    def sync(self) -> None:
        """onnxruntime's run returns when the outputs are ready."""

    def reset_peak_memory(self) -> None:
        """Process peak RSS cannot be reset."""

    def peak_memory(self) -> tuple[int | None, str]:
        return host.peak_rss_bytes(), host.PEAK_RSS_SOURCE

    def is_oom(self, error: BaseException) -> bool:
        return "bad_alloc" in str(error) or "Failed to allocate" in str(error)

    def deploy(self, request: ProbeRequest, started: float) -> list[DeployCheck]:
        return []

    def session(self, path: str, optimized: bool) -> Any:
        ort = self.ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = (
            ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimized else ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        )
        return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


class OnnxOwn:
    """An ``.onnx`` file: made-up inputs from its input shapes (batch 8 on a symbolic axis 0)."""

    def __init__(self, backend: OrtBackend, request: ProbeRequest) -> None:
        source = request.model
        assert source is not None
        self.backend, self.source = backend, source
        try:
            session = backend.session(str(source.path), True)
        except Exception as error:
            first = str(error).splitlines()[0][:300] if str(error) else ""
            raise ModelLoadError(
                f"{source.ref}: {source.path} is not an ONNX model onnxruntime can load: "
                f"{type(error).__name__}: {first}"
            ) from None
        self.names = [i.name for i in session.get_inputs()]
        inputs = tuple(_made_up(i, source) for i in session.get_inputs())
        self.parts = Parts(None, inputs, dynamic_dims=source.dynamic_dims if source.dynamic_dims is not None else [0])
        example_batch = check_batch_axis(self.parts, source, np.shape)
        self.batches = batches(self.parts, example_batch)
        batch_axis = 0 in self.parts.dynamic_dims
        self.x_b1 = tuple(x[:1] for x in inputs) if batch_axis else inputs
        factor = self.batches[1] // max(1, example_batch)
        self.x_large = tuple(np.concatenate([x] * factor, 0) for x in inputs) if batch_axis and factor > 1 else inputs
        self.params = _initializer_params(str(source.path))
        self.trainable = False

    def settings(self) -> dict[str, Any]:
        return {
            "own_model": self.source.ref,
            "own_model_kind": self.source.kind,
            "own_model_inputs": describe_inputs(self.parts.inputs)
            + " (made up: standard normal floats, zero integers)",
            "own_model_trainable": False,
            "own_model_baseline": "onnxruntime is a baseline, not a candidate framework",
        }

    def build(self, mode: Mode) -> OnnxCell:
        return OnnxCell(self, mode)

    def deploy(self, request: ProbeRequest, started: float, emit: Emit) -> list[DeployCheck]:
        routes = [
            (target, "onnxruntime (the input)", "the input is already an ONNX model; it is measured above")
            for target in request.deploy
        ]
        return run_routes(routes, request, started, emit)  # type: ignore[arg-type]


class OnnxCell:
    def __init__(self, owner: OnnxOwn, mode: Mode) -> None:
        self.owner = owner
        self.params = owner.params
        self.train_step = None
        self.session = owner.backend.session(str(owner.source.path), mode == "compiled")

    def _run(self, x: tuple[Any, ...]) -> None:
        self.session.run(None, dict(zip(self.owner.names, x, strict=True)))

    def infer_b1(self) -> None:
        self._run(self.owner.x_b1)

    def infer_large(self) -> None:
        self._run(self.owner.x_large)


def _made_up(spec: Any, source: ModelSource) -> Any:
    dims = list(spec.shape)
    if dims and not isinstance(dims[0], int):
        dims[0] = EXAMPLE_BATCH
    unknown = [axis for axis, d in enumerate(dims) if not isinstance(d, int)]
    if unknown:
        raise ModelLoadError(
            f"{source.ref}: input '{spec.name}' has a symbolic size on axis {unknown[0]}; export the model with "
            "that axis fixed, or probe the model's factory"
        )
    kind = NUMPY_TYPES.get(spec.type)
    if kind is None:
        raise ModelLoadError(f"{source.ref}: input '{spec.name}' has type {spec.type}, which the probe cannot make up")
    rng = np.random.default_rng(0)
    return rng.standard_normal(dims).astype(kind) if np.dtype(kind).kind == "f" else np.zeros(dims, dtype=kind)


def _initializer_params(path: str) -> int | None:
    try:
        import onnx

        graph = onnx.load(path, load_external_data=False).graph
        return int(sum(int(np.prod(t.dims)) for t in graph.initializer))
    except Exception:
        return None


if __name__ == "__main__":
    raise SystemExit(main("onnxruntime", OrtBackend))
