"""Sec. 6c: sample complexity on the Random Hierarchy Model under unbalanced initialisation.

Data: `numerics.lazy_rich.rhm_rules` / `rhm_sample` / `rhm_all_inputs` (Cagnetta et al., PRX 2024), inputs
one-hot encoded (v channels x s**L positions). Network: the hierarchical CNN those authors use, L bias-free
ReLU convolutions with filter size s and stride s (width `width`), then a linear readout; the first
convolution is initialised x alpha and the readout / alpha (the same function at initialisation).
Training: minibatch SGD (or Adam) on the cross-entropy for `steps` steps, minibatches drawn with replacement
from the member's P training points. One batched ensemble holds, for a block of seeds, every alpha x every
training-set size P; for one seed, all alphas and P share the rules, the nested training sets (the first P
points of one permutation), the test set, the base initialisation and the minibatch uniforms.

Sample complexity: P* = the smallest P whose final test accuracy reaches `target_acc`, interpolated linearly
in log P between the grid points around the first crossing (`_unbalanced.log_crossing`).
"""

from __future__ import annotations

import math

import numpy as np

from numerics.lazy_rich import rhm_all_inputs, rhm_rules, rhm_sample
from verify.core import seeding
from verify.core.claims import Measurement
from verify.lazy_rich._problems import exact
from verify.lazy_rich._unbalanced import (
    REGIMES,
    log_crossing,
    make_optimizer,
    one_torch_thread,
    regime_alphas,
    seed_block,
    variant_configs,
)

_KEYS = ("v", "n_c", "m", "s", "L", "width", "P_grid", "n_test", "steps", "batch", "lr", "optimizer", "momentum",
         "weight_decay", "alpha_up", "alpha_down", "rules_seed", "eval_batch")


def rhm_data(cfg, seed: int):
    """(x_pool, y_pool, x_test, y_test) of one seed: a training pool of max(P_grid) points (nested sets)
    and `n_test` held-out points, disjoint when the model's inputs can be enumerated."""
    rules = rhm_rules(cfg["v"], cfg["n_c"], cfg["m"], cfg["s"], cfg["L"], seed=cfg.get("rules_seed", 0) + seed)
    p_max, n_test = max(cfg["P_grid"]), cfg["n_test"]
    n_choices = (cfg["s"] ** cfg["L"] - 1) // (cfg["s"] - 1)
    count = cfg["n_c"] * cfg["m"] ** n_choices
    rng = seeding.rng(seed, "rhm_split")
    if count <= 200_000:
        x, y = rhm_all_inputs(rules)
        if p_max + n_test > len(y):
            raise ValueError(f"RHM has {len(y)} inputs, fewer than max(P_grid) + n_test = {p_max + n_test}")
        perm = rng.permutation(len(y))[: p_max + n_test]
        x, y = x[perm], y[perm]
    else:  # too many to enumerate: i.i.d. draws (collisions between train and test are negligible)
        x, y = rhm_sample(rules, p_max + n_test, seed=int(rng.integers(2**62)))
    return x[:p_max], y[:p_max], x[p_max:], y[p_max:]


def _one_hot(x, v, device):
    import torch

    return torch.nn.functional.one_hot(torch.as_tensor(x, device=device), v).transpose(-1, -2).float()  # (N, v, T)


