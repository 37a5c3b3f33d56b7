"""Figures of the lottery report: `(ctx, prediction, measurements) -> Figure`."""

from __future__ import annotations

import numpy as np

from verify.lottery._profiles import TAU_B

__all__ = ["lmc_figure", "quadratic_figure", "hessian_figure", "retraining_figure"]


def _plt():
    # lazily: matplotlib is needed only when a report draws the figure
    import matplotlib.pyplot as plt

    return plt


def lmc_figure(ctx, pred, meas):
    """Test error and successive-level barrier against density, one line per seed."""
    plt = _plt()
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    for i, m in enumerate(meas):
        d, e, b = m.raw["density"], m.raw["test_err"], m.raw["barrier"]
        ax[0].plot(d, e, "o-", ms=3, alpha=0.7, color=f"C{i}")
        ax[1].plot(d[1:], b, "-", alpha=0.7, color=f"C{i}")
        deg = np.asarray(m.raw.get("degenerate", np.zeros(len(b), dtype=bool)), dtype=bool)
        ax[1].plot(d[1:][~deg], b[~deg], "o", ms=3, color=f"C{i}")
        ax[1].plot(d[1:][deg], b[deg], "o", ms=4, mfc="none", color=f"C{i}", label="left out (degenerate)" if i == 0 and deg.any() else None)
    for a in ax:
        a.set_xscale("log")
        a.invert_xaxis()
        a.set_xlabel("density of level L+1" if a is ax[1] else "density")
    ax[0].set_ylabel("test error")
    ax[1].axhline(TAU_B, color="k", ls="--", lw=1, label=f"tau_B = {TAU_B}")
    ax[1].set_ylabel("barrier B(w_L*, w_L+1*)")
    ax[1].legend()
    fig.suptitle("IMP: accuracy and successive-level barrier vs sparsity (one line per seed)")
    fig.tight_layout()
    return fig


def quadratic_figure(ctx, pred, meas):
    """Formula p* against the exact Schur thresholds, per sharp fraction."""
    plt = _plt()
    fr = ctx.config["sharp_fractions"]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    th = np.asarray(pred.value).reshape(len(fr), 2)
    ms = np.asarray([m.value for m in meas]).reshape(len(meas), len(fr), 2)
    for j, (name, mk) in enumerate((("random", "o"), ("magnitude", "s"))):
        ax.plot(fr, th[:, j], mk + "--", label=f"formula p* ({name})")
        ax.errorbar(fr, ms[:, :, j].mean(0), yerr=ms[:, :, j].std(0) if len(meas) > 1 else None, fmt=mk + "-", label=f"exact Schur ({name})")
    ax.set_xlabel("fraction of sharp eigenvalues")
    ax.set_ylabel("largest prune fraction")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def hessian_figure(ctx, pred, meas):
    """Predicted against measured largest one-shot prune fractions, per eps."""
    plt = _plt()
    eps = np.asarray(ctx.config["eps"])
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for j, (name, mk) in enumerate((("random", "o"), ("magnitude", "s"))):
        ax.plot(eps, pred.raw[name], mk + "--", color=f"C{j}", label=f"predicted p* ({name})")
        vals = np.asarray([m.raw[name] for m in meas])
        ax.errorbar(eps, vals.mean(0), yerr=vals.std(0) if len(meas) > 1 else None, fmt=mk + "-", color=f"C{j}", label=f"measured ({name})")
    ax.set_xscale("log")
    ax.set_xlabel("allowed train-loss increase eps")
    ax.set_ylabel("largest one-shot prune fraction")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def retraining_figure(ctx, pred, meas):
    """Relative projection length and post-projection loss, with and without retraining."""
    plt = _plt()
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    for i, m in enumerate(meas):
        lab = i == 0
        ax[0].plot(m.raw["rho_retrain"], "o-", color="C0", ms=3, label="retrained (IMP)" if lab else None)
        ax[0].plot(m.raw["rho_oneshot"], "s-", color="C1", ms=3, label="no retraining" if lab else None)
        ax[1].plot(m.raw["loss_retrain"], "o-", color="C0", ms=3)
        ax[1].plot(m.raw["loss_oneshot"], "s-", color="C1", ms=3)
    ax[0].set_ylabel("relative projection length rho_L")
    ax[1].set_ylabel("train loss right after projection")
    ax[1].set_yscale("log")
    for a in ax:
        a.set_xlabel("level L")
    ax[0].legend()
    fig.tight_layout()
    return fig
