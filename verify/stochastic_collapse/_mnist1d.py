"""Claims `collapse_vs_batch_size` and `collapse_vs_label_noise`: in GELU MLPs trained with SGD
on MNIST-1D (`numerics._data.mnist1d`, the real stand-in for the paper's CIFAR runs), at a
fixed learning rate, more gradient noise (a smaller batch, a larger probability of online
label noise) leaves more collapsed neurons.

"Collapsed" is the paper's metric (official FIG3_FIG4 notebook, `independent_neuron_fraction`):
per hidden layer, a unit is vanishing when its [incoming weights, bias, outgoing weights]
vector has norm < 0.1 x the layer's largest, and identical to another when their relative
squared distance is < 0.1; collapsed neurons = vanishing + duplicates (units merged into a
group), summed over the hidden layers. Each sweep (points x replicates) is one batched
ensemble (`train_mlp_ensemble`); replicate r of every sweep point shares its seed stream
(initialisation, minibatch indices, noise), so the differences are paired.
"""

from __future__ import annotations

import math

import numpy as np

from numerics._data import mnist1d
from numerics.stochastic_collapse import member_seeds, train_mlp_ensemble
from verify.core.claims import Measurement, Prediction
from verify.core.stats import bootstrap_ci

__all__ = ["more_collapse_with_noise", "batch_sweep_practice", "label_noise_sweep_practice", "sweep_figure"]


def _replicate_se(d):
    """t-scaled se of the mean of paired replicate differences (see `_digits._replicate_se`)."""
    from scipy import stats

    d = np.asarray(d, dtype=float)
    if d.size < 2:
        return 0.0
    return float(d.std(ddof=1) / math.sqrt(d.size) * stats.t.ppf(0.975, d.size - 1) / stats.norm.ppf(0.975))


def more_collapse_with_noise(ctx):
    return Prediction(value=1.0, info={"note": "sign prediction of the attractivity condition (gradient noise ~ eta/B, and grows with label noise): "
                                               "at least one more collapsed neuron at the noisiest sweep point than at the quietest (counts are integers)"})


def _sweep(ctx, axis):
    c = ctx.config
    points = list(c["batch_sizes"] if axis == "batch" else c["label_noises"])
    R = c["replicates"]
    members = [(p, r) for p in points for r in range(R)]

    def run():
        d = mnist1d(n_samples=c["n_samples"])
        sched = np.full((len(members), c["steps"]), c["lr"])
        out = train_mlp_ensemble(d.x_train, d.y_train, d.x_test, d.y_test, sched, hidden=c["hidden"],
                                 batch_sizes=[m[0] for m in members] if axis == "batch" else c["batch_size"],
                                 label_noise=[m[0] for m in members] if axis == "noise" else c["label_noise"],
                                 seeds=member_seeds(ctx.stream_seed(f"mnist1d_{axis}") % 2**31, [m[1] for m in members]),
                                 log_every=c["log_every"], device=ctx.device, progress=ctx.progress)
        out.pop("weights")
        return out

    key = {k: (tuple(v) if isinstance(v, list) else v) for k, v in c.items()}
    out = ctx.shared(f"mnist1d_{axis}", run, **key)
    collapsed = (out["vanishing"] + out["duplicates"]).sum(-1).reshape(len(out["log_steps"]), len(points), R)  # (n_log, points, R)
    return points, collapsed, out


def _practice(ctx, axis):
    points, col, out = _sweep(ctx, axis)
    final = col[-1]  # (points, R)
    noisiest, quietest = (0, -1) if axis == "batch" else (-1, 0)  # batch sizes increase, label noise increases
    d = final[noisiest] - final[quietest]  # paired by replicate
    # direction over the whole sweep: Spearman correlation of collapsed count with the noise (- batch size / + label noise)
    from scipy import stats

    x = np.repeat(-np.log2(points) if axis == "batch" else np.asarray(points, dtype=float), final.shape[1])
    rho = float(stats.spearmanr(x, final.ravel())[0]) if np.ptp(final) > 0 else 0.0
    pairs = np.stack([x, final.ravel()], 1)
    ci = bootstrap_ci(pairs, lambda p: float(stats.spearmanr(p[:, 0], p[:, 1])[0]) if np.ptp(p[:, 1]) > 0 and np.ptp(p[:, 0]) > 0 else 0.0) if np.ptp(final) > 0 else (0.0, 0.0)
    return Measurement(value=float(d.mean()), stderr=_replicate_se(d) or None,
                       info={"points": list(points), "collapsed_neurons_mean": final.mean(1).tolist(), "per_replicate_difference": d.tolist(),
                             "spearman_rho_noise_vs_collapsed": rho, "spearman_rho_95ci": [float(v) for v in ci],
                             "collapsed_fraction_mean": (final.mean(1) / sum(ctx["hidden"])).tolist(),
                             "test_acc": out["test_acc"][-1].reshape(len(points), -1).mean(1).tolist()},
                       raw={"points": np.asarray(points, dtype=float), "collapsed": final, "log_steps": out["log_steps"], "collapsed_over_time": col.mean(-1)},
                       counters={"train_steps": ctx["steps"] * final.size})


def batch_sweep_practice(ctx):
    return _practice(ctx, "batch")


def label_noise_sweep_practice(ctx):
    return _practice(ctx, "noise")


def sweep_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt

    batch = "batch_sizes" in ctx.config
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    pts = meas[0].raw["points"]
    col = np.concatenate([m.raw["collapsed"] for m in meas], 1)
    for r in range(col.shape[1]):
        ax1.plot(pts, col[:, r], "o-", color="0.7", lw=0.8)
    ax1.errorbar(pts, col.mean(1), yerr=col.std(1, ddof=1) / math.sqrt(col.shape[1]) if col.shape[1] > 1 else None, fmt="o-", color="C0", label="mean over replicates")
    if batch:
        ax1.set_xscale("log", base=2)
    ax1.set_xlabel("batch size" if batch else "label-noise probability")
    ax1.set_ylabel("collapsed neurons (vanishing + duplicates)")
    ax1.set_title("prediction: " + ("more collapse at smaller batch" if batch else "more collapse at more label noise"), fontsize=8)
    ax1.legend(fontsize=7)
    over = meas[0].raw["collapsed_over_time"]
    for j, p in enumerate(pts):
        ax2.plot(meas[0].raw["log_steps"], over[:, j], label=f"{'B' if batch else 'p'}={p:g}")
    ax2.set_xlabel("SGD step")
    ax2.set_ylabel("collapsed neurons (seed 0)")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return fig
