"""Trainability predicted at initialisation: the final test loss of small transformers trained
over the (alpha, sigma_w) grid against the mean-field exponents (lambda_a, lambda_g) there.
The three claims read one shared sweep (`_experiments.trainability_sweep`)."""

from __future__ import annotations

import numpy as np

from verify.core.claims import Measurement, Prediction
from verify.transformer_geometry._experiments import exponents_grid, loss_stats, trainability_sweep


def threshold_theory(ctx):
    return Prediction(value=ctx.config["threshold"],
                      info=dict(note="threshold of the brief (C.A items 24-25), not a number of the paper"))  # fmt: skip


def spearman_practice(ctx):
    res = trainability_sweep(ctx)
    st = loss_stats(ctx.config, res["test_loss"])
    return Measurement(value=st["spearman"], raw=dict(test_loss=res["test_loss"], lambda_a=st["lambda_a"],
                       lambda_g=st["lambda_g"], init_test_loss=res["init_test_loss"]),
                       info=dict(r2=st["r2"], r2_adjusted=st["r2_adj"], r2_loo=st["r2_loo"]),
                       counters=dict(train_steps=res["steps"], diverged=st["diverged"]))  # fmt: skip


def r2_practice(ctx):
    res = trainability_sweep(ctx)
    st = loss_stats(ctx.config, res["test_loss"])
    return Measurement(value=st["r2_adj"], info=dict(r2_in_sample=st["r2"], r2_leave_one_out=st["r2_loo"],
                       spearman=st["spearman"]),
                       counters=dict(train_steps=res["steps"], diverged=st["diverged"]))  # fmt: skip


def best_cell_theory(ctx):
    cfg = ctx.config
    la, lg = exponents_grid(cfg)
    score = (np.abs(la) + np.abs(lg)).reshape(len(cfg["alphas"]), len(cfg["sigma_ws"]))
    i, j = np.unravel_index(np.argmin(score), score.shape)
    return Prediction(value=np.array([i, j], dtype=float),
                      info=dict(alpha=cfg["alphas"][i], sigma_w=cfg["sigma_ws"][j],
                                rule="grid cell minimising |lambda_a| + |lambda_g| (MF, at initialisation)"))  # fmt: skip


def best_cell_practice(ctx):
    cfg = ctx.config
    res = trainability_sweep(ctx)
    loss = res["test_loss"].reshape(len(cfg["alphas"]), len(cfg["sigma_ws"]))
    i, j = np.unravel_index(np.nanargmin(loss), loss.shape)
    info = dict(alpha=cfg["alphas"][i], sigma_w=cfg["sigma_ws"][j], best_loss=float(loss[i, j]))
    # failure corners (brief C.A 26): largest alpha with the smallest / largest sigma_w
    info["ordered_corner_minus_best"] = float(loss[-1, 0] - loss[i, j])
    info["chaotic_corner_minus_best"] = float(loss[-1, -1] - loss[i, j])
    return Measurement(value=np.array([i, j], dtype=float), raw=dict(test_loss=loss), info=info)
