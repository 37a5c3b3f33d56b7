"""Claims of Paul et al. (ICLR 2023), "Unmasking the lottery ticket hypothesis" (brief A.8).

Profiles:

- `quick`: scikit-learn digits, MLP 64-64-10 (4.8k parameters), 24 IMP levels at 20%,
  rewinding to step 50 of 600 (CPU, about a minute).
- `gpu`: ResNet-20 shape on synthetic 32x32x3 images (no download), 10 levels, rewind
  points {0, 50, 200, 500}, Lanczos + stochastic Lanczos quadrature for the Hessian.
- `paper`: ResNet-20 on CIFAR-10 from `--data-dir` (160 epochs); SKIP when absent.

Several claims read one experiment (`ctx.shared`): the IMP run per seed feeds claims 1, 4,
5 and 8. The Hessian prediction (claim 7) is computed by the theory side on its *own* IMP
run (the theory seed), so that it never sees the practice networks.
"""

from __future__ import annotations

import copy

import numpy as np

from verify.core.claims import Claim, Measurement, Prediction, SkipClaim, profiles

# --------------------------------------------------------------------------- configs

TAU_B = 0.02  # LMC threshold on the test-error barrier (Frankle et al. 2020: 2%)

QUICK = {
    "model": {"kind": "mlp", "n_in": 64, "hidden": [64], "n_out": 10},
    "data": {"name": "digits", "split_seed": 0},
    "train": {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 64, "steps": 600, "milestones": [400]},
    "imp": {"levels": 24, "prune_fraction": 0.2, "rewind_step": 50},
    "n_points": 11,
    "bn_policy": "recompute",
}

GPU = {
    "model": {"kind": "resnet", "depth": 20, "width": 16, "n_classes": 10},
    "data": {"name": "synthetic32", "n_train": 10000, "n_test": 2000, "signal": 0.15, "noise": 1.0, "split_seed": 0},
    "train": {
        "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 128, "steps": 1600,
        "milestones": [800, 1200], "warmup_steps": 0, "augment": False,
    },
    "imp": {"levels": 10, "prune_fraction": 0.2, "rewind_step": 200},
    "n_points": 11,
    "bn_policy": "recompute",
}

PAPER = {
    "model": {"kind": "resnet", "depth": 20, "width": 16, "n_classes": 10},
    "data": {"name": "cifar10"},
    "train": {
        "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 128, "steps": 62400,
        "milestones": [31200, 46800], "augment": True,
    },
    "imp": {"levels": 16, "prune_fraction": 0.2, "rewind_step": 2000},
    "n_points": 11,
    "bn_policy": "recompute",
}

#: A CPU-sized version of the gpu profile (tests run it end to end).
GPU_TINY = {
    "model": {"kind": "resnet", "depth": 8, "width": 4, "n_classes": 10},
    "data": {"name": "synthetic32", "n_train": 256, "n_test": 128, "signal": 0.6, "noise": 1.0, "split_seed": 0},
    "train": {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 64, "steps": 12, "milestones": [8]},
    "imp": {"levels": 3, "prune_fraction": 0.2, "rewind_step": 2},
    "n_points": 3,
    "bn_policy": "recompute",
}


def _with(base: dict, **extra) -> dict:
    out = copy.deepcopy(base)
    out.update(extra)
    return out


# --------------------------------------------------------------------------- helpers


def _X():
    from numerics.lottery import experiments

    return experiments


def _guard(fn):
    """Turn a missing dataset into a SKIP with its reason."""
    try:
        return fn()
    except FileNotFoundError as e:
        raise SkipClaim(str(e)) from None


def _imp(ctx, cfg: dict | None = None):
    cfg = ctx.config if cfg is None else cfg
    key = {k: cfg[k] for k in ("model", "data", "train", "imp")}
    return ctx.shared(
        "imp",
        lambda: _guard(lambda: _X().imp_run(cfg, ctx.seed, ctx.device, ctx.data_dir, progress=ctx.progress)),
        **key,
    )


def _n_test(ctx) -> int:
    d = ctx.config["data"]
    return int(d.get("n_test", 540 if d["name"] == "digits" else 10000))


# --------------------------------------------------------------------------- 1 bookkeeping


