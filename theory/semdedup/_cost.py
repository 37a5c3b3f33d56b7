"""The cost model of SemDeDup: pairwise FLOPs, the skew factor, and the balanced number of clusters
(derivation `semdedup.cost`)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory._derivation import Derivation, Step
from theory.semdedup import _checks as chk

__all__ = ["COST", "pairwise_flops", "assignment_flops", "skew_factor", "total_flops", "optimal_k"]


N, k, d, s_skew = sp.symbols("N k d s", positive=True)
_n = sp.symbols("n1:5", positive=True)  # four cluster sizes for the identity check
_N4 = sum(_n)
_mean4 = _N4 / 4
_var4 = sum((x - _mean4) ** 2 for x in _n) / 4
_sum_sq_identity = sp.simplify(sum(x**2 for x in _n) - (_N4**2 / 4 + 4 * _var4)) == 0

T_total = 2 * N * k * d + s_skew * d * N**2 / k
_dT = sp.diff(T_total, k)
_k_star = sp.sqrt(s_skew * N / 2)
_k_solutions = sp.solve(sp.Eq(_dT, 0), k)
_k_check = len(_k_solutions) == 1 and sp.simplify(_k_solutions[0] - _k_star) == 0
_second = sp.simplify(sp.diff(T_total, k, 2).subs(k, _k_star))
_T_star = sp.simplify(T_total.subs(k, _k_star))
_T_star_form = 2 * sp.sqrt(2) * sp.sqrt(s_skew) * d * N ** sp.Rational(3, 2)

COST = Derivation(
    id="semdedup.cost",
    title="Cost of SemDeDup and the balanced number of clusters",
    paper="semdedup",
    source="Brief C.3 (cost table); official semdedup.py computes E E^T per cluster",
    assumptions=(
        "N unit embeddings in dimension d, k clusters of sizes n_c; a multiply-add counts 2 FLOPs; "
        "the pairwise stage touches each pair i<j of a cluster once (column-blocked upper triangle)."
    ),
    steps=(
        Step(
            sp.Eq(sp.Symbol("F_pair"), sp.Sum(2 * d * sp.Symbol("n_c") * (sp.Symbol("n_c") - 1) / 2, (sp.Symbol("c"), 1, k))),
            "n_c(n_c-1)/2 pairs per cluster, 2d FLOPs each: F_pair = d sum_c n_c(n_c - 1) ~ d sum_c n_c^2.",
        ),
        Step(
            sp.Eq(sum(x**2 for x in _n), _N4**2 / 4 + 4 * _var4),
            "sum_c n_c^2 = N^2/k + k Var(n): balanced clusters minimise it; skew s = k sum n_c^2 / N^2 >= 1 "
            "(checked for k = 4 symbolic sizes).",
            check=_sum_sq_identity,
        ),
        Step(
            sp.Eq(sp.Symbol("T"), T_total),
            "Assignment is one GEMM of N x d by d x k (2Nkd); pairwise is s d N^2 / k.",
        ),
        Step(sp.Eq(_dT, 0), "Stationary point in k.", check=_k_check),
        Step(
            sp.Eq(sp.Symbol("T''(k^*)"), _second),
            "Positive second derivative: a minimum.",
            check=bool(sp.simplify(_second).is_positive),
        ),
        Step(
            sp.Eq(sp.Symbol("T^*"), _T_star_form),
            "Cost at the optimum grows as N^{3/2}.",
            check=sp.simplify(_T_star - _T_star_form) == 0,
        ),
    ),
    result=sp.Eq(sp.Symbol("k^*"), _k_star),
    notes="With s = 1 and N = 440M this gives k* ~ 15k, and ~21k to ~47k for s = 2 to 10: the paper's 50k is of this order.",
)

_optimal_k = sp.lambdify((N, s_skew), _k_star, "numpy")
_total = sp.lambdify((N, k, d, s_skew), T_total, "numpy")


def pairwise_flops(cluster_sizes, dim: int) -> float:
    """\\( d \\sum_c n_c (n_c - 1) \\): FLOPs of the exact upper-triangle pairwise stage.

    **Raises:** `ValueError` for negative or non-finite cluster sizes, or `dim < 1`.
    """
    n = chk.nonnegative(cluster_sizes, "cluster_sizes")
    dim = chk.count(dim, "dim")
    return float(dim * np.sum(n * (n - 1)))


def assignment_flops(n_items: int, n_clusters: int, dim: int) -> float:
    """\\( 2 N k d \\): FLOPs of the nearest-centroid GEMM.

    **Raises:** `ValueError` unless `n_items >= 0`, `n_clusters >= 1` and `dim >= 1` are integers.
    """
    n_items = chk.count(n_items, "n_items", minimum=0)
    n_clusters = chk.count(n_clusters, "n_clusters")
    dim = chk.count(dim, "dim")
    return 2.0 * n_items * n_clusters * dim


def skew_factor(cluster_sizes) -> float:
    """\\( s = k \\sum_c n_c^2 / N^2 \\) (1 for balanced clusters, \\( \\ge 1 \\) always).

    **Raises:** `ValueError` for negative or non-finite sizes, or sizes that sum to zero (no items).
    """
    n = chk.nonnegative(cluster_sizes, "cluster_sizes").ravel()
    if n.sum() == 0:
        raise ValueError("cluster_sizes must hold at least one item (their sum is 0)")
    return float(len(n) * np.sum(n**2) / np.sum(n) ** 2)


def total_flops(n_items, n_clusters, dim, skew=1.0):
    """\\( 2Nkd + s d N^2/k \\) (lambdified from `COST`); arrays broadcast.

    **Raises:** `ValueError` unless `n_items >= 0`, and `n_clusters`, `dim`, `skew` are positive and finite.
    """
    n_items = chk.nonnegative(n_items, "n_items")
    n_clusters = chk.nonnegative(n_clusters, "n_clusters", positive=True)
    dim = chk.nonnegative(dim, "dim", positive=True)
    skew = chk.nonnegative(skew, "skew", positive=True)
    return _total(n_items, n_clusters, dim, skew)


def optimal_k(n_items, skew=1.0):
    """\\( k^\\star = \\sqrt{sN/2} \\) (lambdified from `COST`); arrays broadcast.

    **Raises:** `ValueError` unless `n_items >= 0` and `skew > 0` are finite.
    """
    n_items = chk.nonnegative(n_items, "n_items")
    skew = chk.nonnegative(skew, "skew", positive=True)
    return _optimal_k(n_items, skew)
