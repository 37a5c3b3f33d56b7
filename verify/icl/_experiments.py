"""Experiments behind `verify.icl`: the task-diversity sweep, shared by the sweep claims, and its read-outs.

`run_sweep(cfg, seeds, device)` trains one batched ensemble for a block of seeds (every task
diversity \\( M \\), weight decay, data budget and seed together), evaluates it on fixed evaluation sets of
\\( \\mathcal{T}_\\mathrm{True} \\) and \\( \\mathcal{T}_\\mathrm{Pretrain} \\) with the ridge and
dMMSE baselines, and measures the interpolation paths. It returns plain numpy arrays
(picklable for `ctx.shared`). The helpers below read the paper's quantities off it:
`sweep(ctx)` runs (or reuses) the sweep of a claim's config, `member_index` picks its
members, `mean_over_positions`, `curves_raw` and `counters` summarise it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
from typing import Any

import numpy as np
import torch
from scipy.stats import spearmanr

from numerics.icl import (
    EvalSet,
    Member,
    ModelConfig,
    TrainConfig,
    dmmse_predict_torch,
    make_eval_set,
    param_count,
    position_metrics,
    predict,
    predict_numpy,
    seed_int,
    task_pool,
    train_ensemble,
    train_flops_per_token,
)
from theory.icl import interpolation_path, ridge_predict

__all__ = [
    "SWEEP_KEYS",
    "run_sweep",
    "seed_block",
    "sweep_block",
    "sweep",
    "member_index",
    "mean_over_positions",
    "curves_raw",
    "counters",
    "transition_midpoint",
    "crossing_point",
    "spearman",
]

SWEEP_KEYS = (
    "dim",
    "n_points",
    "noise_var",
    "n_layer",
    "n_embd",
    "n_head",
    "steps",
    "batch_sizes",
    "lr",
    "warmup_frac",
    "log2_M",
    "infinite",
    "weight_decays",
    "n_eval",
    "interp_pairs",
    "interp_alphas",
    "interp_seqs",
    "eval_every",
    "n_eval_curve",
    "precision",
    "compile",
    "checkpoint_every",
)

EVAL_SEED_TRUE, EVAL_SEED_PRETRAIN, EVAL_SEED_INTERP, EVAL_SEED_CURVE = 104, 105, 106, 107


def _members(cfg: dict, seed: int) -> list[Member]:
    out = []
    for wd in cfg["weight_decays"]:
        out += [Member(2**j, seed, float(wd)) for j in cfg["log2_M"]]
        if cfg["infinite"]:
            out.append(Member(None, seed, float(wd)))
    return out


def _checkpoint_path(cfg: dict, seeds: list[int], batch_sizes: list[int], device: str) -> str | None:
    if not cfg.get("checkpoint_every"):
        return None
    root = os.environ.get("DLTHEORY_CHECKPOINT_DIR", os.path.join(tempfile.gettempdir(), "dltheory_checkpoints"))
    blob = json.dumps([cfg, seeds, batch_sizes, device], sort_keys=True, default=str)
    return os.path.join(root, "icl", hashlib.sha256(blob.encode()).hexdigest()[:24] + ".pt")


def _per_pair(f: np.ndarray, y: np.ndarray, D: int, n_alphas: int, n_pairs: int) -> np.ndarray:
    """MSE/D on an interpolation set (rows ordered alpha, pair, sequence), averaged over
    positions and the sequences of each pair: shape `(n_alphas, n_pairs)`."""
    return (((f - y) ** 2).mean(-1) / D).reshape(n_alphas, n_pairs, -1).mean(-1)


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of a per-sequence difference (already averaged over positions)."""
    d = a - b
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))


