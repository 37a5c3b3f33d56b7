"""Figures of the max_margin claims: `(ctx, prediction, measurements) -> matplotlib Figure`."""

from __future__ import annotations

import numpy as np

from verify.max_margin._neural_collapse import DIGITS_KEYS

__all__ = ["a3_figure", "kkt_residual_figure", "gamma_limit_figure", "discard_figure", "digits_trend_figure"]


def a3_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt  # lazily: pyplot only when a figure is drawn

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    target = np.asarray(pred.raw["pred"])
    for j, m in enumerate(("M1", "M2", "M3")):
        r = meas[0].raw
        ell, lt, p = np.asarray(r[f"{m}_ell"]), np.asarray(r[f"{m}_log10_t"]), np.asarray(r[f"{m}_pred"])
        err = np.linalg.norm(p - target[j], axis=1)
        ax[0].loglog(ell, err, label=m)
        for c, lab in enumerate(("u1", "u2", "c")):
            ax[1].plot(lt, p[:, c], color=f"C{3 * j + c}", lw=1)
            ax[1].axhline(target[j, c], color=f"C{3 * j + c}", ls="--", lw=0.8)
    ax[0].set(xlabel="ell = log(1/L)", ylabel="|(u,c)/q_min - (P_Lambda) solution|", title="example A-3")
    ax[0].legend()
    ax[1].set(xscale="log", xlim=(1e-2, None), xlabel="log10(1 + t)", ylabel="(u, c)/q_min",
              title="dashed: predicted limits")
    fig.tight_layout()
    return fig


def kkt_residual_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt  # lazily: pyplot only when a figure is drawn

    fig, ax = plt.subplots(figsize=(5, 3.8))
    r = meas[0].raw
    for m in ("M1", "M2", "M3", "H3"):
        ax.loglog(np.asarray(r[f"{m}_ell"]), np.asarray(r[f"{m}_res"]), label=m)
    e = np.geomspace(10, 1e4, 10)
    ax.loglog(e, 3.0 / e, "k:", label="1/ell")
    ax.set(xlabel="ell = log(1/L)", ylabel="combined KKT residual of (P_Lambda)")
    ax.legend()
    fig.tight_layout()
    return fig


def gamma_limit_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt  # lazily: pyplot only when a figure is drawn

    fig, ax = plt.subplots(figsize=(5, 3.8))
    r = meas[0].raw
    for j, m in enumerate(("M1", "M2", "M3")):
        ax.semilogx(np.asarray(r[f"{m}_ell"]), np.asarray(r[f"{m}_gamma"]), color=f"C{j}", label=m)
        ax.axhline(np.asarray(pred.raw["gamma"])[j], color=f"C{j}", ls="--", lw=0.8)
    ax.set(xlabel="ell = log(1/L)", ylabel="smoothed margin gamma~", ylim=(0, 1.2), title="dashed: (P_Lambda) optimum")
    ax.legend()
    fig.tight_layout()
    return fig


def discard_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt  # lazily: pyplot only when a figure is drawn

    fig, ax = plt.subplots(figsize=(5, 3.8))
    r = meas[0].raw
    ax.loglog(np.asarray(r["ell"]), np.abs(np.asarray(r["c_over_q"])), label="A-2, a(v.x)+c: |c|/q_min")
    ax.loglog(np.asarray(r["sq_ell"]), np.abs(np.asarray(r["sq_c_over_q"])), label="A-1, w^2 x + b: |b|/q_min")
    ax.set(xlabel="ell = log(1/L)", ylabel="|bias| / q_min", title="predicted limit 0 (bias discarded)")
    ax.legend()
    fig.tight_layout()
    return fig


def digits_trend_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt  # lazily: pyplot only when a figure is drawn

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    r = meas[0].raw
    st = np.asarray(r["step"]) + 1
    for k in (*DIGITS_KEYS, "std_cos"):
        ax.loglog(st, np.asarray(r[k]), marker=".", label=k)
    ax.set(xlabel="gradient-flow step + 1 (after interpolation)", ylabel="collapse metric (-> 0 predicted)",
           title="digits, LayerNorm features + linear head")
    ax.legend()
    fig.tight_layout()
    return fig
