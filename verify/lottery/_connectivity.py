"""Claims 2-4: linear mode connectivity. Barrier sanity (a convex model; different inits),
stability against the rewind step, and LMC between successive IMP levels iff matching."""

from __future__ import annotations

import numpy as np

from numerics.lottery import experiments
from verify.core.claims import Measurement, Prediction
from verify.lottery._experiments import guard, imp_run, stability
from verify.lottery._profiles import TAU_B

__all__ = [
    "convex_theory", "convex_practice",
    "different_inits_theory", "different_inits_practice",
    "stability_theory", "stability_practice",
    "degenerate_levels", "lmc_table", "lmc_theory", "lmc_practice",
]


def convex_theory(ctx):
    return Prediction(value=0.0, info={"why": "convex loss lies below its chord: max_t [L(w_t) - chord] <= 0"})


def convex_practice(ctx):
    r = experiments.convex_barrier(ctx.config, ctx.seed)
    return Measurement(
        value=r["barrier_linear"],
        raw={"losses": r["losses"]},
        info={"barrier_vs_endpoint_mean": r["barrier"], "half_endpoint_gap": r["half_gap"], "distance": r["distance"]},
    )


def different_inits_theory(ctx):
    return Prediction(value=TAU_B, info={"why": "different inits land in permuted modes: barrier above the LMC threshold"})


def different_inits_practice(ctx):
    r = guard(lambda: experiments.different_init_barrier(ctx.config, ctx.seed, ctx.device, ctx.data_dir))
    return Measurement(value=r["barrier"], raw={"errors": r["errors"], "ts": r["ts"]})


def stability_theory(ctx):
    ks = ctx.config["rewind_steps"]
    return Prediction(value=np.zeros(len(ks) - 1), info={"why": "barrier non-increasing in the rewind step k"})


def stability_practice(ctx):
    r = stability(ctx)
    b = r["barrier"]
    return Measurement(
        value=np.diff(b),
        raw={"rewind_steps": r["rewind_steps"], "barrier": b, "loss_barrier": r["loss_barrier"]},
        info={"barrier_per_k": dict(zip(map(str, r["rewind_steps"].tolist()), np.round(b, 4).tolist()))},
    )


def lmc_theory(ctx):
    return Prediction(value=1.0, info={"why": "successive-level solutions are linearly connected iff they are matching"})


def degenerate_levels(sb: dict, min_weights: int) -> np.ndarray:
    """Per level: True when the level is degenerate, i.e. it keeps fewer than `min_weights`
    prunable weights, or its test error is at chance (within two binomial standard errors of
    1 - 1/K). A pair of successive levels is left out of the LMC table when *both* endpoints
    are degenerate: there a single weight moves the test error by percents and both
    networks are far from any solution the claim is about."""
    err = np.asarray(sb["test_err"], dtype=float)
    few = np.asarray(sb["n_alive"]) < int(min_weights)
    chance = float(sb["chance_err"])
    se = np.sqrt(chance * (1 - chance) / max(1, int(sb["n_test"])))
    return few | (err >= chance - 2 * se)


def lmc_table(sb: dict, match_tol: float, tau: float, min_level: int, min_weights: int = 0) -> dict:
    """Contingency table of matching (test error within `match_tol` of the dense net) against
    LMC (barrier below `tau`) over successive level pairs from `min_level` on, leaving out
    the pairs whose endpoints are both degenerate (`degenerate_levels`; `min_weights=0` and
    no `n_alive` in `sb` keep every pair)."""
    err = sb["test_err"]
    match = err <= err[0] + match_tol
    pair_match = match[:-1] & match[1:]
    lmc = sb["barrier"] < tau
    sel = np.arange(len(lmc)) >= min_level
    if "n_alive" in sb:
        deg = degenerate_levels(sb, min_weights)
        excluded = sel & deg[:-1] & deg[1:]
    else:
        excluded = np.zeros(len(lmc), dtype=bool)
    sel = sel & ~excluded
    pm, pl = pair_match[sel], lmc[sel]
    table = np.asarray([[np.sum(pm & pl), np.sum(pm & ~pl)], [np.sum(~pm & pl), np.sum(~pm & ~pl)]])
    return {
        "agreement": float(np.mean(pm == pl)) if pm.size else float("nan"),
        "table": table, "match": pair_match, "lmc": lmc, "included": sel, "excluded": excluded,
    }


def lmc_practice(ctx):
    cfg = ctx.config
    imp = imp_run(ctx)
    sb = experiments.successive_barriers(imp, cfg, ctx.device, ctx.data_dir)
    t = lmc_table(sb, cfg["match_tol"], TAU_B, cfg.get("min_level", 1), cfg.get("min_weights", 0))
    tab = t["table"]
    excl = np.flatnonzero(t["excluded"])
    return Measurement(
        value=t["agreement"],
        raw={
            "barrier": sb["barrier"], "midpoint": sb["midpoint"], "test_err": sb["test_err"], "density": sb["density"],
            "n_alive": sb["n_alive"], "table": tab, "included": t["included"], "degenerate": t["excluded"],
        },
        info={
            "table [[match&LMC, match&barrier], [nomatch&LMC, nomatch&barrier]]": tab.tolist(),
            "P(LMC | matching)": float(tab[0, 0] / max(1, tab[0].sum())),
            "P(barrier | not matching)": float(tab[1, 1] / max(1, tab[1].sum())),
            "dense_test_err": float(sb["test_err"][0]),
            "pairs_used": int(tab.sum()),
            "degenerate_pairs_excluded (level L of (L, L+1))": excl.tolist(),
            "fewest_weights_in_table": int(sb["n_alive"][np.flatnonzero(t["included"]).max() + 1]) if t["included"].any() else None,
        },
    )
