"""Neural collapse as the asymmetric max-margin bias of feature-normalised networks.

- `nc_layer_peeled` (consistency): the ETF closed form of the layer-peeled (P_Lambda) against an
  SLSQP solve of the same problem;
- `nc_gradient_flow` (prediction): diffrax gradient flow of the normalised unconstrained-features model;
- `nc_digits_trend` (prediction): a feature-normalised MLP trained past interpolation on digits.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from numerics.max_margin import collapse_metrics
from theory.max_margin import etf_cosine, layer_peeled_value, predicted_collapse, solve_layer_peeled
from verify.core.claims import Measurement, Prediction
from verify.max_margin._experiments import digits, nc_flow

__all__ = [
    "NC_KEYS", "DIGITS_KEYS",
    "layer_peeled_theory", "layer_peeled_practice",
    "nc_flow_theory", "nc_flow_practice",
    "digits_trend_theory", "digits_trend_practice",
]

NC_KEYS = ("nc1", "nc2", "mean_cos", "nc3", "w_norm_sq", "bias_ratio")
DIGITS_KEYS = ("nc1", "nc2", "nc3")


def layer_peeled_theory(ctx):
    K = ctx.config["K"]
    return Prediction(value=np.array([float(layer_peeled_value(K)), float(etf_cosine(K)), 0.0, 1.0]))


def layer_peeled_practice(ctx):
    K, d = ctx.config["K"], ctx.config["d"]
    s = solve_layer_peeled(K, d, ctx.config["n_per_class"], bias=True, restarts=ctx.config["restarts"],
                           seed=ctx.stream_seed("restarts"))
    met = collapse_metrics(s.H, s.labels, s.W, s.b)
    means = np.stack([s.H[s.labels == k].mean(0) for k in range(K)])
    spread = float(np.max(np.linalg.norm(s.H - means[s.labels], axis=1)))
    cos_raw = means @ means.T / np.outer(np.linalg.norm(means, axis=1), np.linalg.norm(means, axis=1))
    cw = np.sum(s.W * means, 1) / (np.linalg.norm(s.W, axis=1) * np.linalg.norm(means, axis=1))
    return Measurement(value=np.array([s.value, float(cos_raw[~np.eye(K, dtype=bool)].mean()), spread, float(cw.min())]),
                       info={"converged_restarts": s.converged_restarts, "bias_norm": float(np.linalg.norm(s.b)),
                             **{k: float(v) for k, v in met.items()}})


def nc_flow_theory(ctx):
    p = predicted_collapse(ctx.config["K"])
    return Prediction(value=np.array([p[k] if k != "bias_ratio" else p["bias"] for k in NC_KEYS]))


def nc_flow_practice(ctx):
    run = nc_flow(ctx)
    vals = np.array([[m[k] for k in NC_KEYS] for m in run["metrics"]])
    return Measurement(value=vals.mean(0), info={"per_init": vals.tolist(), "keys": list(NC_KEYS)},
                       counters={"solver_steps": int(np.sum(run["steps"])), "hit_max_steps": bool(not np.all(run["hit_event"]))})


def digits_trend_theory(ctx):
    # the normalised trajectory converges to the NC KKT point: each metric decreases (sign threshold 0)
    return Prediction(value=np.zeros(len(DIGITS_KEYS)), info={"predicted_limits": predicted_collapse(10)})


def digits_trend_practice(ctx):
    run = digits(ctx)
    rows = [r for r in run["rows"] if r["acc"] == 1.0]
    if len(rows) < 4:
        return Measurement(value=np.full(len(DIGITS_KEYS), np.nan), counters={"diverged": True})
    steps = np.array([r["step"] for r in rows])
    rho = np.array([spearmanr(steps, [r[k] for r in rows]).statistic for k in DIGITS_KEYS])
    first, last = rows[0], rows[-1]
    return Measurement(
        value=rho,
        raw={"step": np.array([r["step"] for r in run["rows"]]), "loss": np.array([r["loss"] for r in run["rows"]]),
             **{k: np.array([r[k] for r in run["rows"]]) for k in (*DIGITS_KEYS, "std_cos", "cos_wm")}},
        info={"first": {k: first[k] for k in (*DIGITS_KEYS, "mean_cos", "std_cos", "cos_wm", "loss")},
              "last": {k: last[k] for k in (*DIGITS_KEYS, "mean_cos", "std_cos", "cos_wm", "loss")},
              "adam_steps": run["adam_steps"], "gd_rejections": run["rejections"], "n_train": run["n_train"]},
        counters={"train_steps": int(run["adam_steps"] + ctx.config["phase2_steps"]),
                  "diverged": bool(not run["interpolated"])},
    )
