r"""The predicted \( d^* \) of each analytic case: the `level` crossing of its \( P(d) \)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import optimize

from theory.class_manifolds._checks import check_D, real
from theory.class_manifolds._hit import (
    p_hit_affine_subspace,
    p_hit_ball,
    p_hit_ball_axis_aligned,
    p_hit_halfspace_budget,
    p_hit_intersection,
    p_hit_sphere,
    p_hit_tube,
    p_hit_union,
)

__all__ = [
    "d_star_crossing",
    "d_star_affine_subspace",
    "d_star_tube",
    "d_star_ball",
    "d_star_sphere",
    "d_star_halfspace_budget",
    "d_star_intersection",
    "d_star_union",
    "d_star_ball_axis_aligned",
]


def d_star_crossing(p_fn: Callable[[np.ndarray], np.ndarray], D: int, level: float = 0.5, *, continuous: bool = True) -> float:
    r"""The cut dimension where \( P(d) \) crosses `level`.

    With `continuous=True`, \( P \) is evaluated at real \( d \) (the Beta formulas extend to real
    \( d \)) and the crossing is found by bracketing and `brentq`. Otherwise \( P \) is evaluated at
    integer \( d = 1..D \) and the crossing of its linear interpolation is returned (for step
    functions such as the zero-thickness subspace, a step from 0 at \( d-1 \) to 1 at \( d \)
    crosses 1/2 at \( d - 1/2 \)). Returns 1.0 when \( P(1) \ge \) level, and `inf` when no
    \( d \le D \) reaches it (the cut never hits: \( d_\mathrm{eff} = -\infty \) is not defined).

    **Arguments:** `p_fn`: `d -> P(d)` on arrays; `D` an integer \( \ge 2 \); `level` in \( (0, 1) \).
    """
    D = check_D(D)
    level = real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    grid = np.arange(1, D + 1, dtype=float)
    p = np.asarray(p_fn(grid), dtype=float)
    if p[0] >= level:
        return 1.0
    above = np.nonzero(p >= level)[0]
    if above.size == 0:
        return math.inf
    j = int(above[0])
    lo, hi = grid[j - 1], grid[j]
    if continuous:
        f = lambda x: float(np.asarray(p_fn(np.array(x)), dtype=float)) - level  # noqa: E731
        if f(lo) < 0 < f(hi) or (f(lo) < 0 and f(hi) >= 0):
            return float(optimize.brentq(f, lo, hi, xtol=1e-10))
    return float(lo + (level - p[j - 1]) / (p[j] - p[j - 1]))


def d_star_affine_subspace(D: int, k: int, level: float = 0.5) -> float:
    """50% point of the step at \\( D - k \\) (linear interpolation between integers: \\( D-k-1/2 \\))."""
    return d_star_crossing(lambda d: p_hit_affine_subspace(d, D, k), D, level, continuous=False)


def d_star_tube(D: int, k: int, rho: float, r_perp: float, level: float = 0.5) -> float:
    """`level` crossing of `p_hit_tube` (arguments as there)."""
    return d_star_crossing(lambda d: p_hit_tube(d, D, k, rho, r_perp), D, level)


def d_star_ball(D: int, r: float, R: float, level: float = 0.5) -> float:
    """`level` crossing of `p_hit_ball` (arguments as there)."""
    return d_star_crossing(lambda d: p_hit_ball(d, D, r, R), D, level)


def d_star_sphere(D: int, r: float, R: float, level: float = 0.5) -> float:
    """`level` crossing of `p_hit_sphere`: 1 from inside, the ball's \\( d^* \\) from outside."""
    return d_star_crossing(lambda d: p_hit_sphere(d, D, r, R), D, level)


def d_star_halfspace_budget(D: int, gap: float, budget: float, level: float = 0.5) -> float:
    """`level` crossing of `p_hit_halfspace_budget`; `inf` when `gap > budget` (never reached)."""
    return d_star_crossing(lambda d: p_hit_halfspace_budget(d, D, gap, budget), D, level)


def d_star_intersection(D: int, k1: int, k2: int, level: float = 0.5) -> float:
    """\\( 2D - k_1 - k_2 - 1/2 \\) (step, integer interpolation).

    `inf` when \\( k_1 + k_2 < D \\) (for instance a zero-dimensional subspace: generic
    subspaces then do not meet, and no cut hits the empty intersection).
    """
    return d_star_crossing(lambda d: p_hit_intersection(d, D, k1, k2), D, level, continuous=False)


def d_star_union(D: int, k1: int, k2: int, level: float = 0.5) -> float:
    """\\( D - \\max(k_1, k_2) - 1/2 \\) (step, integer interpolation)."""
    return d_star_crossing(lambda d: p_hit_union(d, D, k1, k2), D, level, continuous=False)


def d_star_ball_axis_aligned(D: int, r: float, R: float, support: int, level: float = 0.5) -> float:
    """`level` crossing of `p_hit_ball_axis_aligned` (integer \\( d \\), linear interpolation)."""
    return d_star_crossing(lambda d: p_hit_ball_axis_aligned(np.round(d).astype(int), D, r, R, support), D, level, continuous=False)
