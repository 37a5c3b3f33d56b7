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

Run: `python -m benchmarks.transformer_geometry [--device cuda] [--config quick|gpu|both] [--steps 20]`.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from numerics.transformer_geometry import VOCAB, train_masked_lm
from theory.transformer_geometry import make_params
from verify.transformer_geometry._experiments import block_kwargs, grid_cells, seed_block
from verify.transformer_geometry._profiles import TRAIN_GPU, TRAIN_QUICK


def _sync(device: str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


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
    dt_wall = max(times[1][0] - times[0][0], 1e-9)
    dt_cpu = times[1][1] - times[0][1]
    M = len(prms) * len(seeds)
    sps = steps / dt_wall
    return {"models": M, "steps_per_s": sps, "cpu_s_per_step": dt_cpu / steps,
            "tokens_per_s": sps * M * cfg["batch"] * cfg["n_tokens"], "model_flops_per_s": sps * flops_per_step(cfg, M),
            "projected_training_s": cfg["steps"] / sps}  # fmt: skip


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--config", choices=("quick", "gpu", "both"), default="both")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    dev = args.device
    out: dict = {"device": dev if dev == "cpu" else torch.cuda.get_device_name(0), "threads": args.threads}
    out["peak_fp32_flops"] = matmul_peak(dev, 1024 if dev == "cpu" else 8192)
    configs = {"quick": TRAIN_QUICK, "gpu": TRAIN_GPU}
    for name in ("quick", "gpu") if args.config == "both" else (args.config,):
        r = time_sweep(dict(configs[name]), args.steps, dev)
        r["mfu_fp32"] = r["model_flops_per_s"] / out["peak_fp32_flops"]
        out[name] = r
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
