"""Figures of the lazy_rich report: theory curves over integrated/trained points."""

from __future__ import annotations

import numpy as np

from verify.lazy_rich._teacher_student import relu_grid


def _plt():
    # lazily: matplotlib is needed only when a report draws the figure
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def fig3_curves(ctx, prediction, measurements):
    """mu(t), phi(t), S(0,t): closed form (lines) over the integrated gradient flow (dots), one colour per delta."""
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    th, m = prediction.raw, measurements[0].raw
    deltas = th["deltas"]
    cmap = plt.get_cmap("coolwarm")
    for i, dl in enumerate(deltas):
        col = cmap(i / max(1, len(deltas) - 1))
        for ax, key in zip(axes, ("mu", "phi", "S")):
            ax.plot(th["t"], th[key][i], color=col, lw=1.5, label=f"delta={dl:g}" if key == "mu" else None)
            ax.plot(m["t"], m[key][i], "o", color=col, ms=2.5)
    for ax, lab in zip(axes, (r"$\mu(t)$ signed magnitude", r"$\phi(t)$ alignment", r"$S(0,t)$ kernel distance")):
        ax.set_xlabel("t")
        ax.set_title(lab)
        ax.set_xlim(0, min(20, th["t"].max()))
    axes[0].legend(fontsize=7)
    fig.suptitle("Fig. 3 setup: closed form (lines) vs diffrax gradient flow (dots)")
    fig.tight_layout()
    return fig


def bias_path(ctx, prediction, measurements):
    """beta_inf as delta varies (Fig. 4b): Phi_delta argmin path over gradient-flow limits."""
    plt = _plt()
    th, m = prediction.raw, measurements[0].raw
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot(th["path_beta"][:, 0], th["path_beta"][:, 1], "-", color="k", lw=1, label=r"argmin $\Phi_\delta$ ($\delta\in[-8,8]$)")
    sc = ax.scatter(m["fig4b_beta"][:, 0], m["fig4b_beta"][:, 1], c=m["fig4b_deltas"], cmap="coolwarm", zorder=3, label="gradient flow")
    xs = np.linspace(0.5, 2.0, 10)
    ax.plot(xs, (1.1 - 0.5 * xs) / 1.0, ":", color="gray", label=r"interpolants $x^\top\beta=y$")
    ax.plot([0.4], [0.05], "k*", ms=10, label=r"$\beta_0$")
    fig.colorbar(sc, ax=ax, label=r"$\delta$")
    ax.set_xlabel(r"$\beta_1$")
    ax.set_ylabel(r"$\beta_2$")
    ax.legend(fontsize=7)
    ax.set_title("Implicit bias path (Fig. 4b setup)")
    fig.tight_layout()
    return fig


def relu_phase(ctx, prediction, measurements):
    """Phase diagram of the reduced teacher-student grid: test loss, S(0,t), Hamming over (tau, delta), seed 0."""
    plt = _plt()
    c = ctx.config
    try:
        g = relu_grid(ctx)
    except Exception:  # pragma: no cover - figure only
        return None
    taus, deltas = list(c["taus"]), list(c["deltas"])
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, key, title in zip(axes, ("test", "S", "hamming"), ("test MSE", "S(0,t)", "Hamming distance")):
        Z = np.array([[g[(tau, dl)][key] for dl in deltas] for tau in taus])
        im = ax.imshow(np.log10(Z + 1e-12) if key == "test" else Z, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(deltas)), [f"{d:g}" for d in deltas])
        ax.set_yticks(range(len(taus)), [f"{t:g}" for t in taus])
        ax.set_xlabel(r"relative scale $\delta$")
        ax.set_ylabel(r"overall scale $\tau$")
        ax.set_title(("log10 " if key == "test" else "") + f"{title} after {c['steps']} steps")
        fig.colorbar(im, ax=ax)
    fig.tight_layout()
    return fig


def grok_fig(ctx, prediction, measurements):
    plt = _plt()
    steps = np.stack([m.raw["steps"] for m in measurements])
    fig, ax = plt.subplots(figsize=(5, 3.8))
    for s in steps:
        ax.plot([0, 1, 2], s, "o-", alpha=0.6)
    ax.set_xticks([0, 1, 2], ["upstream", "balanced", "downstream"])
    ax.set_ylabel("steps to test accuracy threshold")
    ax.set_yscale("log")
    ax.set_title("Grokking proxy: 2-layer MLP, not the paper's transformer (one line per seed)", fontsize=9)
    fig.tight_layout()
    return fig


def digits_fig(ctx, prediction, measurements):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 3.8))
    for k, m in enumerate(measurements):
        for i, a in enumerate(m.raw["alphas"]):
            ax.plot(m.raw["steps"], m.raw["S"][i], "o-", color=plt.get_cmap("viridis")(i / max(1, len(m.raw["alphas"]) - 1)),
                    label=f"alpha={a:g}" if k == 0 else None, alpha=0.7)
    ax.set_xlabel("GD step")
    ax.set_ylabel("S(0,t)")
    ax.legend(fontsize=7)
    ax.set_title("Digits MLP: kernel distance, first layer x alpha, last / alpha")
    fig.tight_layout()
    return fig
