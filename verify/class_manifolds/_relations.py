"""Theory and practice of the trained-model claims (brief B.7.3-4): finite per-class d*, and
the paper's directions (training time, random labels, width, ensembles, boundary targets).

Each direction's theory side is the predicted sign (value 0, compared `at_least` with the
measured difference); `SOURCES` says where each sign comes from. The paper's text beyond its
abstract could not be read here: the signs rest on the abstract's summary ("higher performing
and more robust models have higher dimensional CMs"), as the brief (B.5) reads it.

Each practice returns the per-seed difference with a `stderr` (the bootstrap SD of the
difference and the estimator's resolution, `_common.difference_stderr`), so the harness's
interval over seeds is never narrower than one seed's own uncertainty.
"""

from __future__ import annotations

import math

import numpy as np

from verify.class_manifolds._common import boot_sd, deff_interval, difference_stderr, main_run, relation_raw, sweep_info
from verify.class_manifolds._experiments import (
    ensemble_experiment,
    labels_experiment,
    robustness_experiment,
    softmax_experiment,
    train_size_experiment,
    width_experiment,
)
from verify.class_manifolds._profiles import RESOLUTION
from verify.core.claims import Measurement, Prediction
from verify.core.seeding import stream_seed

_ABSTRACT = ("Paper abstract (arXiv 2210.05546, in /work/shared/seeds/papers.txt): 'higher performing and more robust "
             "models have higher dimensional CMs'; its ICLR 2021 predecessor (Slice, Dice, and Optimize, OpenReview "
             "XMoyS8zm6GA, abstract): 'well-performing, robust models have higher dimensional CMs than worse performing "
             "models'. The figures with the measured directions could not be read here.")
SOURCES = {
    "training": ("brief B.5 'dimension grows over training', read from the abstract's factor '4) stage of training' and "
                 "its summary (training raises performance); also the brief's GPU check B.7 'per-class d* monotonic in "
                 "training epochs'. " + _ABSTRACT),
    "labels": ("brief B.5 'random labels give lower dimension', read from the abstract's factor '8) label randomization' "
               "and its summary (a random-label net generalises at chance). The comparison: the official notebook's "
               "label randomisation (consistently_randomize_ys) keeps the fixed epoch budget, so matched epochs; the "
               "brief's B.7.3 'at equal train accuracy' is reported beside it. " + _ABSTRACT),
    "width": ("brief B.5 'wider nets give higher dimension', read from the abstract's factor '6) network width' and its "
              "summary (wider nets perform better). " + _ABSTRACT),
    "ensemble": ("brief B.5 'larger ensembles give higher dimension', read from the abstract's factor '7) ensemble size' "
                 "and its summary (ensembles perform better). The abstract's 'ensembling via intersections of CMs' alone "
                 "would predict the opposite for generic sets (codimensions add; that prediction is in info). "
                 + _ABSTRACT),
    "robustness": ("the abstract's summary (arXiv 2210.05546): 'higher performing and more robust models have higher "
                   "dimensional CMs', and its factor '10) robustness to data corruption' (ICLR 2021 version: '9) model "
                   "robustness to data corruption'); brief B.5 'models more robust on corrupted inputs have higher "
                   "dimension'. The section and figure with the paper's corruption set-up and numbers could not be read "
                   "(search of stored pages returned only the abstracts and the ICLR 2021 introduction). " + _ABSTRACT),
    "train_size": ("direction NOT read in the paper's text: only the abstracts list '9) training set size' (ICLR 2021: "
                   "'8) training set size') as a factor, without a direction; the section could not be found (search of "
                   "stored pages returned only the abstracts and the 2021 introduction). Tested direction: more data >= "
                   "less data, from the abstract's summary ('higher performing ... models have higher dimensional CMs'; "
                   "more training data raises test accuracy, measured in info) and brief B.5 'more training data gives "
                   "higher dimension'. " + _ABSTRACT),
    "boundary": ("brief B.7.4, 'record as a measured relation, not a theorem'; the paper's title and abstract study "
                 "'low confidence boundaries' but state no direction. Rationale: a boundary target asks for several "
                 "classes' confidence at once, an intersection-like set (codimensions add, brief B.6.5)."),
}


