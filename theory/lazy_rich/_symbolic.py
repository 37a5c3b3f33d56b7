"""The sympy derivations behind every closed form of `theory.lazy_rich`.

The expressions built here at import time are the very objects the numeric code
lambdifies (see `_single_neuron.py`, `_bias.py`, `_extensions.py`). The symbolic checks
(`Step.check`) are comparatively slow, so `derivations()` runs them once, on first call,
and caches the result.
"""

from __future__ import annotations

import functools

import sympy as sp

from theory._derivation import Derivation, Step
from theory.lazy_rich._deep_potential import deep_potential_derivation as _deep_potential_derivation

PAPER = "lazy_rich"
SOURCE = "Kunin et al. 2024, arXiv:2406.06158"

# --------------------------------------------------------------------------- symbols
t = sp.Symbol("t", nonnegative=True)
delta = sp.Symbol("delta", real=True)
eta_a, eta_w = sp.symbols("eta_a eta_w", positive=True)
s = sp.Symbol("s", nonnegative=True)  # ||beta*||
D = sp.Symbol("D", positive=True)  # sqrt(delta^2 + 4 s^2)
p0, a0 = sp.symbols("p_0 a_0", real=True)
q0 = sp.Symbol("q_0", nonnegative=True)  # ||w_perp(0)||
r = sp.Symbol("r", nonnegative=True)  # ||beta||
Sigma = sp.Symbol("Sigma", positive=True)
# auxiliary symbols of the numerically stable form (each evaluated with expm1 in numpy)
E, h1, h2, hq, eq = sp.symbols("E h_1 h_2 h_q e_q", positive=True)

# --------------------------------------------------------------------------- 1. conservation
_a = sp.Function("a")(t)
_w = [sp.Function(f"w_{i}")(t) for i in range(1, 4)]
_x = sp.symbols("g_1:4", real=True)  # X^T rho, arbitrary data-dependent vector
_g = [sp.Function(f"g_{i}")(t) for i in range(1, 4)]
DELTA_EXPR = eta_w * _a**2 - eta_a * sum(wi**2 for wi in _w)
_flow_a = -eta_a * sum(wi * gi for wi, gi in zip(_w, _g))
_flow_w = [-eta_w * _a * gi for gi in _g]


def _delta_derivation() -> Derivation:
    ddt = sp.diff(DELTA_EXPR, t)
    ddt = ddt.subs({sp.Derivative(_a, t): _flow_a, **{sp.Derivative(wi, t): fi for wi, fi in zip(_w, _flow_w)}})
    return Derivation(
        id="lazy_rich.conservation",
        title="The conserved quantity delta",
        paper=PAPER,
        source=f"{SOURCE}, Sec. 3 (Fig. 2 caption: delta = eta_w a^2 - eta_a ||w||^2)",
        assumptions=(
            "Two-layer linear network with one hidden neuron, f(x) = a w^T x, square loss "
            "L = 1/2 ||X a w - y||^2, gradient flow with layer learning rates eta_a, eta_w. "
            "g(t) = X^T (X a w - y) is the (arbitrary, data-dependent) back-propagated residual; "
            "shown for d = 3, the argument is the same for any d."
        ),
        steps=(
            Step(sp.Eq(sp.Derivative(_a, t), _flow_a), "gradient flow of the readout: da/dt = -eta_a w^T g"),
            Step(sp.Eq(sp.Derivative(_w[0], t), _flow_w[0]), "gradient flow of the first layer: dw/dt = -eta_w a g"),
            Step(
                sp.Eq(sp.Derivative(DELTA_EXPR, t), sp.simplify(ddt)),
                "differentiate delta and substitute both flows: the two terms cancel for any g(t)",
                check=sp.simplify(ddt) == 0,
            ),
        ),
        result=sp.Symbol("eta_w") * sp.Symbol("a") ** 2 - sp.Symbol("eta_a") * sp.Symbol("\\|w\\|") ** 2,
        notes="Because the data enter only through g(t), delta is conserved for every X and y.",
    )


# --------------------------------------------------------------------------- 2. NTK M(beta)
#: coefficients of M(beta) = c_iso I + c_rank1 bhat bhat^T, with Sigma = sqrt(delta^2 + 4 eta_a eta_w r^2)
SIGMA_EXPR = sp.sqrt(delta**2 + 4 * eta_a * eta_w * r**2)
NTK_ISO = (Sigma + delta) / 2
NTK_RANK1 = (Sigma - delta) / 2


def _ntk_derivation() -> Derivation:
    A2, W2 = sp.symbols("A W", positive=True)  # eta_w a^2 and eta_a ||w||^2
    # the two equations: A - W = delta and A W = eta_a eta_w ||beta||^2
    sol = sp.solve([sp.Eq(A2 - W2, delta), sp.Eq(A2 * W2, eta_a * eta_w * r**2)], [A2, W2], dict=True)
    good = [so for so in sol if sp.simplify(so[A2] + so[W2] - SIGMA_EXPR) == 0]
    ok_solve = len(good) == 1
    iso = good[0][A2] if ok_solve else sp.nan
    ok_iso = ok_solve and sp.simplify(iso - NTK_ISO.subs(Sigma, SIGMA_EXPR)) == 0
    ok_rank1 = ok_solve and sp.simplify(good[0][W2] - NTK_RANK1.subs(Sigma, SIGMA_EXPR)) == 0
    a_s, wn = sp.symbols("a \\|w\\|", positive=True)
    return Derivation(
        id="lazy_rich.ntk",
        title="The NTK as a function of beta alone",
        paper=PAPER,
        source=f"{SOURCE}, Sec. 3 (function-space dynamics)",
        assumptions="Single hidden neuron, beta = a w, delta conserved (previous derivation).",
        steps=(
            Step(
                r"\dot\beta = -M X^\top (X\beta - y)",
                "chain rule: d(a w)/dt = a dw/dt + w da/dt = -(eta_w a^2 I + eta_a w w^T) X^T rho",
            ),
            Step(
                r"M = \eta_w a^2 I + \eta_a \|w\|^2 \hat\beta\hat\beta^\top",
                "w is parallel to beta, so w w^T = ||w||^2 bhat bhat^T",
            ),
            Step(
                sp.Eq(sp.Symbol("A") - sp.Symbol("W"), delta),
                "A := eta_w a^2 and W := eta_a ||w||^2 differ by delta ...",
            ),
            Step(
                sp.Eq(sp.Symbol("A") * sp.Symbol("W"), eta_a * eta_w * r**2),
                "... and their product is eta_a eta_w ||beta||^2 (r = ||beta||)",
            ),
            Step(
                sp.Eq(sp.Symbol("A"), NTK_ISO.subs(Sigma, SIGMA_EXPR)),
                "the positive root of the quadratic (A + W = Sigma)",
                check=ok_solve and ok_iso,
            ),
            Step(
                sp.Eq(sp.Symbol("W"), NTK_RANK1.subs(Sigma, SIGMA_EXPR)),
                "and W = A - delta",
                check=ok_rank1,
            ),
        ),
        result=sp.Matrix([NTK_ISO, NTK_RANK1]).subs(Sigma, SIGMA_EXPR),
        notes=(
            "Result: the coefficients (c_iso, c_1) of M(beta) = c_iso I + c_1 bhat bhat^T. "
            "delta -> +inf gives M -> delta I (lazy, linear-regression kernel); delta -> -inf gives "
            "M -> |delta| bhat bhat^T (lazy, frozen direction); delta = 0 gives a beta-dependent kernel (rich)."
        ),
    )


# --------------------------------------------------------------------------- 3. exact solution (whitened)
_C = sp.cosh(D * t / 2)
_Sh = sp.sinh(D * t / 2)
#: exact, unnormalised linear solution R(t) = e^{At} Q0 in the (beta*-direction, readout) plane (unit lrs)
PBAR = _C * p0 + (2 * _Sh / D) * (s * a0 - delta * p0 / 2)
ABAR = _C * a0 + (2 * _Sh / D) * (s * p0 + delta * a0 / 2)
QBAR = sp.exp(-delta * t / 2) * q0
#: G(t) = 1 + int_0^t ||R||^2
G_EXPR = (
    1
    + (sp.sinh(D * t) / D) * (p0**2 + a0**2)
    + (2 * (sp.cosh(D * t) - 1) / D**2) * (2 * s * p0 * a0 + delta / 2 * (a0**2 - p0**2))
    + q0**2 * (1 - sp.exp(-delta * t)) / delta
)
#: numerically stable forms: PBAR e^{-Dt/2}, ABAR e^{-Dt/2}, QBAR e^{-Dt/2}, G e^{-Dt}
PBAR_STABLE = (1 + E) / 2 * p0 + h1 * (s * a0 - delta * p0 / 2)
ABAR_STABLE = (1 + E) / 2 * a0 + h1 * (s * p0 + delta * a0 / 2)
QBAR_STABLE = eq * q0
G_STABLE = E + h2 * (p0**2 + a0**2) + h1**2 * (2 * s * p0 * a0 + delta / 2 * (a0**2 - p0**2)) + hq * q0**2
#: cancellation-free form in the eigenbasis of B = [[-delta/2, s], [s, delta/2]] (eigenvalues +-D/2):
#: e_+ = (e_p, e_a), e_- = (-e_a, e_p), c_+- = e_+- . (p0, a0); every term of G e^{-Dt} is nonnegative
cp, cm, ep, ea = sp.symbols("c_+ c_- e_p e_a", real=True)
PBAR_EIG = cp * ep - cm * E * ea
ABAR_EIG = cp * ea + cm * E * ep
G_EIG = E + cp**2 * h1 + cm**2 * E * h1 + hq * q0**2
STABLE_AUX = {
    E: sp.exp(-D * t),
    h1: (1 - sp.exp(-D * t)) / D,
    h2: (1 - sp.exp(-2 * D * t)) / (2 * D),
    hq: sp.exp(-D * t) * (1 - sp.exp(-delta * t)) / delta,
    eq: sp.exp(-(delta + D) * t / 2),
}


