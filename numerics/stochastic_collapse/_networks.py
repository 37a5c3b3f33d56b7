"""Networks trained with torch: exact invariance under SGD, and neuron collapse on digits.

- `invariance_run`: SGD with momentum, weight decay and online label noise on a small
  two-layer network started exactly in the intersection of a sign set (neuron 0 vanishes)
  and a permutation set (neurons 1 and 2 identical); returns the distance to each set.
- `independent_neuron_fraction`: the paper's metric (official FIG3_FIG4 notebook): for
  hidden unit \\( j \\) the vector \\( v_j \\) = [incoming weights, bias, outgoing weights];
  vanishing if \\( \\lVert v_j\\rVert/\\max_k\\lVert v_k\\rVert < 0.1 \\); \\( i, j \\) identical if
  \\( 2\\lVert v_i - v_j\\rVert^2/(\\lVert v_i\\rVert^2 + \\lVert v_j\\rVert^2) < 0.1 \\); greedy grouping;
  the number of groups of non-vanishing units divided by the width.
- `train_digits`: a batch of GELU MLPs (one per learning-rate schedule and replicate) trained
  together on scikit-learn digits with per-model SGD (momentum 0.9, weight decay 5e-4),
  logging the metric over training.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import torch

from numerics._data import digits_random_split
from theory.stochastic_collapse._checks import finite, nonneg, nonneg_int, positive_int

__all__ = [
    "invariance_run",
    "independent_neuron_fraction",
    "DigitsConfig",
    "train_digits",
]


# --------------------------------------------------------------------------- exact invariance


def invariance_run(
    *,
    steps: int,
    seed: int,
    activation: str = "gelu",
    d_in: int = 4,
    width: int = 6,
    d_out: int = 2,
    n_data: int = 64,
    batch_size: int = 8,
    lr: float = 0.05,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    label_noise: float = 0.5,
    perturbation: float = 0.0,
) -> dict:
    """Run SGD from a point in \\( A_{sign}(0) \\cap A_{perm}(1, 2) \\) and measure the distances.

    **Arguments:**

    - `steps`, `seed`: SGD steps and the run's seed (data, initialisation, batches, noise).
    - `activation`: `gelu` or `tanh` (both have \\( \\sigma(0) = 0 \\)).
    - `perturbation`: size of a random perturbation added to the start (0: start in the set).

    **Returns:** dict with `dist_sign` and `dist_perm` (max-abs distance to each set after
    every step, float64 arrays of length `steps`).

    **Raises:** `ValueError` unless `activation` is `gelu` or `tanh`, `steps`, `d_in`, `d_out`,
    `n_data`, `batch_size` are integers >= 1, `width` an integer >= 3 (neurons 0, 1, 2 are
    used), `seed` an integer >= 0, `lr`, `momentum`, `weight_decay`, `label_noise` finite and
    >= 0 and `perturbation` finite.
    """
    if activation not in ("gelu", "tanh"):
        raise ValueError(f"activation must be gelu or tanh, got {activation!r}")
    steps, d_in, d_out, n_data, batch_size = (
        positive_int(k, v) for k, v in (("steps", steps), ("d_in", d_in), ("d_out", d_out), ("n_data", n_data), ("batch_size", batch_size))
    )
    if positive_int("width", width) < 3:
        raise ValueError(f"width must be an integer >= 3 (neurons 0, 1, 2 are used), got {width}")
    seed = nonneg_int("seed", seed)
    for k, v in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay), ("label_noise", label_noise)):
        nonneg(k, v)
    finite("perturbation", perturbation)
    g = torch.Generator().manual_seed(int(seed))
    dt = torch.float64
    X = torch.randn(n_data, d_in, generator=g, dtype=dt)
    Y = torch.randn(n_data, d_out, generator=g, dtype=dt)
    W1 = torch.randn(width, d_in, generator=g, dtype=dt) / math.sqrt(d_in)
    b1 = 0.1 * torch.randn(width, generator=g, dtype=dt)
    W2 = torch.randn(d_out, width, generator=g, dtype=dt) / math.sqrt(width)
    W1[0], b1[0], W2[:, 0] = 0.0, 0.0, 0.0  # neuron 0 vanishes
    W1[2], b1[2], W2[:, 2] = W1[1], b1[1], W2[:, 1]  # neurons 1, 2 identical
    params = [W1, b1, W2]
    if perturbation:
        for p in params:
            p.add_(perturbation * torch.randn(p.shape, generator=g, dtype=dt))
    for p in params:
        p.requires_grad_(True)
    act = torch.nn.functional.gelu if activation == "gelu" else torch.tanh
    opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    ds, dp = np.empty(steps), np.empty(steps)
    for k in range(steps):
        idx = torch.randint(0, n_data, (batch_size,), generator=g)
        y = Y[idx] + label_noise * torch.randn(batch_size, d_out, generator=g, dtype=dt)
        out = act(X[idx] @ W1.T + b1) @ W2.T
        loss = 0.5 * ((out - y) ** 2).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            ds[k] = max(W1[0].abs().max().item(), abs(b1[0].item()), W2[:, 0].abs().max().item())
            dp[k] = max((W1[1] - W1[2]).abs().max().item(), abs((b1[1] - b1[2]).item()), (W2[:, 1] - W2[:, 2]).abs().max().item())
    return dict(dist_sign=ds, dist_perm=dp)


# --------------------------------------------------------------------------- the paper's metric


def independent_neuron_fraction(w_in, b_in, w_out, *, vanish_tol: float = 0.1, identical_tol: float = 0.1) -> dict:
    """Independent-neuron fraction of one hidden layer (the paper's metric).

    **Arguments:**

    - `w_in`: `(width, fan_in)` incoming weights; `b_in`: `(width,)` biases (or `None`);
      `w_out`: `(fan_out, width)` outgoing weights.
    - `vanish_tol`, `identical_tol`: the official thresholds (0.1, 0.1).

    **Returns:** dict with `independent` (fraction of groups of non-vanishing units),
    `vanishing` (count), `duplicates` (count of non-vanishing units merged into a group),
    `width`.

    **Raises:** `ValueError` unless the weights are finite with `w_in` of shape
    `(width, fan_in)`, `width >= 1`, `b_in` `None` or of shape `(width,)`, `w_out` of shape
    `(fan_out, width)`, and the tolerances are finite and >= 0.
    """
    nonneg("vanish_tol", vanish_tol)
    nonneg("identical_tol", identical_tol)
    tensors = {"w_in": w_in, "w_out": w_out} if b_in is None else {"w_in": w_in, "b_in": b_in, "w_out": w_out}
    for name, t in tensors.items():
        t = torch.as_tensor(t).detach()
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} must be finite")
        tensors[name] = t
    width = tensors["w_in"].shape[0] if tensors["w_in"].ndim >= 1 else 0
    if tensors["w_in"].ndim < 1 or width == 0 or tensors["w_out"].ndim != 2 or tensors["w_out"].shape[1] != width:
        raise ValueError(f"need w_in (width, fan_in), width >= 1, and w_out (fan_out, width), got {tuple(tensors['w_in'].shape)} and {tuple(tensors['w_out'].shape)}")
    if b_in is not None and tensors["b_in"].numel() != width:
        raise ValueError(f"b_in must have shape ({width},), got {tuple(tensors['b_in'].shape)}")
    return _independent_neuron_fraction(w_in, b_in, w_out, vanish_tol=vanish_tol, identical_tol=identical_tol)


def _independent_neuron_fraction(w_in, b_in, w_out, *, vanish_tol: float = 0.1, identical_tol: float = 0.1) -> dict:
    # the metric itself, unchecked: `train_digits` logs it as is (a diverged model with
    # non-finite weights counts as fully vanished, as in every stored run)
    w_in = torch.as_tensor(w_in, dtype=torch.float64)
    w_out = torch.as_tensor(w_out, dtype=torch.float64)
    parts = [w_in.reshape(w_in.shape[0], -1)]
    if b_in is not None:
        parts.append(torch.as_tensor(b_in, dtype=torch.float64).reshape(-1, 1))
    parts.append(w_out.T.reshape(w_in.shape[0], -1))
    v = torch.cat(parts, 1)
    width = v.shape[0]
    norms = v.norm(dim=1)
    nmax = norms.max()
    if nmax == 0:
        return dict(independent=0.0, vanishing=width, duplicates=0, width=width)
    alive = (norms / nmax >= vanish_tol).numpy()
    sq = norms**2
    # squared distances through the Gram matrix (a matmul; cdist is ~20x slower here)
    d2 = (sq[:, None] + sq[None, :] - 2 * (v @ v.T)).clamp_min(0.0)
    dist = 2 * d2 / (sq[:, None] + sq[None, :]).clamp_min(1e-300)
    close = (dist < identical_tol).numpy()
    used = ~alive.copy()
    groups = 0
    for i in np.nonzero(alive)[0]:
        if used[i]:
            continue
        groups += 1
        members = close[i] & ~used
        used |= members
        used[i] = True
    n_alive = int(alive.sum())
    return dict(independent=groups / width, vanishing=width - n_alive, duplicates=n_alive - groups, width=width)


# --------------------------------------------------------------------------- digits


@dataclasses.dataclass(frozen=True)
class DigitsConfig:
    """Training configuration of the digits experiment.

    - `hidden`: widths of the hidden layers (GELU, with biases, Kaiming-normal init, zero
      biases, as the paper's VGG).
    - `steps`: SGD steps; `batch_size`; `momentum`, `weight_decay` (paper: 0.9, 5e-4).
    - `label_noise`: probability of redrawing a sample's label uniformly among the other
      classes, fresh at every draw (the official online label noise).
    - `log_every`: interval of the metric logging; `n_train`: training-set size (rest: test).

    **Raises:** `ValueError` unless `hidden` holds integers >= 1, `steps`, `batch_size`,
    `log_every`, `n_train` are integers >= 1, `data_seed` an integer >= 0, `momentum` in
    [0, 1), `weight_decay` finite and >= 0 and `label_noise` in [0, 1].
    """

    hidden: tuple[int, ...] = (128, 128)
    steps: int = 3000
    batch_size: int = 32
    momentum: float = 0.9
    weight_decay: float = 5e-4
    label_noise: float = 0.0
    log_every: int = 500
    n_train: int = 1300
    data_seed: int = 0

    def __post_init__(self) -> None:
        if len(self.hidden) == 0:
            raise ValueError("hidden must list at least one hidden width")
        for w in self.hidden:
            positive_int("hidden widths", w)
        for name in ("steps", "batch_size", "log_every", "n_train"):
            positive_int(name, getattr(self, name))
        nonneg_int("data_seed", self.data_seed)
        if not 0.0 <= float(finite("momentum", self.momentum)) < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")
        nonneg("weight_decay", self.weight_decay)
        if not 0.0 <= float(finite("label_noise", self.label_noise)) <= 1.0:
            raise ValueError(f"label_noise must be in [0, 1], got {self.label_noise}")


def train_digits(schedules: Sequence[Sequence[float]], cfg: DigitsConfig, *, seed, device: str = "cpu", progress=None) -> dict:
    """Train one GELU MLP per learning-rate schedule, all at once (one batched ensemble,
    `train_mlp_ensemble`), each model with its own seed stream.

    **Arguments:**

    - `schedules`: one per-step learning-rate sequence per model (length `cfg.steps`; a model
      with learning rate 0 from some step on is frozen there, momentum included).
    - `cfg`: `DigitsConfig`; `device`: torch device.
    - `seed`: one seed per model (its initialisation, minibatches and label noise), or one
      integer for all: model `i` then gets `member_seeds(seed, [i])`. A model trained alone
      with its seed follows the same trajectory as in the ensemble.
    - `progress`: optional wrapper for the step iterator (e.g. `ctx.progress`).

    **Returns:** dict with `log_steps`, `independent` `(n_log, n_models, n_layers)`,
    `vanishing`, `duplicates` (same shape), `test_acc` and `train_loss` `(n_log, n_models)`,
    and `test_correct_final` `(n_models, n_test)` (each test image right or wrong at the end,
    for paired comparisons).

    **Raises:** `ValueError` unless `schedules` is a `(n_models, cfg.steps)` array of finite
    learning rates >= 0 with `n_models >= 1` and the seeds are integers >= 0 (one, or one
    per model).
    """
    from numerics.stochastic_collapse._ensemble import member_seeds, train_mlp_ensemble

    sched = nonneg("schedules", schedules)
    if sched.ndim != 2 or sched.shape[0] == 0 or sched.shape[1] != cfg.steps:
        raise ValueError(f"schedules must have shape (n_models >= 1, {cfg.steps}), got {sched.shape}")
    M = sched.shape[0]
    seeds = np.asarray(seed).ravel()
    if seeds.size == 1 and M > 1:
        seeds = np.asarray(member_seeds(int(nonneg_int("seed", seeds[0])), range(M)))
    Xtr, ytr, Xte, yte = digits_random_split(cfg.n_train, cfg.data_seed, "cpu")
    out = train_mlp_ensemble(Xtr.numpy(), ytr.numpy(), Xte.numpy(), yte.numpy(), sched, hidden=cfg.hidden, batch_sizes=cfg.batch_size,
                             label_noise=cfg.label_noise, seeds=seeds, momentum=cfg.momentum, weight_decay=cfg.weight_decay, log_every=cfg.log_every,
                             device=device, progress=progress)
    out.pop("weights")
    return out
