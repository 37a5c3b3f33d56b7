"""Claims 9-12: the diagonal linear teacher-student model of Fig. 5 (official diagonal
script). SGD noise soft-thresholds the modes' singular values at eta sigma^2/2, with a
Gamma stationary law above it; the practice side runs the per-mode SGD recursion.

Claim 13 (`full_network_*`): the general script's full two-layer linear network trained with
minibatch SGD over a batch-size sweep; the theory side computes each mode's batch noise from
the data and predicts the soft-thresholded modes, the surviving modes and the test error.
"""

from __future__ import annotations

import math

import jax
import numpy as np

from numerics.stochastic_collapse import sgd_modes
from theory.stochastic_collapse import (
    mode_batch_noise,
    mode_collapse_fraction,
    mode_stationary_mean,
    mode_stationary_moments,
    mode_stationary_variance,
    mode_threshold,
    teacher_student_surviving_modes,
    teacher_student_test_mse,
    two_phase_test_mse,
)
from verify.core.claims import Measurement, Prediction
from verify.core.stats import wilson_interval
from verify.stochastic_collapse._experiments import full_network_data, full_network_runs, full_network_zeta, mode_grid, mode_select, ts_problem, ts_sigma, two_phase_runs

__all__ = [
    "mode_mean_theory",
    "mode_mean_practice",
    "collapse_fraction_theory",
    "collapse_fraction_practice",
    "generalization_theory",
    "generalization_practice",
    "two_phase_theory",
    "two_phase_practice",
    "full_network_theory",
    "full_network_practice",
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


# --------------------------------------------------------------------------- the full network


def _full_network_prediction(ctx):
    """Per batch size: each mode's batch noise sigma_B^2(p) (from the data, for end-to-end maps
    W_e = sum_k p_k a_k b_k^T diagonal in the data's modes), its threshold eta sigma_B^2(0)/2,
    the stationary moments, the predicted surviving modes and test error."""
    D = full_network_data(ctx)
    N, n = D["X"].shape
    xp, yp = D["X"] @ D["A"], D["Y"] @ D["B"]
    s, eta = D["s_hat"], ctx["eta"]
    rows = []
    for B in ctx["batch_sizes"]:
        # B >= N is the full batch (plain GD, no noise); smaller batches are drawn with replacement
        noise = mode_batch_noise(xp, yp, B) if B < N else (np.zeros(n),) * 3
        thr = mode_threshold(eta, np.sqrt(noise[2]))
        mean, var = mode_stationary_moments(s, eta, noise)
        rows.append(dict(B=B, thr=thr, mean=mean, var=var, surviving=int(np.sum(s > thr)),
                         test_mse=teacher_student_test_mse(mean, var, D["d"], D["w_norm2"], n, n)))
    return D, rows


def full_network_theory(ctx):
    bs = list(ctx["batch_sizes"])
    if bs != sorted(bs) or len(bs) < 2:
        raise ValueError("batch_sizes must be increasing, with at least two entries (the smallest is compared with every larger one)")
    D, rows = _full_network_prediction(ctx)
    s, band, near, n = D["s_hat"], ctx["band"], ctx["near"], D["s_hat"].size
    iv = []
    # (a) each mode's time-averaged value: its stationary mean +- band; modes within `near` of their
    # threshold relax too slowly (rate ~ |s - thr|) and only get the soft-threshold range [0, s] (+- band)
    for r in rows:
        close = (np.abs(s - r["thr"]) < near * r["thr"]) & (r["thr"] > 0)
        iv += [[-band, sk + band] if c else [m - band, m + band] for sk, m, c in zip(s, r["mean"], close)]
    # (b) the smallest batch against every larger one: fewer surviving modes (by >= half a mode on
    # average where the theory predicts >= 1 fewer) and a lower test error (relative difference <= 0),
    # in the direction the theory predicts
    r0 = rows[0]
    for r in rows[1:]:
        iv.append([-float(n), -0.5] if r0["surviving"] - r["surviving"] <= -1 else [-float(n), 0.5])
    for r in rows[1:]:
        iv.append([-1.0, 0.0] if r0["test_mse"] < r["test_mse"] else [0.0, 1e3])
    return Prediction(
        value=np.array(iv),
        raw={"s_hat": s, "batch_sizes": np.asarray(bs), "threshold": np.array([r["thr"] for r in rows]), "p_mean": np.array([r["mean"] for r in rows]),
             "surviving": np.array([r["surviving"] for r in rows]), "test_mse": np.array([r["test_mse"] for r in rows])},
        info={"layout": f"{len(bs)} x {n} mode means (batch-major), then {len(bs) - 1} surviving-mode differences and {len(bs) - 1} relative test-error differences "
                        f"(batch {bs[0]} minus each larger batch)",
              "threshold_range_per_batch": [[float(r["thr"].min()), float(r["thr"].max())] for r in rows],
              "surviving_modes_predicted": [r["surviving"] for r in rows], "test_mse_predicted": [r["test_mse"] for r in rows],
              "label_spread_zeta": full_network_zeta(ctx)},
    )


def full_network_practice(ctx):
    r = full_network_runs(ctx)
    bs, eps = list(ctx["batch_sizes"]), ctx["eps"]
    R = r["p_time_mean"].shape[1]
    p = r["p_time_mean"].mean(1)  # (n_B, M): time average, mean over replicates
    p_se = r["p_time_mean"].std(1, ddof=1) / math.sqrt(R) if R > 1 else np.zeros_like(p)
    surv = (r["p_final"] > eps).sum(-1).mean(1)  # surviving modes per batch size (mean over replicates)
    mse = r["test_mse_time_mean"].mean(1)
    value = np.r_[p.ravel(), surv[0] - surv[1:], mse[0] / mse[1:] - 1]
    # no `stderr`: the verdict comes from the bootstrap over seeds (the replicates' se is in raw)
    return Measurement(value=value,
                       raw={"p_se": p_se, "batch_sizes": np.asarray(bs), "s_data": r["s_data"], "p_time_mean": r["p_time_mean"], "p_final": r["p_final"],
                            "test_mse_time_mean": r["test_mse_time_mean"], "surviving": surv, "rank_final": r["rank_final"]},
                       info={"surviving_modes(p>eps)": surv.tolist(), "rank(W_e, sv>eps)": r["rank_final"].mean(1).tolist(), "test_mse_time_mean": mse.tolist(),
                             "test_mse_se": (r["test_mse_time_mean"].std(1, ddof=1) / math.sqrt(R)).tolist() if R > 1 else None,
                             "max_mode_se": float(p_se.max())},
                       counters={"train_steps": ctx["steps"] * len(bs) * R})
