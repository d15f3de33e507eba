"""A small PyTorch image classifier for ``advisor probe --model examples/models/torch_small.py:make``.

Built in code with seeded random weights (nothing is downloaded): two convolution blocks with batch
norm, global average pooling and a linear head, on 3x64x64 images, 10 classes. The factory contract
(README, "Probing your own model"): return the model and its example inputs, or a dict that adds a
loss for the training step.
"""

from __future__ import annotations

import torch
from torch import nn


class SmallNet(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(32, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.flatten(self.features(x), 1))


def make() -> dict[str, object]:
    """The model, a batch of 8 example images, and the loss of its training step (class labels)."""
    torch.manual_seed(0)
    images = torch.randn(8, 3, 64, 64)
    labels = torch.randint(0, 10, (8,))
    return {
        "model": SmallNet(),
        "inputs": (images,),
        "loss": nn.CrossEntropyLoss(),
        "targets": labels,
    }
