"""Tests of theory/numerics/verify `lazy_rich` (Kunin et al. 2024, "Get rich quick")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import numerics.lazy_rich as nm
import theory.lazy_rich as th
from tests._bad_input import check_bad_inputs
from verify.core.testing import run_claim
from verify.lazy_rich import CLAIMS
from verify.lazy_rich._problems import init_from_beta

# ----------------------------------------------------------------------------- derivations


def test_derivations_checks_all_true():
    ders = th.derivations()
    assert len(ders) >= 8
    ids = {d.id for d in ders}
    assert {"lazy_rich.conservation", "lazy_rich.ntk", "lazy_rich.exact_solution", "lazy_rich.potential"} <= ids
    for d in ders:
        assert d.failed_checks == [], (d.id, d.failed_checks)
        assert any(s.check for s in d.steps), f"{d.id} has no symbolically checked step"
        assert d.to_markdown().startswith("## ")


# ----------------------------------------------------------------------------- helpers


def _whitened(rng, n, beta_star):
    Q, _ = np.linalg.qr(rng.normal(size=(n, beta_star.shape[0])))
    return Q, Q @ beta_star


# ----------------------------------------------------------------------------- property tests

_lr = st.floats(0.3, 3.0)
_vec = st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3)


@given(a0=st.floats(-2.0, 2.0), w0=_vec, bs=_vec, eta_a=_lr, eta_w=_lr)
def test_closed_form_matches_diffrax(a0, w0, bs, eta_a, eta_w):
    w0, bs = np.array(w0), np.array(bs)
    if abs(a0) + np.linalg.norm(w0) < 1e-3:
        a0 = 0.5
    rng = np.random.default_rng(0)
    X, y = _whitened(rng, 5, bs)
    t = np.linspace(0.0, 5.0, 21)
    a, w = nm.gradient_flow(a0, w0, X, y, t, eta_a, eta_w, rtol=1e-12, atol=1e-14)
    ac, wc = th.whitened_trajectory(a0, w0, bs, t, eta_a, eta_w)
    assert ac.shape == t.shape and wc.shape == t.shape + (3,)
    assert np.max(np.abs(a - ac)) <= 1e-8
    assert np.max(np.abs(w - wc)) <= 1e-8


@given(a0=st.floats(-2.0, 2.0), w0=_vec, eta_a=_lr, eta_w=_lr, seed=st.integers(0, 1000))
def test_delta_conserved_general_X(a0, w0, eta_a, eta_w, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6, 3)) / 2
    y = rng.normal(size=6)
    t = np.linspace(0.0, 5.0, 21)
    a, w = nm.gradient_flow(a0, np.array(w0), X, y, t, eta_a, eta_w, rtol=1e-12, atol=1e-14)
    dl = th.conserved_delta(a, w, eta_a, eta_w)
    assert np.max(np.abs(dl - dl[0])) <= 1e-9 * max(1.0, abs(dl[0]))


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), delta=st.floats(0.0, 3.0))
def test_implicit_bias_matches_long_time_flow(seed, delta):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, 4))
    y = rng.normal(size=2)
    b0 = rng.normal(size=4) * 0.5
    a0, w0 = init_from_beta(b0, delta)
    a, w = nm.gradient_flow(a0, w0, X, y, np.array([0.0, 200.0, 400.0]), rtol=1e-12, atol=1e-14)
    beta = a[:, None] * w
    assert np.max(np.abs(beta[-1] - beta[-2])) < 1e-9, "flow not converged"
    assert np.max(np.abs(beta[-1] - th.implicit_bias(X, y, b0, delta))) <= 1e-6


@given(beta=_vec, delta=st.floats(-5, 5), eta_a=_lr, eta_w=_lr)
def test_ntk_matches_parameter_kernel(beta, delta, eta_a, eta_w):
    beta = np.array(beta)
    if np.linalg.norm(beta) < 1e-3:
        beta = beta + 0.1
    a0, w0 = init_from_beta(beta, delta, eta_a, eta_w)
    M = eta_w * a0**2 * np.eye(3) + eta_a * np.outer(w0, w0)
    assert np.allclose(th.ntk_matrix(beta, delta, eta_a, eta_w), M, atol=1e-10 * max(1, np.abs(M).max()))
    assert abs(th.conserved_delta(a0, w0, eta_a, eta_w) - delta) <= 1e-10 * max(1, abs(delta))


# ----------------------------------------------------------------------------- reference numbers of the brief


def test_fig3_reference_table():
    """Brief §1.6 table (its own computation): S(0, 20) and min mu for the Fig. 3 setup."""
    bs, b0 = np.array([0.0, 1.0]), np.array([-1.0, 0.0])
    S_ref = {-4: 0.871, -2: 0.713, -1: 0.486, 0: 0.200, 1: 0.050, 2: 0.012, 4: 0.001}
    mu_ref = {-4: 0.071, -2: 0.235, -1: 0.427, 0: 0.594, 1: 0.665, 2: 0.688, 4: 0.701}
    t = np.linspace(0, 20, 4001)
    for dl in S_ref:
        a0, w0 = init_from_beta(b0, dl)
        S = th.single_neuron_kernel_distance(a0, w0, bs, np.array([20.0]))[0]
        assert abs(S - S_ref[dl]) < 1e-3
        mu, _ = th.reduced_variables(*th.whitened_trajectory(a0, w0, bs, t), bs)
        assert abs(mu.min() - mu_ref[dl]) < 1e-3


def test_fig4b_implicit_bias_table():
    X, y, b0 = np.array([[0.5, 1.0]]), np.array([1.1]), np.array([0.4, 0.05])
    ref = {-4: (1.5511, 0.3245), -2: (1.3644, 0.4178), -1: (1.1882, 0.5059), 0: (0.9430, 0.6285), 1: (0.8034, 0.6983),
           2: (0.7657, 0.7172), 4: (0.7479, 0.7261)}
    for dl, b in ref.items():
        assert np.allclose(th.implicit_bias(X, y, b0, dl), b, atol=1e-4)
    assert np.allclose(th.implicit_bias(X, y, b0, 1e6), (0.74, 0.73), atol=1e-5)
    assert np.allclose(th.implicit_bias(X, y, b0, -1e6), (1.76, 0.22), atol=1e-5)


# ----------------------------------------------------------------------------- closed forms agree with each other


def test_balanced_riccati_and_general_forms_agree():
    rng = np.random.default_rng(3)
    bs = rng.normal(size=3)
    w0 = rng.normal(size=3)
    t = np.linspace(0, 6, 31)
    a0 = np.linalg.norm(w0)  # balanced, eta = 1
    a, w = th.whitened_trajectory(a0, w0, bs, t)
    mu, phi = th.reduced_variables(a, w, bs)
    mub, phib = th.balanced_trajectory(mu[0], phi[0], np.linalg.norm(bs), t)
    assert np.max(np.abs(mu - mub)) < 1e-12 and np.max(np.abs(phi - phib)) < 1e-12
    for a0 in (0.7, 2.5):  # unbalanced, no crossing
        a, w = th.whitened_trajectory(a0, w0, bs, t)
        dl = a0**2 - w0 @ w0
        z = th.riccati_zeta(w0 @ bs / a0, np.linalg.norm(bs), dl, t)
        assert np.max(np.abs(z - (w @ bs) / a)) < 1e-10


def test_stable_at_long_times_and_edge_cases():
    t = np.array([0.0, 1.0, 1e3])
    a, w = th.whitened_trajectory(np.array([0.3, -0.2, 1e-3]), np.array([[1, 0, 0], [0.1, 0.5, 0], [0, 1e-3, 0]]), [1.0, 0.0, 0.0], t)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(w))
    assert np.allclose(a[:, -1, None] * w[:, -1], [1.0, 0.0, 0.0], atol=1e-12)
    # beta* = 0 and delta = 0 (D = 0): the flow decays to the origin like 1/sqrt(1 + |Q0|^2 t)
    a, w = th.whitened_trajectory(1.0, [1.0, 0.0], [0.0, 0.0], np.array([0.0, 3.0]))
    assert np.isclose(a[1], 1 / np.sqrt(1 + 2 * 3.0))


def test_readout_zero_time_and_regime():
    assert th.regime(2.0) == "upstream" and th.regime(0.0) == "balanced" and th.regime(-1.0) == "downstream"
    assert list(th.regime([-1, 0, 1])) == ["downstream", "balanced", "upstream"]
    a0, w0, bs = 0.3, np.array([-2.0, 0.0]), np.array([1.0, 0.0])  # delta < 0, fit pushes a through 0
    tz = float(th.readout_zero_time(a0, w0, bs))
    assert 0 < tz < np.inf
    a, _ = th.whitened_trajectory(a0, w0, bs, np.array([tz - 1e-6, tz, tz + 1e-6]))
    assert a[0] > 0 > a[2] and abs(a[1]) < 1e-9
    assert th.readout_zero_time(2.0, np.array([0.5, 0.5]), bs) == np.inf


def test_limits_and_kernel_distance():
    bs, b0 = np.array([1.0, 0.5, 0.0]), np.array([0.2, -0.3, 0.4])
    errs = []
    for dl in (100.0, 1000.0):
        a0, w0 = init_from_beta(b0, dl)
        t = np.linspace(0, 5, 51) / dl
        a, w = th.whitened_trajectory(a0, w0, bs, t)
        errs.append(np.max(np.abs(a[:, None] * w - th.limit_trajectory(b0, bs, t, dl))))
    assert 80 < errs[0] / errs[1] < 120
    K = np.eye(3)
    assert th.kernel_distance(K, K) == pytest.approx(0.0, abs=1e-15)
    assert th.kernel_distance(K, 2 * K) == pytest.approx(0.0, abs=1e-15)


def test_multi_output_and_relu_helpers():
    s0, ss = np.array([0.2, 1.0]), np.array([1.5, 0.3])
    t = np.linspace(0, 3, 7)
    sig = th.singular_value_trajectory(s0, ss, -1.0, t, 0.8, 1.5)
    k2 = 0.8 * 1.5
    sol = solve_ivp(lambda _, x: -np.sqrt(1 + 4 * k2 * x**2) * (x - ss), (0, 3), s0, t_eval=t, rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(sig - sol.y)) < 1e-9
    A, W = th.delta_balanced_factors(np.diag([1.0, 0.5]), 0.3, 0.8, 1.5)
    assert np.allclose(1.5 * A.T @ A - 0.8 * W @ W.T, 0.3 * np.eye(2))
    assert np.allclose(A @ W, np.diag([1.0, 0.5]))
    nw, na = th.relu_scales(0.1, np.array([-1.0, 0.0, 1.0]))
    assert np.allclose(na**2 - nw**2, [-1.0, 0.0, 1.0]) and np.allclose(na * nw, 0.01)
    u = th.potential_grad(np.array([0.3, -0.4]), -2.0)
    assert np.allclose(th.mirror_inverse(u, -2.0), [0.3, -0.4])


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], eta_a=0.0), "eta_a"),
        (lambda: th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], eta_w=-1.0), "eta_w"),
        (lambda: th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0]), "beta_star"),
        (lambda: th.whitened_trajectory([1.0, 2.0], [1.0, 0.0], [1.0, 0.0], [0.0]), "w0"),
        (lambda: th.whitened_trajectory(np.nan, [1.0, 0.0], [1.0, 0.0], [0.0]), "a0"),
        (lambda: th.whitened_trajectory(1.0, [1.0, np.nan], [1.0, 0.0], [0.0]), "w0"),
        (lambda: th.whitened_trajectory(0.0, [0.0, 0.0], [1.0, 0.0], [0.0]), "a0 and w0"),
        (lambda: th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0], [-1.0]), "t"),
        (lambda: th.conserved_delta(1.0, [1.0], eta_a=0.0), "eta_a"),
        (lambda: th.ntk_matrix([1.0, 0.0], [1.0, 2.0, 3.0]), "delta"),
        (lambda: th.implicit_bias(np.ones((1, 2)), [1.0, 2.0], [0.1, 0.1], 0.0), "y"),
        (lambda: th.implicit_bias(np.ones((1, 2)), [1.0], [0.0, 0.0], 0.0), "beta0"),
        (lambda: th.kernel_distance(np.ones((2, 3)), np.ones((2, 3))), "K0"),
        (lambda: nm.gradient_flow(1.0, [1.0, 0.0], np.ones((3, 2)), np.ones(3), [0.0, 1.0], eta_w=0.0), "eta_w"),
        (lambda: nm.gradient_flow(1.0, [1.0, 0.0], np.ones((3, 3)), np.ones(3), [0.0, 1.0]), "X"),
        (lambda: nm.gradient_flow(1.0, [1.0, 0.0], np.ones((3, 2)), np.ones(4), [0.0, 1.0]), "y"),
        (lambda: nm.gradient_flow(1.0, [1.0, 0.0], np.ones((3, 2)), np.ones(3), [1.0, 0.0]), "t"),
        (lambda: nm.gradient_flow(1.0, [1.0, np.nan], np.ones((3, 2)), np.ones(3), [0.0, 1.0]), "w0"),
    ],
)
def test_bad_input_names_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ----------------------------------------------------------------------------- numerics


def test_batched_flow_and_gd_consistency():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 3)) / 2
    y = rng.normal(size=6)
    a0 = np.array([0.5, -1.0, 0.2])
    w0 = rng.normal(size=(3, 3))
    t = np.linspace(0, 2, 11)
    a, w = nm.gradient_flow(a0, w0, X, y, t)
    assert a.shape == (3, 11) and w.shape == (3, 11, 3)
    a1, w1 = nm.gradient_flow(a0[1], w0[1], X, y, t)
    assert np.allclose(a1, a[1], atol=1e-12) and np.allclose(w1, w[1], atol=1e-12)
    ag, wg = nm.single_neuron_gd(a0[1], w0[1], X, y, 1e-3, 2000, record_every=1000)
    assert np.max(np.abs(ag[-1] - a1[-1])) < 1e-2  # GD with h = 1e-3 tracks the flow to O(h)
    dl = th.conserved_delta(a, w)
    assert np.max(np.abs(dl - dl[:, :1])) < 1e-8


def test_deep_and_relu_conservation_quick():
    rng = np.random.default_rng(2)
    Ws = [rng.normal(size=(3, 4)), rng.normal(size=(2, 3))]
    X, Y = rng.normal(size=(8, 4)) / 3, rng.normal(size=(8, 2))
    traj = nm.deep_linear_flow(Ws, X, Y, np.linspace(0, 1, 5), [0.5, 2.0], rtol=1e-12, atol=1e-13)
    D0 = th.conserved_matrices([traj[0][0], traj[1][0]], [0.5, 2.0])[0]
    D1 = th.conserved_matrices([traj[0][-1], traj[1][-1]], [0.5, 2.0])[0]
    assert np.max(np.abs(D1 - D0)) < 1e-9
    Xr, yr, _, _ = nm.teacher_student(4, 30, rng)
    a, W = nm.symmetric_relu_init(0.5, 0.3, 6, 4, rng)
    A, Wt = nm.relu_gd(a, W, Xr, yr, 1e-2, (0, 10, 20))
    assert A.shape == (3, 6) and Wt.shape == (3, 6, 4)
    assert np.allclose(th.relu_deltas(a, W), 0.3)
    K = nm.relu_ntk(a, W, Xr)
    assert K.shape == (30, 30)




# ----------------------------------------------------------------------------- float64 is switched on, never flipped


def test_no_module_switches_x64_on():
    """Calling the library never changes JAX's float64 setting: the JAX paths refuse float32 (they raise
    before computing anything, so switching float64 off for a moment here is safe)."""
    import jax

    jax.config.update("jax_enable_x64", False)
    try:
        with pytest.raises(RuntimeError, match="enable_x64"):
            th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], backend="jax")
        with pytest.raises(RuntimeError, match="enable_x64"):
            nm.gradient_flow(1.0, [1.0, 0.0], np.eye(2), np.ones(2), [0.0, 1.0])
        assert not jax.config.jax_enable_x64
        th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0], [0.0, 1.0])  # the numpy default needs nothing
    finally:
        jax.config.update("jax_enable_x64", True)
    a_np, _ = th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0], [0.0, 1.0])
    a_jax, _ = th.whitened_trajectory(1.0, [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], backend="jax")
    assert np.max(np.abs(a_np - a_jax)) < 1e-13


# ----------------------------------------------------------------------------- bad input (issue 15 §4)


def test_issue_examples_raise_value_errors():
    """The defects the issue found: an empty w0 raised IndexError, w0 = 1e200 gave NaN, sigma < 0 was finite."""
    with pytest.raises(ValueError, match="w0"):
        th.whitened_trajectory(1.0, np.zeros(0), np.zeros(0), [0.0, 1.0])
    with pytest.raises(ValueError, match="w0"):
        th.whitened_trajectory(1.0, [1e200, 0.0], [1.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="sigma"):
        th.hyperbolic_entropy(-1.0, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        th.hyperbolic_entropy_grad(-1.0, 1.0)
    with pytest.raises(ValueError, match="mu"):
        th.reduced_rhs(0.0, 0.5, 1.0, 1.0)
    with pytest.raises(ValueError, match="steps"):
        nm.single_neuron_gd(1.0, [1.0, 0.0], np.eye(2), np.ones(2), 1e-2, float("inf"))
    with pytest.raises(ValueError, match="d"):
        nm.teacher_student(float("nan"), 5, np.random.default_rng(0))


_W2 = np.array([[1.0, 0.2], [0.3, -0.4]])
_BS = np.array([1.0, 0.0])
_T = np.array([0.0, 1.0])

VALID_THEORY = {
    "balanced_trajectory": ((0.5, 0.2, 1.0, _T), {}),
    "conserved_delta": ((np.array([0.5, -1.0]), _W2), {}),
    "conserved_matrices": (([np.ones((2, 3)), np.ones((1, 2))],), {}),
    "delta_balanced_factors": ((np.diag([1.0, 0.5]), 0.3), {}),
    "hyperbolic_entropy": ((np.array([0.5, 1.0]), 2.0), {}),
    "hyperbolic_entropy_grad": ((np.array([0.5, 1.0]), 2.0), {}),
    "implicit_bias": ((np.array([[0.5, 1.0]]), np.array([1.1]), np.array([0.4, 0.05]), 1.0), {}),
    "kernel_distance": ((np.eye(2) + 0.1, np.eye(2)), {}),
    "limit_trajectory": ((np.array([0.2, -0.3]), np.array([1.0, 0.5]), np.array([0.0, 0.5]), 10.0), {}),
    "mirror_inverse": ((np.array([0.3, -0.4]), -2.0), {}),
    "ntk_coefficients": ((np.array([0.5, 1.0]), 1.0), {}),
    "ntk_kernel_distance": ((0.8, np.array([1.0, 0.5]), np.array([0.8, 0.9]), np.array([[1.0, 0.5], [0.7, 0.6]])), {}),
    "ntk_matrix": ((np.array([0.3, -0.4]), 1.0), {}),
    "potential": ((np.array([0.3, -0.4]), 1.0), {}),
    "potential_grad": ((np.array([0.3, -0.4]), 1.0), {}),
    "readout_zero_time": ((0.3, np.array([-2.0, 0.0]), _BS), {}),
    "reduced_rhs": ((0.5, 0.3, 1.0, -1.0), {}),
    "reduced_variables": ((0.8, np.array([1.0, 0.5]), _BS), {}),
    "regime": ((np.array([-1.0, 0.0, 1.0]),), {}),
    "relu_deltas": ((np.array([0.5, -1.0]), _W2), {}),
    "relu_scales": ((0.1, np.array([-1.0, 0.0, 1.0])), {}),
    "riccati_zeta": ((0.3, 1.0, 0.5, _T), {}),
    "single_neuron_kernel_distance": ((0.8, np.array([1.0, 0.5]), _BS, _T), {}),
    "singular_value_trajectory": ((np.array([0.2, 1.0]), np.array([1.5, 0.3]), -1.0, _T), {}),
    "whitened_trajectory": ((0.8, np.array([1.0, 0.5]), _BS, _T), {}),
  # the deep-linear potential
    "deep_potential": ((np.array([0.3, -0.4]), np.array([0.5, -0.2])), {}),
    "deep_potential_grad": ((np.array([0.3, -0.4]), np.array([0.5, -0.2])), {}),
    "deep_implicit_bias": ((np.array([[0.5, 1.0]]), np.array([1.1]), np.array([0.4, 0.05]), np.array([0.5, 0.5])), {}),
}
EXEMPT_THEORY = {
    "derivations": "takes no arguments; every derivation's symbolic checks are asserted by test_derivations_checks_all_true",
}
INPUT_EXEMPT_THEORY = {
    "readout_zero_time": {
        "negative": "a changed initialisation need not cross zero: the documented value inf means 'never'",
        "zero": "a changed initialisation need not cross zero: the documented value inf means 'never'",
    },
}

# small valid calls; the shapes of the diffrax calls are those of the tiny claim runs, so the walker
# reuses their compiled programs
_RNG = np.random.default_rng(0)
_X, _Y = _RNG.normal(size=(6, 3)) / 3, _RNG.normal(size=6)
_RELU_RNG = np.random.default_rng(4)  # an init whose ReLU flow the solver integrates at the default tolerances
_XR, _YR, _, _ = nm.teacher_student(3, 20, _RELU_RNG)
_WR, _A = _RELU_RNG.normal(size=(4, 3)) * 0.5, _RELU_RNG.normal(size=4) * 0.5
_WIDE = [_RNG.normal(size=(6, 4)) * 0.7, _RNG.normal(size=(1, 6)) * 0.7]
_XD, _YD = _RNG.normal(size=(10, 4)) / 3, _RNG.normal(size=10)
VALID_NUMERICS = {
    "gradient_flow": ((0.8, np.array([1.0, 0.5, -0.2]), _X, _Y, np.linspace(0.0, 0.5, 11)), {}),
    "beta_flow": ((np.array([0.8, 0.4, 0.1]), 0.3, _X, _Y, np.linspace(0.0, 0.5, 11)), {}),
    "single_neuron_gd": ((0.8, np.array([1.0, 0.5, -0.2]), _X, _Y, 1e-2, 10), {}),
    "deep_linear_flow": ((_WIDE, _XD, _YD, np.linspace(0.0, 0.5, 51)), {}),
    "deep_linear_gd": ((_WIDE, _XD, _YD, 1e-2, 10), {}),
    "relu_flow": ((_A, _WR, _XR, _YR, np.linspace(0.0, 0.5, 61)), {"max_steps": 100_000}),
    "relu_gd": ((_A, _WR, _XR, _YR, 1e-2, (0, 5)), {}),
    "relu_ntk": ((_A, _WR, _XR), {}),
    "relu_features": ((_A, _WR, _XR), {}),
    "teacher_student": ((3, 5, np.random.default_rng(0)), {}),
    "symmetric_relu_init": ((0.5, 0.3, 4, 3, np.random.default_rng(0)), {}),
}


def test_bad_inputs_theory():
    check_bad_inputs(th, VALID_THEORY, EXEMPT_THEORY, INPUT_EXEMPT_THEORY)


def test_bad_inputs_numerics():
    check_bad_inputs(nm, VALID_NUMERICS)


# ----------------------------------------------------------------------------- every claim end to end (tiny profile)

#: claims whose verdict at tiny size is not meaningful (qualitative or statistical): only the path is checked
PATH_ONLY = {"relu_rapid_rich", "relu_lazy_large_scale", "grokking_upstream_faster", "digits_kernel_distance",
             "delayed_alignment_scaling", "silent_alignment_loss_delay", "gd_drift_order_h", "relu_gd_drift_order_h"}
PATH_ONLY |= {"deep_kernel_distance", "xor_partition_rapid"}  # trained at tiny size, path only
#: figures drawn in the tests (the others are drawn by the report)
FIGURES = {"kernel_distance_fig3", "implicit_bias"}


def test_every_claim_is_declared_by_its_literal_id():
    source = (Path(__file__).resolve().parents[1] / "verify" / "lazy_rich" / "__init__.py").read_text()
    assert len(CLAIMS) == 43  # 37 + the six of issue 18
    for c in CLAIMS:
        assert f'id="{c.id}"' in source, c.id
        assert {"tiny", "quick", "gpu", "paper"} <= set(c.profiles), c.id
        assert c.kind in ("prediction", "consistency"), c.id
    kinds = {c.name: c.kind for c in CLAIMS}
    # issue 16 §2: these compare theory routes with each other, not theory with a practice route
    for name in ("long_time_convergence", "mirror_potential", "potential_limits", "hyperbolic_entropy_limits"):
        assert kinds[name] == "consistency", name
    assert 'f"{P}' not in source


@pytest.mark.parametrize("claim_id", [c.id for c in CLAIMS])
def test_claim_end_to_end_tiny(claim_id):
    res = run_claim(claim_id)
    name = claim_id.split(".", 1)[1]
    assert res.verdict != "ERROR", res.reason
    assert all(np.all(np.isfinite(np.asarray(m.value, float))) for m in res.measurements), claim_id
    if name not in PATH_ONLY:
        assert res.verdict == "PASS", (claim_id, res.error, res.tolerance, res.reason)
    if name in FIGURES:
        assert res.figure_png and res.record.get("figure_error") is None, res.record.get("figure_error")


# ----------------------------------------------------------------------------- mutation test (issue 16 §2)


def _code_uses(fn, name: str) -> bool:
    """Whether `fn`'s code, or a function or lambda nested in it, refers to the global `name`."""
    import types

    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        if name in code.co_names:
            return True
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return False


