"""LiteRT (TFLite) for every route that ends in a ``.tflite``: which interpreter runs it, running it on
example inputs, and the full-integer (int8) conversion settings.

TensorFlow's own routes, PyTorch's onnx2tf route and JAX's jax2tf routes all end here, so each is run
and quantised the same way. TensorFlow itself is never imported here: the caller passes its ``tf``
module (the interpreter falls back to ``tf.lite`` where ai-edge-litert is not installed).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

LITERT = "ai_edge_litert.Interpreter"
TF_LITE = "tf.lite.Interpreter (ai-edge-litert not installed)"
Rows = Callable[[], Iterable[list[Any]]]  # calibration data: one list of input rows per call


def interpreter_name() -> str:
    """The interpreter :func:`interpreter` returns, in words (route names include it)."""
    return LITERT if importlib.util.find_spec("ai_edge_litert") is not None else TF_LITE


def interpreter(tf: Any) -> Any:
    """LiteRT's own interpreter (ai-edge-litert) where installed, else TensorFlow's deprecated tf.lite one."""
    if interpreter_name() == LITERT:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter
    return tf.lite.Interpreter


def run_tflite(interpreter_class: Any, content: bytes, inputs: Sequence[Any]) -> list[np.ndarray]:
    """Every output of a LiteRT model run on ``inputs`` (in the interpreter's input order), dequantised:
    a full-integer model takes and gives int8 tensors, scaled here so its outputs compare with the source's."""
    model = interpreter_class(model_content=content)
    details = model.get_input_details()
    for detail, x in zip(details, inputs, strict=False):
        model.resize_tensor_input(detail["index"], list(np.shape(x)))
    model.allocate_tensors()
    for detail, x in zip(details, inputs, strict=False):
        scale, zero = detail["quantization"]
        value = np.round(x / scale + zero).astype(detail["dtype"]) if scale else np.asarray(x).astype(detail["dtype"])
        model.set_tensor(detail["index"], value)
    model.invoke()
    outputs = []
    for out in model.get_output_details():
        value = model.get_tensor(out["index"])
        scale, zero = out["quantization"]
        outputs.append((value.astype(np.float32) - zero) * scale if scale else value)
    return outputs


def full_integer(converter: Any, tf: Any, rows: Rows, inputs: Sequence[Any], *, int8_io: bool = True) -> Any:
    """``converter`` set for full-integer int8, calibrated on ``rows``. With ``int8_io`` the model also takes
    and gives int8 tensors, as on a microcontroller; integer inputs (token ids) stay integers."""
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = rows
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if int8_io:
        if all(np.issubdtype(np.asarray(x).dtype, np.floating) for x in inputs):
            converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter
