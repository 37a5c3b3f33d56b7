r"""Class-manifold dimension by cutting planes: Gaussian width, Gordon's escape theorem and
exact hit probabilities of random affine cuts.

Fort, Cubuk, Ganguli, Schoenholz (2022), *What does a deep neural network confidently
perceive? The effective dimension of high certainty class manifolds and their low confidence
boundaries* (arXiv 2210.05546). The paper probes a set \( S \subset \mathbb{R}^D \) (a class
manifold) with random affine subspaces \( X_0 + \operatorname{span}(M) \) of dimension \( d \)
and calls \( d_\mathrm{eff} = D - d^*_{50\%} \) its effective dimension, where
\( d^*_{50\%} \) is the cut dimension at which the cut meets \( S \) with probability 1/2.

This module holds the theory side:

- the Gaussian width and the form of Gordon's escape theorem the paper uses
  (\( d^* \approx D - w(\tilde S)^2 \));
- exact hit probabilities \( P(d) \) of a uniformly random \( d \)-dimensional affine cut through
  an anchor for sets where the answer is known (brief B.6): an affine \( k \)-subspace, a tube
  around it, a ball (or sphere), a half-space reached with an input budget, intersections and
  unions of affine subspaces, and a ball probed with axis-aligned cuts;
- the predicted \( d^* \) of each case (the 50% crossing of \( P(d) \)).

All closed forms are built as sympy `Derivation`s (see `derivations()`); the numeric
functions evaluate the same formulas with `scipy.special.betainc`.

The one distributional fact behind the Beta cases: for the orthogonal projector \( P \) onto a
uniformly random \( d \)-dimensional subspace of \( \mathbb{R}^D \) and a fixed unit vector
\( u \),

\[
\|P u\|^2 \sim \mathrm{Beta}\!\left(\tfrac d2, \tfrac{D-d}2\right).
\]
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy as sp
from scipy import integrate, optimize, special, stats

from theory._derivation import Derivation, Step

__all__ = [
    "mean_chi",
    "gordon_escape_probability_bound",
    "gordon_d_star",
    "cap_support_function",
    "cap_width",
    "cap_width_mc",
    "gaussian_width_mc",
    "p_hit_affine_subspace",
    "p_hit_tube",
    "p_hit_ball",
    "p_hit_sphere",
    "p_hit_halfspace_budget",
    "p_hit_intersection",
    "p_hit_union",
    "p_hit_ball_axis_aligned",
    "d_star_crossing",
    "d_star_affine_subspace",
    "d_star_tube",
    "d_star_ball",
    "d_star_sphere",
    "d_star_halfspace_budget",
    "d_star_intersection",
    "d_star_union",
    "d_star_ball_axis_aligned",
    "derivations",
]

# --------------------------------------------------------------------------- symbols

_d, _D, _k = sp.symbols("d D k", positive=True)
_a, _b, _x, _y = sp.symbols("a b x y", positive=True)
_r, _R, _rho, _Rp, _g, _B = sp.symbols(r"r R rho R_perp g B", positive=True)
_m = sp.symbols("m", positive=True)
_t = sp.symbols("t", positive=True)


def _beta_density(a, b, x):
    return x ** (a - 1) * (1 - x) ** (b - 1) * sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(b))


# --------------------------------------------------------------------------- derivations

# (1) ||P u||^2 ~ Beta(d/2, (D-d)/2): the first two moments from the sphere moments.
_i_d = sp.symbols("d", positive=True, integer=True)
_i_D = sp.symbols("D", positive=True, integer=True)
_sphere_m2 = 1 / _i_D  # E u_i^2 for u uniform on S^{D-1}
_sphere_m4 = 3 / (_i_D * (_i_D + 2))  # E u_i^4
_sphere_m22 = 1 / (_i_D * (_i_D + 2))  # E u_i^2 u_j^2, i != j
_proj_mean = _i_d * _sphere_m2
_proj_m2 = _i_d * _sphere_m4 + _i_d * (_i_d - 1) * _sphere_m22
_beta_a, _beta_b = _i_d / 2, (_i_D - _i_d) / 2
_beta_mean = _beta_a / (_beta_a + _beta_b)
_beta_m2 = _beta_a * (_beta_a + 1) / ((_beta_a + _beta_b) * (_beta_a + _beta_b + 1))

PROJECTION_BETA = Derivation(
    id="class_manifolds.projection_beta",
    title="Squared length of a fixed unit vector projected on a random subspace",
    paper="class_manifolds",
    source="Brief B.6 (standard; used by every analytic case)",
    assumptions=(
        "P projects orthogonally onto a uniformly random d-dimensional subspace of R^D; u is a fixed "
        "unit vector. By rotation invariance, ||P u||^2 has the law of the squared norm of the first d "
        "coordinates of a uniform point on S^{D-1}, i.e. X/(X+Y) with X ~ chi^2_d, Y ~ chi^2_{D-d}."
    ),
    steps=(
        Step(
            sp.Eq(sp.Symbol(r"\|P u\|^2"), sp.Symbol(r"\frac{X}{X+Y}")),
            "Rotate the subspace onto the first d axes; u becomes uniform on the sphere, u = g/||g||.",
        ),
        Step(
            sp.Eq(sp.Symbol(r"\mathbb{E}\|Pu\|^2"), _proj_mean),
            "Linearity with E u_i^2 = 1/D.",
            check=sp.simplify(_proj_mean - _beta_mean) == 0,
        ),
        Step(
            sp.Eq(sp.Symbol(r"\mathbb{E}\|Pu\|^4"), sp.factor(_proj_m2)),
            "Sphere moments E u_i^4 = 3/(D(D+2)), E u_i^2 u_j^2 = 1/(D(D+2)); equals the second moment "
            "a(a+1)/((a+b)(a+b+1)) of Beta(d/2, (D-d)/2).",
            check=sp.simplify(_proj_m2 - _beta_m2) == 0,
        ),
        Step(
            sp.Eq(sp.Symbol(r"P(\|Pu\|^2 \le x)"), sp.betainc_regularized(_d / 2, (_D - _d) / 2, 0, _x)),
            "X/(X+Y) with independent chi-squares is Beta(d/2, (D-d)/2) (standard); its CDF is the "
            "regularised incomplete beta I_x, whose x-derivative is the Beta density.",
            check=sp.simplify(
                sp.gammasimp(sp.diff(sp.betainc_regularized(_a, _b, 0, _x), _x).rewrite(sp.gamma) - _beta_density(_a, _b, _x))
            )
            == 0,
        ),
    ),
    result=sp.betainc_regularized(_d / 2, (_D - _d) / 2, 0, _x),
)

# (2) Ball of radius r, centre at distance R from the anchor.
_ball_p = 1 - sp.betainc_regularized(_d / 2, (_D - _d) / 2, 0, 1 - _r**2 / _R**2)
BALL = Derivation(
    id="class_manifolds.ball",
    title="Hit probability of a ball (or sphere seen from outside)",
    paper="class_manifolds",
    source="Brief B.6 case 3",
    assumptions="Ball of radius r centred at c, anchor X0 with ||c - X0|| = R > r, u = (c - X0)/R; cut X0 + V, V uniform.",
    steps=(
        Step(
            sp.Eq(sp.Symbol(r"\operatorname{dist}(c, X_0+V)^2"), _R**2 * (1 - sp.Symbol(r"\|Pu\|^2"))),
            "Pythagoras: the nearest point of the cut to c is X0 + P(c - X0).",
        ),
        Step(
            sp.Eq(sp.Symbol("P_hit"), sp.Symbol(r"P(\|Pu\|^2 \ge 1 - r^2/R^2)")),
            "The cut meets the ball iff that distance is at most r (it then also crosses the sphere).",
        ),
        Step(
            sp.Eq(sp.Symbol("P_hit"), _ball_p),
            "Beta law of ||Pu||^2 (projection_beta).",
        ),
        Step(
            sp.Eq(sp.Symbol(r"d^*_\mathrm{Gordon}"), _D * (1 - _r**2 / _R**2)),
            "Mean of Beta(d/2,(D-d)/2) is d/D; the transition sits where d/D = 1 - r^2/R^2. The set seen "
            "from X0 is a cap of angular radius asin(r/R), w^2 ~ (D-1) r^2/R^2, so d_eff ~ D r^2/R^2.",
            check=sp.simplify(sp.solve(sp.Eq(_d / _D, 1 - _r**2 / _R**2), _d)[0] - _D * (1 - _r**2 / _R**2)) == 0,
        ),
    ),
    result=_ball_p,
)

# (3) Tube of radius rho around an affine k-subspace.
_tube_p = sp.betainc_regularized((_D - _k - _d) / 2, _d / 2, 0, _rho**2 / _Rp**2)
TUBE = Derivation(
    id="class_manifolds.tube",
    title="Hit probability of a tube around an affine k-subspace",
    paper="class_manifolds",
    source="Brief B.6 cases 1-2",
    assumptions=(
        "A = a + U with dim U = k; R_perp = ||P_{U^perp}(X0 - a)||; tube {x : dist(x, A) <= rho}; d < D - k "
        "(for d >= D - k a generic cut meets A itself and P = 1)."
    ),
    steps=(
        Step(
            sp.Eq(sp.Symbol(r"\operatorname{dist}(X_0+V, A)"), sp.Symbol(r"\operatorname{dist}(X_0 - a, U \oplus P_{U^\perp}V)")),
            "The cut meets the tube iff X0 - a is within rho of the (d+k)-dim space U + V.",
        ),
        Step(
            sp.Eq(sp.Symbol(r"\operatorname{dist}^2"), _Rp**2 * (1 - sp.Symbol(r"\mathrm{Beta}(d/2, (D-k-d)/2)"))),
            "P_{U^perp}V is the span of d Gaussian vectors of U^perp, hence a uniform d-subspace of the "
            "(D-k)-dim space U^perp; apply projection_beta there.",
        ),
        Step(
            sp.Eq(sp.Symbol(r"1-\mathrm{Beta}(a, b)"), sp.Symbol(r"\mathrm{Beta}(b, a)")),
            "Reflection of the Beta density: f_{a,b}(1 - y) = f_{b,a}(y).",
            check=sp.simplify(_beta_density(_a, _b, 1 - _y) - _beta_density(_b, _a, _y)) == 0,
        ),
        Step(
            sp.Eq(sp.Symbol("P_hit"), _tube_p),
            "P(R_perp^2 Beta((D-k-d)/2, d/2) <= rho^2). As rho -> 0 it tends to the step 1[d >= D - k] of the zero-thickness subspace.",
        ),
    ),
    result=_tube_p,
)

# (4) Half-space reached with an input budget.
_v1, _v2, _v3, _th1, _th2, _th3, _lam = sp.symbols("v1 v2 v3 theta1 theta2 theta3 lambda", real=True)
_vnorm = sp.sqrt(_v1**2 + _v2**2 + _v3**2)
_theta_star = [_B * _v1 / _vnorm, _B * _v2 / _vnorm, _B * _v3 / _vnorm]
_lagr_grad = [vi - 2 * (_vnorm / (2 * _B)) * ti for vi, ti in zip((_v1, _v2, _v3), _theta_star)]
_half_p = 1 - sp.betainc_regularized(_d / 2, (_D - _d) / 2, 0, _g**2 / _B**2)
HALFSPACE = Derivation(
    id="class_manifolds.halfspace_budget",
    title="Hit probability of a half-space reached with an input budget",
    paper="class_manifolds",
    source="Brief B.6 case 6",
    assumptions=(
        "Region {x : w^T x >= b}, gap g = (b - w^T X0)/||w|| > 0; search x = X0 + M^T theta with orthonormal "
        "M (d x D) and ||theta|| <= B (equivalently ||x - X0|| <= B)."
    ),
    steps=(
        Step(
            sp.Eq(sp.Symbol(r"\max_{\|\theta\|\le B} \theta^\top v"), _B * _vnorm),
            "Cauchy-Schwarz with v = M w/||w||; the maximiser B v/||v|| satisfies the Lagrange condition "
            "v = 2 lambda theta with lambda = ||v||/(2B) (checked for a 3-vector).",
            check=all(sp.simplify(e) == 0 for e in _lagr_grad),
        ),
        Step(
            sp.Eq(sp.Symbol("P_hit"), sp.Symbol(r"P(B \|P\hat w\| \ge g)")),
            "||M w_hat|| = ||P w_hat|| for orthonormal M; the budget ball reaches the region iff B ||P w_hat|| >= g.",
        ),
        Step(sp.Eq(sp.Symbol("P_hit"), _half_p), "Beta law of ||P w_hat||^2 with threshold g^2/B^2."),
        Step(
            sp.Eq(sp.Symbol(r"d^*"), _D * _g**2 / _B**2),
            "Mean d/D = g^2/B^2 at the transition. Without a budget (B -> oo) d* = 1.",
            check=sp.simplify(sp.solve(sp.Eq(_d / _D, _g**2 / _B**2), _d)[0] - _D * _g**2 / _B**2) == 0,
        ),
    ),
    result=_half_p,
)

# (5) Gordon's escape theorem and the chi mean a_m.
_chi_density = _r ** (_m - 1) * sp.exp(-(_r**2) / 2) / (2 ** (_m / 2 - 1) * sp.gamma(_m / 2))
_a_m = sp.sqrt(2) * sp.gamma((_m + 1) / 2) / sp.gamma(_m / 2)
_w = sp.symbols("w", positive=True)
GORDON = Derivation(
    id="class_manifolds.gordon",
    title="Gaussian width and Gordon's escape through a mesh",
    paper="class_manifolds",
    source="Brief B.2 (Gordon 1988 via Mixon's exposition; Larsen et al. 2107.05802)",
    assumptions="S a subset of S^{D-1}; w(S) = E sup_{x in S} <g, x>; k = D - d; Y uniform d-dim subspace.",
    steps=(
        Step(
            sp.Eq(sp.Symbol("a_m"), sp.integrate(_r * _chi_density, (_r, 0, sp.oo))),
            "a_m = E||g_m|| is the mean of the chi distribution with m degrees of freedom.",
            check=sp.simplify(sp.integrate(_r * _chi_density, (_r, 0, sp.oo)) - _a_m) == 0,
        ),
        Step(
            sp.Symbol(r"P(Y \cap S = \emptyset) \ge 1 - e^{-(a_k - w(S))^2/2}\quad (w(S) < a_k)"),
            "Escape through a mesh (constants differ between versions; stated as the brief uses it).",
        ),
        Step(
            sp.Eq(sp.Symbol(r"d^*"), _D - _w**2),
            "a_k ~ sqrt(k): the bound bites once sqrt(D - d) > w, so cuts miss S for d < D - w^2 and are "
            "expected to hit once d >~ D - w^2 (sharp for convex cones; heuristic otherwise).",
            check=sp.simplify(sp.solve(sp.Eq(sp.sqrt(_D - _d), _w), _d)[0] - (_D - _w**2)) == 0,
        ),
    ),
    result=_D - _w**2,
)

# (6) Width of a spherical cap.
_phi, _theta = sp.symbols("phi theta", positive=True)
_cap_sup = _t * sp.cos(_phi - _theta)
CAP = Derivation(
    id="class_manifolds.cap_width",
    title="Gaussian width of a spherical cap (the ball seen from the anchor)",
    paper="class_manifolds",
    source="Brief B.2 (useful widths); our derivation of the support function",
    assumptions="Cap of angular radius theta around u on S^{D-1}; g = g1 u + g_perp, |g| = t, angle(g, u) = phi.",
    steps=(
        Step(
            sp.Eq(sp.Symbol(r"\sup_{x \in \mathrm{cap}} \langle g, x\rangle"), sp.Piecewise((_t, _phi <= _theta), (_cap_sup, True))),
            "The best point of the cap lies in the plane of g and u, at angle theta from u towards g.",
        ),
        Step(
            sp.Eq(_cap_sup, sp.Symbol("g_1") * sp.cos(_theta) + sp.Symbol(r"\|g_\perp\|") * sp.sin(_theta)),
            "Expand cos(phi - theta) with g1 = t cos(phi), ||g_perp|| = t sin(phi).",
            check=sp.simplify(
                sp.expand_trig(_cap_sup) - (_t * sp.cos(_phi) * sp.cos(_theta) + _t * sp.sin(_phi) * sp.sin(_theta))
            )
            == 0,
        ),
        Step(
            sp.Eq(sp.Symbol("w(cap)"), sp.sin(_theta) * _a_m.subs(_m, _D - 1) + sp.Symbol(r"\epsilon(\theta, D)")),
            "E g1 = 0 and E||g_perp|| = a_{D-1}; epsilon >= 0 is the (small) gain from the event phi <= theta. "
            "So w^2 ~ (D - 1) sin^2(theta) = (D - 1) r^2/R^2 for a ball seen from outside.",
        ),
    ),
    result=sp.sin(_theta) * _a_m.subs(_m, _D - 1),
)

# (7) Axis-aligned cuts of a ball with a sparse centre direction.
_s, _j = sp.symbols("s j", positive=True, integer=True)
AXIS = Derivation(
    id="class_manifolds.axis_aligned",
    title="Axis-aligned cuts of a ball whose centre direction is sparse",
    paper="class_manifolds",
    source="Brief B.7.5 (axis-aligned bases, k = 1); our exact case",
    assumptions=(
        "Cut spanned by d distinct coordinate axes drawn uniformly; u = (c - X0)/R has s equal entries "
        "1/sqrt(s) and zeros elsewhere."
    ),
    steps=(
        Step(
            sp.Eq(sp.Symbol(r"\|P_J u\|^2"), _j / _s),
            "J = number of chosen axes inside the support of u, hypergeometric(D, s, d).",
        ),
        Step(
            sp.Eq(sp.Symbol("P_hit"), sp.Symbol(r"P(J \ge \lceil s (1 - r^2/R^2) \rceil)")),
            "Same distance criterion as the ball. For a delocalised u the sum of d of its squared "
            "coordinates is again Beta(d/2,(D-d)/2) only if u is uniform on the sphere; a structured u "
            "(images, whose borders are always dark) breaks this.",
        ),
    ),
    result=sp.Symbol(r"P(J \ge \lceil s (1 - r^2/R^2) \rceil)"),
)

# (8) Intersections and unions of affine subspaces.
_k1, _k2 = sp.symbols("k1 k2", positive=True, integer=True)
INTERSECTION = Derivation(
    id="class_manifolds.intersection_union",
    title="Intersections and unions: codimensions add",
    paper="class_manifolds",
    source="Brief B.5 (intersection viewpoint) and B.6 case 5",
    assumptions="Affine subspaces of dimensions k1, k2 in general position, k1 + k2 >= D.",
    steps=(
        Step(
            sp.Eq(sp.Symbol(r"\dim(A_1 \cap A_2)"), _k1 + _k2 - _D),
            "Generic affine subspaces: codim(A1 cap A2) = codim A1 + codim A2.",
        ),
        Step(
            sp.Eq(sp.Symbol(r"d^*_\cap"), 2 * _D - _k1 - _k2),
            "Affine-subspace rule d* = D - dim.",
            check=sp.simplify((_D - (_k1 + _k2 - _D)) - (2 * _D - _k1 - _k2)) == 0,
        ),
        Step(
            sp.Eq(sp.Symbol(r"d^*_\cup"), _D - sp.Max(_k1, _k2)),
            "A cut meets the union iff it meets the larger member first.",
        ),
    ),
    result=2 * _D - _k1 - _k2,
)


def derivations() -> list[Derivation]:
    """All derivations of this module, in the order the docs show them."""
    return [PROJECTION_BETA, BALL, TUBE, HALFSPACE, GORDON, CAP, AXIS, INTERSECTION]


# --------------------------------------------------------------------------- numerics of the formulas

_ball_fn = sp.lambdify((_d, _D, _r, _R), _ball_p, modules=[{"betainc_regularized": lambda a, b, x1, x2: special.betainc(a, b, x2) - special.betainc(a, b, x1)}, "scipy"])
_tube_fn = sp.lambdify((_d, _D, _k, _rho, _Rp), _tube_p, modules=[{"betainc_regularized": lambda a, b, x1, x2: special.betainc(a, b, x2) - special.betainc(a, b, x1)}, "scipy"])
_half_fn = sp.lambdify((_d, _D, _g, _B), _half_p, modules=[{"betainc_regularized": lambda a, b, x1, x2: special.betainc(a, b, x2) - special.betainc(a, b, x1)}, "scipy"])
_a_m_fn = sp.lambdify(_m, _a_m, modules="scipy")


def _check_D(D: int) -> int:
    if not (isinstance(D, (int, np.integer)) and D >= 2):
        raise ValueError(f"D must be an integer >= 2, got {D!r}")
    return int(D)


def _as_d(d, D: int) -> np.ndarray:
    d = np.asarray(d, dtype=float)
    if np.any(d < 0) or np.any(d > D):
        raise ValueError(f"d must lie in [0, D={D}], got {d}")
    return d


def mean_chi(m) -> np.ndarray:
    r"""\( a_m = \mathbb{E}\|g_m\| = \sqrt2\,\Gamma(\tfrac{m+1}2)/\Gamma(\tfrac m2) \) (brief B.2).

    **Arguments:**

    - `m`: degrees of freedom (> 0), scalar or array.

    **Returns:** \( a_m \), computed through `gammaln` for large `m`.
    """
    m = np.asarray(m, dtype=float)
    if np.any(m <= 0):
        raise ValueError(f"m must be positive, got {m}")
    return np.sqrt(2.0) * np.exp(special.gammaln((m + 1) / 2) - special.gammaln(m / 2))


def gordon_escape_probability_bound(width: float, D: int, d) -> np.ndarray:
    r"""Gordon's lower bound on the probability that a random \( d \)-subspace misses \( S \).

    \[
    P(Y \cap S = \emptyset) \ge 1 - \exp\!\big(-(a_{D-d} - w(S))^2/2\big)
    \quad\text{when } w(S) < a_{D-d},
    \]

    and 0 (no bound) otherwise.

    **Arguments:**

    - `width`: \( w(S) \) of a subset of the unit sphere.
    - `D`: ambient dimension. `d`: cut dimension(s).
    """
    D = _check_D(D)
    d = _as_d(d, D)
    k = D - d
    a_k = np.where(k > 0, mean_chi(np.maximum(k, 1e-12)), 0.0)
    return np.where(width < a_k, 1.0 - np.exp(-((a_k - width) ** 2) / 2.0), 0.0)


def gordon_d_star(width_squared, D: int) -> np.ndarray:
    r"""Cut dimension at which Gordon's theorem says hits become likely: \( d^* = D - w^2 \)."""
    D = _check_D(D)
    return D - np.asarray(width_squared, dtype=float)


