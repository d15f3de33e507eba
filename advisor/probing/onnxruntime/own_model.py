"""A team's ``.onnx`` model in the onnxruntime child: measured for inference on inputs made up from its
input shapes (batch 8 on a symbolic axis 0), as a baseline beside the frameworks, never a candidate."""

from __future__ import annotations

from typing import Any

import numpy as np

from advisor.evidence.protocol import OWN_MODEL, Mode, ModelSource, ProbeRequest
from advisor.probing.child.own_model import (
    EXAMPLE_BATCH,
    MADE_UP,
    ModelLoadError,
    Parts,
    batch_inputs,
    batches,
    check_batch_axis,
    describe_inputs,
)
from advisor.probing.child.routes import Subject

NUMPY_TYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
}


class OnnxOwn:
    """An ``.onnx`` file: made-up inputs from its input shapes (batch 8 on a symbolic axis 0)."""

    def __init__(self, backend: Any, request: ProbeRequest) -> None:
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
        self.x_b1, self.x_large = batch_inputs(
            inputs, self.parts, self.batches, example_batch, lambda x, times: np.concatenate([x] * times, 0)
        )
        self.params = _initializer_params(str(source.path))
        self.trainable = False

    def settings(self) -> dict[str, Any]:
        return {
            "own_model": self.source.ref,
            "own_model_kind": self.source.kind,
            "own_model_inputs": describe_inputs(self.parts.inputs) + MADE_UP,
            "own_model_trainable": False,
            "own_model_baseline": "onnxruntime is a baseline, not a candidate framework",
        }

    def build(self, mode: Mode) -> OnnxCell:
        return OnnxCell(self, mode)

    def subject(self) -> Subject:
        """The file itself, for the route table: every target says it is the artifact already."""
        return Subject(workload=OWN_MODEL, kind=self.source.kind, inputs=self.parts.inputs)


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
