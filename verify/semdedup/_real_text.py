"""Real text: precision and recall of SemDeDup's removals against planted paraphrases of stdlib
docstrings, embedded offline with all-MiniLM-L6-v2."""

from __future__ import annotations

import numpy as np

from numerics.semdedup import embed_texts, semdedup
from verify.core.claims import Measurement, Prediction, SkipClaim
from verify.semdedup._data import docstring_corpus, paraphrase

__all__ = ["text_theory", "text_practice"]


def text_theory(ctx) -> Prediction:
    c = ctx.config
    return Prediction(
        np.array([c["target_precision"], c["target_recall"]]),
        info={"targets": "precision and recall of removals w.r.t. planted paraphrase pairs (set before the run)"},
    )


def text_practice(ctx) -> Measurement:
    c = ctx.config

    def run():
        rng = ctx.rng("text")
        pool = docstring_corpus()
        if len(pool) < c["n_texts"]:
            raise SkipClaim(f"only {len(pool)} stdlib docstrings found, need {c['n_texts']}")
        corpus = [pool[i] for i in np.sort(rng.choice(len(pool), size=c["n_texts"], replace=False))]
        pick = rng.choice(len(corpus), size=c["n_planted"], replace=False)
        copies = [paraphrase(corpus[i], rng) for i in pick]
        texts = corpus + copies
        try:
            emb = embed_texts(texts, progress=False)
        except ImportError as err:
            raise SkipClaim(str(err)) from err
        return {"emb": emb, "pick": pick, "n_corpus": len(corpus), "examples": list(zip([corpus[i] for i in pick[:3]], copies[:3]))}

    data = ctx.shared("docstrings", run, n_texts=c["n_texts"], n_planted=c["n_planted"])
    emb, pick, n0 = data["emb"], data["pick"], data["n_corpus"]
    pairs = np.stack([pick, n0 + np.arange(len(pick))], axis=1)
    res = semdedup(emb, c["k"], c["eps"], seed=ctx.seed, progress=False)
    removed = ~res.keep
    in_pair = np.zeros(len(emb), bool)
    in_pair[pairs.ravel()] = True
    precision = float((removed & in_pair).sum() / max(removed.sum(), 1))
    recall = float(removed[pairs].any(axis=1).mean())
    pair_sims = (emb[pairs[:, 0]].astype(np.float64) * emb[pairs[:, 1]]).sum(1)
    above = float(np.mean(pair_sims > 1 - c["eps"]))
    split = float(np.mean(res.cluster[pairs[:, 0]] != res.cluster[pairs[:, 1]]))
    return Measurement(
        np.array([precision, recall]),
        info={
            "precision": precision,
            "recall": recall,
            "removed": int(removed.sum()),
            "removed_not_planted": int((removed & ~in_pair).sum()),
            "pairs_above_threshold": above,
            "pairs_split_by_kmeans": split,
            "n_texts": len(emb),
            "examples": data["examples"],
        },
    )
