"""Tests of the ICL paper (Raventós et al. 2023): estimators, risks, model, training, claims."""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st
from scipy import special, stats

import numerics.icl as N
import theory.icl as T
from tests._bad_input import check_bad_inputs
from verify.core.claims import Measurement
from verify.core.testing import run_claim

torch.set_num_threads(1)


# =============================================================================================
# Derivations
# =============================================================================================


def test_derivation_checks_all_true():
    ders = T.derivations()
    assert {d.id for d in ders} == {"icl.ridge_posterior", "icl.ridge_bayes_risk", "icl.dmmse_posterior", "icl.interpolation_path"}
    for d in ders:
        assert d.failed_checks == [], d.id
        assert any(s.check for s in d.steps), d.id
        assert "\\[" in d.to_markdown()


# =============================================================================================
# Estimators against direct posterior computation (hypothesis)
# =============================================================================================

problems = st.tuples(
    st.integers(1, 5),  # D
    st.integers(0, 9),  # n context pairs
    st.floats(0.05, 2.0),  # sigma^2
    st.floats(0.3, 3.0),  # tau^2
    st.integers(0, 2**31 - 1),
)


@given(problems)
def test_ridge_equals_gaussian_conditioning(p):
    """Ridge vs E[w | y] from conditioning the joint Gaussian (w, y): tau^2 X^T (tau^2 X X^T + sigma^2 I)^{-1} y."""
    D, n, s2, t2, seed = p
    rng = np.random.default_rng(seed)
    X, y, _ = T.sample_sequences(rng, 3, n + 1, D, s2, task_var=t2)
    xq = X[:, -1]
    X, y = X[:, :n], y[:, :n]
    cov_wy = t2 * np.swapaxes(X, -1, -2)  # Cov(w, y) = tau^2 X^T
    cov_yy = t2 * X @ np.swapaxes(X, -1, -2) + s2 * np.eye(n)
    w_direct = np.einsum("bdn,bn->bd", cov_wy, np.linalg.solve(cov_yy, y[..., None])[..., 0]) if n else np.zeros((3, D))
    np.testing.assert_allclose(T.ridge_predict(X, y, xq, s2, t2), np.einsum("bd,bd->b", xq, w_direct), atol=1e-9)
    # per-position form agrees with the query form at every prefix
    Xa, ya = np.concatenate([X, xq[:, None]], 1), np.concatenate([y, np.zeros((3, 1))], 1)
    per_pos = T.ridge_predict(Xa, ya, None, s2, t2)
    for k in range(n + 1):
        np.testing.assert_allclose(per_pos[:, k], T.ridge_predict(Xa[:, :k], ya[:, :k], Xa[:, k], s2, t2) if k else 0.0, atol=1e-9)


@given(problems, st.integers(1, 12))
def test_dmmse_equals_bayes_rule(p, M):
    """dMMSE vs Bayes' rule with the full multivariate-normal likelihood of y given each task."""
    D, n, s2, _t2, seed = p
    rng = np.random.default_rng(seed)
    pool = rng.standard_normal((M, D))
    X, y, _ = T.sample_sequences(rng, 3, n + 1, D, s2, pool)
    pred = T.dmmse_predict(X, y, None, pool, s2)
    for b in range(3):
        for k in range(n + 1):
            if k == 0:
                post = np.full(M, 1.0 / M)
            else:
                loglik = np.array([stats.multivariate_normal(X[b, :k] @ w, s2 * np.eye(k)).logpdf(y[b, :k]) for w in pool])
                post = np.exp(loglik - special.logsumexp(loglik))
            assert pred[b, k] == pytest.approx(X[b, k] @ (post @ pool), abs=1e-9)
    q = T.dmmse_predict(X[:, :n], y[:, :n], X[:, n], pool, s2)
    np.testing.assert_allclose(q, pred[:, n], atol=1e-12)
    np.testing.assert_allclose(T.dmmse_posterior_weights(X, y, pool, s2).sum(-1), 1.0, atol=1e-12)


def test_dmmse_torch_matches_theory():
    rng = np.random.default_rng(0)
    pool = rng.standard_normal((50, 3))
    X, y, _ = T.sample_sequences(rng, 40, 6, 3, 0.1, pool)
    np.testing.assert_allclose(N.dmmse_predict_torch(X, y, pool, 0.1, budget=500), T.dmmse_predict(X, y, None, pool, 0.1), atol=1e-10)