def _bookkeeping_theory(ctx):
    from numerics.lottery import make_model, prunable_names
    from theory import lottery as T

    cfg = ctx.config
    model = make_model(cfg["model"], 0)
    names = prunable_names(model, tuple(cfg["imp"].get("exempt", ())))
    params = dict(model.named_parameters())
    n0 = sum(params[n].numel() for n in names)
    counts = T.imp_counts(n0, cfg["imp"]["prune_fraction"], cfg["imp"]["levels"] + 1, cfg["imp"].get("convention", "exact"))
    value = np.concatenate([counts, np.zeros(4, dtype=np.int64)])
    dens = counts / n0
    return Prediction(value=value, raw={"counts": counts, "density": dens}, info={"n_prunable": int(n0)})


def _bookkeeping_practice(ctx):
    imp = _imp(ctx)
    b = _X().bookkeeping(imp, ctx.config["model"])
    counts = np.concatenate([b["counts"], [b["next_count"]]])
    checks = np.asarray(
        [b["nested_violations"], b["masked_nonzero_levels"], b["non_weight_masked"], b["global_threshold_violations"]],
        dtype=np.int64,
    )
    ld = b["layer_density"]
    return Measurement(
        value=np.concatenate([counts, checks]),
        raw={"counts": counts, "layer_density": ld},
        info={
            "checks": "nested_violations, levels_with_nonzero_masked_weights, masked_non_weight_tensors, global_threshold_violations",
            "zero_biases_dead_units": int(b["zero_biases"]),
            "check_values": checks.tolist(),
            "layer_names": b["layer_names"],
            "layer_density_last_level": [round(float(x), 4) for x in ld[-1]],
            "layer_densities_differ": bool(np.ptp(ld[-1]) > 0),
        },
        counters={"train_steps": int(len(imp.levels) * (ctx.config["train"]["steps"] - ctx.config["imp"]["rewind_step"]))},
    )


# --------------------------------------------------------------------------- 2 barrier sanity


def _convex_theory(ctx):
    return Prediction(value=0.0, info={"why": "convex loss lies below its chord: max_t [L(w_t) - chord] <= 0"})


def _convex_practice(ctx):
    r = _X().convex_barrier(ctx.config, ctx.seed)
    return Measurement(
        value=r["barrier_linear"],
        raw={"losses": r["losses"]},
        info={"barrier_vs_endpoint_mean": r["barrier"], "half_endpoint_gap": r["half_gap"], "distance": r["distance"]},
    )


def _diffinit_theory(ctx):
    return Prediction(value=TAU_B, info={"why": "different inits land in permuted modes: barrier above the LMC threshold"})


def _diffinit_practice(ctx):
    r = _guard(lambda: _X().different_init_barrier(ctx.config, ctx.seed, ctx.device, ctx.data_dir))
    return Measurement(value=r["barrier"], raw={"errors": r["errors"], "ts": r["ts"]})


# --------------------------------------------------------------------------- 3 stability


def _stability_theory(ctx):
    ks = ctx.config["rewind_steps"]
    return Prediction(value=np.zeros(len(ks) - 1), info={"why": "barrier non-increasing in the rewind step k"})


def _stability_practice(ctx):
    r = ctx.shared(
        "stability",
        lambda: _guard(lambda: _X().stability_vs_rewind(ctx.config, ctx.seed, ctx.device, ctx.data_dir, ctx.progress)),
        **{k: ctx.config[k] for k in ("model", "data", "train", "rewind_steps", "n_points")},
    )
    b = r["barrier"]
    return Measurement(
        value=np.diff(b),
        raw={"rewind_steps": r["rewind_steps"], "barrier": b, "loss_barrier": r["loss_barrier"]},
        info={"barrier_per_k": dict(zip(map(str, r["rewind_steps"].tolist()), np.round(b, 4).tolist()))},
    )


# --------------------------------------------------------------------------- 4 LMC <=> matching


def _lmc_theory(ctx):
    return Prediction(value=1.0, info={"why": "successive-level solutions are linearly connected iff they are matching"})


