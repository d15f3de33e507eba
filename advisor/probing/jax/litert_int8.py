"""Full-integer LiteRT conversion of a SavedModel, run in a process of its own by the JAX child.

TensorFlow 2.21's int8 calibrator crashed the JAX child with SIGSEGV on the LSTM (its ``lax.scan``
becomes a while loop), which would have lost every other check; here a crash costs only this check.
Started like every probe child (:func:`advisor.probing.launcher.child_command`), so nothing in the working
directory can shadow an import and the process dies with its parent.

Arguments: SAVEDMODEL DATA.npz OUT; writes OUT.tflite and OUT.npy (the dequantised output on ``x``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def convert(saved: str, data: str, out: str) -> None:
    import tensorflow as tf

    from advisor.probing.child.routes import run_tflite
    from advisor.probing.tensorflow.routes import _interpreter

    arrays = np.load(data)
    x, samples = arrays["x"], arrays["samples"]

    def representative():  # type: ignore[no-untyped-def]
        for row in samples[: int(arrays["count"])]:
            yield [row[None].astype(x.dtype)]

    converter = tf.lite.TFLiteConverter.from_saved_model(saved)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not np.issubdtype(x.dtype, np.integer):  # token ids stay integers, as in the TensorFlow child
        converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    content = converter.convert()
    Path(out + ".tflite").write_bytes(content)
    interpreter, _ = _interpreter(tf)
    np.save(out + ".npy", run_tflite(interpreter, content, (x,))[0])


if __name__ == "__main__":
    convert(*sys.argv[1:4])
