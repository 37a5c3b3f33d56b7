"""Derivations (sympy objects with checked steps) rendered into the docs."""

from __future__ import annotations

import functools

import sympy as sp

from theory._derivation import Derivation, Step
from theory.max_margin._collapse import layer_peeled_normalised_margin, layer_peeled_value
from theory.max_margin._kkt import affine_max_margin
from theory.max_margin._models import EXAMPLE_A2, EXAMPLE_A3, paper_models
from theory.max_margin._rates import detect_rates

__all__ = ["derivations"]

_SRC = "Kunin, Yamamura, Ma, Ganguli, ICLR 2023 (arXiv:2210.03820)"
_REC = "; formula reconstructed in the brief (Sec. A.1-A.2) and re-derived here (paper body not reachable)"


def _quasi_homogeneity() -> Derivation:
    alpha = sp.Symbol("alpha", real=True)
    m = paper_models()["M3"]
    lam = m.quasi_homogeneity.rates
    th = m.params
    f = m.expr
    scaled = {p: sp.exp(alpha * r) * p for p, r in zip(th, lam)}
    f_scaled = f.xreplace(scaled)
    euler = sum(r * p * sp.diff(f, p) for p, r in zip(th, lam))
    cov_ok = all(
        sp.simplify(sp.diff(f, p).xreplace(scaled) - sp.exp(alpha * (1 - r)) * sp.diff(f, p)) == 0
        for p, r in zip(th, lam)
    )
    Lam = sp.Symbol(r"\Lambda")
    return Derivation(
        id="max_margin.quasi_homogeneity",
        title="Quasi-homogeneity, the Euler identity and gradient covariance",
        paper="max_margin",
        source=f"{_SRC}, Sec. 3 (definition){_REC}",
        assumptions="f(theta; x) smooth in theta; Lambda = diag(lambda_i) >= 0. Checked on M3: f = a (v.x) + c.",
        steps=(
            Step(sp.Eq(sp.Function("f")(sp.exp(alpha * Lam) * sp.Symbol("theta")), sp.exp(alpha) * sp.Function("f")(sp.Symbol("theta"))),
                 "Definition: rescaling theta_i by e^{alpha lambda_i} multiplies the output by e^alpha."),
            Step(sp.Eq(f_scaled, sp.exp(alpha) * f), "M3 with Lambda = diag(1/2, 1/2, 1/2, 1)",
                 check=sp.simplify(f_scaled - sp.exp(alpha) * f) == 0),
            Step(sp.Eq(euler, f), "Euler identity: differentiate the definition at alpha = 0",
                 check=sp.expand(euler - f) == 0),
            Step(r"\partial_i f(e^{\alpha\Lambda}\theta) = e^{\alpha(1-\lambda_i)}\,\partial_i f(\theta)",
                 "Gradient covariance: differentiate the definition in theta_i", check=cov_ok),
        ),
        result=sp.Eq(euler, f),
    )


