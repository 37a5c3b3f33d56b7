"""Argument checks shared by the public functions: each raises `ValueError` naming the
argument and its allowed range (issue 15 §4). `check_int` and `check_real` are thin wrappers
over the shared primitives of `theory._checks`; `check_rho` and `check_layers` are this
paper's own."""

from __future__ import annotations

import numpy as np

from theory._checks import finite_array, integer, real

__all__ = ["check_int", "check_real", "check_rho", "check_layers", "SIGMA_W_MAX"]

#: Largest `sigma_w` the MLP kernels accept. The tanh kernel's quadrature grid grows like
#: sigma_w^2 (panels one tanh width wide); at 100 one kernel value takes seconds, and the
#: phase diagrams of the paper live at sigma_w <= 20.
SIGMA_W_MAX = 100.0


def check_int(name: str, value, lo: int, hi: int | None = None) -> int:
    """`value` as an int, if it is an integral number in `[lo, hi]`."""
    return integer(name, value, low=lo, high=hi)


def check_real(name: str, value, lo: float | None = None, hi: float | None = None, *, lo_open: bool = False) -> float:
    """`value` as a float, if it is finite and in the range `[lo, hi]` (`(lo, hi]` if `lo_open`)."""
    return real(name, value, low=lo, high=hi, low_open=lo_open)


def check_rho(name: str, rho, lo: float, hi: float = 1.0) -> np.ndarray:
    """`rho` as a non-empty float array, if every entry is finite and in `[lo, hi]` (1e-12 slack; clipped)."""
    return np.clip(finite_array(name, rho, low=lo - 1e-12, high=hi + 1e-12), lo, hi)


def check_layers(n_layers, q0) -> tuple[int | None, float]:
    """The depth (`None` or an integer >= 1) and the input norm (finite, > 0) of a gradient exponent."""
    if n_layers is not None:
        n_layers = check_int("n_layers", n_layers, 1)
    return n_layers, check_real("q0", q0, 0.0, lo_open=True)