def _zero(expr) -> bool:
    e = sp.simplify(sp.expand(sp.simplify(expr.rewrite(sp.exp))))
    return e == 0


def _solution_derivation() -> Derivation:
    # reduced flow in (p, a, q): p = w . bhat*, q = ||w_perp|| (unit learning rates)
    P, Aq, Qp = sp.symbols("p a q", real=True)
    dlt = Aq**2 - P**2 - Qp**2
    nq = P**2 + Aq**2 + Qp**2
    ok_lin = all(
        sp.simplify(lhs - rhs) == 0
        for lhs, rhs in [
            (-(Aq**2) * P + Aq * s, -dlt / 2 * P + s * Aq - nq / 2 * P),
            (-Aq * (P**2 + Qp**2) + s * P, dlt / 2 * Aq + s * P - nq / 2 * Aq),
            (-(Aq**2) * Qp, -dlt / 2 * Qp - nq / 2 * Qp),
        ]
    )
    # R' = A R
    sub_s = {s: sp.sqrt(D**2 - delta**2) / 2}
    ok_R = (
        _zero((sp.diff(PBAR, t) - (-delta / 2 * PBAR + s * ABAR)).subs(sub_s))
        and _zero((sp.diff(ABAR, t) - (s * PBAR + delta / 2 * ABAR)).subs(sub_s))
        and _zero(sp.diff(QBAR, t) + delta / 2 * QBAR)
    )
    ok_init = all(sp.simplify(e.subs(t, 0)) == v for e, v in [(PBAR, p0), (ABAR, a0), (QBAR, q0)]) and sp.limit(
        G_EXPR, t, 0
    ) == 1
    ok_G = _zero((sp.diff(G_EXPR, t) - (PBAR**2 + ABAR**2 + QBAR**2)).subs(sub_s))
    # Q = g R with 1/g^2 = G solves Q' = A Q - 1/2 |Q|^2 Q: checked with abstract functions
    g = sp.Function("g")(t)
    Rf = sp.Function("R")(t)
    Gf = sp.Function("G")(t)
    lam = sp.Symbol("lambda")  # R' = lam R along an eigen-direction suffices (A is linear)
    Qf = Rf / sp.sqrt(Gf)
    resid = sp.diff(Qf, t) - (lam * Qf - Rf**2 / Gf / 2 * Qf)
    resid = resid.subs({sp.Derivative(Rf, t): lam * Rf, sp.Derivative(Gf, t): Rf**2})
    ok_lemma = sp.simplify(resid) == 0
    # the stable form is the exact one times e^{-Dt/2} (numerators) and e^{-Dt} (G)
    ok_stable = (
        _zero((PBAR_STABLE.subs(STABLE_AUX) - PBAR * sp.exp(-D * t / 2)))
        and _zero((ABAR_STABLE.subs(STABLE_AUX) - ABAR * sp.exp(-D * t / 2)))
        and _zero((QBAR_STABLE.subs(STABLE_AUX) - QBAR * sp.exp(-D * t / 2)))
        and _zero((G_STABLE.subs(STABLE_AUX) - G_EXPR * sp.exp(-D * t)))
    )
    # eigenbasis form (e_+ = (s, (D + delta)/2)/norm; the code uses the proportional ((D - delta)/2, s) when delta < 0)
    nrm = sp.sqrt(D * (D + delta) / 2)
    eig = {ep: s / nrm, ea: (D + delta) / 2 / nrm}
    eig[cp] = eig[ep] * p0 + eig[ea] * a0
    eig[cm] = -eig[ea] * p0 + eig[ep] * a0
    aux = {E: sp.exp(-D * t), h1: (1 - sp.exp(-D * t)) / D, hq: STABLE_AUX[hq]}
    sub_s2 = {s: sp.sqrt(D**2 - delta**2) / 2}
    ok_eig = (
        _zero((PBAR_EIG.subs(eig).subs(aux) - PBAR * sp.exp(-D * t / 2)).subs(sub_s2))
        and _zero((ABAR_EIG.subs(eig).subs(aux) - ABAR * sp.exp(-D * t / 2)).subs(sub_s2))
        and _zero((G_EIG.subs(eig).subs(aux) - G_EXPR * sp.exp(-D * t)).subs(sub_s2))
    )
    Qv = sp.Symbol("Q")
    return Derivation(
        id="lazy_rich.exact_solution",
        title="Exact solution for whitened inputs (every delta, every learning rate)",
        paper=PAPER,
        source=f"{SOURCE}, Sec. 4 (exact solutions, whitened X^T X = I); this form is the brief's derivation [D]",
        assumptions=(
            "X^T X = I, beta* = X^T y, s = ||beta*||. Unit learning rates: the substitution a -> a/sqrt(eta_a), "
            "w -> w/sqrt(eta_w), beta* -> beta*/sqrt(eta_a eta_w), delta -> delta/(eta_a eta_w), "
            "t -> eta_a eta_w t maps the general case onto this one. Coordinates: p = w . beta*/s, "
            "q = ||w_perp||, D = sqrt(delta^2 + 4 s^2)."
        ),
        steps=(
            Step(
                sp.Eq(sp.Symbol("\\dot Q"), sp.Symbol("A Q - \\tfrac12 \\|Q\\|^2 Q")),
                "with Q = (w; a), a^2 = (|Q|^2 + delta)/2 and |w|^2 = (|Q|^2 - delta)/2 the flow becomes "
                "linear plus a radial cubic term, A = [[-delta/2 I, beta*], [beta*^T, delta/2]] "
                "(checked in the (p, a, q) coordinates)",
                check=ok_lin,
            ),
            Step(
                sp.Eq(Qv, sp.Symbol("e^{At} Q_0 / \\sqrt{1 + \\int_0^t \\|e^{As} Q_0\\|^2 ds}")),
                "write Q = g R with R' = A R; then d(1/g^2)/dt = |R|^2 (checked with abstract R, G)",
                check=ok_lemma,
            ),
            Step(sp.Eq(sp.Symbol("\\bar p"), PBAR), "e^{At} on the (p, a) plane: B^2 = (D/2)^2 I", check=ok_R),
            Step(sp.Eq(sp.Symbol("\\bar a"), ABAR), "the readout component of e^{At} Q_0", check=ok_R),
            Step(sp.Eq(sp.Symbol("\\bar q"), QBAR), "the orthogonal part only decays at rate delta/2", check=ok_R),
            Step(
                sp.Eq(sp.Symbol("G"), G_EXPR),
                "G = 1 + int |R|^2; dG/dt = pbar^2 + abar^2 + qbar^2 and G(0) = 1",
                check=ok_G and ok_init,
            ),
            Step(
                sp.Eq(sp.Symbol("G e^{-Dt}"), G_STABLE),
                "stable form: multiply numerators by e^{-Dt/2} and G by e^{-Dt}; every auxiliary term "
                "(E = e^{-Dt}, h1 = (1-E)/D, h2 = (1-E^2)/(2D), hq = E (1-e^{-delta t})/delta, "
                "e_q = e^{-(delta+D)t/2}) is bounded because D >= |delta|",
                check=ok_stable,
            ),
            Step(
                sp.Eq(sp.Symbol("G e^{-Dt}"), G_EIG),
                "cancellation-free form: expand (p0, a0) = c_+ e_+ + c_- e_- in the orthonormal eigenvectors of "
                "B (eigenvalues +-D/2); then |e^{Bt} v|^2 = c_+^2 e^{Dt} + c_-^2 e^{-Dt} and every term is nonnegative "
                "(this is what the code evaluates; it stays accurate near the basin-separating surface c_+ = 0)",
                check=ok_eig,
            ),
        ),
        result=sp.Matrix([PBAR_EIG, ABAR_EIG, QBAR_STABLE, G_EIG]),
        notes=(
            "a(t) = abar/sqrt(G), w(t) = (pbar bhat* + e^{-delta t/2} w_perp(0))/sqrt(G). "
            "The result vector holds the eigenbasis form of (pbar, abar, qbar, G), all scaled by e^{-Dt/2} "
            "(numerators) and e^{-Dt} (G), that the code lambdifies."
        ),
    )


