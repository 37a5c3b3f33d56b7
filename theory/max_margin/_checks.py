"""Argument checks shared by the public functions of `theory.max_margin`.

Each raises `ValueError` naming the argument and its allowed range (issue 15: every public
function returns a finite, meaningful value or raises `ValueError`).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["as_int", "as_real", "finite_array", "rates_array", "binary_labels"]


def as_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """`value` as an int in `[low, high]` (a float with an integral value is accepted)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        out = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        out = int(value)
    else:
        raise ValueError(f"{name} must be a finite integer, got {value!r}")
    if low is not None and out < low:
        raise ValueError(f"{name} must be >= {low}, got {out}")
    if high is not None and out > high:
        raise ValueError(f"{name} must be <= {high}, got {out}")
    return out


def as_real(name: str, value: Any, *, positive: bool = False, nonnegative: bool = False) -> float:
    """`value` as a finite float (optionally > 0 or >= 0)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite real number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and not out > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if nonnegative and not out >= 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return out


def finite_array(name: str, value: Any, *, ndim: int | None = None, min_ndim: int | None = None,
                 nonempty: bool = True) -> np.ndarray:
    """`value` as a finite float64 array (optionally of a given number of dimensions, non-empty)."""
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers") from None
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {out.shape}")
    if min_ndim is not None and out.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {out.shape}")
    if nonempty and out.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite (it holds NaN or inf)")
    return out


def rates_array(rates: Any, n: int | None = None, *, positive_max: bool = True) -> np.ndarray:
    r"""The rates \( \lambda_i \ge 0 \) as a 1-D float64 array (of length `n` when given)."""
    lam = finite_array("rates", rates, ndim=1)
    if np.any(lam < 0):
        raise ValueError("rates must be >= 0")
    if positive_max and not lam.max() > 0:
        raise ValueError("rates must not all be 0 (lambda_max > 0)")
    if n is not None and lam.shape[0] != n:
        raise ValueError(f"rates has {lam.shape[0]} entries but theta has {n} (last axis)")
    return lam


def binary_labels(name: str, y: Any, n: int | None = None) -> np.ndarray:
    r"""Labels \( y_n \in \{-1, +1\} \) as float64 (`n` of them when given)."""
    arr = finite_array(name, y, ndim=1)
    if not np.all(np.isin(arr, (-1.0, 1.0))):
        raise ValueError(f"{name} must hold binary labels in {{-1, +1}}, got values {np.unique(arr)[:6].tolist()}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} labels but X has {n} rows")
    return arr
