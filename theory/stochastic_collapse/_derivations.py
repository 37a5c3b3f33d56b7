"""The sympy derivations behind `theory.stochastic_collapse` (rendered into the docs).

Every `check=` below is computed by sympy at import time; tests assert they are all True.
"""

from __future__ import annotations

import functools

import sympy as sp

from theory._derivation import Derivation, Step
from theory.stochastic_collapse._invariance import TwoLayerNet, check_invariance, normal_gradient, perm_set, sign_set
from theory.stochastic_collapse._toys import attractivity_1d

__all__ = ["derivations"]

_PAPER = "stochastic_collapse"


def _zero(expr) -> bool:
    """True iff `expr` (a scalar or a matrix) simplifies to zero."""
    if isinstance(expr, sp.MatrixBase):
        return all(sp.simplify(e) == 0 for e in expr)
    return sp.simplify(expr) == 0


def _attractivity() -> Derivation:
    t, h, g2 = sp.symbols("theta h g2", real=True)
    th = sp.Symbol("theta", positive=True)
    D2 = sp.Symbol("D2", nonnegative=True)  # D''(0)
    # Ito formula for f = log theta with d theta = a dt + b dW
    a, b = -h * th, sp.sqrt(D2) * th
    f = sp.log(th)
    ito_drift = sp.diff(f, th) * a + sp.diff(f, th, 2) * b**2 / 2
    ito_noise = sp.diff(f, th) * b
    lam = -(h + D2 / 2)
    return Derivation(
        id="stochastic_collapse.attractivity_1d",
        title="1-D attractivity: curvature against noise",
        paper=_PAPER,
        source="Chen et al. 2023, §4 (criterion alpha = L''(0) + D''(0)/2 > 0 as quoted in the paper's summary); linearisation ours",
        assumptions="Itô SGF d theta = -L'(theta) dt + sqrt(2 D(theta)) dW with L'(0) = 0 and D(0) = D'(0) = 0 "
        "(theta = 0 is invariant); h = L''(0).",
        steps=(
            Step(sp.Eq(sp.Symbol("sqrt(2D(theta))"), sp.sqrt(D2) * th), "Taylor: D(theta) = D''(0) theta^2/2 + O(theta^3), so the noise is linear in theta"),
            Step(
                sp.Eq(sp.Symbol("d log theta / dt (drift)"), ito_drift),
                "Itô's formula for log theta on the linearised SDE d theta = -h theta dt + sqrt(D''(0)) theta dW",
                check=_zero(ito_drift - lam),
            ),
            Step(sp.Eq(sp.Symbol("d log theta (noise)"), ito_noise), "noise of log theta is a constant times dW: log theta is a Brownian motion with drift", check=_zero(ito_noise - sp.sqrt(D2))),
            Step(sp.Eq(sp.Symbol("lambda"), lam), "Lyapunov exponent = drift of log theta; collapse iff lambda < 0, i.e. alpha = h + D''(0)/2 > 0"),
            Step(
                sp.Eq(sp.Symbol("alpha"), attractivity_1d(h * t**2 / 2, g2 * t**2 / 2, t)),
                "check of `attractivity_1d` on L = h theta^2/2, D = g2 theta^2/2",
                check=_zero(attractivity_1d(h * t**2 / 2, g2 * t**2 / 2, t) - (h + g2 / 2)),
            ),
        ),
        result=sp.Eq(sp.Symbol("alpha"), sp.Symbol("L''(0)") + sp.Symbol("D''(0)") / 2),
        notes="A Stratonovich reading of the same noise has drift -h for log theta: collapse by noise is an Itô effect. "
        "A saddle or maximum (h < 0) becomes attractive once D''(0)/2 > |h|.",
    )


def _quartic() -> Derivation:
    th = sp.Symbol("theta", positive=True)
    mu, zeta, eps = sp.symbols("mu zeta epsilon", positive=True)
    L = th**4 / 4 - mu * th**2 / 2
    D = zeta**2 * th**2 / 2
    alpha = attractivity_1d(L, D, th)
    f, g = -sp.diff(L, th), zeta * th
    p = th ** (2 * mu / zeta**2 - 2) * sp.exp(-(th**2) / zeta**2)
    flux = f * p - sp.diff(g**2 * p, th) / 2
    a = mu / zeta**2 - sp.Rational(1, 2)
    mass = zeta ** (2 * a) * sp.lowergamma(a, eps**2 / zeta**2) / 2
    zstar = sp.solve(sp.Eq(alpha, 0), zeta)
    return Derivation(
        id="stochastic_collapse.quartic",
        title="Quartic well: a local maximum made attractive by noise",
        paper=_PAPER,
        source="Chen et al. 2023, §4 and Fig. 1 (model and settings from the official notebook Fig1.ipynb); threshold and stationary law derived here",
        assumptions="L(theta) = theta^4/4 - mu theta^2/2 (origin a local maximum), d theta = -L' dt + zeta theta dW (Itô), mu > 0.",
        steps=(
            Step(sp.Eq(sp.Symbol("alpha"), alpha), "attractivity_1d with D = zeta^2 theta^2 / 2", check=_zero(alpha - (zeta**2 / 2 - mu))),
            Step(sp.Eq(sp.Symbol("zeta^*"), zstar[0]), "alpha = 0 at the noise threshold", check=len(zstar) == 1 and _zero(zstar[0] - sp.sqrt(2 * mu))),
            Step(
                sp.Eq(sp.Symbol("J[p]"), sp.simplify(flux)),
                "below threshold, p = theta^(2mu/zeta^2 - 2) exp(-theta^2/zeta^2) has zero probability flux f p - (g^2 p)'/2",
                check=_zero(flux),
            ),
            Step(
                sp.Eq(sp.Derivative(sp.Symbol("M(epsilon)"), eps), sp.simplify(sp.diff(mass, eps))),
                "M(eps) = zeta^(2a) lowergamma(a, eps^2/zeta^2)/2, a = mu/zeta^2 - 1/2, is the antiderivative of p; "
                "normalising by M(inf) = zeta^(2a) Gamma(a)/2 gives P(|theta| < eps) = P(a, eps^2/zeta^2) (normalisable iff a > 0 iff zeta < zeta^*)",
                check=_zero(sp.diff(mass, eps) - p.subs(th, eps)),
            ),
        ),
        result=sp.Eq(sp.Symbol("zeta^*"), sp.sqrt(2 * mu)),
    )


