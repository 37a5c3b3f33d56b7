"""Exact identities of the two estimators (C.B 1, 5, 6 and 12's formula): no training.

Each practice side recomputes the estimator another way (the precision-form posterior, the
degenerate cases, the normalised Gaussian log-density of the official code, the path norm)
on random instances drawn with the practice seed; the theory side states the identity. These
claims are `kind="consistency"`: two routes through the theory, not theory against a system.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from theory.icl import dmmse_predict, gaussian_posterior, interpolation_path, ridge_predict, sample_sequences
from verify.core.claims import Measurement, Prediction

__all__ = [
    "ridge_posterior_theory",
    "ridge_posterior_practice",
    "degenerate_theory",
    "degenerate_practice",
    "temperature_theory",
    "temperature_practice",
    "path_norm_theory",
    "path_norm_practice",
]


# ---------------------------------------------------------------- C.B 1
def ridge_posterior_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "ridge with lambda = sigma^2/tau^2 is the Gaussian posterior mean (exact identity)"})


def ridge_posterior_practice(ctx) -> Measurement:
    """Random instances: ridge (normal equations) vs posterior mean in precision form, per position."""
    rng = ctx.rng("instances")
    worst, n_checked = 0.0, 0
    for _ in range(int(ctx["n_instances"])):
        D = int(rng.integers(1, 9))
        K = int(rng.integers(1, 21))
        s2 = float(rng.uniform(0.05, 2.0))
        t2 = float(rng.uniform(0.3, 3.0))
        X, y, _w = sample_sequences(rng, 4, K, D, s2, task_var=t2)
        ridge = ridge_predict(X, y, None, s2, t2)
        for k in range(K):
            mean, _cov = gaussian_posterior(X[:, :k], y[:, :k], s2, t2)
            worst = max(worst, float(np.max(np.abs(ridge[:, k] - np.einsum("bd,bd->b", X[:, k], mean)))))
            n_checked += 4
    return Measurement(worst, info={"predictions_checked": n_checked})


# ---------------------------------------------------------------- C.B 5
def degenerate_theory(ctx) -> Prediction:
    return Prediction(np.zeros(3), info={"entries": ["M=1: dMMSE - w1.x", "k=1: dMMSE - wbar.x", "k=1: ridge"]})


def degenerate_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = ctx.rng("sequences")
    pool1 = rng.standard_normal((1, D))
    pool = rng.standard_normal((int(ctx["M"]), D))
    X, y, _ = sample_sequences(rng, 256, K, D, s2)
    a = np.max(np.abs(dmmse_predict(X, y, None, pool1, s2) - X @ pool1[0]))
    b = np.max(np.abs(dmmse_predict(X, y, None, pool, s2)[:, 0] - X[:, 0] @ pool.mean(0)))
    c = np.max(np.abs(ridge_predict(X, y, None, s2)[:, 0]))
    return Measurement(np.array([a, b, c]))


# ---------------------------------------------------------------- C.B 6
def temperature_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "softmax(-R/2 sigma^2) equals the normalised Gaussian posterior over the pool"})


def temperature_practice(ctx) -> Measurement:
    """Posterior via scipy's normalised Normal log-density (as TFP in the official code) vs ours."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = ctx.rng("sequences")
    pool = rng.standard_normal((int(ctx["M"]), D))
    X, y, _ = sample_sequences(rng, 256, K, D, s2, pool)
    ours = dmmse_predict(X, y, None, pool, s2)
    worst, worst_wrong = 0.0, 0.0
    for k in range(K):
        logp = stats.norm.logpdf(y[:, :k, None] - X[:, :k] @ pool.T, scale=math.sqrt(s2)).sum(axis=1)  # (n, M)
        ref = np.einsum("nd,nd->n", X[:, k], special.softmax(logp, axis=-1) @ pool)
        resid2 = ((y[:, :k, None] - X[:, :k] @ pool.T) ** 2).sum(axis=1)
        wrong = np.einsum("nd,nd->n", X[:, k], special.softmax(-resid2 / s2, axis=-1) @ pool)  # temperature sigma^2
        worst = max(worst, float(np.max(np.abs(ours[:, k] - ref))))
        worst_wrong = max(worst_wrong, float(np.max(np.abs(wrong - ref))))
    return Measurement(worst, info={"max_diff_with_temperature_sigma2_instead": worst_wrong})


# ---------------------------------------------------------------- C.B 12 (formula)
def path_norm_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "|w_alpha| = (|w_i| + |w_j|)/2 for every alpha (exact)"})


def path_norm_practice(ctx) -> Measurement:
    rng = ctx.rng("pairs")
    D = int(ctx["dim"])
    wi, wj = rng.standard_normal((int(ctx["n_pairs"]), D)), rng.standard_normal((int(ctx["n_pairs"]), D))
    alphas = np.linspace(0, 1, 101)
    path = interpolation_path(wi, wj, alphas)
    target = 0.5 * (np.linalg.norm(wi, axis=-1) + np.linalg.norm(wj, axis=-1))
    return Measurement(float(np.max(np.abs(np.linalg.norm(path, axis=-1) - target[None]))))
