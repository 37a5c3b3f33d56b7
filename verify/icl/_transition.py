"""The task-diversity transition of the trained transformers (C.B 7, 11, 12 and the Bayes bounds).

Every practice side reads the shared sweep of its seed (`_experiments.sweep`): one batched
ensemble over \\( M = 2^1, \\dots, \\infty \\) per seed and data budget.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.icl import dmmse_predict_torch, seed_int
from theory.icl import dmmse_predict, ridge_bayes_mse_curve, ridge_predict, sample_sequences
from verify.core.claims import Measurement, Prediction, SkipClaim
from verify.core.seeding import THEORY_SEED
from verify.icl._experiments import counters, curves_raw, mean_over_positions, member_index, spearman, sweep, transition_midpoint

__all__ = [
    "small_M_dmmse_like_theory",
    "small_M_dmmse_like_practice",
    "small_M_far_from_ridge_theory",
    "small_M_far_from_ridge_practice",
    "large_M_theory",
    "large_M_practice",
    "monotone_theory",
    "monotone_practice",
    "dmmse_gap_window",
    "beats_dmmse_theory",
    "beats_dmmse_practice",
    "bayes_bound_theory",
    "bayes_bound_practice",
    "code_metric_theory",
    "code_metric_practice",
    "interp_small_theory",
    "interp_small_practice",
    "interp_large_theory",
    "interp_large_practice",
]


def small_M_dmmse_like_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "the minimiser of the pretraining loss is dMMSE, so Delta^P_PT,dMMSE -> 0"})


def small_M_dmmse_like_practice(ctx) -> Measurement:
    s = sweep(ctx)
    fin, _ = member_index(s)
    e = fin[0]
    num, den = mean_over_positions(s["dmmseP"][0][e]), mean_over_positions(s["dmmse_ridgeP"][e])
    return Measurement(
        float(num / den),
        raw=curves_raw(s),
        counters=counters(s),
        info={"M": float(s["M"][e]), "Delta^P_PT,dMMSE": float(num), "Delta^P_Ridge,dMMSE": float(den)},
    )


def small_M_far_from_ridge_theory(ctx) -> Prediction:
    return Prediction(1.0, info={"statement": "PT = dMMSE gives ratio 1"})


def small_M_far_from_ridge_practice(ctx) -> Measurement:
    s = sweep(ctx)
    fin, _ = member_index(s)
    e = fin[0]
    num, den = mean_over_positions(s["ridgeT"][0][e]), mean_over_positions(s["dmmse_ridgeT"][e])
    return Measurement(float(num / den), counters=counters(s), info={"M": float(s["M"][e]), "Delta^T_PT,Ridge": float(num), "Delta^T_dMMSE,Ridge": float(den)})


def large_M_theory(ctx) -> Prediction:
    """The Bayes predictor of the pool is itself ridge-like at large M (theory MC at the sweep's D)."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    rng = np.random.default_rng(THEORY_SEED)
    info = {}
    for j in [j for j in ctx["log2_M"] if j >= ctx["large_log2_M_from"]]:
        if 2**j * K * D > 2e6:
            continue
        pool = rng.standard_normal((2**j, D))
        X, y, _ = sample_sequences(rng, 1000, K, D, s2)
        info[f"theory Delta^T_dMMSE,Ridge at M=2^{j}"] = float(np.mean((dmmse_predict(X, y, None, pool, s2) - ridge_predict(X, y, None, s2)) ** 2) / D)
    return Prediction(0.0, info=info)


def large_M_practice(ctx) -> Measurement:
    """The fraction of the transition still to go at large M:
    \\( [\\overline{\\Delta}(M \\ge M_\\mathrm{large}) - \\Delta(\\infty)] / [\\Delta(M_\\min) - \\Delta(\\infty)] \\)
    with \\( \\Delta = \\Delta^{True}_{PT,Ridge} \\) (mean over positions) and the mean over the
    large M; 0 when the large-M models sit on the M = infinity value, 1 when they have not
    moved from the smallest M's."""
    s = sweep(ctx)
    fin, inf = member_index(s)
    big = [e for e in fin if math.log2(s["M"][e]) >= ctx["large_log2_M_from"]]
    if inf is None or not big:
        raise SkipClaim("the sweep has no M = infinity model or no M at or above large_log2_M_from")
    d_inf = mean_over_positions(s["ridgeT"][0][inf])
    d_min = mean_over_positions(s["ridgeT"][0][fin[0]])
    diffs = np.array([mean_over_positions(s["ridgeT"][0][e]) - d_inf for e in big])
    depth = float(d_min - d_inf)
    return Measurement(
        float(diffs.mean() / depth),
        counters=counters(s),
        info={
            "Delta^T_PT,Ridge(inf)": float(d_inf),
            f"transition depth Delta(M=2^{int(math.log2(s['M'][fin[0]]))}) - Delta(inf)": depth,
            "mean over large M of Delta(M) - Delta(inf)": float(diffs.mean()),
            "per_M_minus_inf": dict(zip([f"2^{int(math.log2(s['M'][e]))}" for e in big], np.round(diffs, 4).tolist())),
        },
    )


def monotone_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "Delta^T_PT,Ridge is non-increasing in M: no rise between consecutive M (M = infinity last)"})


