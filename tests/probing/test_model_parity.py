"""The three frameworks' probe models compute the same function: the JAX model's weights are copied into
the PyTorch and Keras models, and logits (inference mode) and the training loss (training mode, batch
statistics) are compared with the deployment checks' float tolerance (``advisor.probing.child.parity``).

This checks that a speed comparison compares like with like. Known, deliberate differences are left
as each framework's obvious code writes them and are allowed for here, each with its reason:

- PyTorch's own ``padding=1`` would pad a stride-2 3x3 convolution symmetrically where Keras and JAX pad
  "SAME" (none before, one after): the PyTorch CNN pads "SAME" too (``SameConv2d``), so the whole CNN is compared;
- Keras normalisation layers default to epsilon 1e-3 (PyTorch and JAX: 1e-5); the copies set 1e-5.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np
import pytest

from advisor.probing.child.parity import parity
from advisor.probing.child.workloads import WORKLOADS

jax = pytest.importorskip("jax")
torch = pytest.importorskip("torch")
pytest.importorskip("tensorflow")

pytestmark = [pytest.mark.jax, pytest.mark.torch, pytest.mark.tensorflow]

os.environ["KERAS_BACKEND"] = "tensorflow"

ALL = list(WORKLOADS)


@functools.cache
def _jax_model(name: str) -> tuple[Any, Any, Any, Any, Any]:
    """(weights, inputs, labels, inference logits, training loss), computed once per workload under jit."""
    from advisor.probing.jax import models

    workload = WORKLOADS[name]
    keys = jax.random.split(jax.random.key(0), 3)
    weights, state = models.init(workload, 0)
    x = np.asarray(models.make_inputs(workload, 8, keys[1]))
    y = np.asarray(models.make_labels(workload, 8, keys[2]))
    logits = np.asarray(jax.jit(lambda w, s, x: models.apply(workload, w, s, x, False)[0])(weights, state, x))
    loss = float(
        jax.jit(lambda w, s, x, y: models.cross_entropy(models.apply(workload, w, s, x, True)[0], y))(
            weights, state, x, y
        )
    )
    return jax.tree.map(np.asarray, weights), x, y, logits, loss


def _close(reference: Any, candidate: Any, what: str) -> None:
    abs_err, rel_err, tolerance, ok = parity(reference, candidate)
    assert ok, f"{what}: max abs {abs_err:.2e}, max rel {rel_err:.2e} ({tolerance})"


# ---------------------------------------------------------------- PyTorch


def _t(array: Any) -> Any:
    return torch.from_numpy(np.array(array, copy=True))  # writable, contiguous


def _torch_linear(module: Any, p: dict[str, Any]) -> None:
    module.weight.copy_(_t(p["kernel"].T))
    module.bias.copy_(_t(p["bias"]))


def _torch_conv_bn(sequential: Any, kernel: Any, bn: dict[str, Any]) -> None:
    sequential[0].weight.copy_(_t(kernel.transpose(3, 2, 0, 1)))  # HWIO -> OIHW
    sequential[1].weight.copy_(_t(bn["scale"]))
    sequential[1].bias.copy_(_t(bn["bias"]))


def _load_torch(name: str, model: Any, w: dict[str, Any]) -> None:
    with torch.no_grad():
        if name == "mlp":
            linears = [m for m in model if isinstance(m, torch.nn.Linear)]
            for index, linear in enumerate(linears):
                _torch_linear(linear, w[f"dense{index}"])
        elif name == "cnn":
            _torch_conv_bn(model.stem[0], w["stem"]["conv"], w["stem"]["bn"])
            for index, block in enumerate(model.blocks):
                p = w[f"block{index}"]
                _torch_conv_bn(block.first, p["conv1"], p["bn1"])
                _torch_conv_bn(block.second, p["conv2"], p["bn2"])
                if "proj" in p:
                    _torch_conv_bn(block.shortcut, p["proj"], p["bn_proj"])
            _torch_linear(model.head, w["head"])
        elif name == "transformer":
            model.embed.weight.copy_(_t(w["embed"]))
            for index, layer in enumerate(model.blocks):
                p = w[f"block{index}"]
                attention = layer.self_attn
                attention.in_proj_weight.copy_(
                    _t(np.concatenate([p[k]["kernel"].T for k in ("query", "key", "value")]))
                )
                attention.in_proj_bias.copy_(_t(np.concatenate([p[k]["bias"] for k in ("query", "key", "value")])))
                _torch_linear(attention.out_proj, p["out"])
                _torch_linear(layer.linear1, p["ff1"])
                _torch_linear(layer.linear2, p["ff2"])
                for norm, key in ((layer.norm1, "norm1"), (layer.norm2, "norm2")):
                    norm.weight.copy_(_t(p[key]["scale"]))
                    norm.bias.copy_(_t(p[key]["bias"]))
            _torch_linear(model.head, w["head"])
        else:
            lstm, p = model.lstm, w["lstm"]
            lstm.weight_ih_l0.copy_(_t(p["kernel"].T))
            lstm.weight_hh_l0.copy_(_t(p["recurrent"].T))
            lstm.bias_ih_l0.copy_(_t(p["bias"]))
            lstm.bias_hh_l0.zero_()  # PyTorch's second bias: the sum of the two is the one JAX bias
            _torch_linear(model.head, w["head"])


def _torch_input(name: str, x: Any) -> Any:
    if name == "transformer":
        return _t(x.astype(np.int64))
    return _t(x.transpose(0, 3, 1, 2) if name == "cnn" else x)  # NHWC -> NCHW


@pytest.mark.parametrize("name", ALL)
def test_pytorch_matches_jax_on_the_same_weights(name: str) -> None:
    from advisor.probing.pytorch import models as _torch_models

    w, x, y, logits, loss = _jax_model(name)
    torch.manual_seed(0)
    model = _torch_models.build_model(WORKLOADS[name])
    _load_torch(name, model, w)
    model.eval()
    with torch.no_grad():
        _close(logits, model(_torch_input(name, x)).numpy(), f"{name} logits")
        model.train()
        train_loss = torch.nn.functional.cross_entropy(model(_torch_input(name, x)), _t(y.astype(np.int64)))
    _close(loss, train_loss.item(), f"{name} training loss")


# ---------------------------------------------------------------- Keras


def _keras_weights(name: str, model: Any, w: dict[str, Any]) -> None:
    layers = [layer for layer in model.layers if layer.weights]
    if name == "mlp":
        for index, layer in enumerate(layers):
            layer.set_weights([w[f"dense{index}"]["kernel"], w[f"dense{index}"]["bias"]])
        return
    if name == "cnn":
        pairs = [(w["stem"]["conv"], w["stem"]["bn"], None)]
        for index in range(len(WORKLOADS["cnn"].shape.stages)):  # type: ignore[union-attr]
            p = w[f"block{index}"]
            pairs += [(p["conv1"], p["bn1"], None), (p["conv2"], p["bn2"], None)]
            if "proj" in p:
                pairs.append((p["proj"], p["bn_proj"], None))
        convs = [layer for layer in layers if layer.__class__.__name__ == "Conv2D"]
        for conv in convs:  # each Keras convolution takes the first unused JAX one of its shape
            kernel, bn, _ = next(pair for pair in pairs if pair[2] is None and pair[0].shape == conv.kernel.shape)
            pairs[[pair[0] is kernel for pair in pairs].index(True)] = (kernel, bn, conv)
            conv.set_weights([kernel])
            norm = conv._outbound_nodes[0].operation  # the batch norm that follows it
            norm.set_weights([bn["scale"], bn["bias"], np.zeros_like(bn["bias"]), np.ones_like(bn["bias"])])
            norm.epsilon = 1e-5
        layers[-1].set_weights([w["head"]["kernel"], w["head"]["bias"]])
        return
    if name == "transformer":
        d, heads = WORKLOADS[name].shape.d_model, WORKLOADS[name].shape.heads  # type: ignore[union-attr]
        layers[0].set_weights([w["embed"]])
        blocks = [layers[1 + 5 * i : 6 + 5 * i] for i in range(WORKLOADS[name].shape.layers)]  # type: ignore[union-attr]
        for index, (mha, norm1, ff1, ff2, norm2) in enumerate(blocks):
            p = w[f"block{index}"]
            qkv = []
            for key in ("query", "key", "value"):
                qkv += [p[key]["kernel"].reshape(d, heads, d // heads), p[key]["bias"].reshape(heads, d // heads)]
            mha.set_weights([*qkv, p["out"]["kernel"].reshape(heads, d // heads, d), p["out"]["bias"]])
            for norm, key in ((norm1, "norm1"), (norm2, "norm2")):
                norm.set_weights([p[key]["scale"], p[key]["bias"]])
                norm.epsilon = 1e-5
            ff1.set_weights([p["ff1"]["kernel"], p["ff1"]["bias"]])
            ff2.set_weights([p["ff2"]["kernel"], p["ff2"]["bias"]])
        layers[-1].set_weights([w["head"]["kernel"], w["head"]["bias"]])
        return
    p = w["lstm"]
    layers[0].set_weights([p["kernel"], p["recurrent"], p["bias"]])
    layers[1].set_weights([w["head"]["kernel"], w["head"]["bias"]])


def _fix_tensorflow_threads() -> None:
    """Set TensorFlow's thread pools to what tests/probing/tensorflow/test_probe.py's backend sets, before this
    module's Keras models start TensorFlow in the shared pytest process: the pools are fixed once it
    starts, and setting them again is allowed only to the same values."""
    import tensorflow as tf

    from tests.probing.tensorflow.test_probe import _request

    tf.config.threading.set_intra_op_parallelism_threads(_request().threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)


@pytest.mark.parametrize("name", ALL)
def test_keras_matches_jax_on_the_same_weights(name: str) -> None:
    import keras

    from advisor.probing.tensorflow import models as _tf_models

    _fix_tensorflow_threads()

    w, x, y, logits, loss = _jax_model(name)
    model = _tf_models.build_model(WORKLOADS[name], use_cudnn=False)
    _keras_weights(name, model, w)
    _close(logits, np.asarray(model(x, training=False)), f"{name} logits")
    train_logits = model(x, training=True)
    train_loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, train_logits, from_logits=True))
    _close(loss, float(train_loss), f"{name} training loss")