def test_gaussian_posterior_and_errors():
    rng = np.random.default_rng(1)
    X, y, _ = T.sample_sequences(rng, 2, 5, 3, 0.3)
    mean, cov = T.gaussian_posterior(X, y, 0.3)
    np.testing.assert_allclose(cov, 0.3 * np.linalg.inv(np.swapaxes(X, -1, -2) @ X + 0.3 * np.eye(3)), atol=1e-12)
    with pytest.raises(ValueError, match="noise_var"):
        T.ridge_predict(X, y, None, -1.0)
    with pytest.raises(ValueError, match="y must"):
        T.ridge_predict(X, y[:, :3], None, 0.3)
    with pytest.raises(ValueError, match="tasks"):
        T.dmmse_predict(X, y, None, np.zeros((4, 2)), 0.3)
    with pytest.raises(ValueError, match="passes through 0"):
        T.interpolation_path(np.array([1.0, 0.0]), np.array([-1.0, 0.0]), 0.5)


def test_non_finite_inputs_raise():
    """Issue 15 §4: NaN or inf in X, y or tasks used to return NaN; a negative noise_var used
    to raise "math domain error"."""
    rng = np.random.default_rng(2)
    pool = rng.standard_normal((4, 3))
    X, y, _ = T.sample_sequences(rng, 2, 5, 3, 0.3, pool)
    for bad in (np.nan, np.inf):
        Xb, yb, pb = X.copy(), y.copy(), pool.copy()
        Xb[0, 1, 2], yb[1, 3], pb[2, 0] = bad, bad, bad
        for fn in (lambda a, b: T.ridge_predict(a, b, None, 0.3), lambda a, b: T.dmmse_predict(a, b, None, pool, 0.3)):
            with pytest.raises(ValueError, match="X must hold only finite"):
                fn(Xb, y)
            with pytest.raises(ValueError, match="y must hold only finite"):
                fn(X, yb)
        with pytest.raises(ValueError, match="tasks must hold only finite"):
            T.dmmse_predict(X, y, None, pb, 0.3)
        with pytest.raises(ValueError, match="tasks must hold only finite"):
            T.dmmse_bayes_risk(pb, 5, 0.3, n_samples=10)
        with pytest.raises(ValueError, match="tasks must hold only finite"):
            T.sample_sequences(rng, 2, 5, 3, 0.3, pb)
    with pytest.raises(ValueError, match="noise_var must be a finite number >= 0"):
        T.sample_sequences(rng, 2, 5, 3, -0.1)
    X0, y0, w0 = T.sample_sequences(rng, 2, 5, 3, 0.0)  # noiseless data are allowed
    np.testing.assert_allclose(y0, np.einsum("snd,sd->sn", X0, w0), atol=0)


# =============================================================================================
# Bayes risks
# =============================================================================================


@pytest.mark.parametrize("D,ns", [(1, [1, 3, 8]), (2, [1, 2, 3, 7]), (3, [1, 2]), (5, [2])])
def test_ridge_bayes_mse_quadrature_vs_monte_carlo(D, ns):
    s2 = 0.2
    exact = T.ridge_bayes_mse(D, ns, s2)
    assert all(m == "quadrature" for m in exact.method)
    mc = T.ridge_bayes_mse(D, ns, s2, method="monte_carlo", n_mc=40_000, seed=3)
    assert np.all(np.abs(mc.mse - exact.mse) < 4.5 * mc.stderr)
    lower, upper = T.ridge_mse_bounds(D, ns, s2)
    assert np.all(lower <= exact.mse + 1e-12) and np.all(exact.mse <= upper + 1e-12)


def test_ridge_bayes_mse_closed_forms_and_ols():
    r = T.ridge_bayes_mse(4, 0, 0.5, task_var=2.0)
    assert r.method == ("closed_form",) and r.mse[0] == pytest.approx(0.5 + 4 * 2.0)
    big = T.ridge_bayes_mse(3, 40, 0.25, n_mc=20_000)
    assert big.method == ("monte_carlo",) and big.stderr[0] > 0
    lower, upper = T.ridge_mse_bounds(3, 40, 0.25)
    assert lower <= big.mse[0] <= upper
    assert T.ols_bayes_mse(3, 40, 0.25) == pytest.approx(upper)
    # OLS risk by simulation
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 12, 2))
    tr = np.trace(np.linalg.inv(np.swapaxes(X, 1, 2) @ X), axis1=1, axis2=2)
    assert 0.25 * (1 + tr.mean()) == pytest.approx(T.ols_bayes_mse(2, 12, 0.25), rel=0.02)
    with pytest.raises(ValueError):
        T.ols_bayes_mse(3, 4, 0.25)


