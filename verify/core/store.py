"""The run store: a plain folder of content-addressed, atomically written results.

```
<store>/<suite>/
    cells/<claim_id>/<cell hash>/      spec.json  outcome.json  outcome.npz
    claims/<claim_id>/<run hash>/      spec.json  result.json  per_seed.csv  per_instance.csv  raw.npz  [figure.png]
    shared/<paper>/<name>-<hash>/      key.json  value.json  value.npz   (ctx.shared experiments)
    .corrupt/...                       damaged entries, moved aside (never read again)
```

A folder is written under a temporary name and renamed into place, so it is complete iff
it exists with all its files (HELM's rule); an interrupted sweep leaves no half-written
result, and a rerun computes only the missing cells. An incomplete folder (a file lost)
is replaced by the recomputed one; a forced rerun replaces a claim result by a rename
swap, so a concurrent reader sees the old folder or the new one, never a missing one.
The store does not depend on the executor, so every backend resumes the same way.

**Data, not code.** Stores are shared, copied between people and read by Dask workers,
so nothing in them executes on load: no pickles. A cell's `Prediction` / `Measurement`
and a shared experiment's value are written by a small codec as JSON (numbers, strings,
bools, None, lists, tuples, dicts; floats bit for bit) plus an `.npz` of its arrays read
with `allow_pickle=False` (dtypes kept; torch tensors come back as CPU tensors). A value
the codec cannot hold raises a `TypeError` naming where it is and its type.

**Damage** (a truncated or edited file) is never a traceback: the damaged entry is moved
aside under `<suite>/.corrupt/`, reported in one line on stderr naming it, and recomputed.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import functools
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from verify.core.spec import SCHEMA_VERSION, CellSpec, ClaimRunSpec, canonical_json, code_version, spec_hash

__all__ = ["RunStore", "environment", "save_raw", "load_raw", "encode", "decode", "dump_data", "load_data",
           "DamagedEntry", "SharedBusy", "lock_is_free", "STORE_SCHEMA"]

#: The store's format version (the spec schema; it enters every hash, so an older store's
#: folders are simply not found, never read as new).
STORE_SCHEMA = SCHEMA_VERSION

CELL_FILES = ("spec.json", "outcome.json", "outcome.npz")
CLAIM_FILES = ("spec.json", "result.json", "per_seed.csv", "per_instance.csv", "raw.npz")
SHARED_FILES = ("key.json", "value.json", "value.npz")


class DamagedEntry(ValueError):
    """A store entry whose files cannot be read back as what was written."""


# --------------------------------------------------------------------------- the codec

_TAGS = ("__array__", "__scalar__", "__torch__", "__tuple__", "__dict__", "__float__", "__complex__", "__set__",
         "__frozenset__")
#: torch dtypes numpy cannot hold: stored as the integer view of the same width
_TORCH_VIEW = {"bfloat16": "int16", "float8_e4m3fn": "int8", "float8_e5m2": "int8", "float8_e4m3fnuz": "int8",
               "float8_e5m2fnuz": "int8"}
_HOLDS = "dicts, lists, tuples, sets, str, int, float, complex, bool, None, numpy arrays and scalars, and torch tensors"


def _type_of(x: Any) -> str:
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _encode(x: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if x is None or isinstance(x, (bool, str)) and type(x) in (bool, str):
        return x
    if isinstance(x, np.ndarray):
        if isinstance(x, np.ma.MaskedArray):
            raise TypeError(f"{where}: a masked array cannot be stored (store .data and .mask)")
        a = np.asarray(x)
        if a.dtype.hasobject:
            raise TypeError(f"{where}: an array of dtype {a.dtype} (Python objects) cannot be stored")
        key = f"a{len(arrays)}"
        arrays[key] = a
        return {"__array__": key}
    if isinstance(x, np.generic):
        a = np.asarray(x)
        if a.dtype.hasobject:
            raise TypeError(f"{where}: a numpy object scalar cannot be stored")
        key = f"a{len(arrays)}"
        arrays[key] = a
        return {"__scalar__": key}
    if isinstance(x, bool):  # a bool subclass (none exist) - be safe
        return bool(x)
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        if x != x:
            return {"__float__": "nan"}
        if x in (float("inf"), float("-inf")):
            return {"__float__": "inf" if x > 0 else "-inf"}
        return float(x)
    if isinstance(x, complex):
        return {"__complex__": [_encode(x.real, arrays, where), _encode(x.imag, arrays, where)]}
    if isinstance(x, str):
        return str(x)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        t = x.detach()
        if t.is_sparse or getattr(t, "is_quantized", False) or t.is_complex() and t.dtype == torch.complex32:
            raise TypeError(f"{where}: a {t.dtype} {t.layout} torch tensor cannot be stored (convert it to dense numpy)")
        t = t.cpu().contiguous()
        name = str(t.dtype).removeprefix("torch.")
        a = t.view(getattr(torch, _TORCH_VIEW[name])).numpy() if name in _TORCH_VIEW else t.numpy()
        key = f"a{len(arrays)}"
        arrays[key] = a
        return {"__torch__": key, "dtype": name}
    if type(x).__module__.split(".")[0] in ("jax", "jaxlib") and hasattr(x, "__array__"):
        return _encode(np.asarray(x), arrays, where)  # a JAX array comes back as numpy
    if type(x) is tuple:
        return {"__tuple__": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(x)]}
    if type(x) is list:
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(x)]
    if type(x) in (set, frozenset):
        items = [_encode(v, arrays, f"{where} item {v!r}") for v in x]
        return {f"__{type(x).__name__}__": sorted(items, key=lambda e: json.dumps(e, sort_keys=True))}
    if type(x) is dict:
        if all(type(k) is str for k in x) and not (x and next(iter(x)) in _TAGS):
            return {k: _encode(v, arrays, f"{where}[{k!r}]") for k, v in x.items()}
        return {"__dict__": [[_encode(k, arrays, f"{where} key {k!r}"), _encode(v, arrays, f"{where}[{k!r}]")]
                             for k, v in x.items()]}
    hint = ""
    if dataclasses.is_dataclass(x):
        hint = " (a dataclass: store dataclasses.asdict(value) and rebuild it after ctx.shared)"
    elif isinstance(x, tuple) and hasattr(x, "_fields"):
        hint = " (a named tuple: store x._asdict())"
    elif isinstance(x, (dict, list, tuple)):
        hint = f" (convert it to a plain {type(x).__mro__[1].__name__ if type(x).__mro__[1] in (dict, list, tuple) else 'container'})"
    raise TypeError(f"{where}: type {_type_of(x)} cannot be stored{hint}; the run store holds only {_HOLDS}")


def encode(value: Any, where: str = "value") -> tuple[Any, dict[str, np.ndarray]]:
    """`(tree, arrays)`: a JSON-able tree of `value` whose arrays are replaced by
    references to `arrays` (saved as an .npz). Raises `TypeError` naming the first part
    of `value` it cannot hold (`where` prefixes the path)."""
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(value, arrays, where)
    return tree, arrays


def decode(tree: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Inverse of `encode`. Raises `DamagedEntry` for a tree that `encode` cannot have made."""
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        return [decode(v, arrays) for v in tree]
    if type(tree) is not dict:
        raise DamagedEntry(f"unexpected {type(tree).__name__} in the stored tree")
    if len(tree) >= 1:
        tag = next(iter(tree))
        if tag in _TAGS and (len(tree) == 1 or (tag == "__torch__" and len(tree) == 2)):
            v = tree[tag]
            if tag == "__array__":
                return _array(arrays, v)
            if tag == "__scalar__":
                a = _array(arrays, v)
                if a.ndim != 0:
                    raise DamagedEntry(f"scalar {v!r} has shape {a.shape}")
                return a[()]
            if tag == "__torch__":
                import torch

                name = tree.get("dtype")
                if not isinstance(name, str) or not isinstance(getattr(torch, name, None), torch.dtype):
                    raise DamagedEntry(f"unknown torch dtype {name!r}")
                t = torch.from_numpy(np.array(_array(arrays, v), copy=True))
                return t.view(getattr(torch, name)) if name in _TORCH_VIEW else t
            if tag == "__tuple__" and type(v) is list:
                return tuple(decode(e, arrays) for e in v)
            if tag in ("__set__", "__frozenset__") and type(v) is list:
                try:
                    items = [decode(e, arrays) for e in v]
                    return set(items) if tag == "__set__" else frozenset(items)
                except TypeError as e:  # an unhashable item
                    raise DamagedEntry(f"set item: {e}") from None
            if tag == "__float__" and v in ("nan", "inf", "-inf"):
                return float(v)
            if tag == "__complex__" and type(v) is list and len(v) == 2:
                re_, im_ = (decode(e, arrays) for e in v)
                if type(re_) is not float or type(im_) is not float:
                    raise DamagedEntry("complex parts are not floats")
                return complex(re_, im_)
            if tag == "__dict__" and type(v) is list:
                out = {}
                for kv in v:
                    if type(kv) is not list or len(kv) != 2:
                        raise DamagedEntry("a dict item is not a [key, value] pair")
                    k = decode(kv[0], arrays)
                    try:
                        out[k] = decode(kv[1], arrays)
                    except TypeError as e:  # an unhashable key
                        raise DamagedEntry(f"dict key {k!r}: {e}") from None
                return out
            raise DamagedEntry(f"malformed {tag} entry")
    return {k: decode(v, arrays) for k, v in tree.items()}


