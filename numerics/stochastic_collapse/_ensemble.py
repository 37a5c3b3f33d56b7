"""A batched ensemble of GELU MLPs trained with SGD, each member with its own seed stream.

`train_mlp_ensemble` trains `M` independent MLPs of one architecture as one model: the
weights are stacked along a leading member axis and every layer is one `torch.baddbmm`. A
member has its own learning-rate schedule, batch size, label-noise probability and seed;
its seed alone fixes its initialisation, its minibatches and its label noise (drawn from a
private `torch.Generator` in fixed-size chunks of steps), so a member trained alone (`M = 1`)
follows the same trajectory as inside the ensemble, up to float rounding (tested). Members
with smaller batches are padded to the largest batch and the padding is masked out of the
loss (it contributes exact zeros to the gradients).

The paper's independent-neuron metric (`independent_neuron_fraction`) is logged every
`log_every` steps (the only host syncs of the step loop).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from theory.stochastic_collapse._checks import finite, nonneg, nonneg_int, positive_int

__all__ = ["train_mlp_ensemble", "member_seeds"]

#: steps of minibatch indices and label noise drawn at once per member (fixed, so that a
#: member's stream does not depend on the ensemble it is trained in)
_CHUNK = 256


def member_seeds(seed: int, replicates: Sequence[int]) -> list[int]:
    """Per-member seeds derived from a base `seed` and each member's replicate index: members
    with the same replicate index share their initialisation and data stream (paired
    comparisons across a sweep), different replicates are independent.

    **Raises:** `ValueError` unless `seed` and every replicate index are integers >= 0."""
    seed = nonneg_int("seed", seed)
    reps = [nonneg_int("replicates", r) for r in np.asarray(replicates).ravel().tolist()]
    return [int(np.random.SeedSequence([seed, r]).generate_state(1)[0] % 2**31) for r in reps]


def _layer_metrics(Ws, bs, model: int) -> list[dict]:
    from numerics.stochastic_collapse._networks import _independent_neuron_fraction

    return [_independent_neuron_fraction(Ws[l][model].T.cpu(), bs[l][model].cpu(), Ws[l + 1][model].T.cpu()) for l in range(len(Ws) - 1)]


def train_mlp_ensemble(
    Xtr,
    ytr,
    Xte,
    yte,
    schedules,
    *,
    hidden: Sequence[int],
    batch_sizes,
    label_noise,
    seeds,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    log_every: int = 500,
    n_classes: int = 10,
    dtype: torch.dtype = torch.float32,
    device: str = "cpu",
    progress=None,
) -> dict:
    """Train one GELU MLP per member (row of `schedules`), all at once.

    **Arguments:**

    - `Xtr`, `ytr`, `Xte`, `yte`: training and test inputs `(n, d)` and integer labels in
      `[0, n_classes)` (numpy arrays or torch tensors).
    - `schedules`: `(M, steps)` per-step learning rates (a member whose rate is 0 from some
      step on is frozen there, momentum included).
    - `hidden`: hidden widths (GELU, biases; Kaiming-normal weights, zero biases, as the
      paper's VGG).
    - `batch_sizes`, `label_noise`, `seeds`: one per member (or a scalar for all):
      minibatch size (uniform indices with replacement), probability of redrawing a sample's
      label uniformly among the other classes at every draw (the official online label
      noise), and the member's seed.
    - `momentum`, `weight_decay`: SGD as torch's (buffer = momentum buffer + grad + wd p).
    - `log_every`: metric logging interval; `dtype`, `device`: torch dtype and device.

    **Returns:** dict with `log_steps`, `independent`, `vanishing`, `duplicates`
    `(n_log, M, n_layers)`, `test_acc`, `train_loss` `(n_log, M)`, `test_correct_final`
    `(M, n_test)`, and `weights` (the final weights per layer, `(M, fan_in, fan_out)`, as
    numpy arrays).

    **Raises:** `ValueError` unless the schedules are an `(M >= 1, steps >= 1)` array of
    finite rates >= 0, the data are finite with matching lengths and labels in range, the
    hidden widths, batch sizes, `log_every`, `n_classes` are integers >= 1 (`n_classes >= 2`),
    label noise in [0, 1], seeds integers >= 0, momentum in [0, 1) and weight decay >= 0.
    """
    sched_np = nonneg("schedules", schedules)
    if sched_np.ndim != 2 or sched_np.shape[0] == 0 or sched_np.shape[1] == 0:
        raise ValueError(f"schedules must have shape (n_models >= 1, steps >= 1), got {sched_np.shape}")
    M, steps = sched_np.shape
    hidden = [positive_int("hidden widths", h) for h in hidden]
    if not hidden:
        raise ValueError("hidden must list at least one hidden width")
    n_classes = positive_int("n_classes", n_classes)
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    log_every = positive_int("log_every", log_every)
    if not 0.0 <= float(finite("momentum", momentum)) < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    nonneg("weight_decay", weight_decay)

    def per_member(name, v, cast):
        a = np.asarray(v).ravel()
        if a.size == 1:
            a = np.repeat(a, M)
        if a.size != M:
            raise ValueError(f"{name} must have one entry per member ({M}), got {a.size}")
        return [cast(name, x) for x in a.tolist()]

    Bs = per_member("batch_sizes", batch_sizes, positive_int)
    noise = per_member("label_noise", label_noise, lambda n, x: float(nonneg(n, x)))
    if any(p > 1.0 for p in noise):
        raise ValueError(f"label_noise must be in [0, 1], got {max(noise)}")
    seeds = per_member("seeds", seeds, nonneg_int)

    def as_x(name, a):
        a = torch.as_tensor(np.asarray(finite(name, np.asarray(a, dtype=float))), dtype=dtype)
        if a.ndim != 2 or a.shape[0] == 0:
            raise ValueError(f"{name} must be a non-empty (n, d) array, got shape {tuple(a.shape)}")
        return a.to(device)

    def as_y(name, a, n):
        a = np.asarray(a).ravel()
        if a.size != n or not np.all(np.isfinite(a.astype(float))) or np.any(a != np.round(a)) or np.any((a < 0) | (a >= n_classes)):
            raise ValueError(f"{name} must hold {n} integer labels in [0, {n_classes}), got shape {a.shape}")
        return torch.as_tensor(a.astype(np.int64)).to(device)

    Xtr_t, Xte_t = as_x("Xtr", Xtr), as_x("Xte", Xte)
    ytr_t, yte_t = as_y("ytr", ytr, Xtr_t.shape[0]), as_y("yte", yte, Xte_t.shape[0])
    if Xte_t.shape[1] != Xtr_t.shape[1]:
        raise ValueError(f"Xtr and Xte must have the same width, got {Xtr_t.shape[1]} and {Xte_t.shape[1]}")
    n_train = Xtr_t.shape[0]

    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    sizes = [Xtr_t.shape[1], *hidden, n_classes]
    Ws, bs = [], []
    for a, b in zip(sizes[:-1], sizes[1:]):
        W = torch.stack([torch.randn(a, b, generator=g, dtype=torch.float64) for g in gens]) * math.sqrt(2.0 / a)
        Ws.append(W.to(dtype=dtype, device=device).requires_grad_(True))
        bs.append(torch.zeros(M, b, dtype=dtype, device=device, requires_grad=True))
    params = Ws + bs
    bufs = [torch.zeros_like(p) for p in params]
    sched = torch.as_tensor(sched_np, dtype=dtype, device=device)
    Bmax = max(Bs)
    mask = (torch.arange(Bmax)[None, :] < torch.tensor(Bs)[:, None]).to(dtype=dtype, device=device)
    inv_B = (1.0 / torch.tensor(Bs, dtype=torch.float64)).to(dtype=dtype, device=device)
    noisy = any(p > 0 for p in noise)

    def draw_chunk(n_steps):
        idx = torch.zeros(n_steps, M, Bmax, dtype=torch.long)
        flip = torch.zeros(n_steps, M, Bmax, dtype=torch.bool)
        shift = torch.zeros(n_steps, M, Bmax, dtype=torch.long)
        for i, (g, B) in enumerate(zip(gens, Bs)):
            idx[:, i, :B] = torch.randint(0, n_train, (n_steps, B), generator=g)
            if noise[i] > 0:  # a member's draws depend on its own settings only
                flip[:, i, :B] = torch.rand(n_steps, B, generator=g, dtype=torch.float64) < noise[i]
                shift[:, i, :B] = torch.randint(1, n_classes, (n_steps, B), generator=g)
        return idx.to(device), flip.to(device), shift.to(device)

    def forward(x):
        h = x
        for l, (W, b) in enumerate(zip(Ws, bs)):
            h = torch.baddbmm(b[:, None, :], h, W)
            if l < len(Ws) - 1:
                h = torch.nn.functional.gelu(h)
        return h

    logs = dict(log_steps=[], independent=[], vanishing=[], duplicates=[], test_acc=[], train_loss=[])
    running = torch.zeros(M, dtype=dtype, device=device)
    it = range(steps)
    if progress is not None:
        it = progress(it, total=steps, desc="mlp ensemble")
    chunk = None
    for k in it:
        if k % _CHUNK == 0:
            chunk = draw_chunk(min(_CHUNK, steps - k))
        idx, flip, shift = (c[k % _CHUNK] for c in chunk)
        yb = ytr_t[idx]
        if noisy:
            yb = torch.where(flip, (yb + shift) % n_classes, yb)
        logits = forward(Xtr_t[idx])
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, n_classes), yb.reshape(-1), reduction="none").reshape(M, Bmax)
        loss_m = (ce * mask).sum(1) * inv_B
        grads = torch.autograd.grad(loss_m.sum(), params)
        lr = sched[:, k]
        active = (lr > 0).to(dtype)
        with torch.no_grad():
            for p, gr, buf in zip(params, grads, bufs):
                shape = (M,) + (1,) * (p.ndim - 1)
                a = active.reshape(shape)
                buf.mul_(1 - a * (1 - momentum)).add_(a * (gr + weight_decay * p))  # frozen members keep their buffer
                p.sub_(lr.reshape(shape) * buf)
            running = 0.98 * running + 0.02 * loss_m.detach()
        if (k + 1) % log_every == 0 or k + 1 == steps:
            with torch.no_grad():
                correct = forward(Xte_t.expand(M, *Xte_t.shape)).argmax(-1) == yte_t
                acc = correct.to(dtype).mean(1)
            per = [_layer_metrics(Ws, bs, i) for i in range(M)]
            logs["log_steps"].append(k + 1)
            for key in ("independent", "vanishing", "duplicates"):
                logs[key].append([[layer[key] for layer in model] for model in per])
            logs["test_acc"].append(acc.cpu().numpy())
            logs["train_loss"].append(running.cpu().numpy().copy())
    out = {k: np.asarray(v) for k, v in logs.items()}
    out["test_correct_final"] = correct.cpu().numpy()
    out["weights"] = [W.detach().cpu().numpy() for W in Ws]
    return out
