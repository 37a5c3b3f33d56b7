r"""Exact hit probabilities \( P(d) \) of a uniformly random \( d \)-dimensional affine cut
through an anchor, for sets whose answer is known (brief B.6)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from theory.class_manifolds._checks import as_d, check_D, integer, real
from theory.class_manifolds._derivations import _ball_fn, _half_fn, _tube_fn

__all__ = [
    "p_hit_affine_subspace",
    "p_hit_tube",
    "p_hit_ball",
    "p_hit_sphere",
    "p_hit_halfspace_budget",
    "p_hit_intersection",
    "p_hit_union",
    "p_hit_ball_axis_aligned",
]


def p_hit_affine_subspace(d, D: int, k: int) -> np.ndarray:
    r"""Zero-thickness affine \( k \)-subspace not through the anchor: \( P(d) = 1[d + k \ge D] \).

    **Arguments:** `d` in \( [0, D] \) (scalar or array); `D` an integer \( \ge 2 \); `k` an
    integer in \( [0, D) \).
    """
    D = check_D(D)
    d = as_d(d, D)
    k = integer("k", k, low=0, high=D - 1)
    return (d + k >= D).astype(float)


def p_hit_tube(d, D: int, k: int, rho: float, r_perp: float) -> np.ndarray:
    r"""Tube of radius \( \rho \) around an affine \( k \)-subspace, anchor at distance \( R_\perp \):

    \[
    P(d) = I_{\rho^2/R_\perp^2}\!\left(\tfrac{D-k-d}2, \tfrac d2\right)\ (d < D-k),\qquad P(d) = 1\ (d \ge D-k).
    \]

    **Arguments:** `d` in \( [0, D] \); `k` an integer in \( [0, D) \); `rho` \( \ge 0 \) and
    `r_perp` \( > 0 \), both finite.
    """
    D = check_D(D)
    d = as_d(d, D)
    k = integer("k", k, low=0, high=D - 1)
    rho = real("rho", rho, low=0.0)
    r_perp = real("r_perp", r_perp, low=0.0, low_open=True)
    if rho >= r_perp:
        return np.ones_like(d)
    full = d >= D - k
    dd = np.where(full | (d <= 0), 1.0, d)
    p = np.asarray(_tube_fn(dd, D, k, rho, r_perp), dtype=float)
    return np.where(full, 1.0, np.where(d <= 0, 0.0, p))


def p_hit_ball(d, D: int, r: float, R: float) -> np.ndarray:
    r"""Ball of radius \( r \) with centre at distance \( R \) from the anchor:

    \[
    P(d) = 1 - I_{1 - r^2/R^2}\!\left(\tfrac d2, \tfrac{D-d}2\right),
    \]

    and 1 when the anchor is inside (\( R \le r \)).

    **Arguments:** `d` in \( [0, D] \); `r`, `R` finite and positive.
    """
    D = check_D(D)
    d = as_d(d, D)
    r = real("r", r, low=0.0, low_open=True)
    R = real("R", R, low=0.0, low_open=True)
    if R <= r:
        return np.where(d >= 1, 1.0, 0.0)
    full = d >= D
    dd = np.clip(d, 1e-12, D - 1e-9)
    p = np.asarray(_ball_fn(dd, D, r, R), dtype=float)
    return np.where(full, 1.0, np.where(d <= 0, 0.0, p))


def p_hit_sphere(d, D: int, r: float, R: float) -> np.ndarray:
    r"""Sphere \( \{x : \|x - c\| = r\} \) with the anchor at distance \( R \) from \( c \).

    From inside (\( R < r \)) every line hits, \( P(d) = 1 \) for \( d \ge 1 \) (true dimension
    \( D - 1 \)); from outside it equals `p_hit_ball` (a cut meeting the ball crosses its surface).
    Arguments as `p_hit_ball`.
    """
    return p_hit_ball(d, D, r, R)


def p_hit_halfspace_budget(d, D: int, gap: float, budget: float) -> np.ndarray:
    r"""Half-space at distance `gap` from the anchor, searched inside \( \|x - X_0\| \le B \):

    \[
    P(d) = 1 - I_{g^2/B^2}\!\left(\tfrac d2, \tfrac{D-d}2\right).
    \]

    **Arguments:** `d` in \( [0, D] \); `gap` finite (\( \le 0 \): the anchor is in the
    half-space, \( P = 1 \)); `budget` finite and positive.
    """
    D = check_D(D)
    d = as_d(d, D)
    gap = real("gap", gap)
    budget = real("budget", budget, low=0.0, low_open=True)
    if gap <= 0:
        return np.where(d >= 0, 1.0, 0.0)
    if gap > budget:
        return np.zeros_like(d)
    full = d >= D
    dd = np.clip(d, 1e-12, D - 1e-9)
    p = np.asarray(_half_fn(dd, D, gap, budget), dtype=float)
    return np.where(full, 1.0, np.where(d <= 0, 0.0, p))


def p_hit_intersection(d, D: int, k1: int, k2: int) -> np.ndarray:
    r"""Both of two generic affine subspaces: \( P(d) = 1[d \ge 2D - k_1 - k_2] \).

    **Arguments:** `d` in \( [0, D] \); `k1`, `k2` integers in \( [0, D) \).
    """
    D = check_D(D)
    k1 = integer("k1", k1, low=0, high=D - 1)
    k2 = integer("k2", k2, low=0, high=D - 1)
    if k1 + k2 < D:
        return np.zeros_like(as_d(d, D))
    return p_hit_affine_subspace(d, D, k1 + k2 - D)


def p_hit_union(d, D: int, k1: int, k2: int) -> np.ndarray:
    r"""Either of two affine subspaces: \( P(d) = 1[d \ge D - \max(k_1, k_2)] \).

    **Arguments:** `d` in \( [0, D] \); `k1`, `k2` integers in \( [0, D) \).
    """
    D = check_D(D)
    k1 = integer("k1", k1, low=0, high=D - 1)
    k2 = integer("k2", k2, low=0, high=D - 1)
    return p_hit_affine_subspace(d, D, max(k1, k2))


def p_hit_ball_axis_aligned(d, D: int, r: float, R: float, support: int) -> np.ndarray:
    r"""Ball probed by cuts along \( d \) random coordinate axes, centre direction spread evenly
    over `support` coordinates: \( P(d) = P(J \ge \lceil s(1 - r^2/R^2)\rceil) \), \( J \sim \)
    hypergeometric\( (D, s, d) \).

    **Arguments:** `d` integers in \( [0, D] \); `r`, `R` finite and positive; `support` an
    integer in \( [1, D] \).
    """
    D = check_D(D)
    d = np.asarray(d)
    if d.dtype.kind not in "iu":
        df = np.asarray(d, dtype=float)
        if not np.all(np.isfinite(df)) or np.any(df != np.round(df)):
            raise ValueError(f"d must be integers in [0, D={D}], got {d}")
        d = df.astype(int)
    if np.any(d < 0) or np.any(d > D):
        raise ValueError(f"d must be integers in [0, D={D}], got {d}")
    r = real("r", r, low=0.0, low_open=True)
    R = real("R", R, low=0.0, low_open=True)
    support = integer("support", support, low=1, high=D)
    if R <= r:
        return np.ones(d.shape)
    need = math.ceil(support * (1 - r**2 / R**2) - 1e-12)
    return np.asarray(stats.hypergeom(D, support, d).sf(need - 1), dtype=float)
