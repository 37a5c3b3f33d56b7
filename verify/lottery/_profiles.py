"""Profile configurations of the lottery claims, and the LMC threshold they share.

- `TINY`: the CI-sized quick profile (40 SGD steps, 3 IMP levels): the same code path, run
  by the tests through `verify.core.testing.run_claim`.
- `QUICK`: scikit-learn digits, MLP 64-64-10 (4.8k parameters), 24 IMP levels at 20%,
  rewinding to step 50 of 600 (CPU, about a minute).
- `GPU`: ResNet-20 shape on synthetic 32x32x3 images (no download), 10 levels, rewind
  points {0, 50, 200, 500}, Lanczos + stochastic Lanczos quadrature for the Hessian.
- `PAPER`: ResNet-20 on CIFAR-10 from `--data-dir` (160 epochs); SKIP when absent.
- `GPU_TINY`: the gpu profile's model and data at CPU size (ResNet-8 with BatchNorm on
  synthetic images); the tests run the bookkeeping claim's gpu profile with these values
  as overrides (`run_claim(..., profile="gpu", **GPU_TINY)`).
"""

from __future__ import annotations

import copy

__all__ = [
    "TAU_B",
    "QUICK", "GPU", "PAPER", "TINY", "GPU_TINY",
    "SEEDS", "QUADRATIC_SEEDS",
    "CONVEX", "CONVEX_TINY",
    "STABILITY_T", "STABILITY_Q", "STABILITY_G", "STABILITY_P",
    "LMC_MIN_WEIGHTS", "LMC_T", "LMC_Q", "LMC_G", "LMC_P",
    "ROBUSTNESS_T", "ROBUSTNESS_Q", "ROBUSTNESS_G", "ROBUSTNESS_P",
    "QUADRATIC_T", "QUADRATIC_Q", "QUADRATIC_G",
    "HESSIAN_T", "HESSIAN_Q", "HESSIAN_G", "HESSIAN_P",
    "RETRAIN_T", "RETRAIN_Q", "RETRAIN_G", "RETRAIN_P",
    "REWIND0_T", "REWIND0_Q", "REWIND0_G", "REWIND0_P",
]

TAU_B = 0.02  # LMC threshold on the test-error barrier (Frankle et al. 2020: 2%)


def _with(base: dict, **extra) -> dict:
    out = copy.deepcopy(base)
    out.update(extra)
    return out


QUICK = {
    "model": {"kind": "mlp", "n_in": 64, "hidden": [64], "n_out": 10},
    "data": {"name": "digits", "split_seed": 0},
    "train": {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 64, "steps": 600, "milestones": [400]},
    "imp": {"levels": 24, "prune_fraction": 0.2, "rewind_step": 50},
    "n_points": 11,
    "bn_policy": "recompute",
}

GPU = {
    "model": {"kind": "resnet", "depth": 20, "width": 16, "n_classes": 10},
    "data": {"name": "synthetic32", "n_train": 10000, "n_test": 2000, "signal": 0.15, "noise": 1.0, "split_seed": 0},
    "train": {
        "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 128, "steps": 1600,
        "milestones": [800, 1200], "warmup_steps": 0, "augment": False,
    },
    "imp": {"levels": 10, "prune_fraction": 0.2, "rewind_step": 200},
    "n_points": 11,
    "bn_policy": "recompute",
}

PAPER = {
    "model": {"kind": "resnet", "depth": 20, "width": 16, "n_classes": 10},
    "data": {"name": "cifar10"},
    "train": {
        "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 128, "steps": 62400,
        "milestones": [31200, 46800], "augment": True,
    },
    "imp": {"levels": 16, "prune_fraction": 0.2, "rewind_step": 2000},
    "n_points": 11,
    "bn_policy": "recompute",
}

#: The quick profile at CI size: 40 steps (LR drop at 30), 3 levels, rewind to step 5.
TINY = _with(
    QUICK,
    train=dict(QUICK["train"], steps=40, milestones=[30]),
    imp=dict(QUICK["imp"], levels=3, rewind_step=5),
)

#: The gpu profile's code path at CPU size (ResNet-8 of width 4 with BatchNorm).
GPU_TINY = {
    "model": {"kind": "resnet", "depth": 8, "width": 4, "n_classes": 10},
    "data": {"name": "synthetic32", "n_train": 256, "n_test": 128, "signal": 0.6, "noise": 1.0, "split_seed": 0},
    "train": {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 64, "steps": 12, "milestones": [8]},
    "imp": {"levels": 3, "prune_fraction": 0.2, "rewind_step": 2},
    "n_points": 3,
    "bn_policy": "recompute",
}

SEEDS = {"quick": 3, "gpu": 1, "paper": 2}
QUADRATIC_SEEDS = {"quick": 2, "gpu": 2, "paper": 2}

# --------------------------------------------------------------------------- per claim

CONVEX = {"data": {"name": "digits", "split_seed": 0}, "model": QUICK["model"], "train": QUICK["train"], "l2": 1e-3, "lr": 0.5, "steps": 800, "n_points": 11}
CONVEX_TINY = _with(CONVEX, train=TINY["train"], steps=50)