#: the predictions whose theory side calls the closed-form trajectory directly
WHITENED_USERS = sorted(c.id for c in CLAIMS if c.kind == "prediction" and _code_uses(c.theory, "whitened_trajectory"))


def test_mutation_targets_are_the_trajectory_predictions():
    assert WHITENED_USERS == ["lazy_rich.closed_form_vs_ode", "lazy_rich.delayed_rich_loss_time", "lazy_rich.downstream_dip"]


@pytest.mark.parametrize("claim_id", WHITENED_USERS)
def test_a_slightly_wrong_trajectory_fails_its_predictions(claim_id, monkeypatch):
    """A prediction must tell a wrong theory from the right one: scaling the closed-form
    trajectory (a, w) by 1.01 where the verify modules call it turns PASS into FAIL."""
    import verify.lazy_rich._exact_solution as exact_mod
    import verify.lazy_rich._regimes as regimes_mod

    right = run_claim(claim_id)
    assert right.verdict == "PASS", (claim_id, right.error, right.reason)
    true_trajectory = th.whitened_trajectory

    def off_by_one_percent(*args, **kwargs):
        a, w = true_trajectory(*args, **kwargs)
        return 1.01 * a, 1.01 * w

    for mod in (exact_mod, regimes_mod):
        monkeypatch.setattr(mod, "whitened_trajectory", off_by_one_percent)
    wrong = run_claim(claim_id)
    assert wrong.verdict == "FAIL", (claim_id, wrong.error, wrong.tolerance)


