r"""Networks, data and the notebook's training loop, used by the verification experiments.

- `mlp(width, ...)`, `softmax_regression(...)`: small models on flattened inputs (digits, D = 64).
- `resnet20(...)`: Keras-style ResNet v1 (depth \( 6n+2 \), BN, 1x1 projection shortcuts), NCHW,
  taking *flattened* inputs of size \( 3 \cdot s^2 \) so that cuts live in \( \mathbb{R}^D \).
- `digits_data()`: scikit-learn digits as pixels in [0, 1] minus the per-pixel training mean.
- `synthetic_images(...)`: class-conditional 3-channel images (smooth class templates plus noise).
- `load_cifar10(data_dir)`: the python-pickle CIFAR-10 batches if present (else `None`).
- `train_classifier(...)`: SGD with momentum 0.9, batches of 128 drawn at random every step,
  stepwise LR (x0.01 at epoch 80, x0.001 at 120), L2 weight decay on tensors with more than
  2 dimensions only (brief B.3.1); returns the model at chosen epochs.
"""

from __future__ import annotations

import copy
import math
import os
import pickle
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

__all__ = [
    "mlp",
    "softmax_regression",
    "resnet20",
    "digits_data",
    "synthetic_images",
    "load_cifar10",
    "train_classifier",
    "accuracy",
]


def mlp(in_dim: int, width: int, num_classes: int = 10, depth: int = 1) -> nn.Module:
    """ReLU MLP with `depth` hidden layers of `width` units."""
    if width < 1 or depth < 1:
        raise ValueError("width and depth must be >= 1")
    layers: list[nn.Module] = []
    d = in_dim
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    layers.append(nn.Linear(d, num_classes))
    return nn.Sequential(*layers)


def softmax_regression(in_dim: int, num_classes: int = 10) -> nn.Module:
    """Multinomial logistic regression (a linear layer)."""
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
        if n < 1 or width < 1:
            raise ValueError("n and width must be >= 1")
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


def digits_data(dtype=torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn digits: `(1797, 64)` pixels in [0, 1] minus the per-pixel mean, and labels."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X = X - X.mean(axis=0, keepdims=True)
    return torch.as_tensor(X, dtype=dtype), torch.as_tensor(y, dtype=torch.long)


def synthetic_images(
    n: int, *, image_size: int = 32, num_classes: int = 10, noise: float = 0.35, seed: int = 0, dtype=torch.float32
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Class-conditional synthetic 3-channel images, flattened to \( D = 3 s^2 \).

    Each class has a smooth template (a random \( 4\times4\times3 \) pattern upsampled
    bilinearly, values in [0, 1]); an image is its class template plus i.i.d. Gaussian pixel noise
    of std `noise` and a random global brightness shift, clipped to [0, 1], minus the mean image.
    """
    g = torch.Generator().manual_seed(int(seed))
    small = torch.rand(num_classes, 3, 4, 4, generator=g)
    templates = torch.nn.functional.interpolate(small, size=(image_size, image_size), mode="bilinear", align_corners=False)
    y = torch.randint(0, num_classes, (n,), generator=g)
    x = templates[y] + noise * torch.randn(n, 3, image_size, image_size, generator=g)
    x = x + 0.1 * torch.randn(n, 1, 1, 1, generator=g)
    x = x.clamp(0, 1)
    x = x - x.mean(dim=0, keepdim=True)
    return x.reshape(n, -1).to(dtype), y


def load_cifar10(data_dir: str | os.PathLike | None, *, train: bool = True, dtype=torch.float32):
    """CIFAR-10 from `data_dir/cifar-10-batches-py` (or `data_dir` itself), pixels in [0, 1] minus
    the per-pixel training mean, flattened NCHW. Returns `None` when the files are absent."""
    if data_dir is None:
        return None
    root = None
    for cand in (os.path.join(data_dir, "cifar-10-batches-py"), data_dir):
        if os.path.exists(os.path.join(cand, "data_batch_1")):
            root = cand
            break
    if root is None:
        return None

    def load(name):
        with open(os.path.join(root, name), "rb") as f:
            d = pickle.load(f, encoding="bytes")
        return np.asarray(d[b"data"], dtype=np.float32) / 255.0, np.asarray(d[b"labels"])

    parts = [load(f"data_batch_{i}") for i in range(1, 6)]
    Xtr = np.concatenate([p[0] for p in parts])
    ytr = np.concatenate([p[1] for p in parts])
    mean = Xtr.mean(axis=0, keepdims=True)
    if train:
        X, y = Xtr, ytr
    else:
        X, y = load("test_batch")
    return torch.as_tensor(X - mean, dtype=dtype), torch.as_tensor(y, dtype=torch.long)


@torch.no_grad()
def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch: int = 2048) -> float:
    """Fraction of correct argmax predictions (eval mode)."""
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
) -> dict[int, nn.Module]:
    r"""Train with the notebook's recipe and return copies of the model after chosen epochs.

    **Arguments:**

    - `epochs`: the epochs after which a copy is kept (an int means just that one).
    - `stop_at_accuracy`: instead, train until the training accuracy reaches this value (checked
      after each epoch, at most `max_epochs`); the returned dict then has the epoch reached.
    - `generator`: torch Generator for the batch draws.

    **Returns:** `{epoch: model copy}` (models in eval mode, on `device`).
    """
    keep = sorted({int(epochs)} if isinstance(epochs, (int, np.integer)) else {int(e) for e in epochs})
    if stop_at_accuracy is None and (not keep or keep[0] < 0):
        raise ValueError("epochs must be non-negative")
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
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
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
