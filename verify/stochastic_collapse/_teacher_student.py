"""Claims 9-12: the diagonal linear teacher-student model of Fig. 5 (official diagonal
script). SGD noise soft-thresholds the modes' singular values at eta sigma^2/2, with a
Gamma stationary law above it; the practice side runs the per-mode SGD recursion.
"""

from __future__ import annotations

import math

import jax
import numpy as np

from numerics.stochastic_collapse import sgd_modes
from theory.stochastic_collapse import (
    mode_collapse_fraction,
    mode_stationary_mean,
    mode_stationary_variance,
    mode_threshold,
    teacher_student_surviving_modes,
    teacher_student_test_mse,
    two_phase_test_mse,
)
from verify.core.claims import Measurement, Prediction
from verify.core.stats import wilson_interval
from verify.stochastic_collapse._experiments import mode_grid, mode_select, ts_problem, ts_sigma, two_phase_runs

__all__ = [
    "mode_mean_theory",
    "mode_mean_practice",
    "collapse_fraction_theory",
    "collapse_fraction_practice",
    "generalization_theory",
    "generalization_practice",
    "two_phase_theory",
    "two_phase_practice",
]


def mode_mean_theory(ctx):
    s = np.linspace(*ctx["s_range"], ctx["n_modes"])
    sigma = ts_sigma(ctx, ctx["sigma_paper"])
    thr = float(mode_threshold(ctx["eta"], sigma))
    sel = mode_select(ctx, s, thr)
    return Prediction(value=mode_stationary_mean(s, ctx["eta"], sigma)[sel], raw={"s": s[sel]}, info={"threshold": thr, "n_modes_compared": int(sel.sum())})


def mode_mean_practice(ctx):
    r = mode_grid(ctx)
    thr = float(mode_threshold(ctx["eta"], ts_sigma(ctx, ctx["sigma_paper"])))  # only to apply the same mode selection
    sel = mode_select(ctx, r["s"], thr)
    pm = r["p_time_mean"][:, sel]
    return Measurement(value=pm.mean(0), stderr=pm.std(0, ddof=1) / math.sqrt(pm.shape[0]), raw={"s": r["s"][sel]},
                       counters={"train_steps": ctx["steps"] * r["p_final"].size})


def collapse_fraction_theory(ctx):
    s = np.linspace(*ctx["s_range"], ctx["n_modes"])
    sigma = ts_sigma(ctx, ctx["sigma_paper"])
    thr = float(mode_threshold(ctx["eta"], sigma))
    sel = mode_select(ctx, s, thr)
    return Prediction(value=mode_collapse_fraction(s, ctx["eta"], sigma, ctx["eps"])[sel], raw={"s": s[sel]}, info={"threshold": thr})


def collapse_fraction_practice(ctx):
    r = mode_grid(ctx)
    thr = float(mode_threshold(ctx["eta"], ts_sigma(ctx, ctx["sigma_paper"])))  # only to apply the same mode selection
    sel = mode_select(ctx, r["s"], thr)
    hit = r["p_final"][:, sel] < ctx["eps"]
    k, n = hit.sum(0), hit.shape[0]
    return Measurement(value=k / n, stderr=np.sqrt(np.maximum(k / n * (1 - k / n), 1 / n) / n),
                       info={"wilson95": np.round(wilson_interval(k, n, z=1.96), 3).tolist()})


def generalization_theory(ctx):
    pr = ts_problem(ctx)
    vals, surv = [], []
    for sp_ in ctx["sigmas_paper"]:
        sig = ts_sigma(ctx, sp_)
        vals.append(teacher_student_test_mse(mode_stationary_mean(pr["s_hat"], ctx["eta"], sig), mode_stationary_variance(pr["s_hat"], ctx["eta"], sig), pr["d"], pr["w_norm2"], pr["n"], pr["m"]))
        surv.append(teacher_student_surviving_modes(pr["s_hat"], ctx["eta"], sig))
    return Prediction(value=np.array(vals), raw={"sigmas_paper": np.asarray(ctx["sigmas_paper"])}, info={"surviving_modes": surv})


def generalization_practice(ctx):
    c = ctx.config
    pr = ts_problem(ctx)
    key = ctx.jax_key("ts_sigma")
    vals, ses, surv = [], [], []
    for sp_ in c["sigmas_paper"]:
        key, sub = jax.random.split(key)
        out = sgd_modes(pr["s_hat"], eta_steps=np.full(c["steps"], c["eta"]), sigma=ts_sigma(ctx, sp_), n_seeds=c["n_seeds"], record_every=c["steps"],
                        key=sub, avg_from=c["avg_from"])
        # time-averaged test MSE per seed (the MSE is linear in p and p^2)
        mse = (out["p2_time_mean"].sum(1) - 2 * out["p_time_mean"] @ pr["d"] + pr["w_norm2"]) / (pr["n"] * pr["m"])
        vals.append(mse.mean())
        ses.append(mse.std(ddof=1) / math.sqrt(mse.size))
        surv.append(float((out["snapshots"][-1] > c["eps"]).sum(1).mean()))
    return Measurement(value=np.array(vals), stderr=np.array(ses), raw={"sigmas_paper": np.asarray(c["sigmas_paper"])},
                       info={"surviving_modes(p>eps)": surv}, counters={"train_steps": len(vals) * c["steps"] * c["n_seeds"]})


def two_phase_theory(ctx):
    pr = ts_problem(ctx)
    sig = ts_sigma(ctx, ctx["sigma_paper"])
    eta2 = ctx["eta"] / 10
    limit = two_phase_test_mse(pr["s_hat"], pr["d"], pr["w_norm2"], pr["n"], pr["m"], ctx["eta"], eta2, sig)
    no_phase1 = teacher_student_test_mse(mode_stationary_mean(pr["s_hat"], eta2, sig), mode_stationary_variance(pr["s_hat"], eta2, sig), pr["d"], pr["w_norm2"], pr["n"], pr["m"])
    # sign prediction: a longer large-lr phase collapses more modes and lowers the final error
    return Prediction(value=0.0, info={"limit_mse_long_phase1": limit, "mse_eta2_only": no_phase1, "predicted_sign_of_limit_difference": float(np.sign(limit - no_phase1))})


def two_phase_practice(ctx):
    res = two_phase_runs(ctx)
    mse = [r["mse_final"].mean() for r in res]
    d = res[-1]["mse_final"] - res[0]["mse_final"]
    return Measurement(value=float(d.mean()), stderr=float(d.std(ddof=1) / math.sqrt(d.size)),
                       info={"phase1_steps": list(ctx["phase1_steps"]), "final_mse": mse, "collapsed_at_drop": [float(r["collapsed_at_drop"].mean()) for r in res],
                             "revived_after_drop": [int(r["revived"].sum()) for r in res]})
