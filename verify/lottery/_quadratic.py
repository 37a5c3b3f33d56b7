"""Claim 6: the quadratic model. The Gordon-width formula p = p*(r(p)) against exact
(Schur-complement) pruning thresholds, and magnitude against random pruning."""

from __future__ import annotations

import numpy as np

from numerics.lottery import experiments
from theory.lottery import pstar_isotropic, r2_magnitude_gaussian, r2_random, self_consistent_pstar
from verify.core.claims import Measurement, Prediction
from verify.lottery._experiments import quadratic_thresholds

__all__ = ["formula_theory", "exact_practice", "magnitude_theory", "magnitude_practice"]


def formula_theory(ctx):
    c = ctx.config
    out, info = [], {}
    for f in c["sharp_fractions"]:
        lam = experiments.quadratic_spectrum(c["dim"], f, c["lam_sharp"], c["lam_flat"])
        pr = self_consistent_pstar(lam, c["eps"], lambda p: r2_random(p, 1.0))
        pm = self_consistent_pstar(lam, c["eps"], lambda p: r2_magnitude_gaussian(p, 1.0))
        out += [pr, pm]
    # monotonicity of the formula, checked numerically on top of the sympy derivative signs
    lam_grid = np.geomspace(1e-3, 1e2, 30)
    mono_l = bool(np.all(np.diff([pstar_isotropic(l_, 0.3, 1e-2) for l_ in lam_grid]) < 0))
    mono_r = bool(np.all(np.diff([pstar_isotropic(1.0, r_, 1e-2) for r_ in np.linspace(0.01, 2, 30)]) < 0))
    info.update(order="[f0 random, f0 magnitude, f1 random, f1 magnitude, ...]", monotone_in_lambda=mono_l, monotone_in_r=mono_r)
    lam0 = experiments.quadratic_spectrum(c["dim"], 0.0, c["lam_sharp"], c["lam_flat"])
    info["all_flat_formula_random"] = self_consistent_pstar(lam0, c["eps"], lambda p: r2_random(p, 1.0))
    return Prediction(value=np.asarray(out), info=info)


def exact_practice(ctx):
    res = quadratic_thresholds(ctx)
    vals = []
    for f in ctx.config["sharp_fractions"]:
        vals += [float(np.median(res[f]["random"])), float(np.median(res[f]["magnitude"]))]
    return Measurement(value=np.asarray(vals), raw={f"f{f}_{k}": v for f, d in res.items() for k, v in d.items()})


def magnitude_theory(ctx):
    return Prediction(value=np.zeros(len(ctx.config["sharp_fractions"])), info={"why": "magnitude pruning has a shorter projection"})


def magnitude_practice(ctx):
    res = quadratic_thresholds(ctx)
    diff = [float(np.median(res[f]["magnitude"]) - np.median(res[f]["random"])) for f in ctx.config["sharp_fractions"]]
    return Measurement(value=np.asarray(diff))
