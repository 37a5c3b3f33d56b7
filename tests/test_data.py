"""Tests of the one data module, `numerics/_data.py`: MNIST-1D (seeded, the published frozen
data, no global RNG change, bad arguments, the published baselines reproduced), the CIFAR-10
folder loader (on a small folder in CIFAR-10's own batch format written here, both layouts,
missing files, damaged and malicious batches), and the digits helpers and procedural images.

The MNIST-1D baselines train six small networks on CPU (about 30 s of one core together);
the rest of the file takes about 10 s.
"""

from __future__ import annotations

import os
import pickle
import random

import numpy as np
import pytest
import torch

from numerics import _data as D

# --------------------------------------------------------------------------- MNIST-1D


@pytest.fixture(scope="module")
def mnist1d_default():
    return D.mnist1d()


def test_mnist1d_default_split(mnist1d_default):
    d = mnist1d_default
    assert d.name == "mnist1d" and d.n_train == 4000
    assert d.x_train.shape == (4000, 40) and d.x_test.shape == (1000, 40)
    assert d.y_train.shape == (4000,) and d.y_test.shape == (1000,)
    assert d.x_train.dtype == np.float32 and d.x_test.dtype == np.float32
    assert d.y_train.dtype == np.int64 and d.y_test.dtype == np.int64
    assert set(np.unique(d.y_train)) == set(range(10)) and set(np.unique(d.y_test)) == set(range(10))
    assert np.all(np.isfinite(d.x_train)) and np.all(np.isfinite(d.x_test))
    # the package standardises the whole set (train and test together) to mean 0, std 1
    x = np.concatenate([d.x_train, d.x_test]).astype(np.float64)
    assert abs(x.mean()) < 1e-6 and x.std() == pytest.approx(1.0, abs=1e-5)
    t = d.torch()
    assert t.x_train.dtype == torch.float32 and t.y_test.dtype == torch.long and t.n_train == 4000


def test_mnist1d_default_is_the_published_frozen_dataset(mnist1d_default):
    """The defaults regenerate the authors' frozen `mnist1d_data.pkl` (the file their paper and
    notebooks use; github.com/greydanus/mnist1d). The reference numbers below were read from that
    file (float64), not from our generator; ours are float32, hence the 1e-6 tolerances."""
    d = mnist1d_default
    assert d.y_train[:20].tolist() == [2, 6, 4, 5, 6, 6, 6, 0, 3, 1, 6, 9, 4, 3, 4, 5, 1, 9, 0, 3]
    assert d.y_test[:20].tolist() == [2, 6, 3, 9, 4, 3, 1, 9, 5, 2, 0, 7, 7, 1, 4, 6, 1, 4, 3, 9]
    assert np.bincount(d.y_train).tolist() == [398, 396, 411, 394, 394, 402, 401, 404, 402, 398]
    assert np.bincount(d.y_test).tolist() == [102, 104, 89, 106, 106, 98, 99, 96, 98, 102]
    np.testing.assert_allclose(d.x_train[0, :4], [-0.33200567, -0.47191037, -0.77869708, -1.00974083], atol=1e-6)
    np.testing.assert_allclose(d.x_test[-1, -4:], [0.44723289, 0.65987565, 0.87773435, 1.19315184], atol=1e-6)
    assert np.abs(d.x_train.astype(np.float64)).sum() == pytest.approx(118338.29510719894, rel=1e-6)
    assert np.abs(d.x_test.astype(np.float64)).sum() == pytest.approx(29977.877540866408, rel=1e-6)


def test_mnist1d_seeded_and_reproducible():
    a = D.mnist1d(n_samples=100, seed=3)
    b = D.mnist1d(n_samples=100, seed=3)
    c = D.mnist1d(n_samples=100, seed=4)
    for f in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    assert not np.array_equal(a.x_train, c.x_train)
    assert a.x_train.shape == (80, 40) and a.x_test.shape == (20, 40)
    s = D.mnist1d(n_samples=100, seed=3, train_split=0.5)
    assert s.n_train == 50 and len(s.y_test) == 50
    # keyword arguments reach the generator: without noise the data differ, and longer sequences are longer
    assert not np.array_equal(D.mnist1d(n_samples=100, seed=3, iid_noise_scale=0.0).x_train, a.x_train)
    assert D.mnist1d(n_samples=100, seed=3, final_seq_length=60).x_train.shape == (80, 60)


