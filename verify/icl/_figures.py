"""Figures of the ICL claims (theory curves over measured points)."""

from __future__ import annotations

import warnings

import numpy as np


def _plt():
    # lazily: matplotlib is needed only when a report draws the figure
    import matplotlib.pyplot as plt

    return plt


def _list(measurements):
    if measurements is None:
        return []
    return list(measurements) if isinstance(measurements, (list, tuple)) else [measurements]


def _stack(measurements, key):
    arrs = [np.asarray(m.raw[key], dtype=float) for m in _list(measurements) if key in getattr(m, "raw", {})]
    return np.stack(arrs) if arrs else None


def _mean_band(a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(a, axis=0)
        half = np.nanstd(a, axis=0, ddof=1) / np.sqrt(a.shape[0]) if a.shape[0] > 1 else np.zeros_like(mean)
    return mean, half


def delta_vs_M(ctx, prediction, measurements):
    """Prediction distances vs M on both distributions, with the dMMSE-ridge baseline distance."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    logM = _stack(measurements, "log2_M_plot")
    if logM is None:
        return fig
    x = logM[0]
    for ax, dist, title in ((axes[0], "T", "new tasks (T_True)"), (axes[1], "P", "seen tasks (T_Pretrain)")):
        for key, label, style in (
            (f"pt_ridge_{dist}", "PT vs Ridge", "o-"),
            (f"pt_dmmse_{dist}", "PT vs dMMSE", "s-"),
            (f"dmmse_ridge_{dist}", "dMMSE vs Ridge (theory baseline)", "k--"),
        ):
            a = _stack(measurements, key)
            if a is None:
                continue
            mean, half = _mean_band(a)
            ax.errorbar(x, mean, yerr=half, fmt=style, label=label, capsize=2, ms=4)
        ax.set_yscale("log")
        ax.set_xlabel("log2 M  (rightmost: M = infinity)")
        ax.set_title(title)
    axes[0].set_ylabel("Delta / D (mean over positions)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def mse_per_position(ctx, prediction, measurements):
    """Per-position MSE/D of the pretrained models on new tasks vs the ridge Bayes-risk curve."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    curves = _stack(measurements, "mse_T_by_M")
    labels = _list(measurements)[0].raw.get("mse_T_labels") if _list(measurements) else None
    bayes = _stack(measurements, "ridge_bayes_curve")
    if curves is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(curves, axis=0)
        k = np.arange(1, mean.shape[-1] + 1)
        for i, row in enumerate(mean):
            ax.plot(k, row, "o-", ms=3, label=f"PT, {labels[i] if labels is not None else i}")
        if bayes is not None:
            ax.plot(k, bayes[0], "k--", lw=2, label="ridge Bayes risk (theory)")
        ax.set_xlabel("position k")
        ax.set_ylabel("MSE / D on T_True")
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _seed_mean_se(mean_rows, se_rows):
    """Mean over seeds and its standard error: the larger of the between-seed spread and the
    seeds' own standard errors combined (the harness's rule for a noisy measured value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, between = _mean_band(mean_rows)
        within = np.sqrt(np.nansum(se_rows**2, axis=0)) / se_rows.shape[0] if se_rows is not None else np.zeros_like(mean)
    return mean, np.fmax(between, within)


def interpolation(ctx, prediction, measurements):
    """MSE/D along the interpolation path between two pretraining tasks: mean over seeds with
    standard-error bars (over pairs of tasks within a seed, and over seeds); alpha = 1/2 is the
    new task the claims read."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    alphas = _stack(measurements, "alphas")
    if alphas is None:
        return fig
    for key, label, style in (("pt", "PT", "o-"), ("dmmse", "dMMSE", "s--"), ("ridge", "Ridge", "k:")):
        a = _stack(measurements, key)
        if a is None:
            continue
        mean, se = _seed_mean_se(a, _stack(measurements, f"{key}_se"))
        ax.errorbar(alphas[0], mean, yerr=np.nan_to_num(se), fmt=style, label=label, capsize=2, ms=4)
    ax.axvline(0.5, color="0.7", lw=0.8, zorder=0)
    m = _list(measurements)
    title = f"M = {m[0].info.get('M', float('nan')):g}, {len(m)} seed(s)" if m and isinstance(getattr(m[0], "info", None), dict) else ""
    ax.set_title(title)
    ax.set_xlabel("alpha (1/2: the midpoint, a new task)")
    ax.set_ylabel("MSE / D")
    ax.legend()
    fig.tight_layout()
    return fig


def early_stopping(ctx, prediction, measurements):
    """Delta^True_{PT,Ridge} during training for each M; the minimum marks t*."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    m = _list(measurements)
    if m and "eval_curve" in m[0].raw:
        steps, curve, logM = m[0].raw["eval_steps"], m[0].raw["eval_curve"], m[0].raw["log2_M"]
        for i, j in enumerate(logM):
            ax.plot(steps, curve[:, i], label=f"M=2^{int(j)}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("Delta^True_{PT,Ridge} / D")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def mse_new_tasks(ctx, prediction, measurements):
    """MSE/D on new tasks (T_True) against M for the PT, dMMSE and ridge: mean over seeds with
    95% t-bands; the window of the claim is shaded (rightmost PT point: M = infinity)."""
    from scipy import stats as st

    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    x = _stack(measurements, "log2_M_plot")
    if x is None:
        return fig
    x = x[0]
    n = len(_list(measurements))
    q = float(st.t.ppf(0.975, n - 1)) if n > 1 else 0.0
    for key, label, style in (("pt_mse_T", "PT", "o-"), ("dmmse_mse_T", "dMMSE", "s--"), ("ridge_mse_T", "Ridge", "k:")):
        a = _stack(measurements, key)
        if a is None:
            continue
        mean, se = _mean_band(a)
        ok = np.isfinite(mean)
        ax.plot(x[ok], mean[ok], style, label=label, ms=4)
        ax.fill_between(x[ok], (mean - q * se)[ok], (mean + q * se)[ok], alpha=0.25)
    win = _stack(measurements, "window")
    if win is not None:
        for xi, inside in zip(x, win[0]):
            if inside:
                ax.axvspan(xi - 0.5, xi + 0.5, color="tab:green", alpha=0.12, lw=0)
    ax.set_yscale("log")
    ax.set_xlabel("log2 M  (rightmost: M = infinity; shaded: the claim's window)")
    ax.set_ylabel("MSE / D on new tasks (T_True)")
    ax.set_title(f"{n} seed(s), 95% t-bands")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
