"""Sympy derivations of the collapsed-line linearisation: q*, Lambda_a, the block gains, small alpha."""

from __future__ import annotations

import sympy as sp

from theory._derivation import Derivation, Step, tex_equation

from ._kernels import kernel_derivations

__all__ = ["derivations", "map_derivations", "ANGLE_EXPONENT", "NORM_FIXED_POINT", "GRADIENT_GAINS", "SMALL_ALPHA"]

q, eps, n = sp.symbols("q varepsilon n", positive=True)
aA, aM, bA, bM = sp.symbols("alpha_A alpha_M beta_A beta_M", nonnegative=True)
sV, s2 = sp.symbols("sigma_V sigma_2", positive=True)
# mu_2 = E phi(u)^2 and chi_1 = sigma_w^2 E phi'(u)^2 for u ~ N(0, sigma_w^2) (chi_1 as in Poole et al. 2016)
Kn, Kg = sp.symbols("mu_2 chi_1", positive=True)
alpha = sp.Symbol("alpha", positive=True)
rho_s = sp.Symbol("rho", real=True)
S2f, S11f = sp.Function("S_2"), sp.Function("S_11")

_q1 = bA**2 * q + aA**2 * sV**2
_q2 = bM**2 * _q1 + aM**2 * s2**2 * Kn
_K = s2**2 * Kg
LAMBDA_A = (bA**2 * q / _q1) * (bM**2 * _q1 + aM**2 * _K) / _q2
G_DIFF = bA**2 * (bM**2 + aM**2 * _K / _q1)
G_COMM = (bA**2 + aA**2 * sV**2 / q) * (bM**2 + aM**2 * _K / _q1)
Q_NEXT = _q2


def _angle() -> Derivation:
    # Generic smooth functions near rho = 1, written as Taylor polynomials with free coefficients:
    # S_2(1) = S_11(1) = 1/n (uniform attention), k(1) = E phi^2, k'(1) = sigma_w^2 E phi'^2 (Price).
    a1, a2, b1, b2, c2 = sp.symbols("a_1 a_2 b_1 b_2 c_2", real=True)
    S2 = lambda r: 1 / n + a1 * (r - 1) + a2 * (r - 1) ** 2  # noqa: E731
    S11 = lambda r: 1 / n + b1 * (r - 1) + b2 * (r - 1) ** 2  # noqa: E731
    k = lambda r: Kn + Kg * (r - 1) + c2 * (r - 1) ** 2  # noqa: E731
    p = q * (1 - eps)
    rho = 1 - eps
    qA = sV**2 * (rho + (1 - rho) * S2(rho))
    pA = sV**2 * (rho + (1 - rho) * S11(rho))
    q1 = bA**2 * q + aA**2 * qA
    p1 = bA**2 * p + aA**2 * pA
    rho1 = p1 / q1
    q2 = bM**2 * q1 + aM**2 * s2**2 * Kn
    p2 = bM**2 * p1 + aM**2 * s2**2 * k(rho1)
    eps2 = 1 - p2 / q2
    eps2_0 = sp.simplify(eps2.subs(eps, 0))
    slope = sp.diff(eps2, eps).subs(eps, 0)
    check = sp.simplify(slope - LAMBDA_A) == 0
    return Derivation(
        id="transformer_geometry.angle_exponent",
        title="Angle exponent: linearisation of the (q, p) map at the collapsed line",
        paper="transformer_geometry",
        source="Paper §3.3 defines lambda_a by this linearisation; the closed form is derived here "
        "(brief A.7), the paper's own expression could not be read.",
        assumptions="Mean-field map of brief A.5 (d -> infinity, fresh weights); mu_2 = E phi(u)^2 and "
        "chi_1 = sigma_w^2 E phi'(u)^2 with u ~ N(0, sigma_w^2); S_2(1) = S_11(1) = 1/n "
        "(uniform attention at collapse); k(rho) = E phi(u) phi(v) with k(1) = E phi^2 and "
        "k'(1) = sigma_w^2 E phi'^2 (Price's theorem); deviation eps = 1 - p/q.",
        steps=(
            Step(sp.Eq(sp.Symbol("q_A"), sV**2 * (rho_s + (1 - rho_s) * S2f(rho_s))), "Attention branch norm on the simplex (definition of S_2)."),
            Step(sp.Eq(sp.Symbol("p_A"), sV**2 * (rho_s + (1 - rho_s) * S11f(rho_s))), "Attention branch overlap (definition of S_11)."),
            Step(tex_equation(r"\varepsilon_2|_{\varepsilon=0}", eps2_0),
                 "The collapsed line is a fixed point: at eps = 0 the map returns eps = 0.",
                 check=eps2_0 == 0),  # fmt: skip
            Step(
                tex_equation(r"\partial\varepsilon_2/\partial\varepsilon|_0", LAMBDA_A),
                "Differentiate the full map at eps = 0 (sympy; S_2, S_11, k enter as Taylor polynomials at rho = 1 with "
                "free first and second coefficients): the attention moments drop out because they multiply "
                "1 - rho, and of the MLP kernel only k'(1) survives.",
                check=check,
            ),
        ),
        result=LAMBDA_A,
        notes="lambda_a = log Lambda_a. Independent of n and sigma_A at first order in eps.",
    )


