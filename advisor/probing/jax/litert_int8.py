"""Full-integer LiteRT conversion of a SavedModel, run in a process of its own by the JAX child's int8 route.

TensorFlow 2.21's int8 calibrator crashed the JAX child with SIGSEGV on the LSTM (its ``lax.scan``
becomes a while loop), which would have lost every other check; here a crash costs only this check.
Started like every probe child (:func:`advisor.probing.child.command.child_command`), so nothing in the
working directory can shadow an import and the process dies with its parent. The conversion settings
and the interpreter are LiteRT's shared ones (:mod:`advisor.probing.child.litert`), as for TensorFlow's
own int8 route.

Arguments: SAVEDMODEL DATA.npz OUT; writes OUT.tflite and OUT.npy (the dequantised output on ``x``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from advisor.probing.child import litert


def convert(saved: str, data: str, out: str) -> None:
    import tensorflow as tf

    arrays = np.load(data)
    x, samples = arrays["x"], arrays["samples"]
    rows = [[row[None].astype(x.dtype)] for row in samples]
    converter = tf.lite.TFLiteConverter.from_saved_model(saved)
    litert.full_integer(converter, tf, lambda: iter(rows), (x,))
    content = converter.convert()
    Path(out + ".tflite").write_bytes(content)
    np.save(out + ".npy", litert.run_tflite(litert.interpreter(tf), content, (x,))[0])


if __name__ == "__main__":
    convert(*sys.argv[1:4])
