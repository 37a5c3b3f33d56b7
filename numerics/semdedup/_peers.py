r"""Reference rules beside SemDeDup, on the same clusters and keep order.

- `brute_force_keep`: the SemDeDup rule written the slow, obvious way (dense float64,
  one item at a time): keep \( j \) iff no earlier item of its cluster has cosine
  \( > 1-\varepsilon \). The oracle of claim C.7-1.
- `greedy_keep`: keep \( j \) iff no earlier *kept* item is \( \varepsilon \)-similar
  (a maximal independent set in order); SemDeDup's kept set is a subset of it.
- `component_keep`: one survivor (the first in order) per connected component of the
  \( \varepsilon \)-graph inside each cluster (text-dedup's union-find semantics).
- `global_component_keep`: the same over all items, ignoring clusters (catches the
  cross-cluster pairs that k-means splits).

All use the float64 dot of `_pairwise.dot64`, so they see the same similarities as SemDeDup.
"""

from __future__ import annotations

import numpy as np

from ._pairwise import dot64
from ._source import normalize_rows

__all__ = ["brute_force_keep", "greedy_keep", "component_keep", "global_component_keep", "cluster_orders"]


def _thr(eps: float) -> float:
    if not (isinstance(eps, (int, float, np.floating)) and 0.0 <= float(eps) <= 2.0):
        raise ValueError(f"eps must be a number in [0, 2], got {eps!r}")
    return 1.0 - float(eps)


def _above(s: np.ndarray, thr: float, strict: bool) -> np.ndarray:
    """The rule of `remove_mask`: similarities capped at 1 (a cosine), then compared with `thr`."""
    s = np.minimum(s, 1.0)
    return s > thr if strict else s >= thr


def _labels(cluster, rank, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Nonnegative integer `cluster` and `rank` arrays of one length (`n`, the number of items, if given)."""
    out = []
    for name, x in (("cluster", cluster), ("rank", rank)):
        a = np.asarray(x)
        if a.ndim != 1:
            raise ValueError(f"{name} must be a 1-D array with one entry per item, got shape {a.shape}")
        if a.dtype.kind == "f":
            if not (np.all(np.isfinite(a)) and np.all(a == np.round(a))):
                raise ValueError(f"{name} must hold integers, got non-integer or non-finite values")
            a = a.astype(np.int64)
        elif a.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integers, got dtype {a.dtype}")
        if np.any(a < 0):
            raise ValueError(f"{name} must be >= 0, got min {int(a.min())}")
        out.append(a)
    if len(out[0]) != len(out[1]) or (n is not None and len(out[0]) != n):
        raise ValueError(f"cluster and rank must have one entry per item ({n if n is not None else len(out[0])}), "
                         f"got {len(out[0])} and {len(out[1])}")
    return out[0], out[1]


def cluster_orders(cluster: np.ndarray, rank: np.ndarray) -> list[np.ndarray]:
    """Item ids of each cluster in keep order (from a result's `cluster` and `rank`).

    **Raises:** `ValueError` unless `cluster` and `rank` are nonnegative integers of one length.
    """
    cluster, rank = _labels(cluster, rank)
    order = np.lexsort((rank, cluster))
    c_sorted = cluster[order]
    cuts = np.flatnonzero(np.diff(c_sorted)) + 1
    return np.split(order, cuts)


def brute_force_keep(embeddings, cluster, rank, eps, strict=True) -> np.ndarray:
    """The SemDeDup rule, one item at a time against all earlier items of its cluster."""
    X = normalize_rows(np.asarray(embeddings))
    cluster, rank = _labels(cluster, rank, len(X))
    keep = np.ones(len(X), dtype=bool)
    thr = _thr(eps)
    for members in cluster_orders(cluster, rank):
        for t in range(1, len(members)):
            sims = dot64(X[members[:t]], X[members[t]])
            if _above(sims, thr, strict).any():
                keep[members[t]] = False
    return keep


def greedy_keep(embeddings, cluster, rank, eps, strict=True) -> np.ndarray:
    """Keep an item iff no earlier *kept* item of its cluster is eps-similar."""
    X = normalize_rows(np.asarray(embeddings))
    cluster, rank = _labels(cluster, rank, len(X))
    keep = np.zeros(len(X), dtype=bool)
    thr = _thr(eps)
    for members in cluster_orders(cluster, rank):
        kept: list[int] = []
        for j in members:
            if kept and _above(dot64(X[kept], X[j]), thr, strict).any():
                continue
            kept.append(int(j))
            keep[j] = True
    return keep


def _components(X: np.ndarray, thr: float, strict: bool, block: int = 2048) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(X)
    rows, cols = [], []
    for s in range(0, n, block):
        S = np.stack([dot64(X, X[j]) for j in range(s, min(s + block, n))], axis=1)
        i, j = np.nonzero(_above(S, thr, strict))
        j = j + s
        off = i != j
        rows.append(i[off])
        cols.append(j[off])
    r, c = np.concatenate(rows), np.concatenate(cols)
    g = coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    return connected_components(g, directed=False)[1]


def component_keep(embeddings, cluster, rank, eps, strict=True) -> np.ndarray:
    """One survivor (the first in keep order) per eps-graph component inside each cluster."""
    X = normalize_rows(np.asarray(embeddings))
    cluster, rank = _labels(cluster, rank, len(X))
    keep = np.zeros(len(X), dtype=bool)
    thr = _thr(eps)
    for members in cluster_orders(cluster, rank):
        lab = _components(X[members], thr, strict)
        _, first = np.unique(lab, return_index=True)  # members are in keep order
        keep[members[first]] = True
    return keep


def global_component_keep(embeddings, eps, strict=True) -> np.ndarray:
    """One survivor (lowest id) per eps-graph component over all items (no clustering)."""
    X = normalize_rows(np.asarray(embeddings))
    lab = _components(X, _thr(eps), strict)
    keep = np.zeros(len(X), dtype=bool)
    _, first = np.unique(lab, return_index=True)
    keep[first] = True
    return keep
