"""Signal propagation through depth: the mean-field (q, p) map against simulated random
transformers layer by layer, collapse without MLPs, and the ordered / chaotic fixed points."""

from __future__ import annotations

import numpy as np

from theory.transformer_geometry import angle_exponent, fixed_points, iterate
from verify.core.claims import Measurement, Prediction
from verify.core.stats import mean_se
from verify.transformer_geometry._experiments import block_kwargs, simulate_case

# --------------------------------------------------------------------------- map vs simulation


def map_theory(ctx):
    cfg = ctx.config
    vals, raw = [], {}
    for k, case in enumerate(cfg["cases"]):
        c = dict(case)
        rho0 = c.pop("rho0")
        mf = iterate(1.0, rho0, cfg["n_layers"], **block_kwargs(cfg, **c), n_samples=cfg["theory_samples"])
        vals += [mf["q"][1:], mf["rho"][1:]]
        raw[f"q_{k}"], raw[f"rho_{k}"] = mf["q"], mf["rho"]
    v = np.concatenate(vals)
    return Prediction(value=v, stderr=np.zeros_like(v), raw=raw)


def map_practice(ctx):
    cfg = ctx.config
    vals, ses, raw, info = [], [], {}, {}
    for k, case in enumerate(cfg["cases"]):
        c = dict(case)
        rho0 = c.pop("rho0")
        out = simulate_case(ctx, cfg, c, f"map{k}", n_layers=cfg["n_layers"], d=cfg["d"], draws=cfg["draws"], rho0=rho0)
        q, rho = out["q"].cpu().numpy(), out["rho"].cpu().numpy()
        for arr in (q, rho):
            mu, se = mean_se(arr[:, 1:])
            vals.append(mu)
            ses.append(se)
        raw[f"q_{k}"], raw[f"rho_{k}"] = q, rho
    return Measurement(value=np.concatenate(vals), stderr=np.concatenate(ses), raw=raw, info=info)


# --------------------------------------------------------------------------- attention alone collapses


def collapse_theory(ctx):
    cfg = ctx.config
    vals, info = [], {}
    for k, case in enumerate(cfg["cases"]):
        c = dict(case)
        rho0 = c.pop("rho0")
        prm = block_kwargs(cfg, **c, alpha_mlp=0.0)
        mf = iterate(1.0, rho0, cfg["n_layers"], **prm, n_samples=cfg["theory_samples"])
        vals.append(mf["rho"][1:])
        long = iterate(1.0, rho0, cfg["long_layers"], **prm, n_samples=cfg["theory_samples"])["rho"]
        info[f"case{k}_monotone"] = bool(np.all(np.diff(long) >= -1e-12))
        info[f"case{k}_rho_at_{cfg['long_layers']}"] = float(long[-1])
    return Prediction(value=np.concatenate(vals), stderr=np.zeros(sum(len(v) for v in vals)), info=info)


def collapse_practice(ctx):
    cfg = ctx.config
    vals, ses, info = [], [], {}
    for k, case in enumerate(cfg["cases"]):
        c = dict(case)
        rho0 = c.pop("rho0")
        out = simulate_case(ctx, cfg, {**c, "alpha_mlp": 0.0}, f"col{k}", n_layers=cfg["n_layers"], d=cfg["d"],
                            draws=cfg["draws"], rho0=rho0)  # fmt: skip
        mu, se = mean_se(out["rho"].cpu().numpy()[:, 1:])
        vals.append(mu)
        ses.append(se)
        info[f"case{k}_rho_last"] = float(mu[-1])
    # identical tokens stay identical (collapse is an exact fixed point of the random network), MLP on
    fix = {k: v for k, v in cfg["cases"][0].items() if k != "rho0"} | {"alpha_mlp": 0.5, "sigma_w": 6.0}
    out = simulate_case(ctx, cfg, fix, "colfix", n_layers=5, d=cfg["d"], draws=2, rho0=1.0)
    info["identical_tokens_max_1_minus_rho"] = float((1 - out["rho"]).abs().max())
    return Measurement(value=np.concatenate(vals), stderr=np.concatenate(ses), info=info)


# --------------------------------------------------------------------------- phases and rho*


def _phase_cases(cfg):
    return [cfg["ordered"], cfg["chaotic"]]


def phases_theory(ctx):
    cfg = ctx.config
    vals, info = [], {}
    for name, case in zip(("ordered", "chaotic"), _phase_cases(cfg)):
        prm = block_kwargs(cfg, **case)
        fp = fixed_points(**prm, rho0=cfg["rho0"], n_samples=cfg["theory_samples"])
        la = angle_exponent(**prm)
        vals.append(fp["rho_star"])
        info[f"{name}_lambda_a"] = la
        info[f"{name}_q_star"] = fp["q_star"]
        info[f"{name}_rho_star"] = fp["rho_star"]
        # the mean-field transient: distance of the iterate from rho* over the measured window
        it = iterate(1.0, cfg["rho0"], cfg["n_layers"], **prm, n_samples=cfg["theory_samples"])
        info[f"{name}_mf_window_minus_rho_star"] = float(it["rho"][-cfg["window"] :].mean() - fp["rho_star"])
    return Prediction(value=np.array(vals), info=info)


def phases_practice(ctx):
    cfg = ctx.config
    vals, info = [], {}
    for name, case in zip(("ordered", "chaotic"), _phase_cases(cfg)):
        out = simulate_case(ctx, cfg, case, f"ph{name}", n_layers=cfg["n_layers"], d=cfg["d"], draws=cfg["draws"],
                            rho0=cfg["rho0"], keep_final=True)  # fmt: skip
        rho = out["rho"].cpu().numpy()[:, -cfg["window"] :].mean(1)
        q = out["q"].cpu().numpy()[:, -cfg["window"] :].mean(1)
        mu, se = mean_se(rho)
        vals.append(mu)
        info[f"{name}_rho_se"] = float(se)
        info[f"{name}_q"] = float(q.mean())
        x = out["final"]
        xn = x / x.norm(dim=-1, keepdim=True)
        cos = (xn @ xn.transpose(-1, -2)).cpu().numpy()
        iu = np.triu_indices(cos.shape[-1], 1)
        off = cos[:, iu[0], iu[1]]
        info[f"{name}_max_cosine_spread"] = float(np.abs(off - off.mean(1, keepdims=True)).max())
    return Measurement(value=np.array(vals), info=info)
