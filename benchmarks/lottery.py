"""Benchmark: lottery's independent trainings as one batched ensemble against a loop (issue 17).

The quick profile's robustness protocol (digits MLP 64-64-10, per seed 3 levels x (SGD-noise
copy + 2 perturbation scales) = 9 copies of steps 50..600, each with its own mask) and the
stability protocol (2 copies per rewind point k in {0, 10, 50, 200}: 8 members with
staggered starts), each trained (a) member by member with `numerics.lottery.train` and
(b) as one batched model (`numerics.lottery._batched.train_members`). Reports the process
time (1 torch thread) of both, the ratio, and the largest parameter difference between the
two (float rounding only).

Run: `python benchmarks/lottery.py [--device cpu|cuda] [--steps 600]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from numerics import lottery as nl  # noqa: E402
from numerics.lottery._batched import train_members  # noqa: E402

MLP = {"kind": "mlp", "n_in": 64, "hidden": [64], "n_out": 10}
RESNET = {"kind": "resnet", "depth": 20, "width": 16, "n_classes": 10}


def _members(spec, n: int, prune: bool):
    states, masks = [], []
    for i in range(n):
        model = nl.make_model(spec, 100 + i)
        st = nl.state_copy(model)
        states.append(st)
        masks.append(nl.magnitude_prune(st, nl.ones_mask(model), 1 - 0.8 ** (1 + i % 14)) if prune else None)
    return states, masks


def _clock(device):
    if device == "cuda":
        torch.cuda.synchronize()
        return time.perf_counter()
    return time.process_time()


def bench(name, spec, data, tc, starts, seeds, prune, device):
    states, masks = _members(spec, len(starts), prune)
    data = data.to(device)
    t0 = _clock(device)
    loop = []
    for st, mk, s0, sd in zip(states, masks, starts, seeds):
        model = nl.make_model(spec, 0).to(device)
        model.load_state_dict(st)
        nl.train(model, data, tc, start_step=s0, mask=mk, data_seed=sd)
        loop.append({k: v.cpu() for k, v in nl.state_copy(model).items()})
    t_loop = _clock(device) - t0
    t0 = _clock(device)
    outs, _ = train_members(spec, states, data, tc, start_steps=starts, data_seeds=seeds, masks=masks, device=device)
    t_b = _clock(device) - t0
    diff = max(float((a[k] - b[k]).abs().max()) for a, b in zip(loop, outs) for k in a if a[k].is_floating_point())
    print(f"{name:34s} members {len(starts):3d}  loop {t_loop:7.2f} s  batched {t_b:7.2f} s  speed-up {t_loop / t_b:5.1f}x  max |diff| {diff:.1e}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--resnet", action="store_true", help="also the ResNet-20 shape on synthetic images (slow on CPU)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    clock = "wall (cuda synchronised)" if a.device == "cuda" else "process time, 1 thread"
    print(f"device {a.device}; {clock}")
    digits = nl.make_dataset({"name": "digits"}, 0)
    tc = nl.TrainConfig(lr=0.1, momentum=0.9, weight_decay=1e-4, batch_size=64, steps=a.steps, milestones=(2 * a.steps // 3,))
    k = a.steps // 12
    bench("robustness (quick): 9 copies", MLP, digits, tc, [k] * 9, [7919 + i for i in range(9)], True, a.device)
    ks = [0, k // 5, k, 4 * k]
    bench("stability (quick): 2 x 4 rewind pts", MLP, digits, tc, [x for x in ks for _ in (1, 2)], [1, 2] * 4, False, a.device)
    bench("prune ratio (quick): 20 masks", MLP, digits, tc, [k] * 20, [5] * 20, True, a.device)
    if a.resnet:
        syn = nl.make_dataset({"name": "synthetic32", "n_train": 2048, "n_test": 256, "signal": 0.15, "noise": 1.0}, 0)
        tr = nl.TrainConfig(lr=0.1, batch_size=128, steps=max(1, a.steps // 6), milestones=())
        bench("ResNet-20 shape: 4 copies", RESNET, syn, tr, [0] * 4, [1, 2, 3, 4], True, a.device)


if __name__ == "__main__":
    main()
