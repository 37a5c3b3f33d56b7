"""Tests of max_margin: derivations, Lambda detection (incl. hypothesis on random quasi-homogeneous
polynomial models), exact and numerical (P_Lambda) solutions (hypothesis on random separable data),
the stable losses, the padded polynomial flow problems, bad input (no crash, no silent garbage), and
every claim end to end at its tiny profile (`run_claim`), plus the gpu digits path on CPU."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

import numerics.max_margin as N
import theory.max_margin as T
from numerics.max_margin._losses import _log_softplus_neg
from tests._bad_input import check_bad_inputs
from verify.core.testing import run_claim
from verify.max_margin import CLAIMS
from verify.max_margin import _common as verify_common
from verify.max_margin import _experiments as experiments
from verify.max_margin import _neural_collapse as verify_nc

# --------------------------------------------------------------------------- derivations


def test_derivation_checks_all_pass():
    ds = T.derivations()
    assert len(ds) >= 10
    for d in ds:
        assert d.failed_checks == [], d.id
        assert d.to_markdown()
    assert sum(s.check is True for d in ds for s in d.steps) >= 25


# --------------------------------------------------------------------------- Lambda detection


@pytest.mark.parametrize(
    "name,rates,max_rate",
    [
        ("M1", (1, 1, 1), ("w1", "w2", "c")),
        ("M2", (1, 1, sp.S.Half, sp.S.Half), ("w1", "w2")),
        ("M3", (sp.S.Half, sp.S.Half, sp.S.Half, 1), ("c",)),
        ("H3", (sp.S.Half,) * 5, ("a", "v1", "v2", "b1", "b2")),
        ("sq1d", (sp.S.Half, 1), ("b",)),
        ("cube1d", (1, sp.Rational(1, 3)), ("w",)),
    ],
)
def test_paper_model_rates(name, rates, max_rate):
    qh = T.paper_models()[name].quasi_homogeneity
    assert qh.exists and qh.verified == "exact"
    assert qh.rates == tuple(sp.sympify(r) for r in rates)
    assert tuple(str(p) for p in qh.max_rate_params) == max_rate


def test_homogeneous_degree_and_conservation_laws():
    h3 = T.paper_models()["H3"].quasi_homogeneity
    assert h3.is_homogeneous and h3.degree == 2
    a, v1, v2, b1, b2 = T.paper_models()["H3"].params
    laws = {sp.expand(c) for c in h3.conserved_quantities()}
    assert laws == {sp.expand(-a**2 + v1**2 + v2**2), sp.expand(-b1**2 + b2**2)}
    assert T.paper_models()["M3"].quasi_homogeneity.degree is None


def test_architectures_numeric_path():
    mlp = T.bias_mlp((2, 2, 1), declare_balanced=False).quasi_homogeneity
    assert mlp.method == "euler-numeric" and mlp.rates[-1] == 1 and set(mlp.rates[:-1]) == {sp.S.Half}
    assert len(mlp.symmetries) == 2  # one per hidden neuron: |w_in|^2 + b^2 - w_out^2
    mlp3 = T.bias_mlp((2, 2, 2, 1)).quasi_homogeneity  # declared W_l: 1/3, b_l: l/3 (brief A.3), verified
    assert mlp3.exists and mlp3.verified == "numeric-50-digits" and mlp3.lambda_max == 1
    nn = T.normalised_network(2, 2, 3).quasi_homogeneity
    assert nn.rates[:4] == (0,) * 4 and set(nn.rates[4:]) == {1}
    res = T.residual_network(2, 2).quasi_homogeneity
    assert res.exists and tuple(str(p) for p in res.max_rate_params) == ("c",)


def test_declared_wrong_rates_rejected():
    m = T.paper_models()["M3"]
    out = T.detect_rates(m.expr, m.params, rates=(1, 1, 1, 1))
    assert not out.exists and "Euler" in out.reason
    with pytest.raises(ValueError, match="rates"):
        T.detect_rates(m.expr, m.params, rates=(1, 1))


@pytest.mark.parametrize(
    "expr,why",
    [
        ("w*x + w**2*x", "inconsistent"),
        ("w*x + 1", "does not depend"),
        ("tanh(w*x) + b", "Euler"),
        ("w*x + b**2*x - b", "inconsistent"),
    ],
)
def test_non_quasi_homogeneous_reported(expr, why):
    w, b, x = sp.symbols("w b x")
    f = sp.sympify(expr, locals={"w": w, "b": b, "x": x})
    params = tuple(s for s in (w, b) if s in f.free_symbols)
    out = T.detect_rates(f, params)
    assert not out.exists and why in out.reason
    with pytest.raises(ValueError):
        _ = out.lambda_max


@st.composite
def random_qh_polynomial(draw):
    """A random polynomial model with known rates: monomials whose rates sum to exactly 1."""
    m = draw(st.integers(2, 4))
    denoms = draw(st.lists(st.sampled_from([1, 2, 3]), min_size=m, max_size=m))
    rates = [sp.Rational(1, q) for q in denoms]
    params = sp.symbols(f"t0:{m}", real=True)
    x = sp.symbols("x0:2", real=True)
    monos = []
    for i in range(m):  # every parameter appears: pad its monomial with others to reach rate 1
        k = denoms[i]
        monos.append(params[i] ** k)  # rate k * (1/k) = 1
    for _ in range(draw(st.integers(0, 3))):
        idx = draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=4))
        tot = sum(rates[j] for j in idx)
        if tot == 1:
            monos.append(sp.Mul(*[params[j] for j in idx]))
    coefs = [draw(st.integers(-3, 3)) or 1 for _ in monos]
    feats = [draw(st.sampled_from([1, x[0], x[1]])) for _ in monos]
    f = sum(c * ft * mo for c, ft, mo in zip(coefs, feats, monos))
    assume(f != 0 and all(p in f.free_symbols for p in params))
    return f, params, rates


@given(random_qh_polynomial())
def test_detection_on_random_qh_models(case):
    f, params, true_rates = case
    qh = T.detect_rates(f, params)
    assert qh.exists, qh.reason
    assert T.verify_rates(f, params, qh.rates) == "exact"
    # the true rates lie in the detected affine family particular + span(symmetries)
    diff = sp.Matrix(true_rates) - sp.Matrix(qh.particular)
    if qh.symmetries:
        N = sp.Matrix.hstack(*[sp.Matrix(mu) for mu in qh.symmetries])
        assert sp.Matrix.hstack(N, diff).rank() == N.rank()
    else:
        assert diff.is_zero_matrix
    # float check of the definition with the detected rates
    fn = sp.lambdify(list(params) + sorted(f.free_symbols - set(params), key=str), f)
    rng = np.random.default_rng(0)
    th = rng.normal(size=len(params))
    xs = rng.normal(size=len(f.free_symbols - set(params)))
    alpha = 0.7
    lam = np.array([float(r) for r in qh.rates])
    assert np.isclose(fn(*(np.exp(alpha * lam) * th), *xs), np.exp(alpha) * fn(*th, *xs), rtol=1e-10, atol=1e-10)
    # a parameter-free term destroys quasi-homogeneity
    assert not T.detect_rates(f + 1, params).exists


# --------------------------------------------------------------------------- (P_Lambda)


def test_closed_forms_match_brief():
    s1 = T.affine_max_margin(T.EXAMPLE_A3, "all")
    s2 = T.affine_max_margin(T.EXAMPLE_A3, "slope")
    s3 = T.affine_max_margin(T.EXAMPLE_A3, "bias")
    assert (s1.u, s1.c) == ((1, 0), -2)
    assert (s2.u, s2.c) == ((sp.Rational(16, 17), sp.Rational(4, 17)), sp.Rational(-39, 17))
    assert (s3.u, s3.c) == ((sp.Rational(8, 3), sp.Rational(-4, 3)), sp.Rational(-5, 3))
    assert s3.mu == (0, 0, sp.Rational(5, 3), sp.Rational(5, 9), sp.Rational(5, 9))
    a2 = T.affine_max_margin(T.EXAMPLE_A2, "bias")
    assert a2.degenerate and a2.value == 0 and (a2.u, a2.c) == ((1, sp.Rational(3, 2)), 0)
    assert T.affine_max_margin(T.EXAMPLE_A2, "all").vector == pytest.approx([8 / 19, 12 / 19, -11 / 19])
    with pytest.raises(ValueError, match="penalise"):
        T.affine_max_margin(T.EXAMPLE_A3, "weights")


def test_kkt_residuals_and_balanced_point():
    m = T.paper_models()["M3"]
    s = T.affine_max_margin(T.EXAMPLE_A3, "bias")
    th = np.array([float(v) for v in T.balanced_parameters("M3", s.u, s.c)])
    prob = T.MarginProblem.from_dataset(m, T.EXAMPLE_A3)
    r = T.kkt_residuals(prob, th)
    assert r.stationarity < 1e-12 and r.combined < 1e-12 and r.primal < 1e-12
    assert r.mu == pytest.approx([0, 0, 5 / 3, 5 / 9, 5 / 9], abs=1e-10)
    assert T.kkt_residuals(prob, th, penalised=range(4)).combined > 0.3  # not Euclidean KKT
    assert T.smoothed_margin_limit(th, m.rates) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="q_min"):
        T.normalise_along_characteristic(th, m.rates, -1.0)


@st.composite
def separable_data(draw):
    n = draw(st.integers(3, 5))
    pts = draw(st.lists(st.tuples(st.integers(-8, 8), st.integers(-8, 8)), min_size=n, max_size=n, unique=True))
    w = draw(st.tuples(st.integers(-3, 3), st.integers(-3, 3)))
    c = draw(st.integers(-4, 4))
    assume(w != (0, 0))
    X = [(sp.Rational(a, 4), sp.Rational(b, 4)) for a, b in pts]
    score = [w[0] * a + w[1] * b + sp.Rational(c, 2) for a, b in X]
    assume(all(s != 0 for s in score))
    y = tuple(1 if s > 0 else -1 for s in score)
    assume(len(set(y)) == 2)
    return T.Dataset("rand", sp.Matrix(X), y)


@given(separable_data(), st.sampled_from(["M1", "M2", "M3"]))
def test_exact_qp_is_kkt_and_matches_scipy(data, name):
    pen = {"M1": "all", "M2": "slope", "M3": "bias"}[name]
    s = T.affine_max_margin(data, pen)
    z = sp.Matrix([*s.u, s.c])
    A = sp.Matrix.hstack(sp.diag(*data.y) * data.X, sp.Matrix(data.y))
    assert all(v >= 1 for v in A * z)  # exact feasibility
    assert all(m >= 0 for m in s.mu)
    model = T.paper_models()[name]
    prob = T.MarginProblem.from_dataset(model, data)
    num = T.solve_max_margin(prob, restarts=4, seed=1, init_scale=2.0)
    assert num.value == pytest.approx(float(s.value), abs=1e-5 * (1 + float(s.value)))
    if not s.degenerate:
        th = np.array([float(v) for v in T.balanced_parameters(name, s.u, s.c)])
        assert T.kkt_residuals(prob, th).combined < 1e-8


def test_layer_peeled_and_etf():
    E = T.simplex_etf(5, 6)
    G = E @ E.T
    assert np.allclose(np.diag(G), 1) and np.allclose(G[~np.eye(5, dtype=bool)], -0.25)
    assert T.layer_peeled_value(3) == sp.Rational(4, 3) and T.layer_peeled_normalised_margin(4) == sp.Rational(2, 3)
    s = T.solve_layer_peeled(3, 2, 2, restarts=4)
    assert s.value == pytest.approx(4 / 3, abs=1e-6)
    with pytest.raises(ValueError):
        T.simplex_etf(4, 2)


# --------------------------------------------------------------------------- numerics


def test_stable_logistic_log_loss():
    q = jnp.array([-30.0, -1.0, 0.0, 0.5, 20.0, 300.0, 1e4, 1e6])
    v = jax.vmap(_log_softplus_neg)(q)
    g = jax.vmap(jax.grad(_log_softplus_neg))(q)
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
    ref = np.log(np.log1p(np.exp(-np.asarray(q[:5], dtype=np.float64))))
    assert np.allclose(v[:5], ref, rtol=1e-12)
    assert float(v[-1]) == pytest.approx(-1e6) and float(g[-1]) == pytest.approx(-1.0)
    w = jnp.ones(2)
    assert float(N.log_logistic_loss(jnp.array([1e3, 2e3]), w)) == pytest.approx(-1e3, rel=1e-12)


def test_padded_polynomial_problem_matches_model():
    rng = np.random.default_rng(0)
    for name, m in T.paper_models().items():
        X = rng.normal(size=(3, len(m.inputs)))
        y = np.array([1.0, -1.0, 1.0])
        p = N.make_problem(m, X, y, n_params=6, n_monomials=3, n_points=5, n_inputs=2)
        th = np.zeros(6)
        th[: m.n_params] = rng.normal(size=m.n_params)
        f_model = m.numpy_functions[0](th[: m.n_params], X)[:, 0]
        assert np.allclose(np.asarray(N.polynomial_outputs(p, jnp.asarray(th)))[:3], f_model, rtol=1e-12), name
    with pytest.raises(ValueError, match="loss"):
        N.make_problem(T.paper_models()["M1"], X[:, :2], y, loss="hinge")


def test_collapse_metrics_on_etf():
    K = 4
    E = T.simplex_etf(K, 5)
    labels = np.repeat(np.arange(K), 3)
    met = N.collapse_metrics(E[labels], labels, 0.75 * E, np.zeros(K))
    assert met["nc1"] < 1e-20 and met["nc2"] < 1e-12 and met["nc3"] < 1e-12
    assert met["mean_cos"] == pytest.approx(-1 / 3) and met["cos_wm"] == pytest.approx(1.0)


def test_fit_power_law_and_its_bad_input():
    x = np.geomspace(1, 100, 12)
    assert N.fit_power_law(x, 3 * x**-1.5, 1.0, 100.0) == pytest.approx(-1.5)
    with pytest.raises(ValueError, match="fewer than 3"):
        N.fit_power_law(x, x, 200.0, 300.0)
    with pytest.raises(ValueError, match="shape"):
        N.fit_power_law(x, x[:-1], 1.0, 100.0)


# --------------------------------------------------------------------------- no crash, no silent garbage

_CRASHING_CALLS = textwrap.dedent("""
    import jax
    import numpy as np

    import numerics.max_margin
    import theory
    import theory.max_margin as T
    import verify.max_margin
    from theory.max_margin._kkt import _nnls

    # 0. importing the library changes no JAX setting; float64 is switched on by the caller
    out = [f"x64-at-import:{jax.config.jax_enable_x64}"]
    theory.enable_x64()
    # 1. the minimum margin is negative: no constraint was "active", nnls got a (4, 0) matrix (SIGABRT)
    prob = T.MarginProblem.from_dataset(T.paper_models()["M3"], T.EXAMPLE_A3)
    r = T.kkt_residuals(prob, np.array([1.0, 1.0, 1.0, -100.0]), normalise=False)
    assert r.active.size >= 1
    assert all(np.all(np.isfinite(v)) for v in (r.stationarity, r.combined, r.primal, r.mu)), r
    out.append("negative-margin:finite")
    # 2. NaN in X: refused when the problem is built, and again if X is changed afterwards
    m1 = T.paper_models()["M1"]
    X = T.EXAMPLE_A3.X_np.copy()
    X[0, 0] = np.nan
    try:
        T.MarginProblem(m1, X, T.EXAMPLE_A3.y_np)
    except ValueError:
        out.append("nan-X:ValueError")
    p = T.MarginProblem.from_dataset(m1, T.EXAMPLE_A3)
    p.X[0, 0] = np.nan
    try:
        T.solve_max_margin(p, restarts=2)
    except ValueError:
        out.append("nan-X-solve:ValueError")
    # 3. the guard itself: no unknowns, and non-finite input
    x, res = _nnls(np.zeros((2, 0)), np.ones(2))
    assert x.shape == (0,) and np.isclose(res, np.sqrt(2))
    try:
        _nnls(np.full((2, 2), np.nan), np.ones(2))
    except ValueError:
        out.append("nnls-nan:ValueError")
    print(" ".join(out))