def _direction(text: str, key: str) -> Prediction:
    return Prediction(value=0.0, info={"predicted_direction": text, "source": SOURCES[key]})


def _diff_measurement(value: float, boot_diff, raw, info, **kw) -> Measurement:
    """A difference with its seed's stderr, the 90% bootstrap interval and the stderr's parts in info."""
    info = dict(info)
    info["diff_ci90"] = deff_interval(boot_diff)
    info["stderr_parts"] = {"bootstrap_sd": boot_sd(boot_diff), "resolution": RESOLUTION}
    return Measurement(value=float(value), stderr=difference_stderr(boot_diff), raw=raw, info=info, **kw)


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
    return _direction("d_eff non-decreasing over training", "training")


def training_practice(ctx) -> Measurement:
    """The smallest increase of the class-mean d_eff between consecutive checkpoints."""
    main = main_run(ctx)
    sws = main["sweeps"]
    deff = [s["mean_deff"] for s in sws]
    diffs = [deff[i + 1] - deff[i] for i in range(len(deff) - 1)]
    j = int(np.argmin(diffs))
    per_class = np.stack([s["d_star_clipped"] for s in sws])  # (n_epochs, classes)
    per_class_monotone = float(np.mean(np.all(np.diff(per_class, axis=0) <= 0, axis=0)))
    # bootstrap of the statistic itself: the smallest consecutive increase, draw by draw
    boot_min = np.min(np.stack([sws[i + 1]["mean_deff_boot"] - sws[i]["mean_deff_boot"] for i in range(len(sws) - 1)]), axis=0)
    info = {
        "epochs": main["epochs"],
        "train_acc": main["train_acc"],
        "sweep_wall_s": [round(s.get("wall_s", math.nan), 2) for s in sws],
        "cuts_per_sweep": [s.get("cuts") for s in sws],
        "mean_d_eff": [round(v, 3) for v in deff],
        "mean_d_eff_ci90": [deff_interval(s["mean_deff_boot"]) for s in sws],
        "worst_step": [main["epochs"][j], main["epochs"][j + 1]],
        "worst_step_diff_ci90": deff_interval(sws[j + 1]["mean_deff_boot"], sws[j]["mean_deff_boot"]),
        "fraction_classes_d_star_nonincreasing": per_class_monotone,
        "per_epoch": [sweep_info(s) for s in sws],
    }
    return _diff_measurement(min(diffs), boot_min, relation_raw([(f"epoch{e}", s) for e, s in zip(main["epochs"], sws)]),
                             info, counters={"train_steps": main["train_steps"]})


# --------------------------------------------------------------------------- random labels


def labels_theory(ctx) -> Prediction:
    """True labels give at least the d_eff of random labels."""
    return _direction("d_eff(true) - d_eff(random) >= 0, same epoch budget", "labels")


def labels_practice(ctx) -> Measurement:
    """d_eff(true labels) - d_eff(random labels) after the same `label_epochs` epochs (the value);
    the same difference with each net trained to `label_train_acc` in info (`matched_accuracy`)."""
    cfg = dict(ctx.config)
    res = ctx.shared("labels", lambda: labels_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)
    info, pairs = {}, []
    for key in ("epochs", "accuracy"):
        t, r = res[key]["true"], res[key]["random"]
        boot = t["sweep"]["mean_deff_boot"] - r["sweep"]["mean_deff_boot"]
        info[f"matched_{key}"] = {
            "diff": float(t["sweep"]["mean_deff"] - r["sweep"]["mean_deff"]),
            "diff_ci90": deff_interval(boot),
            "stderr": difference_stderr(boot),
            **{name: {"epochs": v["epochs"], "train_acc": v["train_acc"], **sweep_info(v["sweep"])} for name, v in
               (("true", t), ("random", r))},
        }
        pairs += [(f"true_{key}", t["sweep"]), (f"random_{key}", r["sweep"])]
    info["decided_on"] = "matched_epochs (the official notebook's protocol: one fixed epoch budget whatever the labels)"
    info["target_train_acc"] = float(cfg["label_train_acc"])
    info["accuracy_reached"] = {n: res["accuracy"][n]["train_acc"] >= float(cfg["label_train_acc"]) for n in ("true", "random")}
    t, r = res["epochs"]["true"], res["epochs"]["random"]
    return _diff_measurement(t["sweep"]["mean_deff"] - r["sweep"]["mean_deff"], t["sweep"]["mean_deff_boot"] - r["sweep"]["mean_deff_boot"],
                             relation_raw(pairs), info)


