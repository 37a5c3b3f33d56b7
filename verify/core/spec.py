"""Frozen, serialisable run specs; run entries and expanders; code versions.

A *cell* is the unit of work: one claim, one profile, one config, one role (theory or
practice), one seed, one variant (the clean config or a named perturbation). Its
`CellSpec` is hashed (with a schema version and the code version of the paper's modules)
into the folder name of its result, as open_lth hashes its run descriptions: identical
specs share results, a code change makes new ones.

A *run entry* (HELM's idea) is a string `claim_glob:key=value,key=value`:

- `lazy_rich.closed_form:delta=-2` overrides one config parameter;
- `lazy_rich.closed_form:delta=-2|0|2` is a grid expander (three claim runs);
- `lazy_rich.*:seeds=5` is the seeds expander (seeds 0..4).
"""

from __future__ import annotations

import ast
import dataclasses
import fnmatch
import hashlib
import importlib.util
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from verify.core.seeding import THEORY_SEED

__all__ = [
    "SCHEMA_VERSION",
    "CellSpec",
    "ClaimRunSpec",
    "RunEntry",
    "canonical_json",
    "code_version",
    "parse_run_entry",
    "parse_value",
    "spec_hash",
]

#: Bump when the meaning of stored results changes; it enters every hash.
SCHEMA_VERSION = 1


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float):
        if x != x:
            return "nan"
        if x in (float("inf"), float("-inf")):
            return "inf" if x > 0 else "-inf"
        return x
    if x is None or isinstance(x, (bool, int, str)):
        return x
    return repr(x)


def canonical_json(obj: Any) -> str:
    """Deterministic JSON (sorted keys, no whitespace) used for hashing."""
    return json.dumps(_jsonable(obj), sort_keys=True, separators=(",", ":"))


def spec_hash(obj: Any, n: int = 16) -> str:
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()[:n]


def _module_files(modname: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(modname)
    except (ImportError, ValueError):
        return []
    if spec is None or spec.origin is None:
        return []
    origin = Path(spec.origin)
    if spec.submodule_search_locations:  # a package: every .py file under it
        return sorted(p for loc in spec.submodule_search_locations for p in Path(loc).rglob("*.py"))
    return [origin]


@lru_cache(maxsize=None)
def code_version(paper: str) -> str:
    """Hash of the source of `theory.<paper>`, `numerics.<paper>`, `verify.<paper>` and of
    the shared `theory/_*.py`, `numerics/_*.py` helpers, plus the schema version.

    Changing a paper's code changes the hashes of its runs only, so its stored results are
    recomputed and the other papers' are reused.
    """
    h = hashlib.sha256(f"schema={SCHEMA_VERSION}".encode())
    files: list[Path] = []
    for tree in ("theory", "numerics", "verify"):
        files += _module_files(f"{tree}.{paper}")
        pkg = _module_files(tree)
        if pkg:
            root = pkg[0].parent if pkg[0].name == "__init__.py" else None
            if root is not None:
                files += sorted(root.glob("_*.py"))
    for f in sorted(set(files)):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


@dataclasses.dataclass(frozen=True)
class CellSpec:
    """One unit of work. `role` is "theory" or "practice"; `variant` is "clean" or the
    name of a perturbation."""

    claim_id: str
    profile: str
    config_json: str
    role: str
    seed: int
    variant: str
    code_version: str

    @property
    def config(self) -> dict[str, Any]:
        return json.loads(self.config_json)

    @property
    def hash(self) -> str:
        return spec_hash({"schema": SCHEMA_VERSION, **dataclasses.asdict(self)})

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["config"] = self.config
        del d["config_json"]
        d["hash"] = self.hash
        d["schema"] = SCHEMA_VERSION
        return d


@dataclasses.dataclass(frozen=True)
class ClaimRunSpec:
    """A claim run: the claim under one profile, config (with overrides), seeds and
    perturbations. Its cells are the theory and practice cells of each variant."""

    claim_id: str
    profile: str
    config_json: str
    seeds: tuple[int, ...]
    perturbations_json: str
    overrides_json: str
    code_version: str
    requires: str | None = None

    @property
    def config(self) -> dict[str, Any]:
        return json.loads(self.config_json)

    @property
    def overrides(self) -> dict[str, Any]:
        return json.loads(self.overrides_json)

    @property
    def perturbations(self) -> dict[str, dict[str, Any]]:
        return json.loads(self.perturbations_json)

    @property
    def label(self) -> str:
        """The claim id, with overrides in HELM's run-entry form when there are any."""
        ov = self.overrides
        if not ov:
            return self.claim_id
        return self.claim_id + ":" + ",".join(f"{k}={canonical_json(v)}" for k, v in sorted(ov.items()))

    @property
    def hash(self) -> str:
        return spec_hash({"schema": SCHEMA_VERSION, **dataclasses.asdict(self)})

    def variant_config(self, variant: str) -> dict[str, Any]:
        cfg = self.config
        if variant != "clean":
            cfg.update(self.perturbations[variant])
        return cfg

    def cells(self) -> list[CellSpec]:
        out = []
        for variant in ["clean", *sorted(self.perturbations)]:
            cfg = canonical_json(self.variant_config(variant))
            out.append(CellSpec(self.claim_id, self.profile, cfg, "theory", THEORY_SEED, variant, self.code_version))
            for s in self.seeds:
                out.append(CellSpec(self.claim_id, self.profile, cfg, "practice", int(s), variant, self.code_version))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "label": self.label,
            "profile": self.profile,
            "config": self.config,
            "overrides": self.overrides,
            "seeds": list(self.seeds),
            "perturbations": self.perturbations,
            "code_version": self.code_version,
            "requires": self.requires,
            "schema": SCHEMA_VERSION,
            "hash": self.hash,
        }


