"""Theory and practice sides of the estimator claims (C.B 1-6): no training involved.

The theory side uses `theory.icl` (closed forms, quadrature, Rao-Blackwellised Monte Carlo with
the theory seed); the practice side simulates sequences with the practice seed and applies
the estimators directly, or recomputes the posterior a different way.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

import numerics.icl as N
import theory.icl as T
from verify.core.claims import Measurement, Prediction
from verify.core.seeding import THEORY_SEED


def _se(v: np.ndarray) -> np.ndarray:
    return v.std(axis=0, ddof=1) / math.sqrt(v.shape[0])


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
        X, y, _w = T.sample_sequences(rng, 4, K, D, s2, task_var=t2)
        ridge = T.ridge_predict(X, y, None, s2, t2)
        for k in range(K):
            mean, _cov = T.gaussian_posterior(X[:, :k], y[:, :k], s2, t2)
            worst = max(worst, float(np.max(np.abs(ridge[:, k] - np.einsum("bd,bd->b", X[:, k], mean)))))
            n_checked += 4
    return Measurement(worst, info={"predictions_checked": n_checked})


# ---------------------------------------------------------------- C.B 2
def ridge_mse_theory(ctx) -> Prediction:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    r = T.ridge_bayes_mse_curve(D, K, s2, n_mc=int(ctx["n_mc_theory"]), seed=THEORY_SEED)
    lower, upper = T.ridge_mse_bounds(D, np.arange(K), s2)
    return Prediction(
        r.mse / D,
        stderr=r.stderr / D,
        raw={"lower": lower / D, "upper": upper / D},
        info={"method": list(r.method), "position_mean": float(np.mean(r.mse / D)), "k1_exact": (D + s2) / D},
    )


def ridge_mse_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    X, y, _w = T.sample_sequences(ctx.rng("sequences"), int(ctx["n_seq"]), K, D, s2)
    err = (T.ridge_predict(X, y, None, s2) - y) ** 2 / D
    return Measurement(err.mean(0), stderr=_se(err), info={"position_mean": float(err.mean())})


# ---------------------------------------------------------------- C.B 3 and 4
def _dmmse_vs_ridge(ctx, log2_M, n_seq, rng_name="sequences", dists=("pretrain", "true")):
    """Per M: paired per-sequence losses of dMMSE and ridge on the distributions (MSE/D)."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = ctx.rng(rng_name)
    out = []
    for j in log2_M:
        pool = N.task_pool(ctx.seed, 2**j, D)
        row = {}
        for dist in dists:
            X, y, _w = T.sample_sequences(rng, n_seq, K, D, s2, pool if dist == "pretrain" else None)
            dm = np.concatenate([T.dmmse_predict(X[s : s + 256], y[s : s + 256], None, pool, s2) for s in range(0, n_seq, 256)])
            ri = T.ridge_predict(X, y, None, s2)
            row[dist] = dict(
                dmmse=((dm - y) ** 2).mean(-1) / D,
                ridge=((ri - y) ** 2).mean(-1) / D,
                dist=((dm - ri) ** 2).mean(-1) / D,
            )
        out.append(row)
    return out


def dmmse_optimality_theory(ctx) -> Prediction:
    n = 2 * len(ctx["log2_M"])
    return Prediction(np.zeros(n), info={"statement": "Bayes optimality: each posterior mean minimises MSE under its own prior, so both gaps are >= 0"})


def dmmse_optimality_practice(ctx) -> Measurement:
    rows = _dmmse_vs_ridge(ctx, ctx["log2_M"], int(ctx["n_seq"]))
    gaps, ses, info = [], [], {}
    for j, r in zip(ctx["log2_M"], rows):
        gp = r["pretrain"]["ridge"] - r["pretrain"]["dmmse"]  # ridge - dMMSE on T_Pretrain
        gt = r["true"]["dmmse"] - r["true"]["ridge"]  # dMMSE - ridge on T_True
        gaps += [gp.mean(), gt.mean()]
        ses += [_se(gp), _se(gt)]
        info[f"M=2^{j}"] = {
            "pretrain: dMMSE, ridge": [float(r["pretrain"]["dmmse"].mean()), float(r["pretrain"]["ridge"].mean())],
            "true: dMMSE, ridge": [float(r["true"]["dmmse"].mean()), float(r["true"]["ridge"].mean())],
        }
    gaps, ses = np.array(gaps), np.array(ses)
    info["min gap / stderr"] = float(np.min(gaps / ses))
    return Measurement(gaps, stderr=ses, info=info)


def dmmse_to_ridge_theory(ctx) -> Prediction:
    return Prediction(
        0.0,
        info={
            "statement": "the discrete posterior mean tends to the Gaussian one as the pool fills the prior: Delta decreases in M",
            "brief_MC_D8": {"2^4": 0.723, "2^6": 0.537, "2^8": 0.374, "2^10": 0.262, "2^12": 0.174},
        },
    )


def dmmse_to_ridge_practice(ctx) -> Measurement:
    rows = _dmmse_vs_ridge(ctx, ctx["log2_M"], int(ctx["n_seq"]), dists=("true",))
    delta = np.array([r["true"]["dist"].mean() for r in rows])
    se = np.array([_se(r["true"]["dist"]) for r in rows])
    return Measurement(
        float(np.max(np.diff(delta))),
        raw={"log2_M": np.array(ctx["log2_M"]), "delta": delta, "delta_se": se},
        info={"delta_true_dmmse_ridge": dict(zip([f"2^{j}" for j in ctx["log2_M"]], np.round(delta, 4).tolist()))},
    )


