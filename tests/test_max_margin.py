"""Tests of max_margin: derivations, Lambda detection (incl. hypothesis on random quasi-homogeneous
polynomial models), exact and numerical (P_Lambda) solutions (hypothesis on random separable data),
the stable losses, the padded polynomial flow problems, and tiny end-to-end runs of every claim
(quick path, and the gpu path on CPU at a tiny size)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

import theory.max_margin as T

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
    import jax
    import jax.numpy as jnp

    from numerics import max_margin as N

    q = jnp.array([-30.0, -1.0, 0.0, 0.5, 20.0, 300.0, 1e4, 1e6])
    v = jax.vmap(N._log_softplus_neg)(q)
    g = jax.vmap(jax.grad(N._log_softplus_neg))(q)
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
    ref = np.log(np.log1p(np.exp(-np.asarray(q[:5], dtype=np.float64))))
    assert np.allclose(v[:5], ref, rtol=1e-12)
    assert float(v[-1]) == pytest.approx(-1e6) and float(g[-1]) == pytest.approx(-1.0)
    w = jnp.ones(2)
    assert float(N.log_logistic_loss(jnp.array([1e3, 2e3]), w)) == pytest.approx(-1e3, rel=1e-12)


def test_padded_polynomial_problem_matches_model():
    import jax.numpy as jnp

    from numerics import max_margin as N

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
    from numerics import max_margin as N

    K = 4
    E = T.simplex_etf(K, 5)
    labels = np.repeat(np.arange(K), 3)
    met = N.collapse_metrics(E[labels], labels, 0.75 * E, np.zeros(K))
    assert met["nc1"] < 1e-20 and met["nc2"] < 1e-12 and met["nc3"] < 1e-12
    assert met["mean_cos"] == pytest.approx(-1 / 3) and met["cos_wm"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- claims end to end (tiny)

TINY = {
    "max_margin.identities": dict(n_points=1),
    "max_margin.nc_layer_peeled": dict(K=3, d=2, n_per_class=2, restarts=2),
    "max_margin.nc_gradient_flow": dict(K=3, d=2, n_per_class=2, n_inits=1, ell_max=20.0),
    "max_margin.nc_digits_trend": dict(per_class=8, width=16, features=12, phase2_steps=12, checkpoints=6,
                                       adam_lr=1e-2, gd_lr=0.05),
}
EXAMPLES_TINY = dict(ell_max=200.0, n_inits=1)


def _ctx(claim_id, cfg, role, seed=0, profile="quick"):
    from verify.core.context import RunContext

    return RunContext(claim_id=claim_id, profile=profile, config=cfg, seed=seed, role=role)


def test_all_claims_tiny(monkeypatch):
    from verify.core.claims import COMPARISONS, Measurement, Prediction
    from verify.max_margin import CLAIMS
    from verify.max_margin import _experiments as X

    cache = {}
    real = X.run_examples

    def cached(**kw):  # share the batched integration between the claims, as ctx.shared does
        key = tuple(sorted(kw.items()))
        if key not in cache:
            cache[key] = real(**kw)
        return cache[key]

    monkeypatch.setattr(X, "run_examples", cached)
    assert len(CLAIMS) >= 15
    for c in CLAIMS:
        assert set(c.profiles) == {"quick", "gpu", "paper"}, c.id
        cfg = TINY.get(c.id, EXAMPLES_TINY if "ell_max" in c.profiles["quick"].config else c.profiles["quick"].config)
        pred = c.theory(_ctx(c.id, cfg, "theory"))
        meas = c.practice(_ctx(c.id, cfg, "practice"))
        assert isinstance(pred, Prediction) and isinstance(meas, Measurement)
        assert np.shape(pred.value) == np.shape(meas.value), c.id
        assert np.all(np.isfinite(np.asarray(meas.value, float))), c.id
        err = COMPARISONS[c.compare].error_fn(pred.value, meas.value)
        assert np.isfinite(err), c.id
        if c.figure is not None:
            import matplotlib.pyplot as plt

            plt.close(c.figure(_ctx(c.id, cfg, "figure"), pred, [meas]))


def test_gpu_digits_path_on_cpu_and_paper_skip():
    from verify.core.claims import SkipClaim
    from verify.max_margin import CLAIMS

    c = next(c for c in CLAIMS if c.id == "max_margin.nc_digits_trend")
    cfg = dict(c.profiles["gpu"].config, per_class=6, width=16, features=12, phase2_steps=6, checkpoints=4)
    meas = c.practice(_ctx(c.id, cfg, "practice", profile="gpu"))
    assert meas.value.shape == (3,)
    with pytest.raises(SkipClaim):
        c.practice(_ctx(c.id, c.profiles["paper"].config, "practice", profile="paper"))
