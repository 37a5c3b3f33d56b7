"""Figures of the semdedup report."""

from __future__ import annotations

import numpy as np

__all__ = ["recall_figure", "pruning_figure"]


def recall_figure(ctx, pred, meas):
    """Recall against k: the split model (line, 2 standard errors) and SemDeDup (points, one per seed)."""
    import matplotlib.pyplot as plt  # lazily: only a report draws figures

    fig, ax = plt.subplots(figsize=(5, 3.4))
    ks = np.asarray(pred.raw["ks"])
    t = np.asarray(pred.value)
    ax.errorbar(ks, t, yerr=2 * np.asarray(pred.stderr), fmt="-", label="split model (theory)")
    for i, m in enumerate(meas):
        ax.errorbar(ks, m.value, yerr=2 * np.asarray(m.stderr), fmt="o", ms=4, label="SemDeDup" if i == 0 else None)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (clusters)")
    ax.set_ylabel("recall of planted pairs")
    ax.legend()
    fig.tight_layout()
    return fig


def pruning_figure(ctx, pred, meas):
    """Test accuracy against kept fraction: SemDeDup and random pruning of the same size (mean over
    the learner seeds, band: 95% t-interval over seeds), the full set at fraction 1; the gradient
    steps saved on the top axis."""
    import matplotlib.pyplot as plt  # lazily: only a report draws figures
    from scipy import stats

    m = meas[0]
    fr = np.asarray(m.raw["fractions"], dtype=float)
    full = np.asarray(m.raw["acc_all"], dtype=float)
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for name, colour in (("acc_semdedup", "C0"), ("acc_random", "C1")):
        a = np.asarray(m.raw[name], dtype=float)  # (fractions, seeds)
        x = np.concatenate([fr, [1.0]])
        mean = np.concatenate([a.mean(1), [full.mean()]])
        s = a.shape[1]
        q = stats.t.ppf(0.975, s - 1) if s > 1 else 0.0
        half = np.concatenate([a.std(1, ddof=1) / np.sqrt(s) if s > 1 else np.zeros(len(fr)),
                               [full.std(ddof=1) / np.sqrt(s) if s > 1 else 0.0]]) * q
        o = np.argsort(x)
        label = "SemDeDup (hard)" if name == "acc_semdedup" else "random pruning"
        ax.plot(x[o], mean[o], "o-", color=colour, label=label)
        ax.fill_between(x[o], (mean - half)[o], (mean + half)[o], color=colour, alpha=0.25)
    ax.set_xlabel("kept fraction of the training pool (= fraction of gradient steps)")
    ax.set_ylabel("test accuracy (MNIST-1D)")
    ax.set_title(f"diff SemDeDup - random: {float(m.value):+.4f}", fontsize=9)
    ax.legend()
    fig.tight_layout()
    return fig