""")


def test_former_crashes_raise_or_return_finite_in_a_subprocess():
    """Issue 15 sec. 1: these calls aborted the interpreter (scipy's nnls double-frees on a matrix with
    no columns). Run in a child process so that a crash fails this test instead of killing pytest; the
    fresh process also shows that importing the library leaves JAX in float32 (no x64 at import)."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", _CRASHING_CALLS], cwd=root, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode} (negative: killed by a signal)\n{proc.stderr[-3000:]}"
    assert proc.stdout.split() == ["x64-at-import:False", "negative-margin:finite", "nan-X:ValueError", "nan-X-solve:ValueError",
                                   "nnls-nan:ValueError"], proc.stdout


def test_geometric_margin_and_asymmetric_norm_reject_bad_input():
    X, y = T.EXAMPLE_A3.X_np, T.EXAMPLE_A3.y_np
    assert T.geometric_margin(np.array([1.0, 0.0]), -2.0, X, y) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="labels"):
        T.geometric_margin(np.array([1.0, 0.0]), -2.0, X, 2 * y)  # labels not in {-1, +1}
    with pytest.raises(ValueError, match="rates"):
        T.asymmetric_norm(np.ones(4), np.ones(3))  # mismatched shapes (was IndexError)
    with pytest.raises(ValueError, match="theta"):
        T.kkt_residuals(T.MarginProblem.from_dataset(T.paper_models()["M1"], T.EXAMPLE_A3), np.ones(4))


