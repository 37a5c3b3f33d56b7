"""Issue 18, `lazy_rich.deep_potential`: the implicit bias of the deep-linear potential Phi_L against the flow.

Single-path deep linear network f(x) = a_L ... a_2 w^T x (the brief's §2.3 reading of the paper's deep
potential), unit learning rates. Every case starts from the same beta0 (matched overall scale) with
per-layer imbalance delta_l = a_{l+1}^2 - a_l^2 = delta for every l: upstream delta > 0 (small first layer),
balanced delta = 0, downstream delta < 0. Theory: `theory.lazy_rich.deep_implicit_bias` (dual Newton on
Phi_L^*). Practice: the deep-linear gradient flow (`numerics.lazy_rich.deep_linear_flow`, diffrax Dopri8,
float64) to t_long, its limit read off the last saved time. Depths L and the delta grid are varied.
"""

from __future__ import annotations

import numpy as np

from numerics.lazy_rich import deep_linear_flow
from theory.lazy_rich import deep_implicit_bias
from verify.core.claims import Measurement, Prediction

#: the official notebook's Fig. 4b low-rank problem (one data point)
FIG4B_X = np.array([[0.5, 1.0]])
FIG4B_Y = np.array([1.1])
FIG4B_BETA0 = np.array([0.4, 0.05])


def deep_cases(c):
    """(X, y, beta0, L, delta) for the Fig. 4b problem and `n_random` random low-rank problems."""
    probs = [(FIG4B_X, FIG4B_Y, FIG4B_BETA0)]
    rng = np.random.default_rng(c["case_seed"])
    for _ in range(c["n_random"]):
        X = rng.normal(size=(c["n"], c["d"])) / np.sqrt(c["d"])
        b0 = rng.normal(size=c["d"])
        probs.append((X, rng.normal(size=c["n"]), c["beta0_norm"] * b0 / np.linalg.norm(b0)))
    return [(X, y, b0, L, dl) for (X, y, b0) in probs for L in c["depths"] for dl in c["deltas"]]


def single_path_init(beta0, L, delta):
    """w0 = u0 bhat0 and a_l = sqrt(u0^2 + (l - 1) delta) with a_L ... a_2 |w0| = |beta0| (bisection on u0)."""
    r = float(np.linalg.norm(beta0))
    cs = delta * np.arange(1, L)

    def norm_beta(u):
        return u * np.prod(np.sqrt(np.maximum(u**2 + cs, 0.0)))

    lo = np.sqrt(max(0.0, -cs.min()))
    hi = lo + 1.0
    while norm_beta(hi) < r:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if norm_beta(mid) >= r else (mid, hi)
    u0 = (lo + hi) / 2
    return u0 * beta0 / r, np.sqrt(u0**2 + cs)


def deep_potential_theory(ctx):
    cases = deep_cases(ctx.config)
    betas = [deep_implicit_bias(X, y, b0, [dl] * (L - 1)) for X, y, b0, L, dl in cases]
    return Prediction(value=np.concatenate(betas), raw={"beta_inf": np.stack([np.pad(b, (0, 8 - b.size)) for b in betas])},
                      info={"n_cases": len(cases)})


def deep_potential_practice(ctx):
    c = ctx.config
    cases = deep_cases(c)
    t = np.linspace(0.0, c["t_long"], c["n_times"])
    half = int(np.searchsorted(t, c["t_long"] / 2))
    changes, min_a, resid, limits, paths, steps = [], [], [], [], [], 0
    for X, y, b0, L, dl in cases:
        w0, a0 = single_path_init(b0, L, dl)
        weights = [w0[None, :]] + [np.array([[a]]) for a in a0]
        out, info = deep_linear_flow(weights, X, y, t, rtol=c["rtol"], atol=c["atol"], max_steps=c["max_steps"], full_output=True)
        steps += int(info["solver_steps"])
        prod = np.prod(np.stack([o[:, 0, 0] for o in out[1:]]), axis=0)
        beta = prod[:, None] * out[0][:, 0, :]
        changes.append(float(np.max(np.abs(beta[-1] - beta[half]))))
        min_a.append(float(min(o[:, 0, 0].min() for o in out[1:])))
        resid.append(float(np.max(np.abs(X @ beta[-1] - y))))
        limits.append(beta[-1])
        if X.shape == FIG4B_X.shape:
            paths.append(beta)
    return Measurement(value=np.concatenate(limits),
                       raw={"fig4b_paths": np.stack(paths), "fig4b_L": np.array([L for X, _, _, L, _ in cases if X is FIG4B_X]),
                            "fig4b_delta": np.array([dl for X, _, _, _, dl in cases if X is FIG4B_X])},
                       counters={"solver_steps": steps, "hit_max_steps": False},
                       info={"max_change_over_last_half": max(changes), "max_residual": max(resid),
                             "min_scalar_layer": min(min_a), "n_cases": len(cases),
                             "readouts_keep_sign": bool(min(min_a) > 0)})