def _prepare(cfg: dict, seed: int, evT: EvalSet, device: str) -> dict[str, Any]:
    """The evaluation material of one seed: its members, pools, dMMSE on the shared
    \\( \\mathcal{T}_\\mathrm{True} \\) set, its \\( \\mathcal{T}_\\mathrm{Pretrain} \\) sets and
    interpolation paths (all float64, fixed seeds)."""
    D, K, s2 = int(cfg["dim"]), int(cfg["n_points"]), float(cfg["noise_var"])
    members = _members(cfg, seed)
    pools = [None if m.n_tasks is None else task_pool(m.seed, m.n_tasks, D) for m in members]
    n_eval = int(cfg["n_eval"])
    dmT = [None if p is None else dmmse_predict_torch(evT.X, evT.y, p, s2, device) for p in pools]
    evP = [
        None if p is None else make_eval_set(EVAL_SEED_PRETRAIN, n_eval, K, D, s2, pool=p, draw_from_pool=True, ridge_fn=ridge_predict, device=device)
        for p in pools
    ]
    # interpolation sets: pairs of pool tasks, alpha grid, sequences per (pair, alpha)
    alphas = np.linspace(0.0, 1.0, int(cfg["interp_alphas"]))
    n_pairs, n_per = int(cfg["interp_pairs"]), int(cfg["interp_seqs"])
    interp = []
    for e, p in enumerate(pools):
        if p is None or p.shape[0] < 2:
            interp.append(None)
            continue
        rng = np.random.default_rng(seed_int(EVAL_SEED_INTERP, seed, e))
        i = rng.integers(0, p.shape[0], size=n_pairs)
        j = (i + rng.integers(1, p.shape[0], size=n_pairs)) % p.shape[0]
        w_path = interpolation_path(p[i], p[j], alphas)  # (A, pairs, D)
        target = 0.5 * (np.linalg.norm(p[i], axis=-1) + np.linalg.norm(p[j], axis=-1))
        norm_err = float(np.max(np.abs(np.linalg.norm(w_path, axis=-1) - target[None])))
        w = np.repeat(w_path.reshape(-1, D), n_per, axis=0)  # (A*pairs*n_per, D)
        X = rng.standard_normal((w.shape[0], K, D))
        y = np.einsum("nkd,nd->nk", X, w) + math.sqrt(s2) * rng.standard_normal((w.shape[0], K))
        interp.append(dict(X=X, y=y, ridge=ridge_predict(X, y, None, s2), dmmse=dmmse_predict_torch(X, y, p, s2, device), norm_err=norm_err))
    return dict(members=members, pools=pools, dmT=dmT, evP=evP, interp=interp, alphas=alphas, n_pairs=n_pairs)