def _array(arrays: dict[str, np.ndarray], key: Any) -> np.ndarray:
    if not isinstance(key, str) or key not in arrays:
        raise DamagedEntry(f"array {key!r} is missing from the .npz")
    return arrays[key]


def dump_data(value: Any, json_path: Path, npz_path: Path, where: str = "value", extra: dict[str, Any] | None = None) -> None:
    """Write `value` as `json_path` (the tree, plus `extra` fields) and `npz_path` (its arrays)."""
    tree, arrays = encode(value, where)
    _write_tree(tree, arrays, json_path, npz_path, extra)


def _write_tree(tree: Any, arrays: dict[str, np.ndarray], json_path: Path, npz_path: Path,
                extra: dict[str, Any] | None = None) -> None:
    doc = {**(extra or {}), "store_schema": STORE_SCHEMA, "value": tree}  # the tree itself holds no NaN literal
    Path(json_path).write_text(json.dumps(doc, default=_json_default) + "\n")
    with open(npz_path, "wb") as f:
        np.savez(f, **arrays)


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def load_data(json_path: Path, npz_path: Path) -> tuple[Any, dict[str, Any]]:
    """`(value, document)` written by `dump_data`; raises `DamagedEntry` (or an OS error)
    when the files are not what `dump_data` wrote. Never unpickles anything."""
    doc = _read_json(json_path)
    if not isinstance(doc, dict) or "value" not in doc:
        raise DamagedEntry(f"{Path(json_path).name} holds no stored value")
    if doc.get("store_schema") != STORE_SCHEMA:
        raise DamagedEntry(f"{Path(json_path).name} has store schema {doc.get('store_schema')!r}, not {STORE_SCHEMA}")
    arrays = _load_npz(npz_path)
    return decode(doc["value"], arrays), doc