def cap_support_function(g_parallel, g_perp_norm, theta):
    r"""\( \sup_{x \in \mathrm{cap}(u, \theta)} \langle g, x\rangle \) from \( g_1 = \langle g,u\rangle \) and \( \|g_\perp\| \).

    Equals \( \|g\| \) when the angle of \( g \) to \( u \) is at most \( \theta \), else
    \( g_1\cos\theta + \|g_\perp\|\sin\theta \) (derivation `cap_width`).
    """
    g1 = np.asarray(g_parallel, dtype=float)
    gp = np.asarray(g_perp_norm, dtype=float)
    norm = np.hypot(g1, gp)
    inside = (g1 > 0) & (gp <= g1 * np.tan(theta))
    return np.where(inside, norm, g1 * np.cos(theta) + gp * np.sin(theta))


def cap_width_mc(theta: float, D: int, n: int, rng: np.random.Generator) -> tuple[float, float]:
    r"""Monte-Carlo Gaussian width of a cap of angular radius `theta` on \( S^{D-1} \).

    Samples \( g \sim N(0, I_D) \) through \( (g_1, \|g_\perp\|) \) (exact in law) and averages the
    exact support function.

    **Returns:** `(width, stderr)`.
    """
    D = _check_D(D)
    if not 0 <= theta <= math.pi / 2:
        raise ValueError(f"theta must lie in [0, pi/2], got {theta}")
    g1 = rng.standard_normal(n)
    gp = np.sqrt(rng.chisquare(D - 1, size=n))
    h = cap_support_function(g1, gp, theta)
    return float(h.mean()), float(h.std(ddof=1) / math.sqrt(n))


