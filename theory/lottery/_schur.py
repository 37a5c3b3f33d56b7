r"""Exact quadratic feasibility of a prune (the Schur complement) and its threshold along a
nested pruning order."""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from theory.lottery._checks import check_finite_array, check_index_array, check_number

__all__ = ["schur_increase", "exact_feasible", "exact_threshold"]


def _check_quadratic(H, w_star) -> tuple[np.ndarray, np.ndarray]:
    H = check_finite_array("H", H)
    w = check_finite_array("w_star", w_star).ravel()
    n = w.size
    if n < 1:
        raise ValueError("w_star must not be empty")
    if H.shape != (n, n):
        raise ValueError(f"H must be {n}x{n}, got {H.shape}")
    if np.any(np.diag(H) < 0):
        raise ValueError("H must be positive semi-definite (it has a negative diagonal entry)")
    if not np.allclose(H, H.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.max(np.abs(H))))):
        raise ValueError("H must be symmetric")
    return H, w


def _schur(H: np.ndarray, w: np.ndarray, idx: np.ndarray) -> float:
    n = w.size
    P = np.zeros(n, dtype=bool)
    P[idx] = True
    if not P.any():
        return 0.0
    K = ~P
    zP = -w[P]
    HPP = H[np.ix_(P, P)]
    val = zP @ HPP @ zP
    if K.any():
        HKK = H[np.ix_(K, K)]
        b = H[np.ix_(K, P)] @ zP
        try:
            cho = scipy.linalg.cho_factor(HKK, check_finite=False)
            x = scipy.linalg.cho_solve(cho, b, check_finite=False)
        except np.linalg.LinAlgError:
            x = np.linalg.lstsq(HKK, b, rcond=None)[0]
        val = val - b @ x
    return float(0.5 * max(val, 0.0))


def schur_increase(H, w_star, prune_idx) -> float:
    r"""Exact minimal loss increase after pruning, for the quadratic model.

    \[
    \min_{x_K} E - E(w^*) = \tfrac12 z_P^\top\bigl(H_{PP}-H_{PK}H_{KK}^{+}H_{KP}\bigr)z_P,
    \quad z_P=-w^*_P .
    \]

    **Arguments:**

    - `H`: the \(n\times n\) Hessian, finite, symmetric and positive semi-definite (then the
      pseudo-inverse gives the exact minimum). A negative diagonal entry (not PSD) raises;
      a full PSD test is left to the caller.
    - `w_star`: the \(n\) weights of the solution (finite, non-empty).
    - `prune_idx`: integer indices in \([0,n)\) of the pruned coordinates; an empty prune
      set gives 0.

    **Raises:** `ValueError` naming the argument that breaks these rules.
    """
    H, w = _check_quadratic(H, w_star)
    return _schur(H, w, check_index_array("prune_idx", prune_idx, w.size))


def exact_feasible(H, w_star, prune_idx, eps: float) -> bool:
    """True iff the Schur-complement increase is at most `eps` (\\(\\ge0\\)); the other
    arguments as in `schur_increase`."""
    check_number("eps", eps, 0.0)
    return schur_increase(H, w_star, prune_idx) <= eps


def exact_threshold(H, w_star, order, eps: float, tol: float = 1e-3) -> float:
    r"""Largest prune fraction along a nested pruning order that stays feasible.

    `order` lists coordinates (integer indices in \([0,n)\), non-empty) in the order they
    are pruned (smallest magnitude first, or a random permutation). The Schur increase is
    non-decreasing along a nested order (more coordinates fixed means a smaller feasible
    set), so bisection is exact up to `tol` (in \((0,1)\)). `eps` \(\ge0\); `H` and
    `w_star` as in `schur_increase`.
    """
    check_number("eps", eps, 0.0)
    check_number("tol", tol, 0.0, 1.0, lo_open=True, hi_open=True)
    H, w = _check_quadratic(H, w_star)
    order = check_index_array("order", order, w.size)
    if order.size == 0:
        raise ValueError("order must list at least one coordinate")
    n = order.size

    def ok(frac: float) -> bool:
        k = int(math.ceil(frac * n - 1e-12))
        return _schur(H, w, order[:k]) <= eps

    if ok(1.0):
        return 1.0
    lo, hi = 0.0, 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo
