"""Small statistics shared by every floor (theory Monte Carlo, numerics, the harness).

`verify.core.stats` re-exports these; this is their one copy, placed on the lowest floor
so that `theory/` can use them without importing upward.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["mean_se"]


def mean_se(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and standard error of the mean along `axis`:
    \( \bar x \) and \( s / \sqrt{n} \) with the unbiased (ddof = 1) standard deviation \( s \).

    Raises `ValueError` with fewer than 2 values along `axis` (no standard error exists).
    """
    x = np.asarray(values, dtype=float)
    n = x.shape[axis]
    if n < 2:
        raise ValueError(f"mean_se needs at least 2 values along axis {axis}, got {n}")
    return x.mean(axis), x.std(axis, ddof=1) / math.sqrt(n)
