"""Claim 1: the sign and permutation sets are invariant under SGD, exactly."""

from __future__ import annotations

import numpy as np

from numerics.stochastic_collapse import invariance_run
from theory.stochastic_collapse import TwoLayerNet, invariant_sets
from verify.core.claims import Measurement, Prediction, SkipClaim

__all__ = ["invariance_theory", "invariance_practice"]


def invariance_theory(ctx):
    """Symbolic check of every candidate set; the predicted distances to the sets are 0."""
    net = TwoLayerNet(d_in=2, width=3, d_out=2, activation=ctx["activation"])
    sets = invariant_sets(net)
    ok = all(inv for _, inv in sets)
    if not ok:
        raise SkipClaim(f"activation {ctx['activation']} has a non-invariant candidate set; the claim needs sigma(0) = 0")
    return Prediction(value=np.zeros(2), info={"invariant_sets": [s.describe() for s, _ in sets]})


def invariance_practice(ctx):
    """SGD with momentum, weight decay and label noise from a point in both sets: the largest
    distance to each set (and, for reference, the same run started 1e-8 away)."""
    c = ctx.config
    exact = invariance_run(steps=c["steps"], seed=ctx.stream_seed("invariance") % 2**31, activation=c["activation"])
    pert = invariance_run(steps=c["steps"], seed=ctx.stream_seed("invariance") % 2**31, activation=c["activation"], perturbation=1e-8)
    value = np.array([exact["dist_sign"].max(), exact["dist_perm"].max()])
    return Measurement(
        value=value,
        info={
            "perturbed_start_dist": [float(pert["dist_sign"][0]), float(pert["dist_perm"][0])],
            "perturbed_final_dist": [float(pert["dist_sign"][-1]), float(pert["dist_perm"][-1])],
        },
        raw={"perturbed_dist_sign": pert["dist_sign"], "perturbed_dist_perm": pert["dist_perm"]},
        counters={"train_steps": 2 * c["steps"]},
    )
