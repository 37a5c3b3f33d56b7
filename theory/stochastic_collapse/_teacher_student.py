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

__all__ = [
    "mode_threshold",
    "mode_stationary_mean",
    "mode_stationary_variance",
    "mode_collapse_fraction",
    "teacher_student_surviving_modes",
    "teacher_student_test_mse",
    "two_phase_test_mse",
]


def _nonneg(name, v):
    v = np.asarray(v, dtype=float)
    if np.any(v < 0):
        raise ValueError(f"{name} must be non-negative")
    return v


def mode_threshold(eta, sigma):
    """Collapse threshold \\( \\eta\\sigma^2/2 \\) on a mode's target singular value."""
    return _nonneg("eta", eta) * _nonneg("sigma", sigma) ** 2 / 2


def mode_stationary_mean(s, eta, sigma):
    """Stationary \\( \\mathbb E[p] = \\max(s - \\eta\\sigma^2/2, 0) \\) (soft-thresholding)."""
    return np.maximum(np.asarray(s, dtype=float) - mode_threshold(eta, sigma), 0.0)


def mode_stationary_variance(s, eta, sigma):
    """Stationary \\( \\mathrm{Var}[p] = \\eta\\sigma^2 (s - \\eta\\sigma^2/2)_+ \\) (Gamma law)."""
    return _nonneg("eta", eta) * _nonneg("sigma", sigma) ** 2 * mode_stationary_mean(s, eta, sigma)


def mode_collapse_fraction(s, eta, sigma, eps: float):
    """Stationary \\( P(p < \\varepsilon) \\) of a mode.

    Above threshold it is the Gamma CDF, the regularised incomplete gamma function
    \\( P(k, \\varepsilon/(\\eta\\sigma^2)) \\) with \\( k = s/(\\eta\\sigma^2) - \\tfrac12 \\), which is large
    close to the threshold (small shape \\( k \\)); below threshold the law is the point mass
    at 0 and the value is 1. Without noise (\\( \\sigma = 0 \\)) it is \\( 1[s < \\varepsilon] \\).
    """
    if eps <= 0:
        raise ValueError("eps must be positive")
    s = np.asarray(s, dtype=float)
    scale = np.asarray(eta, float) * np.asarray(sigma, float) ** 2
    if np.all(scale == 0):
        return (s < eps).astype(float)
    k = s / scale - 0.5
    return np.where(k > 0, special.gammainc(np.where(k > 0, k, 1.0), eps / scale), 1.0)


def teacher_student_surviving_modes(s_hat, eta, sigma) -> int:
    """Number of modes above the threshold \\( \\eta\\sigma^2/2 \\)."""
    return int(np.sum(np.asarray(s_hat, float) > mode_threshold(eta, sigma)))


def teacher_student_test_mse(p_mean, p_var, d, w_norm2: float, n: int, m: int):
    """Expected test error \\( \\tfrac{1}{nm}\\mathbb E\\lVert U\\mathrm{diag}(p)V^\\top - W\\rVert_F^2 \\).

    With \\( d_i = (U^\\top W V)_{ii} \\) (the teacher's overlap with mode \\( i \\)):

    \\[
    \\mathbb E\\,\\mathrm{MSE} = \\frac{1}{nm}\\Big[\\sum_i (\\mathbb E p_i^2)
      - 2\\sum_i d_i\\,\\mathbb E p_i + \\lVert W\\rVert_F^2\\Big],\\qquad
    \\mathbb E p_i^2 = (\\mathbb E p_i)^2 + \\mathrm{Var}\\,p_i .
    \\]
    """
    p_mean = np.asarray(p_mean, float)
    p_var = np.asarray(p_var, float)
    d = np.asarray(d, float)
    if not (p_mean.shape == p_var.shape == d.shape):
        raise ValueError("p_mean, p_var and d must have the same shape")
    return float((np.sum(p_mean**2 + p_var) - 2 * np.sum(d * p_mean) + w_norm2) / (n * m))


def two_phase_test_mse(s_hat, d, w_norm2: float, n: int, m: int, eta1: float, eta2: float, sigma: float):
    """Test error after a long phase at \\( \\eta_1 \\) and a drop to \\( \\eta_2 < \\eta_1 \\).

    Modes with \\( \\hat s_i < \\eta_1\\sigma^2/2 \\) collapsed during phase 1 and stay at the
    invariant set \\( p = 0 \\) (collapse is irreversible); the others relax to the stationary
    law of \\( \\eta_2 \\) (mean \\( \\hat s_i - \\eta_2\\sigma^2/2 \\)). This is the limit of an
    arbitrarily long phase 1 followed by a long enough phase 2.
    """
    if not eta2 < eta1:
        raise ValueError("need eta2 < eta1")
    s_hat = np.asarray(s_hat, float)
    alive = s_hat > mode_threshold(eta1, sigma)
    mean = np.where(alive, mode_stationary_mean(s_hat, eta2, sigma), 0.0)
    var = np.where(alive, mode_stationary_variance(s_hat, eta2, sigma), 0.0)
    return teacher_student_test_mse(mean, var, d, w_norm2, n, m)
