r"""Theory of IMP's per-iteration prune fraction (Paul et al., ICLR 2023, Sec. 3.3).

The trained level-\(L\) solution \(w^*\) is pruned by zeroing a fraction \(p\) of its
\(D_L\) surviving weights (the projection \(\Delta\), of length \(r = \|\Delta\|\)), and
retraining then happens inside the axial subspace of the \((1-p)D_L\) kept weights. The
question is whether that subspace still meets the \(\varepsilon\)-sublevel set
\(S(\varepsilon)=\{E \le E(w^*)+\varepsilon\}\).

- **Local model.** \(E(w)\approx E(w^*)+\tfrac12 (w-w^*)^\top H (w-w^*)\): \(S(\varepsilon)\)
  is an ellipsoid with semi-axes \(r_i=\sqrt{2\varepsilon/\lambda_i}\).
- **Gaussian width seen from distance \(r\)** (Larsen et al. 2022, quadratic well):
  \(w^2(r)\approx\sum_i r_i^2/(r_i^2+r^2)\).
- **Gordon's escape theorem** for a subspace treated as random:
  \((1-p)D_L + w^2(r)\ge D_L\), i.e.

\[
p \le p^*(r) = \frac{1}{D_L}\sum_i \frac{1}{1+\lambda_i r^2/(2\varepsilon)} .
\]

- **Self-consistency.** \(r\) depends on \(p\): random pruning \(r(p)^2 = p\,\|w^*\|^2\)
  (in expectation), magnitude pruning \(r(p)^2=\) the sum of the smallest \(p\)-fraction of
  \(w_i^2\). The predicted largest ratio solves \(p = p^*(r(p))\).
- **Exact quadratic feasibility.** With the pruned set \(P\) fixed at \(z_P=-w^*_P\) and the
  kept set \(K\) free, \(\min E - E(w^*) = \tfrac12 z_P^\top (H_{PP}-H_{PK}H_{KK}^{-1}H_{KP}) z_P\)
  (a Schur complement); pruning succeeds iff this is \(\le\varepsilon\).

The IMP bookkeeping (how many weights survive each level) is also here, as integer
arithmetic independent of the pruning code in `numerics.lottery`.

Which parts are checked against the paper is stated in `docs/papers/lottery.md`: the
bound's *form* (inputs: projection length and prune ratio; output governed by the Hessian
spectrum; flatter allows more) is the paper's; the exact expression is the brief's
reconstruction from Larsen et al.'s quadratic-well width, which we could not compare with
the paper's equation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.special
import sympy as sp

from theory._derivation import Derivation, Step

__all__ = [
    "axis_length",
    "gaussian_width_sq",
    "pstar",
    "pstar_isotropic",
    "pstar_isotropic_random_selfconsistent",
    "self_consistent_pstar",
    "r2_random",
    "r2_magnitude_gaussian",
    "r2_magnitude_empirical",
    "rho_oneshot_gaussian",
    "rho_retrained_gaussian",
    "schur_increase",
    "exact_feasible",
    "exact_threshold",
    "imp_counts",
    "prune_count",
    "derivations",
]

# --------------------------------------------------------------------------- symbols

lam, eps, r, D, p, S = sp.symbols("lambda epsilon r D p S", positive=True)
r_i = sp.Symbol("r_i", positive=True)
z = sp.Symbol("z", positive=True)
t = sp.Symbol("t", real=True)
a_, b_, c_, x_, zp = sp.symbols("a b c x z_P", real=True)

_phi = sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi)
_phi_z = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
_Phi_z = (1 + sp.erf(z / sp.sqrt(2))) / 2

# --- axis of the sublevel ellipsoid ------------------------------------------------
_axis_eq = sp.Eq(lam * r_i**2 / 2, eps)
_axis_sol = sp.solve(_axis_eq, r_i)
AXIS = _axis_sol[0]  # sqrt(2 eps / lambda)

# --- one eigen-direction's contribution to the width --------------------------------
_term_width = r_i**2 / (r_i**2 + r**2)
TERM = 1 / (1 + lam * r**2 / (2 * eps))
_term_check = sp.simplify(_term_width.subs(r_i, AXIS) - TERM) == 0

# --- Gordon's condition --------------------------------------------------------------
W2 = sp.Symbol("w^2", positive=True)
_gordon = sp.Eq((1 - p) * D + W2, D)
_gordon_sol = sp.solve(_gordon, p)[0]
_gordon_check = sp.simplify(_gordon_sol - W2 / D) == 0

# --- isotropic spectrum: monotonicity -------------------------------------------------
PSTAR_ISO = TERM
_dlam = sp.simplify(sp.diff(PSTAR_ISO, lam))
_dr = sp.simplify(sp.diff(PSTAR_ISO, r))
_mono_check = bool(_dlam.is_negative) and bool(_dr.is_negative)
_flat_limit = sp.limit(PSTAR_ISO, lam, 0)

# --- isotropic + random pruning: self-consistent p -----------------------------------
_a = sp.Symbol("a", positive=True)  # a = lambda S / (2 eps), with r^2 = p S
_selfcons = sp.Eq(p, 1 / (1 + _a * p))
_selfcons_sols = [s for s in sp.solve(_selfcons, p) if s.subs(_a, 1).is_positive]
PSTAR_ISO_RANDOM = _selfcons_sols[0]
_selfcons_check = sp.simplify(PSTAR_ISO_RANDOM - 1 / (1 + _a * PSTAR_ISO_RANDOM)) == 0

# --- magnitude pruning of Gaussian weights: truncated second moment -------------------
_trunc_int = sp.integrate(t**2 * _phi, (t, 0, z))
TRUNC_SECOND_MOMENT = 2 * _trunc_int  # E[Z^2; |Z| <= z]
_trunc_closed = (2 * _Phi_z - 1) - 2 * z * _phi_z
_trunc_check = sp.simplify(TRUNC_SECOND_MOMENT - _trunc_closed) == 0

# --- Schur complement (scalar block case, checked symbolically) ------------------------
_q = (a_ * x_**2 + 2 * b_ * x_ * zp + c_ * zp**2) / 2
_xopt = sp.solve(sp.diff(_q, x_), x_)[0]
_qmin = sp.simplify(_q.subs(x_, _xopt))
SCHUR_SCALAR = (c_ - b_**2 / a_) * zp**2 / 2
_schur_check = sp.simplify(_qmin - SCHUR_SCALAR) == 0

_pstar_iso_fn = sp.lambdify((lam, r, eps), PSTAR_ISO, "numpy")
_pstar_iso_random_fn = sp.lambdify(_a, PSTAR_ISO_RANDOM, "numpy")
_term_fn = sp.lambdify((lam, r, eps), TERM, "numpy")


# --------------------------------------------------------------------------- numerics


def _check_eps_r(eps_: float, r_: float) -> None:
    if not (eps_ > 0 and math.isfinite(eps_)):
        raise ValueError(f"eps must be positive and finite, got {eps_}")
    if not (r_ >= 0 and math.isfinite(r_)):
        raise ValueError(f"r must be non-negative and finite, got {r_}")


def axis_length(eigenvalues, eps: float) -> np.ndarray:
    r"""Semi-axes \(r_i=\sqrt{2\varepsilon/\lambda_i}\) of the \(\varepsilon\)-sublevel
    ellipsoid (infinite for \(\lambda_i\le 0\))."""
    lam_ = np.asarray(eigenvalues, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(lam_ > 0, np.sqrt(2 * eps / np.where(lam_ > 0, lam_, 1.0)), np.inf)


def gaussian_width_sq(eigenvalues, r: float, eps: float) -> float:
    r"""Squared Gaussian width \(w^2(r)\approx\sum_i 1/(1+\lambda_i r^2/2\varepsilon)\).

    Directions with \(\lambda_i\le 0\) are unbounded and count 1 each.

    **Arguments:**

    - `eigenvalues`: Hessian eigenvalues over the free coordinates.
    - `r`: distance from the point to the centre \(w^*\) (the projection length).
    - `eps`: allowed loss increase \(\varepsilon>0\).
    """
    _check_eps_r(eps, r)
    lam_ = np.clip(np.asarray(eigenvalues, dtype=float), 0.0, None)
    return float(np.sum(_term_fn(lam_, r, eps)))


def pstar(eigenvalues, r: float, eps: float, n_prunable: int | None = None) -> float:
    r"""The largest prune fraction \(p^*(r)=w^2(r)/D_L\), clipped to \([0,1]\).

    **Arguments:**

    - `eigenvalues`: eigenvalues of the Hessian over the free coordinates at \(w^*\).
    - `r`: the projection length \(\|\Delta\|\).
    - `eps`: allowed loss increase.
    - `n_prunable`: \(D_L\), the number of surviving prunable weights (defaults to the
      number of eigenvalues, i.e. the Hessian restricted to exactly those weights).
    """
    lam_ = np.asarray(eigenvalues, dtype=float)
    n = lam_.size if n_prunable is None else int(n_prunable)
    if n < 1:
        raise ValueError("n_prunable must be >= 1")
    return float(min(1.0, gaussian_width_sq(lam_, r, eps) / n))


def pstar_isotropic(lam_: float, r_: float, eps_: float) -> float:
    r"""\(p^* = 1/(1+\lambda r^2/2\varepsilon)\) for an isotropic spectrum."""
    _check_eps_r(eps_, r_)
    return float(_pstar_iso_fn(max(lam_, 0.0), r_, eps_))


def pstar_isotropic_random_selfconsistent(lam_: float, norm_sq: float, eps_: float) -> float:
    r"""Closed-form root of \(p = 1/(1+\lambda p\|w^*\|^2/2\varepsilon)\):
    \(p=(\sqrt{1+4a}-1)/(2a)\), \(a=\lambda\|w^*\|^2/2\varepsilon\)."""
    a = max(lam_, 0.0) * norm_sq / (2 * eps_)
    if a == 0:
        return 1.0
    return float(_pstar_iso_random_fn(a))


def r2_random(p_: float, norm_sq: float) -> float:
    r"""Expected squared projection length of random pruning: \(r^2 = p\|w^*\|^2\)."""
    return float(p_ * norm_sq)


def _trunc_m2(zv):
    zv = np.asarray(zv, dtype=float)
    return (2 * scipy.special.ndtr(zv) - 1) - 2 * zv * np.exp(-(zv**2) / 2) / np.sqrt(2 * np.pi)


def r2_magnitude_gaussian(p_: float, norm_sq: float) -> float:
    r"""Squared projection length of magnitude pruning for i.i.d. Gaussian weights.

    Pruning all \(|w_i|\le z_p\sigma\) with \(P(|Z|\le z_p)=p\):

    \[
    r^2 = \|w^*\|^2\,\bigl(p - 2 z_p\varphi(z_p)\bigr),\qquad z_p=\Phi^{-1}\!\bigl(\tfrac{1+p}{2}\bigr).
    \]
    """
    if not 0 <= p_ <= 1:
        raise ValueError(f"p must be in [0, 1], got {p_}")
    if p_ >= 1:
        return float(norm_sq)
    zp_ = scipy.special.ndtri((1 + p_) / 2)
    return float(norm_sq * _trunc_m2(zp_))


def r2_magnitude_empirical(p_: float, weights) -> float:
    r"""Sum of the smallest \(\lceil pD\rceil\) values of \(w_i^2\) (magnitude pruning)."""
    w2 = np.sort(np.asarray(weights, dtype=float).ravel() ** 2)
    k = int(math.ceil(p_ * w2.size - 1e-12))
    return float(w2[:k].sum())


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

    def g(pv: float) -> float:
        return pv - pstar(eigenvalues, math.sqrt(max(r2_of_p(pv), 0.0)), eps, n_prunable)

    g0, g1 = g(0.0), g(1.0)
    if g0 >= 0:
        return 0.0
    if g1 <= 0:
        return 1.0
    return float(scipy.optimize.brentq(g, 0.0, 1.0, xtol=1e-10))


def rho_oneshot_gaussian(level: int, keep: float = 0.8) -> float:
    r"""Relative projection length \(\rho_L\) of repeatedly pruning one Gaussian vector.

    With \(M(q)=E[Z^2;\,|Z|\ge z]=q+2z\varphi(z)\) the second moment of the top
    \(q\)-fraction (\(z=\Phi^{-1}(1-q/2)\)),
    \(\rho_L^2 = 1 - M(\alpha^{L+1})/M(\alpha^L)\). Level 0 is the first prune.
    """
    if level < 0:
        raise ValueError("level must be >= 0")

    def m_top(q: float) -> float:
        if q >= 1:
            return 1.0
        zq = scipy.special.ndtri(1 - q / 2)
        return float(q + 2 * zq * np.exp(-(zq**2) / 2) / np.sqrt(2 * np.pi))

    return float(math.sqrt(max(0.0, 1 - m_top(keep ** (level + 1)) / m_top(keep**level))))


def rho_retrained_gaussian(keep: float = 0.8) -> float:
    r"""\(\rho\) when retraining restores a Gaussian weight profile at every level:
    the level-0 value of `rho_oneshot_gaussian`, independent of \(L\)."""
    return rho_oneshot_gaussian(0, keep)


def schur_increase(H, w_star, prune_idx) -> float:
    r"""Exact minimal loss increase after pruning, for the quadratic model.

    \[
    \min_{x_K} E - E(w^*) = \tfrac12 z_P^\top\bigl(H_{PP}-H_{PK}H_{KK}^{+}H_{KP}\bigr)z_P,
    \quad z_P=-w^*_P .
    \]

    `H` must be symmetric positive semi-definite (then the pseudo-inverse gives the exact
    minimum). Returns 0 for an empty prune set.
    """
    H = np.asarray(H, dtype=float)
    w = np.asarray(w_star, dtype=float).ravel()
    n = w.size
    if H.shape != (n, n):
        raise ValueError(f"H must be {n}x{n}, got {H.shape}")
    P = np.zeros(n, dtype=bool)
    P[np.asarray(prune_idx, dtype=int)] = True
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


def exact_feasible(H, w_star, prune_idx, eps: float) -> bool:
    """True iff the Schur-complement increase is at most `eps`."""
    return schur_increase(H, w_star, prune_idx) <= eps


def exact_threshold(H, w_star, order, eps: float, tol: float = 1e-3) -> float:
    r"""Largest prune fraction along a nested pruning order that stays feasible.

    `order` lists coordinates in the order they are pruned (smallest magnitude first, or a
    random permutation). The Schur increase is non-decreasing along a nested order (more
    coordinates fixed means a smaller feasible set), so bisection is exact up to `tol`.
    """
    order = np.asarray(order, dtype=int)
    n = order.size

    def ok(frac: float) -> bool:
        k = int(math.ceil(frac * n - 1e-12))
        return exact_feasible(H, w_star, order[:k], eps)

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


# --------------------------------------------------------------------------- bookkeeping


def prune_count(n_alive: int, fraction: float) -> int:
    r"""Weights removed at one level: \(\lceil f\,n\rceil\), with \(f\) read as an exact
    decimal (so that 0.2·15 is 3, not 3.0000000000000004 → 4)."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    f = Fraction(str(fraction))
    num = f.numerator * int(n_alive)
    return -((-num) // f.denominator)


def imp_counts(n0: int, fraction: float, levels: int, convention: str = "exact") -> np.ndarray:
    r"""Surviving prunable weights after levels \(0..L\).

    `exact`: \(n_{L+1}=n_L-\lceil f n_L\rceil\). `reference`: the open_lth threshold removes
    one more weight per level when there are no ties, \(n_{L+1}=n_L-\lceil f n_L\rceil-1\).
    """
    if convention not in ("exact", "reference"):
        raise ValueError(f"convention must be 'exact' or 'reference', got {convention!r}")
    out = [int(n0)]
    for _ in range(levels):
        n = out[-1]
        k = prune_count(n, fraction) + (1 if convention == "reference" else 0)
        out.append(max(n - min(k, n), 0))
    return np.asarray(out, dtype=np.int64)


# --------------------------------------------------------------------------- derivations


def derivations() -> list[Derivation]:
    """The sympy derivations behind this module (rendered into the docs)."""
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
                Step(sp.Eq(r_i, AXIS), "semi-axis of the sublevel ellipsoid: (1/2) lambda r_i^2 = epsilon"),
                Step(
                    sp.Eq(_term_width, TERM),
                    "one direction's share of the squared width, r_i^2/(r_i^2+r^2), with r_i substituted",
                    check=_term_check,
                ),
                Step(
                    sp.Eq(p, _gordon_sol),
                    "Gordon: the (1-p)D-dimensional subspace meets S(eps) when (1-p)D + w^2 >= D",
                    check=_gordon_check,
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
                    sp.StrictLessThan(sp.diff(PSTAR_ISO, lam), 0),
                    "p* decreases in lambda and in r (both derivatives negative for positive symbols)",
                    check=_mono_check,
                ),
                Step(sp.Eq(sp.Limit(PSTAR_ISO, lam, 0), _flat_limit), "all-flat limit", check=_flat_limit == 1),
                Step(
                    _selfcons,
                    "self-consistency p = p*(r(p)) with a = lambda S/(2 epsilon); positive root",
                    check=_selfcons_check,
                ),
            ),
            result=PSTAR_ISO_RANDOM,
        ),
        Derivation(
            id="lottery.magnitude_projection",
            title="Projection length of magnitude pruning for Gaussian weights",
            paper="lottery",
            source="derived here (supports brief A.5 'magnitude pruning: much smaller r')",
            assumptions="Weights i.i.d. N(0, sigma^2); prune all |w| <= z sigma, P(|Z| <= z) = p.",
            steps=(
                Step(
                    sp.Eq(sp.Symbol(r"\mathbb{E}[Z^2; |Z| \le z]"), TRUNC_SECOND_MOMENT),
                    "truncated second moment, integrated by sympy",
                ),
                Step(
                    sp.Eq(TRUNC_SECOND_MOMENT, _trunc_closed),
                    "closed form: p - 2 z phi(z), since 2 Phi(z) - 1 = p",
                    check=_trunc_check,
                ),
            ),
            result=_trunc_closed,
        ),
        Derivation(
            id="lottery.schur",
            title="Exact quadratic feasibility: the Schur complement",
            paper="lottery",
            source="brief A.5 'exact check for quadratics'; derived here",
            assumptions="Quadratic error with H positive definite on the kept block; pruned coordinates fixed at -w*_P.",
            steps=(
                Step(sp.Eq(sp.Symbol("q"), _q), "scalar blocks: a = H_KK, b = H_KP, c = H_PP"),
                Step(sp.Eq(x_, _xopt), "stationary point over the kept coordinate"),
                Step(sp.Eq(sp.Symbol("q_min"), SCHUR_SCALAR), "substitute: the Schur complement", check=_schur_check),
            ),
            result=SCHUR_SCALAR,
        ),
    ]
