"""SemDeDup performance, as ratios against baselines run in the same process.

1. **Pairwise stage vs GEMM peak.** Achieved GFLOP/s of `cluster_max_sim` on one cluster
   (n x d, column blocks of 1024) divided by this machine's float32 GEMM rate, measured
   here on a square matmul of the same BLAS (target >= 0.5). Both executed tile FLOPs and
   useful (strict upper triangle) FLOPs are reported.
2. **End to end vs the official dense approach.** Items per second of `semdedup` at
   N = 1e5 and 1e6 (d = 384, k = sqrt(N)) against a straightforward per-cluster dense
   implementation (the official `semdedup.py`: S = E E^T, upper triangle, column max),
   both with the same faiss k-means (timed once and added to both), as a ratio.

```bash
python -m benchmarks.semdedup                  # both parts, N = 1e5 and 1e6
python -m benchmarks.semdedup --sizes 100000   # quicker
```
Judge on CPU time on shared machines (`--threads` caps BLAS threads).
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from numerics.semdedup import assign, cluster_max_sim, normalize_rows, semdedup, train_centroids
from numerics.semdedup._source import ArraySource


def _best(fn, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def gemm_peak_gflops(n: int = 2048, repeats: int = 5) -> float:
    """float32 GEMM rate of this BLAS on an n x n x n product (best of `repeats`)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    return 2.0 * n**3 / _best(lambda: a @ b, repeats) / 1e9


def pairwise_vs_peak(n: int = 8192, dim: int = 384, block: int = 1024, repeats: int = 3) -> dict:
    rng = np.random.default_rng(1)
    E = normalize_rows(rng.standard_normal((n, dim)))
    peak = gemm_peak_gflops()
    r = cluster_max_sim(E, block=block)
    t = _best(lambda: cluster_max_sim(E, block=block), repeats)
    executed = r.flops / t / 1e9
    useful = dim * n * (n - 1) / t / 1e9
    return {
        "cluster": [n, dim],
        "block": block,
        "gemm_peak_gflops": peak,
        "pairwise_executed_gflops": executed,
        "pairwise_useful_gflops": useful,
        "fraction_of_peak_executed": executed / peak,
        "fraction_of_peak_useful": useful / peak,
        "seconds": t,
    }


def dense_per_cluster(X: np.ndarray, centroids: np.ndarray, eps: float) -> np.ndarray:
    """The official approach: per cluster, sort (hard), S = E E^T, strict upper triangle,
    column max, remove where > 1 - eps. Returns the keep-mask."""
    src = ArraySource(X)
    a = assign(src, centroids)
    keep = np.ones(len(X), dtype=bool)
    order = np.lexsort((np.arange(len(X)), a["cos"], a["cluster"]))
    cl = a["cluster"][order]
    cuts = np.flatnonzero(np.diff(cl)) + 1
    for members in np.split(order, cuts):
        if len(members) < 2:
            continue
        E = normalize_rows(X[members])
        S = E @ E.T
        S = np.triu(S, 1)
        M = S.max(axis=0)
        keep[members[M > 1 - eps]] = False
    return keep


def end_to_end(n: int, dim: int = 384, eps: float = 0.05, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    n_comp = max(10, n // 500)
    centers = normalize_rows(rng.standard_normal((n_comp, dim)))
    X = np.empty((n, dim), dtype=np.float32)
    n_orig = n - n // 10
    for s in range(0, n_orig, 65536):
        e = min(s + 65536, n_orig)
        comp = rng.integers(0, n_comp, e - s)
        X[s:e] = centers[comp] + 0.6 * rng.standard_normal((e - s, dim)).astype(np.float32) / math.sqrt(dim)
    src = rng.choice(n_orig, n - n_orig, replace=False)
    X[n_orig:] = normalize_rows(X[src]) + 0.1 * rng.standard_normal((n - n_orig, dim)).astype(np.float32) / math.sqrt(dim)
    k = int(round(math.sqrt(n)))
    t = time.perf_counter()
    m = min(n, 64 * k)
    C = train_centroids(normalize_rows(X[np.sort(rng.choice(n, m, replace=False))]), k, niter=10, seed=seed)
    t_kmeans = time.perf_counter() - t
    t = time.perf_counter()
    ours = semdedup(X, None, eps, centroids=C, progress=False)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    dense = dense_per_cluster(X, C, eps)
    t_dense = time.perf_counter() - t
    agree = int(np.count_nonzero(ours.keep != dense))
    return {
        "N": n,
        "d": dim,
        "k": k,
        "kmeans_s": t_kmeans,
        "semdedup_s": t_ours,
        "dense_s": t_dense,
        "semdedup_items_per_s": n / (t_kmeans + t_ours),
        "dense_items_per_s": n / (t_kmeans + t_dense),
        "ratio_items_per_s": (t_kmeans + t_dense) / (t_kmeans + t_ours),
        "ratio_excluding_kmeans": t_dense / t_ours,
        "masks_differ": agree,
        "largest_cluster": int(ours.cluster_sizes.max()),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    p.add_argument("--threads", type=int, default=None, help="cap BLAS threads")
    p.add_argument("--skip-peak", action="store_true")
    args = p.parse_args(argv)
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    out = {}
    if not args.skip_peak:
        out["pairwise_vs_gemm_peak"] = pairwise_vs_peak()
        print(json.dumps(out["pairwise_vs_gemm_peak"], indent=1), flush=True)
    for n in args.sizes:
        out[f"end_to_end_{n}"] = end_to_end(n)
        print(json.dumps(out[f"end_to_end_{n}"], indent=1), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
