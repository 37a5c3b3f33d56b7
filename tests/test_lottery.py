"""Tests of paper A (lottery): theory, numerics, and the claims end to end at tiny size."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from numerics import lottery as N
from numerics.lottery import experiments as X
from theory import lottery as T
from verify.core.claims import Measurement, Prediction
from verify.core.context import RunContext

torch.set_num_threads(1)


# --------------------------------------------------------------------------- theory


def test_derivations_all_checks_pass():
    ds = T.derivations()
    assert {d.id for d in ds} >= {"lottery.pstar", "lottery.schur", "lottery.magnitude_projection"}
    for d in ds:
        assert d.failed_checks == [], d.id
        assert any(s.check for s in d.steps), d.id
        assert "\\[" in d.to_markdown()


@given(
    lam=st.floats(1e-4, 1e3), r=st.floats(1e-3, 10), eps=st.floats(1e-4, 1.0), scale=st.floats(1.01, 10)
)
def test_pstar_isotropic_monotone_and_matches_sum(lam, r, eps, scale):
    p = T.pstar_isotropic(lam, r, eps)
    assert 0 < p <= 1
    assert T.pstar_isotropic(lam * scale, r, eps) < p
    assert T.pstar_isotropic(lam, r * scale, eps) < p
    assert math.isclose(T.pstar(np.full(7, lam), r, eps), p, rel_tol=1e-12)


def test_pstar_limits_and_negative_eigenvalues():
    assert T.pstar(np.zeros(10), 3.0, 0.1) == 1.0
    assert T.pstar(-np.ones(10), 3.0, 0.1) == 1.0  # non-positive directions count as flat
    assert T.pstar(np.full(10, 1e9), 1.0, 1e-3) < 1e-6
    with pytest.raises(ValueError):
        T.pstar(np.ones(3), 1.0, 0.0)
    # p* = w^2 / D_L: extra free directions (e.g. biases) can only raise it, clipped at 1
    assert T.pstar(np.zeros(12), 1.0, 0.1, n_prunable=10) == 1.0


@given(lam=st.floats(1e-3, 1e2), norm_sq=st.floats(0.1, 100), eps=st.floats(1e-3, 1.0))
def test_selfconsistent_matches_closed_form(lam, norm_sq, eps):
    closed = T.pstar_isotropic_random_selfconsistent(lam, norm_sq, eps)
    num = T.self_consistent_pstar(np.full(5, lam), eps, lambda p: T.r2_random(p, norm_sq))
    assert abs(closed - num) < 1e-7
    assert abs(closed - T.pstar_isotropic(lam, math.sqrt(closed * norm_sq), eps)) < 1e-9


def test_magnitude_projection_gaussian_vs_sampling():
    w = np.random.default_rng(0).normal(size=200_000)
    for p in (0.2, 0.5, 0.8):
        emp = T.r2_magnitude_empirical(p, w) / np.sum(w**2)
        assert abs(emp - T.r2_magnitude_gaussian(p, 1.0)) < 3e-3
        assert T.r2_magnitude_gaussian(p, 1.0) < T.r2_random(p, 1.0)
    assert T.r2_magnitude_gaussian(1.0, 2.0) == 2.0


def test_rho_gaussian():
    # level-0 rho equals the magnitude projection of a 20% prune
    assert math.isclose(T.rho_oneshot_gaussian(0) ** 2, T.r2_magnitude_gaussian(0.2, 1.0), rel_tol=1e-9)
    rhos = [T.rho_oneshot_gaussian(L) for L in range(10)]
    assert np.all(np.diff(rhos) > 0)


@given(seed=st.integers(0, 10_000), n=st.integers(2, 9))
def test_schur_matches_brute_force(seed, n):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n))
    H = A @ A.T + 0.1 * np.eye(n)
    w = rng.normal(size=n)
    P = rng.choice(n, size=rng.integers(1, n), replace=False)
    K = np.setdiff1d(np.arange(n), P)
    # brute force: minimise 1/2 x^T H x over x with x_P = -w_P
    x = np.zeros(n)
    x[P] = -w[P]
    if K.size:
        x[K] = np.linalg.solve(H[np.ix_(K, K)], -H[np.ix_(K, P)] @ x[P])
    assert math.isclose(T.schur_increase(H, w, P), 0.5 * x @ H @ x, rel_tol=1e-8, abs_tol=1e-12)


def test_schur_isotropic_and_threshold():
    n, lam, eps = 50, 2.0, 0.1
    w = np.random.default_rng(1).normal(size=n) * 0.1
    H = lam * np.eye(n)
    order = np.argsort(np.abs(w))
    thr = T.exact_threshold(H, w, order, eps, tol=1e-4)
    k = int(math.ceil(thr * n - 1e-12))
    assert 0.5 * lam * np.sum(w[order[:k]] ** 2) <= eps < 0.5 * lam * np.sum(w[order[: k + 1]] ** 2) + 1e-12
    assert T.exact_threshold(1e-9 * H, w, order, eps) == 1.0


def test_imp_counts():
    c = T.imp_counts(4736, 0.2, 3)
    assert c.tolist() == [4736, 3788, 3030, 2424]
    assert T.prune_count(15, 0.2) == 3  # not ceil(3.0000000000000004) = 4
    r = T.imp_counts(100, 0.2, 2, "reference")
    assert r.tolist() == [100, 79, 62]
    with pytest.raises(ValueError):
        T.imp_counts(10, 0.2, 1, "layerwise")


def test_quadratic_formula_tracks_exact():
    # brief A.5 table: the formula is within ~0.06 of the exact 50% crossing
    rng = np.random.default_rng(0)
    lam = X.quadratic_spectrum(120, 0.3, 1.0, 1e-3)
    pr = T.self_consistent_pstar(lam, 1e-3, lambda p: T.r2_random(p, 1.0))
    ex = X.quadratic_exact_thresholds(120, 0.3, 1.0, 1e-3, 1e-3, 6, rng)
    assert abs(np.median(ex["random"]) - pr) < 0.12
    assert np.median(ex["magnitude"]) >= np.median(ex["random"])


# --------------------------------------------------------------------------- pruning


def _params(seed: int, shapes=((20, 8), (5, 20))):
    g = torch.Generator().manual_seed(seed)
    return {f"l{i}.weight": torch.randn(s, generator=g) * (i + 1) for i, s in enumerate(shapes)}


@given(seed=st.integers(0, 1000), frac=st.sampled_from([0.1, 0.2, 0.35, 0.5, 0.9]), levels=st.integers(1, 4))
def test_magnitude_prune_exact_nested_global(seed, frac, levels):
    params = _params(seed)
    mask = {n: torch.ones_like(v, dtype=torch.bool) for n, v in params.items()}
    n = N.mask_count(mask)
    for _ in range(levels):
        new = N.magnitude_prune(params, mask, frac)
        assert N.mask_count(new) == n - N.n_to_prune(n, frac)
        assert N.is_nested(new, mask)
        pruned = torch.cat([params[k][mask[k] & ~new[k]].abs() for k in mask])
        kept = torch.cat([params[k][new[k]].abs() for k in mask])
        if pruned.numel() and kept.numel():
            assert pruned.max() <= kept.min()
        mask, n = new, N.mask_count(new)


def test_magnitude_prune_is_global_and_reference_off_by_one():
    params = _params(3)  # layer 1 has twice the scale: global pruning hits layer 0 harder
    mask = {n: torch.ones_like(v, dtype=torch.bool) for n, v in params.items()}
    new = N.magnitude_prune(params, mask, 0.5)
    d = N.layer_densities(new)
    assert d["l0.weight"] < d["l1.weight"]
    ref = N.magnitude_prune(params, mask, 0.2, convention="reference")
    assert N.mask_count(ref) == N.mask_count(mask) - N.n_to_prune(N.mask_count(mask), 0.2) - 1
    with pytest.raises(ValueError):
        N.magnitude_prune(params, mask, 0.2, convention="layerwise")


def test_random_prune_and_prunable_names():
    model = N.make_model({"kind": "resnet", "depth": 8, "width": 4}, 0)
    names = N.prunable_names(model)
    assert all(n.endswith(".weight") for n in names) and "fc.weight" in names
    assert not any("bn" in n for n in names)
    assert "fc.weight" not in N.prunable_names(model, exempt=("fc.weight",))
    mask = N.ones_mask(model)
    g = torch.Generator().manual_seed(0)
    new = N.random_prune(mask, 0.3, g)
    n = N.mask_count(mask)
    assert N.mask_count(new) == n - N.n_to_prune(n, 0.3) and N.is_nested(new, mask)


# --------------------------------------------------------------------------- training


@pytest.fixture(scope="module")
def digits():
    d = N.load_digits_split(0)
    return N.Dataset(d.x_train[:400], d.y_train[:400], d.x_test[:200], d.y_test[:200], "digits-small")


MLP = {"kind": "mlp", "n_in": 64, "hidden": [16], "n_out": 10}
TC = N.TrainConfig(lr=0.1, momentum=0.9, weight_decay=1e-3, batch_size=32, steps=40, milestones=(30,))


def test_lr_schedule():
    assert N.lr_at(0, TC) == 0.1 and math.isclose(N.lr_at(30, TC), 0.01)
    w = N.TrainConfig(lr=0.2, warmup_steps=10, steps=20)
    assert math.isclose(N.lr_at(4, w), 0.1)
    with pytest.raises(ValueError):
        N.TrainConfig(lr=-1.0)


def test_masked_weights_stay_exactly_zero_and_training_is_deterministic(digits):
    model = N.make_model(MLP, 0)
    mask = N.random_prune(N.ones_mask(model), 0.6, torch.Generator().manual_seed(1))
    N.train(model, digits, TC, mask=mask, data_seed=3)
    params = dict(model.named_parameters())
    for n, m in mask.items():
        assert torch.all(params[n][~m] == 0)
    assert all(torch.all(params[n] != 0) for n in params if n.endswith("bias") and "layers.1" in n)
    again = N.make_model(MLP, 0)
    N.train(again, digits, TC, mask=mask, data_seed=3)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))


def test_rewind_resets_optimizer_and_resumes_schedule(digits):
    # one call 0..T differs from 0..k then k..T only through the momentum reset
    a = N.make_model(MLP, 0)
    N.train(a, digits, TC, data_seed=1)
    b = N.make_model(MLP, 0)
    N.train(b, digits, TC, end_step=10, data_seed=1)
    N.train(b, digits, TC, start_step=10, data_seed=1)
    c = N.make_model(MLP, 0)
    N.train(c, digits, N.TrainConfig(**{**TC.__dict__, "momentum": 0.0}), data_seed=1)
    d = N.make_model(MLP, 0)
    cfg0 = N.TrainConfig(**{**TC.__dict__, "momentum": 0.0})
    N.train(d, digits, cfg0, end_step=10, data_seed=1)
    N.train(d, digits, cfg0, start_step=10, data_seed=1)
    sa, sb = a.state_dict(), b.state_dict()
    assert not all(torch.equal(sa[k], sb[k]) for k in sa)  # momentum was reset
    sc, sd = c.state_dict(), d.state_dict()
    assert all(torch.allclose(sc[k], sd[k], atol=1e-6) for k in sc)  # no momentum: identical


def test_imp_checkpoint_resume(digits, tmp_path):
    ic2, ic3 = N.IMPConfig(levels=1, rewind_step=5), N.IMPConfig(levels=2, rewind_step=5)
    seen = []
    N.run_imp(MLP, digits, TC, ic2, init_seed=0, data_seed=1, checkpoint_dir=str(tmp_path))
    res = N.run_imp(MLP, digits, TC, ic3, init_seed=0, data_seed=1, checkpoint_dir=str(tmp_path), on_level=seen.append)
    assert res.resumed_from == 2 and [r.level for r in seen] == [2]
    full = N.run_imp(MLP, digits, TC, ic3, init_seed=0, data_seed=1)
    for r1, r2 in zip(res.levels, full.levels):
        assert r1.n_alive == r2.n_alive
        assert all(torch.equal(r1.state[k], r2.state[k]) for k in r1.state)
    assert [r.n_alive for r in full.levels] == T.imp_counts(N.mask_size(full.levels[0].mask), 0.2, 2).tolist()


# --------------------------------------------------------------------------- barrier


def test_error_barrier_grid_and_errors():
    a, b = {"w": torch.zeros(2)}, {"w": torch.ones(2)}

    def ev(p):  # E(t) = 4 t (1 - t) + t: barrier on a grid
        t = float(p["w"][0])
        return 4 * t * (1 - t) + t

    res = N.error_barrier(a, b, ev, 21)
    assert math.isclose(res.barrier, max(ev({"w": torch.full((2,), t)}) for t in res.ts) - 0.5)
    assert math.isclose(res.barrier_linear, 1.0) and math.isclose(res.midpoint, 1.0)
    with pytest.raises(ValueError):
        N.error_barrier(a, b, ev, 2)
    with pytest.raises(ValueError):
        N.error_barrier(a, {"v": torch.ones(2)}, ev, 5)


def test_error_barrier_batchnorm_policy():
    spec = {"kind": "resnet", "depth": 8, "width": 4}
    data = N.synthetic_images(64, 32, seed=0)
    ma, mb = N.make_model(spec, 0), N.make_model(spec, 1)
    sa, sb = N.state_copy(ma), N.state_copy(mb)
    ev, rec = X.make_evaluator(spec, data, "cpu", bn_batches=1)
    with pytest.raises(ValueError, match="bn_policy"):
        N.error_barrier(sa, sb, ev, 3)
    with pytest.raises(ValueError, match="recompute_bn"):
        N.error_barrier(sa, sb, ev, 3, bn_policy="recompute")
    r1 = N.error_barrier(sa, sb, ev, 3, bn_policy="interpolate")
    r2 = N.error_barrier(sa, sb, ev, 3, bn_policy="recompute", recompute_bn=rec)
    assert r1.errors.shape == r2.errors.shape == (3,)
    fresh = rec(sa)
    assert not torch.equal(fresh["bn.running_mean"], sa["bn.running_mean"])


# --------------------------------------------------------------------------- Hessian


def test_full_hessian_matches_autograd_and_lanczos(digits):
    model = N.make_model({"kind": "mlp", "n_in": 64, "hidden": [6], "n_out": 10}, 0)
    mask = N.random_prune(N.ones_mask(model), 0.5, torch.Generator().manual_seed(0))
    loss = N.MaskedLoss(model, digits.x_train[:100], digits.y_train[:100], mask, chunk=40)
    H = N.full_hessian(loss, block=64)
    ref = torch.autograd.functional.hessian(lambda th: sum(loss._loss_chunk(th, i) for i in range(0, 100, 40)), loss.theta0)
    assert np.allclose(H, ref.numpy(), atol=1e-10)
    ev = np.linalg.eigvalsh(H)
    top = N.lanczos_top_eigenvalues(loss, 3, n_iter=loss.dim)
    assert np.allclose(top, ev[::-1][:3], rtol=1e-6, atol=1e-9)
    # masked coordinates are not free: the unflattened weights are exactly zero there
    full = loss.unflatten(loss.theta0)
    assert all(torch.all(full[n][~m] == 0) for n, m in mask.items())


def test_slq_exact_on_diagonal():
    class Diag:
        dim, device, dtype = 30, "cpu", torch.float64
        d = torch.linspace(0.0, 3.0, 30, dtype=torch.float64)

        def hvp(self, v):
            return self.d * v

    quad = N.slq(Diag(), n_probes=3, n_iter=30, seed=0)
    f = lambda lam: 1.0 / (1.0 + 2.0 * np.clip(lam, 0, None))  # noqa: E731
    tr, _ = N.slq_trace(f, quad, 30)
    assert math.isclose(tr, float(np.sum(f(Diag.d.numpy()))), rel_tol=1e-8)


# --------------------------------------------------------------------------- claims end to end


def _tiny_quick(cfg: dict) -> dict:
    c = copy.deepcopy(dict(cfg))
    if "train" in c:
        c["train"] = dict(c["train"], steps=40, milestones=[30])
    if "imp" in c:
        c["imp"] = dict(c["imp"], levels=3, rewind_step=5)
    c.update({k: v for k, v in {"rewind_steps": [0, 5], "levels": [1], "level": 1, "p_grid": [0.5, 0.9], "last_level": 2, "trials": 3, "dim": 40, "steps": 50}.items() if k in c})
    if c.get("hessian") == "full":
        c["model"] = dict(c["model"], hidden=[8])
    return c


def _tiny_gpu(cfg: dict) -> dict:
    from verify import lottery as V

    c = copy.deepcopy(dict(cfg))
    for k in ("model", "data", "train", "imp", "n_points"):
        if k in c:
            c[k] = copy.deepcopy(V.GPU_TINY[k])
    c.update({k: v for k, v in {
        "rewind_steps": [0, 2], "levels": [1], "level": 1, "p_grid": [0.5, 0.9], "last_level": 2, "hessian_samples": 64,
        "hessian_chunk": 64, "top_k": 3, "lanczos_iter": 8, "slq_probes": 2, "slq_iter": 6, "trials": 2, "dim": 30,
        "steps": 30,
    }.items() if k in c})
    return c


_CACHE: dict = {}


def _run_claim(claim, profile: str, cfg: dict):
    cache = _CACHE

    def shared(paper, name, fn, key, seed):
        import json

        h = (paper, name, json.dumps(key, sort_keys=True, default=repr), seed)
        if h not in cache:
            cache[h] = fn()
        return cache[h]

    th = claim.theory(RunContext(claim.id, profile, cfg, 20_240_617, "theory", _shared=shared))
    pr = claim.practice(RunContext(claim.id, profile, cfg, 0, "practice", _shared=shared))
    assert isinstance(th, Prediction) and isinstance(pr, Measurement)
    err = claim.comparison.error_fn(th.value, pr.value, th.stderr, pr.stderr)
    assert np.isfinite(err), claim.id
    if claim.figure is not None:
        import matplotlib.pyplot as plt

        plt.close(claim.figure(RunContext(claim.id, profile, cfg, 0, "figure"), th, [pr]))
    return th, pr


@pytest.fixture(scope="module")
def lottery_claims():
    from verify import lottery as V

    assert len(V.CLAIMS) >= 8 and all(c.id.startswith("lottery.") for c in V.CLAIMS)
    return V.CLAIMS


def test_quick_claims_tiny_end_to_end(lottery_claims):
    for claim in lottery_claims:
        th, pr = _run_claim(claim, "quick", _tiny_quick(claim.profiles["quick"].config))
        if claim.id == "lottery.imp_bookkeeping":
            assert claim.comparison.pass_fn(claim.comparison.error_fn(th.value, pr.value), 0)
        if claim.id == "lottery.barrier_convex":
            assert pr.value <= 1e-9


def test_gpu_claims_tiny_end_to_end_on_cpu(lottery_claims):
    for claim in lottery_claims:
        _run_claim(claim, "gpu", _tiny_gpu(claim.profiles["gpu"].config))


def test_paper_profile_skips_without_data(lottery_claims):
    from verify.core.claims import SkipClaim

    claim = next(c for c in lottery_claims if c.id == "lottery.lmc_iff_matching")
    ctx = RunContext(claim.id, "paper", claim.profiles["paper"].config, 0, "practice", data_dir=None)
    with pytest.raises(SkipClaim, match="CIFAR-10"):
        claim.practice(ctx)