def _neuron() -> Derivation:
    m = 3
    xs = sp.symbols(f"x1:{m + 1}", real=True)
    ys = sp.symbols(f"y1:{m + 1}", real=True)
    w1, w2 = sp.symbols("w1 w2", real=True)
    eta, zeta = sp.symbols("eta zeta", positive=True)
    yhat = [w2 * sp.tanh(w1 * x) for x in xs]
    L = sum((yh - y) ** 2 for yh, y in zip(yhat, ys)) / (2 * m)
    drift = sp.Matrix([-sp.diff(L, w1), -sp.diff(L, w2)])
    Jd = drift.jacobian([w1, w2]).subs({w1: 0, w2: 0})
    sxy = sum(x * y for x, y in zip(xs, ys))
    sxx = sum(x * x for x in xs)
    s = sxy / m
    J = sp.Matrix([[0, 1], [1, 0]])
    cols = [sp.sqrt(eta) * zeta / sp.sqrt(m) * sp.Matrix([sp.diff(yh, w1), sp.diff(yh, w2)]) for yh in yhat]
    col_jac_ok = all(
        _zero(sp.Matrix(c.jacobian([w1, w2]).subs({w1: 0, w2: 0})) - sp.sqrt(eta) * zeta / sp.sqrt(m) * x * J) for c, x in zip(cols, xs)
    )
    c2 = eta * zeta**2 * sxx / m
    lam_plus = s - c2 / 2
    eta_star = sp.solve(sp.Eq(lam_plus, 0), eta)
    return Derivation(
        id="stochastic_collapse.single_neuron",
        title="Single tanh neuron: an attractive saddle",
        paper=_PAPER,
        source="Chen et al. 2023, Fig. 2 ('Theorem 5.1' per the notebook legend; SDE from the official Fig2.ipynb: "
        "diffusion column i = sqrt(eta) zeta grad yhat_i / sqrt(m)); linearisation and threshold derived here, "
        "and consistent with the notebook's x-axis eta zeta^2 sigma'(0)/2 against sum xy / sum x^2",
        assumptions="yhat = w2 tanh(w1 x), L = (1/2m) sum (yhat_i - y_i)^2, label noise zeta, m = 3 symbolic samples (the algebra is the same for any m).",
        steps=(
            Step(sp.Eq(sp.Symbol("J_drift(0)"), Jd), "Jacobian of -grad L at w = 0 is s [[0,1],[1,0]]: a saddle with Hessian eigenvalues -+s", check=_zero(Jd - s * J)),
            Step(
                sp.Eq(sp.Symbol("J_col_i(0)"), sp.sqrt(eta) * zeta * sp.Symbol("x_i") / sp.sqrt(m) * J),
                "Jacobian of each diffusion column at 0 is sqrt(eta) zeta x_i J / sqrt(m); the m Brownian motions combine into one, c dB",
                check=col_jac_ok,
            ),
            Step(sp.Eq(sp.Symbol("c^2"), c2), "c^2 = eta zeta^2 sum x^2 / m (times sigma'(0)^2 = 1)"),
            Step(
                sp.Eq(sp.Symbol("lambda_plus"), lam_plus),
                "along (1,1), u = w1 + w2 obeys du = u (s dt + c dB): exponent s - c^2/2 (along (1,-1): -s - c^2/2 < 0)",
            ),
            Step(sp.Eq(eta, eta_star[0]), "lambda_plus = 0 gives the learning-rate threshold", check=len(eta_star) == 1 and _zero(eta_star[0] - 2 * sxy / (zeta**2 * sxx))),
        ),
        result=sp.Eq(sp.Symbol("eta^*"), 2 * sp.Symbol("Sum(x*y)") / (zeta**2 * sp.Symbol("sigma'(0)") * sp.Symbol("Sum(x^2)"))),
    )


def _sgd_neuron() -> Derivation:
    w1, w2, eta, zeta = sp.symbols("w1 w2 eta zeta", real=True)
    B = 2
    xs = sp.symbols(f"x1:{B + 1}", real=True)
    ys = sp.symbols(f"y1:{B + 1}", real=True)
    es = sp.symbols(f"e1:{B + 1}", real=True)
    lb = sum((w2 * sp.tanh(w1 * x) - (y + zeta * e)) ** 2 for x, y, e in zip(xs, ys, es)) / (2 * B)
    step = sp.Matrix([w1 - eta * sp.diff(lb, w1), w2 - eta * sp.diff(lb, w2)])
    Js = step.jacobian([w1, w2]).subs({w1: 0, w2: 0})
    sB = sum(x * (y + zeta * e) for x, y, e in zip(xs, ys, es)) / B
    J = sp.Matrix([[0, 1], [1, 0]])
    a, b, Z, h = sp.symbols("a b Z h", real=True)
    ser = sp.series(sp.log(1 + h * (a + b * Z)), h, 0, 3).removeO()
    # E over Z ~ N(0,1): E Z = 0, E Z^2 = 1
    ser_e = sp.expand(ser).subs(Z**2, 1).subs(Z, 0)
    root = sp.solve(sp.Eq(sp.simplify(ser_e / h), 0), h)
    return Derivation(
        id="stochastic_collapse.sgd_neuron",
        title="Discrete SGD on the single neuron: the exact criterion is a Lyapunov exponent",
        paper=_PAPER,
        source="Our extension (brief B.4.3) of the paper's SDE analysis to finite learning rate and batch size",
        assumptions="One SGD step on a batch of B samples (B = 2 symbolic here) with fresh label noise zeta e_i; tanh neuron; small w.",
        steps=(
            Step(
                sp.Eq(sp.Symbol(r"\partial w_{k+1} / \partial w_k \,(0)"), Js),
                "the SGD map linearised at 0 is I + eta s_B J with s_B = (1/B) sum x_i (y_i + zeta e_i)",
                check=_zero(Js - (sp.eye(2) + eta * sB * J)),
            ),
            Step(
                r"\Lambda_\pm = \mathbb{E} \log\left|1 \pm \eta\, \sigma'(0)\, s_B\right|",
                "the maps commute (all are I + c J), so the (1, pm 1) components are multiplied by 1 pm eta s_B and the exponents are exact expectations",
            ),
            Step(
                sp.Eq(sp.Symbol(r"\mathbb{E}\log(1 + h(a + bZ))"), ser_e),
                "second-order expansion in h = eta sigma'(0), with s_B = a + b Z, E Z = 0, E Z^2 = 1",
                check=_zero(ser_e - (h * a - h**2 * (a**2 + b**2) / 2)),
            ),
            Step(
                sp.Eq(sp.Symbol("h^*"), root[0] if root else sp.S.NaN),
                "small-eta threshold: eta^* sigma'(0) = 2 E s_B / E s_B^2 with E s_B^2 = sbar^2 + (Var(xy) + zeta^2 mean(x^2))/B",
                check=len(root) == 1 and _zero(root[0] - 2 * a / (a**2 + b**2)),
            ),
        ),
        result=r"\Lambda_{\mathrm{top}} = \max\left(\mathbb{E}\log|1 + \eta\,\sigma'(0)\, s_B|,\ \mathbb{E}\log|1 - \eta\,\sigma'(0)\, s_B|\right) < 0",
        notes="At large eta the overshoot makes Lambda positive again (an upper threshold); for small label noise "
        "Lambda > 0 for all eta <= 1 although the SDE predicts collapse: the SDE criterion is a small-eta statement.",
    )


