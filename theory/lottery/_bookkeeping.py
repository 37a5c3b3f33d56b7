"""IMP bookkeeping: how many weights survive each level, as integer arithmetic independent
of the pruning code in `numerics.lottery`."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from theory.lottery._checks import check_int, check_number

__all__ = ["prune_count", "imp_counts"]


def prune_count(n_alive: int, fraction: float) -> int:
    r"""Weights removed at one level: \(\lceil f\,n\rceil\), with \(f\) read as an exact
    decimal (so that 0.2·15 is 3, not 3.0000000000000004 → 4).

    **Arguments:** `n_alive` an integer \(\ge0\); `fraction` in \([0,1]\).
    """
    n_alive = check_int("n_alive", n_alive, 0)
    check_number("fraction", fraction, 0.0, 1.0)
    f = Fraction(str(fraction))
    num = f.numerator * n_alive
    return -((-num) // f.denominator)


def imp_counts(n0: int, fraction: float, levels: int, convention: str = "exact") -> np.ndarray:
    r"""Surviving prunable weights after levels \(0..L\).

    `exact`: \(n_{L+1}=n_L-\lceil f n_L\rceil\). `reference`: the open_lth threshold removes
    one more weight per level when there are no ties, \(n_{L+1}=n_L-\lceil f n_L\rceil-1\).

    **Arguments:** `n0` and `levels` integers \(\ge0\); `fraction` in \([0,1]\).
    """
    if convention not in ("exact", "reference"):
        raise ValueError(f"convention must be 'exact' or 'reference', got {convention!r}")
    n0 = check_int("n0", n0, 0)
    levels = check_int("levels", levels, 0)
    check_number("fraction", fraction, 0.0, 1.0)
    out = [n0]
    for _ in range(levels):
        n = out[-1]
        k = prune_count(n, fraction) + (1 if convention == "reference" else 0)
        out.append(max(n - min(k, n), 0))
    return np.asarray(out, dtype=np.int64)
