"""A team's Keras 3 model (a factory's ``keras.Model`` or a ``.keras`` file) in any Keras backend's child,
and a TensorFlow SavedModel in the TensorFlow child.

The same Keras model runs unchanged on each backend: the parent starts one child per installed
backend with ``KERAS_BACKEND`` set before Keras is imported (TensorFlow in the TensorFlow child,
``torch`` in the PyTorch child, ``jax`` in the JAX child), and each child measures it through the
Keras API a team uses, ``model.compile`` then ``train_on_batch`` and ``predict_on_batch``: eager is
``run_eagerly=True``, compiled is ``jit_compile=True`` (XLA on TensorFlow and JAX, ``torch.compile``
on PyTorch). The result is filed under the backend's framework and records ``keras_backend``.

Deployment checks run in the TensorFlow child (SavedModel and LiteRT need TensorFlow): Keras export
to SavedModel (with the declared dynamic axes), Keras export to ONNX, LiteRT float, LiteRT full-integer
int8 calibrated on the example inputs, and TF.js where installed (never run: it needs a browser).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from advisor.probing.child.own_model import (
    DEFAULT_LOSS,
    LEARNING_RATE,
    MOMENTUM,
    TARGETS_LOSS,
    Emit,
    ModelLoadError,
    Parts,
    Route,
    batches,
    both_shapes,
    call_factory,
    check_batch_axis,
    describe_inputs,
    flat,
    resized,
    run_routes,
    unpack,
)
from advisor.probing.child.routes import check, missing_module, run_tflite
from advisor.probing.protocol import (
    KERAS_BACKENDS,
    OWN_MODEL,
    DeployCheck,
    DeployTarget,
    Mode,
    ModelSource,
    ProbeRequest,
)

EXAMPLE_BATCH = 8  # inputs made up for a saved model: this batch, standard normal floats, zero integers
MIXED_POLICIES = {"bf16": "mixed_bfloat16", "fp16": "mixed_float16"}
INSTALL = "pip install 'framework-advisor[deploy]'"


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


def made_up_inputs(specs: list[tuple[str, tuple[Any, ...], str]], source: ModelSource) -> tuple[Any, ...]:
    """Example inputs for a saved model from its input specs (name, shape, dtype): batch
    :data:`EXAMPLE_BATCH` on an unknown axis 0; another unknown axis is an error (it needs a factory)."""
    rng = np.random.default_rng(0)
    out = []
    for name, shape, dtype in specs:
        dims = list(shape)
        if dims and dims[0] is None:
            dims[0] = EXAMPLE_BATCH
        if any(d is None for d in dims):
            raise ModelLoadError(
                f"{source.ref}: input '{name}' has an unknown size on axis {dims.index(None)}; probe a factory "
                "that returns example inputs instead"
            )
        kind = np.dtype(dtype)
        value = rng.standard_normal(dims).astype(kind) if kind.kind == "f" else np.zeros(dims, dtype=kind)
        out.append(value)
    return tuple(out)


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
        self.x = self._call_form(parts.inputs)
        batch_axis = 0 in parts.dynamic_dims
        self.x_b1 = self._call_form(tuple(x[:1] for x in parts.inputs)) if batch_axis else self.x
        factor = self.batches[1] // max(1, example_batch)
        self.x_large = (
            self._call_form(tuple(np.concatenate([x] * factor, axis=0) for x in parts.inputs))
            if batch_axis and factor > 1
            else self.x
        )
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

    @staticmethod
    def _call_form(inputs: tuple[Any, ...]) -> Any:
        return inputs[0] if len(inputs) == 1 else list(inputs)

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
            + (" (made up: standard normal floats, zero integers)" if self.source.kind == "keras_file" else ""),
            "own_model_dynamic_dims": ", ".join(map(str, self.parts.dynamic_dims)) or "none",
            "own_model_trainable": self.trainable,
            "own_model_loss": (getattr(loss, "name", None) or str(loss))
            if loss is not None
            else (TARGETS_LOSS if self.parts.targets is not None else DEFAULT_LOSS),
            "own_model_optimizer": f"keras.optimizers.SGD(learning_rate={LEARNING_RATE}, momentum={MOMENTUM})",
            "own_model_eager": "model.compile(run_eagerly=True); train_on_batch / predict_on_batch",
            "own_model_compile": "model.compile(jit_compile=True): XLA on TensorFlow and JAX, torch.compile on PyTorch",
            "own_model_batches": f"latency at batch {len(_first(self.x_b1))}, throughput at batch {self.batches[1]}",
        }

    def build(self, mode: Mode) -> KerasOwnCell:
        return KerasOwnCell(self, mode)

    # -- deployment (TensorFlow backend only) ----------------------------------------------------

    def deploy(self, request: ProbeRequest, started: float, emit: Emit) -> list[DeployCheck]:
        if self.keras.backend.backend() != "tensorflow":
            return []
        self.restore()
        inputs = self.parts.inputs
        dims = self.parts.dynamic_dims
        varied = resized(inputs, dims, lambda x, a: int(np.shape(x)[a]), lambda x, a, k: np.concatenate([x] * k, a))
        with tempfile.TemporaryDirectory(prefix="advisor-own-model-") as name:
            folder = Path(name)
            routes = [r for t in request.deploy for r in self._routes(t, inputs, varied, folder)]
            return run_routes(routes, request, started, emit)

    def _reference(self, x: tuple[Any, ...]) -> Any:
        return self.model(self._call_form(x), training=False)

    def _signature(self, tf: Any) -> Any:
        dims = self.parts.dynamic_dims
        specs = [
            tf.TensorSpec(
                [None if axis in dims else size for axis, size in enumerate(np.shape(x))], tf.as_dtype(x.dtype)
            )
            for x in self.parts.inputs
        ]
        return specs if len(specs) == 1 else [specs]

    def _routes(self, target: DeployTarget, inputs: Any, varied: Any, folder: Path) -> list[Route]:
        import tensorflow as tf

        from advisor.probing.tensorflow.routes import _interpreter, _tfjs

        dims = self.parts.dynamic_dims
        axes = f"dynamic axes {', '.join(map(str, dims))}" if dims else "static shapes"
        model = self.model
        check_varied = varied if dims else None

        def checked(route: str, run: Callable[[], tuple[Any, Any, Path | None]], quantized: bool = False) -> Any:
            return lambda: check(target, OWN_MODEL, route, run, quantized=quantized)

        if target == "server":
            route = f"Keras export ({axes}) -> SavedModel -> tf.saved_model.load"

            def savedmodel() -> tuple[Any, Any, Path]:
                path = folder / "saved_model"
                model.export(str(path), format="tf_saved_model", verbose=False, input_signature=self._signature(tf))
                loaded = tf.saved_model.load(str(path))
                run = lambda x: loaded.serve(*x) if len(x) == 1 else loaded.serve(list(x))  # noqa: E731
                return (*both_shapes(self._reference, run, inputs, check_varied, dims), path)

            return [(target, route, checked(route, savedmodel))]
        if target == "onnx":
            route = f'Keras model.export(format="onnx", {axes}) -> onnxruntime'
            missing = missing_module("tf2onnx", "onnxruntime")
            if missing:
                return [(target, route, f"{missing} is not installed: {INSTALL}")]

            def onnx() -> tuple[Any, Any, Path]:
                import onnxruntime

                path = folder / "model.onnx"
                model.export(str(path), format="onnx", verbose=False, input_signature=self._signature(tf))
                session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

                def run(x: tuple[Any, ...]) -> Any:
                    names = [i.name for i in session.get_inputs()]
                    return session.run(None, dict(zip(names, x, strict=False)))

                return (*both_shapes(self._reference, run, inputs, check_varied, dims), path)

            return [(target, route, checked(route, onnx))]
        interpreter, which = _interpreter(tf)
        if target == "mobile":
            route = f"TFLiteConverter (float) -> .tflite -> {which}"
            converter = lambda: tf.lite.TFLiteConverter.from_keras_model(model)  # noqa: E731
            return [(target, route, checked(route, self._litert(converter, interpreter, inputs, folder, "float")))]
        if target == "microcontroller":
            route = f"TFLiteConverter full-integer int8 (calibrated on the example inputs) -> {which}"
            return [
                (target, route, checked(route, self._litert(self._int8(tf), interpreter, inputs, folder, "int8"), True))
            ]
        return [
            (
                target,
                "tensorflowjs converter -> TF.js (runs in a browser)",
                lambda: _tfjs(OWN_MODEL, model, folder / "tfjs"),
            )
        ]

    def _int8(self, tf: Any) -> Callable[[], Any]:
        inputs = self.parts.inputs

        def make() -> Any:
            def representative() -> Any:
                for row in range(int(np.shape(inputs[0])[0])):
                    yield [x[row : row + 1] for x in inputs]

            converter = tf.lite.TFLiteConverter.from_keras_model(self.model)
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = representative
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            if all(np.issubdtype(x.dtype, np.floating) for x in inputs):
                converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
            return converter

        return make

    def _litert(
        self, converter: Callable[[], Any], interpreter: Any, inputs: Any, folder: Path, kind: str
    ) -> Callable[[], tuple[Any, Any, Path]]:
        def run() -> tuple[Any, Any, Path]:
            content = converter().convert()
            path = folder / f"model-{kind}.tflite"
            path.write_bytes(content)
            return flat(self._reference(inputs)), flat(run_tflite(interpreter, content, inputs)), path

        return run


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


# -- a TensorFlow SavedModel (TensorFlow child only) ------------------------------------------------


class SavedModelOwn:
    """A SavedModel's serving signature: inference only. Eager is the signature as saved (a traced graph,
    no XLA); compiled wraps it in ``tf.function(jit_compile=True)``."""

    def __init__(self, backend: Any, request: ProbeRequest) -> None:
        tf = backend.tf
        source = request.model
        assert source is not None
        self.tf, self.backend, self.source = tf, backend, source
        try:
            self.loaded = tf.saved_model.load(str(source.path))
        except Exception as error:
            first = str(error).splitlines()[0][:300] if str(error) else ""
            raise ModelLoadError(
                f"{source.ref}: {source.path} is not a TensorFlow SavedModel folder: {type(error).__name__}: {first}"
            ) from None
        signatures = dict(getattr(self.loaded, "signatures", {}) or {})
        if not signatures:
            raise ModelLoadError(f"{source.ref}: the SavedModel in {source.path} has no serving signature")
        self.signature_name = "serving_default" if "serving_default" in signatures else sorted(signatures)[0]
        self.function = signatures[self.signature_name]
        spec = self.function.structured_input_signature[1]
        self.names = sorted(spec)
        specs = [(n, tuple(spec[n].shape.as_list()), spec[n].dtype.as_numpy_dtype) for n in self.names]
        inputs = made_up_inputs(specs, source)
        self.parts = Parts(None, inputs, dynamic_dims=source.dynamic_dims or [0])
        example_batch = check_batch_axis(self.parts, source, lambda x: tuple(np.shape(x)))
        self.batches = batches(self.parts, example_batch)
        self.x = inputs
        batch_axis = 0 in self.parts.dynamic_dims
        self.x_b1 = tuple(x[:1] for x in inputs) if batch_axis else inputs
        factor = self.batches[1] // max(1, example_batch)
        self.x_large = tuple(np.concatenate([x] * factor, 0) for x in inputs) if batch_axis and factor > 1 else inputs
        variables = getattr(self.loaded, "variables", None) or []
        self.params = int(sum(int(np.prod(v.shape)) for v in variables))
        self.trainable = False

    def call(self, x: tuple[Any, ...]) -> Any:
        return self.function(**dict(zip(self.names, x, strict=True)))

    def settings(self) -> dict[str, Any]:
        return {
            "own_model": self.source.ref,
            "own_model_kind": self.source.kind,
            "own_model_signature": self.signature_name,
            "own_model_inputs": describe_inputs(self.x) + " (made up: standard normal floats, zero integers)",
            "own_model_trainable": False,
            "own_model_eager": "the serving signature as saved (a traced graph without XLA)",
            "own_model_compile": "tf.function(jit_compile=True) around the serving signature",
        }

    def build(self, mode: Mode) -> SavedModelCell:
        return SavedModelCell(self, mode)

    def deploy(self, request: ProbeRequest, started: float, emit: Emit) -> list[DeployCheck]:
        tf = self.tf
        from advisor.probing.tensorflow.routes import _interpreter

        interpreter, which = _interpreter(tf)
        path = str(self.source.path)
        inputs = self.x

        def reference(x: tuple[Any, ...]) -> Any:
            out = self.call(x)
            return [out[k] for k in sorted(out)]

        def litert(kind: str) -> Callable[[], tuple[Any, Any, Path]]:
            def run() -> tuple[Any, Any, Path]:
                converter = tf.lite.TFLiteConverter.from_saved_model(path, signature_keys=[self.signature_name])
                if kind == "int8":
                    converter.optimizations = [tf.lite.Optimize.DEFAULT]
                    converter.representative_dataset = lambda: (
                        [x[row : row + 1] for x in inputs] for row in range(int(np.shape(inputs[0])[0]))
                    )
                    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
                content = converter.convert()
                out = Path(folder) / f"model-{kind}.tflite"
                out.write_bytes(content)
                runner = interpreter(model_content=content).get_signature_runner(self.signature_name)
                result = runner(**dict(zip(self.names, inputs, strict=True)))
                return flat(reference(inputs)), flat([result[k] for k in sorted(result)]), out

            return run

        routes: list[Route] = []
        with tempfile.TemporaryDirectory(prefix="advisor-own-model-") as folder:
            for target in request.deploy:
                if target == "server":
                    routes.append((target, "tf.saved_model.load (the input)", "the input is already a SavedModel"))
                elif target == "mobile":
                    route = f"TFLiteConverter.from_saved_model (float) -> {which}"
                    routes.append((target, route, _bound(target, route, litert("float"))))
                elif target == "microcontroller":
                    route = f"TFLiteConverter.from_saved_model int8 (calibrated on made-up inputs) -> {which}"
                    routes.append((target, route, _bound(target, route, litert("int8"), quantized=True)))
                elif target == "onnx":
                    routes.append(
                        (
                            target,
                            "tf2onnx -> onnxruntime",
                            "not checked for a SavedModel input (python -m tf2onnx.convert --saved-model converts "
                            "it); probe the Keras model to check Keras' own ONNX export",
                        )
                    )
                else:
                    routes.append((target, "tensorflowjs converter -> TF.js", "running TF.js needs a browser"))
            return run_routes(routes, request, started, emit)


def _bound(
    target: DeployTarget, route: str, run: Callable[[], Any], quantized: bool = False
) -> Callable[[], DeployCheck]:
    return lambda: check(target, OWN_MODEL, route, run, quantized=quantized)


class SavedModelCell:
    def __init__(self, owner: SavedModelOwn, mode: Mode) -> None:
        self.owner = owner
        self.params = owner.params
        self.train_step = None
        call = owner.call
        self.run = owner.tf.function(call, jit_compile=True) if mode == "compiled" else call

    def infer_b1(self) -> None:
        with self.owner.tf.device(self.owner.backend.device):
            self.run(self.owner.x_b1)

    def infer_large(self) -> None:
        with self.owner.tf.device(self.owner.backend.device):
            self.run(self.owner.x_large)
