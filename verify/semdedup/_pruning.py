"""SemDeDup against random pruning at equal kept fraction, on MNIST-1D with real redundancy
(issue 19: `semdedup.beats_random_pruning`).

The set-up (our reconstruction of the paper's LAION comparison at laptop scale):

- **Data with semantic redundancy.** MNIST-1D generated at `scale` x its default size
  (`numerics._data.mnist1d_fast`, bit for bit `numerics._data.mnist1d`): every sample is one of 10
  templates under a random padding, scaling, circular translation, noise and shear, so at
  50k-100k samples many are near-copies of each other in any translation-invariant view.
- **Embedding from a model trained on a disjoint split** (the paper: a pretrained CLIP embeds
  the data a CLIP learns from). A 1-D CNN with circular padding and a global max-pool (the 1-D
  version of the learning-effect claim's shift-invariant CNN) is trained on an independently
  drawn default-size MNIST-1D set (another generator seed); its pooled penultimate layer,
  centred by its mean over that split, embeds the training pool.
- **SemDeDup** (hard policy, k-means with `k` clusters) and, for each kept fraction f, the eps
  at which exactly round(f N) items survive (SemDeDup keeps j iff M_j <= 1 - eps, so eps is
  set by the quantile of M_j; the paper picks eps per target retention in the same way,
  official `constants.py`). Random pruning keeps a uniform subset of the same size.
- **Learner**: the same CNN architecture from scratch, Adam, equal epochs on every subset, so a
  subset of fraction f takes f times the gradient steps (the paper's training-time saving).
  All trainings (full set, and SemDeDup / random at each fraction, times `learner_seeds`
  seeds) are one batched ensemble (`train_ensemble`): stacked weights, grouped convolutions,
  each member with its own index set, init and data order. Members of a smaller subset stop
  early (they are sorted by step count, so the active members are a prefix and no compute is
  spent on finished ones).
- **Decision**: the paired difference acc(SemDeDup) - acc(random) on the held-out MNIST-1D
  test split, same learner seed (init) in each pair, averaged over fractions and seeds; its
  interval is Student-t over the seeds (the per-seed mean over fractions), floored by the
  paired test-set standard error.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.semdedup import semdedup
from verify.core.claims import Measurement, Prediction
from numerics._data import mnist1d_fast

__all__ = [
    "init_ensemble",
    "ensemble_logits",
    "train_ensemble",
    "train_single",
    "pruning_experiment",
    "beats_random_theory",
    "beats_random_practice",
]

#: MNIST-1D default size (samples); the pool is `scale` times this
MNIST1D_DEFAULT = 5000
KERNEL = 5


def _param_shapes(width: int, n_classes: int = 10) -> dict[str, tuple[tuple[int, ...], int]]:
    """name -> (shape of one member's tensor, fan_in) of the 1-D circular CNN."""
    return {
        "w1": ((width, 1, KERNEL), KERNEL),
        "b1": ((width,), KERNEL),
        "w2": ((2 * width, width, KERNEL), width * KERNEL),
        "b2": ((2 * width,), width * KERNEL),
        "w3": ((2 * width, n_classes), 2 * width),
        "b3": ((n_classes,), 2 * width),
    }


def init_ensemble(seeds, width: int, device: str = "cpu") -> dict:
    """Stacked parameters of `len(seeds)` CNNs, member m drawn from its own generator seeded
    `seeds[m]` (U(-1/sqrt(fan_in), 1/sqrt(fan_in)), torch's default bound for conv/linear)."""
    import torch

    out = {k: [] for k in _param_shapes(width)}
    for s in seeds:
        g = torch.Generator().manual_seed(int(s) % (2**63))
        for k, (shape, fan_in) in _param_shapes(width).items():
            bound = 1.0 / math.sqrt(fan_in)
            out[k].append((torch.rand(shape, generator=g, dtype=torch.float32) * 2 - 1) * bound)
    return {k: torch.stack(v).to(device) for k, v in out.items()}


def _features(p: dict, x):
    """Pooled penultimate features, x: (B, M, L) -> (B, M, 2 width); member m's weights see
    channel m of x (grouped convolutions with circular padding)."""
    import torch.nn.functional as functional

    m = p["w1"].shape[0]
    pad = KERNEL // 2
    h = functional.conv1d(functional.pad(x, (pad, pad), mode="circular"), p["w1"].reshape(-1, 1, KERNEL), p["b1"].reshape(-1), groups=m)
    h = functional.relu(h)
    width = p["w1"].shape[1]
    h = functional.conv1d(functional.pad(h, (pad, pad), mode="circular"), p["w2"].reshape(-1, width, KERNEL), p["b2"].reshape(-1), groups=m)
    h = functional.relu(h)
    return h.amax(dim=2).reshape(x.shape[0], m, -1)


def ensemble_logits(p: dict, x):
    """Logits (B, M, 10) of every member; x is (B, M, L) (own inputs per member) or (B, L)
    (the same inputs for all)."""
    import torch

    m = p["w1"].shape[0]
    if x.dim() == 2:
        x = x[:, None, :].expand(-1, m, -1)
    return torch.einsum("bmf,mfc->bmc", _features(p, x), p["w3"]) + p["b3"][None]


def _batch_plan(index_sets, seeds, epochs: int, batch: int):
    """Per member: the flat sequence of training indices, epoch by epoch a permutation (from
    the member's own generator) of its index set, cut into full batches (the last partial
    batch of an epoch is dropped). Returns (list of (steps_m, batch) int64 arrays)."""
    import torch

    plans = []
    for idx, s in zip(index_sets, seeds):
        idx = torch.as_tensor(np.asarray(idx, dtype=np.int64))
        g = torch.Generator().manual_seed((int(s) + 1) % (2**63))
        per = len(idx) // batch
        if per < 1:
            raise ValueError(f"an index set of {len(idx)} items is smaller than one batch ({batch})")
        rows = [idx[torch.randperm(len(idx), generator=g)[: per * batch]].reshape(per, batch) for _ in range(epochs)]
        plans.append(torch.cat(rows))
    return plans


def train_ensemble(x, y, index_sets, seeds, *, epochs: int, batch: int, lr: float, width: int, device: str = "cpu",
                   betas=(0.9, 0.999), adam_eps: float = 1e-8):
    """Train one CNN per index set as one batched model: member m trains on `x[index_sets[m]]`
    for `epochs` epochs (full batches of `batch`), from the init and data order of `seeds[m]`,
    with Adam (torch's update, written out on the stacked tensors). Members with fewer steps
    stop early: they are processed in descending order of steps, so the active members of a
    step are a prefix and only they are computed and updated. No host syncs in the step loop.

    **Returns:** `(params, steps)`: stacked parameters (member order as given) and each
    member's number of gradient steps."""
    import torch
    import torch.nn.functional as functional

    plans = _batch_plan(index_sets, seeds, epochs, batch)
    steps = np.array([len(pl) for pl in plans])
    order = np.argsort(-steps, kind="stable")
    params = init_ensemble([seeds[i] for i in order], width, device)
    for v in params.values():
        v.requires_grad_(True)
    plan = torch.zeros((len(order), int(steps.max()), batch), dtype=torch.int64)
    for r, i in enumerate(order):
        plan[r, : steps[i]] = plans[i]
    plan = plan.to(device)
    X = torch.as_tensor(np.asarray(x), dtype=torch.float32, device=device)
    Y = torch.as_tensor(np.asarray(y), dtype=torch.int64, device=device)
    active = [int((steps > s).sum()) for s in range(int(steps.max()))]  # prefix length per step (host-side)
    m1 = {k: torch.zeros_like(v) for k, v in params.items()}
    m2 = {k: torch.zeros_like(v) for k, v in params.items()}
    b1, b2 = betas
    for s, m in enumerate(active):
        sub = {k: v[:m] for k, v in params.items()}
        idx = plan[:m, s]  # (m, batch)
        logits = ensemble_logits(sub, X[idx].transpose(0, 1))  # (batch, m, 10)
        loss = functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y[idx].transpose(0, 1).reshape(-1), reduction="sum") / batch
        grads = torch.autograd.grad(loss, list(params.values()))
        t = s + 1  # every active member has taken exactly s steps before this one
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        with torch.no_grad():
            for (k, v), g in zip(params.items(), grads):
                g = g[:m]
                m1[k][:m].mul_(b1).add_(g, alpha=1 - b1)
                m2[k][:m].mul_(b2).addcmul_(g, g, value=1 - b2)
                denom = (m2[k][:m].sqrt() / math.sqrt(bc2)).add_(adam_eps)
                v[:m].addcdiv_(m1[k][:m], denom, value=-lr / bc1)
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    return {k: v.detach()[torch.as_tensor(inv, device=device)] for k, v in params.items()}, steps


