"""Theory and practice of the analytic claims (brief B.7.1-2): the estimator on sets whose
hit probability is known exactly, and Gordon's d_eff ~ w^2 on spherical caps.

Theory: the exact P(d) of the set on a fine grid and its 50% crossing (`theory.class_manifolds`).
Practice: the cutting-plane sweep and sigmoid estimator (`_experiments.analytic_case`), shared
by every claim that reads the same case and config.
"""

from __future__ import annotations

import math

import numpy as np

from theory.class_manifolds import cap_width, cap_width_mc
from verify.class_manifolds._experiments import analytic_case, theory_curve, theory_d_star
from verify.core.claims import Measurement, Prediction

# the named curves of each case (a case may hold several sets)
_NAMES = {
    "affine_subspace": lambda cfg: ["subspace"],
    "tube": lambda cfg: ["tube"],
    "ball": lambda cfg: [f"ball_{q}" for q in cfg["ratios"]],
    "sphere_viewpoint": lambda cfg: ["inside", "outside"],
    "intersection_union": lambda cfg: ["intersection", "union"],
    "halfspace_budget": lambda cfg: ["clamp"],
    "gordon": lambda cfg: [f"cap_{q}" for q in cfg["ratios"]],
    "axis_aligned": lambda cfg: ["axis_aligned", "orthonormal"],
}


def _theory(case: str, ctx, value: str = "d_star") -> Prediction:
    cfg = ctx.config
    names = list(_NAMES[case](cfg))
    D = int(cfg["D"])
    grid = np.unique(np.concatenate([np.arange(1, min(D, 64) + 1), np.geomspace(1, D, 400)]))
    raw = {"grid": grid}
    for n in names:
        raw[f"curve_{n}"] = theory_curve(case, cfg, n, grid)
    d_star = np.array([theory_d_star(case, cfg, n) for n in names])
    info = {"d_star": dict(zip(names, d_star.tolist()))}
    if case in ("ball", "gordon", "axis_aligned"):
        ratios = [float(n.split("_")[1]) for n in names] if case != "axis_aligned" else [float(cfg["ratio"])]
        info["gordon_d_star"] = [float(D * (1 - q**2)) for q in ratios]
    if case == "halfspace_budget":
        info["mean_rule_d_star"] = D * (float(cfg["gap"]) / float(cfg["budget"])) ** 2
    if value == "d_eff":
        # Gordon: D - d* ~ w(cap)^2, Monte-Carlo width with the exact support function
        rng = ctx.rng("theory_mc")
        w2, se = [], []
        for n in names:
            theta = math.asin(float(n.split("_")[1]))
            w, s = cap_width_mc(theta, D, int(cfg.get("width_mc_samples", 400_000)), rng)
            w2.append(w * w)
            se.append(2 * w * s)
        info["exact_D_minus_d_star"] = (D - d_star).tolist()
        info["quadrature_width_squared"] = [cap_width(math.asin(float(n.split("_")[1])), D) ** 2 for n in names]
        info["w_squared"] = w2
        # compared on a log scale: |log(D - d*) - log w^2| <= log 1.1 is "within 10%" for every cap
        return Prediction(value=np.log(w2), stderr=np.array(se) / np.array(w2), raw=raw, info=info,
                          subgroups={n: float(v) for n, v in zip(names, np.log(w2))})
    return Prediction(value=d_star, raw=raw, info=info, subgroups={n: float(v) for n, v in zip(names, d_star)})


