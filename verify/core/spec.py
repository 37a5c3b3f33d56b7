"""Frozen, serialisable run specs; run entries and expanders; code versions.

A *cell* is the unit of work: one claim, one profile, one config, one role (theory or
practice), one seed, one variant (the clean config or a named perturbation). Its
`CellSpec` is hashed (with a schema version and the code version of the paper's modules)
into the folder name of its result, as open_lth hashes its run descriptions: identical
specs share results, a code change makes new ones.

A *run entry* (HELM's idea) is a string `claim_glob:key=value,key=value`:

- `lazy_rich.delta_conserved:eta_w=0.5` overrides one config parameter;
- `lazy_rich.delta_conserved:eta_w=0.5|1.6|4.0` is a grid expander (three claim runs);
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
import re
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
    "check_overrides",
    "spec_hash",
]

#: Bump when the meaning of stored results changes; it enters every hash.
SCHEMA_VERSION = 2  # 2: the store holds JSON + .npz (no pickles)


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


#: Longest run-entry value accepted (characters); values are literals, not programs.
MAX_VALUE_CHARS = 1000

_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*\Z")


def _literal_nodes_only(node: ast.AST, text: str) -> None:
    """Refuse anything but literals: numbers, strings, True/False/None, a sign in front of
    a number, and lists/tuples/dicts/sets of literals. No operators (`10**100000000` is
    refused, not evaluated), names or calls."""
    if isinstance(node, ast.Expression):
        return _literal_nodes_only(node.body, text)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (bytes, type(Ellipsis))):
            raise ValueError(f"value {text!r} is not a number, string, bool, None or list")
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        if isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, (int, float, complex)) \
                and not isinstance(node.operand.value, bool):
            return None
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for e in node.elts:
            _literal_nodes_only(e, text)
        return None
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise ValueError(f"value {text!r}: '**' unpacking is not a literal")
            _literal_nodes_only(k, text)
            _literal_nodes_only(v, text)
        return None
    if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)):
        raise ValueError(f"value {text!r} is not a literal: operators are not evaluated (write the number itself, e.g. 0.125)")
    raise ValueError(f"value {text!r} is not a literal (a number, a quoted string, True/False/None, or a list of them)")


def parse_value(text: str) -> Any:
    """A run-entry value: a Python literal (int, float, bool, None, list, tuple, dict,
    string in quotes), `inf`/`-inf`, or a bare word (`relu`, `cross-entropy`) as a string.

    Values are literals only: operators are refused, not evaluated (`2**-3` is an error;
    write `0.125`), and so is anything longer than `MAX_VALUE_CHARS` characters or a
    malformed literal such as `[1,2`. Raises `ValueError` with a one-line reason."""
    if not isinstance(text, str):
        raise ValueError(f"value {text!r} is not a string")
    t = text.strip()
    if t == "":
        raise ValueError("empty value")
    if len(t) > MAX_VALUE_CHARS:
        raise ValueError(f"value {t[:20]}... is {len(t)} characters long (at most {MAX_VALUE_CHARS})")
    low = t.lower()
    if low in ("inf", "+inf", "infinity", "+infinity"):
        return float("inf")
    if low in ("-inf", "-infinity"):
        return float("-inf")
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        tree = ast.parse(t, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        if _BARE_WORD.match(t):
            return t
        why = getattr(e, "msg", None) or str(e)
        raise ValueError(f"value {t!r} is not a literal ({why})") from None
    if isinstance(tree.body, ast.Name) and _BARE_WORD.match(t):
        return t  # a bare word is a string: mode=relu
    if isinstance(tree.body, ast.Attribute) and _BARE_WORD.match(t):
        return t  # a dotted bare word: model=gpt2.small
    if isinstance(tree.body, ast.BinOp) and isinstance(tree.body.op, ast.Sub) and _BARE_WORD.match(t) \
            and not any(isinstance(n, ast.Constant) for n in ast.walk(tree.body.left)):
        return t  # a hyphenated bare word: loss=cross-entropy
    _literal_nodes_only(tree, t)
    try:
        return ast.literal_eval(tree)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as e:
        raise ValueError(f"value {t!r} is not a literal ({e})") from None


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (list, tuple)):
        return "list"
    if isinstance(v, Mapping):
        return "dict"
    return type(v).__name__


def _fits(base: Any, value: Any) -> bool:
    """Whether an override `value` has the type of the profile's `base` value."""
    if base is None or value is None:
        return True  # None in the profile takes anything; None as an override switches something off
    if isinstance(base, bool):
        return isinstance(value, bool)
    if isinstance(base, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(base, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(base, str):
        return isinstance(value, str)
    if isinstance(base, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            return False
        kinds = {_type_name(b) for b in base}
        if len(kinds) == 1 and value:  # a homogeneous list: check the elements too
            b0 = base[0]
            return all(_fits(b0, v) for v in value)
        return True
    if isinstance(base, Mapping):
        return isinstance(value, Mapping)
    return True  # other types: the claim checks them


def check_overrides(claim_id: str, profile: str, config: Mapping[str, Any], overrides: Mapping[str, Any],
                    all_configs: Sequence[Mapping[str, Any]] = ()) -> None:
    """Check run-entry overrides against the profile's config, at planning time.

    - The override must have the type of the profile's value (an int for an int, a
      number for a float, a bool for a bool, a string for a string, a list for a list).
    - A config value that is a positive count in every profile of the claim (`n`,
      `steps`, `n_paths`, ...) cannot be overridden to zero or less: such a run would
      measure nothing and PASS vacuously. Keys named like seeds are exempt.

    `all_configs`: the configs of every profile of the claim (default: just `config`).
    Raises `ValueError` naming the claim, the key and the expected type.
    """
    configs = list(all_configs) or [config]
    for key, value in overrides.items():
        if key not in config:
            continue  # unknown keys are reported by plan()
        base = config[key]
        if not _fits(base, value):
            raise ValueError(
                f"claim {claim_id}: {key}={value!r} is a {_type_name(value)}, but profile {profile} has "
                f"{key}={base!r} (expected {_type_name(base) if not isinstance(base, float) else 'a number'})"
            )
        if isinstance(value, float) and value != value:
            raise ValueError(f"claim {claim_id}: {key}=nan is not a value to run")
        is_count = "seed" not in key.lower() and all(
            isinstance(c.get(key), int) and not isinstance(c.get(key), bool) and c.get(key) > 0
            for c in configs if key in c
        )
        if is_count and isinstance(value, int) and not isinstance(value, bool) and value <= 0:
            raise ValueError(
                f"claim {claim_id}: {key}={value} would measure nothing ({key} is a positive count, "
                f"{base} in profile {profile}); use {key} >= 1"
            )


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
            try:
                options = [parse_value(v) for v in _split_top(value, "|")]
            except ValueError as e:
                raise ValueError(f"run entry {text!r}: {key}: {e}") from None
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