def test_kernel_monotone_reason_states_the_measured_smallest_decrease():
    """The tolerance reason of kernel_lazy_monotone quotes the smallest decrease of S(0, 20) on its
    quick grid (the closed form, which the integration matches to 1e-12): 7.45e-6, delta 16 -> 64."""
    from verify.lazy_rich._problems import FIG3_BETA0, FIG3_BETA_STAR
    from verify.lazy_rich._profiles import FIG3

    S = [float(th.single_neuron_kernel_distance(*init_from_beta(FIG3_BETA0, dl), FIG3_BETA_STAR, np.array(FIG3["t_eval"])))
         for dl in FIG3["deltas"]]
    dec = -np.diff(S)
    assert np.argmin(dec) == FIG3["deltas"].index(16.0)
    assert 7.4e-6 < dec.min() < 7.5e-6
    claim = next(c for c in CLAIMS if c.id == "lazy_rich.kernel_lazy_monotone")
    assert "7.45e-6" in claim.tolerance_reason and "1e-4" not in claim.tolerance_reason




def test_deep_potential_derivation_and_values():
    """Phi_L: its sympy derivation checks, L = 2 is Phi_delta - Phi_delta(0), balanced is L/(L+1) r^((L+1)/L),
    the gradient is u bhat (central differences), and the L = 2 implicit bias is the single-neuron one."""
    der = next(d for d in th.derivations() if d.id == "lazy_rich.deep_potential")
    assert der.failed_checks == [] and sum(bool(s.check) for s in der.steps) >= 5
    b = np.array([0.3, -0.4])
    for dl in (-1.0, 0.0, 0.7):
        assert abs(th.deep_potential(b, [dl]) - (th.potential(b, dl) - th.potential(np.zeros(2), dl))) < 1e-12
    for L in (2, 3, 5):
        assert abs(th.deep_potential(b, np.zeros(L - 1)) - L / (L + 1) * 0.5 ** ((L + 1) / L)) < 1e-12
    dls, h = np.array([0.5, -0.2, 1.0]), 1e-6
    fd = [(th.deep_potential(b + h * e, dls) - th.deep_potential(b - h * e, dls)) / (2 * h) for e in np.eye(2)]
    assert np.max(np.abs(np.array(fd) - th.deep_potential_grad(b, dls))) < 1e-8
    X, y, b0 = np.array([[0.5, 1.0]]), np.array([1.1]), np.array([0.4, 0.05])
    for dl in (-1.0, 0.0, 2.0):
        assert np.max(np.abs(th.deep_implicit_bias(X, y, b0, [dl]) - th.implicit_bias(X, y, b0, dl))) < 1e-9


