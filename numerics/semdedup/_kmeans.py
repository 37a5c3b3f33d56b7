r"""Spherical k-means (faiss, or scikit-learn where faiss is absent) and the exact
nearest-centroid assignment.

Training follows the official `clustering/clustering.py`: faiss `Kmeans(..., spherical=True)`
on a sample of at most `max_points_per_centroid * k` points (faiss' own default is 256),
then one nearest-centroid pass over all items. We draw the sample ourselves (seeded) so
that out-of-core inputs are sampled by streaming, and hand faiss exactly that sample.

Assignment is by largest cosine similarity \( c(i) = \min \arg\max_c \langle \hat x_i, \hat\mu_c \rangle \)
(float64 semantics, ties to the lowest centroid id): float32 GEMM blocks screen, and rows
whose top-two scores are within the screening margin are recomputed in float64 (see
`_pairwise`), so every engine and device assigns identically.
"""

from __future__ import annotations

import numpy as np

from ._pairwise import _integer, dot64, screening_margin, top2_rows
from ._source import EmbeddingSource, normalize_rows

__all__ = ["train_centroids", "sample_rows", "assign", "kmeans_backend"]


def kmeans_backend(preference: str = "auto") -> str:
    """Resolve `auto|faiss|sklearn` to the k-means library that will be used."""
    if preference not in ("auto", "faiss", "sklearn"):
        raise ValueError(f"kmeans must be 'auto', 'faiss' or 'sklearn', got {preference!r}")
    if preference in ("auto", "faiss"):
        try:
            import faiss  # noqa: F401  (availability check)

            return "faiss"
        except ImportError:
            if preference == "faiss":
                raise ImportError("kmeans='faiss' needs faiss-cpu: pip install 'dltheory[semdedup]'") from None
    return "sklearn"


def sample_rows(source: EmbeddingSource, n_sample: int, seed: int, read_block: int = 16384) -> np.ndarray:
    """`n_sample` distinct rows drawn uniformly (seeded), normalised, in index order.

    **Raises:** `ValueError` unless `n_sample >= 0`, `seed >= 0` and `read_block >= 1` are integers.
    """
    n_sample = _integer(n_sample, "n_sample", 0)
    seed = _integer(seed, "seed", 0)
    read_block = _integer(read_block, "read_block", 1)
    n = source.n_rows
    if n_sample >= n:
        idx = np.arange(n, dtype=np.int64)
    else:
        idx = np.sort(np.random.default_rng([int(seed), 0x4B4D]).choice(n, size=n_sample, replace=False))
    out = source.take(idx, block_rows=read_block)
    if out.dtype != np.float32:
        out = out.astype(np.float32)
    for s in range(0, len(out), read_block):  # in place, one block at a time (bounded memory)
        out[s : s + read_block] = normalize_rows(out[s : s + read_block], first_row=s)
    return out


def train_centroids(
    sample: np.ndarray, n_clusters: int, *, niter: int = 20, seed: int = 0, backend: str = "auto"
) -> np.ndarray:
    r"""Spherical k-means centroids \( \hat\mu_c \) (unit norm, float32) of normalised rows.

    **Arguments:**

    - `sample`: `(m, d)` L2-normalised float32 rows.
    - `n_clusters`: \( k \le m \).
    - `niter`: Lloyd iterations (the official config uses 100; faiss' default is 25).
    - `seed`: k-means seed.
    - `backend`: `"auto"` (faiss if importable), `"faiss"` or `"sklearn"`. scikit-learn
      runs Euclidean k-means on the unit sphere and normalises the means, which is the
      spherical update up to the assignment rule.

    **Returns:** `(k, d)` float32 unit-norm centroids.

    **Raises:** `ValueError` for a sample that is not a finite 2-D array, or a bad `n_clusters`/`niter`.
    """
    sample = np.asarray(sample)
    if sample.ndim != 2 or sample.shape[1] == 0:
        raise ValueError(f"sample must be a 2-D array (m, d) with d >= 1, got shape {sample.shape}")
    if not np.all(np.isfinite(sample)):
        raise ValueError("sample must be finite (L2-normalised rows), got NaN or inf")
    m, d = sample.shape
    if not (isinstance(n_clusters, (int, np.integer)) and 1 <= n_clusters <= m):
        raise ValueError(f"n_clusters must be an integer in [1, {m}] (the k-means sample size), got {n_clusters!r}")
    if not (isinstance(niter, (int, np.integer)) and niter >= 1):
        raise ValueError(f"niter must be a positive integer, got {niter!r}")
    lib = kmeans_backend(backend)
    x = np.ascontiguousarray(sample, dtype=np.float32)
    if lib == "faiss":
        import faiss

        km = faiss.Kmeans(
            d,
            int(n_clusters),
            niter=int(niter),
            seed=int(seed) % (2**31),
            spherical=True,
            max_points_per_centroid=max(m, 1),  # we already sampled; faiss must not resample
            min_points_per_centroid=1,
            verbose=False,
        )
        km.train(x)
        cent = np.asarray(km.centroids, dtype=np.float32)
    else:
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=int(n_clusters), n_init=1, max_iter=int(niter), random_state=int(seed) % (2**32))
        cent = km.fit(x).cluster_centers_
    norms = np.linalg.norm(cent.astype(np.float64), axis=1)
    if np.any(norms == 0):  # an empty/degenerate centroid: give it a unit axis so it is never chosen by ties
        cent = cent.copy()
        cent[norms == 0] = 0
        cent[norms == 0, 0] = 1
    return normalize_rows(cent)


