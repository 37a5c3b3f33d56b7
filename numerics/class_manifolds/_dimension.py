r"""`cutting_plane_dimension(s)`: a sweep of random cuts and the \( d^* \) estimated from it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from numerics.class_manifolds._cut import AnchorPool, CutSweep, cutting_plane_sweep
from numerics.class_manifolds._fit import DStarEstimate, estimate_d_star
from theory.class_manifolds._checks import integer, real

__all__ = ["CuttingPlaneResult", "cutting_plane_dimension", "cutting_plane_dimensions"]


@dataclasses.dataclass
class CuttingPlaneResult:
    """A sweep and the \\( d^* \\) estimated from it (`estimate.d_eff` is \\( D - d^* \\))."""

    sweep: CutSweep
    estimate: DStarEstimate


def cutting_plane_dimensions(
    model,
    targets: Sequence[Any],
    anchor,
    dims: Sequence[int],
    reps: int,
    threshold: float = 0.5,
    *,
    num_classes: int | None = None,
    fit_on: str = "success",
    level: float = 0.5,
    n_boot: int = 100,
    rng: np.random.Generator | None = None,
    **sweep_kwargs,
) -> list[CuttingPlaneResult]:
    r"""`cutting_plane_dimension` for several targets in one batched sweep.

    `num_classes` defaults to the length of the model's output on the anchor. The arguments
    are checked before any cut is optimised (`ValueError` naming the argument). As in
    `estimate_d_star`, a target with zero successes has `estimate.d_star = inf`, and
    `n_boot = 0` leaves the interval `nan`.
    """
    level = real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    n_boot = integer("n_boot", n_boot, low=0)
    if fit_on not in ("success", "score", "target_mass"):
        raise ValueError(f"fit_on must be success, score or target_mass, got {fit_on!r}")
    if num_classes is None:
        num_classes = _infer_classes(model, anchor, sweep_kwargs.get("input_shape"), sweep_kwargs.get("device", "cpu"), sweep_kwargs.get("dtype", torch.float32))
    sweeps = cutting_plane_sweep(model, targets, anchor, dims, reps, num_classes=num_classes, threshold=threshold, **sweep_kwargs)
    rng = np.random.default_rng(0) if rng is None else rng
    return [
        CuttingPlaneResult(sweep=s, estimate=estimate_d_star(s.dims, s.values(fit_on), s.D, level=level, n_boot=n_boot, rng=rng))
        for s in sweeps
    ]


def cutting_plane_dimension(
    model,
    target: Any,
    anchor,
    dims: Sequence[int],
    reps: int,
    threshold: float = 0.5,
    **kwargs,
) -> CuttingPlaneResult:
    r"""Effective dimension of the region where `model` is confident in `target`, by cutting planes.

    For each \( d \) in `dims`, `reps` cuts \( X_0 + \operatorname{span}(M) \) are drawn
    (fresh basis and anchor each), the cross-entropy to the target is minimised inside each cut
    (`optimize_in_cut`, the notebook's Adam), and a run succeeds when its best score reaches
    `threshold` (the target probability for a single class). A sigmoid in \( \ln d \) is fitted
    to the outcomes and its `level` crossing is \( d^* \); `estimate.d_eff` \( = D - d^* \) with a
    bootstrap interval.

    **Arguments:**

    - `model`: callable `x -> logits`, or a sequence of them (an ensemble: mean log-softmax in
      the loss, mean softmax in the reported probability).
    - `target`: class index; a list of classes (boundary target, uniform over them); or a
      probability vector.
    - `anchor`: fixed anchor tensor, `AnchorPool(inputs, labels)` (a random input whose label is
      not a target class, as the notebook), or a callable `(n, exclude, generator)`.
    - `dims`: cut dimensions to sweep. `reps`: repetitions per dimension.
    - `threshold`: success level of the score (0.5 in the official estimator).
    - `basis`: `"gaussian_unit"` (notebook), `"orthonormal"`, `"axis_aligned"` (`k_nonzero`).
    - `fit_on`: `"success"` (fit the success indicators: \( d^* \) is where the success
      probability is `level`) or `"target_mass"` (the notebook: fit the maximal probability).
    - `radius`, `radius_mode`, `box`, `steps`, `lr`, `bias_correction`, ...: see
      `optimize_in_cut`. `generator`, `device`, `dtype`, `input_shape`, `num_classes`: see
      `cutting_plane_sweep`. `n_boot`, `level`, `rng`: see `estimate_d_star`.

    **Returns:** a `CuttingPlaneResult` (`sweep`, `estimate`). As in `estimate_d_star`, a
    target that no cut reaches (zero successes) has `estimate.d_star = inf`, and `n_boot = 0`
    leaves the interval `nan`.

    **Raises:** `ValueError` on bad arguments (named in the message).
    """
    return cutting_plane_dimensions(model, [target], anchor, dims, reps, threshold, **kwargs)[0]


def _infer_classes(model, anchor, input_shape, device, dtype) -> int:
    member = model[0] if isinstance(model, (list, tuple)) else model
    if isinstance(anchor, AnchorPool):
        x = anchor.inputs[:1]
    elif isinstance(anchor, torch.Tensor):
        x = anchor.reshape(1, *(input_shape or anchor.shape))
    else:
        raise ValueError("num_classes is required with a callable anchor")
    if isinstance(member, torch.nn.Module):
        member.eval()
    with torch.no_grad():
        return int(member(x.to(device, dtype)).shape[-1])