def _norm_fixed_point() -> tuple[Derivation, sp.Expr]:
    qs = sp.Symbol("q^*", positive=True)
    eq = sp.Eq(qs, bM**2 * (bA**2 * qs + aA**2 * sV**2) + aM**2 * s2**2 * Kn)
    sol = sp.solve(eq, qs)[0]
    target = (bM**2 * aA**2 * sV**2 + aM**2 * s2**2 * Kn) / (1 - bA**2 * bM**2)
    r2 = {bA: sp.sqrt(1 - aA**2), bM: sp.sqrt(1 - aM**2)}
    lam_stat = sp.simplify(LAMBDA_A.subs(q, sol).subs(r2))
    q1s = (1 - aA**2) * sol.subs(r2) + aA**2 * sV**2
    target_lam = (1 - aA**2) * (1 - aM**2 + aM**2 * s2**2 * Kg / q1s)
    d = Derivation(
        id="transformer_geometry.norm_fixed_point",
        title="Norm fixed point on the collapsed line, and Lambda_a at stationarity (R2)",
        paper="transformer_geometry",
        source="Derived (brief A.6); the paper states the collapsed point is always fixed (§3.3).",
        assumptions="At rho = 1 attention is uniform, so q_A = sigma_V^2 exactly; R2: beta^2 = 1 - alpha^2.",
        steps=(
            Step(eq, "Collapsed norm map: attention injects sigma_V^2, the MLP sigma_2^2 E phi^2."),
            Step(sp.Eq(qs, target), "Solve the linear equation.", check=sp.simplify(sol - target) == 0),
            Step(
                tex_equation(r"\Lambda_a(q^*)", target_lam),
                "At q = q*, q_2 = q, so under R2 Lambda_a = (1 - alpha_A^2)(1 - alpha_M^2 + alpha_M^2 K/q_1*).",
                check=sp.simplify(lam_stat - target_lam) == 0,
            ),
        ),
        result=target,
    )
    return d, target


def _gains() -> Derivation:
    g_diff, g_comm = G_DIFF, G_COMM
    check_link = sp.simplify(g_diff * q / _q2 - LAMBDA_A) == 0
    check_ratio = sp.simplify(g_comm / g_diff - (1 + aA**2 * sV**2 / (bA**2 * q))) == 0
    formula = (
        r"\lambda_g(L;n) = \frac{1}{L}\log\frac{(n-1)\prod_{l<L} G_{\mathrm{diff}}(q_l) + "
        r"\prod_{l<L} G_{\mathrm{comm}}(q_l)}{n}"
    )
    return Derivation(
        id="transformer_geometry.gradient_gains",
        title="Gradient exponent: per-block Jacobian gains at collapse",
        paper="transformer_geometry",
        source="Paper §3.4 defines lambda_g by the growth of E||dX_L/dX_0||_F^2; the gains and the finite-depth "
        "form are derived here (brief A.8), the paper's gradient map could not be read.",
        assumptions="All tokens equal (collapse), norm^2/d = q; N'(x) = q^{-1/2}(I - x x^T/(d q)); the radial "
        "direction (one per token) is negligible at large d; tangents orthogonal to x are independent of the "
        "MLP's pre-activations.",
        steps=(
            Step(tex_equation(r"G_{\mathrm{diff}}", g_diff),
                 "Differential modes (sum_i dx_i = 0): attention's value path averages them to zero and the "
                 "softmax path multiplies x_j - x = 0; the MLP adds alpha_M^2 sigma_2^2 sigma_w^2 E phi'^2 / q_1."),  # fmt: skip
            Step(tex_equation(r"G_{\mathrm{comm}}", g_comm),
                 "Common mode (dx_i = dx): the logits shift by a row constant, so attention acts as W_V on "
                 "N'(x) dx, adding alpha_A^2 sigma_V^2 / q."),  # fmt: skip
            Step(tex_equation(r"G_{\mathrm{diff}}\,q/q_2", LAMBDA_A),
                 "The differential gain and the angle multiplier differ only by the norm change q/q_2; under R2 at "
                 "q* they coincide, log G_diff = lambda_a.", check=check_link),  # fmt: skip
            Step(tex_equation(r"G_{\mathrm{comm}}/G_{\mathrm{diff}}", 1 + aA**2 * sV**2 / (bA**2 * q)),
                 "The common mode always grows at least as fast.", check=check_ratio),  # fmt: skip
            Step(formula, "||J||_F^2 sums (n-1)d differential and d common directions; divide by nd "
                 "(per-entry normalisation) and take (1/L) log."),  # fmt: skip
        ),
        result=formula,
    )


