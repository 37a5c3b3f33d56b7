"""Models: an MLP and the CIFAR ResNet (ResNet-20 shape: 6n+2 layers, widths w, 2w, 4w).

The ResNet follows open_lth's `cifar_resnet_<depth>_<width>`: a 3x3 stem, three stages of
`n` basic blocks (conv-BN-ReLU-conv-BN, plus a 1x1 conv + BN shortcut where the shape
changes), global average pooling and a linear head. Kaiming-normal init for conv and linear
weights, BatchNorm weight 1 and bias 0 (open_lth draws BN weights uniformly; we keep the
torch default and say so in the docs).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from theory.lottery._checks import check_int

__all__ = ["MLP", "CifarResNet", "make_model", "n_parameters"]


class MLP(nn.Module):
    """Fully connected ReLU network `in -> hidden... -> out`."""

    def __init__(self, n_in: int, hidden: tuple[int, ...], n_out: int):
        super().__init__()
        dims = (n_in, *hidden, n_out)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        for layer in self.layers:  # open_lth: kaiming-normal weights
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], -1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


class _Block(nn.Module):
    def __init__(self, f_in: int, f_out: int, downsample: bool):
        super().__init__()
        stride = 2 if downsample else 1
        self.conv1 = nn.Conv2d(f_in, f_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(f_out)
        self.conv2 = nn.Conv2d(f_out, f_out, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(f_out)
        if downsample or f_in != f_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(f_in, f_out, 1, stride=stride, bias=False), nn.BatchNorm2d(f_out)
            )
        else:
            self.shortcut = nn.Sequential()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """CIFAR ResNet of depth `6n+2` and base width `width` (ResNet-20: depth 20, width 16)."""

    def __init__(self, depth: int = 20, width: int = 16, n_classes: int = 10, in_channels: int = 3):
        super().__init__()
        if (depth - 2) % 6 != 0 or depth < 8:
            raise ValueError(f"depth must be 6n+2 with n >= 1, got {depth}")
        n = (depth - 2) // 6
        self.conv = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        blocks = []
        f_in = width
        for stage, f_out in enumerate((width, 2 * width, 4 * width)):
            for i in range(n):
                blocks.append(_Block(f_in, f_out, downsample=(stage > 0 and i == 0)))
                f_in = f_out
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(f_in, n_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn(self.conv(x)))
        out = self.blocks(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.fc(out)


def make_model(spec: dict, seed: int) -> nn.Module:
    """Build a model from a spec with its init drawn from `seed` (deterministic).

    **Arguments:**

    - `spec`: `{"kind": "mlp", "n_in": 64, "hidden": [64], "n_out": 10}` or
      `{"kind": "resnet", "depth": 20, "width": 16, "n_classes": 10}`.
    - `seed`: seed of the initialisation (an integer of any sign).
    """
    seed = check_int("seed", seed)
    kind = spec.get("kind")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed) % (2**63))
        if kind == "mlp":
            return MLP(int(spec["n_in"]), tuple(int(h) for h in spec["hidden"]), int(spec["n_out"]))
        if kind == "resnet":
            return CifarResNet(int(spec.get("depth", 20)), int(spec.get("width", 16)), int(spec.get("n_classes", 10)))
    raise ValueError(f"spec['kind'] must be 'mlp' or 'resnet', got {kind!r}")


def n_parameters(model: nn.Module) -> int:
    """Number of parameters (weights, biases, BatchNorm affine) of `model`."""
    return int(sum(p.numel() for p in model.parameters()))
