"""Command line: `python -m numerics.semdedup EMBEDDINGS --clusters K --eps E --out DIR`.

Writes into `DIR`:

- `keep.npy`: the boolean keep-mask (one entry per input row);
- `audit.parquet` (or `audit.csv` without pyarrow): per item `id, keep, cluster, rank,
  cos_to_centroid, max_sim, duplicate_of`;
- `centroids.npy` and `summary.json` (counts, timings, FLOPs, settings).

`DIR` is checked before any work: it must be creatable and writable, and an existing
non-empty `DIR` is refused unless `--overwrite` is given. `--overwrite` replaces the files of an
earlier run (and removes its other audit file, so no stale `audit.parquet` stays beside a new
`audit.csv`); a folder holding files that are not SemDeDup outputs is refused even then. Every
usage error is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ._core import KEEP_POLICIES, semdedup


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m numerics.semdedup", description=__doc__.split("\n\n")[0])
    p.add_argument("embeddings", help=".npy file, .parquet file, or folder of .npy/.parquet shards")
    p.add_argument("--clusters", "-k", type=int, required=True, help="number of k-means clusters")
    p.add_argument("--eps", type=float, required=True, help="remove items with cosine > 1 - eps to an earlier item")
    p.add_argument("--out", required=True, help="output folder (created; must be empty unless --overwrite)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the outputs of an earlier run in --out (other files there are never deleted)")
    p.add_argument("--keep", choices=KEEP_POLICIES, default="hard", help="keep policy (default: hard)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--non-strict", action="store_true", help="remove at >= 1 - eps (NeMo) instead of > (official)")
    p.add_argument("--soft-margin", type=float, default=None, help="soft top-2 assignment margin")
    p.add_argument("--block", type=int, default=1024, help="column block of the pairwise stage")
    p.add_argument("--niter", type=int, default=20, help="k-means iterations")
    p.add_argument("--kmeans", choices=("auto", "faiss", "sklearn"), default="auto")
    p.add_argument("--points-per-centroid", type=int, default=256, help="k-means sample per centroid")
    p.add_argument("--engine", default="local",
                   help="'local', 'dask' (LocalCluster) or a Dask scheduler address such as tcp://host:8786")
    p.add_argument("--workers", type=int, default=None, help="LocalCluster workers for --engine dask")
    p.add_argument("--device", default="cpu", help="'cpu' (numpy BLAS) or a torch device such as 'cuda' or 'cuda:1'")
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


#: the files a run writes into --out (an --overwrite run removes exactly these first)
OUTPUT_FILES = ("keep.npy", "centroids.npy", "audit.parquet", "audit.csv", "summary.json")


def prepare_out(out: Path, overwrite: bool) -> bool:
    """Check `out` before any work: creatable, writable, and empty unless `overwrite` (then it may
    hold only the files of an earlier run). Returns whether this call created the folder.
    Raises `ValueError` with a one-line reason."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    created = False
    if out.is_dir():
        entries = sorted(p.name for p in out.iterdir())
        foreign = [e for e in entries if e not in OUTPUT_FILES]
        if entries and not overwrite:
            raise ValueError(f"--out {out} is not empty ({', '.join(entries[:5])}{', ...' if len(entries) > 5 else ''}); "
                             "pass --overwrite to replace an earlier run's outputs, or choose another folder")
        if foreign:
            raise ValueError(f"--out {out} holds files that are not SemDeDup outputs ({', '.join(foreign[:5])}"
                             f"{', ...' if len(foreign) > 5 else ''}); --overwrite only replaces {', '.join(OUTPUT_FILES)}")
    else:
        try:
            out.mkdir(parents=True)
        except OSError as err:
            raise ValueError(f"--out {out} cannot be created: {err.strerror or err}") from err
        created = True
    try:  # writable? (os.access is not enough on some filesystems)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".semdedup-write-test-"):
            pass
    except OSError as err:
        if created:
            out.rmdir()
        raise ValueError(f"--out {out} is not writable: {err.strerror or err}") from err
    return created


def _clear_outputs(out: Path) -> None:
    for name in OUTPUT_FILES:
        try:
            (out / name).unlink()
        except FileNotFoundError:
            pass


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    backend = "numpy" if args.device == "cpu" else "torch"
    out = Path(args.out)
    try:
        created = prepare_out(out, args.overwrite)
    except ValueError as err:
        print(f"semdedup: error: {err}", file=sys.stderr)
        return 2
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
        if created and not any(out.iterdir()):
            os.rmdir(out)
        print(f"semdedup: error: {err}", file=sys.stderr)
        return 2
    _clear_outputs(out)  # an --overwrite run: no stale file of the earlier run stays
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