STABILITY_T = _with(TINY, rewind_steps=[0, 5])
STABILITY_Q = _with(QUICK, rewind_steps=[0, 10, 50, 200])
STABILITY_G = _with(GPU, rewind_steps=[0, 50, 200, 500])
STABILITY_P = _with(PAPER, rewind_steps=[0, 100, 500, 2000])

#: Pairs of successive levels whose endpoints both have fewer than `min_weights` surviving
#: weights (10 per class: 100 of the MLP's 4,736, density 2.1%, below the paper's deepest
#: ResNet-20 level of 0.8^16 = 2.8%), or both sit at chance accuracy, are degenerate and
#: left out of the LMC table (`_connectivity.degenerate_levels`).
LMC_MIN_WEIGHTS = 100
LMC_T = _with(TINY, match_tol=0.01, min_level=1, min_weights=LMC_MIN_WEIGHTS)
LMC_Q = _with(QUICK, match_tol=0.01, min_level=1, min_weights=LMC_MIN_WEIGHTS)
LMC_G = _with(GPU, match_tol=0.01, min_level=1, min_weights=LMC_MIN_WEIGHTS)
LMC_P = _with(PAPER, match_tol=0.005, min_level=1, min_weights=LMC_MIN_WEIGHTS)

ROBUSTNESS_T = _with(TINY, levels=[1], scales=[1.0, 8.0])
ROBUSTNESS_Q = _with(QUICK, levels=[6, 10, 14], scales=[1.0, 8.0])
ROBUSTNESS_G = _with(GPU, levels=[2, 5, 8], scales=[1.0, 8.0])
ROBUSTNESS_P = _with(PAPER, levels=[4, 8, 12], scales=[1.0, 8.0])

QUADRATIC_Q = {"dim": 300, "sharp_fractions": [0.3, 0.7], "lam_sharp": 1.0, "lam_flat": 1e-3, "eps": 1e-3, "trials": 20}
QUADRATIC_T = dict(QUADRATIC_Q, dim=40, trials=3)
QUADRATIC_G = dict(QUADRATIC_Q, dim=600, trials=24)

def _retrain_from_projection(base: dict) -> dict:
    """The Hessian bound's own protocol (brief A.8.7): retrain the projected solution inside
    the kept axial subspace with a short budget, the schedule's final phase (from the last LR
    milestone to T, at the final LR: the optimiser that settled w_L* in its basin). IMP's
    next level (rewind to w_k, train k..T) runs on the same masks for comparison."""
    t = base["train"]
    start = int(t["milestones"][-1]) if t.get("milestones") else int(base["imp"]["rewind_step"])
    return {"retrain_from": "projection", "retrain_start": start, "retrain_steps": int(t["steps"]) - start, "compare_retrain": ["rewind"]}


_EPS = [0.02, 0.05, 0.1]
HESSIAN_Q = _with(
    QUICK, level=4, hessian="full", hessian_dtype="float32", schur_check=True, schur_eps=[0.05],
    p_grid=[0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95], eps=_EPS, **_retrain_from_projection(QUICK),
)
HESSIAN_T = _with(
    HESSIAN_Q, model=dict(QUICK["model"], hidden=[8]), train=TINY["train"], imp=TINY["imp"], level=1, p_grid=[0.5, 0.9],
    **_retrain_from_projection(TINY),
)
HESSIAN_G = _with(
    GPU, level=3, hessian="lanczos", hessian_samples=2048, hessian_chunk=512, top_k=20, slq_probes=4, slq_iter=60,
    p_grid=[0.3, 0.5, 0.6, 0.7, 0.8, 0.9], eps=_EPS, **_retrain_from_projection(GPU),
)
HESSIAN_P = _with(
    PAPER, level=4, hessian="lanczos", hessian_samples=5000, hessian_chunk=500, top_k=20, slq_probes=8, slq_iter=80,
    p_grid=[0.3, 0.5, 0.6, 0.7, 0.8, 0.9], eps=_EPS, **_retrain_from_projection(PAPER),
)
RETRAIN_T = _with(TINY, last_level=2)
RETRAIN_Q = _with(QUICK, last_level=16)
RETRAIN_G = _with(GPU, last_level=10)
RETRAIN_P = _with(PAPER, last_level=15)

#: rewind_zero_fails: the main IMP run (rewind to k > 0) against a rewind-0 run with the same
#: init and data order, cut at `rewind0_levels` (quick: 16 levels, density 0.8^16 = 2.8%, the
#: paper's deepest ResNet-20 level, past the deepest level where the rewind-50 tickets still
#: match on digits, 11-15; 17 trainings per seed, ~15-20 s of one core).
REWIND0_T = _with(TINY, match_tol=0.01, rewind0_levels=TINY["imp"]["levels"])
REWIND0_Q = _with(QUICK, match_tol=0.01, rewind0_levels=16)
REWIND0_G = _with(GPU, match_tol=0.01, rewind0_levels=GPU["imp"]["levels"])
REWIND0_P = _with(PAPER, match_tol=0.005, rewind0_levels=PAPER["imp"]["levels"])