# --------------------------------------------------------------------------- run entries


def parse_value(text: str) -> Any:
    """A run-entry value: a Python literal (int, float, bool, None, list, tuple, string
    in quotes), `2**10`-style powers, `inf`, or else the bare string."""
    t = text.strip()
    if t == "":
        raise ValueError("empty value")
    low = t.lower()
    if low in ("inf", "+inf", "infinity"):
        return float("inf")
    if low == "-inf":
        return float("-inf")
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        return ast.literal_eval(t)
    except (ValueError, SyntaxError):
        pass
    if "**" in t:
        base, _, exp = t.partition("**")
        try:
            return ast.literal_eval(base) ** ast.literal_eval(exp)
        except (ValueError, SyntaxError, TypeError):
            pass
    return t


@dataclasses.dataclass(frozen=True)
class RunEntry:
    """A parsed run entry: a claim glob plus a list of override dicts (the expanded grid)
    and an optional seeds count."""

    pattern: str
    grid: tuple[tuple[tuple[str, Any], ...], ...]
    seeds: int | None = None
    priority: int = 1

    def matches(self, claim_id: str) -> bool:
        return fnmatch.fnmatchcase(claim_id, self.pattern) or fnmatchcase_paper(claim_id, self.pattern)

    def overrides(self) -> list[dict[str, Any]]:
        return [dict(g) for g in self.grid]


def fnmatchcase_paper(claim_id: str, pattern: str) -> bool:
    """A bare paper name (`lazy_rich`) selects all of that paper's claims."""
    return "." not in pattern and not any(c in pattern for c in "*?[") and claim_id.split(".", 1)[0] == pattern


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside brackets and quotes."""
    parts, depth, buf, quote = [], 0, [], None
    for ch in text:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_run_entry(text: str, priority: int = 1) -> RunEntry:
    """Parse `claim_glob[:key=value,...]`. `key=a|b|c` expands to a grid; `seeds=N` sets
    the number of practice seeds. Raises `ValueError` with a one-line reason."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("run entry is empty")
    pattern, _, args = text.strip().partition(":")
    pattern = pattern.strip()
    if not pattern:
        raise ValueError(f"run entry {text!r} names no claim")
    axes: list[list[tuple[str, Any]]] = []
    seeds: int | None = None
    if args.strip():
        for item in _split_top(args, ","):
            if not item.strip():
                continue
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key:
                raise ValueError(f"run entry {text!r}: {item!r} is not key=value")
            options = [parse_value(v) for v in _split_top(value, "|")]
            if key == "seeds":
                if len(options) != 1 or not isinstance(options[0], int) or options[0] < 1:
                    raise ValueError(f"run entry {text!r}: seeds must be a positive integer")
                seeds = options[0]
                continue
            axes.append([(key, v) for v in options])
    grid = tuple(tuple(combo) for combo in itertools.product(*axes)) if axes else ((),)
    return RunEntry(pattern=pattern, grid=grid, seeds=seeds, priority=priority)


def select(ids: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """Claim ids matching any glob (or bare paper name); all of them if no pattern."""
    if not patterns:
        return list(ids)
    out = []
    for cid in ids:
        if any(fnmatch.fnmatchcase(cid, p) or fnmatchcase_paper(cid, p) for p in patterns):
            out.append(cid)
    return out


def git_commit(cwd: str | os.PathLike | None = None) -> str:
    """The current git commit (with `+dirty` when the tree has changes), or "unknown"."""
    import subprocess

    try:
        root = cwd or Path(__file__).resolve().parents[2]
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        return (sha or "unknown") + ("+dirty" if dirty else "")
    except Exception:
        return "unknown"