def _lmc_table(sb: dict, match_tol: float, tau: float, min_level: int) -> dict:
    err = sb["test_err"]
    match = err <= err[0] + match_tol
    pair_match = match[:-1] & match[1:]
    lmc = sb["barrier"] < tau
    sel = np.arange(len(lmc)) >= min_level
    pm, pl = pair_match[sel], lmc[sel]
    table = np.asarray([[np.sum(pm & pl), np.sum(pm & ~pl)], [np.sum(~pm & pl), np.sum(~pm & ~pl)]])
    return {"agreement": float(np.mean(pm == pl)) if pm.size else float("nan"), "table": table, "match": pair_match, "lmc": lmc}


def _lmc_practice(ctx):
    cfg = ctx.config
    imp = _imp(ctx)
    sb = _X().successive_barriers(imp, cfg, ctx.device, ctx.data_dir)
    t = _lmc_table(sb, cfg["match_tol"], TAU_B, cfg.get("min_level", 1))
    tab = t["table"]
    return Measurement(
        value=t["agreement"],
        raw={"barrier": sb["barrier"], "midpoint": sb["midpoint"], "test_err": sb["test_err"], "density": sb["density"], "table": tab},
        info={
            "table [[match&LMC, match&barrier], [nomatch&LMC, nomatch&barrier]]": tab.tolist(),
            "P(LMC | matching)": float(tab[0, 0] / max(1, tab[0].sum())),
            "P(barrier | not matching)": float(tab[1, 1] / max(1, tab[1].sum())),
            "dense_test_err": float(sb["test_err"][0]),
        },
    )


def _lmc_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    for m in meas:
        d, e, b = m.raw["density"], m.raw["test_err"], m.raw["barrier"]
        ax[0].plot(d, e, "o-", ms=3, alpha=0.7)
        ax[1].plot(d[1:], b, "o-", ms=3, alpha=0.7)
    for a in ax:
        a.set_xscale("log")
        a.invert_xaxis()
        a.set_xlabel("density of level L+1" if a is ax[1] else "density")
    ax[0].set_ylabel("test error")
    ax[1].axhline(TAU_B, color="k", ls="--", lw=1, label=f"tau_B = {TAU_B}")
    ax[1].set_ylabel("barrier B(w_L*, w_L+1*)")
    ax[1].legend()
    fig.suptitle("IMP: accuracy and successive-level barrier vs sparsity (one line per seed)")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- 5 robustness


def _robust(ctx):
    cfg = ctx.config
    imp = _imp(ctx)
    return ctx.shared(
        "robustness",
        lambda: _X().robustness(imp, cfg, ctx.seed, ctx.device, ctx.data_dir, ctx.progress),
        **{k: cfg[k] for k in ("model", "data", "train", "imp", "levels", "scales", "n_points")},
    )


def _radius_theory(ctx):
    return Prediction(value=0.0, info={"why": "perturbations of the successive-rewind-point size delta return to the same mode"})


def _radius_practice(ctx):
    r = _robust(ctx)
    i1 = int(np.argmin(np.abs(r["scales"] - 1.0)))
    vals = r["barrier"][:, i1]
    return Measurement(
        value=float(vals.mean()),
        raw={"barrier": r["barrier"], "scales": r["scales"], "levels": r["levels"], "delta": r["delta"]},
        info={"levels": r["levels"].tolist(), "delta": np.round(r["delta"], 3).tolist(), "barrier_at_delta": np.round(vals, 4).tolist()},
    )


def _breaks_theory(ctx):
    return Prediction(value=TAU_B, info={"why": "perturbations far beyond delta leave the mode: barrier above tau_B"})


def _breaks_practice(ctx):
    r = _robust(ctx)
    big = int(np.argmax(r["scales"]))
    vals = r["barrier"][:, big]
    return Measurement(
        value=float(vals.mean()),
        raw={"barrier": r["barrier"], "scales": r["scales"]},
        info={"scale": float(r["scales"][big]), "barrier_per_level": np.round(vals, 4).tolist(), "levels": r["levels"].tolist()},
    )


# --------------------------------------------------------------------------- 6 quadratic model