def test_dmmse_bayes_risk_cases():
    pool = np.array([[0.3, -1.2]])
    r = T.dmmse_bayes_risk(pool, 4, 0.1, distribution="pretrain", n_samples=50)
    np.testing.assert_allclose(r.mse, 0.1, atol=1e-12)  # M = 1: noise only
    rt = T.dmmse_bayes_risk(pool, 4, 0.1, distribution="true", n_samples=4000, seed=2)
    assert np.all(np.abs(rt.mse - (0.1 + 2 + pool[0] @ pool[0])) < 5 * rt.stderr)
    pool64 = np.random.default_rng(0).standard_normal((64, 2))
    dm = T.dmmse_bayes_risk(pool64, 4, 0.1, distribution="pretrain", n_samples=2000, seed=1)
    ri = T.ridge_risk_on_pool(pool64, 4, 0.1, n_samples=2000, seed=1)
    assert np.all(dm.mse[1:] <= ri.mse[1:] + 3 * np.hypot(dm.stderr[1:], ri.stderr[1:]))


def test_interpolation_path_norm():
    rng = np.random.default_rng(0)
    wi, wj = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    path = T.interpolation_path(wi, wj, np.linspace(0, 1, 7))
    np.testing.assert_allclose(np.linalg.norm(path, axis=-1), 0.5 * (np.linalg.norm(wi, axis=-1) + np.linalg.norm(wj, axis=-1))[None].repeat(7, 0), atol=1e-12)
    np.testing.assert_allclose(T.interpolation_path(wi, wj, 1.0) / np.linalg.norm(T.interpolation_path(wi, wj, 1.0), axis=-1, keepdims=True), wi / np.linalg.norm(wi, axis=-1, keepdims=True), atol=1e-12)


# =============================================================================================
# Model and training
# =============================================================================================

SMALL_MODEL = N.ModelConfig(dim=3, n_points=5, n_layer=2, n_embd=16, n_head=2)


def test_tokens_layout():
    X = torch.arange(12.0).reshape(1, 2, 2, 3)[:, :, :, :3].reshape(1, 2, 2, 3)
    y = torch.tensor([[[10.0, 20.0], [30.0, 40.0]]])
    tok = N.to_tokens(X, y)
    assert tok.shape == (1, 2, 4, 4)
    assert torch.equal(tok[0, 0, 0], torch.tensor([0.0, 0.0, 1.0, 2.0]))
    assert torch.equal(tok[0, 0, 1], torch.tensor([10.0, 0.0, 0.0, 0.0]))
    assert torch.equal(tok[0, 0, 2], torch.tensor([0.0, 3.0, 4.0, 5.0]))


def test_init_statistics_and_param_count():
    cfg = N.ModelConfig(dim=8, n_points=16, n_layer=8, n_embd=128, n_head=2)
    p = N.init_params(cfg, [0])
    assert sum(v[0].numel() for v in p.values()) == N.param_count(cfg)
    assert 1.55e6 < N.param_count(cfg) < 1.62e6  # paper: about 1.59 M
    assert p["h0.attn_w"].std().item() == pytest.approx(0.02, rel=0.02)
    assert p["h0.mlp_proj_w"].std().item() == pytest.approx(0.02 / math.sqrt(16), rel=0.02)
    assert p["wpe"].std().item() == pytest.approx(0.02, rel=0.05)
    assert torch.all(p["h3.ln1_w"] == 1) and torch.all(p["h3.fc_b"] == 0)
    # a member's initialisation depends on its seed only
    q = N.init_params(cfg, [5, 0])
    assert torch.equal(q["read_in"][1], p["read_in"][0])


def test_predict_is_causal_and_members_independent():
    params = N.init_params(SMALL_MODEL, [0, 1])
    with torch.no_grad():
        for v in params.values():
            v.add_(0.3 * torch.randn_like(v))
    X, y = torch.randn(2, 4, 5, 3), torch.randn(2, 4, 5)
    f = N.predict(params, X, y, SMALL_MODEL)
    X2, y2 = X.clone(), y.clone()
    X2[:, :, 3:] += 1.0
    y2[:, :, 2:] += 1.0  # y_k is never visible to prediction k
    f2 = N.predict(params, X2, y2, SMALL_MODEL)
    torch.testing.assert_close(f[:, :, :3], f2[:, :, :3])
    assert not torch.allclose(f[:, :, 3:], f2[:, :, 3:])
    single = N.predict({k: v[1:] for k, v in params.items()}, X[1:], y[1:], SMALL_MODEL)
    torch.testing.assert_close(single[0], f[1], atol=1e-5, rtol=1e-5)


