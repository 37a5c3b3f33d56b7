"""Input checks of the public functions (each error names the argument and its allowed range)."""

from __future__ import annotations

import numpy as np


def nonnegative(x, name: str, *, positive: bool = False) -> np.ndarray:
    """A finite float64 array of numbers >= 0 (> 0 with `positive`)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be real numbers, got {type(x).__name__}") from err
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or inf")
    if np.any(arr <= 0) if positive else np.any(arr < 0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}, got min {float(np.min(arr)):g}")
    return arr


def count(x, name: str, minimum: int = 1) -> int:
    """An integer >= `minimum` (a float with an integer value is accepted)."""
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}") from err
    if not np.isfinite(v) or v != int(v) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(v)


def embeddings(x, centroids, what: str = "x") -> tuple[np.ndarray, np.ndarray]:
    """Items `(n, d)` with nonzero finite rows and centroids `(k >= 1, d)` with finite rows, as float64."""
    X = np.asarray(x, dtype=np.float64)
    C = np.asarray(centroids, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{what} must be a 2-D array (n, d) of embeddings, got shape {X.shape}")
    if C.ndim != 2 or C.shape[0] == 0:
        raise ValueError(f"centroids must be a 2-D array (k, d) with k >= 1, got shape {C.shape}")
    if C.shape[1] != X.shape[1]:
        raise ValueError(f"centroids have dimension {C.shape[1]} but {what} has {X.shape[1]}")
    if X.shape[1] == 0:
        raise ValueError(f"{what} must have dimension d >= 1")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{what} must be finite, got NaN or inf")
    if not np.all(np.isfinite(C)):
        raise ValueError("centroids must be finite, got NaN or inf")
    if np.any(~np.any(X != 0, axis=1)):
        raise ValueError(f"{what} holds a zero row: the model needs unit (nonzero) embeddings")
    return X, C


def scalar(x, name: str, *, positive: bool = False) -> float:
    """A finite scalar >= 0 (> 0 with `positive`)."""
    v = nonnegative(x, name, positive=positive)
    if v.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {v.shape}")
    return float(v)
