"""Statistics of the practice side, one copy each: Wilson intervals, mean and standard
error, the bootstrap, and zero-crossing fits of measured curves."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from theory._stats import mean_se

__all__ = ["BOOTSTRAP_RESAMPLES", "BOOTSTRAP_SEED", "bootstrap_ci", "mean_se", "normal_quantile", "wilson_interval", "zero_crossing"]

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 12345


def normal_quantile(level: float = 0.95) -> float:
    """The two-sided standard-normal quantile \\( z_{(1+\\text{level})/2} \\) (1.95996 at 95%)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - level) / 2))


def wilson_interval(successes, trials, level: float = 0.95, *, z: float | None = None) -> np.ndarray:
    """Wilson score interval of a proportion, vectorised: `successes` and `trials` broadcast;
    returns an array `[..., 2]` of (low, high), clipped to [0, 1]. `z` overrides the
    quantile given by `level` (e.g. the rounded 1.96).

    Raises `ValueError` for trials <= 0 or successes outside [0, trials].
    """
    k, n = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(trials, dtype=float))
    if np.any(~np.isfinite(n)) or np.any(n <= 0):
        raise ValueError("trials must be positive and finite")
    if np.any(~np.isfinite(k)) or np.any(k < 0) or np.any(k > n):
        raise ValueError("successes must lie in [0, trials]")
    z = normal_quantile(level) if z is None else float(z)
    p = k / n
    den = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return np.clip(np.stack([centre - half, centre + half], -1), 0.0, 1.0)


def bootstrap_ci(
    samples: Sequence[Any], statistic: Callable[[np.ndarray], float], level: float = 0.95, n: int = BOOTSTRAP_RESAMPLES
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `statistic` over resampled `samples` (first axis),
    with a fixed seed so reports are reproducible. `None` for fewer than 2 samples."""
    x = np.asarray(samples)
    if x.shape[0] < 2:
        return None
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, x.shape[0], size=(n, x.shape[0]))
    stats = np.array([statistic(x[i]) for i in idx], dtype=float)
    stats = stats[np.isfinite(stats)]
    if stats.size == 0:
        return None
    lo, hi = np.quantile(stats, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def zero_crossing(xs, means, ses, n_boot: int = 400, seed: int = 0) -> tuple[float, float]:
    """Zero crossing of a measured curve, with its standard error.

    A weighted quadratic (linear with fewer than 4 points) is fitted to the points around
    the first sign change of `means`, and its root inside the bracket (widened by one
    bracket width) is returned; the standard error comes from a parametric bootstrap of the
    means (normal with standard errors `ses`). `(nan, nan)` when the curve never changes
    sign.
    """
    xs, means, ses = (np.asarray(a, float) for a in (xs, means, ses))
    if not (xs.shape == means.shape == ses.shape) or xs.ndim != 1:
        raise ValueError(f"xs, means and ses must be 1-D of one length, got {xs.shape}, {means.shape}, {ses.shape}")
    sgn = np.sign(means)
    ch = np.nonzero(sgn[:-1] != sgn[1:])[0]
    if ch.size == 0:
        return math.nan, math.nan
    k = int(ch[0])
    sel = np.arange(max(k - 1, 0), min(k + 3, xs.size))
    deg = 2 if sel.size >= 4 else 1
    lo, hi = xs[k], xs[k + 1]
    w = 1 / np.maximum(ses[sel], 1e-12)

    def root(vals):
        c = np.polyfit(xs[sel], vals, deg, w=w)
        r = np.roots(c)
        r = r[np.isreal(r)].real
        width = hi - lo
        r = r[(r >= lo - width) & (r <= hi + width)]
        return float(r[np.argmin(np.abs(r - (lo + hi) / 2))]) if r.size else math.nan

    r0 = root(means[sel])
    rng = np.random.default_rng(seed)
    boots = np.array([root(means[sel] + ses[sel] * rng.standard_normal(sel.size)) for _ in range(n_boot)])
    boots = boots[np.isfinite(boots)]
    return r0, float(np.std(boots, ddof=1)) if boots.size > 10 else math.nan
