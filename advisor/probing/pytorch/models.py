"""The four probe workloads as PyTorch modules, shaped exactly as ``advisor.probing.child.workloads`` describes.

Imported only inside the PyTorch child (after ``torch``), never by the parent. Each builder mirrors
the framework-neutral shape so the parameter-parity test can compare counts with ``expected_params``.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from advisor.probing.child.workloads import CnnShape, LstmShape, MlpShape, TransformerShape, Workload


def _mlp(shape: MlpShape) -> nn.Module:
    """Linear+ReLU stack, no activation after the classifier (the loss takes logits)."""
    sizes = (shape.inputs, *shape.hidden, shape.classes)
    layers: list[nn.Module] = []
    for index, (inputs, outputs) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(inputs, outputs))
        if index < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class SameConv2d(nn.Conv2d):
    """A convolution padded like Keras's and JAX's "SAME": for a strided 3x3 on an even-sized input that
    is no row or column before and one after, where PyTorch's ``padding=1`` pads one on each side and
    so computes a different function. The three frameworks' CNNs are then the same model (checked by
    tests/probing/test_model_parity.py); stride 1 keeps the symmetric padding, which is the same."""

    def __init__(self, inputs: int, outputs: int, kernel: int, stride: int) -> None:
        super().__init__(inputs, outputs, kernel, stride=stride, padding=kernel // 2 if stride == 1 else 0, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride[0] == 1:
            return super().forward(x)
        k, s = self.kernel_size[0], self.stride[0]
        pads = []
        for size in (x.shape[-1], x.shape[-2]):  # F.pad takes the last dimension first
            total = max((-(-size // s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


def _conv_bn(inputs: int, outputs: int, kernel: int, stride: int) -> nn.Sequential:
    """Convolution without bias (batch norm supplies it) followed by batch norm."""
    return nn.Sequential(SameConv2d(inputs, outputs, kernel, stride), nn.BatchNorm2d(outputs))


class BasicBlock(nn.Module):
    """ResNet basic block; a 1x1 projection shortcut only where the channel count changes."""

    def __init__(self, inputs: int, outputs: int, stride: int) -> None:
        super().__init__()
        self.first = _conv_bn(inputs, outputs, 3, stride)
        self.second = _conv_bn(outputs, outputs, 3, 1)
        self.shortcut = _conv_bn(inputs, outputs, 1, stride) if inputs != outputs else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.second(torch.relu(self.first(x)))
        return torch.relu(out + self.shortcut(x))


class SmallResNet(nn.Module):
    """3x3 stem, one basic block per stage (strides 1, 2, 2), global average pooling, classifier."""

    def __init__(self, shape: CnnShape) -> None:
        super().__init__()
        self.stem = nn.Sequential(_conv_bn(shape.channels, shape.stages[0], 3, 1), nn.ReLU())
        blocks, previous = [], shape.stages[0]
        for index, width in enumerate(shape.stages):
            blocks.append(BasicBlock(previous, width, 1 if index == 0 else 2))
            previous = width
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(previous, shape.classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)).mean(dim=(2, 3)))


class TokenTransformer(nn.Module):
    """Token embedding, post-norm encoder blocks without dropout, mean pooling, classifier."""

    def __init__(self, shape: TransformerShape) -> None:
        super().__init__()
        self.embed = nn.Embedding(shape.vocab, shape.d_model)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(
                shape.d_model, shape.heads, shape.ff, dropout=0.0, activation="relu", batch_first=True, norm_first=False
            )
            for _ in range(shape.layers)
        )
        self.head = nn.Linear(shape.d_model, shape.classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(dim=1))


class LstmClassifier(nn.Module):
    """One LSTM layer; the last time step's output feeds the classifier."""

    def __init__(self, shape: LstmShape) -> None:
        super().__init__()
        self.lstm = nn.LSTM(shape.inputs, shape.hidden, batch_first=True)
        self.head = nn.Linear(shape.hidden, shape.classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def build_model(workload: Workload) -> nn.Module:
    shape = workload.shape
    if isinstance(shape, MlpShape):
        return _mlp(shape)
    if isinstance(shape, CnnShape):
        return SmallResNet(shape)
    if isinstance(shape, TransformerShape):
        return TokenTransformer(shape)
    return LstmClassifier(shape)


def redundant_bias_params(model: nn.Module) -> int:
    """PyTorch LSTMs keep b_ih and b_hh, whose sum acts as one bias: 4*hidden extra per layer."""
    return sum(4 * m.hidden_size * m.num_layers for m in model.modules() if isinstance(m, nn.LSTM) and m.bias)


def make_inputs(workload: Workload, batch: int, device: torch.device, generator: torch.Generator) -> torch.Tensor:
    """Seeded synthetic inputs created directly on the device (floats via randn, tokens in [0, vocab))."""
    shape = workload.shape
    if isinstance(shape, MlpShape):
        size: tuple[int, ...] = (batch, shape.inputs)
    elif isinstance(shape, CnnShape):
        size = (batch, shape.channels, shape.image, shape.image)  # NCHW
    elif isinstance(shape, TransformerShape):
        return torch.randint(0, shape.vocab, (batch, shape.seq), device=device, generator=generator)
    else:
        size = (batch, shape.seq, shape.inputs)
    return torch.randn(size, device=device, generator=generator)


def make_labels(workload: Workload, batch: int, device: torch.device, generator: torch.Generator) -> torch.Tensor:
    return torch.randint(0, workload.shape.classes, (batch,), device=device, generator=generator)