# --------------------------------------------------------------------------- width


def width_theory(ctx) -> Prediction:
    """The widest net has at least the d_eff of the narrowest."""
    return _direction("d_eff(widest) - d_eff(narrowest) >= 0", "width")


def width_practice(ctx) -> Measurement:
    """d_eff(widest) - d_eff(narrowest)."""
    cfg = dict(ctx.config)
    res = ctx.shared("width", lambda: width_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)
    ws = sorted(res)
    lo, hi = res[ws[0]]["sweep"], res[ws[-1]]["sweep"]
    info = {f"width{w}": {"train_acc": res[w]["train_acc"], **sweep_info(res[w]["sweep"])} for w in ws}
    return _diff_measurement(hi["mean_deff"] - lo["mean_deff"], hi["mean_deff_boot"] - lo["mean_deff_boot"],
                             relation_raw([(f"width{w}", res[w]["sweep"]) for w in ws]), info)


# --------------------------------------------------------------------------- ensembles


def ensemble_theory(ctx) -> Prediction:
    """An ensemble has at least the mean member d_eff."""
    return _direction("d_eff(ensemble) - mean member d_eff >= 0", "ensemble")


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
        "intersection_prediction_d_star_sum": min(codim_sum, D),
        "measured_ensemble_d_star": float(D - ens["mean_deff"]),
        "mean_member_d_star": float(D - np.mean(mem)),
    }
    pairs = [("ensemble", ens)] + [(f"member{i}", m) for i, m in enumerate(res["members"][:2])]
    return _diff_measurement(ens["mean_deff"] - np.mean(mem), ens["mean_deff_boot"] - member_boot, relation_raw(pairs), info)


# --------------------------------------------------------------------------- boundary targets


def boundary_theory(ctx) -> Prediction:
    """Boundary targets need at least the d* of single classes."""
    return _direction("mean d*(boundary) - mean d*(single) >= 0", "boundary")


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
    }
    # mean d* = D - mean d_eff, so d*(boundary) - d*(single) = d_eff(single) - d_eff(boundary), draw by draw
    return _diff_measurement(diff, single["mean_deff_boot"] - multi["mean_deff_boot"],
                             relation_raw([("single", single), ("boundary", multi)]), info)


# --------------------------------------------------------------------------- robustness to input corruption (issue 19)


