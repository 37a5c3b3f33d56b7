"""Command line: `python -m numerics.semdedup EMBEDDINGS --clusters K --eps E --out DIR`.

Writes into `DIR`:

- `keep.npy`: the boolean keep-mask (one entry per input row);
- `audit.parquet` (or `audit.csv` without pyarrow): per item `id, keep, cluster, rank,
  cos_to_centroid, max_sim, duplicate_of`;
- `centroids.npy` and `summary.json` (counts, timings, FLOPs, settings).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ._core import KEEP_POLICIES, semdedup


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m numerics.semdedup", description=__doc__.split("\n\n")[0])
    p.add_argument("embeddings", help=".npy file, .parquet file, or folder of .npy/.parquet shards")
    p.add_argument("--clusters", "-k", type=int, required=True, help="number of k-means clusters")
    p.add_argument("--eps", type=float, required=True, help="remove items with cosine > 1 - eps to an earlier item")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--keep", choices=KEEP_POLICIES, default="hard", help="keep policy (default: hard)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--non-strict", action="store_true", help="remove at >= 1 - eps (NeMo) instead of > (official)")
    p.add_argument("--soft-margin", type=float, default=None, help="soft top-2 assignment margin")
    p.add_argument("--block", type=int, default=1024, help="column block of the pairwise stage")
    p.add_argument("--niter", type=int, default=20, help="k-means iterations")
    p.add_argument("--kmeans", choices=("auto", "faiss", "sklearn"), default="auto")
    p.add_argument("--points-per-centroid", type=int, default=256, help="k-means sample per centroid")
    p.add_argument("--engine", default="local", help="'local', 'dask' (LocalCluster) or a Dask scheduler address")
    p.add_argument("--workers", type=int, default=None, help="LocalCluster workers for --engine dask")
    p.add_argument("--device", default="cpu", help="'cpu' (numpy BLAS) or a torch device such as 'cuda'")
    p.add_argument("--column", default=None, help="embedding column of parquet shards")
    p.add_argument("--workdir", default=None, help="folder for the out-of-core shuffle file")
    p.add_argument("--no-progress", action="store_true")
    return p


def _write_audit(audit: dict, out: Path) -> str:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table(audit), out / "audit.parquet")
        return "audit.parquet"
    except ImportError:
        cols = list(audit)
        with open(out / "audit.csv", "w") as f:
            f.write(",".join(cols) + "\n")
            for row in zip(*(audit[c] for c in cols)):
                f.write(",".join(str(int(v)) if isinstance(v, (bool, np.bool_)) else str(v) for v in row) + "\n")
        return "audit.csv"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    backend = "numpy" if args.device == "cpu" else "torch"
    try:
        res = semdedup(
            args.embeddings,
            args.clusters,
            args.eps,
            keep=args.keep,
            seed=args.seed,
            strict=not args.non_strict,
            soft_margin=args.soft_margin,
            block=args.block,
            kmeans=args.kmeans,
            niter=args.niter,
            max_points_per_centroid=args.points_per_centroid,
            engine=args.engine,
            workers=args.workers,
            backend=backend,
            device=args.device,
            column=args.column,
            workdir=args.workdir,
            progress=False if args.no_progress else None,
        )
    except (ValueError, ImportError) as err:
        print(f"semdedup: error: {err}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "keep.npy", res.keep)
    np.save(out / "centroids.npy", res.centroids)
    audit_name = _write_audit(res.audit(), out)
    summary = {
        "n_items": int(len(res.keep)),
        "n_kept": int(res.keep.sum()),
        "n_removed": int((~res.keep).sum()),
        "eps": res.eps,
        "strict": res.strict,
        "keep": res.keep_policy,
        "n_clusters": int(len(res.centroids)),
        "largest_cluster": int(res.cluster_sizes.max()),
        "audit": audit_name,
        "info": {k: (float(v) if isinstance(v, (int, float, np.number)) else v) for k, v in res.info.items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"kept {summary['n_kept']} of {summary['n_items']} ({summary['n_removed']} removed); wrote {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