# --------------------------------------------------------------------------- 4. reduced (mu, phi) system
MU_DOT = Sigma * (sp.Symbol("phi") * s - sp.Symbol("mu"))
PHI_DOT = (delta + Sigma) / (2 * sp.Symbol("mu")) * s * (1 - sp.Symbol("phi") ** 2)


def _reduced_derivation() -> Derivation:
    av, w1, w2 = sp.symbols("a w_1 w_2", real=True)
    # beta* = s e_1, d = 2, unit learning rates
    wn = sp.sqrt(w1**2 + w2**2)
    adot = -av * wn**2 + w1 * s
    w1dot = -(av**2) * w1 + av * s
    w2dot = -(av**2) * w2
    mu = av * wn
    phi = w1 / wn
    mudot = sp.diff(mu, av) * adot + sp.diff(mu, w1) * w1dot + sp.diff(mu, w2) * w2dot
    phidot = sp.diff(phi, w1) * w1dot + sp.diff(phi, w2) * w2dot
    sig = av**2 + wn**2  # = sqrt(delta^2 + 4 mu^2)
    dl = av**2 - wn**2
    ok_sigma = sp.simplify(sig**2 - (dl**2 + 4 * mu**2)) == 0
    ok_mu = sp.simplify(mudot - sig * (phi * s - mu)) == 0
    ok_phi = sp.simplify(phidot - (dl + sig) / (2 * mu) * s * (1 - phi**2)) == 0
    return Derivation(
        id="lazy_rich.reduced",
        title="Reduced dynamics of the signed magnitude mu and the alignment phi",
        paper=PAPER,
        source=f"{SOURCE}, Sec. 4 (mu, phi of Fig. 3); brief's derivation [D]",
        assumptions="Whitened inputs, mu = a ||w||, phi = w.beta*/(||w|| s); shown for d = 2, beta* = s e_1, unit lrs.",
        steps=(
            Step(sp.Eq(Sigma, sp.Symbol("a^2 + \\|w\\|^2")), "Sigma^2 = delta^2 + 4 mu^2", check=ok_sigma),
            Step(sp.Eq(sp.Symbol("\\dot\\mu"), MU_DOT), "chain rule on mu = a ||w||", check=ok_mu),
            Step(sp.Eq(sp.Symbol("\\dot\\phi"), PHI_DOT), "chain rule on phi", check=ok_phi),
        ),
        result=sp.Matrix([MU_DOT, PHI_DOT]),
        notes="With learning rates, Sigma = sqrt(delta^2 + 4 eta_a eta_w mu^2) and the same equations hold.",
    )