def _quad_theory(ctx):
    from theory import lottery as T

    c = ctx.config
    out, info = [], {}
    for f in c["sharp_fractions"]:
        lam = _X().quadratic_spectrum(c["dim"], f, c["lam_sharp"], c["lam_flat"])
        pr = T.self_consistent_pstar(lam, c["eps"], lambda p: T.r2_random(p, 1.0))
        pm = T.self_consistent_pstar(lam, c["eps"], lambda p: T.r2_magnitude_gaussian(p, 1.0))
        out += [pr, pm]
    # monotonicity of the formula, checked numerically on top of the sympy derivative signs
    lam_grid = np.geomspace(1e-3, 1e2, 30)
    mono_l = bool(np.all(np.diff([T.pstar_isotropic(l_, 0.3, 1e-2) for l_ in lam_grid]) < 0))
    mono_r = bool(np.all(np.diff([T.pstar_isotropic(1.0, r_, 1e-2) for r_ in np.linspace(0.01, 2, 30)]) < 0))
    info.update(order="[f0 random, f0 magnitude, f1 random, f1 magnitude, ...]", monotone_in_lambda=mono_l, monotone_in_r=mono_r)
    lam0 = _X().quadratic_spectrum(c["dim"], 0.0, c["lam_sharp"], c["lam_flat"])
    info["all_flat_formula_random"] = T.self_consistent_pstar(lam0, c["eps"], lambda p: T.r2_random(p, 1.0))
    return Prediction(value=np.asarray(out), info=info)


def _quad_mc(ctx):
    c = ctx.config
    rng = ctx.rng("quadratic")
    res = {}
    for f in c["sharp_fractions"]:
        res[f] = _X().quadratic_exact_thresholds(c["dim"], f, c["lam_sharp"], c["lam_flat"], c["eps"], c["trials"], rng)
    return res


def _quad_practice(ctx):
    res = ctx.shared("quadratic", lambda: _quad_mc(ctx), **{k: ctx.config[k] for k in ("dim", "sharp_fractions", "lam_sharp", "lam_flat", "eps", "trials")})
    vals = []
    for f in ctx.config["sharp_fractions"]:
        vals += [float(np.median(res[f]["random"])), float(np.median(res[f]["magnitude"]))]
    return Measurement(value=np.asarray(vals), raw={f"f{f}_{k}": v for f, d in res.items() for k, v in d.items()})


def _quad_mag_theory(ctx):
    return Prediction(value=np.zeros(len(ctx.config["sharp_fractions"])), info={"why": "magnitude pruning has a shorter projection"})


def _quad_mag_practice(ctx):
    res = ctx.shared("quadratic", lambda: _quad_mc(ctx), **{k: ctx.config[k] for k in ("dim", "sharp_fractions", "lam_sharp", "lam_flat", "eps", "trials")})
    diff = [float(np.median(res[f]["magnitude"]) - np.median(res[f]["random"])) for f in ctx.config["sharp_fractions"]]
    return Measurement(value=np.asarray(diff))


def _quad_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt

    fr = ctx.config["sharp_fractions"]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    th = np.asarray(pred.value).reshape(len(fr), 2)
    ms = np.asarray([m.value for m in meas]).reshape(len(meas), len(fr), 2)
    for j, (name, mk) in enumerate((("random", "o"), ("magnitude", "s"))):
        ax.plot(fr, th[:, j], mk + "--", label=f"formula p* ({name})")
        ax.errorbar(fr, ms[:, :, j].mean(0), yerr=ms[:, :, j].std(0) if len(meas) > 1 else None, fmt=mk + "-", label=f"exact Schur ({name})")
    ax.set_xlabel("fraction of sharp eigenvalues")
    ax.set_ylabel("largest prune fraction")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- 7 Hessian prediction


_HESS_KEYS = (
    "model", "data", "train", "imp", "level", "eps", "hessian", "hessian_dtype", "hessian_samples", "hessian_chunk",
    "top_k", "lanczos_iter", "slq_probes", "slq_iter", "schur_check", "schur_eps",
)


def _hess_cfg(ctx) -> dict:
    cfg = copy.deepcopy(dict(ctx.config))
    cfg["imp"] = dict(cfg["imp"], levels=int(cfg["level"]))
    return cfg


def _hess_prediction(ctx):
    cfg = _hess_cfg(ctx)
    imp = _imp(ctx, cfg)
    spec = _X().hessian_spectrum(imp, cfg, ctx.device, ctx.data_dir)
    return spec, _X().prune_ratio_prediction(spec, cfg["eps"])


