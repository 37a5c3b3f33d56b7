"""Experiments shared by several transformer_geometry claims: the block's keyword arguments
from a config, exact-simplex inputs, simulated random transformers, the two exponent
estimators (departure rate of near-collapsed tokens, Jacobian growth), and the trainability
sweep over the initialisation grid (one `ctx.shared` run used by three claims)."""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.stats import spearmanr

from numerics.transformer_geometry import gram_stats, simplex_tokens, simulate, train_masked_lm
from theory.transformer_geometry import angle_exponent, gradient_exponent, make_params
from verify.core.stats import mean_se


def block_kwargs(cfg, **over) -> dict:
    """The block's keyword hyper-parameters from a config; `alpha` sets both residual strengths."""
    base = dict(
        n_tokens=cfg.get("n_tokens", 16),
        alpha_attn=cfg.get("alpha", 0.5),
        alpha_mlp=cfg.get("alpha", 0.5),
        sigma_attn=cfg.get("sigma_attn", 1.0),
        sigma_w=cfg.get("sigma_w", 1.0),
        sigma_v=cfg.get("sigma_v", 1.0),
        sigma_out=cfg.get("sigma_out", 1.0),
        residual=cfg.get("residual", "R2"),
        phi=cfg.get("phi", "tanh"),
    )
    if "alpha" in over:
        a = over.pop("alpha")
        base["alpha_attn"] = base["alpha_mlp"] = a
    base.update(over)
    return base


def generator(ctx, stream: str) -> torch.Generator:
    """A torch generator of the named seed stream, on the run's device."""
    return ctx.torch_generator(stream, device=ctx.device)


def simplex(ctx, stream, n, d, rho0, q0, draws) -> torch.Tensor:
    """`draws` exact simplices of `n` tokens in width `d` (float64), from seed stream `stream`."""
    return simplex_tokens(n, d, rho0=rho0, q0=q0, n_draws=draws, generator=generator(ctx, stream),
                          dtype=torch.float64, device=ctx.device)  # fmt: skip


def gram_numpy(x) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the mean squared norm q and mean overlap p per coordinate, as numpy arrays."""
    q, p = gram_stats(x)
    return q.cpu().numpy(), p.cpu().numpy()


def simulate_case(ctx, cfg, case, stream, *, n_layers, d, draws, rho0, q0=1.0, keep_final=False, **probes):
    """Simulate random transformers of the config's block with `case` overrides from an exact simplex."""
    prm = make_params(**block_kwargs(cfg, **case))
    x = simplex(ctx, stream + "x", prm.n_tokens, d, rho0, q0, draws)
    return simulate(x, n_layers, prm, generator=generator(ctx, stream + "w"), keep_final=keep_final, **probes)


def departure_rates(ctx, cfg, case: dict, stream: str) -> np.ndarray:
    """Per draw: (1/L_fit) log(eps_end/eps_start) after a burn-in (q relaxes to its collapsed value)."""
    burn, fit = cfg["burn_in"], cfg["fit_layers"]
    out = simulate_case(ctx, cfg, case, stream, n_layers=burn + fit, d=cfg["d"], draws=cfg["draws"],
                        rho0=1.0 - cfg["eps0"])  # fmt: skip
    eps = (1.0 - out["rho"]).cpu().numpy()
    return (np.log(eps[:, burn + fit]) - np.log(eps[:, burn])) / fit


def gradient_rates(ctx, cfg, case, stream):
    """(1/L) log of the per-entry squared Jacobian norm, its standard error, the common- and
    differential-mode rates, and the per-draw gains at depth L."""
    L = cfg["n_layers"]
    out = simulate_case(ctx, cfg, case, stream, n_layers=L, d=cfg["d"], draws=cfg["draws"], rho0=cfg["rho0"],
                        n_random_probes=cfg["probes"], n_common_probes=1, n_diff_probes=1)  # fmt: skip
    g = out["gain_random"].cpu().numpy()[:, -1]
    m, se = mean_se(g)
    comm = float(np.log(out["gain_common"].cpu().numpy()[:, -1].mean()) / L)
    diff = float(np.log(out["gain_diff"].cpu().numpy()[:, -1].mean()) / L)
    return math.log(m) / L, se / m / L, comm, diff, g


def shared_keys(cfg) -> dict:
    """The block settings a sub-config (`angle`, `gradient`) inherits from its claim's config."""
    return {k: cfg[k] for k in ("n_tokens", "sigma_attn", "residual", "phi") if k in cfg}


# --------------------------------------------------------------------------- the trainability grid