def test_triangle_schedule():
    assert N.triangle_lr(0, 100, 1.0) == 0.0
    assert N.triangle_lr(25, 100, 1.0) == pytest.approx(0.5)
    assert N.triangle_lr(50, 100, 1.0) == pytest.approx(1.0)
    assert N.triangle_lr(75, 100, 1.0) == pytest.approx(0.5)
    assert N.triangle_lr(100, 100, 1.0) == 0.0


def test_data_stream_regenerates_and_shares_common_numbers():
    tc = N.TrainConfig(steps=10, batch_size=8, lr=1e-3, noise_var=0.1)
    members = [N.Member(4, 0), N.Member(None, 0), N.Member(4, 1)]
    a, b = N.DataStream(members, 3, 5, tc), N.DataStream(members, 3, 5, tc)
    X1, y1 = a.batch(7)
    a.batch(3)
    X2, y2 = b.batch(7)
    torch.testing.assert_close(X1, X2)
    torch.testing.assert_close(y1, y2)
    torch.testing.assert_close(X1[0], X1[1])  # same seed: same inputs
    assert not torch.allclose(X1[0], X1[2])
    # members 0 (pool) and 1 (fresh tasks) share noise: y0 - y1 = X (w_pool - w_fresh) exactly
    diff = (y1[0] - y1[1]).double()
    w_diff = torch.linalg.lstsq(X1[0].double(), diff[..., None]).solution[..., 0]
    torch.testing.assert_close(torch.einsum("bkd,bd->bk", X1[0].double(), w_diff), diff, atol=1e-5, rtol=0)
    np.testing.assert_allclose(N.task_pool(0, 4, 3), N.task_pool(0, 4096 + 7, 3)[:4])  # nested pools


def test_checkpoint_resume_is_exact(tmp_path):
    """Resuming from a checkpoint (read with torch.load(weights_only=True)) is bit-for-bit."""
    tc = N.TrainConfig(steps=6, batch_size=8, lr=3e-3, noise_var=0.1)
    members = [N.Member(2, 0), N.Member(None, 0, weight_decay=0.5)]
    full = N.train_ensemble(members, SMALL_MODEL, tc, log_every=1)
    path = str(tmp_path / "ck.pt")
    part = N.train_ensemble(members, SMALL_MODEL, tc, checkpoint_path=path, checkpoint_every=1, stop_at=3, log_every=1)
    assert part.steps_done == 3 and os.path.exists(path)
    rest = N.train_ensemble(members, SMALL_MODEL, tc, checkpoint_path=path, checkpoint_every=1, log_every=1)
    assert rest.resumed_from == 3 and rest.steps_done == 6
    for k in full.params:
        torch.testing.assert_close(rest.params[k], full.params[k], atol=0, rtol=0)
    np.testing.assert_allclose(rest.losses, full.losses)
    with pytest.raises(ValueError, match="another configuration"):
        N.train_ensemble(members, SMALL_MODEL, N.TrainConfig(steps=7, batch_size=8, lr=3e-3, noise_var=0.1), checkpoint_path=path)


def test_checkpoint_is_data_and_keeps_numpy_evaluations(tmp_path):
    """Checkpoints load with weights_only=True (no code runs on load), and numpy outputs of
    eval_fn survive a resume unchanged."""
    tc = N.TrainConfig(steps=4, batch_size=4, lr=3e-3, noise_var=0.1)
    members = [N.Member(2, 0)]
    path = str(tmp_path / "ck.pt")

    def eval_fn(params, step):
        return np.array([step, 0.5], dtype=np.float32)

    N.train_ensemble(members, SMALL_MODEL, tc, checkpoint_path=path, checkpoint_every=1, stop_at=2, eval_every=1, eval_fn=eval_fn)
    state = torch.load(path, weights_only=True)  # raises on anything but tensors and plain containers
    assert state["step"] == 2
    rest = N.train_ensemble(members, SMALL_MODEL, tc, checkpoint_path=path, checkpoint_every=1, eval_every=1, eval_fn=eval_fn)
    assert rest.resumed_from == 2 and rest.eval_steps == [1, 2, 3, 4]
    assert all(isinstance(e, np.ndarray) and e.dtype == np.float32 for e in rest.evals)
    assert [float(e[0]) for e in rest.evals] == [1.0, 2.0, 3.0, 4.0]
    assert isinstance(rest.losses, np.ndarray) and rest.losses.shape[1] == 1


