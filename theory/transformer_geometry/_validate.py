"""Argument checks shared by the public functions: each raises `ValueError` naming the
argument and its allowed range (issue 15 §4)."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_int", "check_real", "check_rho", "check_layers", "SIGMA_W_MAX"]

#: Largest `sigma_w` the MLP kernels accept. The tanh kernel's quadrature grid grows like
#: sigma_w^2 (panels one tanh width wide); at 100 one kernel value takes seconds, and the
#: phase diagrams of the paper live at sigma_w <= 20.
SIGMA_W_MAX = 100.0


def check_int(name: str, value, lo: int, hi: int | None = None) -> int:
    """`value` as an int, if it is an integral number in `[lo, hi]`."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and float(value) == int(value) and value >= lo and (hi is None or value <= hi)
    if not ok:
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be an integer {rng}, got {value!r}")
    return int(value)


def check_real(name: str, value, lo: float | None = None, hi: float | None = None, *, lo_open: bool = False) -> float:
    """`value` as a float, if it is finite and in the range `[lo, hi]` (`(lo, hi]` if `lo_open`)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    ok = math.isfinite(v) and (lo is None or (v > lo if lo_open else v >= lo)) and (hi is None or v <= hi)
    if not ok:
        left = "(-inf" if lo is None else ("(" if lo_open else "[") + f"{lo:g}"
        right = "inf)" if hi is None else f"{hi:g}]"
        raise ValueError(f"{name} must be a finite number in {left}, {right}, got {value!r}")
    return v


def check_rho(name: str, rho, lo: float, hi: float = 1.0) -> np.ndarray:
    """`rho` as a float array, if every entry is finite and in `[lo, hi]` (1e-12 slack; clipped)."""
    r = np.asarray(rho, dtype=float)
    if r.size == 0:
        raise ValueError(f"{name} must hold at least one value in [{lo:.4g}, {hi:g}], got an empty array")
    if not np.all(np.isfinite(r)) or np.any(r < lo - 1e-12) or np.any(r > hi + 1e-12):
        raise ValueError(f"{name} must lie in [{lo:.4g}, {hi:g}], got {rho!r}")
    return np.clip(r, lo, hi)


def check_layers(n_layers, q0) -> tuple[int | None, float]:
    """The depth (`None` or an integer >= 1) and the input norm (finite, > 0) of a gradient exponent."""
    if n_layers is not None:
        n_layers = check_int("n_layers", n_layers, 1)
    return n_layers, check_real("q0", q0, 0.0, lo_open=True)