def _teacher_student() -> Derivation:
    u = sp.Symbol("u", positive=True)
    p = sp.Symbol("p", positive=True)
    s, eta, sig = sp.symbols("s eta sigma", positive=True)
    # SDE of u (time t = eta k): du = -(u^2 - s) u dt - sqrt(eta) sigma u dW
    a_u, b_u = -(u**2 - s) * u, -sp.sqrt(eta) * sig * u
    P = u**2
    a_p = sp.diff(P, u) * a_u + sp.diff(P, u, 2) * b_u**2 / 2
    b_p = sp.diff(P, u) * b_u
    a_p_p = sp.simplify(a_p.subs(u, sp.sqrt(p)))
    b_p_p = sp.simplify(b_p.subs(u, sp.sqrt(p)))
    logdrift = sp.simplify(a_p_p / p - b_p_p**2 / (2 * p**2))
    k = s / (eta * sig**2) - sp.Rational(1, 2)
    theta = eta * sig**2
    rho = p ** (k - 1) * sp.exp(-p / theta)
    flux = a_p_p * rho - sp.diff(b_p_p**2 * rho, p) / 2
    gamma_mean = k * theta
    return Derivation(
        id="stochastic_collapse.teacher_student_mode",
        title="Teacher–student mode: SGD noise soft-thresholds singular values",
        paper=_PAPER,
        source="Setup: Chen et al. 2023, §6 / Fig. 5 and the official diagonal script; the per-mode SDE, the Gamma law and the threshold are derived here",
        assumptions="One mode, u = v, update u <- u - eta (u^2 - s + sigma xi) u; SGF in time t = eta k.",
        steps=(
            Step(sp.Eq(sp.Symbol("drift(p)"), a_p_p), "Itô for p = u^2", check=_zero(a_p_p - 2 * p * (s + eta * sig**2 / 2 - p))),
            Step(sp.Eq(sp.Symbol("noise(p)"), b_p_p), "noise of p = u^2", check=_zero(b_p_p**2 - 4 * eta * sig**2 * p**2)),
            Step(sp.Eq(sp.Symbol("drift(log p)"), logdrift), "Itô for log p: collapse (p -> 0) iff s < eta sigma^2 / 2", check=_zero(logdrift - 2 * (s - eta * sig**2 / 2 - p))),
            Step(
                sp.Eq(sp.Symbol("J[rho]"), sp.simplify(flux)),
                "Gamma(k = s/(eta sigma^2) - 1/2, scale eta sigma^2) has zero flux (normalisable iff k > 0)",
                check=_zero(flux),
            ),
            Step(sp.Eq(sp.Symbol("E p"), sp.expand(gamma_mean)), "Gamma mean k * scale", check=_zero(gamma_mean - (s - eta * sig**2 / 2))),
        ),
        result=sp.Eq(sp.Symbol("E p"), sp.Max(s - eta * sig**2 / 2, 0)),
    )


