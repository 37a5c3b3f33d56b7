"""Claims 2-8: the toy models. The quartic well and the single tanh neuron under the
stochastic gradient flow (diffrax paths), and the neuron under discrete label-noise SGD.

Thresholds are measured as zero crossings of path-estimated Lyapunov exponents
(`verify.core.stats.zero_crossing`); collapse probabilities come with 95% Wilson intervals
(z = 1.96, as in the stored runs).
"""

from __future__ import annotations

import math

import jax
import numpy as np

from numerics.stochastic_collapse import (
    neuron_sde_lyapunov,
    neuron_sde_paths,
    quartic_lyapunov,
    quartic_paths,
    sgd_neuron_lyapunov,
    sgd_neuron_runs,
)
from theory.stochastic_collapse import (
    neuron_exponents,
    neuron_threshold_eta,
    quartic_lyapunov_exponent_em,
    quartic_stationary_mass,
    quartic_threshold,
    sgd_neuron_exponent,
    sgd_neuron_threshold,
    sgd_neuron_threshold_small_eta,
)
from verify.core.claims import Measurement, Prediction
from verify.core.stats import wilson_interval, zero_crossing
from verify.stochastic_collapse._experiments import neuron_data, sgd_points

__all__ = [
    "quartic_threshold_theory",
    "quartic_threshold_practice",
    "quartic_probability_theory",
    "quartic_probability_practice",
    "neuron_threshold_theory",
    "neuron_threshold_practice",
    "neuron_probability_theory",
    "neuron_probability_practice",
    "sgd_exponent_theory",
    "sgd_exponent_practice",
    "sgd_collapse_theory",
    "sgd_collapse_practice",
    "batch_scaling_theory",
    "batch_scaling_practice",
]


# --------------------------------------------------------------------------- quartic well


def quartic_threshold_theory(ctx):
    mu = ctx["mu"]
    z = np.asarray(ctx["zetas"], float)
    return Prediction(
        value=float(quartic_threshold(mu)),
        raw={"zetas": z, "exponent_em": quartic_lyapunov_exponent_em(mu, z, ctx["dt"])},
        info={"note": "zeta* = sqrt(2 mu); exponent of the Euler-Maruyama scheme at the same dt in raw"},
    )


def quartic_threshold_practice(ctx):
    c = ctx.config
    lam = np.asarray(quartic_lyapunov(c["zetas"], c["mu"], n_paths=c["n_paths"], key=ctx.jax_key("quartic_lyap"), t_chunk=c["t_chunk"], n_chunks=c["n_chunks"], dt=c["dt"]))
    means, ses = lam.mean(1), lam.std(1, ddof=1) / math.sqrt(lam.shape[1])
    root, se = zero_crossing(c["zetas"], means, ses)
    return Measurement(
        value=root,
        stderr=se,
        raw={"zetas": np.asarray(c["zetas"]), "exponent_mean": means, "exponent_se": ses},
        info={"exponents": np.round(means, 4).tolist(), "exponent_se": np.round(ses, 4).tolist()},
        counters={"solver_steps": int(lam.size * (c["n_chunks"] + 0) * c["t_chunk"] / c["dt"])},
    )


def quartic_probability_theory(ctx):
    z = np.asarray(ctx["zetas"], float)
    return Prediction(
        value=quartic_stationary_mass(ctx["eps"], ctx["mu"], z),
        info={"threshold": float(quartic_threshold(ctx["mu"])), "note": "stationary P(|theta|<eps); 1 above the threshold"},
    )