def monotone_practice(ctx) -> Measurement:
    """Per seed, the rises \\( \\Delta(M_{i+1}) - \\Delta(M_i) \\) of
    \\( \\Delta^{True}_{PT,Ridge} \\) between consecutive \\( M \\) (M = infinity last): a vector
    whose mean over seeds is the consecutive rises of the seed-mean curve, so the error (the
    largest entry, `at_most` 0) is the largest rise of the seed-mean curve, and its interval is
    the bootstrap over seeds. (The former statistic, each seed's own largest rise over all
    pairs, is a maximum over seed noise whose mean does not shrink with seeds.)"""
    s = sweep(ctx)
    raw = curves_raw(s)
    fin, inf = member_index(s)
    d = raw["pt_ridge_T"]
    rises = np.diff(d)
    mid = transition_midpoint(raw["log2_M_plot"][: len(fin)], d[: len(fin)], d[-1]) if inf is not None else float("nan")
    return Measurement(
        rises,
        raw=raw,
        counters=counters(s),
        info={
            "Delta^T_PT,Ridge": np.round(d, 4).tolist(),
            "largest consecutive rise (this seed)": float(np.max(rises)),
            "spearman_rho": spearman(raw["log2_M_plot"], d),
            "transition_midpoint_log2M": mid,
        },
    )


def dmmse_gap_window(ctx) -> dict:
    """`_dmmse_gap_window`, computed once per config (`ctx.shared`, not per seed)."""
    keys = ("dim", "n_points", "noise_var", "log2_M", "beats_from_log2_M", "beats_min_gap", "beats_gap_draws", "beats_gap_seqs")
    key = {k: (list(ctx[k]) if isinstance(ctx[k], tuple) else ctx[k]) for k in keys}
    w = ctx.shared("beats_window", lambda: _dmmse_gap_window(ctx), per_seed=False, **key)
    return {"log2_M": [int(j) for j in w["log2_M"]], "gap": np.asarray(w["gap"]), "gap_se": np.asarray(w["gap_se"]), "inside": [bool(i) for i in w["inside"]]}