def _growth_and_conservation() -> Derivation:
    m = paper_models()["M3"]
    a, v1, v2, c = m.params
    lam = m.quasi_homogeneity.rates
    x = sp.symbols("x_1:3_1:3", real=True)  # x_{n j}
    y1, y2 = sp.symbols("y_1 y_2", real=True)
    X = [(x[0], x[1]), (x[2], x[3])]
    q = [yy * m.expr.xreplace(dict(zip(m.inputs, xx))) for yy, xx in zip((y1, y2), X)]
    L = sum(sp.exp(-qq) for qq in q)
    theta_dot = [-sp.diff(L, p) for p in m.params]
    growth = sum(r * p * td for r, p, td in zip(lam, m.params, theta_dot))
    rhs = sum(sp.exp(-qq) * qq for qq in q)
    cons = 2 * a * theta_dot[0] - 2 * v1 * theta_dot[1] - 2 * v2 * theta_dot[2]
    t = sp.Symbol("t")
    return Derivation(
        id="max_margin.growth_identity",
        title="Growth of the Lambda-seminorm and the conservation laws",
        paper="max_margin",
        source=f"{_SRC}, Sec. 4{_REC}",
        assumptions="Gradient flow theta' = -grad L on the exponential loss L = sum_n exp(-q_n); M3 with two points.",
        steps=(
            Step(sp.Eq(sp.Derivative(sp.Symbol(r"\tfrac12\|\theta\|_\Lambda^2"), t), sp.Symbol(r"\langle\Lambda\theta,\dot\theta\rangle")),
                 "Chain rule for the seminorm theta^T Lambda theta / 2"),
            Step(sp.Eq(growth, rhs), "Euler identity for each margin q_n turns <Lambda theta, grad q_n> into q_n",
                 check=sp.simplify(growth - rhs) == 0),
            Step(sp.Eq(sp.Derivative(a**2 - v1**2 - v2**2, t), cons),
                 "The rescaling symmetry (a, v) -> (e^s a, e^{-s} v) conserves a^2 - |v|^2",
                 check=sp.simplify(cons) == 0),
        ),
        result=sp.Eq(sp.Derivative(sp.Symbol(r"\tfrac12\|\theta\|_\Lambda^2"), t), sp.Sum(sp.exp(-sp.Symbol("q_n")) * sp.Symbol("q_n"), (sp.Symbol("n"), 1, sp.Symbol("N")))),
    )


def _time_change() -> Derivation:
    tau, t = sp.symbols("tau t", positive=True)
    th = sp.Function("theta")
    L = sp.Function("L")
    ell = sp.Symbol(r"\ell")
    kappa, lmax = sp.symbols(r"\kappa \lambda_{\max}", positive=True)
    return Derivation(
        id="max_margin.time_change",
        title="Integrating to t = e^{10^4}: the speed-adapted loss time",
        paper="max_margin",
        source="Numerical method of this package (brief Sec. A.7, Trick 2, generalised)",
        assumptions="Gradient flow theta' = -grad L with L > 0; ell = log(1/L).",
        steps=(
            Step(sp.Eq(sp.Derivative(th(tau), tau), -sp.Symbol(r"\rho(\ell)") * sp.Symbol(r"\nabla\log L")),
                 "Reparametrise time by dtau = L(theta) dt / rho(ell): the orbit is unchanged"),
            Step(sp.Eq(sp.Symbol(r"\rho(\ell)"), (1 + ell) ** (-kappa)),
                 "rho keeps ell growing linearly in tau: |grad log L|^2 ~ ell^{2(1 - lambda_max)} along the flow"),
            Step(sp.Eq(kappa, 2 * (1 - lmax)), "kappa = 0 for lambda_max = 1 (plain tau-time); kappa = 1 for degree-2 homogeneous"),
            Step(sp.Eq(sp.Derivative(sp.log(1 + t), tau), sp.Symbol(r"\rho(\ell)") * sp.exp(ell - sp.log(1 + t))),
                 "Real time is recovered as a state variable log(1 + t), which stays O(tau)"),
            Step(sp.Eq(sp.Derivative(ell, tau), sp.Symbol(r"\rho(\ell)") * sp.Symbol(r"\|\nabla \log L\|^2")),
                 "ell increases monotonically, so an event at ell = ell_max ends the run"),
        ),
        result=sp.Eq(sp.Derivative(th(tau), tau), -(1 + ell) ** (-kappa) * sp.Symbol(r"\nabla\log L")),
        notes="Loss-level time s (d theta/ds = g/|g|^2) is exact in ell but makes diffrax's Newton iterations "
              "diverge once the margins are stiff (q ~ 1e3); the tau-time above with Kvaerno5 + Newton does not.",
    )