def quartic_probability_practice(ctx):
    c = ctx.config
    th, nsteps = quartic_paths(c["zetas"], c["mu"], n_paths=c["n_paths"], t1=c["t1"], dt=c["dt"], key=ctx.jax_key("quartic_prob"))
    th = np.asarray(th)
    hit = np.abs(th) < c["eps"]
    k, n = hit.sum(1), hit.shape[1]
    p = k / n
    return Measurement(
        value=p,
        stderr=np.sqrt(np.maximum(p * (1 - p), 1 / n) / n),
        raw={"zetas": np.asarray(c["zetas"]), "wilson": wilson_interval(k, n, z=1.96)},
        info={"wilson95": np.round(wilson_interval(k, n, z=1.96), 3).tolist()},
        counters={"nan": bool(np.any(~np.isfinite(th))), "solver_steps": int(np.asarray(nsteps).sum())},
    )


# --------------------------------------------------------------------------- single neuron (SGF)


def neuron_threshold_theory(ctx):
    x, y = neuron_data(ctx)
    return Prediction(value=float(neuron_threshold_eta(ctx["zeta"], x, y)), info={"sum_xy_over_sum_xx": float(x @ y / (x @ x))})


def neuron_threshold_practice(ctx):
    c = ctx.config
    x, y = neuron_data(ctx)
    etas = np.asarray(c["etas"], float)
    lam = np.asarray(neuron_sde_lyapunov(etas, c["zeta"], x, y, n_paths=c["n_paths"], key=ctx.jax_key("neuron_lyap"), t_chunk=c["t_chunk"], n_chunks=c["n_chunks"], dt=c["dt"]))
    means, ses = lam.mean(1), lam.std(1, ddof=1) / math.sqrt(lam.shape[1])
    root, se = zero_crossing(etas, means, ses)
    return Measurement(value=root, stderr=se, raw={"etas": etas, "exponent_mean": means, "exponent_se": ses},
                       info={"exponents": np.round(means, 4).tolist(), "exponent_se": np.round(ses, 4).tolist()})


def neuron_probability_theory(ctx):
    x, y = neuron_data(ctx)
    eta_star = float(neuron_threshold_eta(ctx["zeta"], x, y))
    etas = np.asarray(ctx["etas"], float)
    lam_plus = neuron_exponents(etas, ctx["zeta"], x, y)[0]
    return Prediction(value=(lam_plus < 0).astype(float), info={"eta_star": eta_star, "exponent": lam_plus.round(4).tolist()})


def neuron_probability_practice(ctx):
    c = ctx.config
    x, y = neuron_data(ctx)
    etas = np.asarray(c["etas"], float)
    w, nsteps = neuron_sde_paths(etas, c["zeta"], x, y, n_paths=c["n_paths"], t1=c["t1"], dt=c["dt"], key=ctx.jax_key("neuron_prob"), init_std=c["init_std"])
    w = np.asarray(w)
    hit = np.linalg.norm(w, axis=-1) < c["eps"]
    k, n = hit.sum(1), hit.shape[1]
    return Measurement(value=k / n, raw={"etas": etas, "wilson": wilson_interval(k, n, z=1.96)}, info={"wilson95": np.round(wilson_interval(k, n, z=1.96), 3).tolist()},
                       counters={"nan": bool(np.any(~np.isfinite(w))), "solver_steps": int(np.asarray(nsteps).sum())})


# --------------------------------------------------------------------------- single neuron (discrete SGD)


def sgd_exponent_theory(ctx):
    x, y = neuron_data(ctx)
    rng = ctx.rng("batches")
    vals, ses = [], []
    for zeta, B, eta in sgd_points(ctx):
        lp, lm, se = sgd_neuron_exponent(eta, zeta, x, y, int(B), n_batches=ctx["n_batches"], rng=rng)
        vals.append(max(lp[0], lm[0]))
        ses.append(se[0])
    return Prediction(value=np.array(vals), stderr=np.maximum(np.array(ses), 1e-12), info={"points(zeta,B,eta)": sgd_points(ctx)})