def test_batched_ensemble_equals_members_trained_alone():
    """Issue 17: seeds, task diversities, weight decays and batch sizes in one ensemble (members
    with smaller batches read their own first rows of the largest batch through a loss mask)
    give each member the parameters and losses of training it alone."""
    cfg = N.ModelConfig(dim=2, n_points=3, n_layer=1, n_embd=16, n_head=2)
    tc = N.TrainConfig(steps=6, batch_size=4, lr=3e-3, noise_var=0.1)
    members = [N.Member(2, 0, batch_size=4), N.Member(None, 1, batch_size=8), N.Member(4, 1, 0.5, batch_size=8), N.Member(2, 3)]
    full = N.train_ensemble(members, cfg, tc, log_every=1)
    for e, m in enumerate(members):
        one = N.train_ensemble([m], cfg, tc, log_every=1)
        for k in one.params:
            torch.testing.assert_close(full.params[k][e], one.params[k][0], atol=1e-6, rtol=1e-5)
        np.testing.assert_allclose(full.losses[:, e], one.losses[:, 0], rtol=1e-5, atol=1e-7)
    stream = N.DataStream(members, 2, 3, tc)
    X, y = stream.batch(2)
    assert X.shape == (4, 8, 3, 2) and torch.all(X[0, 4:] == 0) and torch.all(y[3, 4:] == 0)
    torch.testing.assert_close(stream.row_weights.sum(1), torch.ones(4))


def test_sweep_of_a_seed_block_equals_seeds_alone():
    """The shared sweep of a block of seeds (one ensemble, two data budgets) equals each seed's
    sweep trained alone, for every stored quantity."""
    from verify.icl._experiments import run_sweep, seed_block
    from verify.icl._profiles import TINY_SWEEP

    cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in dict(TINY_SWEEP, batch_sizes=(4, 8), steps=3).items()}
    both = run_sweep(cfg, [0, 1])
    assert list(both["seeds"]) == [0, 1]
    for i, seed in enumerate((0, 1)):
        one, two = run_sweep(cfg, seed), both["by_seed"][i]
        assert two["ensemble_members"] == 2 * 2 * 4
        for k, v in one.items():
            if k in ("train_seconds", "ensemble_members", "ensemble_seconds"):
                continue
            np.testing.assert_allclose(np.asarray(two[k], dtype=float), np.asarray(v, dtype=float), rtol=1e-5, atol=1e-6, err_msg=k)
    assert seed_block({"seed_block": 5}, 7) == [5, 6, 7, 8, 9] and seed_block({}, 3) == [3]


def test_training_reduces_loss_and_weight_decay_shrinks():
    tc = N.TrainConfig(steps=60, batch_size=32, lr=3e-3, noise_var=0.1)
    res = N.train_ensemble([N.Member(1, 0), N.Member(1, 0, weight_decay=5.0)], SMALL_MODEL, tc, log_every=10)
    assert res.losses[-1, 0] < 0.5 * res.losses[0, 0]  # M = 1: the single task is learned quickly
    assert res.params["h0.fc_w"][1].norm() < res.params["h0.fc_w"][0].norm()
    assert not res.diverged.any()


# =============================================================================================
# Claims: declarations, and tiny end-to-end runs through the harness (run_claim)
# =============================================================================================

ESTIMATOR_CLAIMS = [
    "icl.ridge_is_posterior_mean",
    "icl.ridge_bayes_mse",
    "icl.dmmse_optimality",
    "icl.dmmse_to_ridge",
    "icl.degenerate_cases",
    "icl.dmmse_m1_mse",
    "icl.softmax_temperature",
    "icl.dmmse_bayes_risk",
    "icl.interpolation_norm",
]
SWEEP_CLAIMS = [
    "icl.small_M_dmmse_like",
    "icl.small_M_far_from_ridge",
    "icl.large_M_ridge_like",
    "icl.transition_monotone",
    "icl.pt_above_bayes_risk",
    "icl.code_metric_identity",
    "icl.interpolation_small_M",
    "icl.interpolation_large_M",
    "icl.pt_beats_dmmse_on_new_tasks",
]
GPU_ONLY_CLAIMS = ["icl.threshold_crossing", "icl.dimension_scaling", "icl.early_stopping_time", "icl.weight_decay_threshold"]
CONSISTENCY = {"icl.ridge_is_posterior_mean", "icl.degenerate_cases", "icl.softmax_temperature", "icl.interpolation_norm", "icl.code_metric_identity"}


