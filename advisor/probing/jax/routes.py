"""JAX's deployment routes, one table for the probe workloads (JAX child only; JAX has no kind of the
team's model of its own: a Keras 3 model on the JAX backend is checked in the TensorFlow child).

server: ``jax.export`` (StableHLO) -> ``Exported.serialize()`` -> ``jax.export.deserialize`` -> ``call``;
onnx: jax2onnx ``to_onnx`` -> onnxruntime; mobile: the route Google AI Edge documents for JAX
("LiteRT JAX support overview": jax2tf -> TensorFlow SavedModel -> TFLite converter) run in the
LiteRT interpreter; microcontroller: the same route with full-integer int8 quantisation, converted in a
process of its own (:mod:`advisor.probing.jax.litert_int8`). Browser runtimes cannot run here and are
reported as not checked, with why.

Each model is exported in inference mode with its weights baked in as constants (what a served
artifact holds), at batch size 1. JAX, TensorFlow and the converters are imported inside the exports.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from advisor.probing.child import litert
from advisor.probing.child.command import child_command
from advisor.probing.child.routes import Artifact, Route, Subject

INT8_TIMEOUT_S = 180.0


@dataclass(kw_only=True)
class JaxSubject(Subject):
    """A workload's inference function (weights closed over) at batch 1, and samples that calibrate int8."""

    infer: Callable[[Any], Any]
    samples: Any  # the workload's own training inputs

    def run_source(self, inputs: tuple[Any, ...]) -> Any:
        import jax

        return np.asarray(jax.jit(self.infer)(*inputs), dtype=np.float32)


def _stablehlo(subject: JaxSubject, folder: Path) -> Artifact:
    """StableHLO round trip: the deserialised artifact runs without the Python model code."""
    import jax
    from jax import export

    x = subject.inputs[0]
    exported = export.export(jax.jit(subject.infer))(jax.ShapeDtypeStruct(x.shape, x.dtype))
    path = folder / "model.jax_exported"
    path.write_bytes(exported.serialize())
    loaded = export.deserialize(bytearray(path.read_bytes()))
    return Artifact(path, lambda inputs: np.asarray(loaded.call(*inputs)))


def _onnx(subject: JaxSubject, folder: Path) -> Artifact:
    import onnxruntime
    from jax2onnx import to_onnx

    onnx_folder = folder / "onnx"  # jax2onnx may keep the weights in a side file
    onnx_folder.mkdir()
    path = onnx_folder / "model.onnx"
    to_onnx(subject.infer, list(subject.inputs), model_name="probe", return_mode="file", output_path=str(path))
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return Artifact(onnx_folder, lambda inputs: session.run(None, {name: inputs[0]}))


def _savedmodel(subject: JaxSubject, path: Path) -> Path:
    """jax2tf.convert wrapped in a tf.function with a fixed input signature, saved as a SavedModel."""
    import tensorflow as tf
    from jax.experimental import jax2tf

    x = subject.inputs[0]
    module = tf.Module()
    module.serve = tf.function(
        jax2tf.convert(subject.infer), autograph=False, input_signature=[tf.TensorSpec(x.shape, tf.as_dtype(x.dtype))]
    )
    tf.saved_model.save(module, str(path))
    return path


def _litert(subject: JaxSubject, folder: Path) -> Artifact:
    import tensorflow as tf

    saved = _savedmodel(subject, folder / "savedmodel-float")
    content = tf.lite.TFLiteConverter.from_saved_model(str(saved)).convert()
    path = folder / "model-float.tflite"
    path.write_bytes(content)
    interpreter = litert.interpreter(tf)
    return Artifact(path, lambda inputs: litert.run_tflite(interpreter, content, inputs))


def _litert_int8(subject: JaxSubject, folder: Path) -> Artifact:
    """The full-integer conversion, run in a process of its own (:mod:`advisor.probing.jax.litert_int8`:
    TensorFlow's calibrator crashed the JAX child with SIGSEGV on the LSTM, losing every other check).
    That process runs the converted model on the example input too: the artifact's outputs come back
    with it, so this route is checked at the example input only (it keeps no dynamic axes)."""
    saved = _savedmodel(subject, folder / "savedmodel-int8")
    data = folder / "int8-data.npz"
    np.savez(data, x=subject.inputs[0], samples=subject.samples)
    out = folder / "model-int8"
    done = subprocess.run(
        [*child_command("advisor.probing.jax.litert_int8"), str(saved), str(data), str(out)],
        capture_output=True,
        text=True,
        timeout=INT8_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        how = (
            f"died with {signal.Signals(-done.returncode).name}"
            if done.returncode < 0
            else f"exited with code {done.returncode}"
        )
        noise = ("WARNING", "W0000", "I0000", "INFO")
        lines = [line for line in done.stderr.strip().splitlines() if line.strip() and not line.startswith(noise)]
        tail = " | ".join(lines[-3:]) or "no error message"
        raise RuntimeError(f"the TFLite int8 converter {how} (run in its own process): {tail}"[:1200])
    outputs = np.load(out.with_suffix(".npy"))
    return Artifact(out.with_suffix(".tflite"), lambda inputs: outputs)


ROUTES: tuple[Route[JaxSubject], ...] = (
    Route("server", "jax.export (StableHLO) -> serialize -> jax.export.deserialize -> call", _stablehlo),
    Route("onnx", "jax2onnx.to_onnx -> onnxruntime", _onnx, needs=("jax2onnx", "onnxruntime")),
    Route(
        "mobile",
        "jax2tf -> SavedModel -> TFLiteConverter (float) -> LiteRT interpreter",
        _litert,
        needs=("tensorflow",),
    ),
    Route(
        "microcontroller",
        "jax2tf -> SavedModel -> TFLiteConverter full-integer int8 (representative data) -> LiteRT interpreter",
        _litert_int8,
        parity="int8",
        needs=("tensorflow",),
    ),
    Route(
        "browser",
        "jax2tf -> SavedModel -> tensorflowjs converter -> TF.js",
        not_checked="running TF.js needs a browser, which this check does not start; see the server and onnx "
        "checks for the exported model itself",
    ),
)