def _dmmse_gap_window(ctx) -> dict:
    """The window of `icl.pt_beats_dmmse_on_new_tasks`, the same for every seed: the \\( M \\) of
    the sweep with \\( \\log_2 M \\ge \\) `beats_from_log2_M` (past the transition) at which dMMSE's
    excess MSE/D over ridge on new tasks exceeds 2 of its standard errors and `beats_min_gap`.
    The excess is estimated by a Monte Carlo of its own (fixed seed, `beats_gap_draws` pool
    draws of `beats_gap_seqs` paired sequences; standard error over the draws), independent of
    the training seeds, so the window does not depend on the seed or on the trained models."""
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    R, n = int(ctx["beats_gap_draws"]), int(ctx["beats_gap_seqs"])
    rng = np.random.default_rng(seed_int(THEORY_SEED, "beats_window", D, K))
    logM = [j for j in ctx["log2_M"]]
    gap = np.zeros((len(logM), R))
    for r in range(R):
        master = rng.standard_normal((2 ** max(logM), D))  # nested pools, as the sweep's
        X, y, _ = sample_sequences(rng, n, K, D, s2)
        ridge_err = ((ridge_predict(X, y, None, s2) - y) ** 2).mean(-1) / D
        for i, j in enumerate(logM):
            dm = dmmse_predict_torch(X, y, master[: 2**j], s2)
            gap[i, r] = float((((dm - y) ** 2).mean(-1) / D - ridge_err).mean())
    mean = gap.mean(1)
    se = gap.std(1, ddof=1) / math.sqrt(R) if R > 1 else np.zeros_like(mean)
    inside = [bool(j >= ctx["beats_from_log2_M"] and m > 2 * e and m >= ctx["beats_min_gap"]) for j, m, e in zip(logM, mean, se)]
    return {"log2_M": [int(j) for j in logM], "gap": mean, "gap_se": se, "inside": inside}


def beats_dmmse_theory(ctx) -> Prediction:
    w = dmmse_gap_window(ctx)
    return Prediction(
        0.0,
        info={
            "statement": "above the threshold, where dMMSE is still clearly worse than ridge on new tasks, the PT beats dMMSE there: MSE_PT - MSE_dMMSE < 0 at every M of the window",
            "window log2 M": [j for j, i in zip(w["log2_M"], w["inside"]) if i],
            "MC gap MSE_dMMSE - MSE_ridge (per log2 M)": dict(zip([str(j) for j in w["log2_M"]], np.round(w["gap"], 4).tolist())),
        },
    )


def beats_dmmse_practice(ctx) -> Measurement:
    """Per seed, MSE/D of the PT minus dMMSE's on the 2048 fresh-task sequences (paired, mean over
    positions) at each \\( M \\) of the window (`dmmse_gap_window`), with its paired standard error."""
    s = sweep(ctx)
    fin, inf = member_index(s)
    w = dmmse_gap_window(ctx)
    win = [j for j, i in zip(w["log2_M"], w["inside"]) if i]
    if not win:
        raise SkipClaim(f"empty window: no M with log2 M >= {ctx['beats_from_log2_M']} where dMMSE's excess over ridge exceeds its noise and {ctx['beats_min_gap']}")
    by_log = {int(round(math.log2(s["M"][e]))): e for e in fin}
    idx = [by_log[j] for j in win]
    diff = np.array([s["pt_minus_dmmseT"][0][e][0] for e in idx])
    se = np.array([s["pt_minus_dmmseT"][0][e][1] for e in idx])
    ridge = float(mean_over_positions(s["ridge_mseT"]))
    order = fin + ([inf] if inf is not None else [])
    logM = np.log2(s["M"][fin])
    x = np.concatenate([logM, [logM[-1] + 1]]) if inf is not None else logM
    pt = mean_over_positions(s["mseT"][0][order])
    dm = np.concatenate([mean_over_positions(s["dmmse_mseT"][fin]), [np.nan] * (inf is not None)])
    info = {
        "window log2 M": win,
        "MSE_PT - MSE_dMMSE (window)": np.round(diff, 4).tolist(),
        "paired stderr": np.round(se, 4).tolist(),
        "MSE_dMMSE - MSE_ridge, this seed's pools (window)": np.round([s["dmmse_minus_ridgeT"][e][0] for e in idx], 4).tolist(),
        "MSE_ridge": ridge,
    }
    if inf is not None:
        info["training floor MSE_PT(inf) - MSE_ridge"] = float(pt[-1] - ridge)
    return Measurement(
        diff,
        stderr=se,
        counters=counters(s),
        raw={"log2_M_plot": x, "pt_mse_T": pt, "dmmse_mse_T": dm, "ridge_mse_T": np.full(x.size, ridge), "window": np.isin(x, win).astype(float)},
        info=info,
    )


