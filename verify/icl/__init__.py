"""Claims of Raventós, Paul, Chen & Ganguli (NeurIPS 2023): task diversity and non-Bayesian ICL.

Claim numbers refer to the brief's list C.B 1-13. Estimator claims (C.B 1-6, 12's formula)
need no training. The sweep claims train, per seed, one batched ensemble of GPT-2-style
models over task diversities \\( M = 2^1, \\dots, 2^{10}, \\infty \\) (quick: D = 2, K = 4,
2 layers, width 32; gpu: the paper's base model at D = 8, K = 16) and read C.B 7, 11, 12 and
the Bayes bounds off it; the gpu/paper profiles add the threshold crossing (C.B 8), the
dimension scaling (9), the early-stopping time (10) and weight decay (13).
"""

from __future__ import annotations

import math

import numpy as np

import theory.icl as T
from verify.core.claims import Claim, Measurement, PaperValue, Prediction, SkipClaim, profiles
from verify.core.seeding import THEORY_SEED
from verify.icl import _estimator_claims as EC
from verify.icl import _figures as FIG
from verify.icl._sweep import SWEEP_KEYS, crossing_point, run_sweep, spearman, transition_midpoint

__all__ = ["CLAIMS", "QUICK_SWEEP", "GPU_SWEEP", "PAPER_SWEEP"]

# =============================================================================================
# Profiles
# =============================================================================================

#: Quick (2-core CPU): D = 2, K = 2D, SNR 32 as the paper, mini model, 2000 Adam steps at batch 64.
QUICK_SWEEP = dict(
    dim=2,
    n_points=4,
    noise_var=2 / 32,
    n_layer=2,
    n_embd=32,
    n_head=2,
    steps=2000,
    batch_sizes=(64,),
    lr=1e-3,
    warmup_frac=0.5,
    log2_M=tuple(range(1, 11)),
    infinite=True,
    weight_decays=(0.0,),
    n_eval=2048,
    interp_pairs=16,
    interp_alphas=9,
    interp_seqs=48,
    eval_every=0,
    n_eval_curve=0,
    precision="fp32",
    compile=False,
    checkpoint_every=0,
    large_log2_M_from=8,
)
#: gpu (one GPU, minutes): the paper's base model and task (D = 8, K = 16, sigma^2 = 0.25), two batch sizes.
GPU_SWEEP = dict(
    QUICK_SWEEP,
    dim=8,
    n_points=16,
    noise_var=0.25,
    n_layer=8,
    n_embd=128,
    n_head=2,
    steps=5000,
    batch_sizes=(256, 512),
    lr=1e-3,
    log2_M=(2, 4, 6, 8, 10, 12, 14),
    n_eval=4096,
    interp_pairs=32,
    interp_seqs=16,
    precision="bf16",
    checkpoint_every=1000,
    large_log2_M_from=12,
)
#: paper: 500k steps at batch 256 and 512, M = 2^0 ... 2^20.
PAPER_SWEEP = dict(GPU_SWEEP, steps=500_000, log2_M=tuple(range(0, 21)), n_eval=2**14, checkpoint_every=10_000)

SEEDS = {"quick": 2, "gpu": 1, "paper": 1}


def _sweep_profiles(**extra):
    return profiles(
        quick=dict(QUICK_SWEEP, **extra),
        gpu=dict(GPU_SWEEP, **extra),
        paper=dict(PAPER_SWEEP, **extra),
        seeds=SEEDS,
    )


def _sweep(ctx, **override) -> dict:
    cfg = {k: ctx.config[k] for k in SWEEP_KEYS}
    cfg.update(override)
    cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()}
    return ctx.shared("sweep", lambda: run_sweep(cfg, ctx.seed, ctx.device, ctx.progress), device=ctx.device, **cfg)


def _counters(s: dict) -> dict:
    return {
        "train_steps": int(s["loss_steps"][-1]) if len(s["loss_steps"]) else 0,
        "flops": float(np.sum(s["train_flops"])),
        "diverged": bool(np.any(s["diverged"])),
        "nan": bool(np.any(~np.isfinite(s["losses"]))),
        "train_seconds": float(np.sum(s["train_seconds"])),
    }