def _forward(Ws, A, x):
    """Hierarchical CNN, batched over members: x (E, B, C, T) -> logits (E, B, n_c)."""
    import torch

    h = x
    for W in Ws:  # W (E, H, C, s)
        E, B, C, T = h.shape
        s = W.shape[-1]
        h = torch.relu(torch.einsum("ebcts,ehcs->ebht", h.reshape(E, B, C, T // s, s), W))
    return torch.einsum("ebh,ekh->ebk", h[..., 0], A)


def train_rhm_block(cfg, seeds, device="cpu", progress=None) -> dict:
    """Train every (seed, alpha, P) of the block; returns test accuracies `acc` (seeds, alphas, P), final
    train accuracies `train_acc` and losses. Each member keeps its seed's data, init and minibatch streams."""
    import torch

    alphas, P_grid = regime_alphas(cfg), [int(p) for p in cfg["P_grid"]]
    v, H, s, L, n_c, B = cfg["v"], cfg["width"], cfg["s"], cfg["L"], cfg["n_c"], cfg["batch"]
    nS, nA, nP = len(seeds), len(alphas), len(P_grid)
    E = nS * nA * nP
    pools, tests = [], []
    for sd in seeds:
        xp, yp, xt, yt = rhm_data(cfg, sd)
        pools.append((_one_hot(xp, v, device), torch.as_tensor(yp, device=device)))
        tests.append((_one_hot(xt, v, device), torch.as_tensor(yt, device=device)))
    # base init per seed (He for the convolutions, 1/sqrt(H) for the readout), then x alpha / alpha
    Ws, A = [[] for _ in range(L)], []
    a_mult = torch.tensor([a for _ in seeds for a in alphas for _ in P_grid], dtype=torch.float32, device=device)
    for sd in seeds:
        g = seeding.torch_generator(sd, "rhm_init")
        base = []
        c_in = v
        for _ in range(L):
            base.append(torch.randn(H, c_in, s, generator=g) * math.sqrt(2.0 / (c_in * s)))
            c_in = H
        base_A = torch.randn(n_c, H, generator=g) / math.sqrt(H)
        for _ in range(nA * nP):
            for l in range(L):
                Ws[l].append(base[l])
            A.append(base_A)
    Ws = [torch.stack(w).to(device) for w in Ws]
    Ws[0] = Ws[0] * a_mult[:, None, None, None]
    A = torch.stack(A).to(device) / a_mult[:, None, None]
    params = [w.requires_grad_() for w in Ws] + [A.requires_grad_()]
    opt = make_optimizer(params, cfg)
    P_of = torch.tensor([p for _ in seeds for _ in alphas for p in P_grid], dtype=torch.float32, device=device)
    gens = [seeding.torch_generator(sd, "rhm_batches") for sd in seeds]
    X_pool = torch.stack([p[0] for p in pools])  # (S, Pmax, v, T)
    Y_pool = torch.stack([p[1] for p in pools])
    seed_of = torch.arange(nS, device=device).repeat_interleave(nA * nP)
    steps = int(cfg["steps"])
    it = range(steps) if progress is None else progress(range(steps))
    for _ in it:
        u = torch.stack([torch.rand(B, generator=g) for g in gens]).to(device)  # (S, B): one stream per seed
        idx = (u[seed_of] * P_of[:, None]).long()  # (E, B): the member's own P
        xb = X_pool[seed_of[:, None], idx]  # (E, B, v, T)
        yb = Y_pool[seed_of[:, None], idx]
        logits = _forward(Ws, A, xb)
        loss = torch.nn.functional.cross_entropy(logits.reshape(E * B, n_c), yb.reshape(-1), reduction="sum") / B
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = torch.empty(E, device=device)
        for k, sd in enumerate(seeds):
            xt, yt = tests[k]
            sl = slice(k * nA * nP, (k + 1) * nA * nP)
            correct = torch.zeros(nA * nP, device=device)
            for i0 in range(0, len(yt), cfg.get("eval_batch", 2048)):
                xx = xt[i0:i0 + cfg.get("eval_batch", 2048)]
                lg = _forward([w[sl] for w in Ws], A[sl], xx.unsqueeze(0).expand(nA * nP, *xx.shape))
                correct += (lg.argmax(-1) == yt[i0:i0 + len(xx)]).float().sum(1)
            acc[sl] = correct / len(yt)
        # training accuracy on each member's own P points
        tr = torch.empty(E, device=device)
        for e in range(E):
            k, P = int(seed_of[e]), int(P_of[e])
            lg = _forward([w[e:e + 1] for w in Ws], A[e:e + 1], X_pool[k, :P].unsqueeze(0))
            tr[e] = (lg[0].argmax(-1) == Y_pool[k, :P]).float().mean()
    shape = (nS, nA, nP)
    return {"acc": acc.reshape(shape).cpu().numpy(), "train_acc": tr.reshape(shape).cpu().numpy(),
            "alphas": np.array(alphas), "P_grid": np.array(P_grid), "seeds": np.array(seeds)}


def rhm_theory(ctx):
    return exact(np.zeros(2 * len(variant_configs(ctx.config))), reason="upstream (first layer small relative to the readout) learns features rapidly and is "
                 "predicted to need fewer samples: log(P*_balanced / P*_upstream) and log(P*_downstream / P*_upstream) "
                 "should be >= 0")


def _rhm_variant(ctx, cfg, name):
    seeds = seed_block(cfg, ctx.seed)
    key = {k: cfg[k] for k in _KEYS if k in cfg}

    def run():
        with one_torch_thread(ctx.device):
            return train_rhm_block(cfg, seeds, ctx.device, progress=lambda it: ctx.progress(it, desc=f"RHM sweep {name}"))

    res = ctx.shared("rhm_sweep", run, per_seed=False, seeds=seeds, **key)
    row = seeds.index(ctx.seed)
    acc = np.asarray(res["acc"])[row]  # (alphas, P)
    P_grid = np.asarray(res["P_grid"])
    Pstar, status = {}, {}
    for i, reg in enumerate(REGIMES):
        Pstar[reg], status[reg] = log_crossing(P_grid, acc[i], cfg["target_acc"])
    value = [math.log(Pstar["balanced"] / Pstar["upstream"]), math.log(Pstar["downstream"] / Pstar["upstream"])]
    info = {"P_star": Pstar, "P_star_status": status, "target_acc": cfg["target_acc"],
            "test_acc": {reg: acc[i].round(4).tolist() for i, reg in enumerate(REGIMES)},
            "train_acc_min": float(np.asarray(res["train_acc"])[row].min()), "P_grid": P_grid.tolist(),
            "alphas": list(map(float, res["alphas"])), "optimizer": cfg.get("optimizer", "sgd")}
    raw = {"acc": acc, "P_grid": P_grid, "alphas": np.asarray(res["alphas"])}
    return value, info, raw, sum(st != "ok" for st in status.values())


def rhm_practice(ctx):
    values, infos, raws, censored = [], {}, {}, 0
    for name, cfg in variant_configs(ctx.config):
        v, info, raw, cens = _rhm_variant(ctx, cfg, name)
        values += v
        infos[name] = info
        censored += cens
        raws = raws or raw  # the figure draws the first variant
    return Measurement(value=np.array(values), counters={"train_steps": int(ctx.config["steps"]), "censored": int(censored)},
                       info={"variants": infos}, raw=raws)


def rhm_fig(ctx, prediction, measurements):
    from verify.lazy_rich._figures import _plt

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4))
    cols = {"upstream": "tab:blue", "balanced": "tab:gray", "downstream": "tab:red"}
    for k, m in enumerate(measurements):
        for i, name in enumerate(REGIMES):
            ax.plot(m.raw["P_grid"], m.raw["acc"][i], "o-", color=cols[name], alpha=0.6, ms=3,
                    label=f"{name} (alpha={m.raw['alphas'][i]:g})" if k == 0 else None)
    ax.axhline(ctx.config["target_acc"], ls=":", color="k", lw=1, label="target")
    ax.set_xscale("log")
    ax.set_xlabel("training set size P")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=7)
    ax.set_title("Random Hierarchy Model: hierarchical CNN (one line per seed)", fontsize=9)
    fig.tight_layout()
    return fig
