"""Framework-neutral definitions of the probe workloads: shapes, sizes, batch sizes and the optimiser.

Each framework module builds exactly these models, so a parity test can compare parameter counts.
The models are small on purpose (a probe must fit a time budget), but each exercises the kernel mix
of its family: dense GEMMs, convolutions with batch norm, attention, and a recurrent loop.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

LEARNING_RATE, MOMENTUM = 0.01, 0.9  # the SGD every child trains with (the team's model too)


@dataclass(frozen=True)
class MlpShape:
    inputs: int = 256
    hidden: tuple[int, ...] = (512, 512)
    classes: int = 10


@dataclass(frozen=True)
class CnnShape:
    """A small ResNet: 3x3 stem, one basic block per stage, global average pooling."""

    image: int = 32
    channels: int = 3
    stages: tuple[int, ...] = (16, 32, 64)  # stride 1, 2, 2
    classes: int = 10


@dataclass(frozen=True)
class TransformerShape:
    """Post-norm encoder blocks (attention + ReLU feed-forward, no dropout) over token embeddings."""

    vocab: int = 1000
    seq: int = 64
    d_model: int = 128
    heads: int = 4
    ff: int = 256
    layers: int = 2
    classes: int = 10


@dataclass(frozen=True)
class LstmShape:
    seq: int = 50
    inputs: int = 32
    hidden: int = 128
    classes: int = 10


@dataclass(frozen=True)
class Workload:
    name: str
    shape: MlpShape | CnnShape | TransformerShape | LstmShape
    batch_size: int
    large_batch_size: int


WORKLOADS: dict[str, Workload] = {
    "mlp": Workload("mlp", MlpShape(), batch_size=64, large_batch_size=1024),
    "cnn": Workload("cnn", CnnShape(), batch_size=32, large_batch_size=256),
    "transformer": Workload("transformer", TransformerShape(), batch_size=16, large_batch_size=128),
    "lstm": Workload("lstm", LstmShape(), batch_size=32, large_batch_size=256),
}


def expected_params(name: str) -> int:
    """Trainable parameters of each workload, counted from the shapes (one LSTM bias per gate).

    PyTorch's LSTM carries two bias vectors (b_ih and b_hh) whose sum acts as one; its module reports
    that redundancy so counts compare like for like.
    """
    shape = WORKLOADS[name].shape
    if isinstance(shape, MlpShape):
        sizes = (shape.inputs, *shape.hidden, shape.classes)
        return sum(a * b + b for a, b in itertools.pairwise(sizes))
    if isinstance(shape, CnnShape):
        total, prev = 0, shape.channels
        first = shape.stages[0]
        total += prev * first * 9 + 2 * first  # stem conv (no bias) + BN
        prev = first
        for width in shape.stages:
            total += prev * width * 9 + 2 * width + width * width * 9 + 2 * width  # two convs + BNs
            if prev != width:
                total += prev * width + 2 * width  # 1x1 projection shortcut + BN
            prev = width
        return total + prev * shape.classes + shape.classes
    if isinstance(shape, TransformerShape):
        d, f = shape.d_model, shape.ff
        block = 4 * (d * d + d) + (d * f + f) + (f * d + d) + 2 * (2 * d)
        return shape.vocab * d + shape.layers * block + d * shape.classes + shape.classes
    assert isinstance(shape, LstmShape)
    h, i = shape.hidden, shape.inputs
    return 4 * (i * h + h * h + h) + h * shape.classes + shape.classes