# --------------------------------------------------------------------------- 5. Riccati and balanced forms
zeta0 = sp.Symbol("zeta_0", real=True)
RICCATI_TANH = (-delta + D * sp.tanh(D * t / 2 + sp.atanh((delta + 2 * zeta0) / D))) / 2
RICCATI_COTH = (-delta + D * sp.coth(D * t / 2 + sp.acoth((delta + 2 * zeta0) / D))) / 2
u = sp.Symbol("u", real=True)
u0 = sp.Symbol("u_0", real=True)
mu0 = sp.Symbol("mu_0", positive=True)
BAL_C = s * (1 + sp.cosh(2 * u0)) / mu0 - 2 * u0 - sp.sinh(2 * u0)
BAL_MU = s * (1 + sp.cosh(2 * u)) / (2 * u + sp.sinh(2 * u) + sp.Symbol("c"))


def _riccati_derivation() -> Derivation:
    z = sp.Function("zeta")(t)
    sub_s = {s: sp.sqrt(D**2 - delta**2) / 2}
    ric = lambda Z: sp.diff(Z, t) - (s**2 - delta * Z - Z**2)  # noqa: E731
    ok_tanh = _zero(ric(RICCATI_TANH).subs(sub_s))
    ok_coth = _zero(ric(RICCATI_COTH).subs(sub_s))
    ok_init = sp.simplify(RICCATI_TANH.subs(t, 0) - zeta0) == 0
    # balanced: u = u0 + s t, mu(u) solves dmu/dt = 2 mu (s tanh(u) - mu)
    mu_t = BAL_MU.subs(u, u0 + s * t)
    ok_bal = sp.simplify((sp.diff(mu_t, t) - 2 * mu_t * (s * sp.tanh(u0 + s * t) - mu_t)).rewrite(sp.exp)) == 0
    ok_bal0 = sp.simplify(BAL_MU.subs(sp.Symbol("c"), BAL_C).subs(u, u0) - mu0) == 0
    return Derivation(
        id="lazy_rich.riccati_balanced",
        title="Riccati form of zeta = w.beta*/a and the balanced closed form",
        paper=PAPER,
        source=f"{SOURCE}, App. (official single-neuron notebook: Riccati and balanced theory)",
        assumptions="Whitened inputs, unit learning rates; balanced form: delta = 0 and a_0 > 0.",
        steps=(
            Step(sp.Eq(sp.Symbol("\\dot\\zeta"), s**2 - delta * zeta0 - zeta0**2), "zeta' = s^2 - delta zeta - zeta^2 (quotient rule on w.beta*/a)"),
            Step(sp.Eq(sp.Symbol("\\zeta_{tanh}"), RICCATI_TANH), "tanh branch, |delta + 2 zeta_0| < D", check=ok_tanh and ok_init),
            Step(sp.Eq(sp.Symbol("\\zeta_{coth}"), RICCATI_COTH), "coth branch, |delta + 2 zeta_0| > D", check=ok_coth),
            Step(
                sp.Eq(sp.Symbol("\\mu"), BAL_MU),
                "delta = 0: phi = tanh(u), u = artanh(phi_0) + s t, and 1/mu obeys a linear ODE "
                "(integrating factor cosh^2 u)",
                check=ok_bal and ok_bal0,
            ),
        ),
        result=sp.Matrix([RICCATI_TANH, BAL_MU.subs(sp.Symbol("c"), BAL_C)]),
    )