def sgd_exponent_practice(ctx):
    c = ctx.config
    x, y = neuron_data(ctx)
    key = ctx.jax_key("sgd_lyap")
    groups: dict = {}
    for i, (zeta, B, eta) in enumerate(sgd_points(ctx)):
        groups.setdefault((zeta, int(B)), []).append((i, eta))
    means, ses = np.zeros(len(sgd_points(ctx))), np.zeros(len(sgd_points(ctx)))
    for (zeta, B), items in groups.items():
        key, sub = jax.random.split(key)
        lam = np.asarray(sgd_neuron_lyapunov([e for _, e in items], zeta, x, y, batch_size=B, n_runs=c["n_runs"], steps=c["steps"], key=sub))
        for (i, _), row in zip(items, lam):
            means[i], ses[i] = row.mean(), row.std(ddof=1) / math.sqrt(row.size)
    return Measurement(value=means, stderr=ses, counters={"train_steps": len(means) * c["n_runs"] * c["steps"]})


def sgd_collapse_theory(ctx):
    x, y = neuron_data(ctx)
    rng = ctx.rng("batches")
    pred, lam = [], []
    for zeta, B, eta in sgd_points(ctx):
        lp, lm, _ = sgd_neuron_exponent(eta, zeta, x, y, int(B), n_batches=ctx["n_batches"], rng=rng)
        top = max(lp[0], lm[0])
        lam.append(round(float(top), 5))
        pred.append(1.0 if top < 0 else 0.0)
    return Prediction(value=np.array(pred), info={"exponent_top": lam, "points(zeta,B,eta)": sgd_points(ctx)})


def sgd_collapse_practice(ctx):
    c = ctx.config
    x, y = neuron_data(ctx)
    key = ctx.jax_key("sgd_runs")
    pts = sgd_points(ctx)
    frac = np.zeros(len(pts))
    diverged = False
    for i, (zeta, B, eta) in enumerate(pts):
        key, sub = jax.random.split(key)
        w = np.asarray(sgd_neuron_runs([eta], zeta, x, y, batch_size=int(B), n_runs=c["n_runs"], steps=c["steps"], key=sub))[0]
        nrm = np.linalg.norm(w, axis=-1)
        diverged |= bool(np.any(~np.isfinite(nrm)))
        frac[i] = np.mean(np.isfinite(nrm) & (nrm < c["eps"]))
    return Measurement(value=frac, counters={"diverged": diverged, "train_steps": len(pts) * c["n_runs"] * c["steps"]})


def batch_scaling_theory(ctx):
    x, y = neuron_data(ctx)
    zeta = ctx["zeta"]
    lows = [sgd_neuron_threshold(zeta, x, y, int(B), n_batches=ctx["n_batches"], rng=ctx.rng(f"batches{B}"))[0] for B in ctx["batches"]]
    small = [float(sgd_neuron_threshold_small_eta(zeta, x, y, int(B))) for B in ctx["batches"]]
    return Prediction(value=lows[1] / lows[0], info={"eta_low_exact": lows, "eta_low_small_eta_formula": small, "ratio_small_eta": small[1] / small[0]})


def batch_scaling_practice(ctx):
    c = ctx.config
    x, y = neuron_data(ctx)
    key = ctx.jax_key("sgd_scaling")
    roots, ses, raw = [], [], {}
    for B, grid in zip(c["batches"], c["eta_grids"]):
        key, sub = jax.random.split(key)
        lam = np.asarray(sgd_neuron_lyapunov(grid, c["zeta"], x, y, batch_size=int(B), n_runs=c["n_runs"], steps=c["steps"], key=sub))
        m, s = lam.mean(1), lam.std(1, ddof=1) / math.sqrt(lam.shape[1])
        r, se = zero_crossing(grid, m, s)
        roots.append(r)
        ses.append(se)
        raw[f"exponent_B{B}"] = m
    ratio = roots[1] / roots[0]
    se = ratio * math.sqrt((ses[0] / roots[0]) ** 2 + (ses[1] / roots[1]) ** 2)
    return Measurement(value=ratio, stderr=se, raw=raw, info={"eta_low_measured": roots, "eta_low_se": ses})