def _hess_theory(ctx, method: str = "random"):
    spec, pred = ctx.shared(
        "hessian_prediction",
        lambda: _hess_prediction(ctx),
        **{k: ctx.config.get(k) for k in _HESS_KEYS},
    )
    info = {"dim": int(spec["dim"]), "train_loss": float(spec["train_loss"]), "magnitude_prediction": np.round(pred["magnitude"], 3).tolist()}
    raw = {"eps": pred["eps"], "random": pred["random"], "magnitude": pred["magnitude"]}
    if "eigenvalues" in spec:
        ev = spec["eigenvalues"]
        info.update(top_eigenvalues=np.round(ev[-5:][::-1], 4).tolist(), n_negative=int((ev < 0).sum()), median_eigenvalue=float(np.median(ev)))
        raw["eigenvalues"] = ev
    if "schur" in spec:
        info["exact_quadratic_schur_eps"] = spec["schur"]["eps"].tolist()
        info["exact_quadratic_schur_random"] = np.round(spec["schur"]["random"], 3).tolist()
        info["exact_quadratic_schur_magnitude"] = np.round(spec["schur"]["magnitude"], 3).tolist()
    else:
        info["top_eigenvalues"] = np.round(spec["top"][:5], 4).tolist()
        raw["top"] = spec["top"]
    return Prediction(value=pred[method], raw=raw, info=info)


def _hess_theory_magnitude(ctx):
    return _hess_theory(ctx, "magnitude")


def _hess_measure(ctx):
    # the practice side reads the level-L solution of the seed's main IMP run (shared with
    # claims 1, 4, 5, 8); the theory side trains its own, truncated at level L
    cfg = ctx.config
    imp = _imp(ctx)
    return ctx.shared(
        "prune_ratio",
        lambda: _X().prune_ratio_measurement(imp, cfg, ctx.seed, ctx.device, ctx.data_dir, ctx.progress),
        **{k: cfg[k] for k in ("model", "data", "train", "imp", "level", "eps", "p_grid", "retrain_from")},
    )


def _hess_practice(ctx, method: str = "random"):
    r = _hess_measure(ctx)
    return Measurement(
        value=r[method],
        raw={
            "p_grid": r["p_grid"], "loss_random": r["loss_random"], "loss_magnitude": r["loss_magnitude"],
            "random": r["random"], "magnitude": r["magnitude"], "eps": r["eps"],
        },
        info={"e0": float(r["e0"]), "random_threshold": r["random"].tolist(), "magnitude_threshold": r["magnitude"].tolist()},
    )


def _hess_practice_magnitude(ctx):
    return _hess_practice(ctx, "magnitude")


def _hess_mag_theory(ctx):
    return Prediction(value=np.zeros(len(ctx.config["eps"])), info={"why": "magnitude pruning reaches a larger prune fraction than random"})


def _hess_mag_practice(ctx):
    r = _hess_measure(ctx)
    return Measurement(value=r["magnitude"] - r["random"], info={"random": r["random"].tolist(), "magnitude": r["magnitude"].tolist()})


def _hess_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt

    eps = np.asarray(ctx.config["eps"])
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for j, (name, mk) in enumerate((("random", "o"), ("magnitude", "s"))):
        ax.plot(eps, pred.raw[name], mk + "--", color=f"C{j}", label=f"predicted p* ({name})")
        vals = np.asarray([m.raw[name] for m in meas])
        ax.errorbar(eps, vals.mean(0), yerr=vals.std(0) if len(meas) > 1 else None, fmt=mk + "-", color=f"C{j}", label=f"measured ({name})")
    ax.set_xscale("log")
    ax.set_xlabel("allowed train-loss increase eps")
    ax.set_ylabel("largest one-shot prune fraction")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- 8 retraining


def _retrain_theory(ctx):
    from theory import lottery as T

    L = int(ctx.config["last_level"])
    os_ = np.asarray([T.rho_oneshot_gaussian(l_) for l_ in range(1, L + 1)])
    gauss_gap = float(np.mean(np.log(os_) - np.log(T.rho_retrained_gaussian())))
    return Prediction(value=np.zeros(2), info={"why": "without retraining the projections get longer and costlier", "gaussian_model_log_rho_gap": gauss_gap})


