r"""Sequences of in-context regression and the paper's interpolation path (private module of `theory.icl`)."""

from __future__ import annotations

import math

import numpy as np

from theory.icl._checks import check_finite_array, check_int, check_nonnegative, check_tasks

__all__ = ["sample_sequences", "interpolation_path"]


def sample_sequences(rng: np.random.Generator, n_seq: int, n_points: int, dim: int, noise_var: float, tasks=None, task_var: float = 1.0):
    """Draw `(X, y, w)`: `X` `(n_seq, K, D)`, `y` `(n_seq, K)`, tasks `w` `(n_seq, D)`.

    Tasks come from the pool `tasks` (uniformly, with replacement) or, with `tasks=None`, fresh
    from \\( \\mathcal{N}(0, \\tau^2 I) \\). `noise_var = 0` gives noiseless targets.

    **Raises:**

    `ValueError` when `n_seq`, `n_points` or `dim` is not an integer >= 1, `noise_var` or
    `task_var` is negative or not finite, or `tasks` is not a finite `(M, dim)` array.
    """
    n_seq = check_int("n_seq", n_seq, 1)
    n_points = check_int("n_points", n_points, 1)
    dim = check_int("dim", dim, 1)
    noise_var = check_nonnegative("noise_var", noise_var)
    task_var = check_nonnegative("task_var", task_var)
    if tasks is None:
        w = rng.standard_normal((n_seq, dim)) * math.sqrt(task_var)
    else:
        W = check_tasks(tasks, dim)
        w = W[rng.integers(0, W.shape[0], size=n_seq)]
    X = rng.standard_normal((n_seq, n_points, dim))
    y = np.einsum("snd,sd->sn", X, w) + math.sqrt(noise_var) * rng.standard_normal((n_seq, n_points))
    return X, y, w


def interpolation_path(w_i, w_j, alpha) -> np.ndarray:
    r"""Points on the paper's path between two tasks, with constant norm.

    \[
    w_\alpha = \tfrac12(|w_i| + |w_j|)\,\frac{\alpha w_i + (1-\alpha) w_j}{|\alpha w_i + (1-\alpha) w_j|} .
    \]

    **Arguments:**

    - `w_i`, `w_j`: endpoint tasks `(..., D)` (\( \alpha = 1 \) gives the direction of `w_i`).
    - `alpha`: scalar or 1-D array of path parameters in \( [0, 1] \).

    **Returns:**

    `(..., D)` for scalar `alpha`, else `(len(alpha), ..., D)`.

    **Raises:**

    `ValueError` when the chord passes through 0 (antipodal pair), `w_i` and `w_j` differ in
    shape, are not finite, or are not `(..., D)` with `D >= 1`, or `alpha` is not a scalar or
    1-D array in \( [0, 1] \).
    """
    wi = check_finite_array("w_i", w_i)
    wj = check_finite_array("w_j", w_j)
    if wi.shape != wj.shape:
        raise ValueError(f"w_i and w_j must have the same shape, got {wi.shape} and {wj.shape}")
    if wi.ndim < 1 or wi.shape[-1] < 1:
        raise ValueError(f"w_i and w_j must have shape (..., D) with D >= 1, got {wi.shape}")
    a = check_finite_array("alpha", alpha)
    if a.ndim > 1 or np.any(a < 0) or np.any(a > 1):
        raise ValueError(f"alpha must be a scalar or 1-D array of numbers in [0, 1], got {alpha!r}")
    scalar = a.ndim == 0
    a = a.reshape((-1,) + (1,) * wi.ndim)
    chord = a * wi + (1 - a) * wj
    norm = np.linalg.norm(chord, axis=-1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError("the chord alpha w_i + (1 - alpha) w_j passes through 0; path undefined")
    target = 0.5 * (np.linalg.norm(wi, axis=-1, keepdims=True) + np.linalg.norm(wj, axis=-1, keepdims=True))
    out = target * chord / norm
    return out[0] if scalar else out