def _closed_forms() -> list[Derivation]:
    out = []
    u1, u2, c = sp.symbols("u_1 u_2 c", real=True)
    pen_names = {"all": ("M1", u1**2 + u2**2 + c**2), "slope": ("M2", u1**2 + u2**2), "bias": ("M3", c**2)}
    for data in (EXAMPLE_A3, EXAMPLE_A2):
        for pen, (mname, objective) in pen_names.items():
            sol = affine_max_margin(data, pen)
            z = sp.Matrix([*sol.u, sol.c])
            A = sp.Matrix.hstack(sp.diag(*data.y) * data.X, sp.Matrix(data.y))
            mu = sp.Matrix(sol.mu)
            Q = sp.diag(*[sp.diff(objective, v, 2) / 2 for v in (u1, u2, c)])
            stat = Q * z - A.T * mu
            comp = [mu[i] * ((A * z)[i] - 1) for i in range(A.rows)]
            feas = all(v >= 1 for v in A * z)
            steps = [
                Step(sp.Symbol(r"\min\ \tfrac12(" + sp.latex(objective) + r")\ \text{s.t.}\ y_n(u\cdot x_n + c)\ge 1"),
                     f"(P_Lambda) of {mname} in function space (u = slope, c = bias) on example {data.name}"),
                Step(sp.Eq(sp.Matrix([u1, u2, c]), z), f"active set {tuple(i + 1 for i in sol.active)} (1-based), exact"
                     + (" ; degenerate: value 0, lexicographic secondary problem (conjecture)" if sol.degenerate else ""),
                     check=feas),
                Step(sp.Eq(sp.Symbol(r"\mu"), mu.T), "multipliers: stationarity Q z = A^T mu, complementary slackness",
                     check=(stat.is_zero_matrix if not sol.degenerate else True) and all(sp.simplify(v) == 0 for v in comp)
                     and all(v >= 0 for v in mu)),
            ]
            out.append(Derivation(
                id=f"max_margin.kkt_{data.name}_{mname}",
                title=f"Closed form of (P_Lambda) for {mname} on example {data.name}",
                paper="max_margin",
                source=f"{_SRC}; worked example of the brief Sec. A.4 (our data, not the paper's)",
                assumptions=f"{data.description}; {paper_models()[mname].description}.",
                steps=tuple(steps),
                result=sp.Eq(sp.Matrix([u1, u2, c]), z),
            ))
    return out


def _margin_limits() -> Derivation:
    gam = {"M1": 1 / sp.sqrt(5), "M2": sp.sqrt(17) / 4, "M3": sp.Rational(3, 5)}
    got = {}
    for name, pen in (("M1", "all"), ("M2", "slope"), ("M3", "bias")):
        s = affine_max_margin(EXAMPLE_A3, pen)
        if pen == "all":
            got[name] = 1 / sp.sqrt(sum(v**2 for v in (*s.u, s.c)))
        elif pen == "slope":
            got[name] = 1 / sp.sqrt(sum(v**2 for v in s.u))
        else:
            got[name] = 1 / sp.Abs(s.c)
    svm = affine_max_margin(EXAMPLE_A3, "slope")
    m3 = affine_max_margin(EXAMPLE_A3, "bias")
    gm = lambda s: sp.Min(*[yy * (sum(ui * xi for ui, xi in zip(s.u, EXAMPLE_A3.X.row(n))) + s.c)
                             for n, yy in enumerate(EXAMPLE_A3.y)]) / sp.sqrt(sum(v**2 for v in s.u))
    ratio = sp.nsimplify(sp.simplify(gm(svm) / gm(m3)))
    return Derivation(
        id="max_margin.margin_limits",
        title="Limits of the smoothed margin and the robustness ratio (example A-3)",
        paper="max_margin",
        source=f"{_SRC}, Sec. 5 (robustness){_REC}",
        assumptions="lambda_max = 1 for M1, M2, M3, so gamma~ -> 1/|theta_M*| at the (P_Lambda) optimum with margin 1.",
        steps=tuple(
            [Step(sp.Eq(sp.Symbol(r"\tilde\gamma_{\infty}^{" + k + "}"), gam[k]), f"{k}: 1/|theta*_M|",
                  check=sp.simplify(got[k] - gam[k]) == 0) for k in gam]
            + [Step(sp.Eq(sp.Symbol(r"\frac{\mathrm{gm}(M2)}{\mathrm{gm}(M3)}"), ratio),
                    "geometric margin of the free-bias SVM (M2) over that of the asymmetric solution (M3)",
                    check=sp.simplify(ratio - sp.sqrt(85) / 3) == 0)]
        ),
        result=ratio,
    )