def _evaluate(cfg: dict, prep: dict, evT: EvalSet, params: dict[str, torch.Tensor], mcfg: ModelConfig) -> dict[str, Any]:
    """Evaluate one seed's members of one data budget (`params`: their slice of the ensemble)."""
    D, K = int(cfg["dim"]), int(cfg["n_points"])
    n_eval = int(cfg["n_eval"])
    pools, dmT, evP, interp, alphas, n_pairs = (prep[k] for k in ("pools", "dmT", "evP", "interp", "alphas", "n_pairs"))
    E = len(pools)
    keys = ("mse", "true", "ridge", "dmmse", "mse_minus_true")
    fT = predict_numpy(params, evT.X, evT.y, mcfg)
    has_pool = [e for e in range(E) if evP[e] is not None]
    fP = np.full((E, n_eval, K), np.nan)
    if has_pool:
        sub = {k: v[has_pool] for k, v in params.items()}
        fP[has_pool] = predict_numpy(sub, np.stack([evP[e].X for e in has_pool]), np.stack([evP[e].y for e in has_pool]), mcfg)
    rec: dict[str, np.ndarray] = {}
    for dist in ("T", "P"):
        for k in keys:
            rec[f"{k}{dist}"] = np.full((E, K), np.nan)
            rec[f"{k}{dist}_se"] = np.full((E, K), np.nan)
        rec[f"gap{dist}"] = np.full((E, 2), np.nan)
    # new tasks, paired per sequence (mean over positions): PT - dMMSE (mean, se)
    rec["pt_minus_dmmseT"] = np.full((E, 2), np.nan)
    for e in range(E):
        ev = EvalSet(evT.X, evT.y, evT.clean, {"ridge": evT.baselines["ridge"], **({} if dmT[e] is None else {"dmmse": dmT[e]})})
        for dist, evs, f in (("T", ev, fT[e]), ("P", evP[e], fP[e])):
            if evs is None:
                continue
            met = position_metrics(f, evs, D)
            for k in keys:
                if k in met:
                    rec[f"{k}{dist}"][e], rec[f"{k}{dist}_se"][e] = met[k]
            bayes = evs.baselines["ridge"] if dist == "T" else evs.baselines["dmmse"]
            rec[f"gap{dist}"][e] = _paired(((f - evs.y) ** 2).mean(-1) / D, ((bayes - evs.y) ** 2).mean(-1) / D)
        if dmT[e] is not None:
            rec["pt_minus_dmmseT"][e] = _paired(((fT[e] - evT.y) ** 2).mean(-1) / D, ((dmT[e] - evT.y) ** 2).mean(-1) / D)
    # interpolation: MSE/D averaged over positions and sequences, per alpha and pair
    # (`_pairs`: the pairs are the independent units of the path's standard errors)
    A = alphas.size
    pt_pairs = np.full((E, A, n_pairs), np.nan)
    idx = [e for e in range(E) if interp[e] is not None]
    if idx:
        sub = {k: v[idx] for k, v in params.items()}
        fI = predict_numpy(sub, np.stack([interp[e]["X"] for e in idx]), np.stack([interp[e]["y"] for e in idx]), mcfg)
        for n_, e in enumerate(idx):
            pt_pairs[e] = _per_pair(fI[n_], interp[e]["y"], D, A, n_pairs)
    # the M = infinity model on the path of the largest finite M (the training floor)
    inf_idx = [e for e in range(E) if pools[e] is None]
    rec["interp_pt_inf_pairs"] = np.full((A, n_pairs), np.nan)
    if idx and inf_idx:
        last = max(idx, key=lambda e: pools[e].shape[0])
        sub = {k: v[inf_idx[:1]] for k, v in params.items()}
        fInf = predict_numpy(sub, interp[last]["X"], interp[last]["y"], mcfg)[0]
        rec["interp_pt_inf_pairs"] = _per_pair(fInf, interp[last]["y"], D, A, n_pairs)
    rec["interp_pt_inf"] = rec["interp_pt_inf_pairs"].mean(-1)
    rec["interp_pt_pairs"] = pt_pairs
    rec["interp_pt"] = pt_pairs.mean(-1)
    return rec


def _baselines(cfg: dict, prep: dict, evT: EvalSet) -> dict[str, Any]:
    """Baseline-only quantities of one seed (independent of the budget)."""
    D = int(cfg["dim"])
    K = int(cfg["n_points"])
    pools, dmT, evP, interp, alphas, n_pairs = (prep[k] for k in ("pools", "dmT", "evP", "interp", "alphas", "n_pairs"))
    E = len(pools)
    nanEK = lambda: np.full((E, K), np.nan)  # noqa: E731
    base = {k: nanEK() for k in ("dmmse_ridgeT", "dmmse_mseT", "dmmse_ridgeP", "dmmse_mseP", "ridge_mseP")}
    # new tasks, paired per sequence (mean over positions): dMMSE - ridge (mean, se)
    base["dmmse_minus_ridgeT"] = np.full((E, 2), np.nan)
    ridge_seq = ((evT.baselines["ridge"] - evT.y) ** 2).mean(-1) / D
    for e in range(E):
        if dmT[e] is not None:
            base["dmmse_ridgeT"][e] = ((dmT[e] - evT.baselines["ridge"]) ** 2).mean(0) / D
            base["dmmse_mseT"][e] = ((dmT[e] - evT.y) ** 2).mean(0) / D
            base["dmmse_minus_ridgeT"][e] = _paired(((dmT[e] - evT.y) ** 2).mean(-1) / D, ridge_seq)
            bp = evP[e].baselines
            base["dmmse_ridgeP"][e] = ((bp["dmmse"] - bp["ridge"]) ** 2).mean(0) / D
            base["dmmse_mseP"][e] = ((bp["dmmse"] - evP[e].y) ** 2).mean(0) / D
            base["ridge_mseP"][e] = ((bp["ridge"] - evP[e].y) ** 2).mean(0) / D
    base["ridge_mseT"] = ((evT.baselines["ridge"] - evT.y) ** 2).mean(0) / D
    for name in ("dmmse", "ridge"):
        nan_pairs = np.full((alphas.size, n_pairs), np.nan)
        base[f"interp_{name}_pairs"] = np.array([nan_pairs if it is None else _per_pair(it[name], it["y"], D, alphas.size, n_pairs) for it in interp])
        base[f"interp_{name}"] = base[f"interp_{name}_pairs"].mean(-1)
    base["interp_norm_err"] = np.array([np.nan if it is None else it["norm_err"] for it in interp])
    return base