def test_deep_potential_bias_matches_deep_flow_at_depth_three():
    from verify.lazy_rich._deep_potential import FIG4B_BETA0, FIG4B_X, FIG4B_Y, single_path_init

    w0, a0 = single_path_init(FIG4B_BETA0, 3, 0.5)
    out = nm.deep_linear_flow([w0[None]] + [np.array([[a]]) for a in a0], FIG4B_X, FIG4B_Y, np.array([0.0, 200.0, 400.0]),
                              rtol=1e-12, atol=1e-14)
    beta = out[1][-1, 0, 0] * out[2][-1, 0, 0] * out[0][-1, 0]
    assert np.max(np.abs(beta - th.deep_implicit_bias(FIG4B_X, FIG4B_Y, FIG4B_BETA0, [0.5, 0.5]))) < 1e-9


def test_xor_batched_equals_unbatched_per_member():
    """Issue 17: the batched XOR ensemble gives each member what training it alone gives (float64 round-off)."""
    import torch

    from verify.lazy_rich._profiles import XOR_TINY
    from verify.lazy_rich._xor_partition import xor_replica, xor_train

    c = dict(XOR_TINY)
    reps = [xor_replica(torch.Generator().manual_seed(r), c, torch.float64) for r in range(2)]
    X, y, U = (torch.stack(z) for z in zip(*reps))
    both = xor_train(X, y, U, c["taus"], c["deltas"], c)
    for r in range(2):
        for i, tau in enumerate(c["taus"]):
            for j, dl in enumerate(c["deltas"]):
                one = xor_train(X[r:r + 1], y[r:r + 1], U[r:r + 1], [tau], [dl], c)
                for key in ("hamming", "param", "loss"):
                    np.testing.assert_allclose(one[key][:, 0, 0, 0], both[key][:, r, i, j], rtol=1e-10, atol=1e-12)