def test_mnist1d_leaves_global_rngs_alone():
    """`mnist1d.data.make_dataset` seeds numpy's and Python's global generators; the wrapper
    restores both, so a caller's random stream is the same with or without the call."""
    np.random.seed(123)
    random.seed(123)
    expected = (np.random.rand(3), random.random())
    np.random.seed(123)
    random.seed(123)
    D.mnist1d(n_samples=40, seed=7)
    assert np.array_equal(np.random.rand(3), expected[0])
    assert random.random() == expected[1]


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"n_samples": 10}, "n_samples"),
        ({"n_samples": -5}, "n_samples"),
        ({"n_samples": float("nan")}, "n_samples"),
        ({"train_split": 0.0}, "train_split"),
        ({"train_split": 1.0}, "train_split"),
        ({"train_split": float("nan")}, "train_split"),
        ({"n_samples": 20, "train_split": 0.01}, "train_split"),  # would leave no training example
        ({"n_samples": 25}, "n_samples"),  # the package makes n_samples // 10 per class: 20, not 25
        ({"seed": -1}, "seed"),
        ({"seed": float("nan")}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_mnist1d_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        D.mnist1d(**kwargs)


# --------------------------------------------------------------------------- MNIST-1D baselines


class _Linear(torch.nn.Module):
    """`LinearBase` of the mnist1d repo (notebooks/models.py): logistic regression."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(40, 10)

    def forward(self, x):
        return self.linear(x)


class _MLP(torch.nn.Module):
    """`MLPBase`: linear, ReLU, a residual ReLU layer, linear (h = h + relu(W2 h))."""

    def __init__(self, hidden: int):
        super().__init__()
        self.linear1 = torch.nn.Linear(40, hidden)
        self.linear2 = torch.nn.Linear(hidden, hidden)
        self.linear3 = torch.nn.Linear(hidden, 10)

    def forward(self, x):
        h = self.linear1(x).relu()
        h = h + self.linear2(h).relu()
        return self.linear3(h)


class _CNN(torch.nn.Module):
    """`ConvBase`: three Conv1d layers of 25 channels (kernel 5, 3, 3; stride 2; padding 1; ReLU),
    lengths 40 -> 19 -> 10 -> 5, then a linear map of the 125 flattened features to 10 classes."""

    def __init__(self, channels: int = 25):
        super().__init__()
        self.conv1 = torch.nn.Conv1d(1, channels, 5, stride=2, padding=1)
        self.conv2 = torch.nn.Conv1d(channels, channels, 3, stride=2, padding=1)
        self.conv3 = torch.nn.Conv1d(channels, channels, 3, stride=2, padding=1)
        self.linear = torch.nn.Linear(channels * 5, 10)

    def forward(self, x):
        h = x.view(-1, 1, x.shape[-1])
        h = self.conv3(self.conv2(self.conv1(h).relu()).relu()).relu()
        return self.linear(h.flatten(1))


def _train_accuracy(split, make, seed: int, steps: int) -> float:
    """The mnist1d repo's `train_model` (notebooks/train.py): Adam, lr 1e-2, no weight decay, batch
    100 taken in order without shuffling (batch start = step * 100 mod 4000), cross-entropy,
    `steps + 1` updates; returns the final test accuracy in percent."""
    torch.manual_seed(seed)
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=0.0)
    x, y = split.x_train, split.y_train
    for step in range(steps + 1):
        b = (step * 100) % len(x)
        loss = torch.nn.functional.cross_entropy(model(x[b:b + 100]), y[b:b + 100])
        loss.backward()
        opt.step()
        opt.zero_grad()
    with torch.no_grad():
        return 100.0 * float((model(split.x_test).argmax(-1) == split.y_test).float().mean())


@pytest.mark.parametrize(
    "name,make,published,steps,seeds",
    [
        ("logistic regression", _Linear, 32.0, 2000, (42,)),
        ("MLP", lambda: _MLP(256), 68.0, 3000, (42, 0, 1)),
        ("CNN", _CNN, 94.0, 3000, (42, 0)),
    ],
)
def test_mnist1d_published_baselines(mnist1d_default, name, make, published, steps, seeds):
    """Issue 18: the published MNIST-1D test accuracies (README of github.com/greydanus/mnist1d and
    the paper, arXiv:2011.14439: logistic regression 32%, MLP 68%, CNN 94%) on the default
    4000/1000 split, within 3 points, with the authors' recipe: the models of `notebooks/models.py`
    (above), `notebooks/train.py`'s `get_model_args` (Adam lr 1e-2, batch 100, no weight decay,
    hidden_size 256) and training loop, on CPU in float32, `torch.manual_seed` fixed per run. The
    mean over seeds (42, the authors', then 0 and 1) is compared: one seed for logistic regression
    (its seeds agree to 0.2 points), three for the MLP (spread ~3 points), two for the CNN.

    Steps: the authors train 6000 steps; the test accuracy has plateaued (training accuracy ~100%)
    well before, so we train 2000 (logistic) and 3000 (MLP, CNN). Measured here (final test
    accuracy): logistic 32.0 (seed 42, 2000 steps; 31.7/31.6 for seeds 42/0 at 6000); MLP
    66.5/67.2/69.5 (seeds 42/0/1, 3000 steps, mean 67.7; 66.3/67.6/69.2 at 6000); CNN 93.3/93.3
    (seeds 42/0, 3000 steps; 93.7/94.6 at 6000). The authors' own quickstart notebook, on the same
    data, prints 31.7 (logistic), 64.6 (MLP, see below) and 92.5 (CNN) at step 6000.

    The MLP's width: the authors' quickstart notebook builds `MLPBase(40, 10)` without passing
    `hidden_size`, so it gets the class default of 100 units, and that notebook prints 64.6% at
    step 6000 (on the same frozen data); we measure 63.5% (5 seeds, range 61.8-65.2) for 100
    units: 4.5 points below the published 68%, outside the 3-point band. With `get_model_args`'
    `hidden_size` of 256 the MLP gives 68.5% (5 seeds), the published number; that is the recipe
    used here. The CNN and logistic numbers do not depend on this choice.
    """
    split = mnist1d_default.torch()
    accs = [_train_accuracy(split, make, seed, steps) for seed in seeds]
    mean = float(np.mean(accs))
    assert abs(mean - published) <= 3.0, f"{name}: {mean:.1f}% (seeds {accs}) against the published {published}%"


# --------------------------------------------------------------------------- CIFAR-10 folder loader


def _pixel(i: int, c: int, r: int, col: int) -> int:
    """A distinct, known uint8 value for image i, channel c, row r, column col."""
    return (7 * i + 31 * c + 5 * r + 3 * col) % 256


def _write_cifar(folder, n: int = 3, protocol: int = 2, dict_keys=bytes) -> dict:
    """Write CIFAR-10's python batches (data_batch_1..5, test_batch) with `n` images each into
    `folder`, in the format of the real files: a pickled dict with b"data" (uint8, shape (n, 3072),
    row-major channel planes R, G, B of 32x32) and b"labels" (a list of ints), plus the other keys."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for k, name in enumerate(D.CIFAR10_FILES):
        idx = np.arange(n) + 100 * k  # a distinct image index per file
        data = np.array([[_pixel(i, c, r, col) for c in range(3) for r in range(32) for col in range(32)] for i in idx],
                        dtype=np.uint8)
        labels = [int((i + k) % 10) for i in idx]
        key = (lambda s: s.encode()) if dict_keys is bytes else (lambda s: s)
        batch = {key("batch_label"): key(f"batch {k}"), key("labels"): labels, key("data"): data,
                 key("filenames"): [key(f"img_{i}.png") for i in idx]}
        with open(folder / name, "wb") as fh:
            pickle.dump(batch, fh, protocol=protocol)
        out[name] = (idx, labels)
    return out


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_cifar10_loads_the_batch_format(tmp_path, protocol):
    written = _write_cifar(tmp_path / "cifar-10-batches-py", n=3, protocol=protocol)
    d = D.cifar10(tmp_path)
    assert d.name == "cifar10"
    assert d.x_train.shape == (15, 3, 32, 32) and d.x_test.shape == (3, 3, 32, 32)
    assert d.x_train.dtype == np.float32 and d.x_test.dtype == np.float32
    assert d.y_train.dtype == np.int64 and d.y_test.dtype == np.int64
    assert d.x_train.min() >= 0.0 and d.x_train.max() <= 1.0 and d.x_test.max() <= 1.0
    # labels: the five training batches in order, then the test batch
    assert d.y_train.tolist() == [v for i in range(1, 6) for v in written[f"data_batch_{i}"][1]]
    assert d.y_test.tolist() == written["test_batch"][1]
    # pixel order: value at (channel, row, col) of each image, as CIFAR-10 stores them
    train_idx = np.concatenate([written[f"data_batch_{i}"][0] for i in range(1, 6)])
    for j, i in enumerate(train_idx):
        for c, r, col in [(0, 0, 0), (1, 2, 31), (2, 31, 5), (0, 17, 9), (2, 31, 31)]:
            assert d.x_train[j, c, r, col] == np.float32(_pixel(i, c, r, col) / 255.0), (j, c, r, col)
    i0 = written["test_batch"][0][1]
    assert d.x_test[1, 1, 4, 7] == np.float32(_pixel(i0, 1, 4, 7) / 255.0)


def test_cifar10_both_layouts_and_str_keys(tmp_path):
    _write_cifar(tmp_path / "nested" / "cifar-10-batches-py")
    _write_cifar(tmp_path / "flat")
    _write_cifar(tmp_path / "strkeys" / "cifar-10-batches-py", dict_keys=str)
    a, b, c = D.cifar10(tmp_path / "nested"), D.cifar10(str(tmp_path / "flat")), D.cifar10(tmp_path / "strkeys")
    for f in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(a, f), getattr(b, f)) and np.array_equal(getattr(a, f), getattr(c, f)), f


