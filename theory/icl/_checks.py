"""Argument checks of `theory.icl` (and of `numerics.icl`, which reuses them).

Each raises `ValueError` naming the argument and its allowed range; none changes a valid value.
The generic checks are thin wrappers over the shared primitives of `theory._checks`;
`check_xy` and `check_tasks` are this paper's own.
"""

from __future__ import annotations

import numpy as np

from theory import _checks
from theory._checks import finite_array, integer, integer_array, real

__all__ = [
    "check_xy",
    "check_positive",
    "check_nonnegative",
    "check_int",
    "check_counts",
    "check_finite_array",
    "check_tasks",
    "check_seed",
]


def check_positive(name: str, value: float) -> float:
    """`value` as a float, which must be positive and finite."""
    return real(name, value, low=0.0, low_open=True)


def check_nonnegative(name: str, value: float) -> float:
    """`value` as a float, which must be finite and >= 0."""
    return real(name, value, low=0.0)


def check_int(name: str, value, minimum: int) -> int:
    """`value` as an int, which must be a finite whole number >= `minimum`."""
    return integer(name, value, low=minimum)


def check_counts(name: str, values, minimum: int) -> np.ndarray:
    """`values` (a whole number or a 1-D array of them) as a 1-D int array, each >= `minimum`."""
    return integer_array(name, np.atleast_1d(values), low=minimum, ndim=1)


def check_finite_array(name: str, value) -> np.ndarray:
    """`value` as a float array, which must hold only finite numbers (an empty array passes)."""
    return finite_array(name, value, allow_empty=True)


def check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    """`X` `(..., n, D)` and `y` `(..., n)` as finite float arrays of matching shapes."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim < 2:
        raise ValueError(f"X must have shape (..., n, D), got {X.shape}")
    if y.shape != X.shape[:-1]:
        raise ValueError(f"y must have shape {X.shape[:-1]} to match X {X.shape}, got {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must hold only finite numbers (it has NaN or inf)")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must hold only finite numbers (it has NaN or inf)")
    return X, y


def check_tasks(tasks, D: int | None = None) -> np.ndarray:
    """The task pool as a finite float array of shape `(M, D)`, `M >= 1` (any `D >= 1` if `D` is None)."""
    W = np.asarray(tasks, dtype=float)
    want = "D" if D is None else str(D)
    if W.ndim != 2 or W.shape[0] < 1 or W.shape[1] < 1 or (D is not None and W.shape[1] != D):
        raise ValueError(f"tasks must have shape (M, {want}) with M >= 1, got {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError("tasks must hold only finite numbers (it has NaN or inf)")
    return W


def check_seed(seed):
    """A seed for `numpy.random.default_rng`: `None` or an integer >= 0."""
    return _checks.seed("seed", seed)
