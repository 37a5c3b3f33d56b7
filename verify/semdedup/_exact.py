"""Exactness claims (C.7-1, 2, 3, 6, 7, 9 and the GPU/CPU equivalence): the theory side is
the theorem that the count of violations is 0; the practice side counts them."""

from __future__ import annotations

import time

import numpy as np

from numerics.semdedup import (
    brute_force_keep,
    cluster_max_sim,
    cluster_orders,
    component_keep,
    dot64,
    global_component_keep,
    greedy_keep,
    normalize_rows,
    semdedup,
)
from verify.core.claims import Measurement, Prediction, SkipClaim
from verify.semdedup._data import config_mixture, mixture

__all__ = [
    "zero_theory",
    "oracle_practice",
    "set_properties_practice",
    "monotone_practice",
    "blocked_practice",
    "engine_practice",
    "peers_practice",
    "device_practice",
]


def zero_theory(ctx) -> Prediction:
    """Exact claims: the rule is a theorem about the algorithm, so no violation may occur."""
    return Prediction(0.0, info={"reason": "exact equivalence / set inclusion: 0 violations"})


# --------------------------------------------------------------------------- C.7-1


def _order_violations(X, res, policy) -> int:
    """Independent check that `res.rank` is the keep order of `policy` (ties by id)."""
    cos = dot64(normalize_rows(X), res.centroids[res.cluster])
    bad = 0
    for members in cluster_orders(res.cluster, res.rank):
        if policy == "random":
            bad += int(not np.array_equal(np.sort(res.rank[members]), np.arange(len(members))))
            continue
        key = cos[members] if policy == "hard" else -cos[members]
        expect = members[np.lexsort((members, key))]
        bad += int(np.count_nonzero(expect != members))
    return bad


def oracle_practice(ctx) -> Measurement:
    """k = 1: SemDeDup's mask vs the brute-force rule, three policies, several eps."""
    X, pairs, _ = config_mixture(ctx)
    mism, order_bad, removed = 0, 0, {}
    for policy in ("hard", "easy", "random"):
        for eps in ctx.config["eps_list"]:
            res = semdedup(X, 1, eps, keep=policy, seed=ctx.seed, progress=False)
            bf = brute_force_keep(X, res.cluster, res.rank, eps)
            mism += int(np.count_nonzero(bf != res.keep))
            removed[f"{policy}@{eps}"] = int((~res.keep).sum())
        order_bad += _order_violations(X, res, policy)
    return Measurement(
        float(mism + order_bad),
        info={"mask_mismatches": mism, "order_violations": order_bad, "n_items": len(X), "removed": removed},
    )


# --------------------------------------------------------------------------- C.7-2


def _chain_examples() -> int:
    """Two orders of the chain A~B, B~C, A!~C (points at angles 0, theta, 2 theta on a circle):

    - order A, B, C (centroid beyond C, so A is farthest): SemDeDup keeps {A};
    - order A, C, B (centroid just past B towards C): SemDeDup keeps {A, C}, while one
      survivor per component keeps 1.

    Returns the number of wrong entries (0 when all hold)."""
    theta = 0.3
    eps = 1 - np.cos(1.5 * theta)  # cos(theta) > 1 - eps > cos(2 theta)
    ang = np.array([0.0, theta, 2 * theta])
    E = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    at = lambda a: np.array([[np.cos(a), np.sin(a)]])  # noqa: E731
    wrong = 0
    r1 = semdedup(E, None, eps, centroids=at(2 * theta + 1.0), progress=False)
    wrong += int(np.count_nonzero(np.argsort(r1.rank) != [0, 1, 2]))
    wrong += int(np.count_nonzero(r1.keep != [True, False, False]))
    r2 = semdedup(E, None, eps, centroids=at(theta + 0.05), progress=False)
    wrong += int(np.count_nonzero(np.argsort(r2.rank) != [0, 2, 1]))
    wrong += int(np.count_nonzero(r2.keep != [True, False, True]))
    wrong += int(component_keep(E, r2.cluster, r2.rank, eps).sum() != 1)
    return wrong