def test_claims_declared_consistently():
    from verify.icl import CLAIMS
    from verify.icl._profiles import QUICK_SWEEP

    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(ESTIMATOR_CLAIMS + SWEEP_CLAIMS + GPU_ONLY_CLAIMS)
    assert all("tiny" in c.profiles and "gpu" in c.profiles for c in CLAIMS)
    # issue 16 §2: the exact identities are consistency checks, everything else a prediction
    assert {c.id for c in CLAIMS if c.kind == "consistency"} == CONSISTENCY
    assert all(c.kind == "prediction" for c in CLAIMS if c.id not in CONSISTENCY)
    for c in CLAIMS:
        quick = c.profiles["quick"]
        assert (quick.skip_reason is not None) == (c.id in GPU_ONLY_CLAIMS), c.id
    assert QUICK_SWEEP["log2_M"] == tuple(range(1, 11)) and QUICK_SWEEP["infinite"]
    # issue 16 section 5 / issue 17: provenance everywhere, training claims marked for the GPU
    assert all(c.provenance is not None for c in CLAIMS)
    assert {c.id for c in CLAIMS if c.device == "gpu"} == set(SWEEP_CLAIMS + GPU_ONLY_CLAIMS)


@pytest.mark.parametrize("claim_id", ESTIMATOR_CLAIMS)
def test_estimator_claims_pass_tiny(claim_id):
    res = run_claim(claim_id)
    assert res.verdict == "PASS", (claim_id, res.verdict, res.reason, res.error)


@pytest.mark.parametrize("claim_id", SWEEP_CLAIMS)
def test_sweep_claims_run_tiny(claim_id):
    """The quick sweep's code path (training, evaluation, read-outs, figure) at 4 steps."""
    res = run_claim(claim_id)
    assert isinstance(res.measurements[0], Measurement), (claim_id, res.reason)
    assert res.measurements[0].counters["train_steps"] == 4
    assert res.error is not None and np.isfinite(res.error), (claim_id, res.verdict, res.reason)
    assert res.record.get("figure_error") is None, res.record.get("figure_error")


@pytest.mark.parametrize("claim_id", GPU_ONLY_CLAIMS)
def test_gpu_only_claims_run_tiny(claim_id, tmp_path, monkeypatch):
    """The gpu profile's code paths (two budgets and checkpoints, the dimension loop, the
    evaluation curve, weight decays) on CPU at a tiny size, trained long enough (100 steps) for
    the read-outs to be defined: a finite error and a verdict, never ERROR (issue 16: at 3-6
    steps every curve was flat and the read-outs were NaN)."""
    from verify.icl._profiles import TINY_CROSSING

    monkeypatch.setenv("DLTHEORY_CHECKPOINT_DIR", str(tmp_path))
    res = run_claim(claim_id)
    m = res.measurements[0]
    assert isinstance(m, Measurement), (claim_id, res.reason)
    assert m.counters["train_steps"] == TINY_CROSSING["steps"] == 100
    assert not m.counters["nan"] and not m.counters["diverged"]
    assert res.verdict in ("PASS", "FAIL", "INCONCLUSIVE"), (claim_id, res.verdict, res.reason)
    assert res.error is not None and np.isfinite(res.error), (claim_id, res.reason)
    assert res.record.get("figure_error") is None, res.record.get("figure_error")
    assert not list(tmp_path.rglob("*.pt"))  # finished runs remove their checkpoints


def test_interpolation_claims_read_the_brief_set_up():
    """Issue 16: the small-M midpoint is read at M = 2^5 (the brief's Fig. 5 set-up), with a
    standard error over the pairs of pool tasks, so the interval rule decides it."""
    from verify.icl import CLAIMS
    from verify.icl._profiles import GPU_SWEEP, PAPER_SWEEP, QUICK_SWEEP

    for cfg in (QUICK_SWEEP, GPU_SWEEP, PAPER_SWEEP):
        assert cfg["interp_small_log2_M"] == 5 and 5 in cfg["log2_M"] and cfg["interp_alphas"] % 2 == 1
    by_id = {c.id: c for c in CLAIMS}
    assert by_id["icl.interpolation_small_M"].profiles["quick"].seeds == tuple(range(5))
    res = run_claim("icl.interpolation_small_M")
    m = res.measurements[0]
    assert m.info["M"] == 32.0 and m.stderr is not None and m.stderr > 0
    assert res.record["decided_by"] != "point estimate"
    for key in ("pt_se", "dmmse_se", "ridge_se"):
        assert np.all(np.isfinite(m.raw[key])) and np.all(m.raw[key] > 0)
    assert res.figure_png is not None


