"""The run store: a plain folder of content-addressed, atomically written results.

```
<store>/<suite>/
    cells/<claim_id>/<cell hash>/      spec.json  outcome.json  outcome.pkl  raw.npz
    claims/<claim_id>/<run hash>/      spec.json  result.json  per_seed.csv  per_instance.csv  raw.npz  [figure.png]
    shared/<paper>/<name>-<hash>.pkl   experiments shared between claims (ctx.shared)
```

A folder is written under a temporary name and renamed into place, so it is complete iff
it exists with all its files (HELM's rule); an interrupted sweep leaves no half-written
result, and a rerun computes only the missing cells. The store does not depend on the
executor, so every backend resumes the same way.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pickle
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from verify.core.spec import CellSpec, ClaimRunSpec, canonical_json, code_version, spec_hash

__all__ = ["RunStore", "environment", "save_raw", "load_raw"]

CELL_FILES = ("spec.json", "outcome.json", "outcome.pkl", "raw.npz")
CLAIM_FILES = ("spec.json", "result.json", "per_seed.csv", "per_instance.csv", "raw.npz")


def environment(device: str = "cpu") -> dict[str, Any]:
    """Versions, platform, device and git commit, recorded with every result."""
    from verify.core.device import device_description
    from verify.core.spec import git_commit

    versions = {}
    for pkg in ("numpy", "scipy", "sympy", "jax", "jaxlib", "diffrax", "equinox", "torch", "matplotlib", "scikit-learn"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    try:
        dl = metadata.version("dltheory")
    except metadata.PackageNotFoundError:
        dl = "source"
    return {
        "dltheory": dl,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "device": device_description(device),
        "git_commit": git_commit(),
        "packages": versions,
    }


def save_raw(path: Path, arrays: dict[str, Any]) -> None:
    """Save named arrays to an .npz (non-array values are stored as 0-d object-free JSON)."""
    clean: dict[str, np.ndarray] = {}
    for k, v in arrays.items():
        try:
            a = np.asarray(v)
        except Exception:
            a = np.asarray(json.dumps(v, default=repr))
        if a.dtype == object:
            a = np.asarray(json.dumps(v, default=repr))
        clean[str(k)] = a
    with open(path, "wb") as f:
        np.savez_compressed(f, **clean)


def load_raw(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n")


def _json_default(o: Any) -> Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    return repr(o)


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    w = csv.DictWriter(buf, fieldnames=fields or ["seed"])
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


@contextlib.contextmanager
def _atomic_dir(final: Path) -> Iterator[Path]:
    """Yield a temporary folder beside `final`; rename it to `final` on success."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        yield tmp
        if final.exists():  # another worker finished the same spec first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class RunStore:
    """Results of one suite under `<root>/<suite>`."""

    def __init__(self, root: str | os.PathLike, suite: str = "latest"):
        if not suite or any(c in suite for c in "/\\") or suite.startswith("."):
            raise ValueError(f"--suite must be a plain folder name, not {suite!r}")
        self.root = Path(root)
        self.suite = suite
        self.path = self.root / suite

    # ------------------------------------------------------------------ cells
    def cell_dir(self, spec: CellSpec) -> Path:
        return self.path / "cells" / spec.claim_id / spec.hash

    def cell_complete(self, spec: CellSpec) -> bool:
        d = self.cell_dir(spec)
        return all((d / f).exists() for f in CELL_FILES)

    def write_cell(self, spec: CellSpec, outcome: dict[str, Any], obj: Any, raw: dict[str, Any]) -> Path:
        final = self.cell_dir(spec)
        with _atomic_dir(final) as tmp:
            _write_json(tmp / "spec.json", spec.to_dict())
            _write_json(tmp / "outcome.json", outcome)
            with open(tmp / "outcome.pkl", "wb") as f:
                pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
            save_raw(tmp / "raw.npz", raw)
        return final

    def read_cell(self, spec: CellSpec) -> tuple[dict[str, Any], Any]:
        d = self.cell_dir(spec)
        outcome = json.loads((d / "outcome.json").read_text())
        with open(d / "outcome.pkl", "rb") as f:
            obj = pickle.load(f)
        return outcome, obj

    def read_cell_raw(self, spec: CellSpec) -> dict[str, np.ndarray]:
        return load_raw(self.cell_dir(spec) / "raw.npz")

    # ------------------------------------------------------------------ claim runs
    def claim_dir(self, spec: ClaimRunSpec) -> Path:
        return self.path / "claims" / spec.claim_id / spec.hash

    def claim_complete(self, spec: ClaimRunSpec) -> bool:
        d = self.claim_dir(spec)
        return all((d / f).exists() for f in CLAIM_FILES)

    def write_claim(
        self,
        spec: ClaimRunSpec,
        result: dict[str, Any],
        per_seed_rows: list[dict[str, Any]],
        raw: dict[str, Any],
        figure_png: bytes | None = None,
        per_instance_rows: list[dict[str, Any]] | None = None,
    ) -> Path:
        final = self.claim_dir(spec)
        if final.exists():  # a forced rerun replaces the old result
            shutil.rmtree(final)
        with _atomic_dir(final) as tmp:
            _write_json(tmp / "spec.json", spec.to_dict())
            _write_json(tmp / "result.json", result)
            (tmp / "per_seed.csv").write_text(_csv(per_seed_rows))
            (tmp / "per_instance.csv").write_text(_csv(per_instance_rows or []))
            save_raw(tmp / "raw.npz", raw)
            if figure_png:
                (tmp / "figure.png").write_bytes(figure_png)
        return final

    def read_claim(self, spec: ClaimRunSpec) -> dict[str, Any]:
        return json.loads((self.claim_dir(spec) / "result.json").read_text())

    def all_claim_results(self) -> list[dict[str, Any]]:
        """Every stored claim result of the suite (newest per label last)."""
        out = []
        for p in sorted((self.path / "claims").glob("*/*/result.json")):
            try:
                out.append(json.loads(p.read_text()))
            except (OSError, json.JSONDecodeError):
                continue
        return out

    # ------------------------------------------------------------------ shared experiments
    def shared(self, paper: str, name: str, fn: Callable[[], Any], key: dict[str, Any], seed: int | None) -> Any:
        """Compute-once cache for `RunContext.shared` (file lock against parallel workers)."""
        h = spec_hash({"paper": paper, "name": name, "key": key, "seed": seed, "code": code_version(paper)})
        d = self.path / "shared" / paper
        d.mkdir(parents=True, exist_ok=True)
        target = d / f"{name}-{h}.pkl"
        if target.exists():
            with open(target, "rb") as f:
                return pickle.load(f)
        lock_path = d / f".{name}-{h}.lock"
        with open(lock_path, "w") as lock:
            try:
                import fcntl

                fcntl.flock(lock, fcntl.LOCK_EX)
            except ImportError:  # pragma: no cover - non-POSIX
                pass
            if target.exists():
                with open(target, "rb") as f:
                    return pickle.load(f)
            value = fn()
            fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=d)
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
            (d / f"{name}-{h}.json").write_text(canonical_json({"key": key, "seed": seed}) + "\n")
            return value
