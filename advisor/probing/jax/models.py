"""The four probe workloads in plain JAX, shaped exactly as ``advisor.probing.child.workloads`` describes.

Imported only inside the JAX child (after ``jax``), never by the parent. Plain functions over
parameter pytrees (no Flax), so the child does not pay for importing a layer library; the
initialisers are Flax's defaults for the same layers (LeCun-normal kernels, zero biases, unit
normalisation scales, an orthogonal LSTM recurrent kernel), written out here.

A model is ``(params, state)``: ``params`` are the trainable arrays (nested dicts), ``state`` the batch
norm running statistics (the CNN only; empty elsewhere). ``apply(workload, params, state, x, training)``
returns ``(logits, new_state)``. Layouts follow the Keras side: images NHWC, dense kernels
``(inputs, outputs)``, LSTM gates in the order input, forget, cell, output with one bias per gate.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from advisor.probing.child.workloads import CnnShape, LstmShape, MlpShape, TransformerShape, Workload

BN_MOMENTUM, BN_EPS = 0.99, 1e-5  # flax.nnx.BatchNorm defaults (running = m * running + (1 - m) * batch)
LN_EPS = 1e-5  # PyTorch's LayerNorm default; Flax's is 1e-6 and Keras's 1e-3
CONV_DIMS = ("NHWC", "HWIO", "NHWC")

Params = dict[str, Any]

TRUNCATED_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2] (jax.nn.initializers uses it)


# The initialisers run in NumPy and the finished pytree is put on the device once: drawing each array
# with jax.random outside jit compiled one small program per distinct shape (about 6 s for the CNN on
# a 2-core CPU, charged to the cell's budget), where NumPy needs milliseconds. The distributions are
# those of jax.nn.initializers (and so Flax's defaults); only the random streams differ.
def _lecun(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """LeCun normal: truncated normal on [-2, 2] scaled to variance 1 / fan_in (fan_in = inputs x receptive field)."""
    fan_in = math.prod(shape[:-1])
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():  # redraw the tails: a truncated normal by rejection
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return (values * math.sqrt(1.0 / fan_in) / TRUNCATED_STD).astype(np.float32)


def _orthogonal(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """An orthogonal (rows, cols) matrix, as jax.nn.initializers.orthogonal draws it (QR with sign fix)."""
    big, small = max(rows, cols), min(rows, cols)
    q, r = np.linalg.qr(rng.standard_normal((big, small)))
    q = q * np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(np.float32)


def _embedding(rng: np.random.Generator, vocab: int, width: int) -> np.ndarray:
    """flax.nnx.Embed's default: normal with variance 1 / width."""
    return (rng.standard_normal((vocab, width)) * math.sqrt(1.0 / width)).astype(np.float32)


def _dense(rng: np.random.Generator, inputs: int, outputs: int) -> Params:
    return {"kernel": _lecun(rng, (inputs, outputs)), "bias": np.zeros((outputs,), np.float32)}


def _conv(rng: np.random.Generator, inputs: int, outputs: int, kernel: int) -> np.ndarray:
    return _lecun(rng, (kernel, kernel, inputs, outputs))  # HWIO


def _norm(width: int) -> Params:
    return {"scale": np.ones((width,), np.float32), "bias": np.zeros((width,), np.float32)}


def _bn_state(width: int) -> Params:
    return {"mean": np.zeros((width,), np.float32), "var": np.ones((width,), np.float32)}


def init(workload: Workload, seed: int) -> tuple[Params, Params]:
    """Seeded initial ``(params, state)`` for ``workload``, on the default device."""
    params, state = _init_host(workload, np.random.default_rng(seed))
    return jax.device_put(params), jax.device_put(state)


def _init_host(workload: Workload, rng: np.random.Generator) -> tuple[Params, Params]:
    shape = workload.shape
    if isinstance(shape, MlpShape):
        sizes = (shape.inputs, *shape.hidden, shape.classes)
        return {f"dense{i}": _dense(rng, a, b) for i, (a, b) in enumerate(itertools.pairwise(sizes))}, {}
    if isinstance(shape, CnnShape):
        return _init_cnn(shape, rng)
    if isinstance(shape, TransformerShape):
        d, f = shape.d_model, shape.ff
        params: Params = {"embed": _embedding(rng, shape.vocab, d)}
        for layer in range(shape.layers):
            params[f"block{layer}"] = {
                **{name: _dense(rng, d, d) for name in ("query", "key", "value", "out")},
                "ff1": _dense(rng, d, f),
                "ff2": _dense(rng, f, d),
                "norm1": _norm(d),
                "norm2": _norm(d),
            }
        params["head"] = _dense(rng, d, shape.classes)
        return params, {}
    assert isinstance(shape, LstmShape)
    h = shape.hidden
    lstm = {
        "kernel": _lecun(rng, (shape.inputs, 4 * h)),
        "recurrent": _orthogonal(rng, h, 4 * h),
        "bias": np.zeros((4 * h,), np.float32),
    }
    return {"lstm": lstm, "head": _dense(rng, h, shape.classes)}, {}


