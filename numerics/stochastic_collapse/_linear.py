"""The general (non-diagonal) teacher–student run: a full two-layer linear network trained
with minibatch SGD, many networks at once (torch, stacked weights, `torch.bmm`).

- `mode_aligned_teacher_student_data`: the diagonal script's problem (teacher, fixed label
  noise, the modes \\( a_k, b_k \\) and targets \\( \\hat s_k \\) of \\( X^\\top y \\)) written as a
  data set on which minibatch noise is diagonal in the modes: sample \\( j \\) of mode
  \\( k \\) has input \\( x_j = \\sqrt n\\,a_k \\) and label
  \\( y_j = \\sqrt n(\\hat s_k + \\zeta\\epsilon_j)\\,b_k \\), \\( \\epsilon_j = \\pm1 \\) balanced
  within the mode, so that \\( X^\\top X/N = I \\) and \\( X^\\top Y/N = \\sum_k \\hat s_k a_k b_k^\\top \\).
- `train_linear_networks`: the official general script's network \\( f(x) = xVU \\) (full
  \\( V \\in \\mathbb R^{n\\times h} \\), \\( U \\in \\mathbb R^{h\\times m} \\), loss
  \\( \\tfrac12\\lVert f(x) - y\\rVert^2 \\) averaged over the batch, uniform initialisation,
  linear learning-rate warm-up), one network per (batch size, replicate), all trained in one
  batched ensemble.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from theory.stochastic_collapse._checks import finite, nonneg, nonneg_int, positive, positive_int

__all__ = ["mode_aligned_teacher_student_data", "train_linear_networks"]


def mode_aligned_teacher_student_data(
    *, N_diag: int = 1024, n: int = 64, rank: int = 8, label_noise: float = 0.5, seed: int = 0, samples_per_mode: int = 16, mode_noise: float = 5.0
) -> dict:
    """The diagonal teacher–student problem as a data set for the full network.

    The teacher \\( W \\) and the targets are those of `diagonal_teacher_student_problem(N=N_diag,
    n=n, m=n, rank=rank, label_noise=label_noise, seed=seed)` (same draw): \\( X_d^\\top y_d =
    A\\,\\mathrm{diag}(\\hat s)B^\\top \\). Each mode \\( k \\) gets `samples_per_mode` samples
    \\( x_j = \\sqrt n\\,a_k \\), \\( y_j = \\sqrt n(\\hat s_k + \\zeta\\epsilon_j)b_k \\) with
    \\( \\zeta \\) = `mode_noise` and \\( \\epsilon_j = \\pm 1 \\), half of each sign.

    **Returns:** dict with `X` `(N, n)`, `Y` `(N, n)` (\\( N = n \\cdot \\) `samples_per_mode`),
    `A`, `B` (the modes as columns), `s_hat`, `W` (teacher), `d` (the teacher's overlaps
    \\( a_k^\\top W b_k \\)), `w_norm2`, `mode` (each sample's mode).

    **Raises:** `ValueError` unless `N_diag`, `n`, `rank` are integers with `1 <= rank <= n <=
    N_diag`, `samples_per_mode` an even integer >= 2, `label_noise` and `mode_noise` finite
    and >= 0 and `seed` an integer >= 0.
    """
    from numerics.stochastic_collapse._sgd import _diagonal_problem

    n = positive_int("n", n)
    spm = positive_int("samples_per_mode", samples_per_mode)
    if spm % 2:
        raise ValueError(f"samples_per_mode must be an even integer >= 2 (balanced +-1 label spread), got {samples_per_mode}")
    zeta = float(nonneg("mode_noise", mode_noise))
    pr = _diagonal_problem(N=N_diag, n=n, m=n, rank=rank, label_noise=label_noise, seed=seed)
    A, s_hat, B = pr["U"], pr["s_hat"], pr["Vt"].T
    mode = np.repeat(np.arange(n), spm)
    eps = np.tile(np.r_[np.ones(spm // 2), -np.ones(spm // 2)], n)
    X = math.sqrt(n) * A[:, mode].T
    Y = (math.sqrt(n) * (s_hat[mode] + zeta * eps))[:, None] * B[:, mode].T
    W = pr["W"]
    return dict(X=X, Y=Y, A=A, B=B, s_hat=s_hat, W=W, d=np.einsum("ik,ij,jk->k", A, W, B), w_norm2=float(np.sum(W**2)), mode=mode)


def _check_schedule(lr_steps, avg_from):
    lr = nonneg("lr_steps", lr_steps)
    if lr.ndim != 1 or lr.size == 0:
        raise ValueError(f"lr_steps must be a non-empty 1-D array of learning rates, got shape {lr.shape}")
    avg_from = nonneg_int("avg_from", avg_from)
    if avg_from >= lr.size:
        raise ValueError(f"avg_from must be below the number of steps {lr.size}, got {avg_from}")
    return lr, avg_from


def train_linear_networks(
    X,
    Y,
    *,
    batch_sizes: Sequence[int],
    lr_steps,
    replicates: int,
    seed: int,
    hidden: int | None = None,
    init_scale: float = 0.5,
    avg_from: int = 0,
    avg_every: int = 1,
    modes=None,
    teacher=None,
    device: str = "cpu",
    progress=None,
) -> dict:
    """Minibatch SGD on \\( f(x) = xVU \\) for every batch size, `replicates` networks each.

    One step of a network with batch size \\( B \\): draw \\( B \\) indices i.i.d. uniformly
    (with replacement; \\( B \\ge N \\) means the full batch, plain GD), form the batch mean of
    the gradient of \\( \\tfrac12\\lVert xVU - y\\rVert^2 \\) and step \\( V, U \\) with the
    step's learning rate (the official general script, whose gradient is summed over the
    batch and divided by the batch size). Every network starts from its own draw of
    \\( V, U \\sim U[0, \\text{init\\_scale}) \\). The networks are trained together: stacked
    weights, `torch.bmm`, float64.

    **Arguments:**

    - `X` `(N, n)`, `Y` `(N, m)`: the data.
    - `batch_sizes`: one entry per group of `replicates` networks.
    - `lr_steps`: the learning rate of every step (warm-up and schedule included).
    - `seed`: initialisation and minibatch seed; `hidden`: width (default `n`).
    - `avg_from`: first step of the time averages, taken every `avg_every` steps.
    - `modes`: optional `(A, B)`, columns \\( a_k, b_k \\): the projections
      \\( p_k = a_k^\\top VU b_k \\) are returned; `teacher`: optional \\( W \\) `(n, m)` for the
      test error \\( \\mathrm{mean}((VU - W)^2) \\).

    **Returns:** dict with `W_final` `(n_B, R, n, m)` and `W_time_mean` (the end-to-end map
    averaged over steps `>= avg_from`), `train_loss_final` `(n_B, R)`, and with `modes`:
    `p_final`, `p_time_mean` `(n_B, R, M)`; with `teacher`: `test_mse_final` and
    `test_mse_time_mean` `(n_B, R)`.

    **Raises:** `ValueError` unless `X`, `Y` are finite 2-D arrays with equal rows, the batch
    sizes integers >= 1, `lr_steps` a non-empty 1-D array of finite rates >= 0, `avg_from`
    an integer below its length, `replicates`, `hidden`, `avg_every` integers >= 1, `seed` an integer
    >= 0, `init_scale` finite and > 0, and `modes`/`teacher` of matching shapes.
    """
    X, Y = finite("X", X), finite("Y", Y)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0] or X.shape[0] == 0 or X.shape[1] == 0 or Y.shape[1] == 0:
        raise ValueError(f"X and Y must be non-empty 2-D arrays with equal rows, got {X.shape} and {Y.shape}")
    N, n = X.shape
    m = Y.shape[1]
    bs = [positive_int("batch_sizes", b) for b in batch_sizes]
    if not bs:
        raise ValueError("batch_sizes must list at least one batch size")
    lr, avg_from = _check_schedule(lr_steps, avg_from)
    avg_every = positive_int("avg_every", avg_every)
    R = positive_int("replicates", replicates)
    h = n if hidden is None else positive_int("hidden", hidden)
    seed = nonneg_int("seed", seed)
    c = float(positive("init_scale", init_scale))
    if modes is not None:
        A, Bm = (finite(k, v) for k, v in zip(("modes[0]", "modes[1]"), modes))
        if A.ndim != 2 or Bm.ndim != 2 or A.shape[0] != n or Bm.shape[0] != m or A.shape[1] != Bm.shape[1]:
            raise ValueError(f"modes must be (A (n, M), B (m, M)) with n={n}, m={m}, got {A.shape} and {Bm.shape}")
    if teacher is not None:
        Wt = finite("teacher", teacher)
        if Wt.shape != (n, m):
            raise ValueError(f"teacher must have shape ({n}, {m}), got {Wt.shape}")

    dt = torch.float64
    g = torch.Generator().manual_seed(int(seed))
    # networks ordered as (batch size, replicate); the minibatch ones are computed first
    bvec = np.repeat(bs, R)
    order = np.argsort(bvec >= N, kind="stable")
    E, Em = bvec.size, int(np.sum(bvec < N))
    V = (torch.rand(E, n, h, generator=g, dtype=dt) * c).to(device)
    U = (torch.rand(E, h, m, generator=g, dtype=dt) * c).to(device)
    # a zero row appended to the data pads every batch to the largest one (zero gradient)
    Xt = torch.as_tensor(np.vstack([X, np.zeros((1, n))]), dtype=dt, device=device)
    Yt = torch.as_tensor(np.vstack([Y, np.zeros((1, m))]), dtype=dt, device=device)
    bo = bvec[order]
    if Em:
        bmax = int(bo[:Em].max())
        pad = torch.as_tensor(np.arange(bmax)[None, :] >= bo[:Em, None], device=device)
        inv_b = torch.as_tensor(1.0 / bo[:Em], dtype=dt, device=device)[:, None, None]
    if Em < E:
        Sig = Xt[:N].T @ Xt[:N] / N
        C = Xt[:N].T @ Yt[:N] / N
    acc = torch.zeros(E, n, m, dtype=dt, device=device)
    acc2 = torch.zeros(E, dtype=dt, device=device)
    n_acc = 0
    it = range(lr.size)
    if progress is not None:
        it = progress(it, total=lr.size, desc="linear networks")
    for k in it:
        We = torch.bmm(V, U)
        parts = []
        if Em:
            idx = torch.randint(0, N, (Em, bmax), generator=g).to(device).masked_fill_(pad, N)
            Xb = Xt[idx]
            Rb = torch.bmm(Xb, We[:Em]).sub_(Yt[idx])
            parts.append(torch.bmm(Xb.transpose(1, 2), Rb).mul_(inv_b))
        if Em < E:
            parts.append(torch.matmul(Sig, We[Em:]) - C)
        G = parts[0] if len(parts) == 1 else torch.cat(parts)
        step = -float(lr[k])
        V, U = torch.baddbmm(V, G, U.transpose(1, 2), alpha=step), torch.baddbmm(U, V.transpose(1, 2), G, alpha=step)
        if k >= avg_from and (k - avg_from) % avg_every == 0:
            acc += We
            acc2 += We.pow(2).sum((1, 2))
            n_acc += 1
    We = torch.bmm(V, U)
    inv = np.argsort(order)  # back to (batch size, replicate) order
    W_final = We.cpu().numpy()[inv]
    W_mean = (acc / n_acc).cpu().numpy()[inv]
    sq_mean = (acc2 / n_acc).cpu().numpy()[inv]
    out = {"W_final": W_final, "W_time_mean": W_mean}
    out["train_loss_final"] = 0.5 * np.mean(np.sum((X[None] @ W_final - Y[None]) ** 2, -1), -1)
    if modes is not None:
        out["p_final"] = np.einsum("ik,eij,jk->ek", A, W_final, Bm)
        out["p_time_mean"] = np.einsum("ik,eij,jk->ek", A, W_mean, Bm)
    if teacher is not None:
        out["test_mse_final"] = ((W_final - Wt) ** 2).mean((1, 2))
        # time average of mean((W_e - W)^2) from the averages of W_e and |W_e|^2 (exact)
        out["test_mse_time_mean"] = (sq_mean - 2 * np.einsum("eij,ij->e", W_mean, Wt) + np.sum(Wt**2)) / (n * m)
    return {k: v.reshape(len(bs), R, *v.shape[1:]) for k, v in out.items()}
