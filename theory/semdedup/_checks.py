"""Input checks of the public functions (each error names the argument and its allowed range).

`nonnegative`, `count` and `scalar` are thin wrappers, with this paper's signatures, over the
shared primitives of `theory._checks`; `embeddings` is this paper's own.
"""

from __future__ import annotations

import numpy as np

from theory._checks import finite_array, integer, real


def nonnegative(x, name: str, *, positive: bool = False) -> np.ndarray:
    """A finite float64 array of numbers >= 0 (> 0 with `positive`); an empty array passes."""
    return finite_array(name, x, allow_empty=True, low=0.0, low_open=positive)


def count(x, name: str, minimum: int = 1) -> int:
    """An integer >= `minimum` (a float with an integer value is accepted)."""
    return integer(name, x, low=minimum)


def embeddings(x, centroids, what: str = "x") -> tuple[np.ndarray, np.ndarray]:
    """Items `(n, d)` with nonzero finite rows and centroids `(k >= 1, d)` with finite rows, as float64."""
    X = finite_array(what, x, ndim=2, allow_empty=True)
    C = finite_array("centroids", centroids, ndim=2)  # non-empty: k >= 1 and d >= 1
    if C.shape[1] != X.shape[1]:
        raise ValueError(f"centroids have dimension {C.shape[1]} but {what} has {X.shape[1]} (d >= 1)")
    if np.any(~np.any(X != 0, axis=1)):
        raise ValueError(f"{what} holds a zero row: the model needs unit (nonzero) embeddings")
    return X, C


def scalar(x, name: str, *, positive: bool = False) -> float:
    """A finite scalar >= 0 (> 0 with `positive`)."""
    return real(name, x, low=0.0, low_open=positive)
