"""Tests of class_manifolds: derivations, exact hit probabilities, the cut optimiser, the
estimator, and tiny end-to-end runs of every claim (quick path and the gpu ResNet path on CPU)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theory.class_manifolds as T
from numerics.class_manifolds import (
    AnchorPool,
    BallClassifier,
    HalfSpaceClassifier,
    affine_cut_distance,
    affine_intersection,
    cutting_plane_dimension,
    estimate_d_star,
    fit_sigmoid_log,
    make_bases,
    optimize_in_cut,
    sigmoid_crossing,
    sigmoid_log,
    target_distribution,
)
from numerics.class_manifolds._fit import fit_sigmoid_log_batched

torch.set_num_threads(1)

# --------------------------------------------------------------------------- theory


def test_derivation_checks_all_pass():
    ds = T.derivations()
    assert len(ds) >= 8
    for d in ds:
        assert d.failed_checks == [], d.id
        assert d.to_markdown()
    assert sum(s.check is True for d in ds for s in d.steps) >= 10


def test_brief_numbers():
    """Brief B.6 [checked] values."""
    D = 64
    assert T.p_hit_tube(40, D, 20, 0.3, 1.0) == pytest.approx(0.5754, abs=1e-3)
    assert T.p_hit_ball(48, D, 0.5, 1.0) == pytest.approx(0.53, abs=0.005)
    assert T.p_hit_ball(24, D, 0.8, 1.0) == pytest.approx(0.56, abs=0.005)
    assert T.p_hit_ball(56, D, 0.3, 1.0) == pytest.approx(0.30, abs=0.005)
    assert T.p_hit_ball(60, D, 0.3, 1.0) == pytest.approx(0.78, abs=0.005)
    assert T.d_star_affine_subspace(D, 20) == 43.5
    assert T.d_star_intersection(D, 40, 50) == 37.5
    assert T.d_star_union(D, 20, 30) == 33.5
    assert T.d_star_sphere(D, 1.0, 0.5) == 1.0
    assert T.d_star_ball(D, 0.5, 1.0) == pytest.approx(47.67, abs=0.01)


def test_beta_law_by_simulation():
    """||P u||^2 for random orthonormal cuts against the Beta formulas (ball and half-space)."""
    rng = np.random.default_rng(0)
    D, d, n = 16, 6, 6000
    q, _ = np.linalg.qr(rng.standard_normal((n, D, d)))
    u = np.zeros(D)
    u[0] = 1.0
    s = (q[:, 0, :] ** 2).sum(1)  # ||P u||^2
    for ratio in (0.6, 0.8):
        emp = np.mean(s >= 1 - ratio**2)
        se = math.sqrt(emp * (1 - emp) / n) + 1e-3
        assert abs(emp - T.p_hit_ball(d, D, ratio, 1.0)) < 4 * se
    emp = np.mean(np.sqrt(s) * 2.0 >= 1.0)
    assert abs(emp - T.p_hit_halfspace_budget(d, D, 1.0, 2.0)) < 4 * math.sqrt(emp * (1 - emp) / n) + 1e-3


def test_tube_by_simulation_and_limits():
    rng = np.random.default_rng(1)
    D, k, d, n = 12, 3, 5, 4000
    U = np.linalg.qr(rng.standard_normal((D, k)))[0].T
    z = rng.standard_normal(D)
    z -= U.T @ (U @ z)
    z /= np.linalg.norm(z)
    hits = 0
    for _ in range(n):
        M = np.linalg.qr(rng.standard_normal((D, d)))[0]
        A = np.concatenate([M, U.T], axis=1)
        res = z - A @ np.linalg.lstsq(A, z, rcond=None)[0]
        hits += np.linalg.norm(res) <= 0.5
    emp = hits / n
    assert abs(emp - T.p_hit_tube(d, D, k, 0.5, 1.0)) < 4 * math.sqrt(emp * (1 - emp) / n) + 1e-3
    # rho -> 0 gives the step of the zero-thickness subspace
    dd = np.arange(1, 65)
    assert np.allclose(T.p_hit_tube(dd, 64, 20, 1e-9, 1.0), T.p_hit_affine_subspace(dd, 64, 20), atol=1e-6)


@given(st.integers(2, 200), st.floats(0.05, 0.95))
def test_ball_probability_monotone_in_d(D, ratio):
    p = T.p_hit_ball(np.arange(1, D + 1), D, ratio, 1.0)
    assert np.all(np.diff(p) >= -1e-12) and p[-1] == 1.0 and np.all((p >= 0) & (p <= 1))


@given(st.floats(1.0, 5000.0))
def test_mean_chi_bounds(m):
    a = float(T.mean_chi(m))
    assert m / math.sqrt(m + 1) < a < math.sqrt(m)


def test_cap_width_quadrature_mc_and_points():
    D, theta = 32, math.asin(0.6)
    wq = T.cap_width(theta, D)
    wm, se = T.cap_width_mc(theta, D, 200_000, np.random.default_rng(0))
    assert abs(wq - wm) < 4 * se
    assert wq == pytest.approx(math.sin(theta) * T.mean_chi(D - 1), rel=0.02)
    # point-cloud width of sampled cap points is a lower bound
    rng = np.random.default_rng(1)
    u = np.eye(D)[0]
    g = rng.standard_normal((2000, D))
    g -= np.outer(g @ u, u)
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    pts = np.cos(theta) * u + np.sin(theta) * g
    wp, _ = T.gaussian_width_mc(pts, 2000, rng)
    assert wp < wq
    # Gordon bound: a random subspace of dimension d << D - w^2 misses w.h.p.
    assert T.gordon_escape_probability_bound(wq, D, 1) > 0.9
    assert T.gordon_escape_probability_bound(wq, D, D - 1) == 0.0


def test_axis_aligned_exact_vs_simulation():
    rng = np.random.default_rng(2)
    D, s, ratio, n = 20, 2, 0.7, 4000
    for d in (8, 14):
        J = np.array([np.isin(rng.choice(D, d, replace=False), [0, 1]).sum() for _ in range(n)])
        emp = np.mean(J / s >= 1 - ratio**2)
        assert abs(emp - T.p_hit_ball_axis_aligned(d, D, ratio, 1.0, s)) < 4 * math.sqrt(emp * (1 - emp) / n) + 1e-3


def test_theory_bad_inputs():
    with pytest.raises(ValueError, match="D"):
        T.p_hit_ball(3, 1, 0.5, 1.0)
    with pytest.raises(ValueError, match="d must"):
        T.p_hit_ball(70, 64, 0.5, 1.0)
    with pytest.raises(ValueError, match="k must"):
        T.p_hit_affine_subspace(3, 10, 10)


# --------------------------------------------------------------------------- estimator


@given(st.floats(-0.2, 0.3), st.floats(0.4, 1.0), st.floats(2.0, 200.0), st.floats(0.05, 2.0), st.floats(0.35, 0.65))
def test_sigmoid_crossing_inverts(a, b, c, s, level):
    x = sigmoid_crossing([a, b, c, s], level)
    if 0 < (level - a) / b < 1:
        assert sigmoid_log(x, a, b, c, s) == pytest.approx(level, abs=1e-9)


def test_batched_fit_matches_curve_fit():
    rng = np.random.default_rng(0)
    dims = np.array([1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64.0])
    p = sigmoid_log(dims, 0.0, 1.0, 15.0, 0.3)
    v = (rng.random((11, 20)) < p[:, None]).astype(float)
    ref = fit_sigmoid_log(np.repeat(dims, 20), v.ravel())[0]
    agg = fit_sigmoid_log(np.repeat(dims, 20), v.ravel(), aggregate=True)[0]
    bat = fit_sigmoid_log_batched(dims, v.mean(1)[None], np.full(11, 20), [0, 1, 10, 0.5])[0]
    assert sigmoid_crossing(agg) == pytest.approx(sigmoid_crossing(ref), rel=1e-4)
    assert sigmoid_crossing(bat) == pytest.approx(sigmoid_crossing(ref), rel=1e-3)


def test_estimate_d_star_cases():
    dims = np.arange(1, 33, dtype=float)
    step = (dims[:, None] >= 20) * np.ones((1, 10))
    e = estimate_d_star(dims, step, 32, n_boot=20)
    assert 19.0 <= e.d_star <= 20.0 and e.censored is None and e.d_eff == 32 - e.d_star
    assert estimate_d_star(dims, np.ones((32, 5)), 32, n_boot=5).censored == "below"
    e = estimate_d_star(dims, np.zeros((32, 5)), 32, n_boot=5)
    assert e.censored == "above" and e.d_star == math.inf
    with pytest.raises(ValueError, match="values"):
        estimate_d_star(dims, np.ones(32), 32)


# --------------------------------------------------------------------------- cuts and optimiser


def test_bases():
    g = torch.Generator().manual_seed(0)
    for kind in ("gaussian_unit", "orthonormal", "axis_aligned"):
        M = make_bases(kind, 5, 20, 3, generator=g)
        assert M.shape == (3, 5, 20)
        assert torch.allclose(M.norm(dim=2), torch.ones(3, 5), atol=1e-5)
    M = make_bases("orthonormal", 5, 20, 3, generator=g)
    assert torch.allclose(M @ M.transpose(1, 2), torch.eye(5).expand(3, 5, 5), atol=1e-5)
    M = make_bases("axis_aligned", 5, 20, 3, k_nonzero=2, generator=g)
    assert ((M != 0).sum(2) == 2).all() and ((M != 0).sum(1) <= 1).all()  # disjoint supports
    with pytest.raises(ValueError, match="kind"):
        make_bases("bad", 2, 4, 1)
    with pytest.raises(ValueError, match="d must"):
        make_bases("orthonormal", 5, 4, 1)


def test_target_distribution():
    assert target_distribution(2, 4).tolist() == [0, 0, 1, 0]
    assert target_distribution([0, 3], 4).tolist() == [0.5, 0, 0, 0.5]
    with pytest.raises(ValueError, match="target"):
        target_distribution([1, 1], 4)


def test_constant_bias_correction_first_step_is_lr_sign():
    """Notebook Adam: m_hat = g, v_hat = g^2 after one step, so theta_1 = -lr sign(g)."""
    D = 6
    model = HalfSpaceClassifier(torch.ones(D), 100.0, sharpness=1.0)
    M = torch.eye(D)[:3].unsqueeze(0)
    run = optimize_in_cut(model, torch.zeros(1, D), M, torch.tensor([[0.0, 1.0]]), steps=2, early_stop=False)
    # after one update x moves by lr in each of 3 coordinates toward w: w^T x = 3 lr / sqrt(D) * sqrt(D)
    assert run.displacement.item() == pytest.approx(0.05 * math.sqrt(3), rel=1e-4)


def test_batch_independence_and_budget():
    """Each cut is optimised independently of the others in the batch (compaction included)."""
    D = 10
    g = torch.Generator().manual_seed(3)
    model = BallClassifier(torch.randn(D, generator=g), 0.6)
    anchors = torch.zeros(6, D)
    M = make_bases("orthonormal", 4, D, 6, generator=g)
    tg = torch.tensor([[0.0, 1.0]]).expand(6, 2)
    full = optimize_in_cut(model, anchors, M, tg, steps=80, radius=0.5)
    for i in (0, 3, 5):
        one = optimize_in_cut(model, anchors[i : i + 1], M[i : i + 1], tg[i : i + 1], steps=80, radius=0.5)
        assert one.score.item() == pytest.approx(full.score[i].item(), rel=1e-5)
        assert one.steps.item() == full.steps[i].item()
    assert (full.displacement <= 0.5 + 1e-5).all()


def test_ensemble_and_anchor_pool():
    D = 8
    X = torch.randn(40, D)
    y = torch.arange(40) % 4
    nets = [torch.nn.Linear(D, 4) for _ in range(2)]
    res = cutting_plane_dimension(nets, [1, 2], AnchorPool(X, y), [1, 2, 4, 8], 3, steps=30, n_boot=5,
                                  generator=torch.Generator().manual_seed(0))
    assert res.sweep.score.shape == (4, 3) and np.all((res.sweep.score >= 0) & (res.sweep.score <= 1 + 1e-6))
    s = AnchorPool(X, y).sample(50, [1, 2], torch.Generator().manual_seed(0))
    assert s.shape == (50, D)


def test_optimiser_reproduces_halfspace_and_projected_adam_is_biased():
    D, reps = 32, 40
    w = torch.randn(D, generator=torch.Generator().manual_seed(1))
    model = HalfSpaceClassifier(w, 1.0 * w.norm().item())
    dims = list(range(2, 33, 2))
    kw = dict(basis="orthonormal", n_boot=20, radius=2.0)
    clamp = cutting_plane_dimension(model, 1, torch.zeros(D), dims, reps, generator=torch.Generator().manual_seed(2), **kw)
    proj = cutting_plane_dimension(model, 1, torch.zeros(D), dims, reps, generator=torch.Generator().manual_seed(2),
                                   radius_mode="project", **kw)
    exact = T.d_star_halfspace_budget(D, 1.0, 2.0)
    assert abs(clamp.estimate.d_star - exact) < 2.0
    assert proj.estimate.d_star > exact + 2.0  # Adam + radial projection settles at theta ~ sign(Mw)


def test_affine_oracles():
    D = 12
    g = torch.Generator().manual_seed(0)
    U = torch.linalg.qr(torch.randn(D, 3, generator=g, dtype=torch.float64))[0].T
    a = torch.randn(D, generator=g, dtype=torch.float64)
    M = make_bases("orthonormal", 9, D, 4, generator=g, dtype=torch.float64)
    assert (affine_cut_distance(torch.zeros(D), M, a, U) < 1e-9).all()  # d + k >= D
    M = make_bases("orthonormal", 2, D, 4, generator=g, dtype=torch.float64)
    dist = affine_cut_distance(torch.zeros(D), M, a, U)
    for i in range(4):
        A = torch.cat([M[i], U]).T
        res = a - A @ torch.linalg.lstsq(A, a.unsqueeze(1)).solution.squeeze(1)
        assert dist[i].item() == pytest.approx(res.norm().item(), rel=1e-8)
    U1 = np.linalg.qr(np.random.default_rng(0).standard_normal((D, 8)))[0].T
    U2 = np.linalg.qr(np.random.default_rng(1).standard_normal((D, 7)))[0].T
    p, V = affine_intersection(np.zeros(D), U1, np.ones(D) * 0.1, U2)
    assert V.shape == (8 + 7 - D, D)


# --------------------------------------------------------------------------- claims end to end (tiny)


def _ctx(claim_id, cfg, role, seed=0):
    from verify.core.context import RunContext

    return RunContext(claim_id=claim_id, profile="quick", config=cfg, seed=seed, role=role)


TINY_ANALYTIC = dict(dims="even", reps=12, n_boot=20, steps=150)


def _run(claim, cfg):
    from verify.core.claims import COMPARISONS

    pred = claim.theory(_ctx(claim.id, cfg, "theory"))
    meas = claim.practice(_ctx(claim.id, cfg, "practice"))
    err = COMPARISONS[claim.compare].error_fn(pred.value, meas.value, pred.stderr, meas.stderr)
    assert np.all(np.isfinite(np.asarray(meas.value, dtype=float)))
    if claim.figure is not None:
        import matplotlib.pyplot as plt

        plt.close(claim.figure(_ctx(claim.id, cfg, "figure"), pred, [meas]))
    return pred, meas, err


def test_analytic_claims_tiny():
    import verify.class_manifolds as V

    by_id = {c.id.split(".", 1)[1]: c for c in V.CLAIMS}
    small = {
        "affine_subspace": dict(D=16, k=5, distance=1.0),
        "tube": dict(D=16, k=5, rho=0.3, r_perp=1.0),
        "ball": dict(D=16, R=1.0, ratios=[0.6]),
        "sphere_viewpoint": dict(D=16, r=1.0, width=0.1, R_inside=0.5, R_outside=2.0),
        "intersection_union": dict(D=16, k1=10, k2=12, union_k1=5, union_k2=7),
        "halfspace_budget": dict(D=16, gap=1.0, budget=2.0, also_project=False),
        "gordon": dict(D=16, R=1.0, ratios=[0.7], width_mc_samples=20_000),
        "axis_aligned": dict(D=16, R=1.0, ratio=0.7, support=2),
    }
    for name, cfg in small.items():
        pred, meas, err = _run(by_id[name], dict(cfg, **TINY_ANALYTIC))
        assert np.shape(pred.value) == np.shape(meas.value)
        # 12 reps at D = 16: loose, this only proves the path; the claims test accuracy
        assert err < (0.5 if name == "gordon" else 4.0), (name, pred.value, meas.value)


def test_analytic_refine_path_gpu_shape():
    """The gpu configs (notebook grid + refined bracket) at a CPU-sized D."""
    from verify.class_manifolds import _experiments as X

    cfg = dict(D=256, gap=0.2, budget=1.0, dims=[1, 3, 5, 10, 15, 30, 50, 75, 100, 200, 256], refine=8, reps=16,
               n_boot=20, steps=150, also_project=False)
    res = X.analytic_case("halfspace_budget", cfg, 0)
    assert len(res["clamp"]["dims"]) > 11
    assert abs(res["clamp"]["d_star"] - X.theory_d_star("halfspace_budget", cfg, "clamp")) < 3.0


TINY_DIGITS = dict(data="digits", arch="mlp", width=16, dims=[1, 4, 16, 64], reps=3, radius=2.0, n_boot=10, train_lr=0.1,
                   steps=60, epochs=[1, 3], boundary_sizes=[2], boundary_per_size=1, bases=["orthonormal", "axis_aligned"],
                   final_epoch=3, widths=[8, 16], ensemble_size=2, label_subset=100, label_width=32, label_train_acc=0.5,
                   label_max_epochs=10, with_softmax=True)


def test_trained_claims_tiny():
    import verify.class_manifolds as V

    for c in V.CLAIMS:
        if "trained" in c.tags:
            pred, meas, err = _run(c, dict(TINY_DIGITS))
            assert meas.info


def test_gpu_resnet_path_on_cpu():
    """gpu profile: ResNet-20-shaped net on synthetic images through the same code, tiny."""
    import verify.class_manifolds as V

    cfg = dict(V.RESNET_GPU, image_size=8, width=4, blocks=1, n_train=256, epochs=[1, 2], dims=[1, 8, 64, 192], reps=2,
               n_boot=5, steps=15, max_basis_entries=2**22)
    by_id = {c.id: c for c in V.CLAIMS}
    for cid in ("class_manifolds.per_class_finite_monotone", "class_manifolds.dimension_vs_training"):
        pred, meas, err = _run(by_id[cid], cfg)
    assert meas.info["epochs"] == [1, 2]


def test_paper_profile_skips_without_cifar():
    import verify.class_manifolds as V
    from verify.core.claims import SkipClaim

    c = {c.id: c for c in V.CLAIMS}["class_manifolds.dimension_vs_training"]
    with pytest.raises(SkipClaim):
        c.practice(_ctx(c.id, dict(c.profiles["paper"].config), "practice"))


def test_profiles_declared():
    import verify.class_manifolds as V

    assert len(V.CLAIMS) == 15
    for c in V.CLAIMS:
        assert set(c.profiles) == {"quick", "gpu", "paper"}, c.id