def _index(s: dict, wd: float = 0.0):
    """(finite member indices sorted by M, index of M = infinity) among members with weight decay wd."""
    sel = np.isclose(s["weight_decay"], wd)
    fin = [int(i) for i in np.argsort(s["M"]) if sel[i] and np.isfinite(s["M"][i])]
    inf = [int(i) for i in range(len(s["M"])) if sel[i] and not np.isfinite(s["M"][i])]
    return fin, (inf[0] if inf else None)


def _mean_pos(a):
    a = np.asarray(a, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.all(np.isnan(a), axis=-1), np.nan, np.nansum(a, axis=-1) / np.maximum(1, np.sum(~np.isnan(a), axis=-1)))


def _curves_raw(s: dict, b: int = 0) -> dict:
    fin, inf = _index(s)
    order = fin + ([inf] if inf is not None else [])
    logM = np.log2(s["M"][fin])
    x = np.concatenate([logM, [logM[-1] + 1]]) if inf is not None else logM
    return {
        "log2_M_plot": x,
        "pt_ridge_T": _mean_pos(s["ridgeT"][b][order]),
        "pt_dmmse_T": _mean_pos(s["dmmseT"][b][order]),
        "pt_ridge_P": _mean_pos(s["ridgeP"][b][order]),
        "pt_dmmse_P": _mean_pos(s["dmmseP"][b][order]),
        "dmmse_ridge_T": _mean_pos(s["dmmse_ridgeT"][order]),
        "dmmse_ridge_P": _mean_pos(s["dmmse_ridgeP"][order]),
    }


# =============================================================================================
# Sweep claims: theory and practice
# =============================================================================================


def _small_M_dmmse_like_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    fin, _ = _index(s)
    e = fin[0]
    num, den = _mean_pos(s["dmmseP"][0][e]), _mean_pos(s["dmmse_ridgeP"][e])
    return Measurement(
        float(num / den),
        raw=_curves_raw(s),
        counters=_counters(s),
        info={"M": float(s["M"][e]), "Delta^P_PT,dMMSE": float(num), "Delta^P_Ridge,dMMSE": float(den)},
    )


def _small_M_far_from_ridge_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    fin, _ = _index(s)
    e = fin[0]
    num, den = _mean_pos(s["ridgeT"][0][e]), _mean_pos(s["dmmse_ridgeT"][e])
    return Measurement(float(num / den), counters=_counters(s), info={"M": float(s["M"][e]), "Delta^T_PT,Ridge": float(num), "Delta^T_dMMSE,Ridge": float(den)})


