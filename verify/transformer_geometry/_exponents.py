"""The two exponents at collapse, theory against simulation: the angle exponent (departure of
near-collapsed tokens), the gradient exponent (Jacobian growth), the per-block mode gains
they are built from, and the phase boundaries where each exponent vanishes."""

from __future__ import annotations

import math

import numpy as np

from theory.transformer_geometry import angle_exponent, block_gains, critical_value, gradient_exponent, phase_diagram
from verify.core.claims import Measurement, Prediction
from verify.core.stats import mean_se
from verify.transformer_geometry._experiments import (
    block_kwargs,
    departure_rates,
    gradient_rates,
    shared_keys,
    simulate_case,
)

# --------------------------------------------------------------------------- angle exponent


def angle_theory(ctx):
    cfg = ctx.config
    vals = [angle_exponent(**block_kwargs(cfg, alpha=a, sigma_w=s)) for a, s in cfg["cases"]]
    return Prediction(value=np.array(vals), stderr=np.zeros(len(vals)))


def angle_practice(ctx):
    cfg = ctx.config
    vals, ses = [], []
    for k, (a, s) in enumerate(cfg["cases"]):
        mu, se = mean_se(departure_rates(ctx, cfg, dict(alpha=a, sigma_w=s), f"ang{k}"))
        vals.append(mu)
        ses.append(se)
    return Measurement(value=np.array(vals), stderr=np.array(ses))


# --------------------------------------------------------------------------- gradient exponent


def gradient_theory(ctx):
    cfg = ctx.config
    vals, info = [], {}
    for a, s in cfg["cases"]:
        prm = block_kwargs(cfg, alpha=a, sigma_w=s)
        vals.append(gradient_exponent(n_layers=cfg["n_layers"], q0=1.0, **prm))
        # per-mode rates along the collapsed norm trajectory (compare with the measured common/diff probes)
        q, lc, ld = 1.0, 0.0, 0.0
        for _ in range(cfg["n_layers"]):
            g = block_gains(q=q, **prm)
            lc, ld, q = lc + math.log(g["g_comm"]), ld + math.log(g["g_diff"]), g["q_next"]
        info[f"alpha={a},sigma_w={s}"] = dict(common_mode=lc / cfg["n_layers"], differential_mode=ld / cfg["n_layers"],
                                              infinite_depth=gradient_exponent(**prm))  # fmt: skip
    return Prediction(value=np.array(vals), stderr=np.zeros(len(vals)), info=info)


def gradient_practice(ctx):
    cfg = ctx.config
    vals, ses, info = [], [], {}
    n, d, L = cfg["n_tokens"], cfg["d"], cfg["n_layers"]
    for k, (a, s) in enumerate(cfg["cases"]):
        lam, se, comm, diff, _ = gradient_rates(ctx, cfg, dict(alpha=a, sigma_w=s), f"grad{k}")
        vals.append(lam)
        ses.append(se)
        info[f"alpha={a},sigma_w={s}"] = dict(common_mode=comm, differential_mode=diff,
                                              unnormalised=lam + math.log(n * d) / L)  # fmt: skip
    return Measurement(value=np.array(vals), stderr=np.array(ses), info=info)


# --------------------------------------------------------------------------- mode gains of one block


def gains_theory(ctx):
    cfg = ctx.config
    vals = []
    for res, a, s in cfg["cases"]:
        g = block_gains(q=cfg["q0"], **block_kwargs(cfg, alpha=a, sigma_w=s, residual=res))
        vals += [g["g_diff"], g["g_comm"]]
    return Prediction(value=np.array(vals), stderr=np.zeros(len(vals)))


def gains_practice(ctx):
    cfg = ctx.config
    vals, ses = [], []
    for k, (res, a, s) in enumerate(cfg["cases"]):
        out = simulate_case(ctx, cfg, dict(alpha=a, sigma_w=s, residual=res), f"gain{k}", n_layers=1, d=cfg["d"],
                            draws=cfg["draws"], rho0=1.0, q0=cfg["q0"], n_common_probes=cfg["probes"],
                            n_diff_probes=cfg["probes"])  # fmt: skip
        for key in ("gain_diff", "gain_common"):
            mu, se = mean_se(out[key].cpu().numpy()[:, 1])
            vals.append(mu)
            ses.append(se)
    return Measurement(value=np.array(vals), stderr=np.array(ses))


