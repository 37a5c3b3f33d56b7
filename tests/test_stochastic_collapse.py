"""Tests of stochastic_collapse: symbolic checks, closed forms against quadrature and
brute force, numerics against the theory, the bad-input rule for every public function, and
a tiny end-to-end run of every claim through the harness (`run_claim`, tiny profile)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

import numerics.stochastic_collapse as N
from numerics.stochastic_collapse import (
    diagonal_teacher_student_problem,
    independent_neuron_fraction,
    invariance_run,
    mode_aligned_teacher_student_data,
    mode_test_mse,
    sgd_neuron_lyapunov,
    single_neuron_data,
    train_linear_networks,
)
from theory import stochastic_collapse as T
from tests._bad_input import check_bad_inputs
from theory.stochastic_collapse._invariance import sign_set
from verify.core.claims import Measurement
from verify.core.stats import zero_crossing
from verify.core.testing import run_claim
from verify.stochastic_collapse import CLAIMS

# --------------------------------------------------------------------------- symbolic


def test_derivations_all_checks_pass():
    ds = T.derivations()
    assert len(ds) >= 6
    for d in ds:
        assert d.failed_checks == [], d.id
        assert any(s.check for s in d.steps), d.id
        assert d.to_markdown().startswith("## ")


@pytest.mark.parametrize("act,sign_ok", [("tanh", True), ("gelu", True), ("relu", True), ("sigmoid", False), ("softplus", False)])
def test_invariant_sets_listing(act, sign_ok):
    net = T.TwoLayerNet(d_in=2, width=3, d_out=1, activation=act)
    sets = T.invariant_sets(net)
    assert len(sets) == 3 + 3
    for s, ok in sets:
        assert ok == (sign_ok if s.kind == "sign" else True), s.describe()


def test_generic_activation_sign_set_needs_sigma0_zero():
    net = T.TwoLayerNet(d_in=1, width=2, d_out=1, activation="generic")
    ng = T.normal_gradient(net, sign_set(net, 1))
    s0 = sp.Function("sigma")(0)
    assert all(sp.simplify(g.subs(s0, 0)) == 0 for g in ng)
    assert any(sp.simplify(g) != 0 for g in ng)


def test_bad_inputs():
    with pytest.raises(ValueError):
        T.TwoLayerNet(activation="swish")
    with pytest.raises(ValueError):
        T.quartic_threshold(-1.0)
    with pytest.raises(ValueError):
        T.quartic_stationary_density(0.5, 1.0, 2.0)
    with pytest.raises(ValueError):
        T.expected_log_abs_normal(1.0, 0.0)
    with pytest.raises(ValueError):
        T.two_phase_test_mse([1.0], [1.0], 1.0, 1, 1, 0.01, 0.1, 1.0)


# --------------------------------------------------------------------------- closed forms


@given(mu=st.floats(-3, 3), sd=st.floats(0.01, 5))
def test_expected_log_abs_normal_matches_quadrature(mu, sd):
    f = lambda z: np.log(abs(mu + sd * z)) * stats.norm.pdf(z)  # noqa: E731
    c = -mu / sd
    cuts = [-14.0] + ([c] if abs(c) < 14 else []) + [14.0]  # |z| > 14 carries < 1e-40 of the mass
    ref = sum(integrate.quad(f, a, b, limit=200)[0] for a, b in zip(cuts[:-1], cuts[1:]))
    assert T.expected_log_abs_normal(mu, sd) == pytest.approx(ref, abs=1e-7)


@given(mu=st.floats(0.5, 3), ratio=st.floats(0.3, 0.9), eps=st.floats(1e-3, 1.0))
def test_quartic_stationary_mass_matches_density(mu, ratio, eps):
    zeta = ratio * math.sqrt(2 * mu)
    dens = lambda t: T.quartic_stationary_density(t, mu, zeta)  # noqa: E731
    total = 2 * integrate.quad(dens, 0, np.inf, limit=200)[0]
    assert total == pytest.approx(1.0, rel=1e-6)
    mass = 2 * integrate.quad(dens, 0, eps, limit=200)[0]
    assert T.quartic_stationary_mass(eps, mu, zeta) == pytest.approx(mass, rel=1e-5, abs=1e-9)


def test_quartic_threshold_and_exponents():
    mu = 1.5
    z = float(T.quartic_threshold(mu))
    assert z == pytest.approx(math.sqrt(3))
    assert T.quartic_alpha(mu, z) == pytest.approx(0.0, abs=1e-12)
    assert T.quartic_lyapunov_exponent(mu, 2.0) < 0 < T.quartic_lyapunov_exponent(mu, 1.0)
    assert T.quartic_stationary_mass(1e-6, mu, 2.0) == 1.0
    # Euler-Maruyama exponent converges to the SDE exponent
    assert T.quartic_lyapunov_exponent_em(mu, 1.6, 1e-5) == pytest.approx(float(T.quartic_lyapunov_exponent(mu, 1.6)), abs=1e-3)


@given(seed=st.integers(0, 10_000), zeta=st.floats(0.3, 3))
def test_neuron_threshold_zeroes_exponent(seed, zeta):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=16)
    y = x + 0.1 * rng.normal(size=16)
    eta = T.neuron_threshold_eta(zeta, x, y)
    lp, lm = T.neuron_exponents(eta, zeta, x, y)
    assert lp == pytest.approx(0.0, abs=1e-12)
    assert lm < 0
    assert T.neuron_exponents(1.2 * eta, zeta, x, y)[0] < 0 < T.neuron_exponents(0.8 * eta, zeta, x, y)[0]


def test_sgd_neuron_exponent_exact_vs_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(size=8)
    y = x + 0.1 * rng.normal(size=8)
    eta, zeta = 0.05, 5.0
    lp, lm, se = T.sgd_neuron_exponent(eta, zeta, x, y, 1)
    assert se[0] == 0
    i = rng.integers(0, 8, size=400_000)
    s = x[i] * (y[i] + zeta * rng.normal(size=i.size))
    bp, bm = np.log(np.abs(1 + eta * s)), np.log(np.abs(1 - eta * s))
    assert lp[0] == pytest.approx(bp.mean(), abs=5 * bp.std() / math.sqrt(i.size))
    assert lm[0] == pytest.approx(bm.mean(), abs=5 * bm.std() / math.sqrt(i.size))
    # B = 2 is enumerated exactly (8^2 batches)
    assert T.sgd_neuron_exponent(eta, zeta, x, y, 2)[2][0] == 0


def test_sgd_thresholds_small_eta_and_batch_scaling():
    x, y = single_neuron_data()
    low1, high1 = T.sgd_neuron_threshold(10.0, x, y, 1)
    assert 0 < low1 < high1
    assert low1 == pytest.approx(T.sgd_neuron_threshold_small_eta(10.0, x, y, 1), rel=0.1)
    low4, _ = T.sgd_neuron_threshold(10.0, x, y, 4, n_batches=5000, rng=np.random.default_rng(0))
    assert 3.0 <= low4 / low1 <= 4.5
    # small label noise: no collapse for any eta <= 1 (the SDE would collapse at eta > 2)
    low, high = T.sgd_neuron_threshold(1.0, x, y, 1, eta_max=1.0)
    assert math.isnan(low) and math.isnan(high)


@given(s=st.floats(0.01, 2), eta=st.floats(1e-3, 0.05), sigma=st.floats(0.5, 10), eps=st.floats(1e-4, 0.1))
def test_mode_stationary_law_is_gamma(s, eta, sigma, eps):
    thr = float(T.mode_threshold(eta, sigma))
    mean = float(T.mode_stationary_mean(s, eta, sigma))
    if s > thr:
        k, scale = s / (eta * sigma**2) - 0.5, eta * sigma**2
        assert mean == pytest.approx(stats.gamma.mean(k, scale=scale))
        assert float(T.mode_stationary_variance(s, eta, sigma)) == pytest.approx(stats.gamma.var(k, scale=scale))
        assert float(T.mode_collapse_fraction(s, eta, sigma, eps)) == pytest.approx(stats.gamma.cdf(eps, k, scale=scale), abs=1e-10)
    else:
        assert mean == 0 and float(T.mode_collapse_fraction(s, eta, sigma, eps)) == 1.0


def test_teacher_student_mse_matches_matrices():
    rng = np.random.default_rng(1)
    n = m = 6
    U, _ = np.linalg.qr(rng.normal(size=(n, n)))
    V, _ = np.linalg.qr(rng.normal(size=(m, m)))
    W = rng.normal(size=(n, m))
    p = rng.uniform(0, 1, size=6)
    d = np.einsum("ij,jk,ki->i", U.T, W, V)
    direct = np.mean((U @ np.diag(p) @ V.T - W) ** 2)
    assert T.teacher_student_test_mse(p, np.zeros(6), d, float(np.sum(W**2)), n, m) == pytest.approx(direct)
    assert mode_test_mse(p, d, float(np.sum(W**2)), n, m) == pytest.approx(direct)


def test_teacher_student_problem():
    pr = diagonal_teacher_student_problem(N=256, n=16, m=16, rank=4, seed=0)
    assert pr["s_hat"].shape == (16,) and np.all(np.diff(pr["s_hat"]) <= 0)
    assert pr["w_norm2"] == pytest.approx(np.sum(np.linspace(0.5, 1.0, 4) ** 2))
    # without SGD noise the student converges to the data's singular values
    assert T.teacher_student_surviving_modes(pr["s_hat"], 0.01, 0.0) == 16


def test_mode_batch_noise_matches_brute_force():
    rng = np.random.default_rng(3)
    N, M, B = 40, 3, 4
    xp, yp = rng.normal(size=(N, M)), rng.normal(size=(N, M))
    q2, q1, q0 = T.mode_batch_noise(xp, yp, B)
    for p in (0.0, 0.4, 1.3):
        z = xp * (p * xp - yp)  # one sample's mode gradient at W_e = sum_k p a_k b_k^T
        assert q2 * p**2 + q1 * p + q0 == pytest.approx(z.var(0) / B, rel=1e-12)
        # without replacement: the finite-population factor; the full batch has no noise
        qq = T.mode_batch_noise(xp, yp, B, replace=False)
        assert qq[0] * p**2 + qq[1] * p + qq[2] == pytest.approx(z.var(0) / B * (N - B) / (N - 1), rel=1e-12)
    assert np.all(np.asarray(T.mode_batch_noise(xp, yp, N, replace=False)) == 0)
    with pytest.raises(ValueError, match="batch_size must be <= N"):
        T.mode_batch_noise(xp, yp, N + 1, replace=False)


def test_mode_aligned_data_and_its_batch_noise():
    n, spm, zeta = 8, 16, 1.5
    D = mode_aligned_teacher_student_data(N_diag=256, n=n, rank=2, samples_per_mode=spm, mode_noise=zeta, seed=1)
    N = n * spm
    X, Y, A, Bm, s = D["X"], D["Y"], D["A"], D["B"], D["s_hat"]
    np.testing.assert_allclose(X.T @ X / N, np.eye(n), atol=1e-12)  # whitened inputs
    np.testing.assert_allclose(X.T @ Y / N, A @ np.diag(s) @ Bm.T, atol=1e-12)  # the diagonal problem's targets
    np.testing.assert_allclose(s, diagonal_teacher_student_problem(N=256, n=n, m=n, rank=2, seed=1)["s_hat"], rtol=1e-12)
    # each mode's batch noise: class counts (n - 1)(p - s)^2 and the label spread n zeta^2, over B
    q2, q1, q0 = T.mode_batch_noise(X @ A, Y @ Bm, 4)
    for p in (0.0, 0.3):
        np.testing.assert_allclose(q2 * p**2 + q1 * p + q0, ((n - 1) * (p - s) ** 2 + n * zeta**2) / 4, rtol=1e-10)
    with pytest.raises(ValueError, match="samples_per_mode"):
        mode_aligned_teacher_student_data(n=4, samples_per_mode=3)


@given(s=st.floats(0.01, 2), eta=st.floats(1e-3, 0.05), sigma=st.floats(0.5, 10))
def test_stationary_moments_reduce_to_gamma(s, eta, sigma):
    mean, var = T.mode_stationary_moments([s], eta, (0.0, 0.0, sigma**2))
    assert mean[0] == pytest.approx(float(T.mode_stationary_mean(s, eta, sigma)), abs=1e-5 * max(s, 1e-3))
    assert var[0] == pytest.approx(float(T.mode_stationary_variance(s, eta, sigma)), abs=1e-5 * max(s, 1e-3) ** 2 + 1e-5 * eta * sigma**2 * s)


def test_stationary_moments_state_dependent_noise_against_quad():
    # an independent route: scipy's adaptive quadrature of the same density in p; with class-count
    # noise (q2 > 0) the upper tail is a power law p^(-7/2), so the variance converges slowly
    s, eta, q = 0.8, 0.01, (15.0, -2 * 15.0 * 0.8, 15.0 * 0.64 + 40.0)
    sig2 = lambda p: q[0] * p * p + q[1] * p + q[2]  # noqa: E731

    def dens(p):
        expo = integrate.quad(lambda r: (s - r) / (eta * sig2(r) * r), s, p, limit=400)[0]
        return p**-1.5 / sig2(p) * math.exp(expo)

    edges = np.r_[0.0, np.geomspace(1e-3, 1e4, 40)]
    moments = [sum(integrate.quad(lambda p, j=j: p**j * dens(p), a, b, limit=400)[0] for a, b in zip(edges[:-1], edges[1:])) for j in range(3)]
    mean, var = T.mode_stationary_moments([s], eta, q)
    assert mean[0] == pytest.approx(moments[1] / moments[0], rel=1e-5)
    assert var[0] == pytest.approx(moments[2] / moments[0] - (moments[1] / moments[0]) ** 2, rel=3e-3)  # quad stops at 1e4
    # the threshold is set by the noise at the invariant set p = 0
    thr0 = float(T.mode_threshold(eta, math.sqrt(q[2])))
    assert T.mode_stationary_moments([0.99 * thr0, 1.01 * thr0], eta, (q[0], -2 * q[0] * thr0, q[2]))[0][0] == 0.0
    # no noise (the full batch): the mode converges to its target
    assert T.mode_stationary_moments([0.5], eta, (0.0, 0.0, 0.0))[0][0] == 0.5


def test_full_batch_linear_network_fits_targets_and_minibatch_collapses():
    D = mode_aligned_teacher_student_data(N_diag=256, n=4, rank=1, samples_per_mode=16, mode_noise=3.0, seed=0)
    N = D["X"].shape[0]
    steps = 6000
    out = train_linear_networks(D["X"], D["Y"], batch_sizes=[2, N], lr_steps=np.full(steps, 0.02), replicates=2, seed=0, init_scale=0.1,
                                avg_from=steps // 2, modes=(D["A"], D["B"]), teacher=D["W"])
    assert out["p_final"].shape == (2, 2, 4) and out["test_mse_time_mean"].shape == (2, 2)
    # plain GD converges to the data's singular values (the noiseless soft threshold is 0)
    np.testing.assert_allclose(out["p_final"][1], np.broadcast_to(D["s_hat"], (2, 4)), atol=2e-3)
    # batch 2 collapses the modes below its threshold eta sigma^2(0)/2 to exactly 0 (the invariant set)
    thr = T.mode_threshold(0.02, np.sqrt(T.mode_batch_noise(D["X"] @ D["A"], D["Y"] @ D["B"], 2)[2]))
    below = D["s_hat"] < 0.75 * thr
    assert below.any() and np.all(np.abs(out["p_final"][0][:, below]) < 1e-6)
    # the time-averaged test error is the time average of mean((VU - W)^2)
    assert np.all(out["test_mse_time_mean"] > 0)


# --------------------------------------------------------------------------- numerics


def test_independent_neuron_metric():
    rng = np.random.default_rng(0)
    w_in, b, w_out = rng.normal(size=(6, 3)), rng.normal(size=6), rng.normal(size=(2, 6))
    w_in[0], b[0], w_out[:, 0] = 1e-3, 0.0, 1e-3  # vanishing
    w_in[2], b[2], w_out[:, 2] = w_in[1], b[1], w_out[:, 1]  # duplicate of 1
    w_in[3], b[3], w_out[:, 3] = 1.001 * w_in[1], b[1], w_out[:, 1]  # near duplicate of 1
    r = independent_neuron_fraction(w_in, b, w_out)
    assert r["vanishing"] == 1 and r["duplicates"] == 2 and r["independent"] == pytest.approx(3 / 6)


def test_invariance_run_exact_and_perturbed():
    r = invariance_run(steps=50, seed=3, activation="tanh")
    assert r["dist_sign"].max() == 0.0 and r["dist_perm"].max() == 0.0
    r = invariance_run(steps=50, seed=3, activation="tanh", perturbation=1e-8)
    assert r["dist_sign"][-1] > 0 and r["dist_perm"][-1] > 0


def test_sgd_lyapunov_matches_exact_exponent():
    x, y = single_neuron_data()
    lam = np.asarray(sgd_neuron_lyapunov([0.5], 1.0, x, y, batch_size=1, n_runs=32, steps=500, key=jax.random.PRNGKey(0)))[0]
    lp, lm, _ = T.sgd_neuron_exponent(0.5, 1.0, x, y, 1)
    assert lam.mean() == pytest.approx(max(lp[0], lm[0]), abs=5 * lam.std() / math.sqrt(lam.size))


def test_crossing_fit_recovers_root():
    z = np.array([1.5, 1.6, 1.68, 1.76, 1.84, 1.95])
    r, se = zero_crossing(z, 1.5 - z**2 / 2, np.full(z.size, 0.01))
    assert r == pytest.approx(math.sqrt(3), abs=1e-9) and se > 0
    assert math.isnan(zero_crossing(z, np.ones(z.size), np.ones(z.size))[0])


def test_mlp_ensemble_batched_equals_unbatched():
    """Issue 17: every member of the batched ensemble (own schedule, batch size, label noise,
    seed) follows the trajectory it has when trained alone (float64, to rounding)."""
    import torch

    rng = np.random.default_rng(0)
    X, y, Xt, yt = rng.standard_normal((60, 5)), rng.integers(0, 3, 60), rng.standard_normal((20, 5)), rng.integers(0, 3, 20)
    sched = np.stack([np.full(300, 0.1), np.full(300, 0.05), np.r_[np.full(150, 0.1), np.zeros(150)]])  # > one chunk of draws
    kw = dict(hidden=[6, 5], batch_sizes=[4, 8, 2], label_noise=[0.0, 0.3, 0.5], seeds=[3, 4, 5], log_every=100, n_classes=3, dtype=torch.float64)
    both = N.train_mlp_ensemble(X, y, Xt, yt, sched, **kw)
    for i in range(3):
        alone = N.train_mlp_ensemble(X, y, Xt, yt, sched[i : i + 1], **{**kw, "batch_sizes": kw["batch_sizes"][i], "label_noise": kw["label_noise"][i], "seeds": kw["seeds"][i]})
        for Wb, Wa in zip(both["weights"], alone["weights"]):
            np.testing.assert_allclose(Wb[i], Wa[0], atol=1e-12)
        np.testing.assert_allclose(both["train_loss"][:, i], alone["train_loss"][:, 0], atol=1e-12)
    # the digits trainer: a model with its seed, alone, as in the sweep (float32)
    cfg = N.DigitsConfig(hidden=(8,), steps=30, batch_size=4, log_every=10)
    sched = np.stack([np.full(30, 0.05), np.full(30, 0.2)])
    seeds = N.member_seeds(1, [0, 1])
    both = N.train_digits(sched, cfg, seed=seeds)
    alone = N.train_digits(sched[1:], cfg, seed=seeds[1:])
    np.testing.assert_allclose(both["train_loss"][:, 1], alone["train_loss"][:, 0], rtol=1e-5)
    assert N.member_seeds(1, [0, 1, 0])[0] == N.member_seeds(1, [0, 1, 0])[2] != N.member_seeds(1, [0, 1, 0])[1]


def test_permutation_toy_data_is_official_and_exponent_neutral_without_noise():
    x, y = N.permutation_toy_data()
    np.testing.assert_allclose(x[:3], [1.54099607, -0.2934289, -2.17878938], atol=1e-7)  # torch.manual_seed(0); randn(8, 1)
    lam, se = T.permutation_normal_exponent(0.1, np.array([0.0, 0.4, 2.0]), x, y, n_chains=4, steps=1500, burn=500)
    assert abs(lam[0]) < 1e-6 and lam[1] < -10 * se[1] and lam[2] > 0
    out = N.permutation_toy_runs(0.1, [0.0, 0.4], x, y, n_runs=2, steps=2000, seed=0, w_in=(0.81, 0.79), w_out=(-0.49, -0.51), record_every=1000)
    assert out["rel_dist2"][-1, 1].max() < 1e-3 * out["rel_dist2"][0, 1].min()  # collapses at sigma = 0.4
    assert out["rel_dist2"][-1, 0].min() > 1e-6  # neutral at sigma = 0


# --------------------------------------------------------------------------- bad input (issue 15 §4)


def test_issue_15_bad_inputs_raise():
    """The cases the issue lists: each returned a number before."""
    with pytest.raises(ValueError, match="s must be finite"):
        T.mode_collapse_fraction(math.nan, 0.01, 2.0, 1e-3)
    with pytest.raises(ValueError, match="eta must be finite and >= 0"):
        T.mode_collapse_fraction(0.5, -1.0, 2.0, 1e-3)
    with pytest.raises(ValueError, match="p_var must be finite and >= 0"):
        T.teacher_student_test_mse([0.5], [-1.0], [1.0], 1.0, 4, 4)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        T.teacher_student_test_mse([0.5], [0.0], [1.0], 1.0, 0, 4)
    with pytest.raises(ValueError, match="eps must be finite and > 0"):
        T.quartic_stationary_mass(-1.0, 1.5, 1.2)
    with pytest.raises(ValueError, match="mu must be finite"):
        T.quartic_stationary_mass(1e-3, math.nan, 1.2)


_X, _Y = single_neuron_data(m=8)
_KEY = jax.random.PRNGKey(0)
_THETA = sp.Symbol("theta", real=True)
_NET = T.TwoLayerNet(d_in=1, width=2, d_out=1, activation="tanh")
_S = np.array([0.01, 0.5])

THEORY_CALLS = {
    "TwoLayerNet": ((), {"d_in": 1, "width": 2, "d_out": 1}),
    "attractivity_1d": ((_THETA**4 / 4 - _THETA**2 / 2, _THETA**2, _THETA), {}),
    "check_invariance": ((_NET, sign_set(_NET, 0)), {}),
    "normal_gradient": ((_NET, sign_set(_NET, 0)), {}),
    "invariant_sets": ((_NET,), {}),
    "derivations": ((), {}),
    "expected_log_abs_normal": ((np.array([0.5, 2.0, 30.0]), np.array([1.0, 0.5, 0.1])), {}),
    "quartic_alpha": ((1.5, np.array([1.0, 2.0])), {}),
    "quartic_threshold": ((1.5,), {}),
    "quartic_lyapunov_exponent": ((1.5, np.array([1.0, 2.0])), {}),
    "quartic_lyapunov_exponent_em": ((1.5, np.array([1.6, 2.0]), 0.01), {}),
    "quartic_stationary_density": ((np.array([0.1, 0.5, 1.0]), 1.5, 1.2), {}),
    "quartic_stationary_mass": ((1e-3, 1.5, np.array([1.2, 2.0])), {}),
    "neuron_exponents": ((np.array([1.0, 2.0]), 1.0, _X, _Y), {"slope": 1.0}),
    "neuron_threshold_eta": ((1.0, _X, _Y), {"slope": 1.0}),
    "sgd_neuron_exponent": [
        ((np.array([0.05, 0.5]), 5.0, _X, _Y, 1), {"slope": 1.0}),
        ((0.05, 5.0, _X, _Y, 8), {"n_batches": 50, "rng": np.random.default_rng(0)}),
    ],
    "sgd_neuron_threshold": ((10.0, _X, _Y, 1), {"eta_max": 1.0}),
    "sgd_neuron_threshold_small_eta": ((10.0, _X, _Y, 2), {"slope": 1.0}),
    "mode_threshold": ((0.01, 2.0), {}),
    "permutation_normal_exponent": ((0.1, np.array([0.0, 0.4]), _X, _Y), dict(n_chains=2, steps=20, burn=5, momentum=0.9, seed=0)),
    "mode_stationary_mean": ((_S, 0.01, 2.0), {}),
    "mode_stationary_variance": ((_S, 0.01, 2.0), {}),
    "mode_collapse_fraction": ((_S, 0.01, 2.0, 1e-3), {}),
    "teacher_student_surviving_modes": ((_S, 0.01, 2.0), {}),
    "teacher_student_test_mse": ((_S, 0.1 * _S, np.array([0.3, 0.7]), 1.0, 4, 4), {}),
    "mode_batch_noise": ((np.arange(1.0, 7.0).reshape(3, 2), np.arange(2.0, 8.0).reshape(3, 2), 2), {"replace": True}),
    "mode_stationary_moments": ((_S, 0.01, (1.0, -0.5, 4.0)), {"grid": 501}),
    "two_phase_test_mse": ((_S, np.array([0.3, 0.7]), 1.0, 4, 4, 0.02, 0.002, 2.0), {}),
}
THEORY_EXEMPT = {"InvariantSet": "a dataclass of sympy substitutions, built by invariant_sets"}
THEORY_INPUT_EXEMPT = {"sgd_neuron_threshold": {"zero": "zero labels: no sign change, so (nan, nan) = 'no threshold', as documented"}}

_CFG = N.DigitsConfig(hidden=(4,), steps=2, batch_size=4, log_every=1)
_MX = np.random.default_rng(0).standard_normal((9, 4))
_MY = np.arange(9) % 3
_VECTOR_FIELD = {"nan": "a vector field traced by the solver: propagates nan elementwise",
                 "inf": "a vector field traced by the solver: propagates inf elementwise"}
_NEURON_FIELD = dict(_VECTOR_FIELD, empty="reads w[0], w[1]: an empty state raises JAX's IndexError")
# The JAX calls use the static arguments and shapes of the claims' tiny profiles (32 data
# points, the same path counts, steps and dt), so that both tests share one compilation.
_X32, _Y32 = single_neuron_data()
_QUARTIC_ARGS = lambda P: (jnp.full(P, 1.5), jnp.full(P, 1.6))  # noqa: E731

NUMERICS_CALLS = {
    "DigitsConfig": ((), dict(hidden=(4,), steps=2, batch_size=4, log_every=1, n_train=100, label_noise=0.1, momentum=0.9, weight_decay=5e-4)),
    "train_digits": ((np.full((1, 2), 0.05), _CFG), {"seed": 0}),
    "independent_neuron_fraction": ((np.ones((3, 2)) * np.arange(1, 4)[:, None], np.ones(3), np.ones((2, 3))), {"vanish_tol": 0.1}),
    "invariance_run": ((), dict(steps=3, seed=0, activation="tanh", lr=0.05, perturbation=1e-8)),
    "train_mlp_ensemble": ((_MX, _MY, _MX[:4], _MY[:4], np.full((2, 2), 0.05)),
                           dict(hidden=[3], batch_sizes=np.array([2, 3]), label_noise=np.array([0.0, 0.5]), seeds=np.array([0, 1]), momentum=0.9, weight_decay=5e-4,
                                log_every=1, n_classes=3)),
    "member_seeds": ((0, np.array([0, 1, 1])), {}),
    "permutation_toy_data": ((), dict(n=8, seed=0)),
    "permutation_toy_runs": ((0.1, np.array([0.0, 0.4]), _X, _Y), dict(n_runs=2, steps=3, seed=0, momentum=0.9, record_every=1)),
    "single_neuron_data": ((), dict(m=8, noise=0.1, seed=0)),
    "diagonal_teacher_student_problem": ((), dict(N=16, n=4, m=4, rank=2, s_min=0.5, s_max=1.0, label_noise=0.5, seed=0)),
    "mode_aligned_teacher_student_data": ((), dict(N_diag=16, n=4, rank=1, label_noise=0.5, seed=0, samples_per_mode=2, mode_noise=1.0)),
    "train_linear_networks": ((np.eye(4)[[0, 1, 2, 3, 0, 1]], np.arange(12.0).reshape(6, 2) / 10),
                              dict(batch_sizes=np.array([2, 6]), lr_steps=np.full(4, 0.05), replicates=2, seed=0, hidden=3, init_scale=0.2, avg_from=1, avg_every=1,
                                   modes=(np.eye(4)[:, :2], np.eye(2)), teacher=np.ones((4, 2)))),
    "mode_test_mse": ((np.full((2, 3), 0.5), np.array([0.3, 0.7, 0.1]), 1.0, 4, 4), {}),
    "sgd_modes": ((np.linspace(0.05, 1.0, 16),), dict(eta_steps=np.full(400, 0.01), sigma=2.0, n_seeds=4, record_every=100, key=_KEY, avg_from=200)),
    "sgd_neuron_runs": ((0.5, 1.0, _X32, _Y32), dict(batch_size=1, n_runs=4, steps=50, key=_KEY, init_std=1e-3)),
    "sgd_neuron_lyapunov": ((0.5, 1.0, _X32, _Y32), dict(batch_size=1, n_runs=8, steps=50, key=_KEY, amplitude=1e-12)),
    "quartic_drift": ((0.0, np.array([0.5]), (1.5, 1.0)), {}),
    "quartic_diffusion": ((0.0, np.array([0.5]), (1.5, 1.0)), {}),
    "neuron_drift": ((0.0, np.array([0.1, 0.2]), (1.0, 1.0, _X32, _Y32)), {}),
    "neuron_diffusion": ((0.0, np.array([0.1, 0.2]), (1.0, 1.0, _X32, _Y32)), {}),
    "solve_sde_paths": ((N.quartic_drift, N.quartic_diffusion, np.ones((80, 1))), dict(t1=1.0, dt=0.01, key=_KEY, args=_QUARTIC_ARGS(80), noise_dim=1)),
    "normal_lyapunov_exponents": ((N.quartic_drift, N.quartic_diffusion, np.ones((32, 1))),
                                  dict(args=_QUARTIC_ARGS(32), noise_dim=1, key=_KEY, amplitude=1e-10, t_chunk=0.5, n_chunks=2, n_burn=0, dt=0.01)),
    "quartic_paths": ((1.6, 1.5), dict(n_paths=80, t1=1.0, dt=0.01, key=_KEY, theta0_std=2.0)),
    "quartic_lyapunov": ((1.6, 1.5), dict(n_paths=32, key=_KEY, t_chunk=0.5, n_chunks=2, dt=0.01)),
    "neuron_sde_paths": ((1.5, 1.0, _X32, _Y32), dict(n_paths=16, t1=1.0, dt=0.05, key=_KEY, init_std=1e-3)),
    "neuron_sde_lyapunov": ((1.5, 1.0, _X32, _Y32), dict(n_paths=16, key=_KEY, t_chunk=0.5, n_chunks=2, dt=0.05)),
}
NUMERICS_INPUT_EXEMPT = {"quartic_drift": _VECTOR_FIELD, "quartic_diffusion": _VECTOR_FIELD, "neuron_drift": _NEURON_FIELD, "neuron_diffusion": _NEURON_FIELD}


def test_bad_inputs_theory():
    check_bad_inputs(T, THEORY_CALLS, THEORY_EXEMPT, THEORY_INPUT_EXEMPT)


def test_bad_inputs_numerics():
    check_bad_inputs(N, NUMERICS_CALLS, {}, NUMERICS_INPUT_EXEMPT)


# --------------------------------------------------------------------------- claims (tiny, through the harness)

CLAIM_IDS = [c.id for c in CLAIMS]
DIGITS = {c.id for c in CLAIMS if c.name.startswith(("digits", "collapse_vs"))}  # no CIFAR run: paper profile skipped


def test_claims_declared_consistently():
    assert len(set(CLAIM_IDS)) == len(CLAIM_IDS) == len(CLAIMS) >= 18
    # issue 16 §2: every claim tests the theory against simulated or trained dynamics (the
    # diagonal teacher-student claims run the per-mode recursion, a fair test of the Gamma law;
    # teacher_student_full_network trains the full two-layer network with minibatch SGD)
    assert all(c.kind == "prediction" for c in CLAIMS)
    for c in CLAIMS:
        assert "tiny" in c.profiles and "quick" in c.profiles and "gpu" in c.profiles, c.id
        quick = c.profiles["quick"].config
        for name in ("tiny", "gpu", "paper"):  # every profile runs the quick profile's code path
            prof = c.profiles.get(name)
            if prof is not None and prof.skip_reason is None:
                assert set(prof.config) == set(quick), (c.id, name)
        paper = c.profiles.get("paper")
        assert (paper is not None and paper.skip_reason is not None) == (c.id in DIGITS), c.id
        if c.id in DIGITS:
            assert "CIFAR" in paper.skip_reason


# the predictions that read `mode_threshold` (directly, or through the stationary laws built on
# it); their tiny profiles are discriminative: PASS as they stand, FAIL with a threshold 1.2x off
THRESHOLD_PREDICTIONS = [
    "stochastic_collapse.teacher_student_mode_mean",
    "stochastic_collapse.teacher_student_collapse_fraction",
    "stochastic_collapse.teacher_student_generalization",
    "stochastic_collapse.teacher_student_full_network",
]


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_runs_tiny(claim_id):
    res = run_claim(claim_id)
    assert res.verdict in ("PASS", "FAIL", "INCONCLUSIVE"), (claim_id, res.verdict, res.reason)
    assert res.error is not None and np.isfinite(res.error), (claim_id, res.reason)
    assert all(isinstance(m, Measurement) for m in res.measurements)
    claim = next(c for c in CLAIMS if c.id == claim_id)
    extra = (2,) if claim.compare == "interval" else ()  # an interval theory gives (low, high) per measured value
    assert np.shape(res.prediction.value) == np.shape(res.measurements[0].value) + extra
    assert res.record.get("figure_error") is None, res.record.get("figure_error")
    if claim_id in THRESHOLD_PREDICTIONS:  # the unperturbed half of the mutation test
        assert res.verdict == "PASS", (claim_id, res.error, res.record.get("error_interval"))


@pytest.mark.parametrize("claim_id", THRESHOLD_PREDICTIONS)
def test_mutated_threshold_fails_the_predictions(claim_id, monkeypatch):
    """Issue 16 §2, mutation test: the soft threshold eta sigma^2/2 scaled by 1.2 (in the theory
    module, where the stationary laws and the collapse fraction read it, and where the verify
    package reads it) makes every prediction that uses it FAIL."""
    import theory.stochastic_collapse._teacher_student as theory_ts
    import verify.stochastic_collapse._teacher_student as verify_ts

    right = theory_ts.mode_threshold

    def wrong(eta, sigma):
        return 1.2 * right(eta, sigma)

    monkeypatch.setattr(theory_ts, "mode_threshold", wrong)
    monkeypatch.setattr(verify_ts, "mode_threshold", wrong)
    res = run_claim(claim_id)
    assert res.verdict == "FAIL", (claim_id, res.verdict, res.error, res.record.get("error_interval"))