def _retrain_practice(ctx):
    cfg = ctx.config
    imp = _imp(ctx)
    r = _X().oneshot_vs_retrain(imp, cfg, ctx.device, ctx.data_dir)
    L = min(int(cfg["last_level"]), len(imp.levels) - 1)
    sl = slice(1, L + 1)
    g_rho = float(np.mean(np.log(r["rho_oneshot"][sl]) - np.log(r["rho_retrain"][sl])))
    g_loss = float(np.mean(np.log(r["loss_oneshot"][sl]) - np.log(r["loss_retrain"][sl])))
    return Measurement(
        value=np.asarray([g_rho, g_loss]),
        raw={k: v for k, v in r.items()},
        info={
            "rho_retrain": np.round(r["rho_retrain"][: L + 1], 3).tolist(),
            "rho_oneshot": np.round(r["rho_oneshot"][: L + 1], 3).tolist(),
            "post_projection_loss_retrain": np.round(r["loss_retrain"][: L + 1], 3).tolist(),
            "post_projection_loss_oneshot": np.round(r["loss_oneshot"][: L + 1], 3).tolist(),
            "mass_below_half_threshold_retrain": np.round(r["small_mass_retrain"][: L + 1], 3).tolist(),
            "mass_below_half_threshold_oneshot": np.round(r["small_mass_oneshot"][: L + 1], 3).tolist(),
        },
    )


def _retrain_figure(ctx, pred, meas):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    for i, m in enumerate(meas):
        lab = i == 0
        ax[0].plot(m.raw["rho_retrain"], "o-", color="C0", ms=3, label="retrained (IMP)" if lab else None)
        ax[0].plot(m.raw["rho_oneshot"], "s-", color="C1", ms=3, label="no retraining" if lab else None)
        ax[1].plot(m.raw["loss_retrain"], "o-", color="C0", ms=3)
        ax[1].plot(m.raw["loss_oneshot"], "s-", color="C1", ms=3)
    ax[0].set_ylabel("relative projection length rho_L")
    ax[1].set_ylabel("train loss right after projection")
    ax[1].set_yscale("log")
    for a in ax:
        a.set_xlabel("level L")
    ax[0].legend()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- claims

_LMC_Q = _with(QUICK, match_tol=0.01, min_level=1)
_LMC_G = _with(GPU, match_tol=0.01, min_level=1)
_LMC_P = _with(PAPER, match_tol=0.005, min_level=1)
_ROB_Q = _with(QUICK, levels=[6, 10, 14], scales=[1.0, 8.0])
_ROB_G = _with(GPU, levels=[2, 5, 8], scales=[1.0, 8.0])
_ROB_P = _with(PAPER, levels=[4, 8, 12], scales=[1.0, 8.0])
_QUAD_Q = {"dim": 300, "sharp_fractions": [0.3, 0.7], "lam_sharp": 1.0, "lam_flat": 1e-3, "eps": 1e-3, "trials": 20}
_QUAD_G = dict(_QUAD_Q, dim=600, trials=24)
_HESS_COMMON = {"eps": [0.02, 0.05, 0.1], "retrain_from": "rewind"}
_HESS_Q = _with(QUICK, level=4, hessian="full", hessian_dtype="float32", schur_check=True, schur_eps=[0.05], p_grid=[0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95], **_HESS_COMMON)
_HESS_G = _with(
    GPU, level=3, hessian="lanczos", hessian_samples=2048, hessian_chunk=512, top_k=20, slq_probes=4, slq_iter=60,
    p_grid=[0.3, 0.5, 0.6, 0.7, 0.8, 0.9], **_HESS_COMMON,
)
_HESS_P = _with(
    PAPER, level=4, hessian="lanczos", hessian_samples=5000, hessian_chunk=500, top_k=20, slq_probes=8, slq_iter=80,
    p_grid=[0.3, 0.5, 0.6, 0.7, 0.8, 0.9], **_HESS_COMMON,
)
_CONVEX = {"data": {"name": "digits", "split_seed": 0}, "model": QUICK["model"], "train": QUICK["train"], "l2": 1e-3, "lr": 0.5, "steps": 800, "n_points": 11}

_SEEDS = {"quick": 3, "gpu": 1, "paper": 2}