_M1, _M3 = T.affine_linear(2), T.affine_factored_slope(2)
_XA3, _YA3 = T.EXAMPLE_A3.X_np, T.EXAMPLE_A3.y_np
_TH = np.array([1.0, 2.0, 3.0, 4.0])
_RATES = np.array([0.5, 0.5, 0.5, 1.0])
_M3_OPT = np.array([float(v) for v in T.balanced_parameters("M3", (sp.Rational(8, 3), sp.Rational(-4, 3)),
                                                            sp.Rational(-5, 3))])


def _theory_calls() -> dict:
    p1 = T.MarginProblem(_M1, _XA3, _YA3)
    p3 = T.MarginProblem(_M3, _XA3, _YA3)
    return {
        "etf_cosine": ((4,), {}),
        "layer_peeled_value": ((4,), {}),
        "layer_peeled_normalised_margin": ((4,), {}),
        "predicted_collapse": ((4,), {}),
        "simplex_etf": ((4, 5), {}),
        "solve_layer_peeled": ((3, 2, 1), {"restarts": 2, "seed": 0}),
        "derivations": ((), {}),
        "MarginProblem": ((_M1, _XA3, _YA3), {}),
        "affine_max_margin": ((T.EXAMPLE_A1, "all"), {}),
        "lambda_seminorm": ((_TH, _RATES), {}),
        "asymmetric_norm": ((_TH, _RATES), {}),
        "characteristic_flow": ((_TH, _RATES, 0.5), {}),
        "normalise_along_characteristic": ((_TH, _RATES, 2.0), {}),
        "smoothed_margin": ((10.0, _TH, _RATES), {}),
        "smoothed_margin_limit": ((_TH, _RATES), {}),
        "balanced_parameters": (("M3", np.array([8 / 3, -4 / 3]), -5 / 3), {}),
        "geometric_margin": ((np.array([1.0, 0.0]), -2.0, _XA3, _YA3), {}),
        "kkt_residuals": [((p3, _M3_OPT), {"active_tol": 1e-2}),
                          ((p3, np.array([1.0, 1.0, 1.0, -100.0])), {"normalise": False})],
        "solve_max_margin": ((p1,), {"restarts": 2, "seed": 0}),
        "affine_linear": ((2,), {}),
        "affine_product_bias": ((2,), {}),
        "affine_factored_slope": ((2,), {}),
        "affine_homogeneous_factored": ((2,), {}),
        "linear_1d": ((), {}),
        "square_slope_1d": ((), {}),
        "cube_bias_1d": ((), {}),
        "bias_mlp": ((np.array([2, 3, 1]),), {}),
        "residual_network": ((2, 2), {}),
        "normalised_network": ((2, 2, 1), {}),
        "layernorm_network": ((2, 3), {}),
        "paper_models": ((), {}),
        "detect_rates": [((_M3.expr, _M3.params), {"samples": 40, "seed": 0}),
                         ((_M3.expr, _M3.params), {"rates": _RATES})],
        "euler_residual": ((_M3.expr, _M3.params, _RATES), {}),
        "verify_rates": ((_M3.expr, _M3.params, _RATES), {"points": 2, "seed": 1}),
    }


