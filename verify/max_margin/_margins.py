"""Margins and invariants along the flow: the smoothed margin's limit and monotonicity, and the
conservation laws of the rescaling symmetries (toy example A-3, A-2)."""

from __future__ import annotations

import numpy as np

from verify.core.claims import Measurement, Prediction
from verify.max_margin._common import PENALISE, exact
from verify.max_margin._experiments import counters, examples

__all__ = [
    "gamma_limit_theory", "gamma_limit_practice",
    "monotone_theory", "monotone_practice",
    "conservation_theory", "conservation_practice",
]


def gamma_limit_theory(ctx):
    vals = []
    for m in ("M1", "M2", "M3"):
        s = exact("A3", PENALISE[m])
        v = np.array([float(x) for x in (*s.u, s.c)])
        norm = {"M1": np.linalg.norm(v), "M2": np.linalg.norm(v[:2]), "M3": abs(v[2])}[m]
        vals.append(1.0 / norm)  # lambda_max = 1: gamma~ -> 1/|theta*_M|
    return Prediction(value=np.array(vals), raw={"gamma": np.array(vals)})


def gamma_limit_practice(ctx):
    run = examples(ctx)
    keys = ["A3/M1", "A3/M2", "A3/M3"]
    raw = {}
    for k in keys:
        raw[k.split("/")[1] + "_ell"], raw[k.split("/")[1] + "_gamma"] = run[k]["traj_ell"], run[k]["traj_gamma"]
    return Measurement(value=np.array([run[k]["traj_gamma"][-1] for k in keys]), raw=raw,
                       counters=counters(run, keys))


def monotone_theory(ctx):
    return Prediction(value=np.zeros(5))


def monotone_practice(ctx):
    run = examples(ctx)
    keys = ["A3/M1", "A3/M2", "A3/M3", "A3/H3", "A2/M2"]
    return Measurement(value=np.array([run[k]["gamma_worst_relative_drop"].min() for k in keys]),
                       counters=counters(run, keys))


def conservation_theory(ctx):
    return Prediction(value=np.zeros(4))


def conservation_practice(ctx):
    run = examples(ctx)
    keys = ["A3/M2", "A3/M3", "A3/H3", "A2/M3"]
    return Measurement(value=np.array([run[k]["conservation_drift"].max() for k in keys]),
                       counters=counters(run, keys))
