"""Claims 13-16: neuron collapse in GELU MLPs trained with SGD on scikit-learn digits (the
paper's Fig. 3, 4 and 6 run on CIFAR; here a small stand-in, reported as measured).

The theory sides are the paper's sign statements; all four claims read one shared sweep
(`_experiments.digits_sweep`).
"""

from __future__ import annotations

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


def at_least_one_more(ctx):
    return Prediction(value=1.0, info={"note": "sign prediction: at least one more collapsed neuron (counts are integers)"})


def later_drop_not_worse(ctx):
    return Prediction(value=0.0, info={"note": "sign prediction of the paper (Fig. 6): a later drop gives higher final test accuracy"})


def collapse_vs_lr_practice(ctx):
    out = digits_sweep(ctx)
    lrs = ctx["lrs"]
    per_lr = [float(np.mean(collapsed(out, digits_select(out, "lr", lr)))) for lr in lrs]
    frac = [np.round(out["independent"][-1, digits_select(out, "lr", lr)].mean(0), 3).tolist() for lr in lrs]
    return Measurement(value=per_lr[-1] - per_lr[0], info={"lrs": list(lrs), "collapsed_neurons": per_lr, "independent_fraction_per_layer": frac,
                                                           "test_acc": [float(out["test_acc"][-1, digits_select(out, "lr", lr)].mean()) for lr in lrs]},
                       raw={"log_steps": out["log_steps"], "collapsed": np.stack([(out["vanishing"] + out["duplicates"])[:, digits_select(out, "lr", lr)].sum(-1).mean(1) for lr in lrs], 1)},
                       counters={"train_steps": ctx["steps"] * len(out["tags"])})


def collapse_vs_time_practice(ctx):
    out = digits_sweep(ctx)
    idx = digits_select(out, "lr", ctx["lrs"][-1])
    series = [float(np.mean(collapsed(out, idx, t))) for t in range(len(out["log_steps"]))]
    return Measurement(value=series[-1] - series[0], info={"log_steps": out["log_steps"].tolist(), "collapsed_neurons_at_largest_lr": series})


def phase_collapse_practice(ctx):
    out = digits_sweep(ctx)
    per = [float(np.mean(collapsed(out, digits_select(out, "drop", d)))) for d in ctx["drops"]]
    return Measurement(value=per[-1] - per[0], info={"drops": list(ctx["drops"]), "collapsed_neurons_final": per})


def phase_accuracy_practice(ctx):
    out = digits_sweep(ctx)
    acc = [float(out["test_acc"][-1, digits_select(out, "drop", d)].mean()) for d in ctx["drops"]]
    return Measurement(value=acc[-1] - acc[0], info={"drops": list(ctx["drops"]), "final_test_acc": acc})
