r"""Projection lengths: random and magnitude pruning, and \(\rho_L\) of repeated pruning."""

from __future__ import annotations

import math

import numpy as np
import scipy.special

from theory.lottery._checks import check_finite_array, check_int, check_number

__all__ = [
    "r2_random",
    "r2_magnitude_gaussian",
    "r2_magnitude_empirical",
    "rho_oneshot_gaussian",
    "rho_retrained_gaussian",
]


def r2_random(p_: float, norm_sq: float) -> float:
    r"""Expected squared projection length of random pruning: \(r^2 = p\|w^*\|^2\)
    (`p_` in \([0,1]\), `norm_sq` \(\ge0\))."""
    check_number("p_", p_, 0.0, 1.0)
    check_number("norm_sq", norm_sq, 0.0)
    return float(p_ * norm_sq)


def _trunc_m2(zv):
    zv = np.asarray(zv, dtype=float)
    return (2 * scipy.special.ndtr(zv) - 1) - 2 * zv * np.exp(-(zv**2) / 2) / np.sqrt(2 * np.pi)


def r2_magnitude_gaussian(p_: float, norm_sq: float) -> float:
    r"""Squared projection length of magnitude pruning for i.i.d. Gaussian weights.

    Pruning all \(|w_i|\le z_p\sigma\) with \(P(|Z|\le z_p)=p\):

    \[
    r^2 = \|w^*\|^2\,\bigl(p - 2 z_p\varphi(z_p)\bigr),\qquad z_p=\Phi^{-1}\!\bigl(\tfrac{1+p}{2}\bigr).
    \]

    **Arguments:** `p_` in \([0,1]\), `norm_sq` \(\ge0\).
    """
    check_number("p_", p_, 0.0, 1.0)
    check_number("norm_sq", norm_sq, 0.0)
    if p_ >= 1:
        return float(norm_sq)
    zp_ = scipy.special.ndtri((1 + p_) / 2)
    return float(norm_sq * _trunc_m2(zp_))


def r2_magnitude_empirical(p_: float, weights) -> float:
    r"""Sum of the smallest \(\lceil pD\rceil\) values of \(w_i^2\) (magnitude pruning);
    `p_` in \([0,1]\), `weights` finite (an empty vector gives 0)."""
    check_number("p_", p_, 0.0, 1.0)
    w2 = np.sort(check_finite_array("weights", weights).ravel() ** 2)
    k = int(math.ceil(p_ * w2.size - 1e-12))
    return float(w2[:k].sum())


def rho_oneshot_gaussian(level: int, keep: float = 0.8) -> float:
    r"""Relative projection length \(\rho_L\) of repeatedly pruning one Gaussian vector.

    With \(M(q)=E[Z^2;\,|Z|\ge z]=q+2z\varphi(z)\) the second moment of the top
    \(q\)-fraction (\(z=\Phi^{-1}(1-q/2)\)),
    \(\rho_L^2 = 1 - M(\alpha^{L+1})/M(\alpha^L)\). Level 0 is the first prune.

    **Arguments:** `level` an integer \(\ge0\); `keep` \(=\alpha\in(0,1]\), the kept
    fraction per level.
    """
    level = check_int("level", level, 0)
    check_number("keep", keep, 0.0, 1.0, lo_open=True)

    def m_top(q: float) -> float:
        if q >= 1:
            return 1.0
        zq = scipy.special.ndtri(1 - q / 2)
        return float(q + 2 * zq * np.exp(-(zq**2) / 2) / np.sqrt(2 * np.pi))

    m_next, m_here = m_top(keep ** (level + 1)), m_top(keep**level)
    if not (m_here > 0 and math.isfinite(m_next)):
        raise ValueError(f"level {level} with keep {keep} leaves no weights (keep**level underflows)")
    return float(math.sqrt(max(0.0, 1 - m_next / m_here)))


def rho_retrained_gaussian(keep: float = 0.8) -> float:
    r"""\(\rho\) when retraining restores a Gaussian weight profile at every level:
    the level-0 value of `rho_oneshot_gaussian`, independent of \(L\) (`keep` in
    \((0,1]\))."""
    return rho_oneshot_gaussian(0, keep)