def _init_cnn(shape: CnnShape, rng: np.random.Generator) -> tuple[Params, Params]:
    first = shape.stages[0]
    params: Params = {"stem": {"conv": _conv(rng, shape.channels, first, 3), "bn": _norm(first)}}
    state: Params = {"stem": _bn_state(first)}
    previous = first
    for index, width in enumerate(shape.stages):
        block = {
            "conv1": _conv(rng, previous, width, 3),
            "bn1": _norm(width),
            "conv2": _conv(rng, width, width, 3),
            "bn2": _norm(width),
        }
        block_state = {"bn1": _bn_state(width), "bn2": _bn_state(width)}
        if previous != width:
            block |= {"proj": _conv(rng, previous, width, 1), "bn_proj": _norm(width)}
            block_state["bn_proj"] = _bn_state(width)
        params[f"block{index}"], state[f"block{index}"] = block, block_state
        previous = width
    params["head"] = _dense(rng, previous, shape.classes)
    return params, state


def count_params(params: Params) -> int:
    return sum(int(math.prod(leaf.shape)) for leaf in jax.tree.leaves(params))


def _linear(p: Params, x: jax.Array) -> jax.Array:
    return x @ p["kernel"].astype(x.dtype) + p["bias"].astype(x.dtype)


def _layer_norm(p: Params, x: jax.Array) -> jax.Array:
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * lax.rsqrt(var + LN_EPS) * p["scale"].astype(x.dtype) + p["bias"].astype(x.dtype)


def _conv_bn(
    kernel: jax.Array, p: Params, s: Params, x: jax.Array, stride: int, training: bool
) -> tuple[jax.Array, Params]:
    """Bias-free 'same' convolution, then batch norm (batch statistics when training, running ones otherwise)."""
    y = lax.conv_general_dilated(x, kernel.astype(x.dtype), (stride, stride), "SAME", dimension_numbers=CONV_DIMS)
    if training:
        y32 = y.astype(jnp.float32)
        mean = jnp.mean(y32, axis=(0, 1, 2))
        var = jnp.mean(jnp.square(y32 - mean), axis=(0, 1, 2))
        new = {
            "mean": BN_MOMENTUM * s["mean"] + (1 - BN_MOMENTUM) * mean,
            "var": BN_MOMENTUM * s["var"] + (1 - BN_MOMENTUM) * var,
        }
    else:
        mean, var, new = s["mean"], s["var"], s
    scale = p["scale"] * lax.rsqrt(var + BN_EPS)
    shift = p["bias"] - mean * scale
    return y * scale.astype(y.dtype) + shift.astype(y.dtype), new


def _cnn(shape: CnnShape, params: Params, state: Params, x: jax.Array, training: bool) -> tuple[jax.Array, Params]:
    new: Params = {}
    y, new["stem"] = _conv_bn(params["stem"]["conv"], params["stem"]["bn"], state["stem"], x, 1, training)
    y = jax.nn.relu(y)
    for index, _ in enumerate(shape.stages):
        p, s, name = params[f"block{index}"], state[f"block{index}"], f"block{index}"
        stride = 1 if index == 0 else 2
        ns: Params = {}
        out, ns["bn1"] = _conv_bn(p["conv1"], p["bn1"], s["bn1"], y, stride, training)
        out, ns["bn2"] = _conv_bn(p["conv2"], p["bn2"], s["bn2"], jax.nn.relu(out), 1, training)
        shortcut = y
        if "proj" in p:
            shortcut, ns["bn_proj"] = _conv_bn(p["proj"], p["bn_proj"], s["bn_proj"], y, stride, training)
        y, new[name] = jax.nn.relu(out + shortcut), ns
    return _linear(params["head"], jnp.mean(y, axis=(1, 2))), new


