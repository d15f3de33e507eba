"""A small Keras 3 image classifier for ``advisor probe --model examples/models/keras_small.py:make``.

Built in code with seeded random weights (nothing is downloaded), with Keras layers only, so the same
model runs unchanged on each Keras backend (TensorFlow, PyTorch, JAX): two convolution blocks with
batch norm, global average pooling and a dense head, on 64x64x3 images, 10 classes.
"""

from __future__ import annotations

import keras
import numpy as np


def make() -> dict[str, object]:
    """The model, a batch of 8 example images, and the loss of its training step (class labels)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((64, 64, 3))
    x = keras.layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(32, 3, padding="same", use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(10)(x)
    rng = np.random.default_rng(0)
    return {
        "model": keras.Model(inputs, outputs, name="small_net"),
        "inputs": rng.standard_normal((8, 64, 64, 3)).astype("float32"),
        "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        "targets": rng.integers(0, 10, size=(8,)),
    }
