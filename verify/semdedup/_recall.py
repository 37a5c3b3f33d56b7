"""Recall of planted pairs against k (C.7-4): the split-probability model of `theory.semdedup` (a pair
is missed when k-means puts its two members in different clusters), for hard and soft top-2
assignment."""

from __future__ import annotations

import math

import numpy as np

from numerics.semdedup import normalize_rows, semdedup, train_centroids
from theory.semdedup import soft_miss_probability_mc, split_probability, split_probability_lower, split_probability_mc
from verify.core.claims import Measurement, Prediction
from verify.semdedup._data import config_mixture

__all__ = ["recall_theory", "recall_practice", "soft_theory", "soft_practice"]

#
# The split model takes the centroids as fixed. In SemDeDup's regime (LAION: at most 256
# sampled points per centroid out of ~8800 items per cluster) a planted pair almost never
# trains the centroids it is assigned to. At our small n_c a pair inside the k-means sample
# pulls its own centroid (shift ~ |x - mu| / n_c, comparable to the noise) and is split less
# often, so both sides train k-means (the same library, same settings) on held-out items
# of the same mixture; the in-sample recall is reported beside it.


def _centroids(ctx, hold, k, seed):
    c = ctx.config
    m = min(len(hold), c["ppc"] * k)
    return train_centroids(normalize_rows(hold[:m]), k, niter=c["niter"], seed=seed)


def _model_recall(ctx, miss_fn, bracket_fns=None) -> Prediction:
    """Theory: on its own data draws, k-means centroids from held-out items, then the
    model's miss probability of every planted original (noise-model orthant probability
    by theory-side Monte Carlo); mean over originals and draws. The stderr holds the spread
    between draws (one practice run sees one clustering) and the Monte-Carlo error.
    `bracket_fns` adds the analytic Slepian bracket to `info`."""
    c = ctx.config
    preds, errs, per_rep, lo_b, hi_b = [], [], [], [], []
    draws = [config_mixture(ctx, f"theory_{rep}") for rep in range(c["theory_reps"])]
    for k in c["ks"]:
        vals, ses, los, his = [], [], [], []
        for rep, (E, pairs, _, hold) in enumerate(draws):
            if k == 1:
                vals.append(1.0)
                ses.append(0.0)
                los.append(1.0)
                his.append(1.0)
                continue
            C = _centroids(ctx, hold, k, 1000 + rep)
            x = normalize_rows(E[pairs[:, 0]])
            p = miss_fn(x, C, ctx.rng(f"noise_{rep}_{k}"))
            vals.append(1.0 - float(p.mean()))
            ses.append(float(p.std(ddof=1) / math.sqrt(len(p))))
            if bracket_fns is not None:
                los.append(1.0 - float(bracket_fns[0](x, C).mean()))
                his.append(1.0 - float(bracket_fns[1](x, C).mean()))
        vals = np.array(vals)
        between = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
        preds.append(float(vals.mean()))
        errs.append(math.sqrt(between**2 * (1 + 1 / len(vals)) + float(np.mean(np.square(ses)))))
        per_rep.append(vals.tolist())
        if bracket_fns is not None:
            lo_b.append(float(np.mean(los)))
            hi_b.append(float(np.mean(his)))
    info = {"per_draw": per_rep}
    if bracket_fns is not None:
        info["recall_lower_bound_independent_competitors"] = lo_b
        info["recall_upper_bound_single_competitor"] = hi_b
    return Prediction(np.array(preds), stderr=np.array(errs), raw={"ks": np.array(c["ks"], float)}, info=info)


def recall_theory(ctx) -> Prediction:
    c = ctx.config
    sigma = c["sigma"]
    return _model_recall(
        ctx,
        lambda x, C, rng: split_probability_mc(x, C, sigma, rng, c["noise_draws"]),
        (lambda x, C: split_probability(x, C, sigma), lambda x, C: split_probability_lower(x, C, sigma)),
    )


def soft_theory(ctx) -> Prediction:
    c = ctx.config
    return _model_recall(
        ctx, lambda x, C, rng: soft_miss_probability_mc(x, C, c["sigma"], c["soft_margin"], rng, c["noise_draws"])
    )


def _measured_recall(ctx, soft_margin, data=None):
    c = ctx.config
    E, pairs, _, hold = data if data is not None else config_mixture(ctx, "data")
    recall, se, split, in_sample = [], [], [], []
    for k in c["ks"]:
        C = _centroids(ctx, hold, k, ctx.seed)
        r = semdedup(E, None, c["eps"], centroids=C, soft_margin=soft_margin, progress=False)
        caught = (~r.keep[pairs]).any(axis=1)
        rate = float(caught.mean())
        recall.append(rate)
        se.append(math.sqrt(max(rate * (1 - rate), 1.0 / len(pairs)) / len(pairs)))
        split.append(float(np.mean(r.cluster[pairs[:, 0]] != r.cluster[pairs[:, 1]])))
        if c.get("in_sample", False) and soft_margin is None:  # k-means of the pipeline itself, trained on the data with the pairs
            r2 = semdedup(E, k, c["eps"], seed=ctx.seed, niter=c["niter"], soft_margin=soft_margin, progress=False)
            in_sample.append(float((~r2.keep[pairs]).any(axis=1).mean()))
    info = {"recall": recall, "hard_split_rate": split, "n_pairs": len(pairs)}
    if in_sample:
        info["recall_kmeans_in_sample"] = in_sample
    return Measurement(
        np.array(recall), stderr=np.array(se), raw={"ks": np.array(c["ks"], float), "split_rate": np.array(split)}, info=info
    )


def recall_practice(ctx) -> Measurement:
    m = _measured_recall(ctx, None)
    # the brief's decomposition: every miss is a split pair
    m.info["miss_minus_split"] = [float(1 - r - s) for r, s in zip(m.info["recall"], m.info["hard_split_rate"])]
    return m


def soft_practice(ctx) -> Measurement:
    data = config_mixture(ctx, "data")
    m = _measured_recall(ctx, ctx.config["soft_margin"], data)
    hard = _measured_recall(ctx, None, data)
    lost = 1 - np.array(hard.info["recall"])
    m.info["hard_recall"] = hard.info["recall"]
    with np.errstate(invalid="ignore", divide="ignore"):
        m.info["fraction_of_lost_recall_restored"] = [
            float(x) for x in np.where(lost > 0, (np.array(m.info["recall"]) - hard.info["recall"]) / lost, np.nan)
        ]
    return m
