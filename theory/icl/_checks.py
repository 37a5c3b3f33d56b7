"""Argument checks of `theory.icl` (and of `numerics.icl`, which reuses them).

Each raises `ValueError` naming the argument and its allowed range; none changes a valid value.
"""

from __future__ import annotations

import math

import numpy as np

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


def _as_float(name: str, value, allowed: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {allowed}, got {value!r}") from None


def check_positive(name: str, value: float) -> float:
    """`value` as a float, which must be positive and finite."""
    v = _as_float(name, value, "a positive finite number")
    if not v > 0 or not math.isfinite(v):
        raise ValueError(f"{name} must be a positive finite number, got {v}")
    return v


def check_nonnegative(name: str, value: float) -> float:
    """`value` as a float, which must be finite and >= 0."""
    v = _as_float(name, value, "a finite number >= 0")
    if not v >= 0 or not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number >= 0, got {v}")
    return v


def check_int(name: str, value, minimum: int) -> int:
    """`value` as an int, which must be a finite whole number >= `minimum`."""
    allowed = f"an integer >= {minimum}"
    if isinstance(value, (int, np.integer)):
        v = int(value)
    else:
        f = _as_float(name, value, allowed)
        if not math.isfinite(f) or f != round(f):
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        v = int(f)
    if v < minimum:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def check_counts(name: str, values, minimum: int) -> np.ndarray:
    """`values` (a whole number or a 1-D array of them) as a 1-D int array, each >= `minimum`."""
    a = np.atleast_1d(np.asarray(values))
    allowed = f"whole numbers >= {minimum} (an int or a 1-D array)"
    if a.ndim != 1 or a.dtype.kind not in "fiu":
        raise ValueError(f"{name} must be {allowed}, got {values!r}")
    f = a.astype(float)
    if not np.all(np.isfinite(f)) or np.any(f < minimum) or not np.all(f == np.round(f)):
        raise ValueError(f"{name} must be {allowed}, got {values!r}")
    return a.astype(int)


def check_finite_array(name: str, value) -> np.ndarray:
    """`value` as a float array, which must hold only finite numbers."""
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of finite numbers") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must hold only finite numbers (it has NaN or inf)")
    return a


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
    return None if seed is None else check_int("seed", seed, 0)
