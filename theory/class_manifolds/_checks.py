"""Argument checks shared by the class-manifold formulas: each raises `ValueError` naming
the argument and its allowed range."""

from __future__ import annotations

import math

import numpy as np


def check_D(D) -> int:
    """The ambient dimension: an integer >= 2."""
    if not (isinstance(D, (int, np.integer)) and not isinstance(D, bool) and D >= 2):
        raise ValueError(f"D must be an integer >= 2, got {D!r}")
    return int(D)


def as_d(d, D: int) -> np.ndarray:
    """Cut dimension(s) as a float array, finite and in [0, D]."""
    d = np.asarray(d, dtype=float)
    if not np.all(np.isfinite(d)) or np.any(d < 0) or np.any(d > D):
        raise ValueError(f"d must be finite and lie in [0, D={D}], got {d}")
    return d


def real(name: str, x, *, low: float = -math.inf, high: float = math.inf, low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number in the stated range, as a float."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {x!r}") from None
    bad = not math.isfinite(v) or v < low or v > high or (low_open and v == low) or (high_open and v == high)
    if bad:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(f"{name} must be finite and lie in {lo}{low:g}, {high:g}{hi}, got {x!r}")
    return v


def integer(name: str, x, *, low: int, high: int | float = math.inf) -> int:
    """An integer (or an integral float) in [low, high], as an int."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer, got {x!r}") from None
    if not math.isfinite(v) or v != round(v) or v < low or v > high:
        raise ValueError(f"{name} must be an integer in [{low}, {high:g}], got {x!r}")
    return int(v)