def _batch_noise() -> Derivation:
    p, s, eta, n, zeta = sp.symbols("p s eta n zeta", positive=True)
    c, e = sp.symbols("c e", real=True)
    Ec, Ee, Ec2, Ee2, Ece = sp.symbols("E_c E_e E_c2 E_e2 E_ce", real=True)
    # variance of one sample's mode gradient z = c p - e, written with the data's moments
    Ez = Ec * p - Ee
    Ez2 = Ec2 * p**2 - 2 * Ece * p + Ee2
    var_z = sp.expand(Ez2 - Ez**2)
    quad = p**2 * (Ec2 - Ec**2) - 2 * p * (Ece - Ec * Ee) + (Ee2 - Ee**2)
    # mode-aligned data: with probability 1/n the sample is on mode k (c = n, e = n (s + zeta eps), eps = +-1)
    E = lambda f: (f.subs({c: n, e: n * (s + zeta)}) + f.subs({c: n, e: n * (s - zeta)})) / (2 * n)  # noqa: E731
    z = c * p - e
    var_aligned = sp.simplify(E(z**2) - E(z) ** 2)
    S = sp.Function("S")  # sigma^2(p), the batch noise at the mode's value
    a = 2 * p * (s - p) + eta * S(p) * p
    b = 4 * eta * S(p) * p**2
    phi = sp.Integral((s - p) / (eta * S(p) * p), p)
    rho = p ** sp.Rational(-3, 2) / S(p) * sp.exp(phi)
    flux = sp.simplify(a * rho - sp.diff(b * rho, p) / 2)
    S0 = sp.Symbol("S0", positive=True)
    # near p = 0 (S(p) -> S0): the density goes like p^(s/(eta S0) - 3/2)
    rho0 = p ** sp.Rational(-3, 2) / S0 * sp.exp(sp.integrate((s - 0) / (eta * S0 * p), p))
    power = sp.simplify(p * sp.diff(sp.log(rho0), p))
    k = s / (eta * S0) - sp.Rational(1, 2)
    gamma_ratio = sp.simplify((p ** sp.Rational(-3, 2) / S0 * sp.exp(sp.integrate((s - p) / (eta * S0 * p), p))) / (p ** (k - 1) * sp.exp(-p / (eta * S0))))
    return Derivation(
        id="stochastic_collapse.teacher_student_batch_noise",
        title="Full network under minibatch SGD: soft-thresholding with the batch noise",
        paper=_PAPER,
        source="Setup: the official general teacher-student script (full two-layer linear network, minibatch SGD); the per-mode reduction, "
        "the batch noise and the state-dependent stationary law are derived here",
        assumptions="End-to-end map W_e = sum_k p_k a_k b_k^T diagonal in orthonormal modes; per-sample mode gradient z = c p - e with c = (a^T x)^2, "
        "e = (a^T x)(b^T y), E c = 1; B samples drawn uniformly with replacement; SGF in time t = eta k with sigma^2 = S(p).",
        steps=(
            Step(sp.Eq(sp.Symbol("Var_j z(p)"), quad), "one sample's variance is a quadratic in the mode's value p; the batch mean divides it by B",
                 check=_zero(var_z - quad)),
            Step(sp.Eq(sp.Symbol("Var_j z(p) (mode-aligned data)"), var_aligned),
                 "samples x = sqrt(n) a_k, y = sqrt(n)(s + zeta eps) b_k: class-count noise (n - 1)(p - s)^2 plus the label spread n zeta^2",
                 check=_zero(var_aligned - ((n - 1) * (p - s) ** 2 + n * zeta**2))),
            Step(sp.Eq(sp.Symbol("J[rho]"), flux), "rho ~ p^(-3/2) S(p)^(-1) exp(int (s - p)/(eta S(p) p) dp) has zero flux for "
                 "dp = [2p(s - p) + eta S(p) p] dt - 2 sqrt(eta S(p)) p dW", check=_zero(flux)),
            Step(sp.Eq(sp.Symbol("d log rho / d log p (p -> 0)"), power), "normalisable at 0 iff s/(eta S(0)) - 3/2 > -1: collapse iff s < eta S(0)/2, "
                 "the soft threshold with the batch noise at the invariant set", check=_zero(power - (s / (eta * S0) - sp.Rational(3, 2)))),
            Step(sp.Eq(sp.Symbol("rho / Gamma(k, eta S0)"), gamma_ratio), "constant noise S = S0: the Gamma law of the diagonal model (ratio free of p)",
                 check=not gamma_ratio.has(p)),
        ),
        result=sp.Eq(sp.Symbol("threshold"), eta * sp.Symbol("S(0)") / 2),
        notes="S(p) = [q2 p^2 + q1 p + q0] from the data (`mode_batch_noise`); the moments of rho are computed by quadrature (`mode_stationary_moments`).",
    )


