r"""The prune-fraction bound: ellipsoid axes, the Gaussian width, \(p^*(r)\) and the
self-consistent largest prune fraction \(p=p^*(r(p))\)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.optimize

from theory.lottery._checks import check_finite_array, check_int, check_number
from theory.lottery._symbolic import core

__all__ = [
    "axis_length",
    "gaussian_width_sq",
    "pstar",
    "pstar_isotropic",
    "pstar_isotropic_random_selfconsistent",
    "self_consistent_pstar",
]


def _check_eps_r(eps_: float, r_: float) -> None:
    check_number("eps", eps_, 0.0, lo_open=True)
    check_number("r", r_, 0.0)


def axis_length(eigenvalues, eps: float) -> np.ndarray:
    r"""Semi-axes \(r_i=\sqrt{2\varepsilon/\lambda_i}\) of the \(\varepsilon\)-sublevel
    ellipsoid.

    A zero or negative eigenvalue is an unbounded direction: its semi-axis is `inf` (the
    one non-finite value this function returns on purpose).

    **Raises:** `ValueError` for non-finite eigenvalues or `eps` not in \((0,\infty)\).
    """
    check_number("eps", eps, 0.0, lo_open=True)
    lam_ = check_finite_array("eigenvalues", eigenvalues)
    with np.errstate(divide="ignore"):
        return np.where(lam_ > 0, np.sqrt(2 * eps / np.where(lam_ > 0, lam_, 1.0)), np.inf)


def gaussian_width_sq(eigenvalues, r: float, eps: float) -> float:
    r"""Squared Gaussian width \(w^2(r)\approx\sum_i 1/(1+\lambda_i r^2/2\varepsilon)\).

    Directions with \(\lambda_i\le 0\) are unbounded and count 1 each.

    **Arguments:**

    - `eigenvalues`: Hessian eigenvalues over the free coordinates (finite).
    - `r`: distance from the point to the centre \(w^*\) (the projection length), \(\ge 0\).
    - `eps`: allowed loss increase \(\varepsilon>0\).
    """
    _check_eps_r(eps, r)
    lam_ = np.clip(check_finite_array("eigenvalues", eigenvalues), 0.0, None)
    return float(np.sum(core().term_fn(lam_, r, eps)))


def pstar(eigenvalues, r: float, eps: float, n_prunable: int | None = None) -> float:
    r"""The largest prune fraction \(p^*(r)=w^2(r)/D_L\), clipped to \([0,1]\).

    **Arguments:**

    - `eigenvalues`: eigenvalues of the Hessian over the free coordinates at \(w^*\).
    - `r`: the projection length \(\|\Delta\|\).
    - `eps`: allowed loss increase.
    - `n_prunable`: \(D_L\ge1\), the number of surviving prunable weights (defaults to the
      number of eigenvalues, i.e. the Hessian restricted to exactly those weights).
    """
    lam_ = np.asarray(eigenvalues, dtype=float)
    if n_prunable is None:
        n = lam_.size
        if n < 1:
            raise ValueError("eigenvalues must not be empty when n_prunable is not given")
    else:
        n = check_int("n_prunable", n_prunable, 1)
    return float(min(1.0, gaussian_width_sq(lam_, r, eps) / n))


def pstar_isotropic(lam_: float, r_: float, eps_: float) -> float:
    r"""\(p^* = 1/(1+\lambda r^2/2\varepsilon)\) for an isotropic spectrum (a negative
    \(\lambda\) counts as flat, \(p^*=1\))."""
    _check_eps_r(eps_, r_)
    check_number("lam_", lam_)
    return float(core().pstar_iso_fn(max(lam_, 0.0), r_, eps_))


def pstar_isotropic_random_selfconsistent(lam_: float, norm_sq: float, eps_: float) -> float:
    r"""Closed-form root of \(p = 1/(1+\lambda p\|w^*\|^2/2\varepsilon)\):
    \(p=(\sqrt{1+4a}-1)/(2a)\), \(a=\lambda\|w^*\|^2/2\varepsilon\) (a negative
    \(\lambda\) counts as flat, \(p=1\)).

    **Arguments:** `lam_` finite, `norm_sq` \(\ge0\), `eps_` \(>0\).
    """
    check_number("lam_", lam_)
    check_number("norm_sq", norm_sq, 0.0)
    check_number("eps_", eps_, 0.0, lo_open=True)
    a = max(lam_, 0.0) * norm_sq / (2 * eps_)
    if a == 0:
        return 1.0
    if not math.isfinite(a):
        raise ValueError(f"lam_ * norm_sq / (2 eps_) must be finite, got {a}")
    return float(core().pstar_iso_random_fn(a))


def self_consistent_pstar(
    eigenvalues,
    eps: float,
    r2_of_p: Callable[[float], float],
    n_prunable: int | None = None,
) -> float:
    r"""Solve \(p = p^*(r(p))\) on \([0,1]\) (unique: the left side increases and the right
    side decreases in \(p\)).

    **Arguments:**

    - `eigenvalues`, `eps`, `n_prunable`: as in `pstar`.
    - `r2_of_p`: \(p\mapsto r(p)^2\), e.g. `lambda p: r2_random(p, norm_sq)`.
    """
    check_number("eps", eps, 0.0, lo_open=True)

    def g(pv: float) -> float:
        return pv - pstar(eigenvalues, math.sqrt(max(r2_of_p(pv), 0.0)), eps, n_prunable)

    g0, g1 = g(0.0), g(1.0)
    if g0 >= 0:
        return 0.0
    if g1 <= 0:
        return 1.0
    return float(scipy.optimize.brentq(g, 0.0, 1.0, xtol=1e-10))