# --------------------------------------------------------------------------- 6. kernel distance
def _kernel_derivation() -> Derivation:
    d = 3
    al, ga = sp.symbols("alpha gamma", real=True)
    uu = sp.Matrix(sp.symbols("u_1:4", real=True))
    vv = sp.Matrix(sp.symbols("v_1:4", real=True))
    M1 = al * sp.eye(d) + uu * uu.T
    M2 = ga * sp.eye(d) + vv * vv.T
    tr = (M1 * M2).trace()
    formula = d * al * ga + al * vv.dot(vv) + ga * uu.dot(uu) + uu.dot(vv) ** 2
    ok = sp.expand(tr - formula) == 0
    return Derivation(
        id="lazy_rich.kernel_distance",
        title="Kernel distance of the single neuron on d x d kernels",
        paper=PAPER,
        source=f"{SOURCE}, Fig. 3 (S(0,t)), definition after Fort et al. 2020",
        assumptions="Whitened inputs: tr(X M1 X^T X M2 X^T) = tr(M1 M2); M = eta_w a^2 I + eta_a w w^T (d = 3 shown).",
        steps=(
            Step(
                sp.Eq(sp.Symbol("tr(M_1 M_2)"), formula),
                "alpha = eta_w a_1^2, u = sqrt(eta_a) w_1; gamma = eta_w a_2^2, v = sqrt(eta_a) w_2",
                check=ok,
            ),
        ),
        result=sp.Symbol("S") - (1 - sp.Symbol("tr(M_0 M_t)") / (sp.Symbol("||M_0||_F") * sp.Symbol("||M_t||_F"))),
    )


# --------------------------------------------------------------------------- 7. mirror potential
SIGMA_R = sp.sqrt(delta**2 + 4 * r**2)
PHI_POT = sp.Rational(1, 3) * (SIGMA_R - 2 * delta) * sp.sqrt((SIGMA_R + delta) / 2)
PHI_GRAD = sp.sqrt((SIGMA_R - delta) / 2)  # radial derivative: grad Phi = PHI_GRAD * bhat
uu_ = sp.Symbol("\\|u\\|", nonnegative=True)
PHI_CONJ = sp.Rational(1, 3) * (delta + uu_**2) ** sp.Rational(3, 2)


def _potential_derivation() -> Derivation:
    # both sides are nonnegative, so comparing squares suffices (sympy does not denest the roots)
    dphi = sp.diff(PHI_POT, r)
    ok_grad = sp.simplify(sp.expand(dphi**2 - PHI_GRAD**2)) == 0 and bool(
        all(dphi.subs({delta: dv, r: rv}).evalf() >= 0 for dv in (-2, 0, 3) for rv in (0.1, 2))
    )
    # inverse of the mirror map: u = PHI_GRAD  =>  beta = sqrt(delta + u^2) u has norm r
    inv = sp.sqrt(delta + PHI_GRAD**2) * PHI_GRAD
    ok_inv = sp.simplify(sp.expand(inv**2 - r**2)) == 0
    ok_conj_grad = sp.simplify(sp.diff(PHI_CONJ, uu_) - sp.sqrt(delta + uu_**2) * uu_) == 0
    d2 = sp.simplify(sp.diff(PHI_GRAD, r))
    # convexity: the radial profile's derivative is sqrt((Sigma-delta)/2) >= 0 and increasing in r
    ok_convex = sp.simplify(d2 - 2 * r / (SIGMA_R * sp.sqrt(2 * (SIGMA_R - delta)))) == 0
    ok_bal = sp.simplify(PHI_POT.subs(delta, 0) - sp.Rational(2, 3) * r ** sp.Rational(3, 2)) == 0
    return Derivation(
        id="lazy_rich.potential",
        title="Mirror potential Phi_delta and its gradient (implicit bias for low-rank X)",
        paper=PAPER,
        source=f"{SOURCE}, Thm. (time-warped mirror flow; extends Azulay et al. 2021 Thm. 2 to delta < 0)",
        assumptions=(
            "Unit learning rates; a keeps its sign along the flow. Since dw/dt = -a X^T rho, sign(a) w "
            "= ||w|| bhat is the mirror variable, and ||w|| = sqrt((Sigma - delta)/2)."
        ),
        steps=(
            Step(sp.Eq(sp.Symbol("\\Phi_\\delta"), PHI_POT), "the radial potential (brief's normalisation; the paper's is sqrt(2) times)"),
            Step(
                sp.Eq(sp.Symbol("\\partial_r \\Phi_\\delta"), PHI_GRAD),
                "its radial derivative equals ||w||, so grad Phi(beta) = sign(a) w and d/dt grad Phi = -|a| X^T rho",
                check=ok_grad,
            ),
            Step(
                sp.Eq(sp.Symbol("\\partial_r^2 \\Phi_\\delta"), d2),
                "positive for r > 0: the radial profile is convex and nondecreasing, so Phi_delta is convex",
                check=ok_convex,
            ),
            Step(
                sp.Eq(sp.Symbol("\\Phi^*_\\delta"), PHI_CONJ),
                "convex conjugate: its gradient sqrt(delta + |u|^2) u inverts the mirror map (dual of the implicit-bias problem)",
                check=ok_inv and ok_conj_grad,
            ),
            Step(sp.Eq(sp.Symbol("\\Phi_0"), sp.Rational(2, 3) * r ** sp.Rational(3, 2)), "balanced case", check=ok_bal),
        ),
        result=PHI_POT,
        notes=(
            "Implicit bias: beta_inf = argmin_{X beta = y} Phi_delta(beta) - grad Phi_delta(beta_0)^T beta; "
            "solved through the smooth dual min_lambda Phi*(grad Phi(beta_0) + X^T lambda) - lambda^T y."
        ),
    )


# --------------------------------------------------------------------------- 8. hyperbolic entropy (multi-output)
sigma = sp.Symbol("sigma", positive=True)
kk = sp.Symbol("k", positive=True)  # sqrt(eta_a eta_w)
gam = sp.Symbol("gamma", positive=True)  # |delta| / (2k)
PSI = (sigma * sp.asinh(sigma / gam) - sp.sqrt(sigma**2 + gam**2)) / (2 * kk)


