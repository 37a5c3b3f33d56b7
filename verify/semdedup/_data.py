"""Test beds for the SemDeDup claims: Gaussian-mixture embeddings with planted copies,
digits with jittered copies, and stdlib docstrings with planted paraphrases."""

from __future__ import annotations

import ast
import re
import sysconfig
from pathlib import Path

import numpy as np

from numerics._data import digits

__all__ = ["mixture", "config_mixture", "digits_with_copies", "docstring_corpus", "paraphrase", "unit"]


def unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def mixture(
    rng: np.random.Generator,
    *,
    n_orig: int,
    dim: int,
    n_comp: int,
    spread: float,
    n_dup: int,
    sigma: float,
    n_exact: int = 0,
    n_holdout: int = 0,
):
    r"""Unit embeddings from a mixture of `n_comp` von-Mises-like blobs plus planted copies.

    Originals \( x = \mathrm{unit}(\mu + \text{spread}\, g/\sqrt d) \); near copies
    \( x' = \mathrm{unit}(x + \sigma n) \), \( n \sim \mathcal N(0, I_d/d) \) (the noise model of
    `theory.semdedup.split_probability`); exact copies are bitwise identical rows. Rows are
    shuffled. With `n_holdout > 0`, also returns that many further originals of the same
    mixture (for training k-means on data that does not hold the planted pairs).

    **Returns:** `(E float32 (N, d), pairs (n_dup, 2), exact_pairs (n_exact, 2))`, each pair
    `(original row, copy row)`, plus the holdout rows when `n_holdout > 0`.
    """
    centers = unit(rng.standard_normal((n_comp, dim)))
    comp = rng.integers(0, n_comp, size=n_orig)
    X = unit(centers[comp] + spread * rng.standard_normal((n_orig, dim)) / np.sqrt(dim))
    src = rng.choice(n_orig, size=n_dup + n_exact, replace=False)
    near = unit(X[src[:n_dup]] + sigma * rng.standard_normal((n_dup, dim)) / np.sqrt(dim))
    exact = X[src[n_dup:]]
    allx = np.vstack([X, near, exact]).astype(np.float32)
    n_all = len(allx)
    perm = rng.permutation(n_all)  # new row r holds old row perm[r]
    where = np.empty(n_all, dtype=np.int64)
    where[perm] = np.arange(n_all)
    pairs = np.stack([where[src[:n_dup]], where[n_orig + np.arange(n_dup)]], axis=1)
    exact_pairs = np.stack([where[src[n_dup:]], where[n_orig + n_dup + np.arange(n_exact)]], axis=1)
    out = (np.ascontiguousarray(allx[perm]), pairs, exact_pairs)
    if n_holdout:
        comp_h = rng.integers(0, n_comp, size=n_holdout)
        hold = unit(centers[comp_h] + spread * rng.standard_normal((n_holdout, dim)) / np.sqrt(dim))
        out = out + (hold.astype(np.float32),)
    return out


def config_mixture(ctx, stream: str = "data"):
    """`mixture` drawn from the named seed stream `stream` with the sizes of `ctx.config`
    (`n_exact` and `n_holdout` default to 0)."""
    c = ctx.config
    return mixture(
        ctx.rng(stream),
        n_orig=c["n_orig"],
        dim=c["dim"],
        n_comp=c["n_comp"],
        spread=c["spread"],
        n_dup=c["n_dup"],
        sigma=c["sigma"],
        n_exact=c.get("n_exact", 0),
        n_holdout=c.get("n_holdout", 0),
    )


