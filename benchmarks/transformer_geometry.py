"""Benchmark of the transformer_geometry trainability sweep: steps/s, tokens/s and MFU.

The sweep trains every (alpha, sigma_w) grid cell (and, at the gpu profile, its 3 seeds) as one
batched ensemble (`numerics.transformer_geometry.train_masked_lm`). This times the step loop
alone: two runs of `steps` and `2 * steps` steps are timed, and their difference removes the
fixed cost (model set-up, the two test-set evaluations), so the rate is the loop's.

- `quick`: the quick profile's 12 cells, 1 seed (d = 32, L = 12, n = 16, batch 16);
- `gpu`: the gpu profile's 54 cells x 3 seeds = 162 networks (d = 64, L = 16, n = 32, batch 32).

MFU is the model's matmul FLOPs (forward + backward = 3x forward) over the matmul peak measured
in the same process (fp32 square matmuls). On the gpu profile the whole sweep is
`2000 / (steps per second)` seconds of training plus two evaluations of 2048 windows.

`--legacy` also times the former step loop (before issue 17 §3) in the same process, on the same
grid, and prints the ratio: one model per grid point stacked by broadcast matmuls, with the full
logits at every position and boolean-mask indexing of the masked ones (`logits[:, mask]`), the batch
drawn in numpy on the host and copied over, `prm.grad[~alive] = 0`, a `.cpu()` per tail step, and
the seeds of a block trained one after another (separate cells). It reuses the new model's
initialisation (the same weights), so only the step loop differs.

Run: `python -m benchmarks.transformer_geometry [--device cuda] [--config quick|gpu|both] [--steps 20] [--legacy]`.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import torch

from numerics.transformer_geometry import VOCAB, TransformerLM, char_corpus, masked_batch, train_masked_lm
from theory.transformer_geometry import make_params
from verify.transformer_geometry._experiments import block_kwargs, grid_cells, seed_block
from verify.transformer_geometry._profiles import TRAIN_GPU, TRAIN_QUICK


def _sync(device: str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def _loop_seconds(times, col: int, steps: int) -> float:
    """Seconds of `steps` loop steps: the difference of the `2 * steps` and `steps` runs, which removes
    the fixed cost; on a loaded machine where that difference is not positive, the longer run's
    time scaled to `steps` (an upper bound, fixed cost included)."""
    diff = times[1][col] - times[0][col]
    return diff if diff > 0 else times[1][col] / 2


def matmul_peak(device: str, n: int, reps: int = 5) -> float:
    """Best fp32 FLOP/s of an n x n matmul."""
    a, b = (torch.randn(n, n, device=device) for _ in range(2))
    for _ in range(2):
        a @ b
    _sync(device)
    best = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        _sync(device)
        best = max(best, 2 * n**3 / (time.perf_counter() - t))
    return best


def flops_per_step(cfg: dict, n_models: int) -> float:
    """Matmul FLOPs of one training step of the ensemble (forward + backward = 3 x forward)."""
    d, n, L, B = cfg["d"], cfg["n_tokens"], cfg["n_layers"], cfg["batch"]
    k = max(1, round(cfg["mask_frac"] * n))
    per_token_layer = 2 * 3 * d * d + 2 * 2 * n * d + 2 * 2 * d * d  # QKV, scores and values, MLP (d_mlp = d)
    fwd = B * n * L * per_token_layer + B * k * 2 * d * len(VOCAB)  # read-out at the masked positions only
    return 3.0 * fwd * n_models


def time_sweep(cfg: dict, steps: int, device: str) -> dict:
    prms = [make_params(**block_kwargs(cfg, alpha=a, sigma_w=s)) for a, s in grid_cells(cfg)]
    seeds = seed_block(cfg, 0)
    kw = dict(d=cfg["d"], n_layers=cfg["n_layers"], batch=cfg["batch"], lr=cfg["lr"], seed=seeds, n_test=64,
              mask_frac=cfg["mask_frac"], device=device)  # fmt: skip
    train_masked_lm(prms, steps=2, **kw)  # warm-up (kernels, corpus)
    times = []
    for s in (steps, 2 * steps):
        _sync(device)
        wall, cpu = time.perf_counter(), time.process_time()
        train_masked_lm(prms, steps=s, **kw)
        _sync(device)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    dt_wall = _loop_seconds(times, 0, steps)
    dt_cpu = _loop_seconds(times, 1, steps)
    M = len(prms) * len(seeds)
    sps = steps / dt_wall
    return {"models": M, "steps_per_s": sps, "cpu_s_per_step": dt_cpu / steps,
            "tokens_per_s": sps * M * cfg["batch"] * cfg["n_tokens"], "model_flops_per_s": sps * flops_per_step(cfg, M),
            "projected_training_s": cfg["steps"] / sps}  # fmt: skip


def _legacy_forward(model: TransformerLM, tokens: torch.Tensor) -> torch.Tensor:
    """The former forward pass: `(B, n)` tokens -> logits `(M, B, n, V)` at every position, per-model
    weights broadcast over the batch (`x @ W[:, layer, None]`), softmax attention written out."""
    aa, ba, am, bm = (model.coef[..., i, None] for i in range(4))  # (M, 1, 1, 1)
    x = (model.embed[:, tokens] + model.pos[:, None, : tokens.shape[-1]]) / math.sqrt(2.0)

    def norm(t):
        return t * torch.rsqrt((t * t).mean(-1, keepdim=True).clamp_min(1e-60))

    scale = 1.0 / math.sqrt(x.shape[-1])
    for layer in range(model.n_layers):
        xn = norm(x)
        q = xn @ model.W_Q[:, layer, None].transpose(-1, -2)
        k = xn @ model.W_K[:, layer, None].transpose(-1, -2)
        v = xn @ model.W_V[:, layer, None].transpose(-1, -2)
        a = torch.softmax(scale * q @ k.transpose(-1, -2), dim=-1)
        y = ba * x + aa * (a @ v)
        h = model.phi(norm(y) @ model.W_1[:, layer, None].transpose(-1, -2))
        x = bm * y + am * (h @ model.W_2[:, layer, None].transpose(-1, -2))
    return norm(x) @ model.readout[:, None].transpose(-1, -2) + model.bias


def legacy_train(prms, *, d, n_layers, steps, batch, lr, seed, mask_frac, device, corpus_chars=2_000_000) -> None:
    """The former training step loop for one seed (timing only; no evaluation)."""
    data = char_corpus(corpus_chars)
    train_data = data[: int(len(data) * 0.9)]
    model = TransformerLM(prms, d=d, n_layers=n_layers, seed=seed).to(device)
    M, n_ctx = model.n_models, model.pos.shape[1]
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng([int(seed), 1])

    def per_model_loss(logits, y):
        mask = y >= 0
        lp = torch.log_softmax(logits[:, mask], dim=-1)
        return -lp.gather(-1, y[mask][None, :, None].expand(M, -1, 1)).squeeze(-1).mean(-1)

    alive = torch.ones(M, dtype=torch.bool, device=device)
    tail = []
    for step in range(steps):
        x, y = masked_batch(train_data, n_ctx, batch, rng, mask_frac)
        losses = per_model_loss(_legacy_forward(model, x.to(device)), y.to(device))
        finite = torch.isfinite(losses)
        alive &= finite
        opt.zero_grad(set_to_none=True)
        torch.where(finite, losses, torch.zeros_like(losses)).sum().backward()
        for prm in model.parameters():
            if prm.grad is not None:
                prm.grad[~alive] = 0.0
                prm.grad.nan_to_num_(0.0, 0.0, 0.0)
        opt.step()
        if step >= 0.9 * steps or step == steps - 1:
            tail.append(losses.detach().double().cpu().numpy())


def time_legacy(cfg: dict, steps: int, device: str) -> dict:
    """Seconds per step of the former loop over the same grid, its seeds one after another."""
    prms = [make_params(**block_kwargs(cfg, alpha=a, sigma_w=s)) for a, s in grid_cells(cfg)]
    seeds = seed_block(cfg, 0)
    kw = dict(d=cfg["d"], n_layers=cfg["n_layers"], batch=cfg["batch"], lr=cfg["lr"], mask_frac=cfg["mask_frac"],
              device=device)  # fmt: skip
    legacy_train(prms, steps=2, seed=0, **kw)  # warm-up
    times = []
    for s in (steps, 2 * steps):
        _sync(device)
        wall, cpu = time.perf_counter(), time.process_time()
        for seed in seeds:
            legacy_train(prms, steps=s, seed=seed, **kw)
        _sync(device)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    dt_wall = _loop_seconds(times, 0, steps)
    return {"steps_per_s": steps / dt_wall, "cpu_s_per_step": _loop_seconds(times, 1, steps) / steps}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--config", choices=("quick", "gpu", "both"), default="both")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--legacy", action="store_true", help="also time the former step loop and print the ratio")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    dev = args.device
    out: dict = {"device": dev if dev == "cpu" else torch.cuda.get_device_name(0), "threads": args.threads}
    out["peak_fp32_flops"] = matmul_peak(dev, 1024 if dev == "cpu" else 8192)
    configs = {"quick": TRAIN_QUICK, "gpu": TRAIN_GPU}
    for name in ("quick", "gpu") if args.config == "both" else (args.config,):
        r = time_sweep(dict(configs[name]), args.steps, dev)
        r["mfu_fp32"] = r["model_flops_per_s"] / out["peak_fp32_flops"]
        if args.legacy:
            old = time_legacy(dict(configs[name]), args.steps, dev)
            r["legacy"] = old
            r["speedup_wall"] = r["steps_per_s"] / old["steps_per_s"]
            r["speedup_cpu"] = old["cpu_s_per_step"] / max(r["cpu_s_per_step"], 1e-12)
        out[name] = r
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