def _invariance() -> Derivation:
    gen = TwoLayerNet(d_in=2, width=2, d_out=1, activation="generic")
    tanh = TwoLayerNet(d_in=2, width=2, d_out=1, activation="tanh")
    gelu = TwoLayerNet(d_in=2, width=2, d_out=1, activation="gelu")
    sig = TwoLayerNet(d_in=2, width=2, d_out=1, activation="sigmoid")
    ng = normal_gradient(gen, sign_set(gen, 0))
    sigma0 = sp.Function("sigma")(0)
    return Derivation(
        id="stochastic_collapse.invariant_sets",
        title="Sign and permutation invariant sets",
        paper=_PAPER,
        source="Chen et al. 2023, §3 (definitions of the sign and permutation invariant sets); symbolic check ours",
        assumptions="f(x) = A sigma(W x + b), per-sample loss (f - y)^2 / 2; sets are affine, so tangency of every "
        "per-sample gradient makes them invariant for SGD with momentum, weight decay and label noise.",
        steps=(
            Step(
                sp.Eq(sp.Symbol("grad_normal(sign set, generic sigma)"), sp.Matrix(ng)),
                "normal gradient on the sign set of neuron 0: only d/da_0 survives and it carries the factor sigma(0)",
                check=_zero(ng[-1].subs(sigma0, 0)) and not _zero(ng[-1]) and all(_zero(g) for g in ng[:-1]),
            ),
            Step(sp.Symbol("tanh, GELU: sign set invariant"), "sigma(0) = 0", check=check_invariance(tanh, sign_set(tanh, 0)) and check_invariance(gelu, sign_set(gelu, 0))),
            Step(sp.Symbol("sigmoid: sign set not invariant"), "sigma(0) = 1/2", check=not check_invariance(sig, sign_set(sig, 0))),
            Step(
                sp.Symbol("permutation set invariant for any sigma"),
                "swapping neurons 0 and 1 is a symmetry; its fixed set is invariant (reflection lemma)",
                check=check_invariance(gen, perm_set(gen, 0, 1)) and check_invariance(sig, perm_set(sig, 0, 1)),
            ),
        ),
        result=sp.Symbol("A_sign invariant iff sigma(0) = 0; A_perm always invariant"),
    )


@functools.lru_cache(maxsize=1)
def _all() -> tuple[Derivation, ...]:
    return (_invariance(), _attractivity(), _quartic(), _neuron(), _sgd_neuron(), _teacher_student(), _batch_noise())


def derivations() -> list[Derivation]:
    """All derivations of this paper (built once, cached)."""
    return list(_all())
