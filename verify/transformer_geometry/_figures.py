"""Figures of the transformer_geometry report: the (q, rho) map over simulated layers, the
phase boundaries, and the trained loss over the exponent plane."""

from __future__ import annotations

import numpy as np

from verify.core.stats import mean_se
from verify.transformer_geometry._experiments import exponents_grid, grid_cells


def _plt():
    # lazily: matplotlib is needed only when a report draws the figure
    import matplotlib.pyplot as plt

    return plt


def map_figure(ctx, prediction, measurements):
    """Mean-field q and rho per layer (lines) over the simulated means with 2 standard errors, one column per case."""
    plt = _plt()
    cases = ctx.config["cases"]
    fig, axes = plt.subplots(2, len(cases), figsize=(4 * len(cases), 6), squeeze=False)
    m = measurements[0]
    for k, case in enumerate(cases):
        for row, key in enumerate(("q", "rho")):
            ax = axes[row, k]
            th = prediction.raw[f"{key}_{k}"]
            sim = m.raw[f"{key}_{k}"]
            layers = np.arange(len(th))
            ax.plot(layers, th, "k-", label="mean-field map")
            mu, se = mean_se(sim)
            ax.errorbar(layers, mu, yerr=2 * se, fmt="o", ms=3, label=f"simulation (d={ctx.config['d']})")
            ax.set_xlabel("layer")
            ax.set_ylabel(key)
            if row == 0:
                ax.set_title(", ".join(f"{a}={b}" for a, b in case.items()), fontsize=8)
            ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def boundary_figure(ctx, prediction, measurements):
    """Mean-field boundaries lambda_a = 0 and lambda_g(L) = 0 in the (alpha, sigma_w) plane, with the measured roots."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    r = prediction.raw
    ax.plot(r["alphas"], r["angle"], "b-", label=r"MF $\lambda_a=0$ (stationary $q^*$)")
    ax.plot(r["alphas"], r["gradient"], "r-", label=rf"MF $\lambda_g(L={ctx.config['gradient']['n_layers']})=0$")
    m = measurements[0]
    al = np.asarray(ctx.config["alphas"])
    v, se = np.asarray(m.value), np.asarray(m.stderr)
    ax.errorbar(al, v[0::2], yerr=2 * se[0::2], fmt="bs", label=r"measured $\hat\lambda_a=0$")
    ax.errorbar(al, v[1::2], yerr=2 * se[1::2], fmt="r^", label=r"measured $\hat\lambda_g=0$")
    ax.set_xlabel(r"$\alpha_A=\alpha_M=\alpha$")
    ax.set_ylabel(r"$\sigma_w$")
    ax.set_ylim(1, 8)
    ax.text(0.6, 7.0, "chaotic / exploding", fontsize=8)
    ax.text(0.6, 1.3, "ordered / vanishing", fontsize=8)
    ax.legend(fontsize=7)
    ax.set_title(f"R2, n={ctx.config['n_tokens']}, $\\sigma_A$={ctx.config['sigma_attn']}")
    fig.tight_layout()
    return fig


def train_figure(ctx, prediction, measurements):
    """Final test loss of each grid cell placed at its mean-field exponents (lambda_a, lambda_g)."""
    plt = _plt()
    cfg = ctx.config
    la, lg = exponents_grid(cfg)
    loss = np.nanmean([np.asarray(m.raw["test_loss"]).ravel() for m in measurements if "test_loss" in m.raw], 0)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    sc = ax.scatter(la, lg, c=loss, cmap="viridis", s=60)
    fig.colorbar(sc, ax=ax, label="final test loss (nats)")
    for (a, s), x, y in zip(grid_cells(cfg), la, lg):
        ax.annotate(f"{a},{s:g}", (x, y), fontsize=6)
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlabel(r"$\lambda_a$ (MF, stationary)")
    ax.set_ylabel(rf"$\lambda_g(L={cfg['n_layers']})$ (MF)")
    ax.set_title("masked-character stand-in; label = (alpha, sigma_w)", fontsize=8)
    fig.tight_layout()
    return fig
