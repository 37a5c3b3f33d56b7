"""Evaluation of the ICL ensemble (private module of `numerics.icl`): fixed evaluation sets with
float64 baselines, predictions on numpy inputs, and the paper's per-position metrics."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import torch

from numerics.icl._config import ModelConfig, seed_int
from numerics.icl._model import predict
from theory.icl._checks import check_finite_array, check_int, check_positive, check_tasks, check_xy

__all__ = ["predict_numpy", "EvalSet", "dmmse_predict_torch", "make_eval_set", "position_metrics"]


@torch.no_grad()
def predict_numpy(params: dict[str, torch.Tensor], X: np.ndarray, y: np.ndarray, cfg: ModelConfig, chunk: int = 2048) -> np.ndarray:
    """Ensemble predictions on numpy inputs, fp32 on the parameters' device, in chunks.

    `X` is `(E, n, K, D)` (one set per member) or `(n, K, D)` (shared); returns `(E, n, K)` float64.

    Raises `ValueError` when `X` or `y` holds NaN or inf, their shapes do not match (or `X`
    has another number of members than `params`), or `chunk < 1`.
    """
    dev = next(iter(params.values())).device
    E = next(iter(params.values())).shape[0]
    X = check_finite_array("X", X)
    y = check_finite_array("y", y)
    chunk = check_int("chunk", chunk, 1)
    if X.ndim not in (3, 4) or y.shape != X.shape[:-1] or (X.ndim == 4 and X.shape[0] != E):
        raise ValueError(f"X must be (n, K, D) or ({E}, n, K, D) and y match its leading axes, got {X.shape} and {y.shape}")
    Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
    yt = torch.as_tensor(y, dtype=torch.float32, device=dev)
    if Xt.ndim == 3:
        Xt, yt = Xt.expand(E, *Xt.shape), yt.expand(E, *yt.shape)
    if Xt.shape[1] == 0:
        return np.zeros((E, 0, Xt.shape[2]))
    old = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        outs = [predict(params, Xt[:, s : s + chunk], yt[:, s : s + chunk], cfg) for s in range(0, Xt.shape[1], chunk)]
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old
    return torch.cat(outs, dim=1).double().cpu().numpy()


@dataclasses.dataclass(frozen=True)
class EvalSet:
    """A fixed evaluation set: inputs, targets, noiseless targets and baseline predictions.

    Arrays are `(n, K, D)` / `(n, K)`; `baselines` maps `"ridge"`, `"dmmse"` to `(n, K)`
    predictions (dMMSE only when a pool is known).
    """

    X: np.ndarray
    y: np.ndarray
    clean: np.ndarray
    baselines: dict[str, np.ndarray]


@torch.no_grad()
def dmmse_predict_torch(X: np.ndarray, y: np.ndarray, tasks: np.ndarray, noise_var: float, device: str | torch.device = "cpu", budget: float = 2e7) -> np.ndarray:
    """Per-position dMMSE predictions in float64 torch, chunked so that `(chunk, K, M)` stays
    below `budget` elements; the same formula as `theory.icl.dmmse_predict` (tested equal).

    Raises `ValueError` when `X` `(n, K, D)`, `y` `(n, K)` or `tasks` `(M, D)` has NaN, inf or
    a mismatched shape, or `noise_var` or `budget` is not positive and finite.
    """
    X, y = check_xy(X, y)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n, K, D), got {X.shape}")
    n, K, D = X.shape
    check_tasks(tasks, D)
    noise_var = check_positive("noise_var", noise_var)
    budget = check_positive("budget", budget)
    dev = torch.device(device)
    W = torch.as_tensor(np.asarray(tasks), dtype=torch.float64, device=dev)
    if n == 0:
        return np.zeros((0, K))
    chunk = max(1, int(budget // (K * W.shape[0])))
    out = []
    for s in range(0, n, chunk):
        Xc = torch.as_tensor(np.asarray(X[s : s + chunk]), dtype=torch.float64, device=dev)
        yc = torch.as_tensor(np.asarray(y[s : s + chunk]), dtype=torch.float64, device=dev)
        r2 = (yc[..., None] - Xc @ W.T) ** 2
        logits = -(torch.cumsum(r2, dim=-2) - r2) / (2.0 * noise_var)
        p = torch.softmax(logits, dim=-1)
        out.append(torch.einsum("nkd,nkd->nk", Xc, p @ W).cpu().numpy())
    return np.concatenate(out)


def make_eval_set(
    seed: int,
    n: int,
    n_points: int,
    dim: int,
    noise_var: float,
    *,
    pool: np.ndarray | None,
    draw_from_pool: bool,
    task_var: float = 1.0,
    ridge_fn: Callable[..., np.ndarray],
    with_dmmse: bool = True,
    device: str | torch.device = "cpu",
) -> EvalSet:
    """Draw a fixed evaluation set and its baseline predictions (float64).

    **Arguments:**

    - `seed`: the evaluation seed (fixed, as in the code's eval seeds).
    - `n`, `n_points`, `dim`, `noise_var`, `task_var`: sizes and variances.
    - `pool`: the member's pretraining pool (for dMMSE and for `draw_from_pool`), or `None`.
    - `draw_from_pool`: tasks from the pool (\\( \\mathcal{T}_\\mathrm{Pretrain} \\)) or fresh (\\( \\mathcal{T}_\\mathrm{True} \\)).
    - `ridge_fn`: the ridge estimator (from `theory.icl`).
    - `with_dmmse`: also compute dMMSE predictions (needs `pool`), with `dmmse_predict_torch` on `device`.

    Raises `ValueError` when `seed` is not an integer >= 0, `n`, `n_points` or `dim` is not an
    integer >= 1, a variance is not positive and finite, or `pool` is not a finite `(M, dim)` array.
    """
    seed = check_int("seed", seed, 0)
    n = check_int("n", n, 1)
    n_points = check_int("n_points", n_points, 1)
    dim = check_int("dim", dim, 1)
    noise_var = check_positive("noise_var", noise_var)
    task_var = check_positive("task_var", task_var)
    if pool is not None:
        pool = check_tasks(pool, dim)
    rng = np.random.default_rng(seed_int(seed, "eval", n, n_points, dim, int(draw_from_pool)))
    if draw_from_pool:
        if pool is None:
            raise ValueError("draw_from_pool needs a pool")
        w = pool[rng.integers(0, pool.shape[0], size=n)]
    else:
        w = rng.standard_normal((n, dim)) * math.sqrt(task_var)
    X = rng.standard_normal((n, n_points, dim))
    clean = np.einsum("nkd,nd->nk", X, w)
    y = clean + math.sqrt(noise_var) * rng.standard_normal((n, n_points))
    base = {"ridge": ridge_fn(X, y, None, noise_var, task_var)}
    if pool is not None and with_dmmse:
        base["dmmse"] = dmmse_predict_torch(X, y, pool, noise_var, device)
    return EvalSet(X, y, clean, base)


def position_metrics(pred: np.ndarray, ev: EvalSet, dim: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-position metrics of the paper and the code, each as `(mean, stderr)` over sequences.

    - `mse`: \\( \\mathbb{E}(f - y)^2 / D \\) (normalised loss).
    - `true`: \\( \\mathbb{E}(f - w^\\top x)^2 / D \\) (the code's "Transformer | True").
    - `ridge`, `dmmse`: \\( \\Delta_{PT,B} = \\mathbb{E}(f - \\hat y_B)^2 / D \\) (paper Eq. 4).
    - `mse_minus_true`: the difference `mse - true` per sequence (claim C.B 7).

    NaN or inf in `pred` (a diverged model) propagate elementwise into the metrics of their
    positions; the caller flags divergence. Raises `ValueError` when `pred` does not have the
    shape `(n, K)` of `ev.y` with `n >= 2` (a standard error needs two sequences), or `dim` is
    not an integer >= 1.
    """
    pred = np.asarray(pred, dtype=float)
    if pred.shape != ev.y.shape or pred.ndim != 2 or pred.shape[0] < 2:
        raise ValueError(f"pred must have the shape (n, K) of ev.y {ev.y.shape} with n >= 2, got {pred.shape}")
    dim = check_int("dim", dim, 1)
    out = {}

    def ms(v):
        return v.mean(axis=0) / dim, v.std(axis=0, ddof=1) / math.sqrt(v.shape[0]) / dim

    out["mse"] = ms((pred - ev.y) ** 2)
    out["true"] = ms((pred - ev.clean) ** 2)
    out["mse_minus_true"] = ms((pred - ev.y) ** 2 - (pred - ev.clean) ** 2)
    for name, b in ev.baselines.items():
        out[name] = ms((pred - b) ** 2)
    return out
