"""Power-law fits of convergence diagnostics."""

from __future__ import annotations

import numpy as np

from theory.max_margin._checks import as_real

__all__ = ["fit_power_law"]


def fit_power_law(x: np.ndarray, y: np.ndarray, lo: float, hi: float) -> float:
    r"""Least-squares slope of \( \log y \) against \( \log x \) over \( x \in [lo, hi] \).

    Points where `x` or `y` is NaN, inf or not positive are left out (a trajectory's padding).

    **Raises:** `ValueError` when `x` and `y` differ in shape, `lo` or `hi` is not finite, or fewer
    than 3 usable points lie in \( [lo, hi] \).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D arrays of one shape, got {x.shape} and {y.shape}")
    lo, hi = as_real("lo", lo), as_real("hi", hi)
    with np.errstate(invalid="ignore"):
        sel = (x >= lo) & (x <= hi) & np.isfinite(x) & np.isfinite(y) & (y > 0) & (x > 0)
    if sel.sum() < 3:
        raise ValueError(f"fewer than 3 usable points (x > 0, y > 0, finite) with x in [lo, hi] = [{lo}, {hi}]")
    return float(np.polyfit(np.log(x[sel]), np.log(y[sel]), 1)[0])