def test_deep_kernel_batched_equals_unbatched_per_member():
    """Issue 17: the vmapped (replica, alpha) ensemble of the deep-kernel claim equals training each member alone."""
    import torch

    from verify.lazy_rich._deep_kernel import init_members, train_members
    from verify.lazy_rich._profiles import DEEP_KERNEL_TINY

    c = dict(DEEP_KERNEL_TINY, record_steps=[3], n_train=40)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(c["n_train"], 40, generator=g, dtype=torch.float64)
    Y = torch.randint(0, 10, (c["n_train"],), generator=g)
    probe = X[:3]
    alphas = [0.5, 1.0, 2.0]
    for arch in ("mlp", "cnn"):
        for opt in ("sgd", "adam"):
            gens = [torch.Generator().manual_seed(10 + r) for r in range(2)]
            params, _ = init_members(arch, c, alphas, gens, torch.float64, "cpu")
            alone = [[p[b:b + 1].clone() for p in params] for b in range(params[0].shape[0])]
            S_all = train_members(arch, opt, params, X, Y, probe, c, torch.Generator().manual_seed(5), "cpu")
            for b, ps in enumerate(alone):
                S_one = train_members(arch, opt, ps, X, Y, probe, c, torch.Generator().manual_seed(5), "cpu")
                np.testing.assert_allclose(S_one[0], S_all[b], rtol=1e-7, atol=1e-12)



