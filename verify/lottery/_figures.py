"""Figures of the lottery report: `(ctx, prediction, measurements) -> Figure`."""

from __future__ import annotations

import numpy as np

from verify.lottery._profiles import TAU_B

__all__ = ["lmc_figure", "quadratic_figure", "hessian_figure", "retraining_figure", "rewind_figure"]


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


def rewind_figure(ctx, pred, meas):
    """Test accuracy against density for rewind-k and rewind-0 IMP, one line per seed, with
    each seed's matching bar (dense accuracy - match_tol) and its deepest matching level L*."""
    plt = _plt()
    k = int(ctx.config["imp"]["rewind_step"])
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    for i, m in enumerate(meas):
        r = m.raw
        lab = i == 0
        ax.plot(r["density_k"], 1 - np.asarray(r["err_k"]), "o-", ms=3, color="C0", alpha=0.7, label=f"rewind to k = {k}" if lab else None)
        ax.plot(r["density_0"], 1 - np.asarray(r["err_0"]), "s--", ms=3, color="C3", alpha=0.7, label="rewind to k = 0" if lab else None)
        ax.axhline(1 - float(r["bar"]), color="k", lw=0.8, ls=":", label="matching bar (dense - tol)" if lab else None)
        L = int(r["level"])
        ax.axvline(float(np.asarray(r["density_k"])[L]), color="C0", lw=0.6, ls=":", label="deepest matching level L* (k)" if lab else None)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("density (fraction of prunable weights kept)")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=7)
    ax.set_title("IMP: rewind to k > 0 vs rewind to 0 (one line per seed)", fontsize=9)
    fig.tight_layout()
    return fig
