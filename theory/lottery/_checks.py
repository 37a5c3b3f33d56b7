"""Argument checks shared by `theory.lottery` and `numerics.lottery`: each raises
`ValueError` naming the argument and its allowed range (the bad-input rule)."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_number", "check_int", "check_finite_array", "check_index_array"]


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(
    name: str,
    value,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """`value` as a float, finite and inside `[lo, hi]` (open ends where asked)."""
    lo_b = "(" if lo_open else "["
    hi_b = ")" if hi_open else "]"
    allowed = f"{lo_b}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{hi_b}"
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number in {allowed}, got {value!r}")
    v = float(value)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ValueError(f"{name} must be in {allowed}, got {value!r}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise ValueError(f"{name} must be in {allowed}, got {value!r}")
    return v


def check_int(name: str, value, lo: int | None = None, hi: int | None = None) -> int:
    """`value` as an int: an integer (or an integral float) inside `[lo, hi]`."""
    allowed = f"an integer >= {lo}" if hi is None and lo is not None else f"an integer in [{lo}, {hi}]"
    if lo is None and hi is None:
        allowed = "an integer"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        v = int(value)
    elif _is_real(value) and math.isfinite(float(value)) and float(value).is_integer():
        v = int(value)
    else:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def check_finite_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    """`value` as a float64 array whose entries are all finite (and of `ndim` dimensions)."""
    arr = np.asarray(value, dtype=float)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold only finite numbers (no NaN or inf)")
    return arr


def check_index_array(name: str, value, n: int) -> np.ndarray:
    """`value` as a 1-d int array of indices in `[0, n)`."""
    arr = np.asarray(value).ravel()
    if arr.size == 0:
        return arr.astype(int)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind != "f" or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold integer indices in [0, {n}), got dtype {arr.dtype}")
    arr = arr.astype(int)
    if np.any(arr < 0) or np.any(arr >= n):
        raise ValueError(f"{name} must hold integer indices in [0, {n})")
    return arr
