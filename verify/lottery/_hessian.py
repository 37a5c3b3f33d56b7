"""Claim 7: the Hessian spectrum of a level-L solution predicts the largest one-shot prune
fraction (random and magnitude pruning), and magnitude pruning reaches further.

The measurement is the bound's own quantity (brief A.8.7): the projected solution retrained
inside the kept axial subspace with a short budget. IMP's next level (rewind to w_k) and no
retraining at all are measured on the same masks and reported in the info; the theory
side reports, on its own network, where the quadratic model of the loss stops holding."""

from __future__ import annotations

import numpy as np

from verify.core.claims import Measurement, Prediction
from verify.lottery._experiments import hessian_prediction, prune_ratio

__all__ = [
    "pstar_theory_random", "pstar_theory_magnitude",
    "pstar_practice_random", "pstar_practice_magnitude",
    "magnitude_theory", "magnitude_practice",
]


def _pstar_theory(ctx, method: str):
    spec, pred = hessian_prediction(ctx)
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
    if "quadratic_check" in spec:
        # the quadratic model against the real loss on the theory seed's own network, per p:
        # r = ||Delta||, loss increase at the projected point (quadratic vs real), and the
        # quadratic model's minimum over the kept subspace (what it says retraining reaches)
        qc = spec["quadratic_check"]
        info["quadratic_check_p"] = qc["p_grid"].tolist()
        for m in ("random", "magnitude"):
            for k in ("r", "quad", "lin", "true", "schur"):
                info[f"quadratic_check_{m}_{k}"] = np.round(qc[m][k], 4).tolist()
                raw[f"qc_{m}_{k}"] = qc[m][k]
    if "eigenvalues" not in spec:
        info["top_eigenvalues"] = np.round(spec["top"][:5], 4).tolist()
        raw["top"] = spec["top"]
    return Prediction(value=pred[method], raw=raw, info=info)


def pstar_theory_random(ctx):
    return _pstar_theory(ctx, "random")


def pstar_theory_magnitude(ctx):
    return _pstar_theory(ctx, "magnitude")


def _pstar_practice(ctx, method: str):
    r = prune_ratio(ctx)
    raw = {
        "p_grid": r["p_grid"], "loss_random": r["loss_random"], "loss_magnitude": r["loss_magnitude"],
        "random": r["random"], "magnitude": r["magnitude"], "eps": r["eps"],
        "proj_len_random": r["proj_len_random"], "proj_len_magnitude": r["proj_len_magnitude"],
    }
    info = {
        "e0": float(r["e0"]), "retrain_from": r["mode"],
        "random_threshold": r["random"].tolist(), "magnitude_threshold": r["magnitude"].tolist(),
    }
    for mode, d in r["modes"].items():
        if mode == r["mode"]:
            continue
        info[f"{mode}_random_threshold"] = d["random"].tolist()
        info[f"{mode}_magnitude_threshold"] = d["magnitude"].tolist()
        raw[f"{mode}_loss_random"] = d["loss_random"]
        raw[f"{mode}_loss_magnitude"] = d["loss_magnitude"]
    return Measurement(value=r[method], raw=raw, info=info)


def pstar_practice_random(ctx):
    return _pstar_practice(ctx, "random")


def pstar_practice_magnitude(ctx):
    return _pstar_practice(ctx, "magnitude")


def magnitude_theory(ctx):
    return Prediction(value=np.zeros(len(ctx.config["eps"])), info={"why": "magnitude pruning reaches a larger prune fraction than random"})


def magnitude_practice(ctx):
    r = prune_ratio(ctx)
    info = {"retrain_from": r["mode"], "random": r["random"].tolist(), "magnitude": r["magnitude"].tolist()}
    for mode, d in r["modes"].items():
        if mode != r["mode"]:
            info[f"{mode}_magnitude_minus_random"] = (d["magnitude"] - d["random"]).tolist()
    return Measurement(value=r["magnitude"] - r["random"], info=info)
