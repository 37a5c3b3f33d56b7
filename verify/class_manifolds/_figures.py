"""Figures: success probability against the cut dimension, with sigmoid fits and theory curves."""

from __future__ import annotations

import numpy as np

from numerics.class_manifolds import sigmoid_log


def _plot_curves(ax, dims, rate, popt, label, color):
    ax.scatter(dims, rate, s=14, color=color, label=f"measured {label}")
    if popt is not None and np.all(np.isfinite(popt)) and popt[1] > 0:
        xs = np.geomspace(max(dims.min(), 1.0), dims.max(), 300)
        ax.plot(xs, sigmoid_log(xs, *popt), "--", color=color, label=f"sigmoid fit {label}")


def success_figure(title: str):
    """A claim's figure: each measured `rate_<name>` curve (with its `popt_<name>` fit) and,
    where the prediction has one, the theory curve `curve_<name>` on `grid`."""

    def fig_fn(ctx, prediction, measurements):
        import matplotlib.pyplot as plt  # heavy; only the figure step needs it

        fig, ax = plt.subplots(figsize=(6.5, 4))
        m = measurements[0]
        names = [k[len("rate_"):] for k in m.raw if k.startswith("rate_")]
        colors = plt.cm.tab10(np.linspace(0, 1, 10))
        for i, name in enumerate(names):
            c = colors[i % 10]
            _plot_curves(ax, np.asarray(m.raw["dims"]), np.asarray(m.raw[f"rate_{name}"]), m.raw.get(f"popt_{name}"), name, c)
            if f"curve_{name}" in prediction.raw:
                ax.plot(prediction.raw["grid"], prediction.raw[f"curve_{name}"], "-", color=c, alpha=0.6, label=f"theory {name}")
        ax.set_xscale("log")
        ax.set_xlabel("cut dimension d")
        ax.set_ylabel("success probability")
        ax.axhline(0.5, color="gray", lw=0.5)
        ax.set_title(title)
        ax.legend(fontsize=6, ncol=2)
        fig.tight_layout()
        return fig

    return fig_fn


def labels_figure(ctx, prediction, measurements):
    """True vs random labels, two panels: the same epoch budget (decides the claim) and the same
    train accuracy (brief B.7.3), each with its difference of class-mean d_eff."""
    import matplotlib.pyplot as plt

    m = measurements[0]
    dims = np.asarray(m.raw["dims"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, key, what in ((axes[0], "epochs", "same epochs (decides)"), (axes[1], "accuracy", "same train accuracy")):
        inf = m.info.get(f"matched_{key}", {})
        for name, color in (("true", "tab:blue"), ("random", "tab:red")):
            r = m.raw.get(f"rate_{name}_{key}")
            if r is None:
                continue
            sub = inf.get(name, {})
            lab = f"{name}: epoch {sub.get('epochs')}, acc {sub.get('train_acc', float('nan')):.2f}, d_eff {sub.get('mean_d_eff')}"
            _plot_curves(ax, dims, np.asarray(r), m.raw.get(f"popt_{name}_{key}"), lab, color)
        ax.set_xscale("log")
        ax.set_xlabel("cut dimension d")
        ax.axhline(0.5, color="gray", lw=0.5)
        ci = inf.get("diff_ci90", [float("nan")] * 2)
        ax.set_title(f"{what}: Delta d_eff = {inf.get('diff', float('nan')):.1f} (90% bootstrap [{ci[0]:.1f}, {ci[1]:.1f}])",
                     fontsize=9)
        ax.legend(fontsize=6)
    axes[0].set_ylabel("success probability (mean over classes)")
    fig.suptitle("true vs random labels (first seed)", fontsize=10)
    fig.tight_layout()
    return fig


def robustness_figure(ctx, prediction, measurements):
    """Class-mean d_eff against robustness (-accuracy drop under corruption), one point per
    model, each seed in its own colour, with the seed's Spearman rho."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    colors = plt.cm.tab10(np.linspace(0, 1, 10))
    for i, m in enumerate(measurements):
        rob, deff = np.asarray(m.raw["robustness"]), np.asarray(m.raw["d_eff"])
        ci = m.info.get("rho_bootstrap_ci95") or [float("nan")] * 2
        ax.scatter(rob, deff, s=22, color=colors[i % 10],
                   label=f"seed {i}: rho = {float(m.value):.2f} (95% bootstrap [{ci[0]:.2f}, {ci[1]:.2f}])")
        if i == 0:
            for x, yv, lab in zip(rob, deff, m.raw.get("labels", [])):
                ax.annotate(lab, (x, yv), fontsize=5, alpha=0.7)
    ax.set_xlabel("robustness = -(clean acc - mean acc under Gaussian corruption)")
    ax.set_ylabel("class-mean d_eff = D - d*_50%")
    ax.set_title("robustness vs class-manifold dimension (prediction: rho >= 0)", fontsize=9)
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


def train_size_figure(ctx, prediction, measurements):
    """Class-mean d_eff (left) and test accuracy (right) against the training-set size, per seed."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    colors = plt.cm.tab10(np.linspace(0, 1, 10))
    for i, m in enumerate(measurements):
        n = np.asarray(m.raw["sizes"])
        axes[0].plot(n, m.raw["d_eff"], "o-", color=colors[i % 10], label=f"seed {i}: Delta = {float(m.value):.2f}")
        axes[1].plot(n, m.raw["test_acc"], "o-", color=colors[i % 10])
    for ax, lab in ((axes[0], "class-mean d_eff = D - d*_50%"), (axes[1], "test accuracy")):
        ax.set_xscale("log")
        ax.set_xlabel("training-set size (equal SGD steps)")
        ax.set_ylabel(lab)
    axes[0].legend(fontsize=6)
    fig.suptitle("class-manifold dimension vs training-set size (prediction: more data >= less)", fontsize=10)
    fig.tight_layout()
    return fig
