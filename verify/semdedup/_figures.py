"""Figures of the semdedup report."""

from __future__ import annotations

import numpy as np

__all__ = ["recall_figure"]


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