#: trained at tiny size: the path only (their verdicts need the quick profile)
PATH_ONLY |= {"cnn_filters_simpler", "rhm_sample_complexity", "grokking_transformer"}
VALID_NUMERICS.update({
    "rhm_rules": ((4, 4, 2, 2, 2), {"seed": 0}),
    "rhm_sample": ((nm.rhm_rules(4, 4, 2, 2, 2), 10), {"seed": 0}),
    "rhm_all_inputs": ((nm.rhm_rules(4, 4, 2, 2, 2),), {}),
})


@pytest.mark.parametrize("v,n_c,m,s,L", [(4, 4, 2, 2, 2), (6, 6, 3, 2, 3), (5, 3, 4, 3, 2), (8, 2, 1, 2, 3)])
def test_rhm_defining_properties(v, n_c, m, s, L):
    rules = nm.rhm_rules(v, n_c, m, s, L, seed=3)
    assert len(rules) == L and rules[0].shape == (n_c, m, s)
    for lvl, R in enumerate(rules):
        assert R.shape[1:] == (m, s) and R.min() >= 0 and R.max() < v
        rows = R.reshape(-1, s)
        # unique rules: no two symbols (or classes) share a production, and each has m distinct synonyms
        assert len({tuple(r) for r in rows}) == len(rows), lvl
    x, y = nm.rhm_all_inputs(rules)
    assert x.shape == (n_c * m ** ((s**L - 1) // (s - 1)), s**L)  # the all-inputs count
    assert len(np.unique(x, axis=0)) == len(x)  # distinct inputs, so the label is a function of the input
    assert np.array_equal(np.bincount(y, minlength=n_c), np.full(n_c, len(y) // n_c))
    table = {tuple(r): int(c) for r, c in zip(x, y)}
    xs, ys = nm.rhm_sample(rules, 300, seed=1)
    assert xs.shape == (300, s**L) and all(table[tuple(r)] == int(c) for r, c in zip(xs, ys))
    # synonyms: every class has m different top productions, and the sampler is deterministic in its seed
    assert all(len({tuple(r) for r in rules[0][c]}) == m for c in range(n_c))
    assert np.array_equal(nm.rhm_sample(rules, 50, seed=1)[0], nm.rhm_sample(rules, 50, seed=1)[0])


def test_rhm_rejects_impossible_rules():
    with pytest.raises(ValueError, match="m"):
        nm.rhm_rules(3, 3, 4, 2, 2)  # 3 * 4 productions > 3**2
    with pytest.raises(ValueError, match="rules"):
        nm.rhm_sample([np.zeros((2, 2))], 5)


def test_filter_measures():
    from verify.lazy_rich._cnn_filters import spectral_concentration, total_variation

    k = np.arange(9)
    smooth = np.cos(2 * np.pi * k / 18)[None, None]
    rough = np.cos(np.pi * k)[None, None]
    assert spectral_concentration(smooth, 1)[0] > 0.9 > 0.1 > spectral_concentration(rough, 1)[0]
    assert total_variation(smooth, 1)[0] < total_variation(rough, 1)[0]
    assert np.isclose(total_variation(5 * rough, 1)[0], total_variation(rough, 1)[0])  # scale-free
    img = np.ones((1, 3, 5, 5))
    assert np.isclose(spectral_concentration(img, 2)[0], spectral_concentration(2 * img, 2)[0])


def test_sec6_ensembles_equal_single_members():
    """A block of seeds trained as one batched ensemble gives each member the numbers it gets alone."""
    import torch

    from verify.lazy_rich._grokking_transformer import train_grok_block
    from verify.lazy_rich._profiles import GROK_TF_TINY, RHM_TINY
    from verify.lazy_rich._rhm import train_rhm_block

    torch.set_num_threads(1)
    cfg = dict(GROK_TF_TINY, max_steps=20, eval_every=1, check_every=1000)
    both, alone = train_grok_block(cfg, [0, 1]), train_grok_block(cfg, [1])
    assert np.allclose(both["curves"][1], alone["curves"][0], atol=1e-6)
    cfg = dict(RHM_TINY, steps=30)
    both, alone = train_rhm_block(cfg, [0, 1]), train_rhm_block(cfg, [1])
    assert np.allclose(both["acc"][1], alone["acc"][0], atol=1e-6)


