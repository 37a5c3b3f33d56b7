"""Tests of stochastic_collapse: symbolic checks, closed forms against quadrature and
brute force, numerics against the theory, and a tiny end-to-end run of every claim (quick
and gpu profiles)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from theory import stochastic_collapse as T

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
    import sympy as sp

    from theory.stochastic_collapse._invariance import sign_set

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
    from numerics.stochastic_collapse import single_neuron_data

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
    from numerics.stochastic_collapse import mode_test_mse

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
    from numerics.stochastic_collapse import diagonal_teacher_student_problem

    pr = diagonal_teacher_student_problem(N=256, n=16, m=16, rank=4, seed=0)
    assert pr["s_hat"].shape == (16,) and np.all(np.diff(pr["s_hat"]) <= 0)
    assert pr["w_norm2"] == pytest.approx(np.sum(np.linspace(0.5, 1.0, 4) ** 2))
    # without SGD noise the student converges to the data's singular values
    assert T.teacher_student_surviving_modes(pr["s_hat"], 0.01, 0.0) == 16


# --------------------------------------------------------------------------- numerics


def test_independent_neuron_metric():
    from numerics.stochastic_collapse import independent_neuron_fraction

    rng = np.random.default_rng(0)
    w_in, b, w_out = rng.normal(size=(6, 3)), rng.normal(size=6), rng.normal(size=(2, 6))
    w_in[0], b[0], w_out[:, 0] = 1e-3, 0.0, 1e-3  # vanishing
    w_in[2], b[2], w_out[:, 2] = w_in[1], b[1], w_out[:, 1]  # duplicate of 1
    w_in[3], b[3], w_out[:, 3] = 1.001 * w_in[1], b[1], w_out[:, 1]  # near duplicate of 1
    r = independent_neuron_fraction(w_in, b, w_out)
    assert r["vanishing"] == 1 and r["duplicates"] == 2 and r["independent"] == pytest.approx(3 / 6)


def test_invariance_run_exact_and_perturbed():
    from numerics.stochastic_collapse import invariance_run

    r = invariance_run(steps=50, seed=3, activation="tanh")
    assert r["dist_sign"].max() == 0.0 and r["dist_perm"].max() == 0.0
    r = invariance_run(steps=50, seed=3, activation="tanh", perturbation=1e-8)
    assert r["dist_sign"][-1] > 0 and r["dist_perm"][-1] > 0


def test_sgd_lyapunov_matches_exact_exponent():
    import jax

    from numerics.stochastic_collapse import sgd_neuron_lyapunov, single_neuron_data

    x, y = single_neuron_data()
    lam = np.asarray(sgd_neuron_lyapunov([0.5], 1.0, x, y, batch_size=1, n_runs=32, steps=500, key=jax.random.PRNGKey(0)))[0]
    lp, lm, _ = T.sgd_neuron_exponent(0.5, 1.0, x, y, 1)
    assert lam.mean() == pytest.approx(max(lp[0], lm[0]), abs=5 * lam.std() / math.sqrt(lam.size))


def test_crossing_fit_recovers_root():
    from verify.stochastic_collapse import _crossing

    z = np.array([1.5, 1.6, 1.68, 1.76, 1.84, 1.95])
    r, se = _crossing(z, 1.5 - z**2 / 2, np.full(z.size, 0.01))
    assert r == pytest.approx(math.sqrt(3), abs=1e-9) and se > 0
    assert math.isnan(_crossing(z, np.ones(z.size), np.ones(z.size))[0])


# --------------------------------------------------------------------------- end to end (tiny)

_TINY_SGD = dict(n_runs=4, steps=50, n_batches=500)
_TINY_MODES = dict(n_seeds=4, steps=400, n_modes=16)
TINY = {
    "invariance_exact": dict(steps=20),
    "quartic_threshold": dict(zetas=[1.5, 1.9], n_paths=16, t_chunk=0.5, n_chunks=2, dt=0.01),
    "quartic_collapse_probability": dict(n_paths=16, t1=1.0, dt=0.01),
    "neuron_threshold": dict(etas=[1.0, 3.0], n_paths=8, t_chunk=0.5, n_chunks=2, dt=0.05),
    "neuron_collapse_probability": dict(etas=[1.4, 2.6], n_paths=8, t1=1.0, dt=0.05),
    "sgd_neuron_exponent": _TINY_SGD,
    "sgd_neuron_collapse_sign": _TINY_SGD,
    "sgd_batch_scaling": _TINY_SGD,
    "teacher_student_mode_mean": _TINY_MODES,
    "teacher_student_collapse_fraction": _TINY_MODES,
    "teacher_student_generalization": dict(n_seeds=4, steps=400, avg_from=200),
    "teacher_student_two_phase": dict(phase1_steps=[200, 400], phase2_steps=200, n_seeds=4),
}
_TINY_DIGITS = dict(hidden=[16, 16], steps=60, log_every=20, lrs=[0.05, 0.2], replicates=1, drops=[20, 40], finetune_steps=10)


def _tiny_config(claim, profile):
    cfg = dict(claim.profiles[profile].config)
    if claim.name.startswith("digits") and not cfg.get("cifar"):
        cfg.update(_TINY_DIGITS)
    cfg.update(TINY.get(claim.name, {}))
    return cfg


@pytest.mark.parametrize("profile", ["quick", "gpu"])
def test_all_claims_tiny_end_to_end(profile):
    import matplotlib

    matplotlib.use("Agg")
    from verify.core.claims import COMPARISONS, Measurement, Prediction
    from verify.core.context import RunContext
    from verify.stochastic_collapse import CLAIMS

    assert len({c.id for c in CLAIMS}) == len(CLAIMS) == 16
    for claim in CLAIMS:
        cfg = _tiny_config(claim, profile)
        pred = claim.theory(RunContext(claim.id, profile, cfg, 20240617, "theory"))
        meas = claim.practice(RunContext(claim.id, profile, cfg, 0, "practice"))
        pred = pred if isinstance(pred, Prediction) else Prediction(pred)
        meas = meas if isinstance(meas, Measurement) else Measurement(meas)
        assert np.shape(pred.value) == np.shape(meas.value), claim.id
        if not np.any(np.isnan(np.asarray(meas.value, float))):  # a tiny sweep may have no crossing (nan)
            se = meas.stderr if meas.stderr is not None else (np.ones(np.shape(meas.value)) if claim.compare == "z" else None)
            COMPARISONS[claim.compare].error_fn(pred.value, meas.value, pred.stderr, se)  # computes without raising
        if claim.figure is not None and profile == "quick":
            fig = claim.figure(RunContext(claim.id, profile, cfg, 0, "figure"), pred, [meas])
            assert fig is not None


def test_paper_profile_skips_cifar():
    from verify.core.claims import SkipClaim
    from verify.core.context import RunContext
    from verify.stochastic_collapse import CLAIMS

    for claim in CLAIMS:
        if claim.name.startswith("digits"):
            with pytest.raises(SkipClaim):
                claim.practice(RunContext(claim.id, "paper", claim.profiles["paper"].config, 0, "practice"))
