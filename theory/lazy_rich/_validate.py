"""Input checks shared by the public functions (each error names the argument)."""

from __future__ import annotations

import numpy as np


def array(x, name: str, *, min_ndim: int = 0) -> np.ndarray:
    """`x` as a finite float64 array with at least `min_ndim` dimensions."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a real array, got {type(x).__name__}") from err
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def learning_rate(x, name: str) -> float:
    """A positive, finite scalar learning rate."""
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a positive number, got {x!r}") from err
    if not np.isfinite(v) or v <= 0.0:
        raise ValueError(f"{name} must be positive and finite, got {v}")
    return v


def count(x, name: str, minimum: int = 1) -> int:
    """An integer >= `minimum` (a float with an integer value is accepted)."""
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}") from err
    if not np.isfinite(v) or v != int(v) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(v)


def scalar(x, name: str) -> float:
    """A finite real scalar."""
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a real number, got {x!r}") from err
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


def readout_and_layer(a, w, a_name: str = "a0", w_name: str = "w0") -> tuple[np.ndarray, np.ndarray]:
    """Check a readout `a` (shape `batch`) and first layer `w` (shape `batch + (d,)`)."""
    a = array(a, a_name)
    w = array(w, w_name, min_ndim=1)
    if w.shape[:-1] != a.shape:
        raise ValueError(f"{w_name} must have shape {a_name}.shape + (d,) = {a.shape} + (d,), got {w.shape}")
    return a, w