def run_sweep(cfg: dict, seeds: int | list[int], device: str = "cpu", progress=None) -> dict[str, Any]:
    """Train and evaluate the task-diversity sweep of a block of seeds (see module docstring).

    Every member (task diversity, weight decay, data budget, seed) is one model of a single
    batched ensemble: members of different batch sizes share one batch of the largest size
    with per-member loss masks, and each member's initialisation and data are pure functions
    of its seed (and batch size), so each seed's numbers equal those of training it alone (to
    float rounding; tested).

    **Arguments:**

    - `cfg`: a dict with the keys `SWEEP_KEYS`.
    - `seeds`: the training seed (pools, initialisation, data streams), or a list of them.
    - `device`: `"cpu"` or `"cuda"`.
    - `progress`: optional tqdm-like factory.

    **Returns:**

    For one seed, a dict of numpy arrays whose leading axes are `(budget, member, ...)`; for a
    list, `{"seeds": array, "by_seed": [that dict per seed]}`.
    """
    single = not isinstance(seeds, (list, tuple))
    seed_list = [int(seeds)] if single else [int(x) for x in seeds]
    cfg = dict(cfg)
    D, K, s2 = int(cfg["dim"]), int(cfg["n_points"]), float(cfg["noise_var"])
    mcfg = ModelConfig(D, K, int(cfg["n_layer"]), int(cfg["n_embd"]), int(cfg["n_head"]))
    n_eval = int(cfg["n_eval"])
    budgets = [int(B) for B in cfg["batch_sizes"]]

    # ---- fixed evaluation sets and baselines (float64); the T_True set is common to all seeds
    evT = make_eval_set(EVAL_SEED_TRUE, n_eval, K, D, s2, pool=None, draw_from_pool=False, ridge_fn=ridge_predict, device=device)
    preps = {seed: _prepare(cfg, seed, evT, device) for seed in seed_list}

    # ---- one ensemble: budget-major, then seed, then the seed's members
    members, where = [], {}
    for b_idx, B in enumerate(budgets):
        for seed in seed_list:
            ms = preps[seed]["members"]
            where[b_idx, seed] = list(range(len(members), len(members) + len(ms)))
            members += [dataclasses.replace(m, batch_size=B) for m in ms]
    E_all = len(members)

    # curve during training: Delta^True_{PT,Ridge} on a smaller fixed set, every member
    eval_every = int(cfg.get("eval_every") or 0)
    if eval_every:
        evC = make_eval_set(EVAL_SEED_CURVE, int(cfg["n_eval_curve"]), K, D, s2, pool=None, draw_from_pool=False, ridge_fn=ridge_predict, device=device)
        XC = torch.as_tensor(evC.X, dtype=torch.float32, device=device).expand(E_all, *evC.X.shape)
        yC = torch.as_tensor(evC.y, dtype=torch.float32, device=device).expand(E_all, *evC.y.shape)
        rC = torch.as_tensor(evC.baselines["ridge"], dtype=torch.float32, device=device)

        @torch.no_grad()
        def eval_fn(params, step):
            f = torch.cat([predict(params, XC[:, s : s + 2048], yC[:, s : s + 2048], mcfg) for s in range(0, XC.shape[1], 2048)], dim=1)
            return ((f - rC) ** 2).mean(dim=(1, 2)).cpu().numpy() / D

    else:
        eval_fn = None

    tcfg = TrainConfig(steps=int(cfg["steps"]), batch_size=max(budgets), lr=float(cfg["lr"]), noise_var=s2, warmup_frac=float(cfg["warmup_frac"]))
    ck = _checkpoint_path(cfg, seed_list, budgets, device)
    tr = train_ensemble(
        members,
        mcfg,
        tcfg,
        device=device,
        precision=cfg["precision"],
        compile=bool(cfg["compile"]),
        checkpoint_path=ck,
        checkpoint_every=int(cfg.get("checkpoint_every") or 0),
        log_every=max(1, int(cfg["steps"]) // 50),
        eval_every=eval_every,
        eval_fn=eval_fn,
        progress=progress,
    )
    evals = np.array(tr.evals) if tr.evals else np.zeros((0, E_all))

    by_seed = []
    for seed in seed_list:
        prep = preps[seed]
        out: dict[str, Any] = {
            "M": np.array([np.inf if m.n_tasks is None else float(m.n_tasks) for m in prep["members"]]),
            "weight_decay": np.array([m.weight_decay for m in prep["members"]]),
            "batch_sizes": np.array(budgets),
            "alphas": prep["alphas"],
            "n_params": param_count(mcfg),
            "ensemble_members": E_all,
            "ensemble_seconds": float(tr.seconds),
        }
        res: dict[str, list] = {}
        for b_idx, B in enumerate(budgets):
            idx = where[b_idx, seed]
            rec = _evaluate(cfg, prep, evT, {k: v[idx] for k, v in tr.params.items()}, mcfg)
            rec["losses"] = tr.losses[:, idx]
            rec["loss_steps"] = tr.loss_steps
            rec["eval_steps"] = np.array(tr.eval_steps)
            rec["eval_curve"] = evals[:, idx] if evals.size else np.zeros((0, len(idx)))
            # this member group's share of the ensemble's training time
            rec["train_seconds"] = np.array(tr.seconds * len(idx) / E_all)
            rec["diverged"] = tr.diverged[idx]
            rec["train_flops"] = np.array(train_flops_per_token(mcfg) * 2 * K * B * int(cfg["steps"]) * len(idx))
            for k, v in rec.items():
                res.setdefault(k, []).append(v)
        for k, v in res.items():
            out[k] = np.stack(v) if k not in ("loss_steps", "eval_steps") else v[0]
        out.update(_baselines(cfg, prep, evT))
        by_seed.append(out)
    if tr.steps_done == int(cfg["steps"]) and ck and os.path.exists(ck):
        os.remove(ck)
    if single:
        return by_seed[0]
    return {"seeds": np.array(seed_list), "by_seed": by_seed}


# =============================================================================================
# The sweep of a claim and its members
# =============================================================================================


def seed_block(cfg, seed: int) -> list[int]:
    """The seeds trained together with `seed` in one batched ensemble: the block of
    `seed_block` consecutive seeds that holds it (config key, default 1: each seed alone).
    Batching does not change any member's numbers (each member's initialisation and data
    are pure functions of its seed; `tests/test_icl.py` checks batched = alone)."""
    k = max(1, int(cfg.get("seed_block", 1) or 1))
    start = seed - seed % k
    return list(range(start, start + k))


def sweep_block(ctx, **override) -> tuple[list[int], list[dict[str, Any]]]:
    """The sweeps of every seed in `ctx.seed`'s block (`seed_block`): one batched ensemble over
    seeds, task diversities, weight decays and data budgets, computed once per config and
    block and shared between the claims that read it (`ctx.shared`). Returns the block's
    seeds and their sweeps."""
    cfg = {k: ctx.config[k] for k in SWEEP_KEYS}
    cfg.update(override)
    cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()}
    seeds = seed_block(ctx.config, ctx.seed)
    # the device is part of the key: CPU and CUDA generators draw different (equally valid) batches
    res = ctx.shared("sweep", lambda: run_sweep(cfg, seeds, ctx.device, ctx.progress), per_seed=False, seeds=seeds, device=ctx.device, **cfg)
    return [int(x) for x in np.asarray(res["seeds"])], list(res["by_seed"])


