"""Shared experiments of the lottery claims (`ctx.shared`): each is computed once per seed
and read by several claims.

- `imp_run`: the IMP run per seed, read by the bookkeeping, LMC, robustness, Hessian
  (practice side) and retraining claims; the Hessian prediction runs its own IMP on the
  theory seed, truncated at level L, so that it never sees the practice networks.
- `stability`, `robustness`, `quadratic_thresholds`, `hessian_prediction`, `prune_ratio`:
  one protocol of `numerics.lottery.experiments` each.

The run store keeps data, not code: an IMP run is stored as `IMPResult.to_dict()` and
rebuilt after `ctx.shared`.
"""

from __future__ import annotations

import copy

from numerics.lottery import IMPResult, experiments
from verify.core.claims import SkipClaim

__all__ = ["guard", "imp_run", "stability", "robustness", "quadratic_thresholds", "hessian_prediction", "prune_ratio"]

_QUADRATIC_KEYS = ("dim", "sharp_fractions", "lam_sharp", "lam_flat", "eps", "trials")
_HESSIAN_KEYS = (
    "model", "data", "train", "imp", "level", "eps", "hessian", "hessian_dtype", "hessian_samples", "hessian_chunk",
    "top_k", "lanczos_iter", "slq_probes", "slq_iter", "schur_check", "schur_eps", "p_grid",
)
_PRUNE_RATIO_KEYS = (
    "model", "data", "train", "imp", "level", "eps", "p_grid", "retrain_from", "retrain_start", "retrain_steps", "compare_retrain",
)


def guard(fn):
    """Turn a missing dataset (CIFAR-10 without `--data-dir`) into a SKIP with its reason."""
    try:
        return fn()
    except FileNotFoundError as e:
        raise SkipClaim(str(e)) from None


def imp_run(ctx, cfg: dict | None = None) -> IMPResult:
    """The seed's IMP run for `cfg` (default `ctx.config`)."""
    cfg = ctx.config if cfg is None else cfg
    key = {k: cfg[k] for k in ("model", "data", "train", "imp")}
    data = ctx.shared(
        "imp",
        lambda: guard(lambda: experiments.imp_run(cfg, ctx.seed, ctx.device, ctx.data_dir, progress=ctx.progress)).to_dict(),
        **key,
    )
    return IMPResult.from_dict(data)


def stability(ctx) -> dict:
    """Barriers between two copies trained from each rewind point (`stability_vs_rewind`)."""
    return ctx.shared(
        "stability",
        lambda: guard(lambda: experiments.stability_vs_rewind(ctx.config, ctx.seed, ctx.device, ctx.data_dir, ctx.progress)),
        **{k: ctx.config[k] for k in ("model", "data", "train", "rewind_steps", "n_points")},
    )


def robustness(ctx) -> dict:
    """Barriers after perturbing the pruned rewind point by multiples of delta."""
    cfg = ctx.config
    imp = imp_run(ctx)
    return ctx.shared(
        "robustness",
        lambda: experiments.robustness(imp, cfg, ctx.seed, ctx.device, ctx.data_dir, ctx.progress),
        **{k: cfg[k] for k in ("model", "data", "train", "imp", "levels", "scales", "n_points")},
    )


def _quadratic_mc(ctx) -> dict:
    c = ctx.config
    rng = ctx.rng("quadratic")
    res = {}
    for f in c["sharp_fractions"]:
        res[f] = experiments.quadratic_exact_thresholds(c["dim"], f, c["lam_sharp"], c["lam_flat"], c["eps"], c["trials"], rng)
    return res


def quadratic_thresholds(ctx) -> dict:
    """Exact (Schur-complement) thresholds of the quadratic model, per sharp fraction."""
    return ctx.shared("quadratic", lambda: _quadratic_mc(ctx), **{k: ctx.config[k] for k in _QUADRATIC_KEYS})


def _hessian_cfg(ctx) -> dict:
    cfg = copy.deepcopy(dict(ctx.config))
    cfg["imp"] = dict(cfg["imp"], levels=int(cfg["level"]))
    return cfg


def _hessian_prediction(ctx):
    cfg = _hessian_cfg(ctx)
    imp = imp_run(ctx, cfg)
    spec = experiments.hessian_spectrum(imp, cfg, ctx.device, ctx.data_dir)
    return spec, experiments.prune_ratio_prediction(spec, cfg["eps"])


def hessian_prediction(ctx) -> tuple[dict, dict]:
    """`(spectrum, prediction)`: the Hessian of the theory seed's level-L solution and the
    predicted largest prune fractions; with `schur_check`, also the exact quadratic-model
    thresholds and, over `p_grid`, the quadratic model against the real loss on the same
    network (`quadratic_check`)."""
    return ctx.shared("hessian_prediction", lambda: _hessian_prediction(ctx), **{k: ctx.config.get(k) for k in _HESSIAN_KEYS})


def prune_ratio(ctx) -> dict:
    """The measured largest one-shot prune fractions of the seed's level-L solution (the
    practice side reads the seed's main IMP run): retrained from the projected point (the
    headline, `retrain_from`), by IMP's next level from the rewind point, and with no
    retraining, on the same masks."""
    cfg = ctx.config
    imp = imp_run(ctx)
    return ctx.shared(
        "prune_ratio",
        lambda: experiments.prune_ratio_measurement(imp, cfg, ctx.seed, ctx.device, ctx.data_dir, ctx.progress),
        **{k: cfg.get(k) for k in _PRUNE_RATIO_KEYS},
    )