def set_properties_practice(ctx) -> Measurement:
    X, _, _ = config_mixture(ctx)
    c = ctx.config
    eps = c["eps"]
    res = semdedup(X, c["k"], eps, seed=ctx.seed, progress=False)
    Xn = normalize_rows(X)
    thr = 1 - eps
    v_pairs = v_first = v_hard = 0
    for members in cluster_orders(res.cluster, res.rank):
        kept = members[res.keep[members]]
        if len(kept) > 1:
            S = np.stack([dot64(Xn[kept], Xn[j]) for j in kept])
            np.fill_diagonal(S, -np.inf)
            v_pairs += int(np.count_nonzero(S > thr)) // 2
        v_first += int(not res.keep[members[0]])
        # hard policy: each survivor precedes (is farther than) all of its eps-neighbours
        pos = {int(m): t for t, m in enumerate(members)}
        for j in kept:
            sims = dot64(Xn[members], Xn[j])
            nb = members[(sims > thr) & (members != j)]
            v_hard += int(sum(pos[int(i)] < pos[int(j)] for i in nb))
    greedy = greedy_keep(X, res.cluster, res.rank, eps)
    v_greedy = int(np.count_nonzero(res.keep & ~greedy))
    v_chain = _chain_examples()
    total = v_pairs + v_first + v_hard + v_greedy + v_chain
    return Measurement(
        float(total),
        info={
            "kept_pairs_above_threshold": v_pairs,
            "first_item_removed": v_first,
            "survivor_after_neighbour": v_hard,
            "kept_not_greedy_kept": v_greedy,
            "chain_examples_wrong": v_chain,
            "removed": int((~res.keep).sum()),
            "greedy_removed": int((~greedy).sum()),
        },
    )


# --------------------------------------------------------------------------- C.7-3