_THEORY_EXEMPT = {
    "LayerPeeledSolution": "a result dataclass",
    "AffineMaxMargin": "a result dataclass",
    "KKTResiduals": "a result dataclass",
    "KKTSolution": "a result dataclass",
    "QuasiHomogeneity": "a result dataclass",
    "Dataset": "a dataclass of sympy matrices (no numeric argument)",
    "Model": "a dataclass of sympy expressions (no numeric argument)",
    "EXAMPLE_A1": "a constant",
    "EXAMPLE_A2": "a constant",
    "EXAMPLE_A3": "a constant",
}


def test_bad_inputs_theory():
    check_bad_inputs(T, _theory_calls(), _THEORY_EXEMPT)


def _numerics_calls() -> dict:
    prob = N.make_problem(_M1, _XA3, _YA3, n_params=4)
    labels = np.array([0, 0, 1, 1, 2, 2])
    ncp = N.nc_problem(labels, 3, 2)
    theta_nc = np.random.default_rng(0).normal(size=6 * 2 + 3 * 2 + 3)
    K = 4
    E = T.simplex_etf(K, 5)
    lab = np.repeat(np.arange(K), 2)
    x = np.geomspace(1.0, 100.0, 8)
    return {
        "make_problem": ((_M1, _XA3, _YA3), {"n_params": 6, "lambda_max": 1.0}),
        "stack_problems": (([prob, prob],), {}),
        "polynomial_outputs": ((prob, np.full(4, 0.5)), {}),
        "polynomial_margins": ((prob, np.full(4, 0.5)), {}),
        "polynomial_log_loss": ((prob, np.full(4, 0.5)), {}),
        "log_exponential_loss": ((np.array([1.0, 2.0]), np.ones(2)), {}),
        "log_logistic_loss": ((np.array([1.0, 2.0]), np.ones(2)), {}),
        "nc_problem": ((labels, 3, 2), {}),
        "nc_unpack": ((ncp, theta_nc), {}),
        "nc_log_loss": ((ncp, theta_nc), {}),
        "collapse_metrics": ((E[lab] + 0.01 * np.arange(8)[:, None], lab, 0.75 * E, np.full(K, 0.1)), {}),
        "fit_power_law": ((x, 2 * x**-1.0, 1.0, 100.0), {}),
    }


