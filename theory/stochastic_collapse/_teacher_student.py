"""The diagonal linear teacher–student model: SGD noise soft-thresholds singular values.

Setting (paper §6 / Fig. 5, official diagonal script): inputs with \\( X^\\top X = I \\), labels
\\( y = XW + \\text{noise} \\), a two-layer linear student written in the SVD basis of
\\( X^\\top y = U\\,\\mathrm{diag}(\\hat s)\\,V^\\top \\). The loss decouples into modes
\\( \\tfrac12(u_i v_i - \\hat s_i)^2 \\); SGD adds fresh \\( N(0, \\sigma^2) \\) noise to each mode's
residual, and with \\( u_i = v_i \\) the update of a mode is

\\[
u_{k+1} = u_k - \\eta\\,(u_k^2 - s + \\sigma\\xi_k)\\,u_k .
\\]

For \\( p = u^2 \\) the Itô SGF (time \\( t = \\eta k \\)) is
\\( dp = 2p(s + \\eta\\sigma^2/2 - p)\\,dt - 2\\sqrt\\eta\\,\\sigma p\\,dW \\), so
\\( \\log p \\) has drift \\( 2(s - \\eta\\sigma^2/2 - p) \\): mode \\( i \\) collapses to the
invariant set \\( p = 0 \\) iff \\( s_i < \\eta\\sigma^2/2 \\); otherwise \\( p \\) has the stationary
law Gamma(\\( k = s/(\\eta\\sigma^2) - \\tfrac12 \\), scale \\( \\eta\\sigma^2 \\)) with mean
\\( s - \\eta\\sigma^2/2 \\). These closed forms are our derivation (checked in
`derivations()`); the setup is the paper's.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from theory.stochastic_collapse._checks import finite, nonneg, positive, positive_int

__all__ = [
    "mode_threshold",
    "mode_stationary_mean",
    "mode_stationary_variance",
    "mode_collapse_fraction",
    "teacher_student_surviving_modes",
    "teacher_student_test_mse",
    "two_phase_test_mse",
]


def mode_threshold(eta, sigma):
    """Collapse threshold \\( \\eta\\sigma^2/2 \\) on a mode's target singular value.

    **Raises:** `ValueError` unless `eta` and `sigma` are finite and >= 0.
    """
    return nonneg("eta", eta) * nonneg("sigma", sigma) ** 2 / 2


def mode_stationary_mean(s, eta, sigma):
    """Stationary \\( \\mathbb E[p] = \\max(s - \\eta\\sigma^2/2, 0) \\) (soft-thresholding).

    **Raises:** `ValueError` unless `s`, `eta` and `sigma` are finite and >= 0.
    """
    return np.maximum(nonneg("s", s) - mode_threshold(eta, sigma), 0.0)


def mode_stationary_variance(s, eta, sigma):
    """Stationary \\( \\mathrm{Var}[p] = \\eta\\sigma^2 (s - \\eta\\sigma^2/2)_+ \\) (Gamma law).

    **Raises:** `ValueError` unless `s`, `eta` and `sigma` are finite and >= 0.
    """
    return nonneg("eta", eta) * nonneg("sigma", sigma) ** 2 * mode_stationary_mean(s, eta, sigma)


def mode_collapse_fraction(s, eta, sigma, eps: float):
    """Stationary \\( P(p < \\varepsilon) \\) of a mode.

    Above threshold it is the Gamma CDF, the regularised incomplete gamma function
    \\( P(k, \\varepsilon/(\\eta\\sigma^2)) \\) with \\( k = s/(\\eta\\sigma^2) - \\tfrac12 \\), which is large
    close to the threshold (small shape \\( k \\)); below threshold the law is the point mass
    at 0 and the value is 1. Without noise (\\( \\eta\\sigma^2 = 0 \\)) it is \\( 1[s < \\varepsilon] \\).

    **Raises:** `ValueError` unless `eps` is finite and > 0 and `s`, `eta`, `sigma` are finite
    and >= 0.
    """
    eps = float(positive("eps", eps))
    s = nonneg("s", s)
    scale = nonneg("eta", eta) * nonneg("sigma", sigma) ** 2
    if np.all(scale == 0):
        return (s < eps).astype(float)
    k = s / scale - 0.5
    return np.where(k > 0, special.gammainc(np.where(k > 0, k, 1.0), eps / scale), 1.0)


def teacher_student_surviving_modes(s_hat, eta, sigma) -> int:
    """Number of modes above the threshold \\( \\eta\\sigma^2/2 \\).

    **Raises:** `ValueError` unless `s_hat`, `eta` and `sigma` are finite and >= 0.
    """
    return int(np.sum(nonneg("s_hat", s_hat) > mode_threshold(eta, sigma)))


def teacher_student_test_mse(p_mean, p_var, d, w_norm2: float, n: int, m: int):
    """Expected test error \\( \\tfrac{1}{nm}\\mathbb E\\lVert U\\mathrm{diag}(p)V^\\top - W\\rVert_F^2 \\).

    With \\( d_i = (U^\\top W V)_{ii} \\) (the teacher's overlap with mode \\( i \\)):

    \\[
    \\mathbb E\\,\\mathrm{MSE} = \\frac{1}{nm}\\Big[\\sum_i (\\mathbb E p_i^2)
      - 2\\sum_i d_i\\,\\mathbb E p_i + \\lVert W\\rVert_F^2\\Big],\\qquad
    \\mathbb E p_i^2 = (\\mathbb E p_i)^2 + \\mathrm{Var}\\,p_i .
    \\]

    **Raises:** `ValueError` unless `p_mean`, `p_var` (the modes' singular values \\( p = u^2 \\)
    and their variances) and `w_norm2` are finite and >= 0, `d` is finite with the shape of
    `p_mean` and `p_var`, and `n`, `m` are integers >= 1.
    """
    p_mean = nonneg("p_mean", p_mean)
    p_var = nonneg("p_var", p_var)
    d = finite("d", d)
    if not (p_mean.shape == p_var.shape == d.shape):
        raise ValueError(f"p_mean, p_var and d must have the same shape, got {p_mean.shape}, {p_var.shape}, {d.shape}")
    w_norm2 = float(nonneg("w_norm2", w_norm2))
    n, m = positive_int("n", n), positive_int("m", m)
    return float((np.sum(p_mean**2 + p_var) - 2 * np.sum(d * p_mean) + w_norm2) / (n * m))


def two_phase_test_mse(s_hat, d, w_norm2: float, n: int, m: int, eta1: float, eta2: float, sigma: float):
    """Test error after a long phase at \\( \\eta_1 \\) and a drop to \\( \\eta_2 < \\eta_1 \\).

    Modes with \\( \\hat s_i < \\eta_1\\sigma^2/2 \\) collapsed during phase 1 and stay at the
    invariant set \\( p = 0 \\) (collapse is irreversible); the others relax to the stationary
    law of \\( \\eta_2 \\) (mean \\( \\hat s_i - \\eta_2\\sigma^2/2 \\)). This is the limit of an
    arbitrarily long phase 1 followed by a long enough phase 2.

    **Raises:** `ValueError` unless `0 <= eta2 < eta1` (finite), `s_hat` and `sigma` are
    finite and >= 0, and the arguments of `teacher_student_test_mse` are valid.
    """
    eta1, eta2 = float(nonneg("eta1", eta1)), float(nonneg("eta2", eta2))
    if not eta2 < eta1:
        raise ValueError(f"need eta2 < eta1, got eta1={eta1}, eta2={eta2}")
    s_hat = nonneg("s_hat", s_hat)
    alive = s_hat > mode_threshold(eta1, sigma)
    mean = np.where(alive, mode_stationary_mean(s_hat, eta2, sigma), 0.0)
    var = np.where(alive, mode_stationary_variance(s_hat, eta2, sigma), 0.0)
    return teacher_student_test_mse(mean, var, d, w_norm2, n, m)
