"""TensorFlow/Keras deployment routes, run for real on the probe models (in the TensorFlow child only).

server: Keras export -> SavedModel -> tf.saved_model.load; onnx: Keras model.export(format="onnx") ->
onnxruntime; mobile: LiteRT float (.tflite) in the LiteRT interpreter; microcontroller: full-integer
int8 LiteRT with a representative dataset; browser: TF.js conversion where installed (running it needs
a browser, so it is never reported as a success).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from advisor.probing.child.routes import CheckOne, check, for_each_target, missing_module, not_checked, run_tflite
from advisor.probing.child.workloads import WORKLOADS
from advisor.probing.protocol import DeployCheck, DeployTarget, ProbeRequest, WorkloadName

INSTALL = "pip install 'framework-advisor[deploy]'"
REPRESENTATIVE_SAMPLES = 32


def _interpreter(tf: Any) -> tuple[Any, str]:
    """LiteRT's own interpreter (ai-edge-litert) where installed, else TensorFlow's deprecated tf.lite one."""
    if missing_module("ai_edge_litert") is None:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter, "ai_edge_litert.Interpreter"
    return tf.lite.Interpreter, "tf.lite.Interpreter (ai-edge-litert not installed)"


def run_deploy_checks(backend: Any, request: ProbeRequest, started: float) -> list[DeployCheck]:
    """Every requested target for every workload, within the request's deployment budget."""
    tf = backend.tf

    def prepare(name: WorkloadName) -> CheckOne:
        cell = backend.build(WORKLOADS[name], "eager")
        x = cell.x_b1.numpy()
        samples = cell.x.numpy()  # the workload's own input distribution calibrates int8
        reference = cell.model(cell.x_b1, training=False).numpy()
        return lambda target, folder: _check(target, name, cell.model, x, samples, reference, folder, tf)

    with tempfile.TemporaryDirectory(prefix="advisor-deploy-") as folder:
        checks = for_each_target(request, started, Path(folder), prepare)
        if os.environ.get("ADVISOR_PROBE_FAULT") == "unsupported_op" and request.deploy:
            checks.append(_unsupported_op_check(backend, request, Path(folder)))
    return checks


def _check(
    target: DeployTarget, name: Any, model: Any, x: Any, samples: Any, reference: Any, folder: Path, tf: Any
) -> DeployCheck:
    base = folder / f"{name}-{target}"
    if target == "server":
        return check(
            target,
            name,
            "Keras export -> SavedModel -> tf.saved_model.load",
            lambda: _savedmodel(model, x, reference, base, tf),
        )
    if target == "onnx":
        missing = missing_module("tf2onnx", "onnxruntime")
        route = 'Keras model.export(format="onnx") -> onnxruntime'
        if missing:
            return not_checked(target, name, route, f"{missing} is not installed: {INSTALL}")
        return check(target, name, route, lambda: _onnx(model, x, reference, base))
    interpreter, which = _interpreter(tf)
    if target == "mobile":
        return check(
            target,
            name,
            f"TFLiteConverter (float) -> .tflite -> {which}",
            lambda: _litert(tf, interpreter, tf.lite.TFLiteConverter.from_keras_model(model), x, reference, base),
        )
    if target == "microcontroller":
        return check(
            target,
            name,
            f"TFLiteConverter full-integer int8 (representative data) -> {which}",
            lambda: _litert_int8(tf, interpreter, model, x, samples, reference, base),
            quantized=True,
        )
    return _tfjs(name, model, base)


def _savedmodel(model: Any, x: Any, reference: Any, path: Path, tf: Any) -> tuple[Any, Any, Path]:
    model.export(str(path), format="tf_saved_model", verbose=False)
    loaded = tf.saved_model.load(str(path))  # keep it alive: its variables die with it
    return reference, loaded.serve(x).numpy(), path


def _onnx(model: Any, x: Any, reference: Any, base: Path) -> tuple[Any, Any, Path]:
    import onnxruntime

    path = base.with_suffix(".onnx")
    model.export(str(path), format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return reference, session.run(None, {session.get_inputs()[0].name: x})[0], path


def _litert(tf: Any, interpreter: Any, converter: Any, x: Any, reference: Any, base: Path) -> tuple[Any, Any, Path]:
    content = converter.convert()
    path = base.with_suffix(".tflite")
    path.write_bytes(content)
    return reference, run_tflite(interpreter, content, (x,))[0], path


def _litert_int8(
    tf: Any, interpreter: Any, model: Any, x: Any, samples: Any, reference: Any, base: Path
) -> tuple[Any, Any, Path]:
    integer_input = np.issubdtype(x.dtype, np.integer)

    def representative() -> Any:
        for row in samples[:REPRESENTATIVE_SAMPLES]:
            yield [row[None].astype(x.dtype)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not integer_input:  # token ids stay integers; float inputs become int8 as on a microcontroller
        converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return _litert(tf, interpreter, converter, x, reference, base)


def _tfjs(name: Any, model: Any, base: Path) -> DeployCheck:
    route = "tensorflowjs converter -> TF.js (runs in a browser)"
    if missing_module("tensorflowjs"):
        return not_checked(
            "browser",
            name,
            route,
            "tensorflowjs is not installed, and running TF.js needs a browser, which this check does not start",
        )
    try:
        import tensorflowjs

        tensorflowjs.converters.save_keras_model(model, str(base))
    except Exception as error:
        return DeployCheck(target="browser", workload=name, route=route, status="failed", message=str(error)[-1500:])
    size = sum(p.stat().st_size for p in base.rglob("*") if p.is_file())
    return not_checked(
        "browser",
        name,
        route,
        f"converted ({size} bytes), but running TF.js needs a browser, which this check does not start",
    )


def _unsupported_op_check(backend: Any, request: ProbeRequest, folder: Path) -> DeployCheck:
    """Test hook (ADVISOR_PROBE_FAULT=unsupported_op): a model using tf.linalg.svd, which LiteRT's builtin
    ops lack, goes through the real converter so its real error message is what gets reported."""
    tf, keras = backend.tf, backend.keras
    inputs = keras.Input((4, 4))
    outputs = keras.layers.Lambda(lambda t: tf.linalg.svd(t, compute_uv=False))(inputs)
    model = keras.Model(inputs, outputs)
    x = np.eye(4, dtype=np.float32)[None]
    reference = model(x).numpy()
    interpreter, which = _interpreter(tf)
    return check(
        "mobile",
        request.workloads[0],
        f"TFLiteConverter (float) -> {which} [model with tf.linalg.svd]",
        lambda: _litert(tf, interpreter, tf.lite.TFLiteConverter.from_keras_model(model), x, reference, folder / "svd"),
    )