def test_cifar10_missing_folder_or_files(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as e:
        D.cifar10(missing)
    msg = str(e.value)
    assert str(missing) in msg and all(f in msg for f in D.CIFAR10_FILES)
    for empty in (None, ""):
        with pytest.raises(FileNotFoundError, match="--data-dir"):
            D.cifar10(empty)
    # one file missing, nested layout: the message names that file as missing, and not the others
    _write_cifar(tmp_path / "nested" / "cifar-10-batches-py")
    os.remove(tmp_path / "nested" / "cifar-10-batches-py" / "data_batch_3")
    with pytest.raises(FileNotFoundError) as e:
        D.cifar10(tmp_path / "nested")
    msg = str(e.value)
    assert str(tmp_path / "nested") in msg and "missing: data_batch_3)" in msg
    # the same in the flat layout (files directly in data_dir)
    _write_cifar(tmp_path / "flat")
    os.remove(tmp_path / "flat" / "test_batch")
    with pytest.raises(FileNotFoundError) as e:
        D.cifar10(tmp_path / "flat")
    msg = str(e.value)
    assert str(tmp_path / "flat") in msg and "missing: test_batch)" in msg


class _Payload:
    """A pickle that, when loaded by a plain unpickler, runs `os.system` to create a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch '{self.marker}'",))


def test_cifar10_refuses_code_in_a_batch_without_running_it(tmp_path):
    root = tmp_path / "cifar-10-batches-py"
    _write_cifar(root)
    marker = tmp_path / "payload-ran"
    with open(root / "data_batch_2", "wb") as fh:
        pickle.dump({b"data": _Payload(marker), b"labels": [0, 1, 2]}, fh, protocol=2)
    with pytest.raises(ValueError) as e:
        D.cifar10(tmp_path)
    assert str(root / "data_batch_2") in str(e.value) and "system" in str(e.value)
    assert not marker.exists()
    # the check is the loader's: a plain pickle.load of the same file would run it
    with open(root / "data_batch_2", "rb") as fh:
        pickle.load(fh)
    assert marker.exists()


@pytest.mark.parametrize(
    "content,why",
    [
        (b"not a pickle at all", "not a CIFAR-10 batch"),
        (pickle.dumps({b"labels": [1, 2]}, protocol=2), "not a CIFAR-10 batch"),  # no data
        (pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [1, 2]}, protocol=2), "not a CIFAR-10 batch"),
        (pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2, 3]}, protocol=2), "2 images but 3 labels"),
    ],
)
def test_cifar10_damaged_batch_names_the_file(tmp_path, content, why):
    root = tmp_path / "cifar-10-batches-py"
    _write_cifar(root)
    (root / "test_batch").write_bytes(content)
    with pytest.raises(ValueError, match=why) as e:
        D.cifar10(tmp_path)
    assert str(root / "test_batch") in str(e.value)


# --------------------------------------------------------------------------- digits


def _rows(x) -> np.ndarray:
    """Rows of a 2-D array sorted lexicographically (a multiset of images)."""
    a = np.asarray(x, dtype=np.float64)
    return a[np.lexsort(a.T[::-1])]


def test_digits_and_centered():
    X, y = D.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0 and set(np.unique(y)) == set(range(10))
    Xc, yc = D.digits_centered()
    assert Xc.dtype == torch.float32 and tuple(Xc.shape) == (1797, 64) and yc.dtype == torch.long
    assert float(Xc.mean(0).abs().max()) < 1e-6
    assert torch.equal(yc, torch.as_tensor(y))
    assert D.digits_centered(torch.float64)[0].dtype == torch.float64


def test_digits_random_split():
    X, _ = D.digits()
    a = D.digits_random_split(n_train=1000, seed=5)
    b = D.digits_random_split(n_train=1000, seed=5)
    c = D.digits_random_split(n_train=1000, seed=6)
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not torch.equal(a[0], c[0])
    xtr, ytr, xte, yte = a
    assert tuple(xtr.shape) == (1000, 64) and tuple(xte.shape) == (797, 64)
    assert xtr.dtype == torch.float32 and ytr.dtype == torch.long and len(yte) == 797
    # train and test partition the data set: disjoint, and together every image once
    assert np.array_equal(_rows(torch.cat([xtr, xte]).numpy()), _rows(X.astype(np.float32)))
    for bad in (0, 1797, -1):
        with pytest.raises(ValueError, match="n_train"):
            D.digits_random_split(n_train=bad)


def test_digits_stratified_split():
    X, y = D.digits()
    a = D.digits_stratified_split(seed=2, test_fraction=0.3)
    b = D.digits_stratified_split(seed=2, test_fraction=0.3)
    c = D.digits_stratified_split(seed=3, test_fraction=0.3)
    for f in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(a, f), getattr(b, f)), f
    assert not torch.equal(a.x_train, c.x_train)
    assert a.name == "digits" and a.x_train.dtype == torch.float32 and a.y_train.dtype == torch.long
    assert a.n_train + len(a.y_test) == 1797 and len(a.y_test) == int(np.ceil(0.3 * 1797))
    assert np.array_equal(_rows(torch.cat([a.x_train, a.x_test]).numpy()), _rows(X.astype(np.float32)))
    # stratified: each class's share of the test set is its share of the data, to one image
    n_class = np.bincount(y)
    assert np.all(np.abs(np.bincount(a.y_test.numpy(), minlength=10) - 0.3 * n_class) <= 1.0)
    for bad in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="test_fraction"):
            D.digits_stratified_split(test_fraction=bad)


def test_datasplit_torch_and_to():
    s = D.DataSplit(np.zeros((3, 2)), np.array([0, 1, 2]), np.ones((1, 2)), np.array([1]), "toy")
    t = s.torch(torch.float64)
    assert t.x_train.dtype == torch.float64 and t.y_train.dtype == torch.long and t.name == "toy" and t.n_train == 3
    assert t.to("cpu").x_test.device.type == "cpu"


# --------------------------------------------------------------------------- procedural images


def test_shifted_template_images():
    a = D.shifted_template_images(6, 4, seed=1)
    b = D.shifted_template_images(6, 4, seed=1)
    c = D.shifted_template_images(6, 4, seed=2)
    assert tuple(a.x_train.shape) == (6, 3, 32, 32) and tuple(a.x_test.shape) == (4, 3, 32, 32)
    assert a.x_train.dtype == torch.float32 and a.y_train.dtype == torch.long
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test) and not torch.equal(a.x_train, c.x_train)
    assert int(a.y_train.max()) < 10 and int(a.y_train.min()) >= 0
    with pytest.raises(ValueError, match="n_train"):
        D.shifted_template_images(0, 4)


def test_template_images():
    x, y = D.template_images(8, image_size=8, num_classes=3, seed=4)
    x2, y2 = D.template_images(8, image_size=8, num_classes=3, seed=4)
    assert tuple(x.shape) == (8, 3 * 8 * 8) and x.dtype == torch.float32 and y.dtype == torch.long
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert float(x.mean(0).abs().max()) < 1e-6  # minus the mean image
    with pytest.raises(ValueError, match="n"):
        D.template_images(0)


def test_mnist1d_fast_equals_the_package_bit_for_bit():
    from numerics._data import mnist1d, mnist1d_fast

    state = np.random.get_state()
    for n, seed, kw in ((200, 42, {}), (100, 7, dict(max_translation=10, iid_noise_scale=0.1))):
        a, b = mnist1d(n, seed=seed, **kw), mnist1d_fast(n, seed=seed, **kw)
        for f in ("x_train", "y_train", "x_test", "y_test"):
            assert np.array_equal(getattr(a, f), getattr(b, f)), (n, seed, f)
            assert getattr(a, f).dtype == getattr(b, f).dtype
    assert all(np.array_equal(u, v) for u, v in zip(state[1:2], np.random.get_state()[1:2]))  # no global state touched
    with pytest.raises(ValueError, match="n_samples"):
        mnist1d_fast(105)
    with pytest.raises(ValueError, match="unknown"):
        mnist1d_fast(100, nonsense=1)
