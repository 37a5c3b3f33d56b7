"""Claim 5: SGD robustness at the pruned rewind point: perturbations of the
successive-rewind-point size delta stay in the mode, perturbations of 8 delta leave it.

The perturbed copy x' is trained with a different data order from x (same init, mask and
rewind point), so the claim covers SGD noise as well as the perturbation; the barrier with
no perturbation (the SGD-noise floor) is reported beside it."""

from __future__ import annotations

import numpy as np

from verify.core.claims import Measurement, Prediction
from verify.lottery._experiments import robustness
from verify.lottery._profiles import TAU_B

__all__ = ["radius_theory", "radius_practice", "breaks_theory", "breaks_practice"]


def radius_theory(ctx):
    return Prediction(value=0.0, info={"why": "perturbations of the successive-rewind-point size delta return to the same mode"})


def radius_practice(ctx):
    r = robustness(ctx)
    i1 = int(np.argmin(np.abs(r["scales"] - 1.0)))
    vals = r["barrier"][:, i1]
    return Measurement(
        value=float(vals.mean()),
        raw={"barrier": r["barrier"], "scales": r["scales"], "levels": r["levels"], "delta": r["delta"], "noise_only": r["noise_only"]},
        info={
            "levels": r["levels"].tolist(), "delta": np.round(r["delta"], 3).tolist(), "barrier_at_delta": np.round(vals, 4).tolist(),
            "barrier_sgd_noise_only": np.round(r["noise_only"], 4).tolist(),
        },
    )


def breaks_theory(ctx):
    return Prediction(value=TAU_B, info={"why": "perturbations far beyond delta leave the mode: barrier above tau_B"})


def breaks_practice(ctx):
    r = robustness(ctx)
    big = int(np.argmax(r["scales"]))
    vals = r["barrier"][:, big]
    return Measurement(
        value=float(vals.mean()),
        raw={"barrier": r["barrier"], "scales": r["scales"], "noise_only": r["noise_only"]},
        info={
            "scale": float(r["scales"][big]), "barrier_per_level": np.round(vals, 4).tolist(), "levels": r["levels"].tolist(),
            "barrier_sgd_noise_only": np.round(r["noise_only"], 4).tolist(),
        },
    )
