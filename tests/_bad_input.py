"""The bad-input rule, checked for every public name (issue: no silent garbage).

Every public function of `theory/` and `numerics/` either returns a finite, meaningful value
or raises `ValueError` naming the argument and its allowed range. `check_bad_inputs` walks a
module's `__all__`:

- each name is either in `valid_calls` (a small valid call) or in `exempt` (with a reason:
  a class, a constant, a function whose arguments are objects that no number can stand in
  for); a name in neither fails the test, so a new public function must be added;
- the valid call must succeed;
- then each numeric argument of the call (a Python float/int, or a numeric numpy array) is
  replaced, one at a time, by each bad input class: `nan`, `inf`, `negative`, `zero`,
  `empty` (arrays), `mismatched` (arrays: one more row). The call must either raise
  `ValueError` (any message naming the argument is fine) or return only finite numbers
  (arrays, floats, tuples, lists, dicts, dataclasses are walked; other objects are skipped).
  Any other exception (IndexError, ZeroDivisionError, TypeError from numpy, ...) fails.
- `input_exempt[name][input_class] = reason` exempts one function from one class, e.g. an
  array function documented to propagate NaN elementwise; its docstring must say so
  (`check_bad_inputs` asserts the docstring mentions the class: "nan", "inf", "negative",
  "zero", "empty" or "shape").

```python
from tests._bad_input import check_bad_inputs

VALID = {"whitened_trajectory": ((np.ones(3), 1.0, 0.5), {})}
EXEMPT = {"Derivation": "a dataclass"}
check_bad_inputs(theory.lazy_rich, VALID, EXEMPT)
```
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["BAD_CLASSES", "check_bad_inputs", "bad_variants", "all_finite"]

BAD_CLASSES = ("nan", "inf", "negative", "zero", "empty", "mismatched")
_DOC_WORD = {"nan": "nan", "inf": "inf", "negative": "negative", "zero": "zero", "empty": "empty", "mismatched": "shape"}


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _is_numeric_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind in "fiu" and x.size > 0


def bad_variants(x: Any) -> dict[str, Any]:
    """The bad inputs of each class that stand in for the valid value `x`."""
    out: dict[str, Any] = {}
    if _is_number(x):
        out["nan"] = math.nan
        out["inf"] = math.inf
        out["negative"] = -abs(x) - 1 if isinstance(x, (int, np.integer)) else -abs(float(x)) - 1.0
        out["zero"] = type(x)(0) if isinstance(x, (int, float)) else x * 0
    elif _is_numeric_array(x):
        f = x.astype(float)
        nan = f.copy()
        nan.flat[0] = math.nan
        inf = f.copy()
        inf.flat[0] = math.inf
        out["nan"], out["inf"] = nan, inf
        out["negative"] = -np.abs(x) - 1
        out["zero"] = np.zeros_like(x)
        out["empty"] = x[:0] if x.ndim else np.asarray([], dtype=x.dtype)
        if x.ndim >= 1:
            out["mismatched"] = np.concatenate([x, x[:1]], axis=0)
    return out


def all_finite(value: Any, _depth: int = 0) -> bool:
    """True when every number reachable in `value` is finite."""
    if _depth > 6 or value is None:
        return True
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return True
    if _is_number(value) or isinstance(value, complex):
        return bool(np.isfinite(value))
    try:  # torch / jax arrays
        import torch

        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    if hasattr(value, "__array__") and not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except Exception:  # noqa: BLE001 - not an array after all
            return True
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            return bool(np.all(np.isfinite(value)))
        if value.dtype == object:
            return all(all_finite(v, _depth + 1) for v in value.ravel()[:1000])
        return True
    if isinstance(value, Mapping):
        return all(all_finite(v, _depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(all_finite(v, _depth + 1) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(all_finite(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value))
    return True


def _call(fn, args, kwargs) -> tuple[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(*args, **kwargs)
        except ValueError as e:
            return "valueerror", e
        except Exception as e:  # noqa: BLE001 - reported as a violation
            return "other", e


def check_bad_inputs(
    module: Any,
    valid_calls: Mapping[str, tuple[tuple, dict] | list[tuple[tuple, dict]]],
    exempt: Mapping[str, str] = {},
    input_exempt: Mapping[str, Mapping[str, str]] = {},
) -> None:
    """Assert the bad-input rule for every name in `module.__all__` (see the module doc)."""
    names = list(getattr(module, "__all__", []))
    assert names, f"{module.__name__} has no __all__"
    missing = [n for n in names if n not in valid_calls and n not in exempt]
    assert not missing, f"{module.__name__}: public names with neither a valid call nor an exemption: {missing}"
    stale = [n for n in list(valid_calls) + list(exempt) if n not in names]
    assert not stale, f"{module.__name__}: valid calls/exemptions for names not in __all__: {stale}"
    for n, reason in exempt.items():
        assert str(reason).strip(), f"{n}: an exemption needs a reason"
    violations: list[str] = []
    for name, calls in valid_calls.items():
        fn = getattr(module, name)
        if isinstance(calls, tuple):
            calls = [calls]
        skip_classes = dict(input_exempt.get(name, {}))
        doc = (fn.__doc__ or "").lower()
        for cls, why in skip_classes.items():
            assert cls in BAD_CLASSES, f"{name}: unknown input class {cls!r}"
            assert _DOC_WORD[cls] in doc, f"{name}: exempt from {cls!r} inputs ({why}) but its docstring does not say so"
        for args, kwargs in calls:
            status, out = _call(fn, args, kwargs)
            assert status == "ok", f"{module.__name__}.{name}: the valid call failed: {out!r}"
            slots = [("arg", i, a) for i, a in enumerate(args)] + [("kw", k, v) for k, v in kwargs.items()]
            for where, key, val in slots:
                for cls, bad in bad_variants(val).items():
                    if cls in skip_classes:
                        continue
                    a, kw = list(args), dict(kwargs)
                    if where == "arg":
                        a[key] = bad
                    else:
                        kw[key] = bad
                    status, out = _call(fn, tuple(a), kw)
                    label = f"{name}({'arg ' + str(key) if where == 'arg' else key}={cls})"
                    if status == "other":
                        violations.append(f"{label}: {type(out).__name__}: {out}")
                    elif status == "ok" and not all_finite(out):
                        violations.append(f"{label}: returned a non-finite value")
    assert not violations, f"{module.__name__}: {len(violations)} bad-input violations:\n  " + "\n  ".join(violations)
