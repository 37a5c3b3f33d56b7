"""Benchmark of the ICL training code: throughput, model FLOP utilisation, batching speed-up.

All numbers are measured in one process, so ratios are meaningful on a loaded machine:

- the machine's matmul peak (square matmuls, fp32; on CUDA also TF32 and bf16),
- training throughput (tokens/s) and model FLOP utilisation (MFU = model FLOP/s / measured
  peak) of the batched ensemble for the quick sweep's mini model and the paper's base model,
- the speed-up of training the sweep's 11 models as one batched ensemble over training them
  one after the other, of 5 seeds in one ensemble over one ensemble per seed, and of two
  batch sizes in one ensemble (loss masks) over one ensemble per batch size.

Run: `python -m benchmarks.icl [--device cuda] [--steps 30]`. CPU time is reported next to
wall time (the CI machine is shared).
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from numerics.icl import Member, ModelConfig, TrainConfig, train_ensemble, train_flops_per_token


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def matmul_peak(device: str, dtype: torch.dtype, n: int, reps: int) -> float:
    """Best FLOP/s of an n x n matmul over `reps` repetitions."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
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


def train_throughput(members, mcfg: ModelConfig, batch: int, steps: int, device: str, precision: str = "fp32") -> dict:
    tcfg = TrainConfig(steps=steps + 2, batch_size=batch, lr=1e-3, noise_var=mcfg.dim / 32)
    train_ensemble(members, mcfg, tcfg, device=device, precision=precision, stop_at=2)  # warm-up
    _sync(device)
    wall, cpu = time.perf_counter(), time.process_time()
    train_ensemble(members, mcfg, tcfg, device=device, precision=precision, stop_at=steps)
    _sync(device)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tokens = len(members) * batch * 2 * mcfg.n_points * steps
    flops = train_flops_per_token(mcfg) * tokens
    return {"tokens_per_s": tokens / wall, "model_flops_per_s": flops / wall, "wall_s": wall, "cpu_s": cpu, "steps": steps, "models": len(members)}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    dev = args.device
    out: dict = {"device": dev if dev == "cpu" else torch.cuda.get_device_name(0), "threads": args.threads}
    n = 1024 if dev == "cpu" else 8192
    out["peak_fp32_flops"] = matmul_peak(dev, torch.float32, n, 5)
    if dev == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        out["peak_tf32_flops"] = matmul_peak(dev, torch.float32, n, 10)
        torch.backends.cuda.matmul.allow_tf32 = False
        out["peak_bf16_flops"] = matmul_peak(dev, torch.bfloat16, n, 10)
    peak = out.get("peak_bf16_flops", out["peak_fp32_flops"])
    precision = "bf16" if dev == "cuda" else "fp32"

    # quick sweep: 11 mini models (D=2, K=4, 2 layers, width 32, batch 64), batched vs one by one
    mini = ModelConfig(dim=2, n_points=4, n_layer=2, n_embd=32, n_head=2)
    sweep = [Member(2**j, 0) for j in range(1, 11)] + [Member(None, 0)]
    batched = train_throughput(sweep, mini, 64, args.steps, dev, precision)
    seq_wall = seq_cpu = 0.0
    for m in sweep:
        r = train_throughput([m], mini, 64, max(2, args.steps // 2), dev, precision)
        seq_wall += r["wall_s"] * args.steps / r["steps"]
        seq_cpu += r["cpu_s"] * args.steps / r["steps"]
    out["mini_sweep_batched"] = batched
    out["mini_sweep_batching_speedup_wall"] = seq_wall / batched["wall_s"]
    out["mini_sweep_batching_speedup_cpu"] = seq_cpu / max(batched["cpu_s"], 1e-9)
    out["mini_sweep_mfu"] = batched["model_flops_per_s"] / peak

    # issue 17: the quick profile's 5 seeds as one ensemble of 55 against 5 ensembles of 11
    seeds5 = [Member(m.n_tasks, s) for s in range(5) for m in sweep]
    block = train_throughput(seeds5, mini, 64, args.steps, dev, precision)
    per_seed = [train_throughput([Member(m.n_tasks, s) for m in sweep], mini, 64, args.steps, dev, precision) for s in range(5)]
    out["mini_seed_block_speedup_wall"] = sum(r["wall_s"] for r in per_seed) / block["wall_s"]
    out["mini_seed_block_speedup_cpu"] = sum(r["cpu_s"] for r in per_seed) / max(block["cpu_s"], 1e-9)
    # two data budgets (batch 64 and 128) in one ensemble with loss masks, against one ensemble each
    mixed = [Member(m.n_tasks, 0, batch_size=b) for b in (64, 128) for m in sweep]
    both = train_throughput(mixed, mini, 128, args.steps, dev, precision)
    apart = [train_throughput([Member(m.n_tasks, 0) for m in sweep], mini, b, args.steps, dev, precision) for b in (64, 128)]
    out["mini_budget_block_speedup_wall"] = sum(r["wall_s"] for r in apart) / both["wall_s"]
    out["mini_budget_block_speedup_cpu"] = sum(r["cpu_s"] for r in apart) / max(both["cpu_s"], 1e-9)

    # the paper's base model (D=8, K=16, 8 layers, width 128, 2 heads)
    base = ModelConfig(dim=8, n_points=16, n_layer=8, n_embd=128, n_head=2)
    if dev == "cpu":
        r = train_throughput([Member(None, 0)], base, 32, max(2, args.steps // 5), dev, precision)
    else:
        r = train_throughput([Member(2**j, 0) for j in range(2, 18, 2)] + [Member(None, 0)], base, 256, args.steps, dev, precision)
    r["mfu"] = r["model_flops_per_s"] / peak
    out["base_model"] = r
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
