"""Argument checks of the class-manifold formulas: each raises `ValueError` naming the
argument and its allowed range. `real` and `integer` are the shared primitives of
`theory._checks`; `check_D` and `as_d` are this paper's own."""

from __future__ import annotations

import numpy as np

from theory._checks import finite_array, integer, real

__all__ = ["check_D", "as_d", "real", "integer"]


def check_D(D) -> int:
    """The ambient dimension: an integer >= 2 (an integral float such as `2.0` is refused)."""
    if not isinstance(D, (int, np.integer)) or isinstance(D, bool):
        raise ValueError(f"D must be an integer >= 2, got {D!r}")
    return integer("D", D, low=2)


def as_d(d, D: int) -> np.ndarray:
    """Cut dimension(s) as a float array, finite and in [0, D] (an empty array passes)."""
    return finite_array("d", d, allow_empty=True, low=0, high=D)
