r"""Networks and the notebook's training loop, used by the verification experiments.

- `mlp(width, ...)`, `softmax_regression(...)`: small models on flattened inputs (digits, D = 64).
- `resnet20(...)`: Keras-style ResNet v1 (depth \( 6n+2 \), BN, 1x1 projection shortcuts), NCHW,
  taking *flattened* inputs of size \( 3 \cdot s^2 \) so that cuts live in \( \mathbb{R}^D \).
- `train_classifier(...)`: SGD with momentum 0.9, batches of 128 drawn at random every step,
  stepwise LR (x0.01 at epoch 80, x0.001 at 120), L2 weight decay on tensors with more than
  2 dimensions only (brief B.3.1); returns the model at chosen epochs.

The data sets (digits, procedural images, CIFAR-10) live in `numerics._data`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from theory.class_manifolds._checks import integer, real

__all__ = [
    "mlp",
    "softmax_regression",
    "resnet20",
    "ResNetV1",
    "train_classifier",
    "accuracy",
]


def mlp(in_dim: int, width: int, num_classes: int = 10, depth: int = 1) -> nn.Module:
    """ReLU MLP with `depth` hidden layers of `width` units (all sizes integers >= 1)."""
    in_dim, width = integer("in_dim", in_dim, low=1), integer("width", width, low=1)
    num_classes, depth = integer("num_classes", num_classes, low=1), integer("depth", depth, low=1)
    layers: list[nn.Module] = []
    d = in_dim
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    layers.append(nn.Linear(d, num_classes))
    return nn.Sequential(*layers)


def softmax_regression(in_dim: int, num_classes: int = 10) -> nn.Module:
    """Multinomial logistic regression (a linear layer; sizes integers >= 1)."""
    in_dim, num_classes = integer("in_dim", in_dim, low=1), integer("num_classes", num_classes, low=1)
    return nn.Linear(in_dim, num_classes)


class _Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=True)
        self.b1 = nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=True)
        self.b2 = nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Conv2d(cin, cout, 1, stride, 0, bias=True)

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        s = x if self.short is None else self.short(x)
        return torch.relu(y + s)


class ResNetV1(nn.Module):
    r"""Keras ResNet v1 for CIFAR (depth \( 6n + 2 \); \( n = 3 \) is ResNet-20), on flattened inputs."""

    def __init__(self, n: int = 3, width: int = 16, num_classes: int = 10, image_size: int = 32, channels: int = 3):
        super().__init__()
        n, width = integer("n", n, low=1), integer("width", width, low=1)
        num_classes, channels = integer("num_classes", num_classes, low=1), integer("channels", channels, low=1)
        image_size = integer("image_size", image_size, low=1)
        self.shape = (channels, image_size, image_size)
        self.stem = nn.Conv2d(channels, width, 3, 1, 1, bias=True)
        self.bn = nn.BatchNorm2d(width)
        blocks, cin = [], width
        for stage in range(3):
            cout = width * 2**stage
            for b in range(n):
                blocks.append(_Block(cin, cout, 2 if (stage > 0 and b == 0) else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = x.reshape(x.shape[0], *self.shape)
        x = torch.relu(self.bn(self.stem(x)))
        x = self.blocks(x)
        return self.head(x.mean(dim=(2, 3)))


def resnet20(width: int = 16, n: int = 3, num_classes: int = 10, image_size: int = 32) -> nn.Module:
    """ResNet-20 (n = 3, base width 16) or a smaller net of the same shape."""
    return ResNetV1(n=n, width=width, num_classes=num_classes, image_size=image_size)


@torch.no_grad()
def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch: int = 2048) -> float:
    """Fraction of correct argmax predictions (eval mode) over a non-empty `X`, in batches of `batch`."""
    batch = integer("batch", batch, low=1)
    if X.shape[0] < 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"X must be non-empty and y must have one label per row, got {tuple(X.shape)} and {tuple(y.shape)}")
    model.eval()
    correct = 0
    for i in range(0, X.shape[0], batch):
        correct += int((model(X[i : i + batch]).argmax(-1) == y[i : i + batch]).sum())
    return correct / X.shape[0]


def train_classifier(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int | Sequence[int],
    *,
    batch_size: int = 128,
    lr: float = 0.1,
    momentum: float = 0.9,
    weight_decay: float = 1e-4,
    generator: torch.Generator | None = None,
    device: str = "cpu",
    stop_at_accuracy: float | None = None,
    max_epochs: int | None = None,
    input_noise: float = 0.0,
    noise_generator: torch.Generator | None = None,
) -> dict[int, nn.Module]:
    r"""Train with the notebook's recipe and return copies of the model after chosen epochs.

    **Arguments:**

    - `epochs`: the epochs after which a copy is kept (an int means just that one).
    - `stop_at_accuracy`: instead, train until the training accuracy reaches this value (checked
      after each epoch, at most `max_epochs`); the returned dict then has the epoch reached.
    - `generator`: torch Generator for the batch draws.
    - `batch_size` (integer >= 1), `lr` (> 0), `momentum` (in [0, 1)), `weight_decay` (>= 0):
      SGD's, all finite.
    - `input_noise` (>= 0): std of Gaussian noise added to each batch's inputs (augmentation;
      0 draws nothing), drawn from `noise_generator`.

    **Returns:** `{epoch: model copy}` (models in eval mode, on `device`).
    """
    ep = [epochs] if np.ndim(epochs) == 0 else list(epochs)
    keep = sorted({integer("epochs", e, low=0) for e in ep})
    if stop_at_accuracy is None and not keep:
        raise ValueError("epochs must be non-negative")
    batch_size = integer("batch_size", batch_size, low=1)
    lr = real("lr", lr, low=0.0, low_open=True)
    momentum = real("momentum", momentum, low=0.0, high=1.0, high_open=True)
    weight_decay = real("weight_decay", weight_decay, low=0.0)
    input_noise = real("input_noise", input_noise, low=0.0)
    if stop_at_accuracy is not None:
        stop_at_accuracy = real("stop_at_accuracy", stop_at_accuracy, low=0.0, high=1.0, low_open=True)
        if max_epochs is not None:
            max_epochs = integer("max_epochs", max_epochs, low=1)
    if X.shape[0] < 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"X must be non-empty and y must have one label per row, got {tuple(X.shape)} and {tuple(y.shape)}")
    last = keep[-1] if stop_at_accuracy is None else int(max_epochs or 1000)
    model = model.to(device)
    X, y = X.to(device), y.to(device)
    decay = [p for p in model.parameters() if p.ndim > 2]
    other = [p for p in model.parameters() if p.ndim <= 2]
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": weight_decay}, {"params": other, "weight_decay": 0.0}], lr=lr, momentum=momentum
    )
    N = X.shape[0]
    steps_per_epoch = max(1, math.ceil(N / batch_size))
    out: dict[int, nn.Module] = {}
    if 0 in keep and stop_at_accuracy is None:
        out[0] = copy.deepcopy(model).eval()
    gdev = generator.device if generator is not None else torch.device("cpu")
    for epoch in range(1, last + 1):
        scale = 1.0 if epoch <= 80 else (0.01 if epoch <= 120 else 0.001)
        for group in opt.param_groups:
            group["lr"] = lr * scale
        model.train()
        for _ in range(steps_per_epoch):
            idx = torch.randint(0, N, (batch_size,), generator=generator, device=gdev).to(device)
            xb = X[idx]
            if input_noise > 0:
                ndev = noise_generator.device if noise_generator is not None else torch.device("cpu")
                xb = xb + input_noise * torch.randn(xb.shape, generator=noise_generator, device=ndev, dtype=X.dtype).to(device)
            loss = nn.functional.cross_entropy(model(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if stop_at_accuracy is not None:
            if accuracy(model, X, y) >= stop_at_accuracy or epoch == last:
                out[epoch] = copy.deepcopy(model).eval()
                break
        elif epoch in keep:
            out[epoch] = copy.deepcopy(model).eval()
    return out