CLAIMS = [
    Claim(
        id="lottery.imp_bookkeeping",
        statement=(
            "IMP bookkeeping: each level removes exactly ceil(0.2 n) of the n surviving prunable weights "
            "(one global magnitude ranking), masks are nested, masked weights stay exactly 0 through retraining, "
            "and only Conv/Linear weights are ever masked (biases and BN never)."
        ),
        theory=_bookkeeping_theory,
        practice=_bookkeeping_practice,
        compare="equal",
        tolerance=0,
        tolerance_reason="exact integer bookkeeping; the last four entries count violations (must be 0)",
        profiles=profiles(quick=QUICK, gpu=GPU, paper=PAPER, seeds=_SEEDS),
        aggregate="worst",
        tags=("imp", "bookkeeping"),
    ),
    Claim(
        id="lottery.barrier_convex",
        statement="For a convex model (L2-regularised logistic regression) the loss along the line between two solutions never exceeds the chord, so the barrier is ~0.",
        theory=_convex_theory,
        practice=_convex_practice,
        compare="at_most",
        tolerance=1e-9,
        tolerance_reason="float64 evaluation of the loss (rounding ~1e-15); any positive excess above that breaks convexity",
        profiles=profiles(quick=_CONVEX, gpu=_CONVEX, paper=_CONVEX, seeds=_SEEDS),
        aggregate="worst",
        tags=("lmc", "sanity"),
    ),
    Claim(
        id="lottery.barrier_different_inits",
        statement="Two networks trained from different random inits are not linearly connected: the test-error barrier exceeds tau_B = 2%.",
        theory=_diffinit_theory,
        practice=_diffinit_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="tau_B = 2% is the LMC threshold of Frankle et al. (2020); each seed must exceed it",
        profiles=profiles(quick=QUICK, gpu=GPU, paper=PAPER, seeds=_SEEDS),
        aggregate="worst",
        tags=("lmc", "sanity"),
    ),
    Claim(
        id="lottery.stability_vs_rewind",
        statement="The barrier between two copies trained from the rewind point w_k with different data orders is non-increasing in k.",
        theory=_stability_theory,
        practice=_stability_practice,
        compare="at_most",
        tolerance=0.005,
        tolerance_reason=(
            "seed-mean increase between successive k may not exceed 0.5% test error: about 2.7 of 540 test "
            "points (quick), comparable to the seed standard error of a barrier near 0"
        ),
        profiles=profiles(
            quick=_with(QUICK, rewind_steps=[0, 10, 50, 200]),
            gpu=_with(GPU, rewind_steps=[0, 50, 200, 500]),
            paper=_with(PAPER, rewind_steps=[0, 100, 500, 2000]),
            seeds=_SEEDS,
        ),
        tags=("lmc", "stability"),
    ),
    Claim(
        id="lottery.lmc_iff_matching",
        statement=(
            "At a late rewind point, successive IMP solutions (w_L*, w_L+1*) have zero error barrier "
            "if and only if they are matching (contingency table over levels)."
        ),
        theory=_lmc_theory,
        practice=_lmc_practice,
        compare="at_least",
        tolerance=0.1,
        tolerance_reason=(
            "one pair in ten may be misclassified: near the matching boundary the test error's binomial "
            "standard error (0.7% at 540 test points) is comparable to the matching tolerance (1%)"
        ),
        profiles=profiles(quick=_LMC_Q, gpu=_LMC_G, paper=_LMC_P, seeds=_SEEDS),
        figure=_lmc_figure,
        tags=("lmc", "imp"),
    ),
    Claim(
        id="lottery.robustness_radius",
        statement="Perturbing the pruned rewind point by the successive-rewind-point distance delta (random direction on the mask) still trains to the same linearly connected mode.",
        theory=_radius_theory,
        practice=_radius_practice,
        compare="at_most",
        tolerance=TAU_B,
        tolerance_reason="'same mode' means a barrier below the LMC threshold tau_B = 2% (Frankle et al. 2020); mean over levels and seeds",
        profiles=profiles(quick=_ROB_Q, gpu=_ROB_G, paper=_ROB_P, seeds=_SEEDS),
        tags=("lmc", "robustness"),
    ),
    Claim(
        id="lottery.robustness_breaks",
        statement="Perturbations of 8 delta take the network out of the mode: the barrier rises above tau_B.",
        theory=_breaks_theory,
        practice=_breaks_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="threshold tau_B = 2% itself; mean over levels and seeds",
        profiles=profiles(quick=_ROB_Q, gpu=_ROB_G, paper=_ROB_P, seeds=_SEEDS),
        tags=("lmc", "robustness"),
    ),
    Claim(
        id="lottery.quadratic_pstar_vs_exact",
        statement=(
            "Quadratic model, flat bulk + sharp outliers under a random rotation: the Gordon-width formula "
            "p = p*(r(p)) gives the 50% crossing of exact (Schur-complement) pruning success within 0.1, "
            "for random and magnitude pruning."
        ),
        theory=_quad_theory,
        practice=_quad_practice,
        compare="abs",
        tolerance=0.1,
        tolerance_reason="the brief's stated accuracy of the approximation (A.8.6); MC error of a 20-trial median is ~0.01",
        profiles=profiles(quick=_QUAD_Q, gpu=_QUAD_G, paper=_QUAD_G, seeds={"quick": 2, "gpu": 2, "paper": 2}),
        figure=_quad_figure,
        tags=("hessian", "quadratic"),
    ),
    Claim(
        id="lottery.quadratic_magnitude_beats_random",
        statement="In the quadratic model magnitude pruning's exact threshold is at least random pruning's.",
        theory=_quad_mag_theory,
        practice=_quad_mag_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="sign claim on medians of 20 exact thresholds (bisection tol 0.002)",
        profiles=profiles(quick=_QUAD_Q, gpu=_QUAD_G, paper=_QUAD_G, seeds={"quick": 2, "gpu": 2, "paper": 2}),
        tags=("hessian", "quadratic"),
    ),
    Claim(
        id="lottery.hessian_pstar_random",
        statement=(
            "The Hessian spectrum of a level-L solution predicts the largest one-shot random prune fraction "
            "after which IMP's next level still reaches train loss <= E(w_L*) + eps, within 0.1 (eps in {0.02, 0.05, 0.1})."
        ),
        theory=_hess_theory,
        practice=_hess_practice,
        compare="abs",
        tolerance=0.1,
        tolerance_reason="the brief's +-0.1 (A.8.7); the p grid spacing near the prediction is 0.05-0.1",
        profiles=profiles(quick=_HESS_Q, gpu=_HESS_G, paper=_HESS_P, seeds=_SEEDS),
        figure=_hess_figure,
        tags=("hessian", "imp"),
    ),
    Claim(
        id="lottery.hessian_pstar_magnitude",
        statement=(
            "The same Hessian prediction with magnitude pruning's own projection length r(p) (the sum of the smallest "
            "p-fraction of w_i^2) gives magnitude pruning's largest one-shot prune fraction within 0.1 (the paper: "
            "magnitude pruning can slightly outperform the random-pruning theory)."
        ),
        theory=_hess_theory_magnitude,
        practice=_hess_practice_magnitude,
        compare="abs",
        tolerance=0.1,
        tolerance_reason="as for random pruning: +-0.1 with a p grid spacing of 0.05-0.1 near the prediction",
        profiles=profiles(quick=_HESS_Q, gpu=_HESS_G, paper=_HESS_P, seeds=_SEEDS),
        figure=_hess_figure,
        tags=("hessian", "imp"),
    ),
    Claim(
        id="lottery.hessian_magnitude_beats_random",
        statement="Magnitude pruning reaches a larger one-shot prune fraction than random pruning at the same eps.",
        theory=_hess_mag_theory,
        practice=_hess_mag_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="sign claim on the seed-mean difference of thresholds",
        profiles=profiles(quick=_HESS_Q, gpu=_HESS_G, paper=_HESS_P, seeds=_SEEDS),
        tags=("hessian", "imp"),
    ),
    Claim(
        id="lottery.retraining_small_weights",
        statement=(
            "Retraining creates new small weights: with retraining the projections are shorter (rho_L) and cost less "
            "train loss than pruning the same solution again without retraining (mean log-gaps over levels 1..L > 0)."
        ),
        theory=_retrain_theory,
        practice=_retrain_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="sign claim on the seed-mean log-gaps [rho, post-projection loss]",
        profiles=profiles(
            quick=_with(QUICK, last_level=16), gpu=_with(GPU, last_level=10), paper=_with(PAPER, last_level=15), seeds=_SEEDS
        ),
        figure=_retrain_figure,
        tags=("imp", "retraining"),
    ),
]


if __name__ == "__main__":
    from verify.core.cli import main_for_paper

    raise SystemExit(main_for_paper("lottery"))
