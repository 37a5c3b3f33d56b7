"""Input checks shared by the public functions (each error names the argument).

`array`, `learning_rate`, `count` and `scalar` are thin wrappers, with this paper's
signatures, over the shared primitives of `theory._checks`; `readout_and_layer` is this
paper's own.
"""

from __future__ import annotations

import numpy as np

from theory._checks import finite_array, integer, real


def array(x, name: str, *, min_ndim: int = 0) -> np.ndarray:
    """`x` as a finite float64 array with at least `min_ndim` dimensions (an empty array passes)."""
    return finite_array(name, x, min_ndim=min_ndim, allow_empty=True)


def learning_rate(x, name: str) -> float:
    """A positive, finite scalar learning rate."""
    return real(name, x, low=0.0, low_open=True)


def count(x, name: str, minimum: int = 1) -> int:
    """An integer >= `minimum` (a float with an integer value is accepted)."""
    return integer(name, x, low=minimum)


def scalar(x, name: str) -> float:
    """A finite real scalar."""
    return real(name, x)


def readout_and_layer(a, w, a_name: str = "a0", w_name: str = "w0") -> tuple[np.ndarray, np.ndarray]:
    """Check a readout `a` (shape `batch`) and first layer `w` (shape `batch + (d,)`)."""
    a = array(a, a_name)
    w = array(w, w_name, min_ndim=1)
    if w.shape[:-1] != a.shape:
        raise ValueError(f"{w_name} must have shape {a_name}.shape + (d,) = {a.shape} + (d,), got {w.shape}")
    return a, w
