"""Bayes risks and Bayes optimality of the estimators (C.B 2, 3, 4 and 5's risks): no training.

The theory side uses `theory.icl`'s closed forms, quadrature and Rao-Blackwellised Monte Carlo
(with the theory seed); the practice side simulates sequences with the practice seed and
applies the estimators directly.
"""

from __future__ import annotations

import numpy as np

from numerics.icl import task_pool
from theory.icl import dmmse_bayes_risk, dmmse_predict, ridge_bayes_mse_curve, ridge_mse_bounds, ridge_predict, sample_sequences
from verify.core.claims import Measurement, Prediction
from verify.core.seeding import THEORY_SEED
from verify.core.stats import mean_se

__all__ = [
    "ridge_mse_theory",
    "ridge_mse_practice",
    "dmmse_optimality_theory",
    "dmmse_optimality_practice",
    "dmmse_to_ridge_theory",
    "dmmse_to_ridge_practice",
    "m1_mse_theory",
    "m1_mse_practice",
    "dmmse_risk_theory",
    "dmmse_risk_practice",
]


# ---------------------------------------------------------------- C.B 2
def ridge_mse_theory(ctx) -> Prediction:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    r = ridge_bayes_mse_curve(D, K, s2, n_mc=int(ctx["n_mc_theory"]), seed=THEORY_SEED)
    lower, upper = ridge_mse_bounds(D, np.arange(K), s2)
    return Prediction(
        r.mse / D,
        stderr=r.stderr / D,
        raw={"lower": lower / D, "upper": upper / D},
        info={"method": list(r.method), "position_mean": float(np.mean(r.mse / D)), "k1_exact": (D + s2) / D},
    )


def ridge_mse_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    X, y, _w = sample_sequences(ctx.rng("sequences"), int(ctx["n_seq"]), K, D, s2)
    err = (ridge_predict(X, y, None, s2) - y) ** 2 / D
    return Measurement(err.mean(0), stderr=mean_se(err)[1], info={"position_mean": float(err.mean())})


# ---------------------------------------------------------------- C.B 3 and 4
def _dmmse_vs_ridge(ctx, log2_M, n_seq, rng_name="sequences", dists=("pretrain", "true")):
    """Per M: paired per-sequence losses of dMMSE and ridge on the distributions (MSE/D)."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = ctx.rng(rng_name)
    out = []
    for j in log2_M:
        pool = task_pool(ctx.seed, 2**j, D)
        row = {}
        for dist in dists:
            X, y, _w = sample_sequences(rng, n_seq, K, D, s2, pool if dist == "pretrain" else None)
            dm = np.concatenate([dmmse_predict(X[s : s + 256], y[s : s + 256], None, pool, s2) for s in range(0, n_seq, 256)])
            ri = ridge_predict(X, y, None, s2)
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
        ses += [mean_se(gp)[1], mean_se(gt)[1]]
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
    se = np.array([mean_se(r["true"]["dist"])[1] for r in rows])
    return Measurement(
        float(np.max(np.diff(delta))),
        raw={"log2_M": np.array(ctx["log2_M"]), "delta": delta, "delta_se": se},
        info={"delta_true_dmmse_ridge": dict(zip([f"2^{j}" for j in ctx["log2_M"]], np.round(delta, 4).tolist()))},
    )


def m1_mse_theory(ctx) -> Prediction:
    """M = 1: MSE/D = sigma^2/D on the pool, (sigma^2 + D tau^2 + |w1|^2)/D on fresh tasks (exact)."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    w1 = task_pool(int(ctx["pool_seed"]), 1, D)[0]
    return Prediction(np.concatenate([np.full(K, s2 / D), np.full(K, (s2 + D + w1 @ w1) / D)]))


def m1_mse_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    pool = task_pool(int(ctx["pool_seed"]), 1, D)
    rng = ctx.rng("sequences")
    vals, ses = [], []
    for tasks in (pool, None):
        X, y, _ = sample_sequences(rng, int(ctx["n_seq"]), K, D, s2, tasks)
        err = (dmmse_predict(X, y, None, pool, s2) - y) ** 2 / D
        vals.append(err.mean(0))
        ses.append(mean_se(err)[1])
    return Measurement(np.concatenate(vals), stderr=np.concatenate(ses))


# ---------------------------------------------------------------- dMMSE Bayes risk (posterior variance vs direct)
def dmmse_risk_theory(ctx) -> Prediction:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    pool = task_pool(int(ctx["pool_seed"]), int(ctx["M"]), D)
    n = int(ctx["n_mc_theory"])
    rp = dmmse_bayes_risk(pool, K, s2, distribution="pretrain", n_samples=n, seed=THEORY_SEED)
    rt = dmmse_bayes_risk(pool, K, s2, distribution="true", n_samples=n, seed=THEORY_SEED + 1)
    return Prediction(np.concatenate([rp.mse, rt.mse]) / D, stderr=np.concatenate([rp.stderr, rt.stderr]) / D)


def dmmse_risk_practice(ctx) -> Measurement:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    pool = task_pool(int(ctx["pool_seed"]), int(ctx["M"]), D)
    rng = ctx.rng("sequences")
    vals, ses = [], []
    for tasks in (pool, None):
        X, y, _ = sample_sequences(rng, int(ctx["n_seq"]), K, D, s2, tasks)
        dm = np.concatenate([dmmse_predict(X[s : s + 512], y[s : s + 512], None, pool, s2) for s in range(0, X.shape[0], 512)])
        err = (dm - y) ** 2 / D
        vals.append(err.mean(0))
        ses.append(mean_se(err)[1])
    return Measurement(np.concatenate(vals), stderr=np.concatenate(ses))
