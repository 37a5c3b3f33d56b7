"""Test beds for the SemDeDup claims: Gaussian-mixture embeddings with planted copies,
digits with jittered copies, and stdlib docstrings with planted paraphrases."""

from __future__ import annotations

import ast
import re
import sysconfig
from pathlib import Path

import numpy as np

from numerics._data import DataSplit, digits

__all__ = ["mixture", "config_mixture", "digits_with_copies", "mnist1d_vectorized", "docstring_corpus", "paraphrase", "unit"]


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


def _interp_rows(x: np.ndarray, n: int) -> np.ndarray:
    """Linear interpolation of each row of `x` onto `n` points of [0, 1], with the arithmetic
    of `scipy.interpolate.interp1d(kind="linear")` (searchsorted, slope, offset), so that the
    result equals `mnist1d.transform.interpolate` row by row to the last bit."""
    src = np.linspace(0, 1, x.shape[1])
    new = np.linspace(0, 1, n)
    hi = np.searchsorted(src, new).clip(1, len(src) - 1).astype(int)
    lo = hi - 1
    slope = (x[:, hi] - x[:, lo]) / (src[hi] - src[lo])[None, :]
    return slope * (new - src[lo])[None, :] + x[:, lo]


def mnist1d_vectorized(n_samples: int = 5000, seed: int = 42, train_split: float = 0.8, **args) -> DataSplit:
    """MNIST-1D as `numerics._data.mnist1d` makes it (same arguments, same random draws in the
    same order, same arithmetic: bit for bit equal, tested), about 30x faster: the per-sample
    random numbers are drawn in the package's order from a private `RandomState(seed)` (no
    global state is touched), and the transforms (pad + dilate, scale, circular translation,
    correlated and iid noise, shear, subsampling) run on all samples at once, grouped by padding
    length. The package's Python loop costs ~0.5 ms per sample; the 10-20x-default sizes of
    `beats_random_pruning` (50k-100k samples) would spend most of the claim's budget there.

    Every sample is one of 10 templates under a random transformation, so at 10-20x the default
    size many samples are near-copies of each other (the redundancy SemDeDup removes).
    """
    from mnist1d.data import get_dataset_args, get_templates
    from scipy.ndimage import gaussian_filter1d

    if int(n_samples) != n_samples or n_samples < 20 or n_samples % 10:
        raise ValueError(f"n_samples must be an integer multiple of 10, >= 20, got {n_samples}")
    if not 0.0 < float(train_split) < 1.0:
        raise ValueError(f"train_split must be in (0, 1), got {train_split}")
    a = get_dataset_args()
    unknown = sorted(set(args) - set(vars(a)))
    if unknown:
        raise ValueError(f"unknown MNIST-1D argument {unknown[0]!r}")
    for k, v in args.items():
        setattr(a, k, v)
    if a.shuffle_seq:
        raise ValueError("shuffle_seq is not supported by the vectorized generator")
    tpl = get_templates()
    n, n_cls = int(n_samples), len(tpl["y"])
    per = n // n_cls
    low, high = a.padding
    length = a.template_len + a.padding[-1]
    rs = np.random.RandomState(int(seed))  # the stream of np.random.seed(seed), as mnist1d's set_seed
    pads = np.empty(n, np.int64)
    scale = np.empty(n)
    shift = np.empty(n, np.int64)
    corr = np.empty((n, length))
    iid = np.empty((n, length))
    shear = np.empty(n)
    for i in range(n):  # the draws of mnist1d.transform.transform, in its order
        pads[i] = low + int(rs.rand() * (high - low + 1))
        scale[i] = 1 + a.scale_coeff * (rs.rand() - 0.5)
        shift[i] = rs.choice(a.max_translation)
        corr[i] = a.corr_noise_scale * rs.randn(length)
        iid[i] = a.iid_noise_scale * rs.randn(length)
        shear[i] = a.shear_scale * (rs.rand() - 0.5)
    labels = np.repeat(np.asarray(tpl["y"]), per)
    base = tpl["x"][np.repeat(np.arange(n_cls), per)] + 1e-8
    x = np.empty((n, length))
    for p in np.unique(pads):  # pad with p zeros and dilate to `length` points
        m = pads == p
        x[m] = _interp_rows(np.concatenate([base[m], np.zeros((int(m.sum()), int(p)))], axis=1), length)
    x *= scale[:, None]
    x = np.take_along_axis(x, (np.arange(length)[None, :] - shift[:, None]) % length, axis=1)
    mask = x != 0
    x = mask * x + (1 - mask) * gaussian_filter1d(corr, 2, axis=1)
    x = x + iid
    x = x - shear[:, None] * np.linspace(-0.5, 0.5, length)[None, :]
    x = _interp_rows(x, a.final_seq_length)
    order = rs.permutation(n)
    xs, ys = x[order], labels[order]
    xs = (xs - xs.mean()) / xs.std()
    cut = int(n * float(train_split))
    return DataSplit(xs[:cut].astype(np.float32), ys[:cut].astype(np.int64), xs[cut:].astype(np.float32),
                     ys[cut:].astype(np.int64), "mnist1d")


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
