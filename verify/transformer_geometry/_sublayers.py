"""The two sub-layer maps of one block, theory against simulation at finite width: the MLP
kernel (quadrature / closed forms) and the attention moments (Monte Carlo of softmax heads)."""

from __future__ import annotations

import numpy as np

from numerics.transformer_geometry import branch_outputs
from theory.transformer_geometry import attention_moments, make_params, mlp_kernel, mlp_second_moment
from verify.core.claims import Measurement, Prediction
from verify.core.stats import mean_se
from verify.transformer_geometry._experiments import block_kwargs, generator, gram_numpy, simplex

# --------------------------------------------------------------------------- MLP kernel


def _mlp_cases(cfg):
    return [(phi, sw, rho) for phi in cfg["phis"] for sw in cfg["sigma_ws"] for rho in cfg["rhos"]]


def mlp_kernel_theory(ctx):
    vals = []
    for phi, sw, rho in _mlp_cases(ctx.config):
        vals += [mlp_second_moment(sw, phi), mlp_kernel(rho, sw, phi)]
    return Prediction(value=np.array(vals), stderr=np.zeros(len(vals)))


def mlp_kernel_practice(ctx):
    cfg = ctx.config
    vals, ses = [], []
    for i, (phi, sw, rho) in enumerate(_mlp_cases(cfg)):
        prm = make_params(**block_kwargs(cfg, sigma_w=sw, phi=phi))
        x = simplex(ctx, f"mlp{i}", cfg["n_tokens"], cfg["d"], rho, 1.0, cfg["draws"])
        _, m = branch_outputs(x, prm, which="mlp", generator=generator(ctx, f"mlpw{i}"))
        for arr in gram_numpy(m):
            mu, se = mean_se(arr)
            vals.append(mu)
            ses.append(se)
    return Measurement(value=np.array(vals), stderr=np.array(ses))


# --------------------------------------------------------------------------- attention moments


def _attn_cases(cfg):
    return [(sa, rho) for sa in cfg["sigma_attns"] for rho in cfg["rhos"]]


def attention_theory(ctx):
    cfg = ctx.config
    vals, ses = [], []
    for sa, rho in _attn_cases(cfg):
        (s2, s11), (e2, e11) = attention_moments(rho, cfg["n_tokens"], sa, n_samples=cfg["theory_samples"],
                                                 return_stderr=True)  # fmt: skip
        vals += [rho + (1 - rho) * s2, rho + (1 - rho) * s11]
        ses += [(1 - rho) * e2, (1 - rho) * e11]
    return Prediction(value=np.array(vals), stderr=np.array(ses))


def attention_practice(ctx):
    cfg = ctx.config
    vals, ses = [], []
    for i, (sa, rho) in enumerate(_attn_cases(cfg)):
        prm = make_params(**block_kwargs(cfg, sigma_attn=sa))
        x = simplex(ctx, f"att{i}", cfg["n_tokens"], cfg["d"], rho, 1.0, cfg["draws"])
        a, _ = branch_outputs(x, prm, which="attn", generator=generator(ctx, f"attw{i}"))
        for arr in gram_numpy(a):
            mu, se = mean_se(arr)
            vals.append(mu)
            ses.append(se)
    return Measurement(value=np.array(vals), stderr=np.array(ses))
