"""Sec. 6d: time to grokking of a one-layer transformer on modular addition under unbalanced initialisation.

Set-up after Nanda et al. (ICLR 2023): (a, b, =) -> (a + b) mod p, a one-layer transformer without LayerNorm
(`numerics.lazy_rich._transformer`), AdamW with a large weight decay, full batch, a random `train_fraction`
of the p^2 pairs for training. The intervention: the embeddings (token and position, the first layer) are
initialised x alpha and the unembedding (the last layer) / alpha. The transformer is not homogeneous, so the
function at initialisation is matched only in the product of the two scales.

Steps to grokking: the first step at which the test accuracy (the held-out pairs) reaches `test_acc`,
evaluated every `eval_every` steps; runs that do not get there by `max_steps` are censored at `max_steps`.
One batched ensemble trains a block of seeds x the three alphas; one seed's alphas share the split and the
base initialisation.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.lazy_rich._transformer import init_transformer, transformer_logits
from verify.core import seeding
from verify.core.claims import Measurement
from verify.lazy_rich._problems import exact
from verify.lazy_rich._unbalanced import REGIMES, make_optimizer, one_torch_thread, regime_alphas, seed_block, variant_configs

_KEYS = ("p", "d_model", "heads", "d_mlp", "train_fraction", "lr", "weight_decay", "optimizer", "betas", "max_steps",
         "eval_every", "test_acc", "alpha_up", "alpha_down", "check_every")


def train_grok_block(cfg, seeds, device="cpu", progress=None) -> dict:
    """Train (seed, alpha) members as one ensemble; returns `steps` (seeds, alphas) to the test-accuracy threshold
    (max_steps when censored), `memorised` (first eval step with train accuracy >= 0.99, or nan), final
    accuracies, and the test-accuracy curves every `eval_every` steps."""
    import torch

    p, frac = int(cfg["p"]), float(cfg["train_fraction"])
    alphas = regime_alphas(cfg)
    nS, nA = len(seeds), len(alphas)
    E = nS * nA
    pairs = torch.cartesian_prod(torch.arange(p), torch.arange(p))
    tokens = torch.cat([pairs, torch.full((p * p, 1), p)], 1)
    labels = (pairs[:, 0] + pairs[:, 1]) % p
    n_tr = int(round(frac * p * p))
    tr_idx, te_idx, members = [], [], []
    for sd in seeds:
        perm = torch.randperm(p * p, generator=seeding.torch_generator(sd, "grok_split"))
        tr_idx.append(perm[:n_tr])
        te_idx.append(perm[n_tr:])
        g = seeding.torch_generator(sd, "grok_init")
        base = init_transformer(p, cfg["d_model"], cfg["heads"], cfg["d_mlp"], g)
        for a in alphas:
            P = dict(base)
            P["W_E"], P["W_pos"], P["W_U"] = base["W_E"] * a, base["W_pos"] * a, base["W_U"] / a
            members.append(P)
    params = {k: torch.stack([m[k] for m in members]).to(device).requires_grad_() for k in members[0]}
    rep = lambda ts: torch.stack(ts).repeat_interleave(nA, dim=0).to(device)  # noqa: E731 - (E, ...)
    Xtr, Ytr = rep([tokens[i] for i in tr_idx]), rep([labels[i] for i in tr_idx])
    Xte, Yte = rep([tokens[i] for i in te_idx]), rep([labels[i] for i in te_idx])
    opt = make_optimizer(list(params.values()), cfg)
    max_steps, every, thr = int(cfg["max_steps"]), int(cfg["eval_every"]), float(cfg["test_acc"])
    check = int(cfg.get("check_every", 500))
    inf = torch.full((E,), float("inf"), device=device)
    first_hit, memorised = inf.clone(), inf.clone()
    curves, curve_steps = [], []
    it = range(max_steps + 1) if progress is None else progress(range(max_steps + 1))
    for s in it:
        if s % every == 0:
            with torch.no_grad():
                te_acc = (transformer_logits(params, Xte).argmax(-1) == Yte).float().mean(1)
                tr_acc = (transformer_logits(params, Xtr).argmax(-1) == Ytr).float().mean(1)
                first_hit = torch.where((te_acc >= thr) & torch.isinf(first_hit), torch.full_like(first_hit, s), first_hit)
                memorised = torch.where((tr_acc >= 0.99) & torch.isinf(memorised), torch.full_like(memorised, s), memorised)
                curves.append(te_acc)
                curve_steps.append(s)
            if s % check == 0 and bool(torch.isfinite(first_hit).all()):  # one host sync per `check_every` steps
                break
        if s == max_steps:
            break
        logits = transformer_logits(params, Xtr)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, p).double(), Ytr.reshape(-1), reduction="sum") / Xtr.shape[1]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    steps = torch.where(torch.isinf(first_hit), torch.full_like(first_hit, max_steps), first_hit)
    shape = (nS, nA)
    return {"steps": steps.reshape(shape).cpu().numpy(), "censored": torch.isinf(first_hit).reshape(shape).cpu().numpy(),
            "memorised": torch.where(torch.isinf(memorised), torch.full_like(memorised, float("nan")), memorised).reshape(shape).cpu().numpy(),
            "final_test_acc": curves[-1].reshape(shape).cpu().numpy(), "final_train_acc": tr_acc.reshape(shape).cpu().numpy(),
            "curves": torch.stack(curves, -1).reshape(nS, nA, -1).cpu().numpy(), "curve_steps": np.array(curve_steps),
            "alphas": np.array(alphas)}


def grok_tf_theory(ctx):
    return exact(np.zeros(2 * len(variant_configs(ctx.config))), reason="upstream (small embedding relative to the unembedding) learns the embedding's features "
                 "rapidly, predicted to grok sooner: log(t_balanced / t_upstream) and log(t_downstream / t_upstream) >= 0")


def _grok_variant(ctx, cfg, name):
    seeds = seed_block(cfg, ctx.seed)
    key = {k: cfg[k] for k in _KEYS if k in cfg}

    def run():
        with one_torch_thread(ctx.device):
            return train_grok_block(cfg, seeds, ctx.device, progress=lambda it: ctx.progress(it, desc=f"grokking {name}"))

    res = ctx.shared("grok_transformer", run, per_seed=False, seeds=seeds, **key)
    row = seeds.index(ctx.seed)
    t = np.maximum(np.asarray(res["steps"])[row].astype(float), 1.0)
    censored = np.asarray(res["censored"])[row]
    value = [math.log(t[1] / t[0]), math.log(t[2] / t[0])]
    info = {"steps_to_test_acc": dict(zip(REGIMES, t.tolist())), "censored": dict(zip(REGIMES, map(bool, censored))),
            "steps_to_memorise": dict(zip(REGIMES, np.asarray(res["memorised"])[row].tolist())),
            "final_test_acc": dict(zip(REGIMES, np.asarray(res["final_test_acc"])[row].round(4).tolist())),
            "alphas": list(map(float, res["alphas"])), "p": int(cfg["p"]), "eval_every": int(cfg["eval_every"]),
            "optimizer": cfg.get("optimizer", "adamw"), "lr": cfg["lr"], "weight_decay": cfg["weight_decay"]}
    raw = {"steps": t, "curves": np.asarray(res["curves"])[row], "curve_steps": np.asarray(res["curve_steps"]),
           "alphas": np.asarray(res["alphas"])}
    return value, info, raw, bool(censored.any()), int(t.max())


def grok_tf_practice(ctx):
    values, infos, raws, cens, steps = [], {}, {}, False, 0
    for name, cfg in variant_configs(ctx.config):
        v, info, raw, c, t = _grok_variant(ctx, cfg, name)
        values += v
        infos[name] = info
        cens, steps = cens or c, steps + t
        raws = raws or raw  # the figure draws the first variant
    return Measurement(value=np.array(values), counters={"hit_max_steps": cens, "train_steps": steps},
                       info={"variants": infos}, raw=raws)


def grok_tf_fig(ctx, prediction, measurements):
    from verify.lazy_rich._figures import _plt

    plt = _plt()
    cols = {"upstream": "tab:blue", "balanced": "tab:gray", "downstream": "tab:red"}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for k, m in enumerate(measurements):
        for i, name in enumerate(REGIMES):
            axes[0].plot(m.raw["curve_steps"], m.raw["curves"][i], color=cols[name], alpha=0.6, lw=1,
                         label=f"{name} (alpha={m.raw['alphas'][i]:g})" if k == 0 else None)
        axes[1].plot([0, 1, 2], m.raw["steps"], "o-", color="k", alpha=0.5)
    axes[0].axhline(ctx.config["test_acc"], ls=":", color="k", lw=1)
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("test accuracy")
    axes[0].legend(fontsize=7)
    axes[1].set_xticks([0, 1, 2], list(REGIMES))
    axes[1].set_ylabel("steps to test accuracy threshold")
    axes[1].set_yscale("log")
    fig.suptitle(f"One-layer transformer, (a + b) mod {ctx.config['p']} (one line per seed)", fontsize=9)
    fig.tight_layout()
    return fig