def bayes_bound_theory(ctx) -> Prediction:
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    n = len(ctx["log2_M"]) * 2 + int(bool(ctx["infinite"]))
    curve = ridge_bayes_mse_curve(D, K, s2, seed=THEORY_SEED)
    return Prediction(np.zeros(n), raw={"ridge_bayes_curve": curve.mse / D}, info={"ridge_bayes_mse_per_D": np.round(curve.mse / D, 4).tolist(), "method": list(curve.method)})


def bayes_bound_practice(ctx) -> Measurement:
    """Paired z = (PT loss - Bayes loss)/se on the same sequences: dMMSE on T_Pretrain, ridge on T_True."""
    s = sweep(ctx)
    fin, inf = member_index(s)
    D, K, s2 = int(ctx["dim"]), int(ctx["n_points"]), float(ctx["noise_var"])
    z = [s["gapP"][0][e][0] / s["gapP"][0][e][1] for e in fin] + [s["gapT"][0][e][0] / s["gapT"][0][e][1] for e in fin + ([inf] if inf is not None else [])]
    order = fin + ([inf] if inf is not None else [])
    show = [order[0], order[len(order) // 2], order[-1]]
    return Measurement(
        np.array(z),
        counters=counters(s),
        raw={
            "mse_T_by_M": s["mseT"][0][show],
            "mse_T_labels": np.array([f"M={s['M'][e]:g}" for e in show]),
            "ridge_bayes_curve": ridge_bayes_mse_curve(D, K, s2, seed=THEORY_SEED).mse / D,
        },
        info={"min_z": float(np.min(z)), "gaps_pretrain": np.round([s["gapP"][0][e][0] for e in fin], 4).tolist()},
    )


def code_metric_theory(ctx) -> Prediction:
    n = (len(ctx["log2_M"]) + int(bool(ctx["infinite"]))) * int(ctx["n_points"])
    return Prediction(np.full(n, float(ctx["noise_var"]) / int(ctx["dim"])), info={"statement": "E(f-y)^2 - E(f-w.x)^2 = sigma^2: the noise of y_k is independent of f(S_k)"})


def code_metric_practice(ctx) -> Measurement:
    s = sweep(ctx)
    fin, inf = member_index(s)
    order = fin + ([inf] if inf is not None else [])
    return Measurement(s["mse_minus_trueT"][0][order].ravel(), stderr=s["mse_minus_trueT_se"][0][order].ravel(), counters=counters(s))


def _ratio_minus_one(num: np.ndarray, den: np.ndarray) -> tuple[float, float | None]:
    """\\( r - 1 \\) with \\( r = \\bar a / \\bar b \\) over paired per-pair values, and its
    delta-method standard error \\( \\mathrm{sd}(a - r b) / (\\sqrt{n}\\,\\bar b) \\) (None below 2 pairs).

    The pairs of pool tasks are the independent units: the sequences of one pair share its task,
    and the model and the baseline are evaluated on the same sequences (paired)."""
    a, b = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    r = float(a.mean() / b.mean())
    if a.size < 2:
        return r - 1.0, None
    return r - 1.0, float(np.std(a - r * b, ddof=1) / (math.sqrt(a.size) * b.mean()))


def _pair_se(a: np.ndarray) -> np.ndarray:
    """Standard error over the last axis (pairs); NaN below 2 pairs."""
    a = np.asarray(a, dtype=float)
    if a.shape[-1] < 2:
        return np.full(a.shape[:-1], np.nan)
    return a.std(axis=-1, ddof=1) / math.sqrt(a.shape[-1])


def _interp_raw(s, e):
    pt, dm, ri = s["interp_pt_pairs"][0][e], s["interp_dmmse_pairs"][e], s["interp_ridge_pairs"][e]
    return {
        "alphas": s["alphas"],
        "pt": pt.mean(-1),
        "dmmse": dm.mean(-1),
        "ridge": ri.mean(-1),
        "pt_se": _pair_se(pt),
        "dmmse_se": _pair_se(dm),
        "ridge_se": _pair_se(ri),
    }


def _midpoint(s, e, baseline: str) -> tuple[float, float | None, dict]:
    """PT against a baseline at alpha = 1/2 of member e's paths: (MSE_PT / MSE_baseline - 1, its stderr, info)."""
    mid = len(s["alphas"]) // 2
    if not np.isclose(s["alphas"][mid], 0.5):
        raise ValueError(f"interp_alphas must be odd so that the path has its midpoint alpha = 1/2, got alphas {s['alphas']}")
    pt, dm, ri = s["interp_pt_pairs"][0][e][mid], s["interp_dmmse_pairs"][e][mid], s["interp_ridge_pairs"][e][mid]
    value, se = _ratio_minus_one(pt, dm if baseline == "dmmse" else ri)
    sep, sep_se = _ratio_minus_one(dm, ri)
    info = {
        "M": float(s["M"][e]),
        "pairs": int(pt.size),
        "PT": float(pt.mean()),
        "dMMSE": float(dm.mean()),
        "Ridge": float(ri.mean()),
        f"PT/{'dMMSE' if baseline == 'dmmse' else 'Ridge'} - 1": [value, se],
        "dMMSE/Ridge - 1 (how far apart the two hypotheses are here)": [sep, sep_se],
        "path_norm_err": float(s["interp_norm_err"][e]),
    }
    return value, se, info


def interp_small_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "a dMMSE-like PT has the dMMSE's error along the path: MSE_PT/MSE_dMMSE - 1 = 0 at alpha = 1/2"})


