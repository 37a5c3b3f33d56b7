"""Claim 8: retraining creates new small weights: with retraining the projections are
shorter and cost less train loss than pruning the same solution again without retraining."""

from __future__ import annotations

import numpy as np

from numerics.lottery import experiments
from theory.lottery import rho_oneshot_gaussian, rho_retrained_gaussian
from verify.core.claims import Measurement, Prediction
from verify.lottery._experiments import imp_run

__all__ = ["retrain_theory", "retrain_practice"]


def retrain_theory(ctx):
    L = int(ctx.config["last_level"])
    os_ = np.asarray([rho_oneshot_gaussian(l_) for l_ in range(1, L + 1)])
    gauss_gap = float(np.mean(np.log(os_) - np.log(rho_retrained_gaussian())))
    return Prediction(value=np.zeros(2), info={"why": "without retraining the projections get longer and costlier", "gaussian_model_log_rho_gap": gauss_gap})


def retrain_practice(ctx):
    cfg = ctx.config
    imp = imp_run(ctx)
    r = experiments.oneshot_vs_retrain(imp, cfg, ctx.device, ctx.data_dir)
    L = min(int(cfg["last_level"]), len(imp.levels) - 1)
    sl = slice(1, L + 1)
    g_rho = float(np.mean(np.log(r["rho_oneshot"][sl]) - np.log(r["rho_retrain"][sl])))
    g_loss = float(np.mean(np.log(r["loss_oneshot"][sl]) - np.log(r["loss_retrain"][sl])))
    return Measurement(
        value=np.asarray([g_rho, g_loss]),
        raw={k: v for k, v in r.items()},
        info={
            "rho_retrain": np.round(r["rho_retrain"][: L + 1], 3).tolist(),
            "rho_oneshot": np.round(r["rho_oneshot"][: L + 1], 3).tolist(),
            "post_projection_loss_retrain": np.round(r["loss_retrain"][: L + 1], 3).tolist(),
            "post_projection_loss_oneshot": np.round(r["loss_oneshot"][: L + 1], 3).tolist(),
            "mass_below_half_threshold_retrain": np.round(r["small_mass_retrain"][: L + 1], 3).tolist(),
            "mass_below_half_threshold_oneshot": np.round(r["small_mass_oneshot"][: L + 1], 3).tolist(),
        },
    )
