"""Argument checks shared by the theory and numerics of stochastic collapse.

Every public function either returns a finite, meaningful value or raises `ValueError`
naming the argument and its allowed range; these helpers raise those errors.
"""

from __future__ import annotations

import math
import operator

import numpy as np

__all__ = ["finite", "positive", "nonneg", "positive_int", "nonneg_int", "data_pair"]


def _show(value) -> str:
    a = np.asarray(value)
    return repr(value) if a.size <= 4 else f"an array of shape {a.shape}"


def finite(name: str, value) -> np.ndarray:
    """`value` as a float array; `ValueError` unless every entry is finite."""
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite real number or array, got {_show(value)}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {_show(value)}")
    return a


def positive(name: str, value) -> np.ndarray:
    """`value` as a float array; `ValueError` unless every entry is finite and > 0."""
    a = finite(name, value)
    if np.any(a <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {_show(value)}")
    return a


def nonneg(name: str, value) -> np.ndarray:
    """`value` as a float array; `ValueError` unless every entry is finite and >= 0."""
    a = finite(name, value)
    if np.any(a < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {_show(value)}")
    return a


def _integer(name: str, value, low: int) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            v = int(value)
        else:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}") from None
    if v < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return v


def positive_int(name: str, value) -> int:
    """`value` as an int; `ValueError` unless it is an integer >= 1."""
    return _integer(name, value, 1)


def nonneg_int(name: str, value) -> int:
    """`value` as an int; `ValueError` unless it is an integer >= 0."""
    return _integer(name, value, 0)


def data_pair(x, y) -> tuple[np.ndarray, np.ndarray]:
    """The neuron's data `x`, `y` as flat float arrays: finite, non-empty, of equal length."""
    x = finite("x", x).ravel()
    y = finite("y", y).ravel()
    if x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be non-empty with equal length, got {x.shape} and {y.shape}")
    return x, y
