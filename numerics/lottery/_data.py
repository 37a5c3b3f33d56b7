"""Data sets: scikit-learn digits, synthetic 32x32x3 images, CIFAR-10 from a local folder.

Nothing is downloaded. Every loader returns a `Dataset` of float32 tensors on the CPU
(features standardised with the training statistics) and integer labels.
"""

from __future__ import annotations

import dataclasses
import os
import pickle

import numpy as np
import torch

__all__ = ["Dataset", "load_digits_split", "synthetic_images", "load_cifar10", "make_dataset"]


@dataclasses.dataclass
class Dataset:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    name: str = ""

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    def to(self, device: str) -> Dataset:
        return Dataset(*(t.to(device) for t in (self.x_train, self.y_train, self.x_test, self.y_test)), name=self.name)


def load_digits_split(seed: int = 0, test_fraction: float = 0.3) -> Dataset:
    """scikit-learn digits (1,797 x 64), pixels scaled to [0, 1], stratified split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32) / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_fraction, stratify=y, random_state=int(seed) % (2**32))
    return Dataset(
        torch.from_numpy(Xtr), torch.from_numpy(ytr).long(), torch.from_numpy(Xte), torch.from_numpy(yte).long(), "digits"
    )


def synthetic_images(
    n_train: int,
    n_test: int,
    seed: int = 0,
    n_classes: int = 10,
    size: int = 32,
    signal: float = 1.0,
    noise: float = 1.0,
    modes_per_class: int = 3,
) -> Dataset:
    r"""Procedural 32x32x3 classification ("Gaussian-mixture images").

    Each class has `modes_per_class` smooth templates (a 4x4x3 Gaussian field upsampled
    bilinearly to `size`); an image is a random template of its class times `signal`, shifted
    by a random circular offset of up to 4 pixels, plus i.i.d. pixel noise of scale `noise`.
    The shifts make a convolutional network the natural model; the noise sets the Bayes error.
    """
    g = torch.Generator().manual_seed(int(seed) % (2**63))
    base = torch.randn(n_classes * modes_per_class, 3, 4, 4, generator=g)
    templates = torch.nn.functional.interpolate(base, size=(size, size), mode="bilinear", align_corners=False)
    templates = templates / templates.flatten(1).std(dim=1).reshape(-1, 1, 1, 1)

    def draw(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(n_classes, (n,), generator=g)
        mode = torch.randint(modes_per_class, (n,), generator=g)
        x = templates[y * modes_per_class + mode] * signal
        shifts = torch.randint(-4, 5, (n, 2), generator=g)
        x = torch.stack([torch.roll(xi, shifts=(int(s[0]), int(s[1])), dims=(1, 2)) for xi, s in zip(x, shifts)])
        x = x + noise * torch.randn(x.shape, generator=g)
        return x.float(), y.long()

    xtr, ytr = draw(n_train)
    xte, yte = draw(n_test)
    return Dataset(xtr, ytr, xte, yte, "synthetic32")


def load_cifar10(data_dir: str | None) -> Dataset:
    """CIFAR-10 from `data_dir/cifar-10-batches-py` (the official python pickles).

    **Raises:** `FileNotFoundError` naming the missing path when the data is absent.
    """
    if not data_dir:
        raise FileNotFoundError("no --data-dir given; CIFAR-10 needs data_dir/cifar-10-batches-py")
    root = os.path.join(data_dir, "cifar-10-batches-py")
    if not os.path.isdir(root):
        raise FileNotFoundError(f"CIFAR-10 not found: {root} does not exist")

    def read(name: str):
        with open(os.path.join(root, name), "rb") as fh:
            d = pickle.load(fh, encoding="latin1")
        return np.asarray(d["data"], dtype=np.uint8).reshape(-1, 3, 32, 32), np.asarray(d["labels"])

    parts = [read(f"data_batch_{i}") for i in range(1, 6)]
    xtr = np.concatenate([p[0] for p in parts]).astype(np.float32) / 255.0
    ytr = np.concatenate([p[1] for p in parts])
    xte, yte = read("test_batch")
    xte = xte.astype(np.float32) / 255.0
    mean = xtr.mean(axis=(0, 2, 3), keepdims=True)
    std = xtr.std(axis=(0, 2, 3), keepdims=True)
    return Dataset(
        torch.from_numpy((xtr - mean) / std),
        torch.from_numpy(ytr).long(),
        torch.from_numpy((xte - mean) / std),
        torch.from_numpy(yte).long(),
        "cifar10",
    )


def make_dataset(spec: dict, seed: int, data_dir: str | None = None) -> Dataset:
    """Build a dataset from a spec: `{"name": "digits"}`, `{"name": "synthetic32", "n_train":
    ..., "n_test": ..., "signal": ..., "noise": ...}` or `{"name": "cifar10"}`."""
    name = spec.get("name")
    if name == "digits":
        return load_digits_split(seed, float(spec.get("test_fraction", 0.3)))
    if name == "synthetic32":
        kw = {k: spec[k] for k in ("signal", "noise", "modes_per_class", "n_classes") if k in spec}
        return synthetic_images(int(spec["n_train"]), int(spec["n_test"]), seed=seed, **kw)
    if name == "cifar10":
        return load_cifar10(data_dir)
    raise ValueError(f"spec['name'] must be digits, synthetic32 or cifar10, got {name!r}")