def interp_small_practice(ctx) -> Measurement:
    """At M = 2^interp_small_log2_M (the brief's 2^5): MSE_PT/MSE_dMMSE - 1 at the midpoint, with
    its standard error over the pairs of pool tasks."""
    s = sweep(ctx)
    fin, _ = member_index(s)
    j = int(ctx["interp_small_log2_M"])
    hit = [i for i in fin if s["M"][i] == 2**j]
    if not hit:
        raise ValueError(f"interp_small_log2_M = {j} is not in the sweep's log2_M {list(ctx['log2_M'])}")
    e = hit[0]
    value, se, info = _midpoint(s, e, "dmmse")
    return Measurement(value, stderr=se, raw=_interp_raw(s, e), counters=counters(s), info=info)


def interp_large_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"statement": "a ridge-like PT has ridge's error along the path: MSE_PT/MSE_Ridge - 1 = 0 at alpha = 1/2"})


def interp_large_practice(ctx) -> Measurement:
    """At the largest finite M: MSE_PT/MSE_Ridge - 1 at the midpoint, with its standard error
    over the pairs; the M = infinity model on the same paths shows the training floor."""
    s = sweep(ctx)
    fin, _ = member_index(s)
    e = fin[-1]
    value, se, info = _midpoint(s, e, "ridge")
    mid = len(s["alphas"]) // 2
    floor = s["interp_pt_inf_pairs"][0][mid]
    if np.all(np.isfinite(floor)):
        info["PT(M=inf)/Ridge - 1 on the same paths (training floor)"] = list(_ratio_minus_one(floor, s["interp_ridge_pairs"][e][mid]))
    return Measurement(value, stderr=se, raw=_interp_raw(s, e), counters=counters(s), info=info)
