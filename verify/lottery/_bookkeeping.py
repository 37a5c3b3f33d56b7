"""Claim 1: IMP bookkeeping (survivor counts from integer arithmetic against the IMP run's
masks, and the run's invariants)."""

from __future__ import annotations

import numpy as np

from numerics.lottery import experiments, make_model, prunable_names
from theory.lottery import imp_counts
from verify.core.claims import Measurement, Prediction
from verify.lottery._experiments import imp_run

__all__ = ["bookkeeping_theory", "bookkeeping_practice"]


def bookkeeping_theory(ctx):
    cfg = ctx.config
    model = make_model(cfg["model"], 0)
    names = prunable_names(model, tuple(cfg["imp"].get("exempt", ())))
    params = dict(model.named_parameters())
    n0 = sum(params[n].numel() for n in names)
    counts = imp_counts(n0, cfg["imp"]["prune_fraction"], cfg["imp"]["levels"] + 1, cfg["imp"].get("convention", "exact"))
    value = np.concatenate([counts, np.zeros(4, dtype=np.int64)])
    dens = counts / n0
    return Prediction(value=value, raw={"counts": counts, "density": dens}, info={"n_prunable": int(n0)})


def bookkeeping_practice(ctx):
    imp = imp_run(ctx)
    b = experiments.bookkeeping(imp, ctx.config["model"])
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