def _small_alpha() -> Derivation:
    lam = sp.log(LAMBDA_A.subs(q, 1).subs({aA: alpha, aM: alpha}))
    coeff_target = s2**2 * (Kg - Kn) - sV**2
    c_r2 = sp.series(lam.subs({bA: sp.sqrt(1 - alpha**2), bM: sp.sqrt(1 - alpha**2)}), alpha, 0, 3).removeO()
    c_r1 = sp.series(lam.subs({bA: 1, bM: 1}), alpha, 0, 3).removeO()
    ok = sp.simplify(c_r2.coeff(alpha, 2) - coeff_target) == 0 and sp.simplify(c_r1.coeff(alpha, 2) - coeff_target) == 0
    ok = ok and sp.simplify(c_r2.coeff(alpha, 0)) == 0 and sp.simplify(c_r1.coeff(alpha, 0)) == 0
    return Derivation(
        id="transformer_geometry.small_alpha",
        title="Small-alpha law of the angle exponent and the alpha -> 0 edge of chaos",
        paper="transformer_geometry",
        source="Derived (brief A.7); consistent with the alpha ~ 1/sqrt(L) scaling attributed to the paper.",
        assumptions="q = 1, alpha_A = alpha_M = alpha -> 0; R1 or R2.",
        steps=(
            Step(tex_equation(r"\lambda_a", lam), "Angle exponent at q = 1."),
            Step(tex_equation(r"\lim_{\alpha\to 0}\lambda_a/\alpha^2", coeff_target),
                 "Series in alpha (sympy), for both residual conventions: the edge of chaos at alpha -> 0 is "
                 "sigma_2^2 (sigma_w^2 E phi'^2 - E phi^2) = sigma_V^2 (sigma_w = 3.377 for tanh, sigma_2 = sigma_V = 1).",
                 check=ok),  # fmt: skip
        ),
        result=coeff_target,
    )


ANGLE_EXPONENT = _angle()
NORM_FIXED_POINT, _ = _norm_fixed_point()
GRADIENT_GAINS = _gains()
SMALL_ALPHA = _small_alpha()


_ARGS = (q, aA, aM, bA, bM, sV, s2, Kn, Kg)
#: lambdified from the very expressions of the derivations above
angle_multiplier_fn = sp.lambdify(_ARGS, LAMBDA_A, "math")
g_diff_fn = sp.lambdify(_ARGS, G_DIFF, "math")
g_comm_fn = sp.lambdify(_ARGS, G_COMM, "math")
q_next_fn = sp.lambdify(_ARGS, Q_NEXT, "math")


def map_derivations() -> list[Derivation]:
    return [ANGLE_EXPONENT, NORM_FIXED_POINT, GRADIENT_GAINS, SMALL_ALPHA]


def derivations() -> list[Derivation]:
    """All sympy derivations of `theory.transformer_geometry` (rendered in the docs): the MLP
    kernels, then the collapsed-line linearisation."""
    return [*kernel_derivations(), *map_derivations()]
