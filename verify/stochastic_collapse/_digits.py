"""Claims 14-17: neuron collapse in GELU MLPs trained with SGD on scikit-learn digits (the
paper's Fig. 3, 4 and 6 run on CIFAR; here a small stand-in, reported as measured).

The theory sides are the paper's sign statements; all four claims read one shared sweep
(`_experiments.digits_sweep`). Every drop-time run trains the same total number of steps (the
earlier the drop, the longer the small-rate phase). Each measured difference carries the
standard error of its replicates (paired by replicate; for the accuracy also the paired
per-image test-set noise), so the interval rule decides the sign.
"""

from __future__ import annotations

import math

import numpy as np

from verify.core.claims import Measurement, Prediction
from verify.stochastic_collapse._experiments import collapsed, digits_select, digits_sweep

__all__ = [
    "at_least_one_more",
    "later_drop_not_worse",
    "collapse_vs_lr_practice",
    "collapse_vs_time_practice",
    "phase_collapse_practice",
    "phase_accuracy_practice",
]


def _replicate_se(d):
    """Standard error of the mean of the replicates' differences `d`, scaled by
    t_(R-1)(0.975) / z(0.975): the harness puts a normal 95% interval around a single seed's
    own standard error, which for a handful of replicates must be Student's t (0 for one)."""
    from scipy import stats

    d = np.asarray(d, dtype=float)
    if d.size < 2:
        return 0.0
    return float(d.std(ddof=1) / math.sqrt(d.size) * stats.t.ppf(0.975, d.size - 1) / stats.norm.ppf(0.975))


def at_least_one_more(ctx):
    return Prediction(value=1.0, info={"note": "sign prediction: at least one more collapsed neuron (counts are integers)"})


def later_drop_not_worse(ctx):
    return Prediction(value=0.0, info={"note": "sign prediction of the paper (Fig. 6): a later drop gives higher final test accuracy"})


def collapse_vs_lr_practice(ctx):
    out = digits_sweep(ctx)
    lrs = ctx["lrs"]
    per_lr = [float(np.mean(collapsed(out, digits_select(out, "lr", lr)))) for lr in lrs]
    frac = [np.round(out["independent"][-1, digits_select(out, "lr", lr)].mean(0), 3).tolist() for lr in lrs]
    d = collapsed(out, digits_select(out, "lr", lrs[-1])) - collapsed(out, digits_select(out, "lr", lrs[0]))  # paired by replicate
    return Measurement(value=per_lr[-1] - per_lr[0], stderr=_replicate_se(d) or None,
                       info={"lrs": list(lrs), "collapsed_neurons": per_lr, "independent_fraction_per_layer": frac, "per_replicate_difference": np.asarray(d).tolist(),
                                                           "test_acc": [float(out["test_acc"][-1, digits_select(out, "lr", lr)].mean()) for lr in lrs]},
                       raw={"log_steps": out["log_steps"], "collapsed": np.stack([(out["vanishing"] + out["duplicates"])[:, digits_select(out, "lr", lr)].sum(-1).mean(1) for lr in lrs], 1)},
                       counters={"train_steps": ctx["steps"] * len(out["tags"])})


def collapse_vs_time_practice(ctx):
    out = digits_sweep(ctx)
    idx = digits_select(out, "lr", ctx["lrs"][-1])
    series = [float(np.mean(collapsed(out, idx, t))) for t in range(len(out["log_steps"]))]
    d = collapsed(out, idx, -1) - collapsed(out, idx, 0)
    return Measurement(value=series[-1] - series[0], stderr=_replicate_se(d) or None,
                       info={"log_steps": out["log_steps"].tolist(), "collapsed_neurons_at_largest_lr": series, "per_replicate_difference": np.asarray(d).tolist()})


def phase_collapse_practice(ctx):
    out = digits_sweep(ctx)
    per = [float(np.mean(collapsed(out, digits_select(out, "drop", d)))) for d in ctx["drops"]]
    # replicate r of the latest drop against replicate r of the earliest (equal total steps)
    d = collapsed(out, digits_select(out, "drop", ctx["drops"][-1])) - collapsed(out, digits_select(out, "drop", ctx["drops"][0]))
    return Measurement(value=per[-1] - per[0], stderr=_replicate_se(d) or None,
                       info={"drops": list(ctx["drops"]), "collapsed_neurons_final": per, "per_replicate_difference": np.asarray(d).tolist(),
                             "total_steps_per_drop_run": max(ctx["drops"]) + ctx["finetune_steps"]})


def phase_accuracy_practice(ctx):
    out = digits_sweep(ctx)
    acc = [float(out["test_acc"][-1, digits_select(out, "drop", d)].mean()) for d in ctx["drops"]]
    late, early = digits_select(out, "drop", ctx["drops"][-1]), digits_select(out, "drop", ctx["drops"][0])
    d_rep = out["test_acc"][-1, late] - out["test_acc"][-1, early]
    # se of the difference: training randomness (between replicates) and the finite test set
    # (paired per image: the same images score both schedules)
    c = out["test_correct_final"].astype(float)
    d_img = c[late].mean(0) - c[early].mean(0)
    se_test = float(d_img.std(ddof=1) / math.sqrt(d_img.size))
    se = math.sqrt(_replicate_se(d_rep) ** 2 + se_test**2)
    return Measurement(value=acc[-1] - acc[0], stderr=se,
                       info={"drops": list(ctx["drops"]), "final_test_acc": acc, "per_replicate_difference": np.asarray(d_rep).tolist(),
                             "se_between_replicates": _replicate_se(d_rep), "se_test_images_paired": se_test, "n_test": int(d_img.size),
                             "total_steps_per_drop_run": max(ctx["drops"]) + ctx["finetune_steps"]})