# ---------------------------------------------------------------- C.B 5
def degenerate_theory(ctx) -> Prediction:
    return Prediction(np.zeros(3), info={"entries": ["M=1: dMMSE - w1.x", "k=1: dMMSE - wbar.x", "k=1: ridge"]})


def degenerate_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = ctx.rng("sequences")
    pool1 = rng.standard_normal((1, D))
    pool = rng.standard_normal((int(ctx["M"]), D))
    X, y, _ = T.sample_sequences(rng, 256, K, D, s2)
    a = np.max(np.abs(T.dmmse_predict(X, y, None, pool1, s2) - X @ pool1[0]))
    b = np.max(np.abs(T.dmmse_predict(X, y, None, pool, s2)[:, 0] - X[:, 0] @ pool.mean(0)))
    c = np.max(np.abs(T.ridge_predict(X, y, None, s2)[:, 0]))
    return Measurement(np.array([a, b, c]))


def m1_mse_theory(ctx) -> Prediction:
    """M = 1: MSE/D = sigma^2/D on the pool, (sigma^2 + D tau^2 + |w1|^2)/D on fresh tasks (exact)."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    w1 = N.task_pool(int(ctx["pool_seed"]), 1, D)[0]
    return Prediction(np.concatenate([np.full(K, s2 / D), np.full(K, (s2 + D + w1 @ w1) / D)]))


def m1_mse_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    pool = N.task_pool(int(ctx["pool_seed"]), 1, D)
    rng = ctx.rng("sequences")
    vals, ses = [], []
    for tasks in (pool, None):
        X, y, _ = T.sample_sequences(rng, int(ctx["n_seq"]), K, D, s2, tasks)
        err = (T.dmmse_predict(X, y, None, pool, s2) - y) ** 2 / D
        vals.append(err.mean(0))
        ses.append(_se(err))
    return Measurement(np.concatenate(vals), stderr=np.concatenate(ses))


# ---------------------------------------------------------------- C.B 6
def temperature_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "softmax(-R/2 sigma^2) equals the normalised Gaussian posterior over the pool"})


def temperature_practice(ctx) -> Measurement:
    """Posterior via scipy's normalised Normal log-density (as TFP in the official code) vs ours."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = ctx.rng("sequences")
    pool = rng.standard_normal((int(ctx["M"]), D))
    X, y, _ = T.sample_sequences(rng, 256, K, D, s2, pool)
    ours = T.dmmse_predict(X, y, None, pool, s2)
    worst, worst_wrong = 0.0, 0.0
    for k in range(K):
        logp = stats.norm.logpdf(y[:, :k, None] - X[:, :k] @ pool.T, scale=math.sqrt(s2)).sum(axis=1)  # (n, M)
        ref = np.einsum("nd,nd->n", X[:, k], special.softmax(logp, axis=-1) @ pool)
        resid2 = ((y[:, :k, None] - X[:, :k] @ pool.T) ** 2).sum(axis=1)
        wrong = np.einsum("nd,nd->n", X[:, k], special.softmax(-resid2 / s2, axis=-1) @ pool)  # temperature sigma^2
        worst = max(worst, float(np.max(np.abs(ours[:, k] - ref))))
        worst_wrong = max(worst_wrong, float(np.max(np.abs(wrong - ref))))
    return Measurement(worst, info={"max_diff_with_temperature_sigma2_instead": worst_wrong})


# ---------------------------------------------------------------- dMMSE Bayes risk (posterior variance vs direct)
def dmmse_risk_theory(ctx) -> Prediction:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    pool = N.task_pool(int(ctx["pool_seed"]), int(ctx["M"]), D)
    n = int(ctx["n_mc_theory"])
    rp = T.dmmse_bayes_risk(pool, K, s2, distribution="pretrain", n_samples=n, seed=THEORY_SEED)
    rt = T.dmmse_bayes_risk(pool, K, s2, distribution="true", n_samples=n, seed=THEORY_SEED + 1)
    return Prediction(np.concatenate([rp.mse, rt.mse]) / D, stderr=np.concatenate([rp.stderr, rt.stderr]) / D)


def dmmse_risk_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    pool = N.task_pool(int(ctx["pool_seed"]), int(ctx["M"]), D)
    rng = ctx.rng("sequences")
    vals, ses = [], []
    for tasks in (pool, None):
        X, y, _ = T.sample_sequences(rng, int(ctx["n_seq"]), K, D, s2, tasks)
        dm = np.concatenate([T.dmmse_predict(X[s : s + 512], y[s : s + 512], None, pool, s2) for s in range(0, X.shape[0], 512)])
        err = (dm - y) ** 2 / D
        vals.append(err.mean(0))
        ses.append(_se(err))
    return Measurement(np.concatenate(vals), stderr=np.concatenate(ses))


# ---------------------------------------------------------------- C.B 12 (formula)
def path_norm_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "|w_alpha| = (|w_i| + |w_j|)/2 for every alpha (exact)"})


def path_norm_practice(ctx) -> Measurement:
    rng = ctx.rng("pairs")
    D = int(ctx["dim"])
    wi, wj = rng.standard_normal((int(ctx["n_pairs"]), D)), rng.standard_normal((int(ctx["n_pairs"]), D))
    alphas = np.linspace(0, 1, 101)
    path = T.interpolation_path(wi, wj, alphas)
    target = 0.5 * (np.linalg.norm(wi, axis=-1) + np.linalg.norm(wj, axis=-1))
    return Measurement(float(np.max(np.abs(np.linalg.norm(path, axis=-1) - target[None]))))
