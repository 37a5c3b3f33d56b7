"""Figures of the issue-18 claims : XOR partitions (Fig. 5b), deep kernel distance (Sec. 6a), deep potential."""

from __future__ import annotations

import numpy as np


def _plt():
    # lazily: matplotlib is needed only when a report draws the figure
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def deep_potential_fig(ctx, prediction, measurements):
    """Fig. 4b problem: the flow's path beta(t) per (L, delta) and the Phi_L argmin (crosses), one panel per depth."""
    plt = _plt()
    m = measurements[0].raw
    paths, Ls, dls = m["fig4b_paths"], m["fig4b_L"], m["fig4b_delta"]
    pred = np.asarray(prediction.value)[: 2 * len(Ls)].reshape(len(Ls), 2)
    depths = sorted(set(int(x) for x in Ls))
    fig, axes = plt.subplots(1, len(depths), figsize=(4.2 * len(depths), 4), squeeze=False)
    cmap = plt.get_cmap("coolwarm_r")
    span = max(1e-9, float(np.max(np.abs(dls))))
    for ax, L in zip(axes[0], depths):
        for i in np.flatnonzero(Ls == L):
            col = cmap(0.5 + 0.5 * dls[i] / span)
            ax.plot(paths[i][:, 0], paths[i][:, 1], "-", color=col, lw=1.2, label=f"delta={dls[i]:g}")
            ax.plot(pred[i, 0], pred[i, 1], "x", color="k", ms=8)
        xs = np.linspace(0.3, 2.0, 10)
        ax.plot(xs, 1.1 - 0.5 * xs, ":", color="gray")
        ax.plot([0.4], [0.05], "k*", ms=9)
        ax.plot([0.44], [0.88], "ks", ms=5, mfc="none")
        ax.set_title(f"L = {L}: flow (lines), argmin Phi_L (x)", fontsize=9)
        ax.set_xlabel(r"$\beta_1$")
        ax.set_ylabel(r"$\beta_2$")
        ax.legend(fontsize=6)
    fig.suptitle("Deep single-path linear net, Fig. 4b problem (star: beta0, square: min-norm interpolant)", fontsize=9)
    fig.tight_layout()
    return fig


def xor_fig(ctx, prediction, measurements):
    """Panel (b) of Fig. 5: Hamming and parameter distance over (tau, delta) at the last evaluation step (median over
    replicas), and Hamming against parameter distance at tau_small."""
    plt = _plt()
    m = measurements[0].raw
    c = ctx.config
    taus, deltas = list(m["taus"]), list(m["deltas"])
    k = list(m["checkpoints"]).index(c["eval_steps"][-1])
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.9))
    for ax, key, title in zip(axes[:2], ("hamming", "param"), ("Hamming distance", "parameter distance")):
        Z = np.median(m[key][k], axis=0)
        im = ax.imshow(Z, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(deltas)), [f"{d:g}" for d in deltas], fontsize=6, rotation=90)
        ax.set_yticks(range(len(taus)), [f"{t:.2g}" for t in taus], fontsize=6)
        ax.set_xlabel(r"relative scale $\delta$ (upstream > 0)")
        ax.set_ylabel(r"overall scale $\tau$")
        ax.set_title(f"{title}, step {int(m['checkpoints'][k])}", fontsize=9)
        fig.colorbar(im, ax=ax)
    ax = axes[2]
    it = taus.index(c["tau_small"])
    cmap = plt.get_cmap("coolwarm_r")
    for j, dl in enumerate(deltas):
        ax.scatter(m["param"][:, :, it, j].ravel(), m["hamming"][:, :, it, j].ravel(), s=8,
                   color=cmap(0.5 + 0.5 * dl / max(abs(min(deltas)), max(deltas))), label=f"delta={dl:g}")
    ax.set_xscale("log")
    ax.set_xlabel("parameter distance")
    ax.set_ylabel("Hamming distance")
    ax.set_title(f"tau = {c['tau_small']:g}, all checkpoints and replicas", fontsize=9)
    if len(deltas) <= 9:
        ax.legend(fontsize=6)
    fig.suptitle("XOR, two-layer ReLU net from a zero map (reconstruction of Fig. 5b)", fontsize=9)
    fig.tight_layout()
    return fig


def deep_kernel_fig(ctx, prediction, measurements):
    """S(0, t) against the step for each alpha (median over replicas, band: min-max), one panel per architecture/optimiser."""
    plt = _plt()
    m = measurements[0].raw
    S, alphas, steps, variants = m["S"], m["alphas"], m["steps"], list(m["variants"])
    fig, axes = plt.subplots(1, len(variants), figsize=(3.6 * len(variants), 3.6), squeeze=False)
    cmap = plt.get_cmap("coolwarm")
    x = np.concatenate([[0], steps])
    for ax, v, Sv in zip(axes[0], variants, S):
        for j, a in enumerate(alphas):
            curve = np.concatenate([np.zeros((Sv.shape[0], 1)), Sv[:, j, :]], axis=1)
            col = cmap(j / max(1, len(alphas) - 1))
            regime = "upstream" if a < 1 else ("balanced" if a == 1 else "downstream")
            ax.plot(x, np.median(curve, 0), "o-", color=col, ms=3, label=f"alpha={a:g} ({regime})")
            ax.fill_between(x, curve.min(0), curve.max(0), color=col, alpha=0.15)
        ax.set_title(str(v), fontsize=9)
        ax.set_xlabel("step")
        ax.set_ylabel("S(0, t)")
    axes[0][0].legend(fontsize=6)
    fig.suptitle("MNIST-1D: empirical-NTK kernel distance, first layer x alpha, last / alpha (reconstruction of Sec. 6a)", fontsize=9)
    fig.tight_layout()
    return fig
