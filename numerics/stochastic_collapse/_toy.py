"""The two-GELU-neuron toy of the official code (`one_hidden_layer/toy_model`, brief B.4.4),
simulated with torch autograd: a 1-2-1 GELU network without biases, full-batch SGD with
momentum on L = sum((f - y - sigma xi)^2)/(2N) with fresh label noise every step, from the
official start w_in = (1.0, 0.6), w_out = (-0.6, -0.4). Every (noise level, run) pair is one
member of a batched ensemble (parameters `(R, 2)`), each level with its own noise stream.
"""

from __future__ import annotations

import numpy as np
import torch

from theory.stochastic_collapse._checks import data_pair, finite, nonneg, nonneg_int, positive, positive_int

__all__ = ["permutation_toy_data", "permutation_toy_runs"]


def permutation_toy_data(n: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The official toy data: `torch.manual_seed(seed)`, then X, X_test, y, y_test =
    randn(n, 1) each; returns `(x, y)` (the training pair) as float64 arrays.

    **Raises:** `ValueError` unless `n` is an integer >= 1 and `seed` an integer >= 0."""
    n, seed = positive_int("n", n), nonneg_int("seed", seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 1, generator=g)
    torch.randn(n, 1, generator=g)  # X_test
    y = torch.randn(n, 1, generator=g)
    return X.double().numpy().ravel(), y.double().numpy().ravel()


def permutation_toy_runs(eta, sigmas, x, y, *, n_runs: int, steps: int, seed: int, momentum: float = 0.9, w_in=(1.0, 0.6), w_out=(-0.6, -0.4),
                         record_every: int = 100, device: str = "cpu") -> dict:
    """Full-batch SGD with momentum and label noise on the two-neuron toy, batched over noise
    levels and runs (float64).

    **Arguments:** `eta`, `sigmas` (levels), data `x`, `y`; `n_runs` per level; `steps`;
    `seed` (level `j` draws its label noise from its own generator seeded `(seed, j)`);
    `momentum`; the start `w_in`, `w_out`; `record_every`: logging interval of the distance.

    **Returns:** dict with `record_steps`, `dist2` `(n_log, n_sigma, n_runs)`: the squared
    distance `(w1 - w2)^2 + (a1 - a2)^2` to the permutation set (non-finite where a run
    diverged), `rel_dist2` (same shape): the paper's relative distance
    `2 |v1 - v2|^2 / (|v1|^2 + |v2|^2)` with `v_j = (w_j, a_j)` (2 when one neuron vanished),
    and the final `w`, `a` `(n_sigma, n_runs, 2)`.

    **Raises:** `ValueError` unless `eta` is finite and > 0, `sigmas` finite and >= 0 (non-empty),
    `x`, `y` finite non-empty of equal length, `n_runs`, `steps`, `record_every` integers
    >= 1, `seed` an integer >= 0, `momentum` in [0, 1), and `w_in`, `w_out` two finite numbers each.
    """
    eta = float(positive("eta", eta))
    sig = nonneg("sigmas", sigmas).ravel()
    if sig.size == 0:
        raise ValueError("sigmas must list at least one noise level")
    x, y = data_pair(x, y)
    P, T, every, seed = positive_int("n_runs", n_runs), positive_int("steps", steps), positive_int("record_every", record_every), nonneg_int("seed", seed)
    if not 0.0 <= float(finite("momentum", momentum)) < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    w0, a0 = finite("w_in", w_in).ravel(), finite("w_out", w_out).ravel()
    if w0.size != 2 or a0.size != 2:
        raise ValueError(f"w_in and w_out must hold two numbers each, got {w0.size} and {a0.size}")
    dt = torch.float64
    S, N = sig.size, x.size
    X = torch.as_tensor(x, dtype=dt, device=device)
    Y = torch.as_tensor(y, dtype=dt, device=device)
    s = torch.as_tensor(np.repeat(sig, P), dtype=dt, device=device)[:, None]
    R = S * P
    w = torch.tensor(w0, dtype=dt, device=device).repeat(R, 1).requires_grad_(True)
    a = torch.tensor(a0, dtype=dt, device=device).repeat(R, 1).requires_grad_(True)
    bufs = [torch.zeros_like(w), torch.zeros_like(a)]
    gens = [torch.Generator().manual_seed(int(np.random.SeedSequence([seed, j]).generate_state(1)[0])) for j in range(S)]
    rec, rel_rec, steps_rec = [], [], []
    chunk = 500
    for k in range(T):
        if k % chunk == 0:
            n_k = min(chunk, T - k)
            xi = torch.stack([torch.randn(n_k, P, N, generator=g, dtype=dt) for g in gens], 1).reshape(n_k, R, N).to(device)
        f = (a[:, None, :] * torch.nn.functional.gelu(w[:, None, :] * X[None, :, None])).sum(-1)  # (R, N)
        loss = ((f - Y - s * xi[k % chunk]) ** 2).sum() * 0.5 / N
        gw, ga = torch.autograd.grad(loss, (w, a))
        with torch.no_grad():
            for p, gr, b in zip((w, a), (gw, ga), bufs):
                b.mul_(momentum).add_(gr)
                p.sub_(eta * b)
        if (k + 1) % every == 0 or k + 1 == T:
            with torch.no_grad():
                d2k = (w[:, 0] - w[:, 1]) ** 2 + (a[:, 0] - a[:, 1]) ** 2
                rec.append(d2k.reshape(S, P))
                # the paper's identical-neuron distance 2|v1 - v2|^2 / (|v1|^2 + |v2|^2)
                rel_rec.append((2 * d2k / (w**2 + a**2).sum(1).clamp_min(1e-300)).reshape(S, P))
            steps_rec.append(k + 1)
    d2 = torch.stack(rec).cpu().numpy()
    rel = torch.stack(rel_rec).cpu().numpy()
    return dict(record_steps=np.asarray(steps_rec), dist2=d2, rel_dist2=rel, w=w.detach().cpu().numpy().reshape(S, P, 2), a=a.detach().cpu().numpy().reshape(S, P, 2))