def cap_width(theta: float, D: int) -> float:
    r"""Gaussian width of a cap by quadrature (derivation `cap_width`).

    \[
    w = \mathbb{E}_{\rho \sim \chi_{D-1}}\Big[\int_{-\infty}^{\rho\cot\theta}(g\cos\theta+\rho\sin\theta)\varphi(g)\,dg
    + \int_{\rho\cot\theta}^{\infty}\sqrt{g^2+\rho^2}\,\varphi(g)\,dg\Big].
    \]
    """
    D = _check_D(D)
    if not 0 < theta < math.pi / 2:
        raise ValueError(f"theta must lie in (0, pi/2), got {theta}")
    chi = stats.chi(D - 1)
    cot = 1.0 / math.tan(theta)

    def inner(rho: float) -> float:
        t = rho * cot
        outside = -math.cos(theta) * stats.norm.pdf(t) + rho * math.sin(theta) * stats.norm.cdf(t)
        inside, _ = integrate.quad(lambda g: math.hypot(g, rho) * stats.norm.pdf(g), t, np.inf)
        return outside + inside

    lo, hi = chi.ppf(1e-12), chi.ppf(1 - 1e-12)
    val, _ = integrate.quad(lambda rho: inner(rho) * chi.pdf(rho), lo, hi, limit=200)
    return float(val)