def _layer_peeled() -> Derivation:
    K = sp.Symbol("K", integer=True, positive=True)
    cK = sp.Symbol("c_K", positive=True)
    m = sp.Symbol("m", positive=True)
    margin = cK * (1 + 1 / (K - 1))
    c_sol = sp.solve(sp.Eq(margin, 1), cK)[0]
    m_sol = sp.solve(sp.Eq(m * K, c_sol), m)[0]
    return Derivation(
        id="max_margin.layer_peeled",
        title="Neural collapse: global optimum of (P_Lambda) for a normalised network",
        paper="max_margin",
        source=f"{_SRC}, Sec. 6 (neural collapse); closed form derived in the brief Sec. A.6",
        assumptions="Unit-norm free features h_n (normalisation layer, expressive body), K <= d + 1 classes, "
                    "balanced classes, classifier (W, b) of rate 1, everything else rate 0.",
        steps=(
            Step(sp.Eq(sp.Symbol(r"\langle h_j, h_k\rangle"), -1 / (K - 1)), "class means on a simplex ETF (NC2), h_n = h_{y_n} (NC1)"),
            Step(sp.Eq(sp.Symbol("W_k"), cK * sp.Symbol("h_k")), "classifier aligned with the class means (NC3); b = 0 by symmetry"),
            Step(sp.Eq(margin, 1), "every margin (W_y - W_k).h_y = c_K (1 + 1/(K-1)) is active"),
            Step(sp.Eq(cK, c_sol), "solve for c_K", check=sp.simplify(c_sol - (K - 1) / K) == 0),
            Step(sp.Eq(sp.Symbol(r"\|W\|_F^2"), K * c_sol**2), "objective at the ETF",
                 check=sp.simplify(K * c_sol**2 - layer_peeled_value(K)) == 0),
            Step(sp.Eq(m, m_sol), "equal multipliers mu_{n,k} = m: W_k = m[(K-1) h_k - sum_{j != k} h_j] = m K h_k (sum_j h_j = 0); m > 0",
                 check=sp.simplify(m_sol - (K - 1) / K**2) == 0),
            Step(sp.Eq(sp.Symbol(r"q_{\min}/\|W\|_F"), 1 / sp.sqrt(K * c_sol**2)), "normalised margin at |W|_F = 1",
                 check=sp.simplify(1 / sp.sqrt(K * c_sol**2) - layer_peeled_normalised_margin(K)) == 0),
        ),
        result=sp.Eq(sp.Symbol(r"\min\|W\|_F^2"), layer_peeled_value(K)),
        notes="The brief lists 1.3333 (K = 3) and 2.25 (K = 4) as normalised margins; those are min |W|_F^2 = (K-1)^2/K. "
              "The normalised margins sqrt(K)/(K-1) are 0.866 and 0.667.",
    )


def _rates_table() -> Derivation:
    steps = []
    for name, m in paper_models().items():
        qh = m.quasi_homogeneity
        steps.append(Step(
            sp.Eq(sp.Symbol(r"\Lambda_{\mathrm{" + name + "}}"), sp.diag(*qh.rates)),
            f"{m.description}: detected over {tuple(str(p) for p in m.params)}; max-rate set "
            f"{tuple(str(p) for p in qh.max_rate_params)}",
            check=qh.verified == "exact" and detect_rates(m.expr, m.params).rates == qh.rates,
        ))
    return Derivation(
        id="max_margin.rates",
        title="Rates of the example parameterisations",
        paper="max_margin",
        source=f"{_SRC}, Sec. 3 and Fig. 1 (rates by architecture); brief Sec. A.3-A.4",
        assumptions="Exact detection from the monomial exponents; the balanced choice for symmetric families.",
        steps=tuple(steps),
        result=sp.Symbol(r"\Lambda"),
    )


@functools.cache
def derivations() -> list[Derivation]:
    """All derivations of this paper (computed once; each step's sympy check is stored in `check`)."""
    return [
        _quasi_homogeneity(),
        _growth_and_conservation(),
        _time_change(),
        _rates_table(),
        *_closed_forms(),
        _margin_limits(),
        _layer_peeled(),
    ]
