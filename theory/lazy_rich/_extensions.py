"""Extensions: multiple outputs (hyperbolic entropy), wide/deep linear conserved matrices, ReLU neurons."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from theory.lazy_rich import _symbolic as sym
from theory.lazy_rich import _validate as val
from theory.lazy_rich._bias import _radial
from theory.lazy_rich._single_neuron import whitened_trajectory

__all__ = [
    "hyperbolic_entropy",
    "hyperbolic_entropy_grad",
    "singular_value_trajectory",
    "delta_balanced_factors",
    "conserved_matrices",
    "relu_deltas",
    "relu_scales",
]

_PSI = sp.lambdify((sym.sigma, sym.gam, sym.kk), sym.PSI, "numpy")


def _singular_values(x, name: str) -> np.ndarray:
    """Finite, nonnegative singular values."""
    sg = val.array(x, name)
    if np.any(sg < 0):
        raise ValueError(f"{name} holds singular values, which must be >= 0; got min {float(np.min(sg)):g}")
    return sg


def hyperbolic_entropy(sigma, delta, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""Hyperbolic-entropy potential of the singular-value mirror flow (derivation `lazy_rich.hyperbolic_entropy`).

    \[
    \psi_\gamma(\sigma) = \frac{1}{2k}\Big[\sigma\operatorname{arcsinh}(\sigma/\gamma) - \sqrt{\sigma^2 + \gamma^2}\Big],
    \qquad k = \sqrt{\eta_a\eta_w}, \quad \gamma = |\delta|/(2k),
    \]

    so that \( \frac{d}{dt}\psi'(\sigma) = -(\sigma - \sigma^*) \). It tends to the \( \ell^2 \) penalty
    \( \sigma^2/(4k\gamma) \) (plus a constant) as \( \gamma\to\infty \) and to \( \sigma\log(1/\gamma)/(2k) \)
    (\( \ell^1 \)) as \( \gamma \to 0 \).

    **Arguments:** `sigma` (singular values \( \ge 0 \), any shape), `delta` (nonzero, broadcastable),
    learning rates.

    **Returns:** \( \psi \), broadcast shape.

    **Raises:** `ValueError` for a negative `sigma` (a singular value), `delta = 0`, NaN/inf or
    non-positive learning rates.
    """
    k = np.sqrt(val.learning_rate(eta_a, "eta_a") * val.learning_rate(eta_w, "eta_w"))
    sg = _singular_values(sigma, "sigma")
    dl = val.array(delta, "delta")
    if np.any(dl == 0):
        raise ValueError("delta must be nonzero (gamma = 0 makes psi singular)")
    return _PSI(sg, np.abs(dl) / (2 * k), k)


