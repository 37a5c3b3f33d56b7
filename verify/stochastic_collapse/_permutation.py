"""Claim `permutation_toy`: the two-GELU-neuron toy of the official code collapses onto the
permutation set {w1 = w2, a1 = a2} where the normal exponent of the SGD map is negative
(above the noise threshold: sigma > 0, the set being neutral at sigma = 0) and not where it is
positive (above the upper threshold, where strong noise moves the on-set dynamics).

Theory: `permutation_normal_exponent` per noise level -> an interval per level for the
collapsed fraction: [1, 1] where the exponent predicts a fall of >= `sure_decades` over the
second half of the run, [0, 0] where it is >= 0 (by 3 se, or exactly 0 at sigma = 0), else
[0, 1] (too close to a threshold to tell at this run length). Practice: nonlinear SGD from the
start (`start_offset=None`) or from near the set (the start's projection offset by
`start_offset`), batched over levels and runs; a run counts as collapsed when the paper's
relative neuron distance fell by >= `decades` decades over the second half of the run and
ends below `floor`.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.stochastic_collapse import permutation_toy_data, permutation_toy_runs
from theory.stochastic_collapse import permutation_normal_exponent
from verify.core.claims import Measurement, Prediction
from verify.core.stats import wilson_interval

__all__ = ["permutation_toy_theory", "permutation_toy_practice", "permutation_toy_figure"]


def _data(ctx):
    return permutation_toy_data(n=8, seed=ctx["data_seed"])


def permutation_toy_theory(ctx):
    x, y = _data(ctx)
    sig = np.asarray(ctx["sigmas"], dtype=float)
    lam, se = permutation_normal_exponent(ctx["eta"], sig, x, y, n_chains=ctx["theory_chains"], steps=ctx["theory_steps"], burn=ctx["theory_burn"],
                                          seed=ctx.stream_seed("permutation_theory") % 2**31)
    half = ctx["steps"] // 2
    fall = -2 * lam * half / math.log(10)  # predicted decades of the squared distance over the second half
    iv = []
    for s_, l_, e_, f_ in zip(sig, lam, se, fall):
        if l_ < 0 and f_ >= ctx["sure_decades"] and l_ + 3 * e_ < 0:
            iv.append([1.0, 1.0])
        elif s_ == 0 or l_ - 3 * e_ >= 0:
            iv.append([0.0, 0.0])
        else:
            iv.append([0.0, 1.0])
    # the upper threshold: zero crossing of the exponent between grid levels (for the report)
    up = [float(s0 + (s1 - s0) * (-l0) / (l1 - l0)) for s0, s1, l0, l1 in zip(sig[:-1], sig[1:], lam[:-1], lam[1:]) if s0 > 0 and l0 < 0 <= l1]
    return Prediction(value=np.array(iv), raw={"sigmas": sig, "exponent": lam, "exponent_se": se},
                      info={"exponent_per_step": lam.tolist(), "exponent_se": se.tolist(), "predicted_decades_second_half": fall.tolist(),
                            "lower_threshold": 0.0, "upper_threshold": up[0] if up else None})


def permutation_toy_practice(ctx):
    x, y = _data(ctx)
    if ctx["start_offset"] is None:  # the official start
        start = {}
    else:  # near the set (the definition of attractivity): the start's projection, offset normally
        dlt = ctx["start_offset"]
        start = dict(w_in=(0.8 + dlt, 0.8 - dlt), w_out=(-0.5 + dlt, -0.5 - dlt))
    out = permutation_toy_runs(ctx["eta"], ctx["sigmas"], x, y, n_runs=ctx["n_runs"], steps=ctx["steps"], seed=ctx.stream_seed("permutation") % 2**31,
                               record_every=ctx["steps"] // 20, device=ctx.device, **start)
    d2 = out["rel_dist2"]
    rs = list(out["record_steps"])
    mid = d2[int(np.argmin(np.abs(np.asarray(rs) - ctx["steps"] // 2)))]
    end = d2[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        fell = np.log10(end) - np.log10(mid)
    collapsed = np.isfinite(end) & ((end == 0) | ((fell <= -ctx["decades"]) & (end < ctx["floor"])))
    sign_set = np.isfinite(end) & (end > 1.9)  # one neuron vanished: the run went to the other invariant set
    k, n = collapsed.sum(1), collapsed.shape[1]
    with np.errstate(divide="ignore"):
        med = np.median(np.log10(np.where(np.isfinite(d2), d2, np.inf)), axis=2)
    return Measurement(value=k / n, raw={"record_steps": out["record_steps"], "median_log10_dist2": np.maximum(med, -320.0), "sigmas": np.asarray(ctx["sigmas"])},
                       info={"collapsed_fraction": (k / n).tolist(), "ended_in_sign_set": sign_set.mean(1).tolist(), "wilson95": [np.round(wilson_interval(int(a), n, z=1.96), 3).tolist() for a in k]},
                       counters={"train_steps": ctx["steps"] * d2.shape[1] * n})


def permutation_toy_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    sig = np.asarray(pred.raw["sigmas"])
    for j, s_ in enumerate(sig):
        curves = np.stack([m.raw["median_log10_dist2"][:, j] for m in meas])
        ax1.plot(meas[0].raw["record_steps"], np.median(curves, 0), label=f"sigma={s_:g}")
    ax1.set_xlabel("SGD step")
    ax1.set_ylabel("median log10 rel. distance 2|v1-v2|^2/(|v1|^2+|v2|^2)")
    ax1.set_ylim(bottom=-40)
    ax1.legend(fontsize=7)
    frac = np.stack([np.asarray(m.value) for m in meas])
    ax2.errorbar(sig, frac.mean(0), yerr=frac.std(0, ddof=1) / math.sqrt(len(meas)) if len(meas) > 1 else None, fmt="o", label="collapsed fraction (SGD)")
    iv = np.asarray(pred.value)
    ax2.fill_between(sig, iv[:, 0], iv[:, 1], alpha=0.2, step="mid", label="theory (sign of exponent)")
    ax3 = ax2.twinx()
    ax3.plot(sig, pred.raw["exponent"], "k--", lw=1)
    ax3.axhline(0, color="k", lw=0.5)
    ax3.set_ylabel("normal exponent per step (theory)")
    ax2.set_xlabel("label noise sigma")
    ax2.set_ylabel("fraction collapsed")
    ax2.legend(fontsize=7, loc="center left")
    fig.tight_layout()
    return fig
