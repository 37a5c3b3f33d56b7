"""Shared machinery of the diffrax integrators: argument checks, shape buckets, the solve itself."""

from __future__ import annotations

import diffrax
import numpy as np

from theory._jax import require_x64
from theory.lazy_rich import _validate as val


def need_x64(what: str) -> None:
    """The integrators and GD loops run in JAX and are documented as float64: rather than computing
    silently in float32, raise `RuntimeError` unless float64 is on (`theory.enable_x64()`)."""
    require_x64(f"numerics.lazy_rich.{what}")


def check_times(t) -> np.ndarray:
    """Save times: a nonempty, nonnegative, nondecreasing 1-D array."""
    t = val.array(t, "t", min_ndim=1)
    if t.ndim != 1:
        raise ValueError(f"t must be one-dimensional, got shape {t.shape}")
    if t.size == 0:
        raise ValueError("t must hold at least one save time")
    if np.any(t < 0) or np.any(np.diff(t) < 0):
        raise ValueError("t must be nonnegative and nondecreasing")
    return t


def check_tolerances(rtol, atol, max_steps: int) -> tuple[float, float, int]:
    """Positive, finite controller tolerances and a positive integer step cap."""
    rtol = val.learning_rate(rtol, "rtol")
    atol = val.learning_rate(atol, "atol")
    return rtol, atol, val.count(max_steps, "max_steps")


def bucket(n: int, minimum: int) -> int:
    """Next power of two >= max(n, minimum): padding batch/time/width to buckets bounds the number of compilations."""
    return max(minimum, 1 << max(0, int(n) - 1).bit_length())


def check_steps(steps, record_every) -> tuple[int, int]:
    """A positive step count that is a multiple of `record_every` (default: `steps`)."""
    steps = val.count(steps, "steps")
    record_every = steps if record_every is None else val.count(record_every, "record_every")
    if steps % record_every:
        raise ValueError(f"steps ({steps}) must be a multiple of record_every ({record_every})")
    return steps, record_every


def pad_rows(x: np.ndarray, n: int) -> np.ndarray:
    """Pad axis 0 to length n by repeating the last row."""
    if x.shape[0] == n:
        return x
    return np.concatenate([x, np.repeat(x[-1:], n - x.shape[0], axis=0)])


def solve(vector_field, y0, ts, args, rtol, atol, max_steps):
    """diffrax Dopri8 from t = 0, saved at `ts` (a traced array)."""
    term = diffrax.ODETerm(vector_field)
    sol = diffrax.diffeqsolve(
        term,
        diffrax.Dopri8(),
        t0=0.0,
        t1=ts[-1],
        dt0=None,
        y0=y0,
        args=args,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
        throw=False,
    )
    return sol.ys, sol.stats["num_steps"], sol.result == diffrax.RESULTS.successful


def solver_failed(what: str, max_steps: int) -> ValueError:
    """The error of a flow whose solve stopped early (without `full_output`, which reports it instead)."""
    return ValueError(
        f"{what}: the solver stopped before the last save time (max_steps = {max_steps} reached, or a stiff or "
        "non-smooth field); raise max_steps, loosen rtol/atol, or pass full_output=True to get the partial "
        "trajectory (inf after the stop) with the per-run success flags"
    )