def gaussian_width_mc(
    points: np.ndarray, n: int, rng: np.random.Generator, *, normalise: bool = True
) -> tuple[float, float]:
    r"""Monte-Carlo Gaussian width of a set given by sample points: \( \mathbb{E}\max_i\langle g, x_i\rangle \).

    This is the estimator of brief B.7.2 ("take the max over sampled points"); it is a *lower*
    bound on the width of the sampled set's hull, tight only when the points cover the set densely.
    With `normalise=True` the points are first projected onto the unit sphere.

    **Arguments:**

    - `points`: `(N, D)` array. `n`: number of Gaussian draws. `rng`: numpy Generator.

    **Returns:** `(width, stderr)`.
    """
    x = np.asarray(points, dtype=float)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"points must be a non-empty (N, D) array, got shape {x.shape}")
    if normalise:
        x = x / np.linalg.norm(x, axis=1, keepdims=True)
    g = rng.standard_normal((n, x.shape[1]))
    h = (g @ x.T).max(axis=1)
    return float(h.mean()), float(h.std(ddof=1) / math.sqrt(n))


# --------------------------------------------------------------------------- hit probabilities


def p_hit_affine_subspace(d, D: int, k: int) -> np.ndarray:
    r"""Zero-thickness affine \( k \)-subspace not through the anchor: \( P(d) = 1[d + k \ge D] \)."""
    D = _check_D(D)
    d = _as_d(d, D)
    if not 0 <= k < D:
        raise ValueError(f"k must lie in [0, D), got {k}")
    return (d + k >= D).astype(float)


