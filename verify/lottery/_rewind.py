"""Claim 9 (issue 19): rewinding to step 0 finds no matching ticket at high sparsity,
rewinding to an early step k > 0 does.

Two IMP runs per seed with the same init and data order: the seed's main run (rewind to
`imp.rewind_step` = k > 0, shared with the other IMP claims) and a rewind-0 run of
`rewind0_levels` levels (`imp.rewind_step = 0`, otherwise the same config). The dense
reference is level 0 of the rewind-0 run (the dense network trained from w_0 with the
whole schedule). A level matches when its test error is at most dense + `match_tol`.

Measured value per seed: L* = the deepest level (up to the shorter run's last level) such
that the rewind-k tickets match at every level 1..L*; the value is the rewind-0 ticket's
test error at L* minus the matching bar (dense error + `match_tol`), i.e. how far the
rewind-0 accuracy lies below the matching margin where rewind-k still matches. The claim
(`at_least` 0) holds when that shortfall is positive, decided by the t-interval over seeds.
"""

from __future__ import annotations

import copy

import numpy as np

from verify.core.claims import Measurement, Prediction
from verify.lottery._experiments import imp_run

__all__ = ["rewind0_config", "rewind_gap", "rewind_theory", "rewind_practice"]


def rewind0_config(cfg: dict) -> dict:
    """The rewind-0 run's config: the main IMP config with `rewind_step = 0` and
    `rewind0_levels` levels."""
    out = copy.deepcopy(dict(cfg))
    out["imp"] = dict(out["imp"], rewind_step=0, levels=int(cfg["rewind0_levels"]))
    return out


def rewind_gap(err_k, err_0, match_tol: float) -> dict:
    """The claim's readout from the per-level test errors of the rewind-k run (`err_k`) and
    the rewind-0 run (`err_0`, level 0 = the dense reference). Returns `gap` (rewind-0 error
    at L* minus the matching bar), `level` (L*), `bar`, `err0_at`, `errk_at`."""
    err_k, err_0 = np.asarray(err_k, dtype=float), np.asarray(err_0, dtype=float)
    if err_k.ndim != 1 or err_0.ndim != 1 or err_k.size < 1 or err_0.size < 1:
        raise ValueError("err_k and err_0 must be non-empty 1-D sequences of per-level test errors")
    if not (np.all(np.isfinite(err_k)) and np.all(np.isfinite(err_0))):
        raise ValueError("err_k and err_0 must be finite")
    if not (np.isfinite(match_tol) and match_tol >= 0):
        raise ValueError(f"match_tol must be finite and >= 0, got {match_tol}")
    bar = float(err_0[0] + match_tol)
    n = min(err_k.size, err_0.size)
    level = 0
    for L in range(1, n):
        if err_k[L] > bar:
            break
        level = L
    return {
        "gap": float(err_0[level] - bar), "level": int(level), "bar": bar,
        "err0_at": float(err_0[level]), "errk_at": float(err_k[level]),
    }


def rewind_theory(ctx):
    return Prediction(
        value=0.0,
        info={"why": "without the early-training information (k = 0) the mask does not lead SGD to a matching mode: "
              "the rewind-0 ticket's test error exceeds the matching bar where rewind-k still matches"},
    )


def rewind_practice(ctx):
    cfg = ctx.config
    run_k = imp_run(ctx)
    run_0 = imp_run(ctx, rewind0_config(cfg))
    err_k = np.asarray([r.test_err for r in run_k.levels])
    err_0 = np.asarray([r.test_err for r in run_0.levels])
    g = rewind_gap(err_k, err_0, float(cfg["match_tol"]))
    return Measurement(
        value=g["gap"],
        raw={
            "density_k": np.asarray([r.density for r in run_k.levels]), "err_k": err_k,
            "density_0": np.asarray([r.density for r in run_0.levels]), "err_0": err_0,
            "bar": g["bar"], "level": g["level"],
        },
        info={
            "rewind_step_k": int(cfg["imp"]["rewind_step"]), "dense_err (rewind-0 level 0)": float(err_0[0]),
            "matching_bar": g["bar"], "deepest_matching_level_k (L*)": g["level"],
            "density_at_L*": float(run_k.levels[g["level"]].density),
            "err_k_at_L*": g["errk_at"], "err_0_at_L*": g["err0_at"],
        },
    )