def _read_json(path: Path) -> Any:
    text = Path(path).read_text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DamagedEntry(f"{Path(path).name} is not valid JSON ({e.msg} at line {e.lineno})") from None


def _encode_result(obj: Any) -> tuple[Any, dict[str, np.ndarray]]:
    fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    tree, arrays = encode(fields, type(obj).__name__)
    return {"type": type(obj).__name__, "fields": tree}, arrays


def _decode_result(tree: Any, arrays: dict[str, np.ndarray], role: str | None = None) -> Any:
    from verify.core.claims import Measurement, Prediction

    classes = {"Prediction": Prediction, "Measurement": Measurement}
    if not isinstance(tree, dict) or tree.get("type") not in classes or not isinstance(tree.get("fields"), dict):
        raise DamagedEntry("the stored object is not a Prediction or a Measurement")
    cls = classes[tree["type"]]
    if role is not None and cls is not (Prediction if role == "theory" else Measurement):
        raise DamagedEntry(f"a {role} cell holds a {cls.__name__}")
    fields = decode(tree["fields"], arrays)
    known = {f.name for f in dataclasses.fields(cls)}
    if not isinstance(fields, dict) or not set(fields) <= known or "value" not in fields:
        raise DamagedEntry(f"the stored {cls.__name__} has fields {sorted(fields) if isinstance(fields, dict) else fields!r}")
    return cls(**fields)


