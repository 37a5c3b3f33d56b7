"""Trainability predicted at initialisation: the final test loss of small transformers trained
over the (alpha, sigma_w) grid against the mean-field exponents (lambda_a, lambda_g) there.
The three claims read one shared sweep (`_experiments.trainability_sweep`)."""

from __future__ import annotations

import numpy as np

from verify.core.claims import Measurement, Prediction
from verify.transformer_geometry._experiments import exponents_grid, loss_stats, trainability_sweep


def _baseline(res) -> dict:
    """The unigram test loss and how far the best cell got below it (nats): a stand-in that has
    not got below it has learned character frequencies only, not the use of context."""
    u = res["unigram_test_loss"]
    return dict(unigram_test_loss=u, best_below_unigram=float(u - np.nanmin(res["test_loss"])))


def threshold_theory(ctx):
    return Prediction(value=ctx.config["threshold"],
                      info=dict(note="threshold of the brief (C.A items 24-25), not a number of the paper"))  # fmt: skip


def spearman_practice(ctx):
    res = trainability_sweep(ctx)
    st = loss_stats(ctx.config, res["test_loss"])
    return Measurement(value=st["spearman"], raw=dict(test_loss=res["test_loss"], lambda_a=st["lambda_a"],
                       lambda_g=st["lambda_g"], init_test_loss=res["init_test_loss"]),
                       info=dict(r2=st["r2"], r2_adjusted=st["r2_adj"], r2_loo=st["r2_loo"], **_baseline(res)),
                       counters=dict(train_steps=res["steps"], diverged=st["diverged"]))  # fmt: skip


def r2_practice(ctx):
    res = trainability_sweep(ctx)
    st = loss_stats(ctx.config, res["test_loss"])
    return Measurement(value=st["r2_adj"], info=dict(r2_in_sample=st["r2"], r2_leave_one_out=st["r2_loo"],
                       spearman=st["spearman"], **_baseline(res)),
                       counters=dict(train_steps=res["steps"], diverged=st["diverged"]))  # fmt: skip


#: The rank criterion of `trainability_minimum`: the best-trained cell must be among the
#: `floor(TOP_FRAC * N)` of the N grid cells with the smallest |lambda_a| + |lambda_g|, so a
#: best cell placed at random passes with probability floor(TOP_FRAC * N) / N <= TOP_FRAC.
TOP_FRAC = 0.2


def score_grid(cfg) -> np.ndarray:
    """|lambda_a| + |lambda_g| (MF, at initialisation) over the grid, shape (n_alpha, n_sigma_w)."""
    la, lg = exponents_grid(cfg)
    return (np.abs(la) + np.abs(lg)).reshape(len(cfg["alphas"]), len(cfg["sigma_ws"]))


def score_percentiles(score: np.ndarray) -> np.ndarray:
    """Per cell, (1 + number of cells with a strictly smaller score) / N: the top fraction of
    the MF ranking the cell belongs to (1/N for the MF best cell)."""
    flat = np.asarray(score, dtype=float).ravel()
    return ((flat[None, :] < flat[:, None]).sum(1) + 1.0).reshape(score.shape) / flat.size


def acceptance(cfg) -> dict:
    """The cells the rank criterion accepts and its chance rate, beside the old rule's (one
    grid step, in alpha or sigma_w, from the MF best cell)."""
    score = score_grid(cfg)
    pct = score_percentiles(score)
    i0, j0 = np.unravel_index(np.argmin(score), score.shape)
    ii, jj = np.indices(score.shape)
    steps = np.maximum(np.abs(ii - i0), np.abs(jj - j0))
    return dict(score=score, percentile=pct, mf_best=(int(i0), int(j0)), grid_steps=steps,
                chance=float(np.mean(pct <= TOP_FRAC)), chance_grid_step_rule=float(np.mean(steps <= 1)))  # fmt: skip


def best_cell_theory(ctx):
    cfg = ctx.config
    acc = acceptance(cfg)
    (i, j), ok = acc["mf_best"], acc["percentile"] <= TOP_FRAC
    cells = [(cfg["alphas"][a], cfg["sigma_ws"][b]) for a, b in zip(*np.nonzero(ok))]
    return Prediction(value=TOP_FRAC,
                      info=dict(mf_best_alpha=cfg["alphas"][i], mf_best_sigma_w=cfg["sigma_ws"][j],
                                accepted_cells=[list(c) for c in cells], n_cells=int(acc["score"].size),
                                chance_acceptance=acc["chance"],
                                chance_acceptance_grid_step_rule=acc["chance_grid_step_rule"],
                                rule=f"the best-trained cell lies in the top {TOP_FRAC:g} of the grid ranked by "
                                     "|lambda_a| + |lambda_g| (MF, at initialisation)"))  # fmt: skip


def best_cell_practice(ctx):
    cfg = ctx.config
    res = trainability_sweep(ctx)
    shape = (len(cfg["alphas"]), len(cfg["sigma_ws"]))
    loss = np.asarray(res["test_loss"], dtype=float).reshape(shape)
    acc = acceptance(cfg)
    if not np.isfinite(loss).any():  # every cell diverged: no best cell, the worst rank
        return Measurement(value=1.0, raw=dict(test_loss=loss), info=dict(note="every grid cell diverged"),
                           counters=dict(diverged=True))  # fmt: skip
    i, j = np.unravel_index(np.nanargmin(loss), shape)
    i0, j0 = acc["mf_best"]
    ranked = np.where(np.isfinite(loss), loss, np.inf)
    info = dict(alpha=cfg["alphas"][i], sigma_w=cfg["sigma_ws"][j], best_loss=float(loss[i, j]),
                chance_acceptance=acc["chance"], chance_acceptance_grid_step_rule=acc["chance_grid_step_rule"],
                grid_steps_from_mf_best=int(acc["grid_steps"][i, j]),
                mf_best_loss_minus_best=float(loss[i0, j0] - loss[i, j]),
                mf_best_loss_rank=int((ranked < ranked[i0, j0]).sum() + 1), **_baseline(res))  # fmt: skip
    # failure corners (brief C.A 26): largest alpha with the smallest / largest sigma_w
    info["ordered_corner_minus_best"] = float(loss[-1, 0] - loss[i, j])
    info["chaotic_corner_minus_best"] = float(loss[-1, -1] - loss[i, j])
    return Measurement(value=float(acc["percentile"][i, j]), raw=dict(test_loss=loss), info=info,
                       counters=dict(train_steps=res["steps"], diverged=int(np.isnan(loss).sum())))  # fmt: skip