def _entropy_derivation() -> Derivation:
    ok1 = sp.simplify(sp.diff(PSI, sigma) - sp.asinh(sigma / gam) / (2 * kk)) == 0
    dl = sp.Symbol("delta_abs", positive=True)
    second = sp.diff(PSI, sigma, 2).subs(gam, dl / (2 * kk))
    ok2 = sp.simplify(second - 1 / sp.sqrt(dl**2 + 4 * kk**2 * sigma**2)) == 0
    return Derivation(
        id="lazy_rich.hyperbolic_entropy",
        title="Multi-output singular values: mirror flow with the hyperbolic entropy",
        paper=PAPER,
        source=f"{SOURCE}, Sec. 5 (multiple outputs: 'a mirror flow with a hyperbolic entropy potential')",
        assumptions=(
            "Delta = eta_w A^T A - eta_a W W^T = delta I, square shapes, beta_0 and beta* share singular vectors, "
            "whitened inputs. Then each singular value is a single-neuron problem in d = 1: "
            "sigma' = -sqrt(delta^2 + 4 eta_a eta_w sigma^2)(sigma - sigma*)."
        ),
        steps=(
            Step(sp.Eq(sp.Symbol("\\psi'"), sp.asinh(sigma / gam) / (2 * kk)), "first derivative", check=ok1),
            Step(
                sp.Eq(sp.Symbol("\\psi''"), 1 / sp.sqrt(dl**2 + 4 * kk**2 * sigma**2)),
                "with gamma = |delta|/(2k): psi''(sigma) sigma' = -(sigma - sigma*) is the singular-value ODE",
                check=ok2,
            ),
        ),
        result=PSI,
        notes="gamma -> inf: psi ~ -gamma/(2k) + sigma^2/(4 k gamma) (l2, lazy); gamma -> 0: psi ~ sigma log(1/gamma)/(2k) (l1, rich).",
    )


# --------------------------------------------------------------------------- 9. deep linear conservation
def _deep_derivation() -> Derivation:
    # two adjacent layers of a linear chain f = C W2 W1 B (C, B: the rest of the chain), generic 2x2 blocks
    n = 2
    W1 = sp.Matrix(n, n, sp.symbols("x1:5", real=True))
    W2 = sp.Matrix(n, n, sp.symbols("z1:5", real=True))
    Cm = sp.Matrix(n, n, sp.symbols("c1:5", real=True))
    Bm = sp.Matrix(n, n, sp.symbols("b1:5", real=True))
    Gm = sp.Matrix(n, n, sp.symbols("g1:5", real=True))  # dL/d(product)
    e1, e2 = sp.symbols("eta_1 eta_2", positive=True)
    grad1 = (Cm * W2).T * Gm * Bm.T  # dL/dW1
    grad2 = Cm.T * Gm * (W1 * Bm).T  # dL/dW2
    W1d, W2d = -e1 * grad1, -e2 * grad2
    Dl = e1 * W2.T * W2 - e2 * W1 * W1.T
    dD = e1 * (W2d.T * W2 + W2.T * W2d) - e2 * (W1d * W1.T + W1 * W1d.T)
    ok = all(sp.expand(x) == 0 for x in dD)
    Du = W2.T * W2 - W1 * W1.T
    dDu = W2d.T * W2 + W2.T * W2d - (W1d * W1.T + W1 * W1d.T)
    not_cons = any(sp.expand(x.subs(e2, 2 * e1)) != 0 for x in dDu)
    return Derivation(
        id="lazy_rich.deep_conservation",
        title="Conserved matrices of deep linear networks",
        paper=PAPER,
        source=f"{SOURCE}, Sec. 5 (wide and deep networks)",
        assumptions="f = W_L ... W_1 x, gradient flow with per-layer learning rates eta_l; shown for generic 2x2 blocks.",
        steps=(
            Step(
                sp.Eq(sp.Symbol("\\Delta_l"), sp.Symbol("eta_l W_{l+1}^T W_{l+1} - eta_{l+1} W_l W_l^T")),
                "the learning-rate-weighted difference of adjacent Gram matrices",
            ),
            Step(sp.Eq(sp.Symbol("\\dot\\Delta_l"), 0), "W_{l+1}^T grad_{l+1} = grad_l W_l^T for any loss", check=ok),
            Step(
                sp.Eq(sp.Symbol("\\frac{d}{dt}(W_{l+1}^TW_{l+1} - W_lW_l^T)"), sp.Symbol("\\neq 0")),
                "the unweighted difference is not conserved when eta_l != eta_{l+1} (eta_2 = 2 eta_1 shown)",
                check=not_cons,
            ),
        ),
        result=Dl,
    )


@functools.cache
def derivations() -> list[Derivation]:
    """All derivations of the paper, with their symbolic checks run (cached after the first call)."""
    return [
        _delta_derivation(),
        _ntk_derivation(),
        _solution_derivation(),
        _reduced_derivation(),
        _riccati_derivation(),
        _kernel_derivation(),
        _potential_derivation(),
        _entropy_derivation(),
        _deep_derivation(),
        _deep_potential_derivation(),  # issue 18: theory/lazy_rich/_deep_potential.py
    ]
