"""Argument checks shared by the theory and numerics of stochastic collapse.

Every public function either returns a finite, meaningful value or raises `ValueError`
naming the argument and its allowed range; these helpers raise those errors. The generic
ones are thin wrappers over the shared primitives of `theory._checks`; `data_pair` is this
paper's own.
"""

from __future__ import annotations

import numpy as np

from theory._checks import finite_array, integer

__all__ = ["finite", "positive", "nonneg", "positive_int", "nonneg_int", "data_pair"]


def finite(name: str, value) -> np.ndarray:
    """`value` as a float array; `ValueError` unless every entry is finite (an empty array passes)."""
    return finite_array(name, value, allow_empty=True)


def positive(name: str, value) -> np.ndarray:
    """`value` as a float array; `ValueError` unless every entry is finite and > 0."""
    return finite_array(name, value, allow_empty=True, low=0.0, low_open=True)


def nonneg(name: str, value) -> np.ndarray:
    """`value` as a float array; `ValueError` unless every entry is finite and >= 0."""
    return finite_array(name, value, allow_empty=True, low=0.0)


def positive_int(name: str, value) -> int:
    """`value` as an int; `ValueError` unless it is an integer >= 1."""
    return integer(name, value, low=1)


def nonneg_int(name: str, value) -> int:
    """`value` as an int; `ValueError` unless it is an integer >= 0."""
    return integer(name, value, low=0)


def data_pair(x, y) -> tuple[np.ndarray, np.ndarray]:
    """The neuron's data `x`, `y` as flat float arrays: finite, non-empty, of equal length."""
    x = finite("x", x).ravel()
    y = finite("y", y).ravel()
    if x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be non-empty with equal length, got {x.shape} and {y.shape}")
    return x, y