_NUMERICS_EXEMPT = {
    "LOSSES": "a constant",
    "FlowProblem": "a NamedTuple of arrays (built by make_problem)",
    "FlowSolution": "a result dataclass",
    "NCProblem": "a NamedTuple of arrays (built by nc_problem)",
    "integrate_gradient_flow": "returns trajectories padded with NaN after each run's last step (documented in "
                               "FlowSolution, `valid` marks the real steps); its argument checks are tested in "
                               "test_integrate_gradient_flow_rejects_bad_input without compiling the solver",
}


def test_bad_inputs_numerics():
    check_bad_inputs(N, _numerics_calls(), _NUMERICS_EXEMPT)


@pytest.mark.parametrize(
    "change",
    [
        {"theta0": np.full((1, 3), np.nan)},
        {"theta0": np.full((1, 3), np.inf)},
        {"theta0": np.zeros((0, 3))},
        {"theta0": np.zeros((2, 3))},  # two rows, one problem
        {"theta0": np.zeros((1, 4))},  # more columns than the padded parameters
        {"theta0": np.zeros(3)},
        {"ell_max": 0.0}, {"ell_max": -1.0}, {"ell_max": np.nan}, {"ell_max": np.inf},
        {"rtol": 0.0}, {"atol": -1.0}, {"newton_rtol": np.nan}, {"max_steps": 0}, {"max_steps": np.nan},
    ],
)
def test_integrate_gradient_flow_rejects_bad_input(change):
    batch = N.stack_problems([N.make_problem(_M1, _XA3, _YA3)])
    kw = {"theta0": np.zeros((1, 3)), "ell_max": 5.0, **change}
    with pytest.raises(ValueError):
        N.integrate_gradient_flow(batch, **kw)