def _attention(p: Params, x: jax.Array, heads: int) -> jax.Array:
    batch, seq, d = x.shape
    head_dim = d // heads

    def split(t: jax.Array) -> jax.Array:
        return t.reshape(batch, seq, heads, head_dim)

    q, k, v = (split(_linear(p[name], x)) for name in ("query", "key", "value"))
    logits = jnp.einsum("bqhd,bkhd->bhqk", q, k) / jnp.sqrt(jnp.asarray(head_dim, x.dtype))
    weights = jax.nn.softmax(logits.astype(jnp.float32), axis=-1).astype(x.dtype)
    out = jnp.einsum("bhqk,bkhd->bqhd", weights, v).reshape(batch, seq, d)
    return _linear(p["out"], out)


def _transformer(shape: TransformerShape, params: Params, tokens: jax.Array, dtype: Any) -> jax.Array:
    x = jnp.take(params["embed"], tokens, axis=0).astype(dtype)
    for layer in range(shape.layers):
        p = params[f"block{layer}"]
        x = _layer_norm(p["norm1"], x + _attention(p, x, shape.heads))
        ff = _linear(p["ff2"], jax.nn.relu(_linear(p["ff1"], x)))
        x = _layer_norm(p["norm2"], x + ff)
    return _linear(params["head"], jnp.mean(x, axis=1))


def _lstm_step(
    carry: tuple[jax.Array, jax.Array, jax.Array], projected: jax.Array
) -> tuple[tuple[jax.Array, jax.Array, jax.Array], None]:
    """One time step. Defined once at module level (the recurrent kernel rides in the carry), so an
    un-jitted ``lax.scan`` finds its traced body in JAX's cache instead of tracing a new closure each call."""
    hidden, cell, recurrent = carry
    gates = projected + hidden @ recurrent
    i, f, g, o = jnp.split(gates, 4, axis=-1)
    cell = jax.nn.sigmoid(f) * cell + jax.nn.sigmoid(i) * jnp.tanh(g)
    return (jax.nn.sigmoid(o) * jnp.tanh(cell), cell, recurrent), None


def _lstm(shape: LstmShape, params: Params, x: jax.Array) -> jax.Array:
    """One LSTM layer as a ``lax.scan`` over time; the last hidden state feeds the classifier."""
    p, h = params["lstm"], shape.hidden
    kernel, recurrent, bias = (p[name].astype(x.dtype) for name in ("kernel", "recurrent", "bias"))
    inputs = jnp.swapaxes(x @ kernel + bias, 0, 1)  # (time, batch, 4h): the input projection in one GEMM
    zeros = jnp.zeros((x.shape[0], h), x.dtype)
    (hidden, _, _), _ = lax.scan(_lstm_step, (zeros, zeros, recurrent), inputs)
    return _linear(params["head"], hidden)


def apply(
    workload: Workload, params: Params, state: Params, x: jax.Array, training: bool, dtype: Any = jnp.float32
) -> tuple[jax.Array, Params]:
    """Logits (in ``dtype``, the compute precision) and the updated batch-norm state."""
    shape = workload.shape
    if isinstance(shape, TransformerShape):
        return _transformer(shape, params, x, dtype), state
    x = x.astype(dtype)
    if isinstance(shape, CnnShape):
        return _cnn(shape, params, state, x, training)
    if isinstance(shape, LstmShape):
        return _lstm(shape, params, x), state
    layers = len(params)
    for index in range(layers):
        x = _linear(params[f"dense{index}"], x)
        if index < layers - 1:
            x = jax.nn.relu(x)
    return x, state


def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Mean softmax cross-entropy from logits and integer labels, in float32."""
    log_probs = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    return -jnp.mean(jnp.take_along_axis(log_probs, labels[:, None], axis=-1))


def make_inputs(workload: Workload, batch: int, key: jax.Array) -> jax.Array:
    """Seeded synthetic inputs (floats from a normal distribution, tokens in [0, vocab))."""
    shape = workload.shape
    if isinstance(shape, TransformerShape):
        return jax.random.randint(key, (batch, shape.seq), 0, shape.vocab, dtype=jnp.int32)
    if isinstance(shape, MlpShape):
        dims: tuple[int, ...] = (shape.inputs,)
    elif isinstance(shape, CnnShape):
        dims = (shape.image, shape.image, shape.channels)  # NHWC
    else:
        assert isinstance(shape, LstmShape)
        dims = (shape.seq, shape.inputs)
    return jax.random.normal(key, (batch, *dims), jnp.float32)


def make_labels(workload: Workload, batch: int, key: jax.Array) -> jax.Array:
    return jax.random.randint(key, (batch,), 0, workload.shape.classes, dtype=jnp.int32)
