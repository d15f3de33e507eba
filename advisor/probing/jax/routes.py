"""JAX's deployment routes, run for real on the probe models (in the JAX child only).

server: ``jax.export`` (StableHLO) -> ``Exported.serialize()`` -> ``jax.export.deserialize`` -> ``call``;
onnx: jax2onnx ``to_onnx`` -> onnxruntime; mobile: the route Google AI Edge documents for JAX
("LiteRT JAX support overview": jax2tf -> TensorFlow SavedModel -> TFLite converter) run in the
LiteRT interpreter; microcontroller: the same route with full-integer int8 quantisation. Browser
runtimes cannot run here and are reported as not checked, with why.

Each model is exported in inference mode with its weights baked in as constants (what a served
artifact holds), at batch size 1.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from advisor.probing.child.routes import CheckOne, check, for_each_target, missing_module, not_checked, run_tflite
from advisor.probing.child.workloads import WORKLOADS
from advisor.probing.protocol import DeployCheck, DeployTarget, ProbeRequest, WorkloadName

INSTALL = "pip install 'framework-advisor[jax]'"
LITERT_INSTALL = "pip install tensorflow ai-edge-litert"
REPRESENTATIVE_SAMPLES = 32

Route = Callable[[], tuple[Any, Any, Path | None]]


def run_deploy_checks(backend: Any, request: ProbeRequest, started: float) -> list[DeployCheck]:
    """Every requested target for every workload, within the request's deployment budget."""
    jax = backend.jax

    def prepare(name: WorkloadName) -> CheckOne:
        cell = backend.build(WORKLOADS[name], "eager")
        weights, state = cell.weights, cell.state

        def infer(x: Any) -> Any:
            return cell.forward(weights, state, x)

        x = np.asarray(cell.x_b1)
        samples = np.asarray(cell.x)  # the workload's own input distribution calibrates int8
        reference = np.asarray(jax.jit(infer)(x), dtype=np.float32)
        return lambda target, folder: _check(target, name, infer, x, samples, reference, folder, jax)

    with tempfile.TemporaryDirectory(prefix="advisor-deploy-") as folder:
        return for_each_target(request, started, Path(folder), prepare)


def _check(
    target: DeployTarget, name: Any, infer: Any, x: Any, samples: Any, reference: Any, folder: Path, jax: Any
) -> DeployCheck:
    base = folder / f"{name}-{target}"
    routes: dict[str, tuple[str, Route | str]] = {
        "server": (
            "jax.export (StableHLO) -> serialize -> jax.export.deserialize -> call",
            lambda: _export(infer, x, reference, base, jax),
        ),
        "onnx": ("jax2onnx.to_onnx -> onnxruntime", _onnx_route(infer, x, reference, base)),
        "mobile": (
            "jax2tf -> SavedModel -> TFLiteConverter (float) -> LiteRT interpreter",
            _litert_route(infer, x, samples, reference, base, jax, int8=False),
        ),
        "microcontroller": (
            "jax2tf -> SavedModel -> TFLiteConverter full-integer int8 (representative data) -> LiteRT interpreter",
            _litert_route(infer, x, samples, reference, base, jax, int8=True),
        ),
        "browser": (
            "jax2tf -> SavedModel -> tensorflowjs converter -> TF.js",
            "running TF.js needs a browser, which this check does not start; see the server and onnx checks "
            "for the exported model itself",
        ),
    }
    route, run = routes[target]
    if isinstance(run, str):
        return not_checked(target, name, route, run)
    return check(target, name, route, run, quantized=target == "microcontroller")


def _export(infer: Any, x: Any, reference: Any, base: Path, jax: Any) -> tuple[Any, Any, Path]:
    """StableHLO round trip: the deserialised artifact runs without the Python model code."""
    from jax import export

    exported = export.export(jax.jit(infer))(jax.ShapeDtypeStruct(x.shape, x.dtype))
    path = base.with_suffix(".jax_exported")
    path.write_bytes(exported.serialize())
    loaded = export.deserialize(bytearray(path.read_bytes()))
    return reference, np.asarray(loaded.call(x)), path


def _onnx_route(infer: Any, x: Any, reference: Any, base: Path) -> Route | str:
    missing = missing_module("jax2onnx", "onnxruntime")
    if missing:
        return f"{missing} is not installed: {INSTALL}"

    def run() -> tuple[Any, Any, Path]:
        import onnxruntime
        from jax2onnx import to_onnx

        folder = base.with_name(base.name + "-onnx")  # jax2onnx may keep the weights in a side file
        folder.mkdir()
        path = folder / "model.onnx"
        to_onnx(infer, [x], model_name="probe", return_mode="file", output_path=str(path))
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return reference, session.run(None, {session.get_inputs()[0].name: x})[0], folder

    return run


def _litert_route(infer: Any, x: Any, samples: Any, reference: Any, base: Path, jax: Any, *, int8: bool) -> Route | str:
    missing = missing_module("tensorflow")
    if missing:
        return f"tensorflow is not installed (jax2tf and the TFLite converter need it): {LITERT_INSTALL}"

    def run() -> tuple[Any, Any, Path]:
        saved = _savedmodel(infer, x, base)
        if int8:
            return reference, *_litert_int8_in_subprocess(saved, x, samples, base)
        import tensorflow as tf

        from advisor.probing.tensorflow.routes import _interpreter

        content = tf.lite.TFLiteConverter.from_saved_model(str(saved)).convert()
        path = base.with_suffix(".tflite")
        path.write_bytes(content)
        interpreter, _ = _interpreter(tf)
        return reference, run_tflite(interpreter, content, (x,))[0], path

    return run


def _savedmodel(infer: Any, x: Any, base: Path) -> Path:
    """jax2tf.convert wrapped in a tf.function with a fixed input signature, saved as a SavedModel."""
    import tensorflow as tf
    from jax.experimental import jax2tf

    saved = base.with_name(base.name + "-savedmodel")
    module = tf.Module()
    module.serve = tf.function(
        jax2tf.convert(infer), autograph=False, input_signature=[tf.TensorSpec(x.shape, tf.as_dtype(x.dtype))]
    )
    tf.saved_model.save(module, str(saved))
    return saved


INT8_TIMEOUT_S = 180.0


def _litert_int8_in_subprocess(saved: Path, x: Any, samples: Any, base: Path) -> tuple[Any, Path]:
    """(dequantised output, .tflite path) of the full-integer conversion, run in a process of its own
    (:mod:`advisor.probing.jax.litert_int8`: the calibrator can crash the process it runs in)."""
    import signal
    import subprocess

    from advisor.probing.launcher import child_command

    data = base.with_name(base.name + "-int8-data.npz")
    np.savez(data, x=x, samples=samples, count=REPRESENTATIVE_SAMPLES)
    out = base.with_name(base.name + "-int8")
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
    return np.load(out.with_suffix(".npy")), out.with_suffix(".tflite")