# --------------------------------------------------------------------------- phase boundary


def root_from_scan(xs: np.ndarray, ys: np.ndarray) -> float:
    """First sign change of ys(xs) by linear interpolation; else the root of a straight-line fit.

    (Not `verify.core.stats.zero_crossing`, which fits a weighted quadratic around the sign
    change with a parametric bootstrap: here the standard error comes from resampling the
    network draws, and a scan without a sign change still gives the extrapolated root.)
    """
    for i in range(len(xs) - 1):
        if ys[i] == 0:
            return float(xs[i])
        if ys[i] * ys[i + 1] < 0:
            return float(xs[i] - ys[i] * (xs[i + 1] - xs[i]) / (ys[i + 1] - ys[i]))
    slope, icpt = np.polyfit(xs, ys, 1)
    return float(-icpt / slope) if slope != 0 else float("nan")


def boundary_theory(ctx):
    cfg = ctx.config
    vals = []
    kw = {k: v for k, v in block_kwargs(cfg).items() if k not in ("alpha_attn", "alpha_mlp", "sigma_w")}
    for a in cfg["alphas"]:
        vals.append(critical_value("angle", "sigma_w", (0.5, 20.0), alpha_attn=a, alpha_mlp=a, **kw))
        vals.append(critical_value("gradient", "sigma_w", (0.5, 20.0), alpha_attn=a, alpha_mlp=a,
                                   n_layers=cfg["gradient"]["n_layers"], q0=1.0, **kw))  # fmt: skip
    alphas = np.linspace(0.05, 0.9, 35)
    pd = phase_diagram("alpha", alphas, "sigma_w", np.linspace(1.0, 8.0, 29), n_layers=cfg["gradient"]["n_layers"],
                       **kw)  # fmt: skip
    return Prediction(value=np.array(vals), stderr=np.zeros(len(vals)),
                      raw=dict(alphas=alphas, angle=pd["angle_boundary"], gradient=pd["gradient_boundary"]),
                      info=dict(crossing_alpha=float(pd["crossing"][0]), crossing_sigma_w=float(pd["crossing"][1])))  # fmt: skip


def boundary_practice(ctx):
    cfg = ctx.config
    rng = ctx.rng("bootstrap")
    vals, ses, raw = [], [], {}
    for i, a in enumerate(cfg["alphas"]):
        xa = np.asarray(cfg["angle_scan"], dtype=float)
        rates = np.stack([departure_rates(ctx, cfg["angle"] | shared_keys(cfg), dict(alpha=a, sigma_w=s), f"bda{i}_{j}")
                          for j, s in enumerate(xa)])  # fmt: skip  (scan, draws)
        xg = np.asarray(cfg["gradient_scan"], dtype=float)
        gains = np.stack([gradient_rates(ctx, cfg["gradient"] | shared_keys(cfg), dict(alpha=a, sigma_w=s),
                                         f"bdg{i}_{j}")[4] for j, s in enumerate(xg)])  # fmt: skip
        Lg = cfg["gradient"]["n_layers"]
        root_a = root_from_scan(xa, rates.mean(1))
        root_g = root_from_scan(xg, np.log(gains.mean(1)) / Lg)
        boot_a, boot_g = [], []
        for _ in range(cfg["bootstrap"]):
            ia = rng.integers(0, rates.shape[1], rates.shape[1])
            ig = rng.integers(0, gains.shape[1], gains.shape[1])
            boot_a.append(root_from_scan(xa, rates[:, ia].mean(1)))
            boot_g.append(root_from_scan(xg, np.log(gains[:, ig].mean(1)) / Lg))
        vals += [root_a, root_g]
        ses += [float(np.nanstd(boot_a)), float(np.nanstd(boot_g))]
        raw[f"angle_rates_{i}"], raw[f"gradient_gains_{i}"] = rates, gains
    return Measurement(value=np.array(vals), stderr=np.array(ses), raw=raw)