def spearman(a, b) -> float:
    """Spearman rank correlation (average ranks for ties); nan when either side is constant."""
    from scipy.stats import rankdata

    ra, rb = rankdata(np.asarray(a, dtype=float)), rankdata(np.asarray(b, dtype=float))
    if np.ptp(ra) == 0 or np.ptp(rb) == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def rank_correlation_bootstrap(x, y_boot, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap draws of Spearman(x, y): models resampled with replacement, and each model's
    `y` taken from its own bootstrap draw `y_boot[:, b]` (its estimator noise), draw by draw."""
    x = np.asarray(x, dtype=float)
    yb = np.asarray(y_boot, dtype=float)
    n, nb = yb.shape
    out = np.full(int(n_boot), np.nan)
    for b in range(int(n_boot)):
        idx = rng.integers(0, n, n)
        out[b] = spearman(x[idx], yb[idx, b % nb])
    return out


def robustness_theory(ctx) -> Prediction:
    """More robust models (smaller accuracy drop under corruption) have higher d_eff: rho >= 0."""
    return _direction("Spearman rho(robustness = -accuracy drop under Gaussian corruption, class-mean d_eff) >= 0",
                      "robustness")


def robustness_practice(ctx) -> Measurement:
    """Spearman rho between robustness (-drop) and class-mean d_eff over the seed's models, with
    the bootstrap SD (models resampled, each model's d_eff from its own bootstrap draw) as stderr."""
    cfg = dict(ctx.config)
    res = ctx.shared("robustness", lambda: robustness_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)
    rows = res["rows"]
    rob = np.array([-r["drop"] for r in rows])
    deff = np.array([r["sweep"]["mean_deff"] for r in rows])
    boot = np.stack([np.nan_to_num(r["sweep"]["mean_deff_boot"], nan=r["sweep"]["mean_deff"]) for r in rows])
    rho = spearman(rob, deff)
    draws = rank_correlation_bootstrap(rob, boot, int(cfg.get("rho_boot", 1000)),
                                       np.random.default_rng(stream_seed(ctx.seed, "robust-rho-boot")))
    sd = boot_sd(draws)
    finite = draws[np.isfinite(draws)]
    by_factor = {}
    for key in ("width", "augmentation", "epochs"):
        vals = sorted({r[key] for r in rows})
        by_factor[key] = {str(v): {"mean_d_eff": float(np.mean([r["sweep"]["mean_deff"] for r in rows if r[key] == v])),
                                   "mean_drop": float(np.mean([r["drop"] for r in rows if r[key] == v])),
                                   "mean_clean_acc": float(np.mean([r["clean_acc"] for r in rows if r[key] == v]))}
                          for v in vals}
    noisy_mean = np.array([np.mean(r["noisy_acc"]) for r in rows])
    clean = np.array([r["clean_acc"] for r in rows])
    info = {
        "rho_bootstrap_ci95": [float(np.quantile(finite, 0.025)), float(np.quantile(finite, 0.975))] if finite.size else None,
        "rho_bootstrap_sd": sd,
        "n_models": len(rows),
        "corruption_levels": res["levels"],
        "models": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items() if k != "sweep"}
                   | {"mean_d_eff": round(r["sweep"]["mean_deff"], 3)} for r in rows],
        "by_factor": by_factor,
        # other readings of "robust", reported beside the claim's (the accuracy drop)
        "rho_deff_vs_mean_corrupted_acc": spearman(noisy_mean, deff),
        "rho_deff_vs_relative_retention": spearman(noisy_mean / np.maximum(clean, 1e-9), deff),
        "rho_deff_vs_clean_acc": spearman(clean, deff),
    }
    raw = {"robustness": rob, "d_eff": deff, "clean_acc": clean,
           "labels": [f"w{r['width']} aug{r['augmentation']:g} ep{r['epochs']}" for r in rows]}
    return Measurement(value=rho, stderr=sd if np.isfinite(sd) else None, raw=raw, info=info,
                       counters={"train_steps": res["train_steps"]})


# --------------------------------------------------------------------------- training-set size (issue 19)


def train_size_theory(ctx) -> Prediction:
    """More training data gives at least the d_eff of less: d_eff(largest) - d_eff(smallest) >= 0."""
    return _direction("d_eff(largest training set) - d_eff(smallest) >= 0, equal SGD steps", "train_size")


def train_size_practice(ctx) -> Measurement:
    """d_eff(largest training set) - d_eff(smallest), with the seed's stderr (bootstrap SD and
    resolution); every size's d_eff, accuracies and the Spearman rho over sizes in info."""
    cfg = dict(ctx.config)
    res = ctx.shared("train_size", lambda: train_size_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)
    rows = sorted(res["rows"], key=lambda r: r["n_train"])
    lo, hi = rows[0]["sweep"], rows[-1]["sweep"]
    sizes = [r["n_train"] for r in rows]
    deff = [r["sweep"]["mean_deff"] for r in rows]
    info = {
        "steps": res["steps"],
        "sizes": sizes,
        "mean_d_eff": [round(v, 3) for v in deff],
        "test_acc": [round(r["test_acc"], 4) for r in rows],
        "train_acc": [round(r["train_acc"], 4) for r in rows],
        "rho_size_d_eff": spearman(sizes, deff),
        "per_size": [{"n_train": r["n_train"], **sweep_info(r["sweep"])} for r in rows],
    }
    raw = relation_raw([(f"n{r['n_train']}", r["sweep"]) for r in rows])
    raw.update(sizes=np.array(sizes, dtype=float), d_eff=np.array(deff), test_acc=np.array([r["test_acc"] for r in rows]))
    return _diff_measurement(hi["mean_deff"] - lo["mean_deff"], hi["mean_deff_boot"] - lo["mean_deff_boot"], raw, info)