def sweep(ctx, **override) -> dict[str, Any]:
    """The sweep of the claim's config (`SWEEP_KEYS`, with `override`) for `ctx.seed`: its row of
    the block's batched ensemble (`sweep_block`)."""
    seeds, by_seed = sweep_block(ctx, **override)
    return by_seed[seeds.index(ctx.seed)]


def counters(s: dict) -> dict:
    """Cost and health counters of a sweep (steps, FLOPs, divergence, NaN, seconds)."""
    return {
        "train_steps": int(s["loss_steps"][-1]) if len(s["loss_steps"]) else 0,
        "flops": float(np.sum(s["train_flops"])),
        "diverged": bool(np.any(s["diverged"])),
        "nan": bool(np.any(~np.isfinite(s["losses"]))),
        "train_seconds": float(np.sum(s["train_seconds"])),
    }


def member_index(s: dict, wd: float = 0.0):
    """(finite member indices sorted by M, index of M = infinity) among members with weight decay wd."""
    sel = np.isclose(s["weight_decay"], wd)
    fin = [int(i) for i in np.argsort(s["M"]) if sel[i] and np.isfinite(s["M"][i])]
    inf = [int(i) for i in range(len(s["M"])) if sel[i] and not np.isfinite(s["M"][i])]
    return fin, (inf[0] if inf else None)


