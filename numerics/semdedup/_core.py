r"""SemDeDup (Abbas et al. 2023), exactly as the paper and the official code define it.

1. L2-normalise the embeddings \( \hat x_i = x_i / \lVert x_i \rVert \).
2. Spherical k-means: \( k \) unit centroids \( \hat\mu_c \); item \( i \) joins the cluster of
   largest cosine \( c(i) = \arg\max_c \langle \hat x_i, \hat\mu_c \rangle \).
3. Inside each cluster, order the items by the keep policy: `hard` = ascending similarity
   to the centroid (farthest first, the official `keep_hard=True`), `easy` = descending,
   `random` = a seeded shuffle; ties by item id.
4. Remove item \( j \) iff it is \( \varepsilon \)-similar to *any* earlier item of its
   cluster in that order, removed or not (official `semdedup.py`, strict `>`):

\[
\text{remove}_j \iff M_j = \max_{i \prec j,\ c(i) = c(j)} \langle \hat x_i, \hat x_j \rangle > 1 - \varepsilon .
\]

Cross-cluster pairs are never compared. Ids are int64 throughout (the official code casts to
int32). All floating-point decisions are exact to float64 (see `_pairwise`), so the result
does not depend on block sizes, engine or device.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from typing import Any

import numpy as np

from ._engines import check_engine, run_pairwise
from ._kmeans import assign, kmeans_backend, sample_rows, train_centroids
from ._pairwise import check_backend
from ._source import EmbeddingSource, as_source, normalize_rows
from ._store import FileStore, MemoryStore

__all__ = ["semdedup", "SemDeDupResult", "remove_mask", "KEEP_POLICIES"]

KEEP_POLICIES = ("hard", "easy", "random")


def remove_mask(max_sim: np.ndarray, eps: float, strict: bool = True) -> np.ndarray:
    r"""The removal rule \( \min(M_j, 1) > 1 - \varepsilon \) (`strict`, official code) or
    \( \min(M_j, 1) \ge 1 - \varepsilon \) (NeMo Curator). They differ only at exact ties.

    \( M_j \) is the float64 dot product of canonical float32 unit rows (`normalize_rows`), whose
    norms are 1 only to float32 precision, so \( M_j \) can exceed 1 by about \( d\,2^{-24} \). A
    cosine never exceeds 1, so it is capped at 1 here: `eps = 0` with the strict rule removes
    nothing, and with `strict=False` it removes the items whose canonical rows coincide with an
    earlier one to float32 precision. For every `eps > 0` the cap changes no decision. Cosines
    closer to 1 than about \( d\,2^{-24} \) are not resolved by the float32 rows: an `eps` below
    that removes copies up to float32 rounding, not only bitwise copies.
    """
    if not (isinstance(eps, (int, float, np.floating)) and 0.0 <= float(eps) <= 2.0):
        raise ValueError(f"eps must be a number in [0, 2], got {eps!r}")
    m = np.asarray(max_sim, dtype=np.float64)
    if np.any(np.isnan(m)):
        raise ValueError("max_sim must not hold NaN (-inf marks an item with no earlier item)")
    thr = 1.0 - float(eps)
    m = np.minimum(m, 1.0)
    return m > thr if strict else m >= thr


@dataclasses.dataclass
class SemDeDupResult:
    """The keep-mask and the per-item audit of one SemDeDup run.

    Per item (index = row of the input):

    - `keep`: bool, the keep-mask.
    - `cluster`: its k-means cluster (int64).
    - `cos_to_centroid`: float64 cosine similarity to that centroid (the sort key).
    - `rank`: its position in the keep order of its cluster (0 = first, always kept).
    - `max_sim`: \\( M_j \\), float64 largest similarity to an earlier item of its
      cluster (`-inf` for the first item); with soft assignment the larger over both clusters.
    - `duplicate_of`: the earlier item attaining `max_sim` (lowest rank on ties), `-1` if none.
      For a removed item this is the item it duplicates.
    - `cluster2`: second cluster under soft top-2 assignment, else `-1`.

    Run-level: `eps`, `strict`, `keep_policy`, `centroids` (`(k, d)` float32),
    `cluster_sizes` (memberships per cluster), `info` (timings, FLOPs, refinements).
    """

    keep: np.ndarray
    cluster: np.ndarray
    cos_to_centroid: np.ndarray
    rank: np.ndarray
    max_sim: np.ndarray
    duplicate_of: np.ndarray
    cluster2: np.ndarray
    eps: float
    strict: bool
    keep_policy: str
    centroids: np.ndarray
    cluster_sizes: np.ndarray
    info: dict[str, Any]

    @property
    def removed(self) -> np.ndarray:
        return ~self.keep

    def keep_at(self, eps: float, strict: bool | None = None) -> np.ndarray:
        """Keep-mask at another `eps` from the stored `max_sim` (exact: `max_sim` is canonical)."""
        return ~remove_mask(self.max_sim, eps, self.strict if strict is None else strict)

    def audit(self) -> dict[str, np.ndarray]:
        """The audit table as columns: `id, keep, cluster, rank, cos_to_centroid, max_sim, duplicate_of`."""
        return {
            "id": np.arange(len(self.keep), dtype=np.int64),
            "keep": self.keep,
            "cluster": self.cluster,
            "rank": self.rank,
            "cos_to_centroid": self.cos_to_centroid,
            "max_sim": self.max_sim,
            "duplicate_of": self.duplicate_of,
        }


def _progress_factory(progress: bool | None):
    if progress is None:
        progress = os.environ.get("DLTHEORY_PROGRESS", "1") not in ("0", "false", "no")
    if not progress:
        return None
    from tqdm.auto import tqdm

    return lambda total, desc: tqdm(total=total, desc=desc, leave=False, file=sys.stderr, dynamic_ncols=True)


def semdedup(
    embeddings: Any,
    n_clusters: int | None,
    eps: float,
    keep: str = "hard",
    seed: int = 0,
    *,
    strict: bool = True,
    centroids: np.ndarray | None = None,
    soft_margin: float | None = None,
    block: int = 1024,
    kmeans: str = "auto",
    niter: int = 20,
    max_points_per_centroid: int = 256,
    engine: Any = "local",
    workers: int | None = None,
    task_rows: int = 32768,
    split_rows: int = 65536,
    backend: str = "numpy",
    device: str = "cpu",
    column: str | None = None,
    workdir: str | None = None,
    read_block: int = 16384,
    progress: bool | None = None,
) -> SemDeDupResult:
    r"""Semantic deduplication: the keep-mask and, per item, the audit of the decision.

    **Arguments:**

    - `embeddings`: `(N, d)` floats: an array, a `numpy.memmap`, a `.npy`/`.parquet` path,
      or a folder/list of such shards (read out of core, block by block).
    - `n_clusters`: \( k \) for k-means (may be `None` when `centroids` is given).
    - `eps`: \( \varepsilon \in [0, 2] \); an item is removed iff its cosine similarity to an
      earlier item of its cluster exceeds \( 1 - \varepsilon \) (`remove_mask`: cosines are
      those of the float32-normalised rows, capped at 1, so `eps = 0` removes nothing).
    - `keep`: `"hard"` (keep the item farthest from the centroid; official default),
      `"easy"` (closest) or `"random"` (seeded shuffle).
    - `seed`: seeds the k-means sample, k-means, and the `random` policy.
    - `strict`: `>` (official) or `>=` (NeMo Curator) at the threshold.
    - `centroids`: skip k-means and use these `(k, d)` centroids (normalised here).
    - `soft_margin`: soft top-2 assignment: an item whose two best centroid similarities
      differ by at most this much is also compared inside its second cluster, keeping its
      primary sort key there so two items meet in the same order in every cluster (recovers
      pairs that k-means splits; `None` = the paper's hard assignment).
    - `block`: column-block width of the pairwise stage (results do not depend on it).
    - `kmeans`: `"auto"` (faiss-cpu if importable, else scikit-learn), `"faiss"`, `"sklearn"`.
    - `niter`, `max_points_per_centroid`: k-means iterations and sample size per centroid.
    - `engine`: `"local"` (this process), `"dask"` (a new `LocalCluster` with `workers`
      processes), a scheduler address, or a `distributed.Client`; clusters are the unit of work.
    - `task_rows`, `split_rows` (Dask): small clusters are packed into tasks of about
      `task_rows` rows; a cluster above `split_rows` is split into column ranges.
    - `backend`, `device`: GEMMs on `"numpy"` (BLAS) or `"torch"` (`device="cuda"` for GPU).
    - `column`: embedding column of Parquet shards (default `embedding`).
    - `workdir`: folder for the out-of-core shuffle file (default: the temp dir).
    - `read_block`: rows per block read from out-of-core input.
    - `progress`: progress bars (default: on unless `DLTHEORY_PROGRESS=0`).

    **Returns:** a `SemDeDupResult` (`.keep` is the mask; the other fields are the audit). Its
    `max_sim` is `-inf` for the first item of each cluster (no earlier item), for every input,
    negative, zero or any shape: that sentinel is part of the audit, not an overflow.

    **Raises:** `ValueError` naming the offending argument.
    """
    t_start = time.perf_counter()
    if keep not in KEEP_POLICIES:
        raise ValueError(f"keep must be one of {KEEP_POLICIES}, got {keep!r}")
    if not (isinstance(eps, (int, float, np.floating)) and 0.0 <= float(eps) <= 2.0):
        raise ValueError(f"eps must be a number in [0, 2], got {eps!r}")
    if not (isinstance(block, (int, np.integer)) and block >= 1):
        raise ValueError(f"block must be a positive integer, got {block!r}")
    if soft_margin is not None and not (float(soft_margin) >= 0):
        raise ValueError(f"soft_margin must be >= 0 or None, got {soft_margin!r}")
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    check_backend(backend, device)  # before any work: a bad device fails now, not after k-means
    check_engine(engine)
    source: EmbeddingSource = as_source(embeddings, column=column)
    N, d = source.n_rows, source.dim
    if N == 0:
        raise ValueError("embeddings: no rows")
    bar = _progress_factory(progress)
    info: dict[str, Any] = {"n_items": N, "dim": d, "engine": engine if isinstance(engine, str) else "dask-client"}

    # ---- 1-2. centroids
    t0 = time.perf_counter()
    if centroids is not None:
        C = normalize_rows(np.asarray(centroids))
        if C.shape[1] != d:
            raise ValueError(f"centroids have dimension {C.shape[1]}, embeddings {d}")
        if n_clusters is not None and n_clusters != len(C):
            raise ValueError(f"n_clusters={n_clusters} disagrees with {len(C)} centroids")
        info["kmeans_backend"] = "given"
    else:
        if not (isinstance(n_clusters, (int, np.integer)) and 1 <= n_clusters <= N):
            raise ValueError(f"n_clusters must be an integer in [1, N={N}], got {n_clusters!r}")
        if not (isinstance(max_points_per_centroid, (int, np.integer)) and max_points_per_centroid >= 1):
            raise ValueError(f"max_points_per_centroid must be a positive integer, got {max_points_per_centroid!r}")
        m = min(N, int(max_points_per_centroid) * int(n_clusters))
        sample = sample_rows(source, m, int(seed), read_block)
        info["kmeans_backend"] = kmeans_backend(kmeans)
        C = train_centroids(sample, int(n_clusters), niter=niter, seed=int(seed), backend=kmeans)
        info["kmeans_sample"] = m
        info["kmeans_flops"] = 2.0 * m * len(C) * d * niter
        del sample
    k = len(C)
    info["kmeans_s"] = time.perf_counter() - t0

    # ---- 2b. exact assignment
    t0, c0 = time.perf_counter(), time.process_time()
    a = assign(source, C, soft_margin=soft_margin, backend=backend, device=device, read_block=read_block, progress=bar)
    info["assign_s"] = time.perf_counter() - t0
    info["assign_cpu_s"] = time.process_time() - c0
    info["assign_flops"] = a["flops"]
    info["assign_refined"] = a["n_refined"]

    # ---- 3. memberships in keep order
    t0 = time.perf_counter()
    soft = np.flatnonzero(a["cluster2"] >= 0)
    m_items = np.concatenate([np.arange(N, dtype=np.int64), soft])
    m_cluster = np.concatenate([a["cluster"], a["cluster2"][soft]])
    # one key per item, used in every cluster it belongs to: the order of two items is the
    # same wherever they meet, so soft memberships can never remove both members of a pair
    if keep == "hard":
        item_key = a["cos"]
    elif keep == "easy":
        item_key = -a["cos"]
    else:
        item_key = np.random.default_rng([int(seed), 0x5A4D]).random(N)
    key = np.concatenate([item_key, item_key[soft]])
    order = np.lexsort((m_items, key, m_cluster))
    del key
    sizes = np.bincount(m_cluster, minlength=k).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    pos = np.empty(len(order), dtype=np.int64)
    pos[order] = np.arange(len(order), dtype=np.int64)
    items_sorted = m_items[order]
    del order
    if source.in_memory:
        store = MemoryStore(source, items_sorted, offsets)
    else:
        store = FileStore(
            source, m_items, pos, offsets, workdir=workdir, read_block=read_block, progress=bar
        )
    info["shuffle_s"] = time.perf_counter() - t0

    # ---- 4. per-cluster pairwise stage
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        res = run_pairwise(
            store,
            sizes,
            engine=engine,
            workers=workers,
            block=block,
            backend=backend,
            device=device,
            target_rows=task_rows,
            split_rows=split_rows,
            progress=bar,
        )
    finally:
        store.close()
    flops, refined = res.pop(-1)[0]
    info["pairwise_s"] = time.perf_counter() - t0
    info["pairwise_cpu_s"] = time.process_time() - c0  # this process only (not Dask workers)
    info["pairwise_flops"] = flops
    info["pairwise_refined"] = refined
    info["sum_nc2"] = float(np.sum(sizes.astype(np.float64) ** 2))

    ms_sorted = np.full(len(items_sorted), -np.inf)
    dup_sorted = np.full(len(items_sorted), -1, dtype=np.int64)
    for c, parts in res.items():
        base = int(offsets[c])
        for s, e, ms, am in parts:
            ms_sorted[base + s : base + e] = ms
            has = am >= 0
            dup_sorted[base + s : base + e][has] = items_sorted[base + am[has]]
    ms_m, dup_m = ms_sorted[pos], dup_sorted[pos]
    max_sim, dup = ms_m[:N].copy(), dup_m[:N].copy()
    if len(soft):
        better = ms_m[N:] > max_sim[soft]
        max_sim[soft[better]] = ms_m[N:][better]
        dup[soft[better]] = dup_m[N:][better]
    rank = (pos[:N] - offsets[m_cluster[:N]]).astype(np.int64)
    cluster2 = np.full(N, -1, dtype=np.int64)
    cluster2[soft] = m_cluster[N:]
    keep_mask = ~remove_mask(max_sim, eps, strict)
    info["total_s"] = time.perf_counter() - t_start
    info["n_removed"] = int((~keep_mask).sum())
    return SemDeDupResult(
        keep=keep_mask,
        cluster=m_cluster[:N].astype(np.int64),
        cos_to_centroid=a["cos"],
        rank=rank,
        max_sim=max_sim,
        duplicate_of=dup,
        cluster2=cluster2,
        eps=float(eps),
        strict=bool(strict),
        keep_policy=keep,
        centroids=C,
        cluster_sizes=sizes,
        info=info,
    )