def train_single(x, y, index_set, seed, *, epochs: int, batch: int, lr: float, width: int):
    """One member trained alone with `torch.nn` modules and `torch.optim.Adam` (the reference
    of the batched-equals-unbatched test): same init, same batches as member `seed` of
    `train_ensemble`. Returns its parameters in the ensemble's layout (leading axis 1)."""
    import torch
    import torch.nn.functional as functional

    p0 = init_ensemble([seed], width)
    conv1 = torch.nn.Conv1d(1, width, KERNEL, padding=KERNEL // 2, padding_mode="circular")
    conv2 = torch.nn.Conv1d(width, 2 * width, KERNEL, padding=KERNEL // 2, padding_mode="circular")
    fc = torch.nn.Linear(2 * width, 10)
    with torch.no_grad():
        conv1.weight.copy_(p0["w1"][0])
        conv1.bias.copy_(p0["b1"][0])
        conv2.weight.copy_(p0["w2"][0])
        conv2.bias.copy_(p0["b2"][0])
        fc.weight.copy_(p0["w3"][0].T)
        fc.bias.copy_(p0["b3"][0])
    mods = torch.nn.ModuleList([conv1, conv2, fc])
    opt = torch.optim.Adam(mods.parameters(), lr=lr)
    X = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    Y = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    for idx in _batch_plan([index_set], [seed], epochs, batch)[0]:
        h = functional.relu(conv2(functional.relu(conv1(X[idx][:, None, :])))).amax(dim=2)
        loss = functional.cross_entropy(fc(h), Y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return {"w1": conv1.weight[None].clone(), "b1": conv1.bias[None].clone(), "w2": conv2.weight[None].clone(),
                "b2": conv2.bias[None].clone(), "w3": fc.weight.T[None].clone(), "b3": fc.bias[None].clone()}


def _predict(params: dict, x, device: str, chunk: int = 4096) -> np.ndarray:
    """Predicted labels (M, n) of every member on the shared inputs x (n, L)."""
    import torch

    X = torch.as_tensor(np.asarray(x), dtype=torch.float32, device=device)
    out = []
    with torch.no_grad():
        for s in range(0, len(X), chunk):
            out.append(ensemble_logits(params, X[s : s + chunk]).argmax(-1).T)
    return torch.cat(out, dim=1).cpu().numpy()


def _embed(c: dict, data_seed: int, seed: int, device: str) -> tuple[callable, dict]:
    """Train the embedding CNN on an independently drawn default-size MNIST-1D set (generator
    seed `data_seed`, not the pool's); return the feature map (centred pooled penultimate
    layer) and facts about it."""
    import torch

    e = mnist1d_fast(MNIST1D_DEFAULT, seed=data_seed)
    params, _ = train_ensemble(e.x_train, e.y_train, [np.arange(len(e.y_train))], [seed], epochs=c["embed_epochs"],
                               batch=c["batch"], lr=c["lr"], width=c["width"], device=device)

    def fn(x):
        out = []
        X = torch.as_tensor(np.asarray(x), dtype=torch.float32, device=device)
        with torch.no_grad():
            for s in range(0, len(X), 8192):
                out.append(_features(params, X[s : s + 8192, None, :])[:, 0].cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    centre = fn(e.x_train).mean(0)
    acc = float(np.mean(_predict(params, e.x_test, device)[0] == e.y_test))
    return (lambda x: fn(x) - centre), {"embedder_acc_own_test": acc, "embedder_train_samples": int(len(e.y_train))}


def pruning_experiment(ctx) -> dict:
    """The whole comparison for one harness seed (see the module docstring): per kept
    fraction, the SemDeDup subset and `learner_seeds` random subsets of the same size, the
    full set as reference, all trained as one batched ensemble."""
    c = ctx.config

    def run():
        import time

        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(1)  # small grouped convolutions: one thread is fastest on a shared machine
        try:
            return _run(time)
        finally:
            torch.set_num_threads(before)

    def _run(time):
        device = ctx.device
        t0 = time.process_time()
        n_total = int(round(c["scale"] * MNIST1D_DEFAULT))
        pool_seed = ctx.stream_seed("mnist1d") % (2**32)
        data = mnist1d_fast(n_total, seed=pool_seed)
        n = len(data.y_train)
        embed_fn, facts = _embed(c, (pool_seed + 1) % (2**32), ctx.stream_seed("embedder"), device)
        emb = embed_fn(data.x_train)
        t_embed = time.process_time() - t0
        res = semdedup(emb, c["k"], 0.0, seed=ctx.seed % (2**31), progress=False)
        ms = np.sort(np.where(np.isfinite(res.max_sim), res.max_sim, -np.inf))
        fracs = [float(f) for f in c["fractions"]]
        rng = ctx.rng("random_subsets")
        S = int(c["learner_seeds"])
        seeds = [ctx.stream_seed(f"learner{s}") for s in range(S)]
        sets, members, eps_used, kept = [], [], [], []
        for s in range(S):
            sets.append(np.arange(n))
            members.append(("all", 1.0, s))
        for f in fracs:
            n_keep = int(round(f * n))
            eps = float(1.0 - ms[n_keep - 1])  # keep iff M_j <= 1 - eps: exactly n_keep survive (no ties)
            keep = np.flatnonzero(res.keep_at(eps))
            eps_used.append(eps)
            kept.append(len(keep))
            for s in range(S):
                sets.append(keep)
                members.append(("semdedup", f, s))
                sets.append(np.sort(rng.choice(n, size=len(keep), replace=False)))
                members.append(("random", f, s))
        t1 = time.process_time()
        params, steps = train_ensemble(data.x_train, data.y_train, sets, [seeds[m[2]] for m in members], epochs=c["epochs"],
                                       batch=c["batch"], lr=c["lr"], width=c["width"], device=device)
        t_train = time.process_time() - t1
        correct = _predict(params, data.x_test, device) == data.y_test[None, :]
        acc = correct.mean(1)
        index = {m: i for i, m in enumerate(members)}
        diff = np.array([[acc[index[("semdedup", f, s)]] - acc[index[("random", f, s)]] for s in range(S)] for f in fracs])
        paired_se = np.array([
            [np.std(correct[index[("semdedup", f, s)]].astype(float) - correct[index[("random", f, s)]], ddof=1)
             / math.sqrt(correct.shape[1]) for s in range(S)] for f in fracs])
        acc_all = np.array([acc[index[("all", 1.0, s)]] for s in range(S)])
        acc_sd = np.array([[acc[index[("semdedup", f, s)]] for s in range(S)] for f in fracs])
        acc_rd = np.array([[acc[index[("random", f, s)]] for s in range(S)] for f in fracs])
        steps_all = int(steps[index[("all", 1.0, 0)]])
        steps_f = [int(steps[index[("semdedup", f, 0)]]) for f in fracs]
        # facts about what SemDeDup kept: how far from the centroid (hard policy), class balance
        y = data.y_train
        return {
            "fractions": np.asarray(fracs),
            "eps": np.asarray(eps_used),
            "n_kept": np.asarray(kept),
            "n_pool": int(n),
            "n_test": int(len(data.y_test)),
            "acc_all": acc_all,
            "acc_semdedup": acc_sd,
            "acc_random": acc_rd,
            "diff": diff,
            "paired_se": paired_se,
            "steps_all": steps_all,
            "steps": np.asarray(steps_f),
            "train_cpu_s": float(t_train),
            "embed_cpu_s": float(t_embed),
            "semdedup_class_min_share": np.asarray(
                [float(np.bincount(y[res.keep_at(e)], minlength=10).min() / max(res.keep_at(e).sum(), 1)) for e in eps_used]),
            **facts,
        }

    key = {k: c[k] for k in ("scale", "embed_epochs", "width", "k", "fractions", "learner_seeds", "epochs",
                             "batch", "lr")}
    return ctx.shared("mnist1d_pruning", run, **key)


def beats_random_theory(ctx) -> Prediction:
    return Prediction(-ctx.config["margin"], info={
        "claim": "acc(SemDeDup subset) - acc(random subset of equal size) >= -margin, mean over kept fractions and seeds"})


def beats_random_practice(ctx) -> Measurement:
    from scipy import stats

    o = pruning_experiment(ctx)
    diff, pse = np.asarray(o["diff"]), np.asarray(o["paired_se"])
    S = diff.shape[1]
    per_seed = diff.mean(0)  # each seed's mean over the kept fractions
    value = float(per_seed.mean())
    between = float(per_seed.std(ddof=1) / math.sqrt(S)) if S > 1 else 0.0
    floor = float(np.sqrt(np.mean(pse**2) / diff.size))  # paired test-set SE of the pooled mean (independent cells)
    se = max(between, floor)
    q = float(stats.t.ppf(0.975, S - 1)) if S > 1 else 1.96
    se_eff = se * q / 1.96  # the harness uses a normal interval for one cell; carry the t quantile of S seeds
    per_f_mean = diff.mean(1)
    per_f_se = np.maximum(diff.std(1, ddof=1) / math.sqrt(S) if S > 1 else 0.0, np.sqrt((pse**2).mean(1) / S))
    fr = np.asarray(o["fractions"])
    info = {
        "fractions": fr.tolist(),
        "eps": np.round(o["eps"], 5).tolist(),
        "n_pool": o["n_pool"],
        "n_kept": np.asarray(o["n_kept"]).tolist(),
        "learner_seeds": S,
        "acc_all_mean": float(np.mean(o["acc_all"])),
        "acc_semdedup_mean": np.asarray(o["acc_semdedup"]).mean(1).round(4).tolist(),
        "acc_random_mean": np.asarray(o["acc_random"]).mean(1).round(4).tolist(),
        "diff_per_fraction": per_f_mean.round(4).tolist(),
        "diff_per_fraction_ci95": [[round(float(m - q * s), 4), round(float(m + q * s), 4)] for m, s in zip(per_f_mean, per_f_se)],
        "se_between_seeds": between,
        "se_test_floor": floor,
        "t_quantile": q,
        "steps_full": o["steps_all"],
        "steps_per_fraction": np.asarray(o["steps"]).tolist(),
        "training_time_saved": (1 - np.asarray(o["steps"]) / o["steps_all"]).round(3).tolist(),
        "train_cpu_s_ensemble": o["train_cpu_s"],
        "semdedup_class_min_share": np.round(o["semdedup_class_min_share"], 4).tolist(),
        "embedder_acc_own_test": o["embedder_acc_own_test"],
    }
    raw = {k: np.asarray(o[k]) for k in ("fractions", "acc_all", "acc_semdedup", "acc_random", "diff", "steps")}
    return Measurement(value, stderr=se_eff, info=info, raw=raw,
                       counters={"train_steps": int(o["steps_all"] * S + 2 * S * int(np.sum(o["steps"])))})