def assign(
    source: EmbeddingSource,
    centroids: np.ndarray,
    *,
    soft_margin: float | None = None,
    backend: str = "numpy",
    device: str = "cpu",
    read_block: int = 16384,
    progress=None,
) -> dict[str, np.ndarray | int]:
    r"""Nearest centroid of every row, exact to float64, and an optional soft second cluster.

    **Arguments:**

    - `source`: the embeddings.
    - `centroids`: `(k, d)` unit-norm float32 centroids.
    - `soft_margin`: if set, a row whose best and second-best similarities differ by at
      most this much is also a member of its second cluster (soft top-2 assignment).
    - `backend`, `device`: GEMM backend (`"numpy"` or `"torch"`) and torch device.
    - `read_block`: rows per block read from the source.
    - `progress`: optional `tqdm`-like factory `(total, desc) -> bar`.

    **Returns:** a dict with `cluster` (int64), `cos` (float64 similarity to it),
    `cluster2` (int64, `-1` unless soft), `cos2` (`-inf` unless soft: a sentinel for every
    input, negative, zero or any shape, not an overflow), `n_refined`, `flops`.

    **Raises:** `ValueError` for centroids that are not a finite `(k >= 1, d)` array of the
    embeddings' dimension.
    """
    C = np.ascontiguousarray(centroids, dtype=np.float32)
    if C.ndim != 2 or C.shape[0] == 0:
        raise ValueError(f"centroids must be a 2-D array (k, d) with k >= 1, got shape {C.shape}")
    if not np.all(np.isfinite(C)):
        raise ValueError("centroids must be finite, got NaN or inf")
    k, d = C.shape
    if d != source.dim:
        raise ValueError(f"centroids have dimension {d}, embeddings {source.dim}")
    n = source.n_rows
    cluster = np.empty(n, dtype=np.int64)
    cos = np.empty(n, dtype=np.float64)
    cluster2 = np.full(n, -1, dtype=np.int64)
    cos2 = np.full(n, -np.inf, dtype=np.float64)
    margin = screening_margin(d)
    extra = 0.0 if soft_margin is None else float(soft_margin)
    rows_per_block = max(64, min(read_block, (32 << 20) // (4 * k)))
    torch = None
    if backend == "torch":
        import torch

        tdev = torch.device(device)
        if tdev.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = False
        Ct = torch.from_numpy(C).to(tdev)
    elif backend != "numpy":
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    n_refined = 0
    bar = progress(total=n, desc="semdedup: assign") if progress else None
    for start, raw in source.iter_blocks(rows_per_block):
        X = normalize_rows(raw, first_row=start)
        if torch is None:
            v1, a, v2 = top2_rows(X @ C.T)
        else:
            S = torch.from_numpy(X).to(tdev) @ Ct.T
            if k >= 2:
                vals, idx = torch.topk(S, 2, dim=1)
                v1, a, v2 = vals[:, 0].cpu().numpy(), idx[:, 0].cpu().numpy(), vals[:, 1].cpu().numpy()
            else:
                v1, a = S[:, 0].cpu().numpy(), np.zeros(len(X), np.int64)
                v2 = np.full(len(X), -np.inf, np.float32)
        v1, v2 = v1.astype(np.float64), v2.astype(np.float64)
        with np.errstate(invalid="ignore"):
            certain = (v1 - v2) > (margin + extra)
        sl = slice(start, start + len(X))
        idx_c = np.flatnonzero(certain)
        cluster[sl][idx_c] = a[idx_c]
        cos[sl][idx_c] = dot64(X[idx_c], C[a[idx_c]])
        for i in np.flatnonzero(~certain):  # exact float64 row over all centroids
            s64 = dot64(C, X[i])
            c1 = int(np.argmax(s64))
            cluster[start + i], cos[start + i] = c1, s64[c1]
            if soft_margin is not None and k > 1:
                s64[c1] = -np.inf
                c2 = int(np.argmax(s64))
                if cos[start + i] - s64[c2] <= soft_margin:
                    cluster2[start + i], cos2[start + i] = c2, s64[c2]
            n_refined += 1
        if bar is not None:
            bar.update(len(X))
    if bar is not None:
        bar.close()
    return {
        "cluster": cluster,
        "cos": cos,
        "cluster2": cluster2,
        "cos2": cos2,
        "n_refined": n_refined,
        "flops": 2.0 * n * k * d,
    }
