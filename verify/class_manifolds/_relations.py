"""Theory and practice of the trained-model claims (brief B.7.3-4): finite per-class d*, and
the paper's directions (training time, random labels, width, ensembles, boundary targets).

The directions are the brief's reading of the paper's abstract (B.5): each theory side is the
predicted sign (value 0, compared `at_least` with the measured difference).
"""

from __future__ import annotations

import math

import numpy as np

from verify.class_manifolds._common import deff_interval, main_run, relation_raw, sweep_info
from verify.class_manifolds._experiments import ensemble_experiment, labels_experiment, softmax_experiment, width_experiment
from verify.core.claims import Measurement, Prediction

_SOURCE = "brief B.5 (paper abstract)"


def _direction(text: str) -> Prediction:
    return Prediction(value=0.0, info={"predicted_direction": text, "source": _SOURCE})


# --------------------------------------------------------------------------- per-class d*


def per_class_theory(ctx) -> Prediction:
    """Every class has a finite d* (fraction 1)."""
    return Prediction(value=1.0, info={"source": "brief B.7.3 / notebook figure (all 10 CIFAR classes finite)"})


def per_class_practice(ctx) -> Measurement:
    """Fraction of classes (MLP and, on request, softmax regression) with a finite, rising fit."""
    main = main_run(ctx)
    final = main["sweeps"][-1]
    ok = list(final["monotone"])
    info = {"mlp_final": sweep_info(final), "train_acc": main["train_acc"][-1]}
    if ctx.config.get("with_softmax", False):
        sm = ctx.shared("softmax", lambda: softmax_experiment(dict(ctx.config), ctx.seed, ctx.device, ctx.data_dir), cfg=dict(ctx.config))
        ok += list(sm["sweep"]["monotone"])
        info["softmax"] = sweep_info(sm["sweep"])
        info["softmax_train_acc"] = sm["train_acc"]
    frac = float(np.mean(ok))
    return Measurement(value=frac, raw=relation_raw([("final", final)]), info=info,
                       counters={"censored": int(sum(c is not None for c in final["censored"]))})


# --------------------------------------------------------------------------- training time


def training_theory(ctx) -> Prediction:
    """d_eff does not decrease over training."""
    return _direction("d_eff non-decreasing over training")


def training_practice(ctx) -> Measurement:
    """The smallest increase of the class-mean d_eff between consecutive checkpoints."""
    main = main_run(ctx)
    sws = main["sweeps"]
    deff = [s["mean_deff"] for s in sws]
    diffs = [deff[i + 1] - deff[i] for i in range(len(deff) - 1)]
    j = int(np.argmin(diffs))
    per_class = np.stack([s["d_star_clipped"] for s in sws])  # (n_epochs, classes)
    per_class_monotone = float(np.mean(np.all(np.diff(per_class, axis=0) <= 0, axis=0)))
    info = {
        "epochs": main["epochs"],
        "train_acc": main["train_acc"],
        "sweep_wall_s": [round(s.get("wall_s", math.nan), 2) for s in sws],
        "cuts_per_sweep": [s.get("cuts") for s in sws],
        "mean_d_eff": [round(v, 3) for v in deff],
        "mean_d_eff_ci90": [deff_interval(s["mean_deff_boot"]) for s in sws],
        "worst_step_diff_ci90": deff_interval(sws[j + 1]["mean_deff_boot"], sws[j]["mean_deff_boot"]),
        "fraction_classes_d_star_nonincreasing": per_class_monotone,
        "per_epoch": [sweep_info(s) for s in sws],
    }
    return Measurement(value=float(min(diffs)), raw=relation_raw([(f"epoch{e}", s) for e, s in zip(main["epochs"], sws)]),
                       info=info, counters={"train_steps": main["train_steps"]})


# --------------------------------------------------------------------------- random labels


def labels_theory(ctx) -> Prediction:
    """True labels give at least the d_eff of random labels."""
    return _direction("d_eff(true) - d_eff(random) >= 0")