def _large_M_theory(ctx) -> Prediction:
    """The Bayes predictor of the pool is itself ridge-like at large M (theory MC at the sweep's D)."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = np.random.default_rng(THEORY_SEED)
    info = {}
    for j in [j for j in ctx["log2_M"] if j >= ctx["large_log2_M_from"]]:
        if 2**j * K * D > 2e6:
            continue
        pool = rng.standard_normal((2**j, D))
        X, y, _ = T.sample_sequences(rng, 1000, K, D, s2)
        info[f"theory Delta^T_dMMSE,Ridge at M=2^{j}"] = float(np.mean((T.dmmse_predict(X, y, None, pool, s2) - T.ridge_predict(X, y, None, s2)) ** 2) / D)
    return Prediction(0.0, info=info)


def _large_M_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    fin, inf = _index(s)
    big = [e for e in fin if math.log2(s["M"][e]) >= ctx["large_log2_M_from"]]
    if inf is None or not big:
        raise SkipClaim("the sweep has no M = infinity model or no M at or above large_log2_M_from")
    d_inf = _mean_pos(s["ridgeT"][0][inf])
    diffs = np.array([_mean_pos(s["ridgeT"][0][e]) - d_inf for e in big])
    return Measurement(
        float(diffs.mean()),
        counters=_counters(s),
        info={"Delta^T_PT,Ridge(inf)": float(d_inf), "per_M_minus_inf": dict(zip([f"2^{int(math.log2(s['M'][e]))}" for e in big], np.round(diffs, 4).tolist()))},
    )


def _monotone_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "Delta^T_PT,Ridge is non-increasing in M: no increase from any M to a larger one"})


def _monotone_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    raw = _curves_raw(s)
    fin, inf = _index(s)
    d = raw["pt_ridge_T"]
    rise = float(max(d[j] - d[i] for i in range(d.size) for j in range(i + 1, d.size)))
    mid = transition_midpoint(raw["log2_M_plot"][: len(fin)], d[: len(fin)], d[-1]) if inf is not None else float("nan")
    return Measurement(
        rise,
        raw=raw,
        counters=_counters(s),
        info={"Delta^T_PT,Ridge": np.round(d, 4).tolist(), "spearman_rho": spearman(raw["log2_M_plot"], d), "transition_midpoint_log2M": mid},
    )


def _bayes_bound_theory(ctx) -> Prediction:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    n = len(ctx["log2_M"]) * 2 + int(bool(ctx["infinite"]))
    curve = T.ridge_bayes_mse_curve(D, K, s2, seed=THEORY_SEED)
    return Prediction(np.zeros(n), raw={"ridge_bayes_curve": curve.mse / D}, info={"ridge_bayes_mse_per_D": np.round(curve.mse / D, 4).tolist(), "method": list(curve.method)})


def _bayes_bound_practice(ctx) -> Measurement:
    """Paired z = (PT loss - Bayes loss)/se on the same sequences: dMMSE on T_Pretrain, ridge on T_True."""
    s = _sweep(ctx)
    fin, inf = _index(s)
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    z = [s["gapP"][0][e][0] / s["gapP"][0][e][1] for e in fin] + [s["gapT"][0][e][0] / s["gapT"][0][e][1] for e in fin + ([inf] if inf is not None else [])]
    order = fin + ([inf] if inf is not None else [])
    show = [order[0], order[len(order) // 2], order[-1]]
    return Measurement(
        np.array(z),
        counters=_counters(s),
        raw={
            "mse_T_by_M": s["mseT"][0][show],
            "mse_T_labels": np.array([f"M={s['M'][e]:g}" for e in show]),
            "ridge_bayes_curve": T.ridge_bayes_mse_curve(D, K, s2, seed=THEORY_SEED).mse / D,
        },
        info={"min_z": float(np.min(z)), "gaps_pretrain": np.round([s["gapP"][0][e][0] for e in fin], 4).tolist()},
    )


def _code_metric_theory(ctx) -> Prediction:
    n = (len(ctx["log2_M"]) + int(bool(ctx["infinite"]))) * int(ctx["n_points"])
    return Prediction(np.full(n, float(ctx["noise_var"]) / int(ctx["dim"])), info={"statement": "E(f-y)^2 - E(f-w.x)^2 = sigma^2: the noise of y_k is independent of f(S_k)"})


def _code_metric_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    fin, inf = _index(s)
    order = fin + ([inf] if inf is not None else [])
    return Measurement(s["mse_minus_trueT"][0][order].ravel(), stderr=s["mse_minus_trueT_se"][0][order].ravel(), counters=_counters(s))


def _interp_raw(s, e):
    return {"alphas": s["alphas"], "pt": s["interp_pt"][0][e], "dmmse": s["interp_dmmse"][e], "ridge": s["interp_ridge"][e]}


def _interp_small_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    fin, _ = _index(s)
    e = [i for i in fin if s["M"][i] >= 2][0]
    mid = len(s["alphas"]) // 2
    pt, dm = s["interp_pt"][0][e][mid], s["interp_dmmse"][e][mid]
    return Measurement(float(abs(pt - dm) / dm), raw=_interp_raw(s, e), counters=_counters(s), info={"M": float(s["M"][e]), "PT": float(pt), "dMMSE": float(dm), "Ridge": float(s["interp_ridge"][e][mid]), "path_norm_err": float(s["interp_norm_err"][e])})


def _interp_large_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    fin, _ = _index(s)
    e = fin[-1]
    mid = len(s["alphas"]) // 2
    pt, ri = s["interp_pt"][0][e][mid], s["interp_ridge"][e][mid]
    info = {"M": float(s["M"][e]), "PT": float(pt), "Ridge": float(ri), "dMMSE": float(s["interp_dmmse"][e][mid])}
    info["PT(M=inf) on the same path (training floor)"] = float(s["interp_pt_inf"][0][mid])
    return Measurement(float(abs(pt - ri) / ri), raw=_interp_raw(s, e), counters=_counters(s), info=info)


def _zero_theory(statement):
    def theory(ctx) -> Prediction:
        return Prediction(0.0, info={"statement": statement})

    return theory


# =============================================================================================
# gpu / paper claims (C.B 8, 9, 10, 13)
# =============================================================================================


def _crossing_theory(ctx) -> Prediction:
    lo, hi = min(ctx["log2_M"]), max(ctx["log2_M"])
    return Prediction(np.array([lo, hi], dtype=float), info={"statement": "one crossing of the two data budgets' Delta^T_PT,Ridge curves inside the sweep (phase-transition picture)"})


def _crossing_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    if len(s["batch_sizes"]) < 2:
        raise SkipClaim("the threshold needs two data budgets (batch_sizes)")
    fin, inf = _index(s)
    logM = np.log2(s["M"][fin])
    d0, d1 = _mean_pos(s["ridgeT"][0][fin]), _mean_pos(s["ridgeT"][1][fin])
    dP0, dP1 = _mean_pos(s["dmmseP"][0][fin]), _mean_pos(s["dmmseP"][1][fin])
    info = {
        "Delta^T_PT,Ridge batch small": np.round(d0, 4).tolist(),
        "Delta^T_PT,Ridge batch large": np.round(d1, 4).tolist(),
        "more data at smallest M: change of Delta^P_PT,dMMSE": float(dP1[0] - dP0[0]),
    }
    if inf is not None:
        info["more data at M=inf: change of Delta^T_PT,Ridge"] = float(_mean_pos(s["ridgeT"][1][inf]) - _mean_pos(s["ridgeT"][0][inf]))
    return Measurement(crossing_point(logM, d0, d1), counters=_counters(s), raw=_curves_raw(s), info=info)


def _dim_midpoints(ctx) -> tuple[list[int], list[float]]:
    dims = list(ctx["dims"])
    mids = []
    for D in dims:
        s = _sweep(ctx, dim=D, n_points=2 * D, noise_var=D / 32)
        fin, inf = _index(s)
        d = _mean_pos(s["ridgeT"][0][fin])
        mids.append(transition_midpoint(np.log2(s["M"][fin]), d, _mean_pos(s["ridgeT"][0][inf])))
    return dims, mids


def _dim_practice(ctx) -> Measurement:
    dims, mids = _dim_midpoints(ctx)
    inc = np.diff(mids)
    return Measurement(float(np.min(inc)) if np.all(np.isfinite(inc)) else float("nan"), info={"dims": dims, "transition_midpoint_log2M": mids})


def _t_star_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    fin, _ = _index(s)
    steps, curve = np.asarray(s["eval_steps"]), np.asarray(s["eval_curve"][0])
    if curve.shape[0] < 3:
        raise SkipClaim("no evaluation curve (eval_every = 0)")
    t_star = steps[np.argmin(curve[:, fin], axis=0)].astype(float)
    logM = np.log2(s["M"][fin])
    interior = t_star < steps[-1]
    slope = float(np.polyfit(logM[interior], np.log2(t_star[interior]), 1)[0]) if interior.sum() >= 2 else float("nan")
    return Measurement(slope, counters=_counters(s), raw={"eval_steps": steps, "eval_curve": curve[:, fin], "log2_M": logM}, info={"t_star": t_star.tolist(), "log2_M": logM.tolist()})


def _wd_practice(ctx) -> Measurement:
    s = _sweep(ctx)
    mids = []
    for wd in ctx["weight_decays"]:
        fin, inf = _index(s, wd)
        mids.append(transition_midpoint(np.log2(s["M"][fin]), _mean_pos(s["ridgeT"][0][fin]), _mean_pos(s["ridgeT"][0][inf])))
    inc = np.diff(mids)
    return Measurement(float(np.max(inc)) if np.all(np.isfinite(inc)) else float("nan"), counters=_counters(s), info={"weight_decays": list(ctx["weight_decays"]), "transition_midpoint_log2M": mids})


_MINI_GPU = dict(QUICK_SWEEP, n_layer=2, n_embd=64, n_head=2, steps=4000, batch_sizes=(128,), lr=1e-3, n_eval=2048, precision="tf32")
DIM_GPU = dict(_MINI_GPU, log2_M=tuple(range(1, 15)), dims=(2, 4, 8))
T_STAR_GPU = dict(GPU_SWEEP, n_layer=4, n_embd=64, n_head=2, steps=8000, batch_sizes=(256,), log2_M=(2, 4, 6, 8, 10), infinite=False, eval_every=250, n_eval_curve=2048, checkpoint_every=0)
WD_GPU = dict(_MINI_GPU, dim=4, n_points=8, noise_var=4 / 32, log2_M=tuple(range(1, 11)), weight_decays=(0.0, 0.1, 1.0))

# =============================================================================================
# Estimator-claim configurations
# =============================================================================================

_BASE8 = dict(dim=8, n_points=16, noise_var=0.25)


def _est(quick, gpu=None, seeds=1):
    gpu = quick if gpu is None else gpu
    return profiles(quick=quick, gpu=gpu, paper=gpu, seeds=seeds)


CLAIMS: list[Claim] = [
    # ------------------------------------------------------------------ estimators
    Claim(
        id="icl.ridge_is_posterior_mean",
        statement="C.B 1: ridge with lambda = sigma^2/tau^2 equals the Gaussian posterior mean (X^T X/sigma^2 + I/tau^2)^{-1} X^T y/sigma^2.",
        theory=EC.ridge_posterior_theory,
        practice=EC.ridge_posterior_practice,
        compare="abs",
        tolerance=1e-10,
        tolerance_reason="float64 linear solves of well-conditioned systems (lambda >= 0.02): round-off ~1e-13",
        profiles=_est(dict(n_instances=40), dict(n_instances=200)),
        tags=("estimators", "exact"),
    ),
    Claim(
        id="icl.ridge_bayes_mse",
        statement="C.B 2: ridge's Bayes MSE/D on T_True per position is [sigma^2 + sigma^2 E tr(X^T X + sigma^2 I)^{-1}]/D (D=8, sigma^2=0.25: 1.031 at k=1).",
        theory=EC.ridge_mse_theory,
        practice=EC.ridge_mse_practice,
        compare="z",
        tolerance=4.0,
        tolerance_reason="max |z| over 16 positions of two independent MC estimates (theory: closed form/quadrature/MC with its stderr; practice: 2e4 simulated sequences); P(max|z|>4) ~ 1e-3",
        profiles=_est(dict(_BASE8, n_mc_theory=20_000, n_seq=20_000), dict(_BASE8, n_mc_theory=100_000, n_seq=100_000)),
        tags=("estimators", "bayes_risk"),
    ),
    Claim(
        id="icl.dmmse_optimality",
        statement="C.B 3: dMMSE beats ridge on T_Pretrain and ridge beats dMMSE on T_True, for every M (gaps >= 0).",
        theory=EC.dmmse_optimality_theory,
        practice=EC.dmmse_optimality_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="exact Bayes optimality; paired per-sequence differences with 1000 sequences put every gap many stderr above 0 (min gap/stderr in info)",
        profiles=_est(dict(_BASE8, log2_M=(0, 2, 4, 6, 8, 10), n_seq=1000), dict(_BASE8, log2_M=(0, 2, 4, 6, 8, 10, 12), n_seq=4000), seeds=2),
        aggregate="worst",
        tags=("estimators", "bayes_risk"),
    ),
    Claim(
        id="icl.dmmse_to_ridge",
        statement="C.B 4: Delta^True_{dMMSE,Ridge} decreases monotonically in M (measured: largest increase between successive M, averaged over pool draws).",
        theory=EC.dmmse_to_ridge_theory,
        practice=EC.dmmse_to_ridge_practice,
        compare="at_most",
        tolerance=0.0,
        tolerance_reason="monotone decrease predicted; successive values differ by >= 0.08 at D=8 while the MC error per value is ~0.005 and pool-draw spread is averaged over 5 draws",
        profiles=_est(dict(_BASE8, log2_M=(4, 6, 8, 10, 12), n_seq=300), dict(_BASE8, log2_M=(4, 6, 8, 10, 12), n_seq=4000), seeds=5),
        tags=("estimators",),
    ),
    Claim(
        id="icl.degenerate_cases",
        statement="C.B 5: M=1 dMMSE predicts w1.x everywhere; at k=1 dMMSE predicts wbar.x and ridge predicts 0.",
        theory=EC.degenerate_theory,
        practice=EC.degenerate_practice,
        compare="abs",
        tolerance=1e-12,
        tolerance_reason="exact identities evaluated in float64",
        profiles=_est(dict(_BASE8, M=64)),
        tags=("estimators", "exact"),
    ),
    Claim(
        id="icl.dmmse_m1_mse",
        statement="C.B 5: with M=1, dMMSE's MSE/D is sigma^2/D on T_Pretrain and (sigma^2 + D + |w1|^2)/D on T_True, at every position.",
        theory=EC.m1_mse_theory,
        practice=EC.m1_mse_practice,
        compare="z",
        tolerance=4.0,
        tolerance_reason="max |z| over 32 MC entries (4000 sequences each); P(max|z|>4) ~ 2e-3",
        profiles=_est(dict(_BASE8, pool_seed=7, n_seq=4000)),
        tags=("estimators", "bayes_risk"),
    ),
    Claim(
        id="icl.softmax_temperature",
        statement="C.B 6: dMMSE weights are softmax(-R/2 sigma^2); the normalised Gaussian log-density (TFP's log_prob in the code) gives identical predictions.",
        theory=EC.temperature_theory,
        practice=EC.temperature_practice,
        compare="abs",
        tolerance=1e-10,
        tolerance_reason="float64; the additive constant cancels exactly, round-off in logsumexp ~1e-14 (the wrong temperature sigma^2 differs by O(1), in info)",
        profiles=_est(dict(_BASE8, M=64)),
        tags=("estimators", "exact"),
    ),
    Claim(
        id="icl.dmmse_bayes_risk",
        statement="dMMSE risk per position: the posterior-variance formula sigma^2 + E tr Cov(w|S) (T_Pretrain) and sigma^2 + E|w - w_hat|^2 (T_True) match direct simulation.",
        theory=EC.dmmse_risk_theory,
        practice=EC.dmmse_risk_practice,
        compare="z",
        tolerance=4.0,
        tolerance_reason="max |z| over 32 entries of two independent MC estimates (Rao-Blackwellised theory, direct practice); P(max|z|>4) ~ 2e-3",
        profiles=_est(dict(_BASE8, M=64, pool_seed=7, n_mc_theory=4000, n_seq=8000)),
        tags=("estimators", "bayes_risk"),
    ),
    Claim(
        id="icl.interpolation_norm",
        statement="C.B 12: the interpolation path has constant norm |w_alpha| = (|w_i| + |w_j|)/2.",
        theory=EC.path_norm_theory,
        practice=EC.path_norm_practice,
        compare="abs",
        tolerance=1e-12,
        tolerance_reason="exact identity in float64 (norms of O(1) vectors)",
        profiles=_est(dict(dim=8, n_pairs=200)),
        tags=("estimators", "exact"),
    ),
    # ------------------------------------------------------------------ trained transformers
    Claim(
        id="icl.small_M_dmmse_like",
        statement="C.B 11 (scaled): at the smallest M the pretrained transformer is dMMSE-like on seen tasks: Delta^P_{PT,dMMSE} is at most 20% of Delta^P_{Ridge,dMMSE}.",
        theory=_zero_theory("the minimiser of the pretraining loss is dMMSE, so Delta^P_PT,dMMSE -> 0"),
        practice=_small_M_dmmse_like_practice,
        compare="at_most",
        tolerance=0.2,
        tolerance_reason="qualitative claim made quantitative: the brief's D=4 mini run has Delta^P_PT,dMMSE = 0.03 at M=4, a few % of the ridge-dMMSE distance; 20% leaves room for the 3000-step budget",
        profiles=_sweep_profiles(),
        figure=FIG.delta_vs_M,
        tags=("transformer", "transition"),
    ),
    Claim(
        id="icl.small_M_far_from_ridge",
        statement="C.B 11 (scaled): at the smallest M the transformer is as far from ridge on new tasks as dMMSE is: Delta^T_{PT,Ridge} >= 0.5 Delta^T_{dMMSE,Ridge}.",
        theory=lambda ctx: Prediction(1.0, info={"statement": "PT = dMMSE gives ratio 1"}),
        practice=_small_M_far_from_ridge_practice,
        compare="at_least",
        tolerance=0.5,
        tolerance_reason="brief C.B 11: Delta^T_PT,Ridge > 0.4 at M=4 (D=4) where Delta^T_dMMSE,Ridge ~ 0.7, a ratio ~0.6; we ask for half the dMMSE-ridge distance",
        profiles=_sweep_profiles(),
        tags=("transformer", "transition"),
    ),
    Claim(
        id="icl.large_M_ridge_like",
        statement="C.B 11 (scaled): at large M (where even dMMSE is ridge-like) Delta^T_{PT,Ridge}(M) is within 0.03 of the M = infinity model's value (mean over those M).",
        theory=_large_M_theory,
        practice=_large_M_practice,
        compare="abs",
        tolerance=0.03,
        tolerance_reason="brief C.B 11: within 0.03 of the M=infinity value; the mean over M >= large_log2_M_from and over seeds",
        profiles=_sweep_profiles(),
        tags=("transformer", "transition"),
    ),
    Claim(
        id="icl.transition_monotone",
        statement="C.B 11: Delta^T_{PT,Ridge} is non-increasing in task diversity M within seed noise (largest rise from any M to a larger one, M = infinity last).",
        theory=_monotone_theory,
        practice=_monotone_practice,
        compare="at_most",
        tolerance=0.1,
        tolerance_reason="seed noise: models on the M=infinity plateau differ by std ~0.022 (calibration: 8 models, B=64, 2000 steps), so the range of ~7 plateau values stays below ~4 std = 0.09 with 95% probability; 0.1 allows that and nothing more (the drop itself is ~1.0)",
        profiles=_sweep_profiles(),
        figure=FIG.delta_vs_M,
        tags=("transformer", "transition"),
    ),
    Claim(
        id="icl.pt_above_bayes_risk",
        statement="No trained model beats the Bayes estimator of a distribution on that distribution: MSE_PT >= MSE_dMMSE on T_Pretrain and >= MSE_Ridge on T_True, for every M (paired z >= -3).",
        theory=_bayes_bound_theory,
        practice=_bayes_bound_practice,
        compare="at_least",
        tolerance=3.0,
        tolerance_reason="paired per-sequence loss differences on 2048 evaluation sequences; a shortfall beyond 3 standard errors would contradict Bayes optimality",
        profiles=_sweep_profiles(),
        aggregate="worst",
        figure=FIG.mse_per_position,
        tags=("transformer", "bayes_risk"),
    ),
    Claim(
        id="icl.code_metric_identity",
        statement="C.B 7: the code's logged 'Transformer | True' per position equals MSE/D minus sigma^2/D (MSE/D - True = sigma^2/D).",
        theory=_code_metric_theory,
        practice=_code_metric_practice,
        compare="z",
        tolerance=4.0,
        tolerance_reason="per-position MC error of the difference on 2048 sequences; max |z| over (members x positions) = 44 entries at quick; P(max|z|>4) ~ 3e-3",
        profiles=_sweep_profiles(),
        aggregate="worst",
        tags=("transformer", "metrics"),
    ),
    Claim(
        id="icl.interpolation_small_M",
        statement="C.B 12: at small M the transformer matches dMMSE at the midpoint of the path between two pretraining tasks (within 10%).",
        theory=_zero_theory("a dMMSE-like PT has the dMMSE's error along the path"),
        practice=_interp_small_practice,
        compare="at_most",
        tolerance=0.10,
        tolerance_reason="brief C.B 12: within 10% (paper Fig. 5, qualitative)",
        profiles=_sweep_profiles(),
        figure=FIG.interpolation,
        tags=("transformer", "interpolation"),
    ),
    Claim(
        id="icl.interpolation_large_M",
        statement="C.B 12: at large M the transformer matches ridge at the midpoint of the path (within 10%).",
        theory=_zero_theory("a ridge-like PT has ridge's error along the path"),
        practice=_interp_large_practice,
        compare="at_most",
        tolerance=0.10,
        tolerance_reason="brief C.B 12: within 10% (paper Fig. 5, qualitative)",
        profiles=_sweep_profiles(),
        figure=FIG.interpolation,
        tags=("transformer", "interpolation"),
    ),
    # ------------------------------------------------------------------ gpu / paper only
    Claim(
        id="icl.threshold_crossing",
        statement="C.B 8: Delta^T_{PT,Ridge} curves of two data budgets (batch 256 vs 512) cross at a task-diversity threshold (paper: between 2^14 and 2^15 for the base model at 500k steps).",
        theory=_crossing_theory,
        practice=_crossing_practice,
        compare="interval",
        tolerance=0.0,
        tolerance_reason="directional at the gpu budget: a crossing must exist inside the swept range; the paper's location needs 500k steps (paper profile)",
        profiles=profiles(gpu=GPU_SWEEP, paper=PAPER_SWEEP, seeds={"gpu": 1, "paper": 1}),
        paper_value=PaperValue((14.0, 15.0), "Sec. 4, Fig. 3 (log2 M)"),
        figure=FIG.delta_vs_M,
        tags=("transformer", "threshold"),
    ),
    Claim(
        id="icl.dimension_scaling",
        statement="C.B 9: the transition moves to larger M as D grows (D = 2, 4, 8; K = 2D; SNR fixed).",
        theory=lambda ctx: Prediction(0.0, info={"statement": "threshold grows with D (paper ~1 power of 2 per doubling; linear-attention theory of Lu et al. 2024: linear in D)"}),
        practice=_dim_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="directional: the smallest increase of the transition midpoint (log2 M) between successive D must be >= 0",
        profiles=profiles(gpu=DIM_GPU, paper=dict(DIM_GPU, steps=100_000), seeds={"gpu": 1, "paper": 1}),
        paper_value=PaperValue(1.0, "Sec. 4.3: thresholds ~2^14, 2^15, 2^16 for D = 8, 16, 32"),
        tags=("transformer", "threshold"),
    ),
    Claim(
        id="icl.early_stopping_time",
        statement="C.B 10: the step t* of minimal Delta^T_{PT,Ridge} grows with M below the threshold (paper: t* ~ M^0.47, small model).",
        theory=lambda ctx: Prediction(0.0, info={"statement": "t* increases with M (directional)"}),
        practice=_t_star_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="directional: log-log slope of t* against M must be positive; the paper's 0.47 is shown beside",
        profiles=profiles(gpu=T_STAR_GPU, paper=dict(T_STAR_GPU, steps=2_000_000, batch_sizes=(512,), eval_every=5000), seeds={"gpu": 1, "paper": 1}),
        paper_value=PaperValue(0.47, "Sec. 5, Fig. 6 (small model)"),
        figure=FIG.early_stopping,
        tags=("transformer", "dynamics"),
    ),
    Claim(
        id="icl.weight_decay_threshold",
        statement="C.B 13: stronger AdamW weight decay (masked to the transformer body's kernels) lowers the M at which the transformer becomes ridge-like.",
        theory=lambda ctx: Prediction(0.0, info={"statement": "transition midpoint non-increasing in weight decay (directional)"}),
        practice=_wd_practice,
        compare="at_most",
        tolerance=0.0,
        tolerance_reason="directional: the largest increase of the transition midpoint (log2 M) between successive weight decays must be <= 0",
        profiles=profiles(gpu=WD_GPU, paper=dict(WD_GPU, steps=100_000), seeds={"gpu": 1, "paper": 1}),
        tags=("transformer", "regularisation"),
    ),
]