# --------------------------------------------------------------------------- claims end to end (tiny)


#: The shared experiments' results by (experiment, arguments), kept for the whole test session: the
#: practice side is deterministic given its arguments (the seed is one of them).
_EXPERIMENT_CACHE: dict = {}


def _cached_experiment(name: str):
    real = getattr(experiments, name)

    def cached(**kw):
        key = (name, tuple(sorted(kw.items())))
        if key not in _EXPERIMENT_CACHE:
            _EXPERIMENT_CACHE[key] = real(**kw)
        return _EXPERIMENT_CACHE[key]

    return cached


@pytest.fixture
def shared_examples(monkeypatch):
    """Share the batched toy-example integration, the neural-collapse flow and the digits run between
    claims and tests, as `ctx.shared` does within one run (each `run_claim` has its own store)."""
    for name in ("run_examples", "run_nc_flow", "run_digits_collapse"):
        monkeypatch.setattr(experiments, name, _cached_experiment(name))


def test_all_claims_tiny(shared_examples):
    assert len(CLAIMS) == 18
    kinds = {c.id: c.kind for c in CLAIMS}
    assert {k for k, v in kinds.items() if v != "prediction"} == {
        "max_margin.identities", "max_margin.rate_detection", "max_margin.nc_layer_peeled"}
    assert set(kinds.values()) == {"prediction", "consistency"}
    for c in CLAIMS:
        assert set(c.profiles) == {"tiny", "quick", "gpu", "paper"}, c.id
        res = run_claim(c.id)
        assert res.verdict == "PASS", (c.id, res.verdict, res.error, res.reason)
        pred, meas = res.prediction, res.measurements
        assert np.shape(pred.value) == np.shape(meas[0].value), c.id
        assert np.all(np.isfinite(np.asarray(meas[0].value, float))), c.id
        assert np.isfinite(res.error), c.id
        if c.figure is not None:
            assert res.record.get("figure_error") is None and res.figure_png, (c.id, res.record.get("figure_error"))