def _practice(case: str, ctx, value: str = "d_star") -> Measurement:
    cfg = dict(ctx.config)
    names = list(_NAMES[case](cfg))
    res = ctx.shared(f"analytic_{case}", lambda: analytic_case(case, cfg, ctx.seed, ctx.device), case=case, cfg=cfg)
    D = int(cfg["D"])
    d_star = np.array([res[n]["d_star"] for n in names], dtype=float)
    raw = {"dims": res[names[0]]["dims"]}
    for n in names:
        raw[f"rate_{n}"] = res[n]["rate"]
        raw[f"popt_{n}"] = np.asarray(res[n]["popt"])
    info = {n: {k: res[n][k] for k in ("d_star", "ci", "notebook_error", "censored", "steps")} for n in names}
    for extra in set(res) - set(names):
        if isinstance(res[extra], dict) and "d_star" in res[extra]:
            info[f"extra_{extra}"] = {k: res[extra][k] for k in ("d_star", "ci", "censored", "steps")}
        else:
            info[extra] = res[extra]
    se = np.array([res[n]["stderr"] for n in names], dtype=float)
    counters = {"hit_max_steps": int(sum(res[n]["max_steps_hit"] for n in names)),
                "censored": int(sum(res[n]["censored"] is not None for n in names))}
    if value == "d_eff":
        v = D - d_star
        info["D_minus_d_star"] = v.tolist()
        lv = np.log(np.maximum(v, 1e-12))
        return Measurement(value=lv, stderr=np.where(np.isfinite(se), se / np.maximum(v, 1e-12), np.nan), raw=raw, info=info,
                           counters=counters, subgroups={n: float(x) for n, x in zip(names, lv)})
    return Measurement(value=d_star, raw=raw, info=info, counters=counters, subgroups={n: float(x) for n, x in zip(names, d_star)})


# --------------------------------------------------------------------------- one pair per claim


def affine_subspace_theory(ctx) -> Prediction:
    """d* = D - k - 1/2 (the 50% point of the step 1[d + k >= D])."""
    return _theory("affine_subspace", ctx)


def affine_subspace_practice(ctx) -> Measurement:
    """Exact geometric sweep (no optimiser can land on a zero-thickness set) and the estimator."""
    return _practice("affine_subspace", ctx)


def tube_theory(ctx) -> Prediction:
    """The 50% crossing of I_{rho^2/R_perp^2}((D-k-d)/2, d/2)."""
    return _theory("tube", ctx)


def tube_practice(ctx) -> Measurement:
    """The cut optimiser on `TubeClassifier` and the estimator."""
    return _practice("tube", ctx)


def ball_theory(ctx) -> Prediction:
    """The 50% crossing of 1 - I_{1-r^2/R^2}(d/2, (D-d)/2), per radius ratio."""
    return _theory("ball", ctx)


def ball_practice(ctx) -> Measurement:
    """The cut optimiser on `BallClassifier` and the estimator, per radius ratio."""
    return _practice("ball", ctx)


def sphere_viewpoint_theory(ctx) -> Prediction:
    """d* = 1 from inside; the ball's d* (radius r + width) from outside."""
    return _theory("sphere_viewpoint", ctx)


def sphere_viewpoint_practice(ctx) -> Measurement:
    """The cut optimiser on a thin `ShellClassifier`, anchored inside and outside."""
    return _practice("sphere_viewpoint", ctx)


def intersection_union_theory(ctx) -> Prediction:
    """d* = 2D - k1 - k2 - 1/2 (intersection) and D - max(k1, k2) - 1/2 (union)."""
    return _theory("intersection_union", ctx)


def intersection_union_practice(ctx) -> Measurement:
    """Exact geometric sweeps of a generic intersection and a union of affine subspaces."""
    return _practice("intersection_union", ctx)


def halfspace_budget_theory(ctx) -> Prediction:
    """The 50% crossing of 1 - I_{g^2/B^2}(d/2, (D-d)/2)."""
    return _theory("halfspace_budget", ctx)


def halfspace_budget_practice(ctx) -> Measurement:
    """The cut optimiser inside the budget ball (clamped; the biased projected Adam in info)."""
    return _practice("halfspace_budget", ctx)


def gordon_theory(ctx) -> Prediction:
    """log w(cap)^2 per cap, the width by Monte Carlo with the exact support function."""
    return _theory("gordon", ctx, value="d_eff")


def gordon_practice(ctx) -> Measurement:
    """log(D - d*) per cap from the cut optimiser on balls seen from the anchor."""
    return _practice("gordon", ctx, value="d_eff")


def axis_aligned_theory(ctx) -> Prediction:
    """Hypergeometric (axis-aligned cuts) and Beta (orthonormal cuts) 50% crossings."""
    return _theory("axis_aligned", ctx)


def axis_aligned_practice(ctx) -> Measurement:
    """The cut optimiser with axis-aligned and orthonormal bases on a 2-sparse ball."""
    return _practice("axis_aligned", ctx)