def labels_practice(ctx) -> Measurement:
    """d_eff(true labels) - d_eff(random labels), each net trained to the same train accuracy."""
    cfg = dict(ctx.config)
    res = ctx.shared("labels", lambda: labels_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)
    t, r = res["true"], res["random"]
    diff = t["sweep"]["mean_deff"] - r["sweep"]["mean_deff"]
    info = {k: {"epochs": v["epochs"], "train_acc": v["train_acc"], **sweep_info(v["sweep"])} for k, v in res.items()}
    info["diff_ci90"] = deff_interval(t["sweep"]["mean_deff_boot"], r["sweep"]["mean_deff_boot"])
    pairs = [("true", t["sweep"]), ("random", r["sweep"])]
    if "true_equal_epochs" in res:
        pairs.append(("true_equal_epochs", res["true_equal_epochs"]["sweep"]))
    return Measurement(value=float(diff), raw=relation_raw(pairs), info=info)


# --------------------------------------------------------------------------- width


def width_theory(ctx) -> Prediction:
    """The widest net has at least the d_eff of the narrowest."""
    return _direction("d_eff(widest) - d_eff(narrowest) >= 0")


def width_practice(ctx) -> Measurement:
    """d_eff(widest) - d_eff(narrowest)."""
    cfg = dict(ctx.config)
    res = ctx.shared("width", lambda: width_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)
    ws = sorted(res)
    lo, hi = res[ws[0]]["sweep"], res[ws[-1]]["sweep"]
    info = {f"width{w}": {"train_acc": res[w]["train_acc"], **sweep_info(res[w]["sweep"])} for w in ws}
    info["diff_ci90"] = deff_interval(hi["mean_deff_boot"], lo["mean_deff_boot"])
    return Measurement(value=float(hi["mean_deff"] - lo["mean_deff"]), raw=relation_raw([(f"width{w}", res[w]["sweep"]) for w in ws]),
                       info=info)


# --------------------------------------------------------------------------- ensembles


def ensemble_theory(ctx) -> Prediction:
    """An ensemble has at least the mean member d_eff."""
    return _direction("d_eff(ensemble) - mean member d_eff >= 0")


def ensemble_practice(ctx) -> Measurement:
    """d_eff(ensemble) - mean member d_eff (the codimension-sum intersection rule in info)."""
    cfg = dict(ctx.config)
    res = ctx.shared("ensemble", lambda: ensemble_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)
    mem = [m["mean_deff"] for m in res["members"]]
    ens = res["ensemble"]
    D = ens["D"]
    member_boot = np.mean([m["mean_deff_boot"] for m in res["members"]], axis=0)
    codim_sum = float(sum(D - v for v in mem))  # intersection of generic sets: codimensions add
    info = {
        "ensemble": sweep_info(ens),
        "members_mean_d_eff": [round(v, 3) for v in mem],
        "ensemble_acc": res["ensemble_acc"],
        "diff_ci90": deff_interval(ens["mean_deff_boot"], member_boot),
        "intersection_prediction_d_star_sum": min(codim_sum, D),
        "measured_ensemble_d_star": float(D - ens["mean_deff"]),
        "mean_member_d_star": float(D - np.mean(mem)),
    }
    pairs = [("ensemble", ens)] + [(f"member{i}", m) for i, m in enumerate(res["members"][:2])]
    return Measurement(value=float(ens["mean_deff"] - np.mean(mem)), raw=relation_raw(pairs), info=info)


# --------------------------------------------------------------------------- boundary targets


def boundary_theory(ctx) -> Prediction:
    """Boundary targets need at least the d* of single classes."""
    return _direction("mean d*(boundary) - mean d*(single) >= 0")


def boundary_practice(ctx) -> Measurement:
    """Mean d* over boundary targets (uniform over 2-4 classes) minus the mean single-class d*."""
    main = main_run(ctx)
    single, multi = main["sweeps"][-1], main["boundary"]
    sizes = [len(t) for t in main["boundary_targets"]]
    by_size = {int(s): float(np.mean(multi["d_star_clipped"][np.array(sizes) == s])) for s in sorted(set(sizes))}
    diff = float(multi["d_star_clipped"].mean() - single["d_star_clipped"].mean())
    info = {
        "single_mean_d_star": float(single["d_star_clipped"].mean()),
        "boundary_mean_d_star_by_size": by_size,
        "boundary_targets": main["boundary_targets"],
        "boundary": sweep_info(multi),
        "diff_ci90": deff_interval(single["mean_deff_boot"], multi["mean_deff_boot"]),
    }
    return Measurement(value=diff, raw=relation_raw([("single", single), ("boundary", multi)]), info=info)