def test_gpu_digits_path_on_cpu_and_paper_skip():
    res = run_claim("max_margin.nc_digits_trend", profile="gpu", seeds=1, per_class=6, width=16, features=12,
                    phase2_steps=6, checkpoints=4)
    assert res.measurements and np.shape(res.measurements[0].value) == (3,)
    c = next(c for c in CLAIMS if c.id == "max_margin.nc_digits_trend")
    assert "not available" in c.profiles["paper"].skip_reason
    with pytest.raises(ValueError, match="no runnable paper profile"):
        run_claim("max_margin.nc_digits_trend", profile="paper")


# --------------------------------------------------------------------------- mutation test (issue 16 sec. 2)


def _scale_first_slope(real):
    """The exact (P_Lambda) solution with its first slope coefficient u_1 and its multipliers mu
    scaled by 1.1: the predicted max-margin separator, slightly wrong."""

    def perturbed(*args, **kwargs):
        s = real(*args, **kwargs)
        k = sp.Rational(11, 10)
        return dataclasses.replace(s, u=(s.u[0] * k, *s.u[1:]), mu=tuple(m * k for m in s.mu))

    return perturbed


def _scale_weight_norm(real):
    """The predicted collapse with |W|_F^2 at q_min = 1, (K-1)^2/K, scaled by 1.1."""

    def perturbed(*args, **kwargs):
        p = dict(real(*args, **kwargs))
        p["w_norm_sq"] *= 1.1
        return p

    return perturbed


