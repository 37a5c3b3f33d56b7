"""Theory and practice of the basis-robustness claim (brief B.7.5): orthonormal and unit-norm
Gaussian bases of the cut give the same success probability on the trained reference model."""

from __future__ import annotations

import numpy as np

from verify.class_manifolds._common import deff_interval, main_run, relation_raw
from verify.class_manifolds._experiments import dims_grid
from verify.core.claims import Measurement, Prediction


def bases_theory(ctx) -> Prediction:
    """Zero difference at every swept d <= D/4."""
    D = 64 if ctx.config.get("data", "digits") == "digits" else 3 * int(ctx.config.get("image_size", 32)) ** 2
    n_sel = int(sum(1 for d in dims_grid(ctx.config, D) if d <= D / 4))
    return Prediction(value=np.zeros(n_sel), info={"reason": "span(M) is a uniformly random d-subspace for both bases and the "
                                                   "budget ||x - X0|| <= radius is basis-free; only Adam's path differs"})


def bases_practice(ctx) -> Measurement:
    """Orthonormal minus Gaussian pooled success rates per d <= D/4, with binomial standard errors."""
    main = main_run(ctx)
    g, o, a = main["sweeps"][-1], main["basis_orthonormal"], main["basis_axis_aligned"]
    D = g["D"]
    dims = g["dims"]
    sel = dims <= D / 4
    n = g["rate"].shape[0] * int(ctx.config["reps"])  # runs pooled over classes per d

    def smoothed(rate):
        k = rate * n
        return (k + 1) / (n + 2)

    pg, po = smoothed(g["rate"].mean(0)[sel]), smoothed(o["rate"].mean(0)[sel])
    se = np.sqrt(pg * (1 - pg) / n + po * (1 - po) / n)
    diff = o["rate"].mean(0)[sel] - g["rate"].mean(0)[sel]
    info = {
        "dims_compared": dims[sel].tolist(),
        "rate_gaussian_unit": np.round(g["rate"].mean(0)[sel], 3).tolist(),
        "rate_orthonormal": np.round(o["rate"].mean(0)[sel], 3).tolist(),
        "mean_d_star": {"gaussian_unit": float(g["d_star_clipped"].mean()), "orthonormal": float(o["d_star_clipped"].mean()),
                        "axis_aligned": float(a["d_star_clipped"].mean())},
        "axis_minus_gaussian_mean_d_star": float(a["d_star_clipped"].mean() - g["d_star_clipped"].mean()),
        "axis_minus_gaussian_ci90": deff_interval(g["mean_deff_boot"], a["mean_deff_boot"]),
    }
    return Measurement(value=diff, stderr=se, raw=relation_raw([("gaussian_unit", g), ("orthonormal", o), ("axis_aligned", a)]), info=info)
