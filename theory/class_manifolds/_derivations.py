r"""The sympy derivations of the class-manifold closed forms, and their lambdified numerics.

Each `Derivation` is the same sympy object the numeric functions evaluate (`_ball_fn`,
`_tube_fn`, `_half_fn` are lambdified from their results); `derivations()` lists them for
the docs.
"""

from __future__ import annotations

import sympy as sp
from scipy import special

from theory._derivation import Derivation, Step

__all__ = ["derivations"]

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

# sympy's regularised incomplete beta I(a, b; x1, x2) as scipy's betainc differences
_BETAINC = {"betainc_regularized": lambda a, b, x1, x2: special.betainc(a, b, x2) - special.betainc(a, b, x1)}
_ball_fn = sp.lambdify((_d, _D, _r, _R), _ball_p, modules=[_BETAINC, "scipy"])
_tube_fn = sp.lambdify((_d, _D, _k, _rho, _Rp), _tube_p, modules=[_BETAINC, "scipy"])
_half_fn = sp.lambdify((_d, _D, _g, _B), _half_p, modules=[_BETAINC, "scipy"])