def monotone_practice(ctx) -> Measurement:
    X, pairs, exact = config_mixture(ctx)
    c = ctx.config
    res = semdedup(X, c["k"], c["eps_list"][0], seed=ctx.seed, progress=False)
    fracs = np.array([(~res.keep_at(e)).mean() for e in c["eps_list"]])
    v_mono = int(np.count_nonzero(np.diff(fracs) < 0))
    # keep_at equals a fresh run at another eps
    e2 = c["eps_list"][len(c["eps_list"]) // 2]
    fresh = semdedup(X, c["k"], e2, seed=ctx.seed, progress=False)
    v_fresh = int(np.count_nonzero(fresh.keep != res.keep_at(e2)))
    # tiny eps removes exactly one member of each exact-copy pair, and nothing else
    tiny = ~res.keep_at(c["tiny_eps"])
    in_exact = np.zeros(len(X), bool)
    in_exact[exact.ravel()] = True
    v_tiny = int(np.count_nonzero(tiny & ~in_exact))
    v_tiny += int(np.count_nonzero(tiny[exact].sum(axis=1) != 1))
    # '>' vs '>=': construct an exact tie at one item's max_sim (Sterbenz: 1 - s is exact)
    cand = np.flatnonzero((res.max_sim > 0.5) & (res.max_sim < 1.0))
    j = int(cand[np.argmax(res.max_sim[cand])])
    s = float(res.max_sim[j])
    eps_tie = 1.0 - s
    assert 1.0 - eps_tie == s
    strict = res.keep_at(eps_tie, strict=True)
    loose = res.keep_at(eps_tie, strict=False)
    ties = res.max_sim == s
    v_tie = int(np.count_nonzero((strict != loose) != ties)) + int(not ties[j])
    fresh_loose = semdedup(X, c["k"], eps_tie, strict=False, seed=ctx.seed, progress=False).keep
    v_tie += int(np.count_nonzero(fresh_loose != loose))
    total = v_mono + v_fresh + v_tiny + v_tie
    return Measurement(
        float(total),
        raw={"eps": np.asarray(c["eps_list"]), "removed_fraction": fracs},
        info={
            "non_monotone_steps": v_mono,
            "keep_at_vs_fresh_run": v_fresh,
            "tiny_eps_errors": v_tiny,
            "exact_pairs": len(exact),
            "tiny_eps_removed": int(tiny.sum()),
            "tie_errors": v_tie,
            "n_ties": int(ties.sum()),
            "removed_fraction": [float(f) for f in fracs],
        },
    )


# --------------------------------------------------------------------------- C.7-6


def _dense_reference(E: np.ndarray):
    """(M_j, a_j) from the full float64 similarity matrix (row by row, first arg-max)."""
    n = len(E)
    ms = np.full(n, -np.inf)
    am = np.full(n, -1, dtype=np.int64)
    for j in range(1, n):
        s = dot64(E[:j], E[j])
        am[j] = int(np.argmax(s))
        ms[j] = s[am[j]]
    return ms, am


def blocked_practice(ctx) -> Measurement:
    X, _, _ = config_mixture(ctx)
    c = ctx.config
    res = semdedup(X, c["k"], 0.1, seed=ctx.seed, progress=False)
    Xn = normalize_rows(X)
    bad, checked, refined = 0, 0, 0
    members = max(cluster_orders(res.cluster, res.rank), key=len)  # the largest cluster, in keep order
    E = Xn[members]
    ms, am = _dense_reference(E)
    for B, R, backend in c["configs"]:  # (column block, row block or None, backend)
        r = cluster_max_sim(E, block=B, row_block=R, backend=backend)
        bad += int(np.count_nonzero(r.max_sim != ms)) + int(np.count_nonzero(r.argmax != am))
        refined = max(refined, r.n_refined)
        checked += 1
    return Measurement(
        float(bad),
        info={"cluster_size": len(E), "configurations": checked, "max_refined": refined},
    )


# --------------------------------------------------------------------------- C.7-7


def engine_practice(ctx) -> Measurement:
    X, _, _ = config_mixture(ctx)
    c = ctx.config
    t0 = time.perf_counter()
    ref = semdedup(X, c["k"], c["eps"], seed=ctx.seed, progress=False)
    t_local = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        dk = semdedup(
            X,
            c["k"],
            c["eps"],
            seed=ctx.seed,
            engine="dask",
            workers=c["workers"],
            task_rows=c["task_rows"],
            split_rows=c["split_rows"],
            progress=False,
        )
    except ImportError as err:
        raise SkipClaim(str(err)) from err
    t_dask = time.perf_counter() - t0
    bad = (
        int(np.count_nonzero(ref.keep != dk.keep))
        + int(np.count_nonzero(ref.max_sim != dk.max_sim))
        + int(np.count_nonzero(ref.duplicate_of != dk.duplicate_of))
    )
    return Measurement(
        float(bad),
        info={
            "n_items": len(X),
            "removed": int((~ref.keep).sum()),
            "largest_cluster": int(ref.cluster_sizes.max()),
            "split_rows": c["split_rows"],
            "local_s": t_local,
            "dask_s": t_dask,
        },
    )


# --------------------------------------------------------------------------- C.7-9


def _semhash_removed(X: np.ndarray, eps: float):
    try:
        from semhash import SemHash  # an optional peer (the semdedup extra)
    except ImportError:
        return None, "semhash not installed (pip install semhash)"

    class _Precomputed:  # SemHash wants an encoder; self-deduplication never calls it
        def encode(self, sentences, **kw):  # pragma: no cover - not called
            raise RuntimeError("embeddings are precomputed")

    try:
        records = [f"item-{i}" for i in range(len(X))]
        sh = SemHash.from_embeddings(normalize_rows(X), records, model=_Precomputed())
        out = sh.self_deduplicate(threshold=1.0 - eps)
        kept = {r for r in out.selected}
        removed = np.array([r not in kept for r in records])
        return removed, "ok"
    except Exception as err:  # noqa: BLE001 - a peer failing is reported, not fatal
        return None, f"semhash failed: {type(err).__name__}: {err}"


def peers_practice(ctx) -> Measurement:
    X, pairs, _ = config_mixture(ctx)
    c = ctx.config
    eps = c["eps"]
    res = semdedup(X, c["k"], eps, seed=ctx.seed, progress=False)
    greedy = greedy_keep(X, res.cluster, res.rank, eps)
    comp = component_keep(X, res.cluster, res.rank, eps)
    glob = global_component_keep(X, eps)
    rem_s, rem_g, rem_c = ~res.keep, ~greedy, ~comp
    v_greedy = int(np.count_nonzero(rem_g & ~rem_s))  # greedy removes a subset of SemDeDup's
    v_comp = 0
    for members in cluster_orders(res.cluster, res.rank):  # components remove at least as many, per cluster
        v_comp += int(rem_c[members].sum() < rem_s[members].sum())
    sh, sh_status = _semhash_removed(X, eps)
    caught = lambda rem: float(np.mean(rem[pairs].any(axis=1))) if len(pairs) else float("nan")  # noqa: E731
    info = {
        "removed_greedy": int(rem_g.sum()),
        "removed_semdedup": int(rem_s.sum()),
        "removed_components_in_cluster": int(rem_c.sum()),
        "removed_components_global": int((~glob).sum()),
        "pair_recall_semdedup": caught(rem_s),
        "pair_recall_global_components": caught(~glob),
        "semhash": sh_status,
        "greedy_not_subset": v_greedy,
        "components_fewer_in_cluster": v_comp,
    }
    if sh is not None:
        info["removed_semhash"] = int(sh.sum())
        info["pair_recall_semhash"] = caught(sh)
        info["semhash_between_greedy_and_global_components"] = bool(rem_g.sum() <= sh.sum() <= (~glob).sum())
    return Measurement(float(v_greedy + v_comp), info=info)


# --------------------------------------------------------------------------- GPU vs CPU


def device_practice(ctx) -> Measurement:
    """Same keep-mask from torch GEMM blocks on `ctx.device` as from the CPU reference on a
    subset; then a large synthetic run on the device, timed."""
    c = ctx.config
    device = ctx.device if c.get("device", "auto") == "auto" else c["device"]
    X, _, _ = mixture(
        ctx.rng("subset"), n_orig=c["n_subset"] - c["n_dup_subset"], dim=c["dim"], n_comp=c["n_comp"],
        spread=c["spread"], n_dup=c["n_dup_subset"], sigma=c["sigma"],
    )
    t0 = time.perf_counter()
    cpu = semdedup(X, c["k_subset"], c["eps"], seed=ctx.seed, max_points_per_centroid=c["ppc"], progress=False)
    t_cpu = time.perf_counter() - t0
    t0 = time.perf_counter()
    dev = semdedup(X, None, c["eps"], centroids=cpu.centroids, backend="torch", device=device, progress=False)
    t_dev = time.perf_counter() - t0
    bad = (
        int(np.count_nonzero(cpu.keep != dev.keep))
        + int(np.count_nonzero(cpu.max_sim != dev.max_sim))
        + int(np.count_nonzero(cpu.duplicate_of != dev.duplicate_of))
    )
    info = {
        "device": device,
        "subset_items": len(X),
        "subset_cpu_s": t_cpu,
        "subset_device_s": t_dev,
        "subset_removed": int((~cpu.keep).sum()),
        "subset_refined": dev.info["pairwise_refined"],
    }
    del X
    n_big = int(c.get("n_big", 0))
    if n_big:
        big = _big_synthetic(ctx, n_big, c, device)
        t0 = time.perf_counter()
        r = semdedup(big, c["k_big"], c["eps"], seed=ctx.seed, max_points_per_centroid=c["ppc"],
                     backend="torch", device=device, progress=False)
        wall = time.perf_counter() - t0
        info.update(
            big_items=n_big,
            big_s=wall,
            big_items_per_s=n_big / wall,
            big_removed=int((~r.keep).sum()),
            big_pairwise_tflops=r.info["pairwise_flops"] / max(r.info["pairwise_s"], 1e-9) / 1e12,
            big_assign_tflops=r.info["assign_flops"] / max(r.info["assign_s"], 1e-9) / 1e12,
            big_stage_s={k: r.info[k] for k in ("kmeans_s", "assign_s", "shuffle_s", "pairwise_s")},
            big_largest_cluster=int(r.cluster_sizes.max()),
        )
    return Measurement(float(bad), info=info, counters={"flops": float(dev.info["pairwise_flops"])})


def _big_synthetic(ctx, n: int, c, device: str) -> np.ndarray:
    """`n` mixture embeddings (10% near copies) generated on the device in chunks."""
    import torch  # lazily: torch is heavy, and discovering the claims must stay fast

    g = ctx.torch_generator("big", device=device)
    d = c["dim"]
    centers = torch.randn(c["n_comp_big"], d, generator=g, device=device)
    centers /= centers.norm(dim=1, keepdim=True)
    out = np.empty((n, d), dtype=np.float32)
    chunk = 1 << 20
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        comp = torch.randint(0, c["n_comp_big"], (e - s,), generator=g, device=device)
        x = centers[comp] + c["spread"] * torch.randn(e - s, d, generator=g, device=device) / d**0.5
        x /= x.norm(dim=1, keepdim=True)
        ncp = (e - s) // 10  # the last tenth of each chunk: near copies of the first rows
        x[-ncp:] = x[:ncp] + c["sigma"] * torch.randn(ncp, d, generator=g, device=device) / d**0.5
        out[s:e] = x.cpu().numpy()
    return out
