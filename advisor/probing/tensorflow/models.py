"""Keras 3 definitions of the probe workloads, exactly the shapes in ``advisor.probing.child.workloads``.

Imported only by :mod:`advisor.probing.tensorflow.probe` after it has set ``KERAS_BACKEND=tensorflow`` (the backend is
fixed when keras is first imported; ``keras.config.set_backend`` is documented as unsafe). Models use
Keras defaults wherever the PyTorch side uses its own (channels_last images, Glorot initialisation),
because the probe compares what each framework gives a user who writes the obvious code.
"""

from __future__ import annotations

import os
from typing import Any

os.environ["KERAS_BACKEND"] = "tensorflow"

import keras
from keras import layers

from advisor.probing.child.workloads import CnnShape, LstmShape, MlpShape, TransformerShape, Workload


def build_model(workload: Workload, use_cudnn: bool) -> keras.Model:
    """The Keras model for ``workload``; ``use_cudnn`` only affects the LSTM (see ``lstm``)."""
    shape = workload.shape
    if isinstance(shape, MlpShape):
        return mlp(shape)
    if isinstance(shape, CnnShape):
        return cnn(shape)
    if isinstance(shape, TransformerShape):
        return transformer(shape)
    return lstm(shape, use_cudnn)


def mlp(shape: MlpShape) -> keras.Model:
    inputs = keras.Input((shape.inputs,))
    x = inputs
    for width in shape.hidden:
        x = layers.Dense(width, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(shape.classes)(x), name="mlp")


def _conv_bn(x: Any, filters: int, kernel: int, stride: int, relu: bool) -> Any:
    """Bias-free convolution + batch norm (the conv bias would be cancelled by the norm's shift)."""
    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x) if relu else x


def cnn(shape: CnnShape) -> keras.Model:
    """Small ResNet: stem, one basic block per stage (strides 1, 2, 2), global pooling, classifier."""
    inputs = keras.Input((shape.image, shape.image, shape.channels))
    x = _conv_bn(inputs, shape.stages[0], 3, 1, relu=True)
    prev = shape.stages[0]
    for index, width in enumerate(shape.stages):
        stride = 1 if index == 0 else 2
        shortcut = x if prev == width else _conv_bn(x, width, 1, stride, relu=False)
        y = _conv_bn(x, width, 3, stride, relu=True)
        y = _conv_bn(y, width, 3, 1, relu=False)
        x = layers.ReLU()(layers.Add()([y, shortcut]))
        prev = width
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(shape.classes)(x), name="cnn")


def _encoder_block(x: Any, shape: TransformerShape) -> Any:
    """Post-norm block, no dropout: x = LN(x + MHA(x)); x = LN(x + FF(x))."""
    attention = layers.MultiHeadAttention(shape.heads, key_dim=shape.d_model // shape.heads)
    x = layers.LayerNormalization()(layers.Add()([x, attention(x, x)]))
    ff = layers.Dense(shape.ff, activation="relu")(x)
    ff = layers.Dense(shape.d_model)(ff)
    return layers.LayerNormalization()(layers.Add()([x, ff]))


def transformer(shape: TransformerShape) -> keras.Model:
    tokens = keras.Input((shape.seq,), dtype="int32")
    x = layers.Embedding(shape.vocab, shape.d_model)(tokens)
    for _ in range(shape.layers):
        x = _encoder_block(x, shape)
    x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(tokens, layers.Dense(shape.classes)(x), name="transformer")


def lstm(shape: LstmShape, use_cudnn: bool) -> keras.Model:
    """LSTM over the sequence (last step) and a classifier.

    With default activations Keras runs the cuDNN kernel on a GPU; ``use_cudnn=False`` forces the
    generic loop (used on CPU, where cuDNN cannot run, so that "auto" never probes for it).
    """
    inputs = keras.Input((shape.seq, shape.inputs))
    x = layers.LSTM(shape.hidden, use_cudnn="auto" if use_cudnn else False)(inputs)
    return keras.Model(inputs, layers.Dense(shape.classes)(x), name="lstm")


def trainable_params(model: keras.Model) -> int:
    """Sum of trainable weight sizes (BatchNorm moving statistics are not trainable)."""
    total = 0
    for weight in model.trainable_weights:
        size = 1
        for dim in weight.shape:
            size *= int(dim)
        total += size
    return total