def digits_with_copies(rng: np.random.Generator, *, copies: int, noise: float, test_fraction: float, embed_fraction: float = 0.0):
    """sklearn digits; each training image gets `copies` copies shifted circularly by one
    pixel in a random direction plus Gaussian noise (pixel scale 0..16).

    With `embed_fraction > 0`, that fraction of the images is held out as a third split,
    disjoint from the training and test images, for training an embedding model.

    **Returns:** dict with `x_train (n, 8, 8)`, `y_train`, `group` (index of the original),
    `is_copy`, `x_test`, `y_test` (held-out originals), `x_test_jit`, `y_test_jit` (held-out
    originals and their jittered copies: the training distribution), `x_embed`, `y_embed`
    (the embedding split, possibly empty), `n_orig`.
    """
    pixels, y = digits()  # pixels / 16
    imgs = (pixels * 16.0).reshape(-1, 8, 8)  # exact: scaling by a power of two
    idx = rng.permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    n_embed = int(round(embed_fraction * len(y)))
    te, em, tr = idx[:n_test], idx[n_test : n_test + n_embed], idx[n_test + n_embed :]
    x0, y0 = imgs[tr], y[tr]
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]

    def jitter(x):
        pick = rng.integers(0, len(shifts), size=len(x))
        xc = np.empty_like(x)
        for s, (dy, dx) in enumerate(shifts):
            m = pick == s
            xc[m] = np.roll(np.roll(x[m], dy, axis=1), dx, axis=2)
        return np.clip(xc + noise * rng.standard_normal(xc.shape), 0, 16)

    xs, ys, grp, isc = [x0], [y0], [np.arange(len(y0))], [np.zeros(len(y0), bool)]
    for _ in range(copies):
        xs.append(jitter(x0))
        ys.append(y0)
        grp.append(np.arange(len(y0)))
        isc.append(np.ones(len(y0), bool))
    # a test set drawn like the training set: held-out images and their jittered copies
    xt, yt = imgs[te], y[te]
    return {
        "x_train": np.concatenate(xs),
        "y_train": np.concatenate(ys),
        "group": np.concatenate(grp),
        "is_copy": np.concatenate(isc),
        "x_test": xt,
        "y_test": yt,
        "x_test_jit": np.concatenate([xt] + [jitter(xt) for _ in range(copies)]),
        "y_test_jit": np.tile(yt, copies + 1),
        "x_embed": imgs[em],
        "y_embed": y[em],
        "n_orig": len(y0),
    }


def docstring_corpus() -> list[str]:
    """First sentences (30-160 characters) of the docstrings in the top-level modules of the
    running Python's standard library, parsed with `ast` (nothing imported), deduplicated
    exactly, sorted."""
    root = Path(sysconfig.get_paths()["stdlib"])
    out: set[str] = set()
    for p in sorted(root.glob("*.py")):
        try:
            tree = ast.parse(p.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node)
                if not doc:
                    continue
                first = " ".join(doc.strip().split("\n\n")[0].split())
                m = re.match(r"(.+?[.!?])(\s|$)", first)
                s = m.group(1) if m else first
                if 30 <= len(s) <= 160 and s[0].isupper():
                    out.add(s)
    return sorted(out)


_SYNONYMS = {
    "Return": "Returns", "Returns": "Return", "return": "give back", "the": "this", "a": "one",
    "object": "instance", "Get": "Retrieve", "Create": "Build", "list": "sequence", "string": "str",
    "specified": "given", "given": "specified", "value": "result", "number": "count", "Set": "Assign",
    "function": "routine", "True": "true", "if": "when", "an": "one", "of": "for",
}


def paraphrase(s: str, rng: np.random.Generator) -> str:
    """A paraphrase-like near-duplicate: up to two synonym swaps, a case change or a
    'This method/helper ...' prefix, and a dropped or kept final period."""
    w = s.rstrip(".").split(" ")
    idx = [i for i, x in enumerate(w) if x in _SYNONYMS]
    for i in rng.permutation(idx)[:2]:
        w[i] = _SYNONYMS[w[i]]
    out = " ".join(w)
    r = rng.random()
    if r < 0.33:
        out = out[0].lower() + out[1:]
    elif r < 0.66:
        out = "This " + ("method " if rng.random() < 0.5 else "helper ") + out[0].lower() + out[1:]
    if rng.random() < 0.5:
        out += "."
    return out
