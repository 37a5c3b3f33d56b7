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

import math

import numpy as np
from scipy import special

from theory.stochastic_collapse._checks import finite, nonneg, positive, positive_int

__all__ = [
    "mode_threshold",
    "mode_stationary_mean",
    "mode_stationary_variance",
    "mode_collapse_fraction",
    "mode_batch_noise",
    "mode_stationary_moments",
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
    scale = 2 * mode_threshold(eta, sigma)  # eta sigma^2: the Gamma scale is twice the threshold
    if np.all(scale == 0):
        return (s < eps).astype(float)
    k = s / scale - 0.5
    return np.where(k > 0, special.gammainc(np.where(k > 0, k, 1.0), eps / scale), 1.0)


def mode_batch_noise(x_proj, y_proj, batch_size: int, *, replace: bool = True):
    """Minibatch noise of each mode's residual gradient, as a quadratic in the mode's value.

    For the two-layer linear network \\( f(x) = xVU \\) with end-to-end map
    \\( W_e = \\sum_l p_l a_l b_l^\\top \\) (diagonal in orthonormal modes \\( a_l, b_l \\)), the
    per-sample gradient of \\( \\tfrac12\\lVert xW_e - y\\rVert^2 \\) projected on mode \\( k \\) is
    \\( z_{jk}(p_k) = c_{jk}\\,p_k - e_{jk} \\) with \\( c_{jk} = (a_k^\\top x_j)^2 \\),
    \\( e_{jk} = (a_k^\\top x_j)(b_k^\\top y_j) \\). The batch mean of \\( B \\) samples drawn
    uniformly has variance

    \\[
    \\sigma_k^2(p) = \\frac{f_B}{B}\\,\\mathrm{Var}_j\\big[z_{jk}(p)\\big]
      = q_2 p^2 + q_1 p + q_0 ,
    \\]

    with \\( f_B = 1 \\) with replacement and \\( (N - B)/(N - 1) \\) without (0 for the full
    batch). This is the \\( \\sigma^2 \\) of the per-mode update
    \\( u \\leftarrow u - \\eta(p - \\hat s + \\sigma\\xi)u \\) when \\( \\mathbb E_j c_{jk} = 1 \\)
    (whitened inputs along \\( a_k \\)).

    **Arguments:** `x_proj` `(N, M)` \\( = a_k^\\top x_j \\), `y_proj` `(N, M)` \\( = b_k^\\top y_j \\),
    `batch_size`, `replace` (sampling with replacement).

    **Returns:** `(q2, q1, q0)`, arrays of shape `(M,)` (\\( q_0 = \\sigma_k^2(0) \\)).

    **Raises:** `ValueError` unless `x_proj`, `y_proj` are finite arrays of equal shape
    `(N, M)` with `N >= 1`, `M >= 1`, and `batch_size` an integer >= 1 (<= N without
    replacement).
    """
    x = finite("x_proj", x_proj)
    y = finite("y_proj", y_proj)
    if x.shape != y.shape or x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x_proj and y_proj must be non-empty (N, M) arrays of equal shape, got {np.shape(x_proj)} and {np.shape(y_proj)}")
    N = x.shape[0]
    B = positive_int("batch_size", batch_size)
    if not replace and B > N:
        raise ValueError(f"batch_size must be <= N = {N} without replacement, got {B}")
    f = 1.0 / B if replace else (N - B) / (B * (N - 1)) if N > 1 else 0.0
    c, e = x * x, x * y
    cc, ee = c - c.mean(0), e - e.mean(0)
    return f * np.mean(cc * cc, 0), -2 * f * np.mean(cc * ee, 0), f * np.mean(ee * ee, 0)


def _log_density(q, s, eta, noise):
    # log of the stationary density of p per unit log p (density of u = log p), up to a
    # constant, on the grid q; the noise enters through the local threshold
    # theta(p) = eta sigma(p)^2 / 2, so that a constant sigma gives the Gamma law exactly
    q2, q1, q0 = noise
    thr = mode_threshold(eta, np.sqrt(np.maximum(q2 * q * q + q1 * q + q0, 0.0)))
    integrand = (s - q) / (2 * thr)  # d/du of the exponent: (s - p) / (eta sigma^2(p)) per unit u = log p
    u = np.log(q)
    expo = np.concatenate([[0.0], np.cumsum((integrand[1:] + integrand[:-1]) / 2 * np.diff(u))])
    return expo - 0.5 * u - np.log(thr), integrand[0]


def mode_stationary_moments(s, eta, noise, *, grid: int = 20001):
    """Stationary mean and variance of a mode whose SGD noise depends on its value.

    The per-mode SGF with \\( \\sigma^2(p) = q_2p^2 + q_1p + q_0 \\) (`mode_batch_noise`) is
    \\( dp = [2p(s - p) + \\eta\\sigma^2(p)p]\\,dt - 2\\sqrt\\eta\\,\\sigma(p)\\,p\\,dW \\). Its
    zero-flux density is

    \\[
    \\pi(p) \\propto \\frac{p^{-3/2}}{\\sigma^2(p)}\\,
      \\exp\\!\\int^p \\frac{s - r}{\\eta\\sigma^2(r)\\,r}\\,dr ,
    \\]

    normalisable iff \\( s > \\eta\\sigma^2(0)/2 \\) (the soft threshold with the noise at the
    invariant set \\( p = 0 \\)); below it the mode collapses and the law is the point mass at
    0. Without noise (all coefficients 0) the mode converges to \\( s \\); with constant
    \\( \\sigma \\) the law is the Gamma law of `mode_stationary_mean`. The noise enters through
    the local threshold \\( \\theta(p) = \\eta\\sigma^2(p)/2 \\) (`mode_threshold`). The moments are
    computed by quadrature in \\( \\log p \\) (`grid` points; the lower tail, a power law, in
    closed form).

    **Arguments:** `s` `(M,)` targets, `eta`, `noise` = `(q2, q1, q0)` (each scalar or `(M,)`).

    **Returns:** `(mean, var)`, arrays of shape `(M,)`.

    **Raises:** `ValueError` unless `s` is finite and >= 0, `eta` finite and > 0, the noise
    coefficients finite, broadcastable to `s`, and either all zero or such that
    \\( \\sigma^2(p) > 0 \\) for every \\( p \\ge 0 \\) (`q0 > 0`, `q2 >= 0`), and `grid` an integer
    >= 101.
    """
    s = np.atleast_1d(nonneg("s", s)).astype(float)
    eta = float(positive("eta", eta))
    if len(noise) != 3:
        raise ValueError(f"noise must be (q2, q1, q0), got {len(noise)} entries")
    try:
        q2, q1, q0 = (np.broadcast_to(finite(k, v), s.shape).astype(float) for k, v in zip(("q2", "q1", "q0"), noise))
    except ValueError as e:
        if "broadcast" in str(e):
            raise ValueError(f"the noise coefficients must be scalars or have the shape of s {s.shape}") from None
        raise
    quiet = (q0 == 0) & (q1 == 0) & (q2 == 0)
    bad = (q0 <= 0) | (q2 < 0) | ((q1 < 0) & (q1 * q1 >= 4 * q2 * q0))
    if np.any(bad & ~quiet):
        raise ValueError("noise must give sigma^2(p) = q2 p^2 + q1 p + q0 > 0 for every p >= 0 (q0 > 0, q2 >= 0), or be all zero (no noise)")
    n = positive_int("grid", grid)
    if n < 101:
        raise ValueError(f"grid must be an integer >= 101, got {grid}")
    mean, var = np.where(quiet, s, 0.0), np.zeros_like(s)  # without noise the mode converges to s
    for i in np.nonzero(~quiet)[0]:
        thr0 = float(mode_threshold(eta, np.sqrt(q0[i])))
        if s[i] <= thr0:
            continue
        k = s[i] / (2 * thr0) - 0.5  # power of the lower tail: pi(p) dp ~ p^(k - 1) dp
        lo = s[i] * math.exp(-30.0)  # below lo the integrand is constant to 1e-13: the tail is the closed form below
        # upper end: 80 Gamma scales (eta sigma^2 at p = s) above s, widened until the
        # upper tail (exponential, or a steep power law when q2 > 0) is negligible
        hi = s[i] + 80 * eta * float(q2[i] * s[i] ** 2 + q1[i] * s[i] + q0[i])
        for _ in range(8):
            q = np.exp(np.linspace(math.log(lo), math.log(hi), n))
            logw, _ = _log_density(q, s[i], eta, (q2[i], q1[i], q0[i]))
            logw -= logw.max()
            if logw[-1] < -60:
                break
            hi *= 10
        w = np.exp(logw)
        u = np.log(q)
        # tail below lo: w(u) ~ w(lo) exp(k (u - u_lo)), so the masses are w_lo / k, w_lo q_lo / (k + 1), ...
        z = np.trapezoid(w, u) + w[0] / k
        m1 = (np.trapezoid(w * q, u) + w[0] * q[0] / (k + 1)) / z
        m2 = (np.trapezoid(w * q * q, u) + w[0] * q[0] ** 2 / (k + 2)) / z
        mean[i], var[i] = m1, max(m2 - m1 * m1, 0.0)
    return mean, var


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