def roundtrip(obj: Any) -> Any:
    """`obj` (a Prediction or Measurement) as the store gives it back: what a rerun sees,
    so a fresh run and a reused one aggregate the same objects. Raises `TypeError` when a
    field cannot be stored."""
    tree, arrays = _encode_result(obj)
    return _decode_result(tree, arrays)


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


def _say(message: str) -> None:
    """One line on stderr (also from worker processes, whose stderr is the terminal's)."""
    try:
        print(f"dltheory: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # pragma: no cover - stderr closed
        pass


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Any:
    """libc's `renameat2` (Linux), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        fn = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except OSError:  # pragma: no cover - no libc to load
        return None
    if fn is not None:
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool | None:
    """Swap the folders `a` and `b` in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`),
    so a reader of `b` never finds it missing. True on success; False when `b` vanished
    meanwhile (the caller retries); None where the call or the filesystem lacks it."""
    fn = _renameat2()
    if fn is None:
        return None
    import ctypes

    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err == errno.ENOENT:
        return False
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return None  # this filesystem cannot exchange: rename aside instead
    raise OSError(err, f"cannot swap {a} and {b}: {os.strerror(err)}")


def _install(tmp: Path, final: Path, replace: bool, complete: Callable[[Path], bool] | None) -> None:
    """Rename `tmp` to `final`.

    When `final` exists: with `replace`, or when it is incomplete (`complete(final)` is
    false), `tmp` takes its place by an atomic exchange where the system has one (readers
    always find `final`), else by renaming `final` aside first (readers see the old folder,
    the new one, or for a moment none, and wait for the new one); otherwise another worker
    finished the same spec first and theirs is kept."""
    aside: list[Path] = []
    try:
        for _ in range(200):
            try:
                os.rename(tmp, final)
                return
            except OSError as e:
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
            if not replace and (complete is None or complete(final)):
                shutil.rmtree(tmp, ignore_errors=True)  # keep theirs: it is complete
                return
            swapped = _exchange(tmp, final)
            if swapped:
                aside.append(tmp)  # `tmp` now holds the old folder
                return
            if swapped is False:
                continue  # `final` vanished meanwhile: plain rename next
            old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:12]}"
            try:
                os.rename(final, old)
                aside.append(old)
            except FileNotFoundError:
                pass  # another writer moved it: try again
            except OSError as e:
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
        raise OSError(errno.EBUSY, f"could not install {final} (too many concurrent writers)")
    finally:
        for old in aside:
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _atomic_dir(final: Path, replace: bool = False, complete: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """Yield a temporary folder beside `final`; rename it to `final` on success (see
    `_install` for what happens when `final` exists)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        yield tmp
        _install(tmp, final, replace, complete)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _complete(files: tuple[str, ...]) -> Callable[[Path], bool]:
    return lambda d: all((d / f).is_file() for f in files)


def _same(d: Path, inode: int) -> bool:
    try:
        return os.stat(d).st_ino == inode
    except OSError:
        return False


def _damage(e: BaseException) -> str:
    if isinstance(e, DamagedEntry):
        return str(e)
    return f"{type(e).__name__}: {e}"


class SharedBusy(Exception):
    """A `ctx.shared` experiment is being computed by another worker, and the cell asking
    for it may be deferred (run again later) rather than wait for it. `lock` is the path of
    the experiment's lock file (free again once it is computed, see `lock_is_free`)."""

    def __init__(self, what: str, lock: str):
        super().__init__(what)
        self.lock = lock


def lock_is_free(path: str) -> bool:
    """Whether nobody holds the `ctx.shared` lock at `path` (tried without waiting)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        return True
    try:
        with open(path, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(f, fcntl.LOCK_UN)
            return True
    except OSError:
        return True


class RunStore:
    """Results of one suite under `<root>/<suite>`."""

    def __init__(self, root: str | os.PathLike, suite: str = "latest"):
        if not isinstance(suite, str) or not suite or any(c in suite for c in "/\\") or suite.startswith("."):
            raise ValueError(f"--suite must be a plain folder name, not {suite!r}")
        self.root = Path(root)
        self.suite = suite
        self.path = self.root / suite

    # ------------------------------------------------------------------ damage
    def quarantine(self, entry: Path, reason: str, what: str = "entry", inode: int | None = None) -> Path | None:
        """Move a damaged `entry` (a folder or file of this suite) aside under
        `<suite>/.corrupt/` and say so in one line. `inode`: move it only if it is still
        the folder that was read (a concurrent writer may have replaced it meanwhile).
        Returns where it went (None if it was gone already)."""
        try:
            rel = entry.relative_to(self.path)
        except ValueError:
            rel = Path(entry.name)
        dest = self.path / ".corrupt" / rel.parent / f"{rel.name}.{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        try:
            if inode is not None and os.stat(entry).st_ino != inode:
                return None  # replaced since it was read: the new one is not known to be damaged
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.rename(entry, dest)
        except FileNotFoundError:
            return None
        except OSError as e:
            _say(f"run store: damaged {what} {entry} ({reason}); could not move it aside ({e}); recomputing")
            return None
        _say(f"run store: damaged {what} {entry} ({reason}); moved to {dest}; recomputing")
        return dest

    def _guarded(self, d: Path, what: str, files: tuple[str, ...], read: Callable[[Path], Any]) -> Any:
        """`read(d)`, or None when `d` is missing or incomplete (recomputed, then replaced)
        or damaged (moved aside, then recomputed). A folder swapped away by a concurrent
        writer is read again."""
        attempts = 10
        for attempt in range(attempts):
            try:
                inode = os.stat(d).st_ino
            except FileNotFoundError:
                if attempt < attempts - 1 and (any(d.parent.glob(f".{d.name}.old-*")) or d.exists()):
                    # a rename-aside swap in progress (systems without an atomic exchange):
                    # the new folder comes next; wait up to ~1 s in all, doubling
                    time.sleep(0.002 * 2**attempt)
                    continue
                return None
            except OSError as e:
                raise OSError(e.errno, f"run store: cannot read {d}: {e.strerror}") from None
            if not _complete(files)(d):
                if attempt < attempts - 1 and not _same(d, inode):
                    continue  # swapped meanwhile: look at the new folder
                return None  # incomplete (a file lost): recomputed, and the new folder replaces it
            try:
                return read(d)
            except (MemoryError, PermissionError):
                raise
            except FileNotFoundError:
                time.sleep(0.005 * (attempt + 1))  # swapped away while reading: read the new one
                continue
            except Exception as e:  # noqa: BLE001 - whatever a damaged file raises, it is damage
                self.quarantine(d, _damage(e), what, inode)
                return None
        return None

    # ------------------------------------------------------------------ cells
    def cell_dir(self, spec: CellSpec) -> Path:
        return self.path / "cells" / spec.claim_id / spec.hash

    def cell_complete(self, spec: CellSpec) -> bool:
        return _complete(CELL_FILES)(self.cell_dir(spec))

    def write_cell(self, spec: CellSpec, outcome: dict[str, Any], obj: Any, raw: dict[str, Any] | None = None) -> Path:
        """Store an `ok` cell: its outcome summary and its Prediction / Measurement (all
        fields, `raw` included; the `raw` argument is ignored). Raises `TypeError` when a
        field holds something the store cannot (see `encode`)."""
        tree, arrays = _encode_result(obj)
        final = self.cell_dir(spec)
        with _atomic_dir(final, complete=_complete(CELL_FILES)) as tmp:
            _write_json(tmp / "spec.json", spec.to_dict())
            _write_tree(tree, arrays, tmp / "outcome.json", tmp / "outcome.npz", {"outcome": outcome})
        return final

    def _read_cell_dir(self, d: Path, role: str | None) -> tuple[dict[str, Any], Any]:
        doc = _read_json(d / "outcome.json")
        if not isinstance(doc, dict) or doc.get("store_schema") != STORE_SCHEMA:
            raise DamagedEntry("outcome.json is not a cell outcome of this store schema")
        outcome = doc.get("outcome")
        if not isinstance(outcome, dict) or outcome.get("status") != "ok":
            raise DamagedEntry("outcome.json holds no 'ok' outcome")
        if role is not None and outcome.get("role") != role:
            raise DamagedEntry(f"outcome.json is a {outcome.get('role')!r} outcome, not {role!r}")
        obj = _decode_result(doc.get("value"), _load_npz(d / "outcome.npz"), role)
        return outcome, obj

    def load_cell(self, spec: CellSpec) -> tuple[dict[str, Any], Any] | None:
        """`(outcome, Prediction or Measurement)` of a stored cell, or None when it is
        missing, incomplete or damaged (a damaged cell is moved aside under `.corrupt/`
        with a one-line message); the caller recomputes it."""
        return self._guarded(self.cell_dir(spec), "cell", CELL_FILES, lambda d: self._read_cell_dir(d, spec.role))

    def read_cell(self, spec: CellSpec) -> tuple[dict[str, Any], Any]:
        """Like `load_cell`, but raises `DamagedEntry` when there is nothing to read."""
        got = self.load_cell(spec)
        if got is None:
            raise DamagedEntry(f"no readable cell at {self.cell_dir(spec)}")
        return got

    def read_cell_raw(self, spec: CellSpec) -> dict[str, Any]:
        """The `raw` arrays of a stored cell."""
        return dict(self.read_cell(spec)[1].raw)

    # ------------------------------------------------------------------ claim runs
    def claim_dir(self, spec: ClaimRunSpec) -> Path:
        return self.path / "claims" / spec.claim_id / spec.hash

    def claim_complete(self, spec: ClaimRunSpec) -> bool:
        return _complete(CLAIM_FILES)(self.claim_dir(spec))

    def write_claim(
        self,
        spec: ClaimRunSpec,
        result: dict[str, Any],
        per_seed_rows: list[dict[str, Any]],
        raw: dict[str, Any],
        figure_png: bytes | None = None,
        per_instance_rows: list[dict[str, Any]] | None = None,
    ) -> Path:
        """Store a claim result; a forced rerun replaces the old one by a rename swap."""
        final = self.claim_dir(spec)
        with _atomic_dir(final, replace=True) as tmp:
            _write_json(tmp / "spec.json", spec.to_dict())
            _write_json(tmp / "result.json", result)
            (tmp / "per_seed.csv").write_text(_csv(per_seed_rows))
            (tmp / "per_instance.csv").write_text(_csv(per_instance_rows or []))
            save_raw(tmp / "raw.npz", raw)
            if figure_png:
                (tmp / "figure.png").write_bytes(figure_png)
        return final

    @staticmethod
    def _read_result(path: Path) -> dict[str, Any]:
        r = _read_json(path)
        if not isinstance(r, dict):
            raise DamagedEntry("result.json is not an object")
        for k in ("id", "label", "verdict"):
            if not isinstance(r.get(k), str):
                raise DamagedEntry(f"result.json has no {k!r}")
        return r

    def _read_claim_dir(self, d: Path) -> dict[str, Any]:
        r = self._read_result(d / "result.json")
        with np.load(d / "raw.npz", allow_pickle=False) as z:  # its index is at the end: a truncation shows
            z.files  # noqa: B018
        return r

    def load_claim(self, spec: ClaimRunSpec) -> dict[str, Any] | None:
        """A stored claim result, or None when it is missing, incomplete or damaged (moved
        aside under `.corrupt/` with a one-line message); the caller recomputes it."""
        return self._guarded(self.claim_dir(spec), "claim result", CLAIM_FILES, self._read_claim_dir)

    def read_claim(self, spec: ClaimRunSpec) -> dict[str, Any]:
        """Like `load_claim`, but raises `DamagedEntry` when there is nothing to read."""
        got = self.load_claim(spec)
        if got is None:
            raise DamagedEntry(f"no readable claim result at {self.claim_dir(spec)}")
        return got

    def scan_claim_results(self) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """`(results, damaged)`: every readable stored claim result of the suite (each with
        its `result_dir`), and one `{claim_id, label, path, reason}` per result that cannot
        be read. Reads only; moves nothing."""
        out: list[dict[str, Any]] = []
        damaged: list[dict[str, str]] = []
        root = self.path / "claims"
        if not root.is_dir():
            return out, damaged
        for claim_dir in sorted(root.iterdir()):
            if claim_dir.name.startswith(".") or not claim_dir.is_dir():
                continue
            for d in sorted(claim_dir.iterdir()):
                if d.name.startswith(".") or not d.is_dir():  # temporary or swapped-out folders
                    continue
                try:
                    r = self._read_result(d / "result.json")
                except FileNotFoundError:
                    if not d.exists():
                        continue  # replaced meanwhile
                    reason = "result.json is missing"
                except PermissionError:
                    raise
                except Exception as e:  # noqa: BLE001 - whatever a damaged file raises
                    reason = _damage(e)
                else:
                    r["result_dir"] = str(d)
                    out.append(r)
                    continue
                label = claim_dir.name
                with contextlib.suppress(Exception):
                    spec = json.loads((d / "spec.json").read_text())
                    label = str(spec.get("label") or label)
                damaged.append({"claim_id": claim_dir.name, "label": label, "path": str(d), "reason": reason})
        return out, damaged

    def all_claim_results(self) -> list[dict[str, Any]]:
        """Every readable stored claim result of the suite; a damaged one is named on stderr
        (see `scan_claim_results` for the list)."""
        out, damaged = self.scan_claim_results()
        for x in damaged:
            _say(f"run store: stored result of {x['label']} at {x['path']} is damaged ({x['reason']})")
        return out

    # ------------------------------------------------------------------ shared experiments
    def shared(self, paper: str, name: str, fn: Callable[[], Any], key: dict[str, Any], seed: int | None,
               refresh: str | None = None, may_defer: Callable[[], bool] | None = None) -> Any:
        """Compute-once cache for `RunContext.shared` (file lock against parallel workers).

        The value is stored as data (see `encode`) and returned as the store gives it back,
        so the first run and every rerun see the same thing. `refresh` (a token per
        `--force` run): an entry computed by another run is recomputed, once per run.
        When another worker holds the experiment's lock (it is computing it) and
        `may_defer()` is true, raises `SharedBusy` instead of waiting, so the executor can
        run other cells meanwhile and this one again later.
        Raises `TypeError` naming the experiment when its value cannot be stored."""
        h = spec_hash({"paper": paper, "name": name, "key": key, "seed": seed, "code": code_version(paper)})
        d = self.path / "shared" / paper
        d.mkdir(parents=True, exist_ok=True)
        final = d / f"{name}-{h}"

        def read(p: Path) -> tuple[Any, Any]:
            value, _doc = load_data(p / "value.json", p / "value.npz")
            meta = _read_json(p / "key.json")
            if not isinstance(meta, dict):
                raise DamagedEntry("key.json is not an object")
            return value, meta.get("run")

        def cached() -> tuple[bool, Any]:
            got = self._guarded(final, f"shared experiment {paper}/{name}", SHARED_FILES, read)
            if got is None or (refresh is not None and got[1] != refresh):
                return False, None
            return True, got[0]

        hit, value = cached()
        if hit:
            return value
        lock_path = d / f".{name}-{h}.lock"
        with open(lock_path, "w") as lock:
            try:
                import fcntl

                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # another worker is computing it
                    if may_defer is not None and may_defer():
                        raise SharedBusy(f"{paper}/{name}", str(lock_path)) from None
                    fcntl.flock(lock, fcntl.LOCK_EX)
            except ImportError:  # pragma: no cover - non-POSIX
                pass
            hit, value = cached()
            if hit:
                return value
            value = fn()
            try:
                tree, arrays = encode(value, "value")
            except TypeError as e:
                raise TypeError(f"ctx.shared({name!r}) of paper {paper} returned a value the run store cannot hold: {e}") from None
            with _atomic_dir(final, replace=True) as tmp:
                _write_json(tmp / "key.json", {"paper": paper, "name": name, "key": key, "seed": seed, "run": refresh})
                _write_tree(tree, arrays, tmp / "value.json", tmp / "value.npz")
            return decode(tree, arrays)
