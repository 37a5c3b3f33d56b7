r"""Linear mode connectivity: the error barrier along the straight line between two nets.

\[
B(w_a,w_b)=\max_{t\in[0,1]} E\bigl((1-t)w_a+t\,w_b\bigr)-\tfrac12\bigl(E(w_a)+E(w_b)\bigr)
\]

on a grid of `n_points` values of \(t\) (endpoints included), as Frankle et al. (2020).

BatchNorm is handled explicitly: a state dict that holds BN running statistics needs a
`bn_policy`:

- `"interpolate"`: interpolate the running mean and variance like every other entry (what
  the authors' analysis notebook does by averaging whole state dicts);
- `"recompute"`: after interpolating the parameters, recompute the statistics on training
  data with the `recompute_bn` callable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np
import torch

from theory.lottery._checks import check_int, check_number

__all__ = ["BarrierResult", "interpolate", "error_barrier", "has_bn_stats"]

_BN_KEYS = ("running_mean", "running_var")


def has_bn_stats(params: Mapping[str, torch.Tensor]) -> bool:
    """True iff `params` (a state dict) holds BatchNorm running statistics."""
    return any(k.endswith(_BN_KEYS) for k in params)


def interpolate(params_a: Mapping[str, torch.Tensor], params_b: Mapping[str, torch.Tensor], t: float) -> dict:
    r"""\((1-t)\,a + t\,b\) entrywise; integer entries (e.g. `num_batches_tracked`) are taken
    from `a`. `t` is any finite number (outside [0, 1] it extrapolates)."""
    t = check_number("t", t)
    if set(params_a) != set(params_b):
        raise ValueError(f"params_a and params_b have different keys: {sorted(set(params_a) ^ set(params_b))}")
    out = {}
    for k, va in params_a.items():
        vb = params_b[k]
        if va.shape != vb.shape:
            raise ValueError(f"entry {k!r}: shapes {tuple(va.shape)} and {tuple(vb.shape)} differ")
        out[k] = va.clone() if not torch.is_floating_point(va) else (1 - t) * va + t * vb.to(va.device)
    return out


@dataclasses.dataclass
class BarrierResult:
    """`barrier` (max minus endpoint mean), `barrier_linear` (max of the excess over the
    chord \\((1-t)E_a+tE_b\\)), the grid `ts` and the `errors` along it."""

    barrier: float
    barrier_linear: float
    ts: np.ndarray
    errors: np.ndarray

    @property
    def midpoint(self) -> float:
        """\\(E(1/2)-\\tfrac12(E_a+E_b)\\) when \\(t=1/2\\) is on the grid (odd `n_points`)."""
        i = int(np.argmin(np.abs(self.ts - 0.5)))
        return float(self.errors[i] - 0.5 * (self.errors[0] + self.errors[-1]))


def error_barrier(
    params_a: Mapping[str, torch.Tensor],
    params_b: Mapping[str, torch.Tensor],
    evaluate: Callable[[dict], float],
    n_points: int = 11,
    *,
    bn_policy: str | None = None,
    recompute_bn: Callable[[dict], dict] | None = None,
) -> BarrierResult:
    r"""Error barrier between two parameter sets on a grid of `n_points` (endpoints included).

    **Arguments:**

    - `params_a`, `params_b`: name -> tensor mappings with the same keys (state dicts).
    - `evaluate`: params -> error (test error or train loss), e.g. loads them into a model.
    - `n_points`: grid size, at least 3 (odd sizes contain the midpoint).
    - `bn_policy`: required when the params hold BatchNorm running statistics:
      `"interpolate"` or `"recompute"`; ignored otherwise.
    - `recompute_bn`: params -> params with fresh BN statistics (for `"recompute"`).

    **Returns:** a `BarrierResult`.

    **Raises:** `ValueError` for `n_points < 3`, mismatched params, or BN statistics without
    a valid `bn_policy`.
    """
    n_points = check_int("n_points", n_points, 3)
    bn = has_bn_stats(params_a)
    if bn:
        if bn_policy not in ("interpolate", "recompute"):
            raise ValueError("params hold BatchNorm statistics: bn_policy must be 'interpolate' or 'recompute'")
        if bn_policy == "recompute" and recompute_bn is None:
            raise ValueError("bn_policy='recompute' needs a recompute_bn callable")
    ts = np.linspace(0.0, 1.0, int(n_points))
    errs = []
    for tv in ts:
        p = interpolate(params_a, params_b, float(tv))
        if bn and bn_policy == "recompute":  # every grid point, endpoints included
            p = recompute_bn(p)
        errs.append(float(evaluate(p)))
    errs = np.asarray(errs)
    chord = (1 - ts) * errs[0] + ts * errs[-1]
    return BarrierResult(
        barrier=float(errs.max() - 0.5 * (errs[0] + errs[-1])),
        barrier_linear=float(np.max(errs - chord)),
        ts=ts,
        errors=errs,
    )
