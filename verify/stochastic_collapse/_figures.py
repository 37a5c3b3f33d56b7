"""Figures of the stochastic-collapse claims: theory curves over the measured points."""

from __future__ import annotations

import numpy as np

from theory.stochastic_collapse import neuron_exponents, quartic_lyapunov_exponent, quartic_stationary_mass, quartic_threshold
from verify.stochastic_collapse._experiments import neuron_data

__all__ = [
    "quartic_threshold_figure",
    "quartic_probability_figure",
    "neuron_threshold_figure",
    "neuron_probability_figure",
    "generalization_figure",
    "full_network_figure",
    "collapse_vs_lr_figure",
]


def _pyplot():
    # lazily: matplotlib is needed only when a report draws a figure
    import matplotlib.pyplot as plt

    return plt


def quartic_threshold_figure(ctx, pred, meas):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    zz = np.linspace(min(ctx["zetas"]) - 0.1, max(ctx["zetas"]) + 0.1, 200)
    ax.plot(zz, quartic_lyapunov_exponent(ctx["mu"], zz), "k-", label=r"theory $\mu-\zeta^2/2$")
    for m in meas:
        ax.errorbar(m.raw["zetas"], m.raw["exponent_mean"], 2 * m.raw["exponent_se"], fmt="o", ms=4, label="paths (±2 se)")
    ax.axvline(pred.value, color="C3", ls="--", label=r"$\zeta^*=\sqrt{2\mu}$")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel(r"noise $\zeta$")
    ax.set_ylabel("Lyapunov exponent at 0")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def quartic_probability_figure(ctx, pred, meas):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    zz = np.linspace(0.8, max(ctx["zetas"]) + 0.2, 300)
    ax.plot(zz, quartic_stationary_mass(ctx["eps"], ctx["mu"], zz), "k-", label="theory (stationary mass)")
    for m in meas:
        w = m.raw["wilson"]
        v = np.asarray(m.value, float)
        ax.errorbar(m.raw["zetas"], v, [np.maximum(v - w[:, 0], 0), np.maximum(w[:, 1] - v, 0)], fmt="o", ms=4, label=f"SGF paths, t={ctx['t1']:g}")
    ax.axvline(float(quartic_threshold(ctx["mu"])), color="C3", ls="--", label=r"$\zeta^*=\sqrt{2\mu}$")
    ax.set_xlabel(r"noise $\zeta$")
    ax.set_ylabel(rf"P($|\theta_t|<{ctx['eps']:g}$)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def neuron_threshold_figure(ctx, pred, meas):
    plt = _pyplot()
    x, y = neuron_data(ctx)
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ee = np.linspace(0.4 * pred.value, 1.6 * pred.value, 200)
    ax.plot(ee, neuron_exponents(ee, ctx["zeta"], x, y)[0], "k-", label=r"theory $s - c^2/2$")
    for m in meas:
        ax.errorbar(m.raw["etas"], m.raw["exponent_mean"], 2 * m.raw["exponent_se"], fmt="o", ms=4, label="SGF paths (±2 se)")
    ax.axvline(pred.value, color="C3", ls="--", label=r"$\eta^*$")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("Lyapunov exponent at w = 0")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def neuron_probability_figure(ctx, pred, meas):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for m in meas:
        w = m.raw["wilson"]
        v = np.asarray(m.value, float)
        ax.errorbar(m.raw["etas"], v, [np.maximum(v - w[:, 0], 0), np.maximum(w[:, 1] - v, 0)], fmt="o", ms=5, label=f"SGF paths, t={ctx['t1']:g} (95% Wilson)")
    ax.step(ctx["etas"], pred.value, where="mid", color="k", lw=0.8, label="theory: 1 if exponent < 0")
    ax.axvline(pred.info["eta_star"], color="C3", ls="--", label=r"$\eta^*$")
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel(rf"P($\|w_t\|<{ctx['eps']:g}$)")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def generalization_figure(ctx, pred, meas):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot(pred.raw["sigmas_paper"], pred.value, "k-o", ms=3, label="theory (soft-threshold, stationary)")
    for m in meas:
        ax.errorbar(m.raw["sigmas_paper"], m.value, 2 * np.asarray(m.stderr), fmt="s", ms=4, label="SGD (time average, ±2 se)")
    ax.set_xlabel(r"SGD noise $\sigma$ (paper units)")
    ax.set_ylabel("test MSE")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def full_network_figure(ctx, pred, meas):
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    bs = np.asarray(pred.raw["batch_sizes"], float)
    ax = axes[0]
    ax.plot(bs, pred.raw["surviving"], "k-o", ms=4, label=r"theory: modes with $\hat s > \eta\sigma_B^2/2$")
    surv = np.array([m.raw["surviving"] for m in meas])
    rank = np.array([m.raw["rank_final"].mean(1) for m in meas])
    ax.errorbar(bs, surv.mean(0), 2 * surv.std(0, ddof=1) / np.sqrt(len(meas)) if len(meas) > 1 else None, fmt="s", color="C0", ms=5,
                label=f"SGD: projected modes > {ctx['eps']:g} (±2 se, {len(meas)} seeds)")
    ax.plot(bs, rank.mean(0), "x", color="C1", label=f"SGD: rank of $VU$ (sv > {ctx['eps']:g})")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size (largest = full batch)")
    ax.set_ylabel("surviving modes")
    ax.legend(fontsize=7)
    ax = axes[1]
    s = np.asarray(pred.raw["s_hat"])
    order = np.argsort(s)
    p_meas = np.mean([m.raw["p_time_mean"].mean(1) for m in meas], 0)
    for j, B in enumerate(bs):
        ax.plot(s[order], pred.raw["p_mean"][j][order], "-", color=f"C{j}", lw=1)
        ax.plot(s, p_meas[j], "o", color=f"C{j}", ms=3, label=f"B = {int(B)}")
    ax.plot([0, s.max()], [0, s.max()], ":", color="grey", lw=0.8)
    ax.set_xlabel(r"data singular value $\hat s_k$")
    ax.set_ylabel(r"mode $p_k = a_k^\top VU b_k$ (time average)")
    ax.set_title("soft-thresholding (lines: theory)", fontsize=8)
    ax.legend(fontsize=7)
    ax = axes[2]
    ax.plot(bs, pred.raw["test_mse"], "k-o", ms=4, label="theory (stationary law)")
    mse = np.array([m.raw["test_mse_time_mean"].mean(1) for m in meas])
    ax.errorbar(bs, mse.mean(0), 2 * mse.std(0, ddof=1) / np.sqrt(len(meas)) if len(meas) > 1 else None, fmt="s", color="C0", ms=5, label="SGD (time average, ±2 se)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size")
    ax.set_ylabel(r"test MSE mean$((VU - W)^2)$")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def collapse_vs_lr_figure(ctx, pred, meas):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for m in meas:
        for j, lr in enumerate(ctx["lrs"]):
            ax.plot(m.raw["log_steps"], m.raw["collapsed"][:, j], "-o", ms=3, label=f"lr {lr:g}")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("collapsed neurons (vanishing + duplicate)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