def grid_cells(cfg) -> list[tuple[float, float]]:
    """The (alpha, sigma_w) initialisation grid, alpha-major."""
    return [(a, s) for a in cfg["alphas"] for s in cfg["sigma_ws"]]


def exponents_grid(cfg) -> tuple[np.ndarray, np.ndarray]:
    """Mean-field (lambda_a at q*, lambda_g(L) from q0 = 1) at each grid cell."""
    la, lg = [], []
    for a, s in grid_cells(cfg):
        prm = block_kwargs(cfg, alpha=a, sigma_w=s)
        la.append(angle_exponent(**prm))
        lg.append(gradient_exponent(n_layers=cfg["n_layers"], q0=1.0, **prm))
    return np.array(la), np.array(lg)


_SWEEP_KEYS = ("alphas", "sigma_ws", "n_tokens", "d", "n_layers", "steps", "batch", "lr", "n_test", "mask_frac",
               "sigma_attn", "residual")  # fmt: skip


def seed_block(cfg, seed: int) -> list[int]:
    """The seeds trained together with `seed` in one batched model: the block of `seed_block`
    consecutive seeds that holds it (default 1: each seed alone). Batching does not change any
    member's numbers (`train_masked_lm` keeps each seed's data and initialisation streams)."""
    k = int(cfg.get("seed_block", 1))
    start = seed - seed % k
    return list(range(start, start + k))


def trainability_sweep(ctx) -> dict:
    """Train one small transformer per grid cell (computed once per config and block of seeds,
    shared by the three claims), and return this seed's row: `test_loss`, `init_test_loss`,
    `train_loss`, `diverged` over the grid cells (alpha-major), `steps`, `curve`, and the
    unigram baseline `unigram_test_loss` (the loss without any use of the context).

    The whole grid of a block of seeds (`seed_block` in the config; the gpu profile trains its 3
    seeds x 54 cells = 162 networks at once) is one batched ensemble."""
    cfg = ctx.config
    key = {k: cfg[k] for k in _SWEEP_KEYS if k in cfg}
    seeds = seed_block(cfg, ctx.seed)

    def run():
        prms = [make_params(**block_kwargs(cfg, alpha=a, sigma_w=s)) for a, s in grid_cells(cfg)]
        return train_masked_lm(prms, d=cfg["d"], n_layers=cfg["n_layers"], steps=cfg["steps"], batch=cfg["batch"],
                               lr=cfg["lr"], seed=seeds, n_test=cfg["n_test"], mask_frac=cfg["mask_frac"],
                               device=ctx.device, progress=lambda it: ctx.progress(it, desc="trainability sweep"))  # fmt: skip

    # the device is part of the key: the CPU and CUDA generators draw different (equally valid) batches
    res = ctx.shared("trainability_sweep", run, per_seed=False, seeds=seeds, device=str(ctx.device), **key)
    row = seeds.index(ctx.seed)
    out = {k: np.asarray(res[k])[row] for k in ("test_loss", "init_test_loss", "train_loss", "diverged")}
    return dict(out, steps=res["steps"], curve=np.asarray(res["curve"])[:, row],
                unigram_test_loss=float(np.asarray(res["unigram_test_loss"])[row]))


def loss_stats(cfg, loss) -> dict:
    """Spearman correlation of the final test loss with |lambda_a| + |lambda_g|, and the in-sample,
    adjusted and leave-one-out R^2 of a quadratic regression on the two exponents."""
    la, lg = exponents_grid(cfg)
    ok = np.isfinite(loss)
    y = np.where(ok, loss, np.nanmax(loss[ok]) if ok.any() else 0.0)  # diverged cells rank as worst
    rho = float(spearmanr(np.abs(la) + np.abs(lg), y)[0])
    X = np.c_[np.ones_like(la), la, lg, la**2, lg**2]
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    resid = y - X @ beta
    r2 = 1 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    n_obs, n_feat = X.shape[0], X.shape[1] - 1
    r2_adj = 1 - (1 - r2) * (n_obs - 1) / (n_obs - n_feat - 1) if n_obs > n_feat + 1 else float("nan")
    # leave-one-out R^2 (predictive), reported beside the in-sample value
    H = X @ np.linalg.pinv(X)
    press = float(np.sum((resid / np.clip(1 - np.diag(H), 1e-9, None)) ** 2))
    r2_loo = 1 - press / float(((y - y.mean()) ** 2).sum())
    return dict(spearman=rho, r2=r2, r2_adj=r2_adj, r2_loo=r2_loo, lambda_a=la, lambda_g=lg, diverged=int((~ok).sum()))