def p_hit_tube(d, D: int, k: int, rho: float, r_perp: float) -> np.ndarray:
    r"""Tube of radius \( \rho \) around an affine \( k \)-subspace, anchor at distance \( R_\perp \):

    \[
    P(d) = I_{\rho^2/R_\perp^2}\!\left(\tfrac{D-k-d}2, \tfrac d2\right)\ (d < D-k),\qquad P(d) = 1\ (d \ge D-k).
    \]
    """
    D = _check_D(D)
    d = _as_d(d, D)
    if not 0 <= k < D:
        raise ValueError(f"k must lie in [0, D), got {k}")
    if r_perp <= 0 or rho < 0:
        raise ValueError("r_perp must be > 0 and rho >= 0")
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
    """
    D = _check_D(D)
    d = _as_d(d, D)
    if r <= 0 or R <= 0:
        raise ValueError("r and R must be positive")
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
    """
    return p_hit_ball(d, D, r, R)


def p_hit_halfspace_budget(d, D: int, gap: float, budget: float) -> np.ndarray:
    r"""Half-space at distance `gap` from the anchor, searched inside \( \|x - X_0\| \le B \):

    \[
    P(d) = 1 - I_{g^2/B^2}\!\left(\tfrac d2, \tfrac{D-d}2\right).
    \]
    """
    D = _check_D(D)
    d = _as_d(d, D)
    if budget <= 0:
        raise ValueError(f"budget must be positive, got {budget}")
    if gap <= 0:
        return np.where(d >= 0, 1.0, 0.0)
    if gap > budget:
        return np.zeros_like(d)
    full = d >= D
    dd = np.clip(d, 1e-12, D - 1e-9)
    p = np.asarray(_half_fn(dd, D, gap, budget), dtype=float)
    return np.where(full, 1.0, np.where(d <= 0, 0.0, p))


