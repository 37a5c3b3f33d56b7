"""Argument checks shared by the public functions of `theory.max_margin`.

Each raises `ValueError` naming the argument and its allowed range (issue 15: every public
function returns a finite, meaningful value or raises `ValueError`). `as_int`, `as_real` and
`finite_array` are thin wrappers over the shared primitives of `theory._checks`;
`rates_array` and `binary_labels` are this paper's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from theory import _checks

__all__ = ["as_int", "as_real", "finite_array", "rates_array", "binary_labels"]


def as_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """`value` as an int in `[low, high]` (a float with an integral value is accepted)."""
    return _checks.integer(name, value, low=low, high=high)


def as_real(name: str, value: Any, *, positive: bool = False, nonnegative: bool = False) -> float:
    """`value` as a finite float (optionally > 0 or >= 0)."""
    return _checks.real(name, value, low=0.0 if positive or nonnegative else None, low_open=positive)


def finite_array(name: str, value: Any, *, ndim: int | None = None, min_ndim: int | None = None,
                 nonempty: bool = True) -> np.ndarray:
    """`value` as a finite float64 array (optionally of a given number of dimensions, non-empty)."""
    return _checks.finite_array(name, value, ndim=ndim, min_ndim=min_ndim, allow_empty=not nonempty)


def rates_array(rates: Any, n: int | None = None, *, positive_max: bool = True) -> np.ndarray:
    r"""The rates \( \lambda_i \ge 0 \) as a 1-D float64 array (of length `n` when given)."""
    lam = _checks.finite_array("rates", rates, ndim=1, low=0.0)
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