#: (module where the claims look the theory function up, its name, the perturbation, the predictions
#: whose predicted value it gives, the predictions that call it only to report it in `info`). The toy
#: predictions not listed (kkt_residual, smoothed_margin_monotone, conservation) predict a constant (a
#: residual or drift of 0, a non-negative change) and nc_digits_trend a sign: no theory function gives
#: their predicted value, so none can be perturbed; the practice side carries their content.
_MUTATIONS = [
    (verify_common, "affine_max_margin", _scale_first_slope, {
        "max_margin.kkt_convergence_a3", "max_margin.kkt_multipliers", "max_margin.not_euclidean_kkt",
        "max_margin.smoothed_margin_limit", "max_margin.homogeneous_classic", "max_margin.asymmetric_differs",
        "max_margin.robustness", "max_margin.discarding", "max_margin.boundaries_a1", "max_margin.logistic_loss"},
     set()),
    (verify_nc, "predicted_collapse", _scale_weight_norm, {"max_margin.nc_gradient_flow"},
     {"max_margin.nc_digits_trend"}),
]


def test_perturbed_theory_fails_every_prediction_that_uses_it(shared_examples, monkeypatch):
    """Issue 16 sec. 2: a prediction must tell a wrong theory from the right one. Each theory function
    of `_MUTATIONS` is first wrapped by a spy (same values) to find the predictions whose run calls it:
    they must be the listed ones, and PASS. Then it is perturbed by 10% where the claims look it up:
    each prediction whose predicted value it gives must change its value and FAIL; one that only
    reports it keeps its value and its PASS."""
    calls: dict[str, set] = {name: set() for _, name, _, _, _ in _MUTATIONS}
    clean: dict[str, np.ndarray] = {}
    current = [""]
    with monkeypatch.context() as m:
        for module, name, _, _, _ in _MUTATIONS:
            def spy(*args, _real=getattr(module, name), _name=name, **kwargs):
                calls[_name].add(current[0])
                return _real(*args, **kwargs)

            m.setattr(module, name, spy)
        for c in CLAIMS:
            if c.kind == "prediction":
                current[0] = c.id
                res = run_claim(c.id)
                assert res.verdict == "PASS", (c.id, res.verdict, res.error, res.reason)
                clean[c.id] = np.asarray(res.prediction.value, dtype=float)
    for _, name, _, users, info_only in _MUTATIONS:
        assert calls[name] == users | info_only, (name, "differs in", sorted(calls[name] ^ (users | info_only)))
    for module, name, perturb, users, info_only in _MUTATIONS:
        with monkeypatch.context() as m:
            m.setattr(module, name, perturb(getattr(module, name)))
            for cid in sorted(users | info_only):
                res = run_claim(cid)
                changed = not np.array_equal(np.asarray(res.prediction.value, dtype=float), clean[cid])
                if cid in users:
                    assert changed and res.verdict == "FAIL", (name, cid, res.verdict, res.error, res.reason)
                else:
                    assert not changed and res.verdict == "PASS", (name, cid, res.verdict, res.error)
