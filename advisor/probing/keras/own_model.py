"""A team's Keras 3 model (a factory's ``keras.Model`` or a ``.keras`` file) in any Keras backend's child.

The same Keras model runs unchanged on each backend: the parent starts one child per installed
backend with ``KERAS_BACKEND`` set before Keras is imported (TensorFlow in the TensorFlow child,
``torch`` in the PyTorch child, ``jax`` in the JAX child), and each child measures it through the
Keras API a team uses, ``model.compile`` then ``train_on_batch`` and ``predict_on_batch``: eager is
``run_eagerly=True``, compiled is ``jit_compile=True`` (XLA on TensorFlow and JAX, ``torch.compile``
on PyTorch). The result is filed under the backend's framework and records ``keras_backend``.

Its deployment checks run in the TensorFlow child only (SavedModel and LiteRT need TensorFlow), along
TensorFlow's route table (:mod:`advisor.probing.tensorflow.routes`), the same rows the probe workloads
take.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from advisor.evidence.protocol import KERAS_BACKENDS, OWN_MODEL, Mode, ModelSource, ProbeRequest
from advisor.probing.child.own_model import (
    DEFAULT_LOSS,
    MADE_UP,
    TARGETS_LOSS,
    ModelLoadError,
    Parts,
    batch_inputs,
    batches,
    call_factory,
    check_batch_axis,
    describe_inputs,
    made_up_inputs,
    resized,
    unpack,
)
from advisor.probing.child.workloads import LEARNING_RATE, MOMENTUM
from advisor.probing.keras.subject import KerasSubject, call_form

MIXED_POLICIES = {"bf16": "mixed_bfloat16", "fp16": "mixed_float16"}
SGD = f"keras.optimizers.SGD(learning_rate={LEARNING_RATE}, momentum={MOMENTUM})"  # what every Keras model trains with


def _numpy(keras: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return type(value)(_numpy(keras, v) for v in value)
    if isinstance(value, dict):
        return {k: _numpy(keras, v) for k, v in value.items()}
    if isinstance(value, (str, bytes)):
        return value
    return np.asarray(keras.ops.convert_to_numpy(value))


class KerasOwnModel:
    """The loaded Keras model, its initial weights, its inputs, loss and targets."""

    def __init__(self, backend: Any, request: ProbeRequest) -> None:
        import keras

        source = request.model
        assert source is not None
        expected = KERAS_BACKENDS.get(request.framework)
        if keras.backend.backend() != expected:
            raise RuntimeError(
                f"Keras runs on the {keras.backend.backend()} backend in the {request.framework} child "
                f"(KERAS_BACKEND must be {expected} before Keras is imported)"
            )
        self.keras, self.backend, self.source = keras, backend, source
        keras.mixed_precision.set_global_policy(MIXED_POLICIES.get(request.precision, "float32"))
        if source.kind == "keras_factory":
            parts = unpack(
                call_factory(source), source, lambda v: isinstance(v, keras.Model), "a keras.Model (Keras 3)"
            )
        elif source.kind == "keras_file":
            parts = self._load_file(source)
        else:
            raise ModelLoadError(f"{source.ref}: a {source.kind} model is not a Keras model")
        parts.inputs = tuple(_numpy(keras, x) for x in parts.inputs)
        parts.targets = _numpy(keras, parts.targets)
        self.parts, self.model = parts, parts.model
        example_batch = check_batch_axis(parts, source, lambda x: tuple(np.shape(x)))
        self.batches = batches(parts, example_batch)
        self.x = call_form(parts.inputs)
        b1, large = batch_inputs(
            parts.inputs, parts, self.batches, example_batch, lambda x, times: np.concatenate([x] * times, axis=0)
        )
        self.x_b1, self.x_large = call_form(b1), call_form(large)
        self.trainable = bool(self.model.trainable_weights)
        self.loss = parts.loss if parts.loss is not None else "mean_squared_error"
        if parts.targets is not None:
            self.y = parts.targets
        else:  # the stand-in loss: mean squared output, against zeros shaped like the output
            out = self.model(self.x, training=False)
            self.y = _zeros_like(_numpy(keras, out))
        self.initial = self.model.get_weights()
        weights = self.model.trainable_weights if self.trainable else self.model.weights
        self.params = int(sum(int(np.prod(w.shape)) for w in weights))
        self.jit_compile_effective: Any = None

    def _load_file(self, source: ModelSource) -> Parts:
        keras = self.keras
        try:
            model = keras.saving.load_model(str(source.path))
        except Exception as error:
            first = str(error).splitlines()[0][:300] if str(error) else ""
            raise ModelLoadError(
                f"{source.ref}: {source.path} is not a Keras model file (expected a .keras saved by "
                f"model.save): {type(error).__name__}: {first}"
            ) from None
        if not isinstance(model, keras.Model) or not getattr(model, "inputs", None):
            raise ModelLoadError(
                f"{source.ref}: the model in {source.path} has no known input signature; probe its factory instead"
            )
        specs = [(t.name, tuple(t.shape), str(t.dtype)) for t in model.inputs]
        return Parts(model, made_up_inputs(specs, source), dynamic_dims=source.dynamic_dims or [0])

    def restore(self) -> None:
        self.model.set_weights(self.initial)

    def scope(self) -> contextlib.AbstractContextManager[Any]:
        """The TensorFlow child's device scope (TensorFlow places ops on a GPU otherwise); none elsewhere."""
        tf = getattr(self.backend, "tf", None)
        return tf.device(self.backend.device) if tf is not None else contextlib.nullcontext()

    def settings(self) -> dict[str, Any]:
        loss = self.parts.loss
        return {
            "own_model": self.source.ref,
            "own_model_kind": self.source.kind,
            "keras_backend": self.keras.backend.backend(),
            "keras_version": self.keras.__version__,
            "own_model_inputs": describe_inputs(self.parts.inputs)
            + (MADE_UP if self.source.kind == "keras_file" else ""),
            "own_model_dynamic_dims": ", ".join(map(str, self.parts.dynamic_dims)) or "none",
            "own_model_trainable": self.trainable,
            "own_model_loss": (getattr(loss, "name", None) or str(loss))
            if loss is not None
            else (TARGETS_LOSS if self.parts.targets is not None else DEFAULT_LOSS),
            "own_model_optimizer": SGD,
            "own_model_eager": "model.compile(run_eagerly=True); train_on_batch / predict_on_batch",
            "own_model_compile": "model.compile(jit_compile=True): XLA on TensorFlow and JAX, torch.compile on PyTorch",
            "own_model_batches": f"latency at batch {len(_first(self.x_b1))}, throughput at batch {self.batches[1]}",
        }

    def build(self, mode: Mode) -> KerasOwnCell:
        return KerasOwnCell(self, mode)

    def subject(self) -> KerasSubject | None:
        """The model as loaded, for TensorFlow's route table; None on another backend (SavedModel and LiteRT
        need TensorFlow, and the TensorFlow child checks the same model)."""
        if self.keras.backend.backend() != "tensorflow":
            return None
        self.restore()
        inputs, dims = self.parts.inputs, self.parts.dynamic_dims
        varied = resized(inputs, dims, lambda x, a: int(np.shape(x)[a]), lambda x, a, k: np.concatenate([x] * k, a))
        return KerasSubject(
            workload=OWN_MODEL,
            kind=self.source.kind,
            model=self.model,
            inputs=inputs,
            dims=dims,
            varied=varied if dims else None,
            rows=[[x[row : row + 1] for x in inputs] for row in range(int(np.shape(inputs[0])[0]))],
        )


class KerasOwnCell:
    """The Keras model compiled for one mode: ``train_on_batch`` and ``predict_on_batch``."""

    def __init__(self, owner: KerasOwnModel, mode: Mode) -> None:
        keras = owner.keras
        owner.restore()
        self.owner = owner
        self.params = owner.params
        owner.model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=MOMENTUM),
            loss=owner.loss,
            run_eagerly=mode == "eager",
            jit_compile=mode == "compiled",
        )
        if mode == "compiled":
            owner.jit_compile_effective = bool(getattr(owner.model, "jit_compile", False))
        if not owner.trainable:
            self.train_step = None  # type: ignore[assignment]

    def train_step(self) -> None:
        with self.owner.scope():
            self.owner.model.train_on_batch(self.owner.x, self.owner.y)

    def infer_b1(self) -> None:
        with self.owner.scope():
            self.owner.model.predict_on_batch(self.owner.x_b1)

    def infer_large(self) -> None:
        with self.owner.scope():
            self.owner.model.predict_on_batch(self.owner.x_large)


def _first(x: Any) -> Any:
    return x[0] if isinstance(x, list) else x


def _zeros_like(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _zeros_like(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_zeros_like(v) for v in value)
    return np.zeros_like(value, dtype=np.float32)
