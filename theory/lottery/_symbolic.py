r"""The sympy objects behind `theory.lottery`, built on first use (not at import).

`core()` holds the expressions the numeric functions evaluate (lambdified); `symbolic()`
adds the derivation steps and their symbolic checks (integration, simplification, limits:
seconds of sympy work, needed only by `derivations()`).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import sympy as sp

__all__ = ["core", "symbolic"]


@functools.cache
def core() -> SimpleNamespace:
    """Symbols, the width term, the isotropic closed forms and their lambdified versions."""
    lam, eps, r, D, p, S = sp.symbols("lambda epsilon r D p S", positive=True)
    r_i = sp.Symbol("r_i", positive=True)

    # --- axis of the sublevel ellipsoid
    axis_eq = sp.Eq(lam * r_i**2 / 2, eps)
    axis = sp.solve(axis_eq, r_i)[0]  # sqrt(2 eps / lambda)

    # --- one eigen-direction's contribution to the width
    term = 1 / (1 + lam * r**2 / (2 * eps))

    # --- isotropic + random pruning: self-consistent p
    a = sp.Symbol("a", positive=True)  # a = lambda S / (2 eps), with r^2 = p S
    selfcons = sp.Eq(p, 1 / (1 + a * p))
    selfcons_sols = [s for s in sp.solve(selfcons, p) if s.subs(a, 1).is_positive]
    pstar_iso_random = selfcons_sols[0]

    return SimpleNamespace(
        lam=lam, eps=eps, r=r, D=D, p=p, S=S, r_i=r_i, a=a,
        axis=axis, term=term, pstar_iso=term, selfcons=selfcons, pstar_iso_random=pstar_iso_random,
        pstar_iso_fn=sp.lambdify((lam, r, eps), term, "numpy"),
        pstar_iso_random_fn=sp.lambdify(a, pstar_iso_random, "numpy"),
        term_fn=sp.lambdify((lam, r, eps), term, "numpy"),
    )


@functools.cache
def symbolic() -> SimpleNamespace:
    """`core()` plus every derivation step and its symbolic check."""
    c = core()
    lam, eps, r, D, p, r_i, a = c.lam, c.eps, c.r, c.D, c.p, c.r_i, c.a
    z = sp.Symbol("z", positive=True)
    t = sp.Symbol("t", real=True)
    a_, b_, c_, x_, zp = sp.symbols("a b c x z_P", real=True)

    phi = sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi)
    phi_z = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
    Phi_z = (1 + sp.erf(z / sp.sqrt(2))) / 2

    # --- width term with the axis substituted
    term_width = r_i**2 / (r_i**2 + r**2)
    term_check = sp.simplify(term_width.subs(r_i, c.axis) - c.term) == 0

    # --- Gordon's condition
    W2 = sp.Symbol("w^2", positive=True)
    gordon = sp.Eq((1 - p) * D + W2, D)
    gordon_sol = sp.solve(gordon, p)[0]
    gordon_check = sp.simplify(gordon_sol - W2 / D) == 0

    # --- isotropic spectrum: monotonicity
    dlam = sp.simplify(sp.diff(c.pstar_iso, lam))
    dr = sp.simplify(sp.diff(c.pstar_iso, r))
    mono_check = bool(dlam.is_negative) and bool(dr.is_negative)
    flat_limit = sp.limit(c.pstar_iso, lam, 0)

    # --- isotropic + random pruning: the fixed point solves the self-consistency equation
    selfcons_check = sp.simplify(c.pstar_iso_random - 1 / (1 + a * c.pstar_iso_random)) == 0

    # --- magnitude pruning of Gaussian weights: truncated second moment
    trunc_int = sp.integrate(t**2 * phi, (t, 0, z))
    trunc_second_moment = 2 * trunc_int  # E[Z^2; |Z| <= z]
    trunc_closed = (2 * Phi_z - 1) - 2 * z * phi_z
    trunc_check = sp.simplify(trunc_second_moment - trunc_closed) == 0

    # --- Schur complement (scalar block case, checked symbolically)
    q = (a_ * x_**2 + 2 * b_ * x_ * zp + c_ * zp**2) / 2
    xopt = sp.solve(sp.diff(q, x_), x_)[0]
    qmin = sp.simplify(q.subs(x_, xopt))
    schur_scalar = (c_ - b_**2 / a_) * zp**2 / 2
    schur_check = sp.simplify(qmin - schur_scalar) == 0

    return SimpleNamespace(
        **vars(c),
        term_width=term_width, term_check=term_check,
        gordon_sol=gordon_sol, gordon_check=gordon_check,
        mono_check=mono_check, flat_limit=flat_limit, selfcons_check=selfcons_check,
        trunc_second_moment=trunc_second_moment, trunc_closed=trunc_closed, trunc_check=trunc_check,
        q=q, x=x_, xopt=xopt, schur_scalar=schur_scalar, schur_check=schur_check,
    )
