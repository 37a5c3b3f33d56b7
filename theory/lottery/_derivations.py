"""The sympy derivations behind `theory.lottery`, rendered into the docs."""

from __future__ import annotations

import sympy as sp

from theory._derivation import Derivation, Step
from theory.lottery._symbolic import symbolic

__all__ = ["derivations"]


def derivations() -> list[Derivation]:
    """The sympy derivations behind this module (rendered into the docs)."""
    s = symbolic()
    lam, eps, r, D, p = s.lam, s.eps, s.r, s.D, s.p
    pstar_sum = sp.Sum(
        1 / (1 + sp.Indexed("lambda", sp.Symbol("i")) * r**2 / (2 * eps)), (sp.Symbol("i"), 1, D)
    ) / D
    return [
        Derivation(
            id="lottery.pstar",
            title="Largest prune fraction from the Hessian spectrum",
            paper="lottery",
            source=(
                "Paul et al. 2023, Sec. 3.3 (form: projection length, prune ratio, Hessian "
                "spectrum); width of a quadratic well from Larsen et al. 2022. The exact "
                "expression is the brief's reconstruction."
            ),
            assumptions=(
                "Quadratic error around the level-L solution; the kept axial subspace treated "
                "as a random subspace (Gordon's escape theorem); directions with lambda <= 0 "
                "count as unbounded."
            ),
            steps=(
                Step(sp.Eq(s.r_i, s.axis), "semi-axis of the sublevel ellipsoid: (1/2) lambda r_i^2 = epsilon"),
                Step(
                    sp.Eq(s.term_width, s.term),
                    "one direction's share of the squared width, r_i^2/(r_i^2+r^2), with r_i substituted",
                    check=s.term_check,
                ),
                Step(
                    sp.Eq(p, s.gordon_sol),
                    "Gordon: the (1-p)D-dimensional subspace meets S(eps) when (1-p)D + w^2 >= D",
                    check=s.gordon_check,
                ),
            ),
            result=pstar_sum,
        ),
        Derivation(
            id="lottery.pstar_isotropic",
            title="Isotropic spectrum: monotonicity and the random-pruning fixed point",
            paper="lottery",
            source="brief A.5 (isotropic limit); derived here",
            assumptions="All eigenvalues equal to lambda; random pruning with r^2 = p S, S = ||w*||^2.",
            steps=(
                Step(
                    sp.StrictLessThan(sp.diff(s.pstar_iso, lam), 0),
                    "p* decreases in lambda and in r (both derivatives negative for positive symbols)",
                    check=s.mono_check,
                ),
                Step(sp.Eq(sp.Limit(s.pstar_iso, lam, 0), s.flat_limit), "all-flat limit", check=s.flat_limit == 1),
                Step(
                    s.selfcons,
                    "self-consistency p = p*(r(p)) with a = lambda S/(2 epsilon); positive root",
                    check=s.selfcons_check,
                ),
            ),
            result=s.pstar_iso_random,
        ),
        Derivation(
            id="lottery.magnitude_projection",
            title="Projection length of magnitude pruning for Gaussian weights",
            paper="lottery",
            source="derived here (supports brief A.5 'magnitude pruning: much smaller r')",
            assumptions="Weights i.i.d. N(0, sigma^2); prune all |w| <= z sigma, P(|Z| <= z) = p.",
            steps=(
                Step(
                    sp.Eq(sp.Symbol(r"\mathbb{E}[Z^2; |Z| \le z]"), s.trunc_second_moment),
                    "truncated second moment, integrated by sympy",
                ),
                Step(
                    sp.Eq(s.trunc_second_moment, s.trunc_closed),
                    "closed form: p - 2 z phi(z), since 2 Phi(z) - 1 = p",
                    check=s.trunc_check,
                ),
            ),
            result=s.trunc_closed,
        ),
        Derivation(
            id="lottery.schur",
            title="Exact quadratic feasibility: the Schur complement",
            paper="lottery",
            source="brief A.5 'exact check for quadratics'; derived here",
            assumptions="Quadratic error with H positive definite on the kept block; pruned coordinates fixed at -w*_P.",
            steps=(
                Step(sp.Eq(sp.Symbol("q"), s.q), "scalar blocks: a = H_KK, b = H_KP, c = H_PP"),
                Step(sp.Eq(s.x, s.xopt), "stationary point over the kept coordinate"),
                Step(sp.Eq(sp.Symbol("q_min"), s.schur_scalar), "substitute: the Schur complement", check=s.schur_check),
            ),
            result=s.schur_scalar,
        ),
    ]