def hyperbolic_entropy_grad(sigma, delta, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""\( \psi'(\sigma) = \operatorname{arcsinh}(2k\sigma/|\delta|)/(2k) \), the mirror variable.

    **Arguments and raises:** as `hyperbolic_entropy` (`sigma >= 0`, `delta != 0`).
    """
    k = np.sqrt(val.learning_rate(eta_a, "eta_a") * val.learning_rate(eta_w, "eta_w"))
    sg = _singular_values(sigma, "sigma")
    dl = val.array(delta, "delta")
    if np.any(dl == 0):
        raise ValueError("delta must be nonzero")
    return np.arcsinh(2 * k * sg / np.abs(dl)) / (2 * k)


def singular_value_trajectory(sigma0, sigma_star, delta, t, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""Exact singular-value dynamics of a \( \delta \)-balanced multi-output linear network.

    With \( \Delta = \eta_w A^\top A - \eta_a W W^\top = \delta I \), square shapes, whitened inputs and
    aligned singular vectors, each singular value solves

    \[
    \dot\sigma = -\sqrt{\delta^2 + 4\eta_a\eta_w\sigma^2}\,(\sigma - \sigma^*),
    \]

    which is the \( d = 1 \) single-neuron problem with \( a_0 w_0 = \sigma_0 \), \( \eta_w a_0^2 - \eta_a w_0^2 = \delta \);
    the exact solution is `whitened_trajectory` in one dimension.

    **Arguments:** `sigma0 >= 0`, `sigma_star >= 0` (same shape `batch`), `delta` (scalar), `t` (any shape).

    **Returns:** \( \sigma(t) \), shape `batch + t.shape`.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    s0 = val.array(sigma0, "sigma0")
    ss = val.array(sigma_star, "sigma_star")
    if s0.shape != ss.shape:
        raise ValueError(f"sigma0 and sigma_star must have the same shape, got {s0.shape} and {ss.shape}")
    if np.any(s0 < 0) or np.any(ss < 0):
        raise ValueError("singular values sigma0 and sigma_star must be nonnegative")
    dl = val.scalar(delta, "delta")
    k = np.sqrt(eta_a * eta_w)
    _, plus, minus = _radial(k * s0, np.full(s0.shape, dl))
    a0 = plus / np.sqrt(eta_w)
    w0 = np.where(s0 > 0, minus, np.sqrt(max(-dl, 0.0))) / np.sqrt(eta_a)
    if np.any((a0 == 0) & (w0 == 0)):
        raise ValueError("sigma0 = 0 with delta = 0 is the saddle at the origin (sigma stays 0)")
    a, w = whitened_trajectory(a0, w0[..., None], ss[..., None], t, eta_a, eta_w)
    return a * w[..., 0]


def delta_balanced_factors(beta, delta, eta_a: float = 1.0, eta_w: float = 1.0, rotation=None):
    r"""Factors \( A, W \) with \( AW = \beta \) and \( \eta_w A^\top A - \eta_a W W^\top = \delta I \) (square \( \beta \)).

    From the SVD \( \beta = U\operatorname{diag}(\sigma)V^\top \): \( A = U\operatorname{diag}(\alpha)O^\top \),
    \( W = O\operatorname{diag}(\omega)V^\top \) with \( \eta_w\alpha^2 = (\Sigma + \delta)/2 \),
    \( \eta_a\omega^2 = (\Sigma - \delta)/2 \), \( \Sigma = \sqrt{\delta^2 + 4\eta_a\eta_w\sigma^2} \), and any
    orthogonal \( O \) (`rotation`, default identity).

    **Returns:** `(A, W)`, both of shape `(c, c)`.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    beta = val.array(beta, "beta", min_ndim=2)
    if beta.ndim != 2 or beta.shape[0] != beta.shape[1]:
        raise ValueError(f"beta must be a square matrix, got shape {beta.shape}")
    dl = val.scalar(delta, "delta")
    c = beta.shape[0]
    O = np.eye(c) if rotation is None else val.array(rotation, "rotation", min_ndim=2)
    if O.shape != (c, c) or not np.allclose(O.T @ O, np.eye(c), atol=1e-10):
        raise ValueError(f"rotation must be an orthogonal ({c}, {c}) matrix")
    U, sv, Vt = np.linalg.svd(beta)
    k = np.sqrt(eta_a * eta_w)
    _, plus, minus = _radial(k * sv, np.full(sv.shape, dl))
    alpha = plus / np.sqrt(eta_w)
    omega = minus / np.sqrt(eta_a)
    if dl < 0:  # zero singular values: alpha = 0, omega = sqrt(|delta|/eta_a)
        omega = np.where(sv > 0, omega, np.sqrt(-dl / eta_a))
    elif dl > 0:
        alpha = np.where(sv > 0, alpha, np.sqrt(dl / eta_w))
    return U @ np.diag(alpha) @ O.T, O @ np.diag(omega) @ Vt


def conserved_matrices(weights: Sequence, etas: Sequence[float] | None = None) -> list[np.ndarray]:
    r"""Conserved matrices of a deep linear network \( f(x) = W_L\cdots W_1 x \) (derivation `lazy_rich.deep_conservation`).

    \[
    \Delta_l = \eta_l W_{l+1}^\top W_{l+1} - \eta_{l+1} W_l W_l^\top, \qquad l = 1, \dots, L-1,
    \]

    each constant along gradient flow with per-layer learning rates \( \eta_l \). For \( L = 2 \) and a single
    hidden neuron (\( W_1 = w^\top \), \( W_2 = a \)) this is \( \eta_w a^2 - \eta_a\|w\|^2 \)... with the roles of
    \( \eta \) as in the paper: \( \Delta_1 = \eta_1 W_2^\top W_2 - \eta_2 W_1W_1^\top \). The diagonal of
    \( \Delta \) for a wide two-layer net holds the per-neuron \( \delta_k \).

    **Arguments:** `weights`: matrices `[W_1, ..., W_L]`, `W_l` of shape `(n_l, n_{l-1})`; `etas`: learning
    rates (default all 1).

    **Returns:** `[Delta_1, ..., Delta_{L-1}]`, `Delta_l` of shape `(n_l, n_l)`.
    """
    Ws = [val.array(W, f"weights[{i}]", min_ndim=2) for i, W in enumerate(weights)]
    if len(Ws) < 2:
        raise ValueError("weights must hold at least two layers")
    for i in range(len(Ws) - 1):
        if Ws[i + 1].shape[1] != Ws[i].shape[0]:
            raise ValueError(f"weights[{i + 1}] has {Ws[i + 1].shape[1]} columns but weights[{i}] has {Ws[i].shape[0]} rows")
    etas = [1.0] * len(Ws) if etas is None else [val.learning_rate(e, f"etas[{i}]") for i, e in enumerate(etas)]
    if len(etas) != len(Ws):
        raise ValueError(f"etas must have one entry per layer ({len(Ws)}), got {len(etas)}")
    return [etas[i] * Ws[i + 1].T @ Ws[i + 1] - etas[i + 1] * Ws[i] @ Ws[i].T for i in range(len(Ws) - 1)]


def relu_deltas(a, W, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""Per-neuron conserved quantities of a two-layer (leaky-)ReLU net \( f(x) = \sum_k a_k\sigma(w_k^\top x) \).

    \( \delta_k = \eta_w a_k^2 - \eta_a\|w_k\|^2 \) is conserved (positive homogeneity, \( \sigma'(z)z = \sigma(z) \));
    the off-diagonal entries of \( \eta_w aa^\top - \eta_a WW^\top \) are not.

    **Arguments:** `a` shape `(..., m)`, `W` shape `(..., m, d)`.

    **Returns:** \( \delta_k \), shape `(..., m)`.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    a, W = val.readout_and_layer(a, W, "a", "W")
    return eta_w * a**2 - eta_a * np.sum(W**2, -1)


def relu_scales(tau, delta) -> tuple[np.ndarray, np.ndarray]:
    r"""Neuron norms for overall scale \( \tau \) and relative scale \( \delta \) (official code, Fig. 1).

    \( \|w_k\| = \tau\alpha \), \( |a_k| = \tau/\alpha \), \( \alpha^2 = (\sqrt{4 + (\delta/\tau^2)^2} - \delta/\tau^2)/2 \),
    so that \( |a_k|\|w_k\| = \tau^2 \) and \( a_k^2 - \|w_k\|^2 = \delta \) (unit learning rates).

    **Returns:** `(norm_w, abs_a)`, broadcast shape of `tau` and `delta`.
    """
    tau = val.array(tau, "tau")
    dl = val.array(delta, "delta")
    if np.any(tau <= 0):
        raise ValueError("tau must be positive")
    x = dl / tau**2
    # alpha^2 = (sqrt(4 + x^2) - x)/2 = 2/(sqrt(4 + x^2) + x), the stable branch per sign
    alpha2 = np.where(x <= 0, (np.sqrt(4 + x**2) - x) / 2, 2 / (np.sqrt(4 + x**2) + x))
    alpha = np.sqrt(alpha2)
    return tau * alpha, tau / alpha