def test_new_claim_window_and_monotone_statistic():
    """pt_beats_dmmse_on_new_tasks reads a seed-independent window (M past the transition where
    dMMSE's MC excess over ridge exceeds its noise and the floor); transition_monotone measures the
    consecutive rises, whose seed mean is the rises of the seed-mean curve."""
    res = run_claim("icl.pt_beats_dmmse_on_new_tasks")
    m = res.measurements[0]
    win = m.info["window log2 M"]
    assert win and np.asarray(m.value).shape == (len(win),) and np.all(np.asarray(m.stderr) > 0)
    assert np.sum(m.raw["window"]) == len(win)
    assert res.figure_png is not None
    mono = run_claim("icl.transition_monotone").measurements[0]
    d = np.asarray(mono.info["Delta^T_PT,Ridge"])
    np.testing.assert_allclose(mono.value, np.diff(d), atol=1e-4)


def test_ratio_stderr_matches_replications():
    """The delta-method standard error of MSE_PT/MSE_baseline - 1 over pairs matches the spread of
    the estimate over independent replications."""
    from verify.icl._transition import _ratio_minus_one

    rng = np.random.default_rng(0)
    est, ses = [], []
    for _ in range(400):
        b = rng.gamma(4.0, 0.1, size=64)  # the baseline's per-pair MSE
        a = 1.1 * b + 0.02 * rng.standard_normal(64)  # the model's, paired with it
        v, se = _ratio_minus_one(a, b)
        est.append(v)
        ses.append(se)
    assert np.mean(est) == pytest.approx(0.1, abs=0.005)
    assert np.mean(ses) == pytest.approx(np.std(est), rel=0.15)
    assert _ratio_minus_one(np.array([1.0]), np.array([2.0])) == (-0.5, None)


# =============================================================================================
# Mutation test (issue 16 section 2): a prediction must tell a wrong theory from the right one
# =============================================================================================


def _scaled(fn, factor):
    def wrong(*args, **kwargs):
        r = fn(*args, **kwargs)
        return dataclasses.replace(r, mse=r.mse * factor)

    return wrong


