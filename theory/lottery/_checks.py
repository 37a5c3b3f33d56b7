"""Argument checks shared by `theory.lottery` and `numerics.lottery`: each raises
`ValueError` naming the argument and its allowed range (the bad-input rule).

Thin wrappers, with this paper's signatures, over the shared primitives of `theory._checks`.
"""

from __future__ import annotations

import numpy as np

from theory._checks import finite_array, integer, integer_array, real

__all__ = ["check_number", "check_int", "check_finite_array", "check_index_array"]


def check_number(
    name: str,
    value,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """`value` as a float, finite and inside `[lo, hi]` (open ends where asked; `None`: no bound)."""
    return real(name, value, low=lo, high=hi, low_open=lo_open, high_open=hi_open)


def check_int(name: str, value, lo: int | None = None, hi: int | None = None) -> int:
    """`value` as an int: an integer (or an integral float) inside `[lo, hi]` (`None`: no bound)."""
    return integer(name, value, low=lo, high=hi)


def check_finite_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    """`value` as a float64 array whose entries are all finite (and of `ndim` dimensions); empty passes."""
    return finite_array(name, value, ndim=ndim, allow_empty=True)


def check_index_array(name: str, value, n: int) -> np.ndarray:
    """`value` as a 1-d int array of indices in `[0, n)` (flattened; an empty array passes)."""
    return integer_array(name, np.ravel(value), low=0, high=n - 1)