def p_hit_intersection(d, D: int, k1: int, k2: int) -> np.ndarray:
    r"""Both of two generic affine subspaces: \( P(d) = 1[d \ge 2D - k_1 - k_2] \)."""
    D = _check_D(D)
    if k1 + k2 < D:
        return np.zeros_like(_as_d(d, D))
    return p_hit_affine_subspace(d, D, k1 + k2 - D)


def p_hit_union(d, D: int, k1: int, k2: int) -> np.ndarray:
    r"""Either of two affine subspaces: \( P(d) = 1[d \ge D - \max(k_1, k_2)] \)."""
    return p_hit_affine_subspace(d, D, max(k1, k2))


def p_hit_ball_axis_aligned(d, D: int, r: float, R: float, support: int) -> np.ndarray:
    r"""Ball probed by cuts along \( d \) random coordinate axes, centre direction spread evenly
    over `support` coordinates: \( P(d) = P(J \ge \lceil s(1 - r^2/R^2)\rceil) \), \( J \sim \)
    hypergeometric\( (D, s, d) \). `d` must be integers."""
    D = _check_D(D)
    d = np.asarray(d)
    if not 1 <= support <= D:
        raise ValueError(f"support must lie in [1, D], got {support}")
    if R <= r:
        return np.ones(d.shape)
    need = math.ceil(support * (1 - r**2 / R**2) - 1e-12)
    return np.asarray(stats.hypergeom(D, support, d).sf(need - 1), dtype=float)