# theory function -> the predictions whose verdict reads it (where verify.icl imports it)
MUTATIONS = {
    "ridge_bayes_mse_curve": ["icl.ridge_bayes_mse"],
    "dmmse_bayes_risk": ["icl.dmmse_bayes_risk"],
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutated_theory_fails_its_predictions(name, monkeypatch):
    """Scaling a Bayes risk of `theory.icl` by 1.1 or 0.9 (where `verify.icl` uses it) makes
    every prediction that reads it FAIL at the tiny profile; unperturbed they PASS.
    (`icl.pt_above_bayes_risk` also imports `ridge_bayes_mse_curve`, for its figure only: its
    verdict is the paired loss gap to the ridge *estimator*, so the closed form cannot change it.)"""
    import verify.icl._bayes_risk as BR

    original = getattr(BR, name)
    for claim_id in MUTATIONS[name]:
        ok = run_claim(claim_id)
        assert ok.verdict == "PASS", (claim_id, ok.verdict, ok.error)
        for factor in (1.1, 0.9):
            monkeypatch.setattr(BR, name, _scaled(original, factor))
            bad = run_claim(claim_id)
            assert bad.verdict == "FAIL", (claim_id, factor, bad.verdict, bad.error)
            assert bad.error > 1.5 * 4.0, (claim_id, factor, bad.error)  # well past the z tolerance, not by a hair
        monkeypatch.setattr(BR, name, original)


# =============================================================================================
# Bad input (issue 15 §4): every public function returns finite numbers or raises ValueError
# =============================================================================================

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((2, 3, 2))
_Y = _RNG.standard_normal((2, 3))
_POOL = _RNG.standard_normal((4, 2))

THEORY_CALLS = {
    "ridge_predict": [((_X, _Y, None, 0.25, 1.0), {}), ((_X, _Y, _X[:, 0], 0.25), {})],
    "dmmse_predict": [((_X, _Y, None, _POOL, 0.25), {}), ((_X, _Y, _X[:, 0], _POOL, 0.25), {})],
    "dmmse_posterior_weights": ((_X, _Y, _POOL, 0.25), {}),
    "gaussian_posterior": ((_X, _Y, 0.25, 1.0), {}),
    "ridge_bayes_mse": [((2, 1, 0.25, 1.0), {}), ((3, np.array([0, 4]), 0.25), {"n_mc": 50, "seed": 1})],
    "ridge_bayes_mse_curve": ((2, 2, 0.25, 1.0), {}),
    "ols_bayes_mse": ((2, 5, 0.25), {}),
    "ridge_mse_bounds": ((2, np.array([0, 3, 5]), 0.25, 1.0), {}),
    "dmmse_bayes_risk": ((_POOL, 3, 0.25), {"n_samples": 8, "seed": 1, "batch": 4}),
    "ridge_risk_on_pool": ((_POOL, 3, 0.25), {"n_samples": 8, "seed": 1, "task_var": 1.0}),
    "interpolation_path": ((_POOL[:2], _POOL[2:], np.array([0.0, 0.5, 1.0])), {}),
    "sample_sequences": ((np.random.default_rng(0), 2, 3, 2, 0.25), {"task_var": 1.0}),
    "derivations": ((), {}),
}
THEORY_EXEMPT = {"BayesRisk": "a dataclass holding a computed risk"}

_CFG = N.ModelConfig(dim=2, n_points=3, n_layer=1, n_embd=8, n_head=2)
_TC = N.TrainConfig(steps=2, batch_size=2, lr=1e-3, noise_var=0.1)
_PARAMS = N.init_params(_CFG, [0])
_EVAL = N.make_eval_set(1, 4, 3, 2, 0.1, pool=_POOL, draw_from_pool=True, ridge_fn=T.ridge_predict)

NUMERICS_CALLS = {
    "ModelConfig": ((2, 3, 1, 8, 2), {}),
    "TrainConfig": ((2, 2, 1e-3, 0.1), {"task_var": 1.0, "warmup_frac": 0.5}),
    "Member": [((4, 0, 0.1), {}), ((None, 1), {}), ((4, 0, 0.0, 8), {})],
    "seed_int": ((3, "x", 5), {}),
    "init_params": ((_CFG, [0, 1]), {}),
    "param_count": ((_CFG,), {}),
    "train_flops_per_token": ((_CFG,), {}),
    "to_tokens": ((torch.zeros(2, 3, 2), torch.zeros(2, 3)), {}),
    "predict": ((_PARAMS, torch.zeros(1, 2, 3, 2), torch.zeros(1, 2, 3), _CFG), {}),
    "task_pool": ((0, 5, 2, 1.0), {}),
    "DataStream": (([N.Member(2, 0)], 2, 3, _TC), {}),
    "triangle_lr": ((3, 10, 1e-3, 0.5), {}),
    "train_ensemble": (([N.Member(2, 0)], _CFG, _TC), {"log_every": 1, "stop_at": 1, "eval_every": 0, "checkpoint_every": 0}),
    "predict_numpy": ((_PARAMS, _X, _Y, _CFG), {"chunk": 1}),
    "make_eval_set": ((1, 3, 3, 2, 0.1), {"pool": _POOL, "draw_from_pool": True, "ridge_fn": T.ridge_predict, "task_var": 1.0}),
    "position_metrics": ((_EVAL.clean, _EVAL, 2), {}),
    "dmmse_predict_torch": ((_X, _Y, _POOL, 0.1), {"budget": 100.0}),
}
NUMERICS_EXEMPT = {
    "TrainResult": "a dataclass returned by train_ensemble",
    "EvalSet": "a dataclass of arrays made by make_eval_set",
}
NUMERICS_INPUT_EXEMPT = {
    "position_metrics": {
        "nan": "a diverged model's NaN predictions propagate into its metrics, as the docstring says",
        "inf": "a diverged model's inf predictions propagate into its metrics, as the docstring says",
    },
}


def test_bad_inputs_theory():
    check_bad_inputs(T, THEORY_CALLS, THEORY_EXEMPT)


def test_bad_inputs_numerics():
    check_bad_inputs(N, NUMERICS_CALLS, NUMERICS_EXEMPT, NUMERICS_INPUT_EXEMPT)