def mean_over_positions(a):
    """Mean over the last axis (positions), ignoring NaN; NaN where every entry is NaN."""
    a = np.asarray(a, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.all(np.isnan(a), axis=-1), np.nan, np.nansum(a, axis=-1) / np.maximum(1, np.sum(~np.isnan(a), axis=-1)))


def curves_raw(s: dict, b: int = 0) -> dict:
    """The Delta curves against log2 M (M = infinity plotted one step right of the largest M) for the figures."""
    fin, inf = member_index(s)
    order = fin + ([inf] if inf is not None else [])
    logM = np.log2(s["M"][fin])
    x = np.concatenate([logM, [logM[-1] + 1]]) if inf is not None else logM
    return {
        "log2_M_plot": x,
        "pt_ridge_T": mean_over_positions(s["ridgeT"][b][order]),
        "pt_dmmse_T": mean_over_positions(s["dmmseT"][b][order]),
        "pt_ridge_P": mean_over_positions(s["ridgeP"][b][order]),
        "pt_dmmse_P": mean_over_positions(s["dmmseP"][b][order]),
        "dmmse_ridge_T": mean_over_positions(s["dmmse_ridgeT"][order]),
        "dmmse_ridge_P": mean_over_positions(s["dmmse_ridgeP"][order]),
    }


# =============================================================================================
# Read-outs
# =============================================================================================


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    return float(spearmanr(x, y).statistic)


def transition_midpoint(log2_M: np.ndarray, delta: np.ndarray, delta_inf: float) -> float:
    """The \\( \\log_2 M \\) at which \\( \\log \\Delta^{True}_{PT,Ridge} \\) first falls below the
    midpoint between its value at the smallest \\( M \\) and at \\( M = \\infty \\) (linear
    interpolation in \\( \\log_2 M \\)); NaN when it never does or starts below.
    """
    log_d = np.log(np.asarray(delta, dtype=float))
    mid = 0.5 * (log_d[0] + math.log(delta_inf))
    if log_d[0] <= mid:
        return float("nan")
    for i in range(1, log_d.size):
        if log_d[i] <= mid:
            t = (log_d[i - 1] - mid) / (log_d[i - 1] - log_d[i])
            return float(log2_M[i - 1] + t * (log2_M[i] - log2_M[i - 1]))
    return float("nan")


def crossing_point(log2_M: np.ndarray, delta_small: np.ndarray, delta_large: np.ndarray) -> float:
    """The paper's threshold: \\( \\log_2 M \\) where \\( \\Delta^{True}_{PT,Ridge} \\) for the larger
    data budget crosses from above to below the smaller budget's curve (last such crossing;
    linear interpolation of the difference in \\( \\log_2 M \\)); NaN without a crossing."""
    diff = np.asarray(delta_large, dtype=float) - np.asarray(delta_small, dtype=float)
    best = float("nan")
    for i in range(1, diff.size):
        if diff[i - 1] > 0 >= diff[i]:
            t = diff[i - 1] / (diff[i - 1] - diff[i])
            best = float(log2_M[i - 1] + t * (log2_M[i] - log2_M[i - 1]))
    return best
