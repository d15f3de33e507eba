"""TensorFlow's deployment routes, one table for the probe workloads, the team's Keras 3 model and its
SavedModel (TensorFlow child only).

For a Keras model (a probe workload's, or the team's, exported with its declared dynamic axes):
server, Keras export -> SavedModel -> ``tf.saved_model.load``; onnx, Keras ``model.export(format="onnx")``
-> onnxruntime; mobile, LiteRT float (.tflite) in the LiteRT interpreter; microcontroller, full-integer
int8 LiteRT calibrated on representative data; browser, TF.js conversion where installed (running it
needs a browser, so it is never reported as a success). For a SavedModel input: LiteRT float and int8
from the SavedModel's serving signature; the other targets are not checked, with why.

TensorFlow is imported inside the exports: this module is imported before the framework, whose
import the child's budget counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.probing.child import litert
from advisor.probing.child.parity import Parity
from advisor.probing.child.routes import SYNTHETIC, Artifact, Route, Subject
from advisor.probing.keras.subject import KerasSubject, call_form

KERAS = frozenset({SYNTHETIC, "keras_factory", "keras_file"})  # a Keras model: a probe workload's, or the team's
SAVED_MODEL = frozenset({"saved_model"})
TFJS_NEEDS_A_BROWSER = "running TF.js needs a browser, which this check does not start"


@dataclass(kw_only=True)
class SavedModelSubject(Subject):
    """A SavedModel folder and its serving signature, called with keyword inputs (``names``)."""

    path: str
    signature: str
    names: list[str]
    call: Callable[[tuple[Any, ...]], Any]  # the loaded signature on positional inputs (in ``names`` order)
    rows: list[list[Any]] = field(default_factory=list)

    def run_source(self, inputs: tuple[Any, ...]) -> Any:
        out = self.call(inputs)
        return [out[k] for k in sorted(out)]

    def wording(self) -> dict[str, str]:
        return {**super().wording(), "interpreter": litert.interpreter_name()}


def _signature(subject: KerasSubject) -> Any:
    """The export's input signature: the declared dynamic axes unknown, the others as in the example
    inputs; None for a probe workload (Keras takes the model's own)."""
    if subject.dims is None:
        return None
    import numpy as np
    import tensorflow as tf

    specs = [
        tf.TensorSpec([None if a in subject.dims else size for a, size in enumerate(np.shape(x))], tf.as_dtype(x.dtype))
        for x in subject.inputs
    ]
    return specs if len(specs) == 1 else [specs]


def _saved_model(subject: KerasSubject, folder: Path) -> Artifact:
    import tensorflow as tf

    path = folder / "saved_model"
    signature = _signature(subject)
    options = {} if signature is None else {"input_signature": signature}
    subject.model.export(str(path), format="tf_saved_model", verbose=False, **options)
    loaded = tf.saved_model.load(str(path))  # the runner keeps it alive: its variables die with it
    return Artifact(path, lambda x: loaded.serve(*x) if len(x) == 1 else loaded.serve(list(x)))


def _onnx(subject: KerasSubject, folder: Path) -> Artifact:
    import onnxruntime

    path = folder / "model.onnx"
    signature = _signature(subject)
    options = {} if signature is None else {"input_signature": signature}
    subject.model.export(str(path), format="onnx", verbose=False, **options)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return Artifact(path, lambda x: session.run(None, dict(zip(names, x, strict=False))))


def _tflite(converter: Any, tf: Any, parity: Parity, subject: KerasSubject | SavedModelSubject, folder: Path) -> Path:
    """Convert (full-integer int8 when ``parity`` says so, calibrated on the subject's rows; a Keras model
    then also takes and gives int8 tensors, as on a microcontroller) and write the .tflite."""
    if parity == "int8":
        rows, io = subject.rows, isinstance(subject, KerasSubject)
        litert.full_integer(converter, tf, lambda: iter(rows), subject.inputs, int8_io=io)
    path = folder / f"model-{parity}.tflite"
    path.write_bytes(converter.convert())
    return path


def _keras_tflite(parity: Parity) -> Callable[[KerasSubject, Path], Artifact]:
    """LiteRT from a Keras model, run in the LiteRT interpreter."""

    def export(subject: KerasSubject, folder: Path) -> Artifact:
        import tensorflow as tf

        converter = tf.lite.TFLiteConverter.from_keras_model(subject.model)
        path = _tflite(converter, tf, parity, subject, folder)
        interpreter, content = litert.interpreter(tf), path.read_bytes()
        return Artifact(path, lambda x: litert.run_tflite(interpreter, content, x))

    return export


def _saved_model_tflite(parity: Parity) -> Callable[[SavedModelSubject, Path], Artifact]:
    """LiteRT from a SavedModel's serving signature, run through that signature (float inputs and outputs)."""

    def export(subject: SavedModelSubject, folder: Path) -> Artifact:
        import tensorflow as tf

        converter = tf.lite.TFLiteConverter.from_saved_model(subject.path, signature_keys=[subject.signature])
        path = _tflite(converter, tf, parity, subject, folder)
        runner = litert.interpreter(tf)(model_content=path.read_bytes()).get_signature_runner(subject.signature)

        def run(x: tuple[Any, ...]) -> Any:
            result = runner(**dict(zip(subject.names, x, strict=True)))
            return [result[k] for k in sorted(result)]

        return Artifact(path, run)

    return export


def _tfjs(subject: KerasSubject, folder: Path) -> Artifact:
    """Converted where tensorflowjs is installed; never run (a browser would have to)."""
    import tensorflowjs

    path = folder / "tfjs"
    tensorflowjs.converters.save_keras_model(subject.model, str(path))
    return Artifact(path, None)


ROUTES: tuple[Route[Any], ...] = (
    Route(
        "server",
        "Keras export{shapes} -> SavedModel -> tf.saved_model.load",
        _saved_model,
        dynamic=True,
        models=KERAS,
    ),
    Route(
        "server", "tf.saved_model.load (the input)", not_checked="the input is already a SavedModel", models=SAVED_MODEL
    ),
    Route(
        "onnx",
        'Keras model.export(format="onnx"{shapes_arg}) -> onnxruntime',
        _onnx,
        dynamic=True,
        needs=("tf2onnx", "onnxruntime"),
        models=KERAS,
    ),
    Route(
        "onnx",
        "tf2onnx -> onnxruntime",
        not_checked="not checked for a SavedModel input (python -m tf2onnx.convert --saved-model converts it); "
        "probe the Keras model to check Keras' own ONNX export",
        models=SAVED_MODEL,
    ),
    Route("mobile", "TFLiteConverter (float) -> .tflite -> {interpreter}", _keras_tflite("float"), models=KERAS),
    Route(
        "mobile",
        "TFLiteConverter.from_saved_model (float) -> {interpreter}",
        _saved_model_tflite("float"),
        models=SAVED_MODEL,
    ),
    Route(
        "microcontroller",
        "TFLiteConverter full-integer int8 ({calibration}) -> {interpreter}",
        _keras_tflite("int8"),
        parity="int8",
        models=KERAS,
    ),
    Route(
        "microcontroller",
        "TFLiteConverter.from_saved_model int8 (calibrated on made-up inputs) -> {interpreter}",
        _saved_model_tflite("int8"),
        parity="int8",
        models=SAVED_MODEL,
    ),
    Route(
        "browser",
        "tensorflowjs converter -> TF.js (runs in a browser)",
        _tfjs,
        needs=("tensorflowjs",),
        runs_here=lambda: False,
        not_checked=TFJS_NEEDS_A_BROWSER,
        models=KERAS,
    ),
    Route("browser", "tensorflowjs converter -> TF.js", not_checked=TFJS_NEEDS_A_BROWSER, models=SAVED_MODEL),
)


def unsupported_op_subject(tf: Any, keras: Any, workload: Any) -> KerasSubject:
    """Test hook (ADVISOR_PROBE_FAULT=unsupported_op): a model using tf.linalg.svd, which LiteRT's builtin
    ops lack, goes through the real mobile route so its real error message is what gets reported."""
    import numpy as np

    inputs = keras.Input((4, 4))
    outputs = keras.layers.Lambda(lambda t: tf.linalg.svd(t, compute_uv=False))(inputs)
    model = keras.Model(inputs, outputs)
    x = np.eye(4, dtype=np.float32)[None]
    return KerasSubject(
        workload=workload,
        kind=SYNTHETIC,
        model=model,
        inputs=(x,),
        expected=model(call_form((x,))),
        targets=frozenset({"mobile"}),
        note=" [model with tf.linalg.svd]",
    )