# --------------------------------------------------------------------------- predicted d*


def d_star_crossing(p_fn: Callable[[np.ndarray], np.ndarray], D: int, level: float = 0.5, *, continuous: bool = True) -> float:
    r"""The cut dimension where \( P(d) \) crosses `level`.

    With `continuous=True`, \( P \) is evaluated at real \( d \) (the Beta formulas extend to real
    \( d \)) and the crossing is found by bracketing and `brentq`. Otherwise \( P \) is evaluated at
    integer \( d = 1..D \) and the crossing of its linear interpolation is returned (for step
    functions such as the zero-thickness subspace, a step from 0 at \( d-1 \) to 1 at \( d \)
    crosses 1/2 at \( d - 1/2 \)). Returns 1.0 when \( P(1) \ge \) level, and `inf` when no
    \( d \le D \) reaches it.
    """
    D = _check_D(D)
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
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
    return d_star_crossing(lambda d: p_hit_tube(d, D, k, rho, r_perp), D, level)


def d_star_ball(D: int, r: float, R: float, level: float = 0.5) -> float:
    return d_star_crossing(lambda d: p_hit_ball(d, D, r, R), D, level)


def d_star_sphere(D: int, r: float, R: float, level: float = 0.5) -> float:
    return d_star_crossing(lambda d: p_hit_sphere(d, D, r, R), D, level)


def d_star_halfspace_budget(D: int, gap: float, budget: float, level: float = 0.5) -> float:
    return d_star_crossing(lambda d: p_hit_halfspace_budget(d, D, gap, budget), D, level)


def d_star_intersection(D: int, k1: int, k2: int, level: float = 0.5) -> float:
    return d_star_crossing(lambda d: p_hit_intersection(d, D, k1, k2), D, level, continuous=False)


def d_star_union(D: int, k1: int, k2: int, level: float = 0.5) -> float:
    return d_star_crossing(lambda d: p_hit_union(d, D, k1, k2), D, level, continuous=False)


def d_star_ball_axis_aligned(D: int, r: float, R: float, support: int, level: float = 0.5) -> float:
    return d_star_crossing(lambda d: p_hit_ball_axis_aligned(np.round(d).astype(int), D, r, R, support), D, level, continuous=False)
