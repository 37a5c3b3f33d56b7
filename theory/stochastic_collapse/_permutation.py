"""The two-GELU-neuron toy of the official code (`one_hidden_layer/toy_model`, brief B.4.4):
attractivity of the permutation invariant set {w1 = w2, a1 = a2}.

The model is f(x) = a1 g(w1 x) + a2 g(w2 x) (g = exact GELU, no biases), trained on
L = mean((f - y - sigma xi)^2)/2 with fresh label noise xi every step and SGD with momentum
(torch's convention: b <- mu b + grad, theta <- theta - eta b). Normal to the set, in the
coordinates (dw, da) = (w1 - w2, a1 - a2), the per-step gradient is, to first order,

    M_k (dw, da),  M_k = mean_i r_i [[a x_i^2 g''(w x_i), x_i g'(w x_i)], [x_i g'(w x_i), 0]],

with r_i = f(x_i) - y_i - sigma xi_i the noisy residual on the set (the normal part of the
function's gradient vanishes there, so only the residual-weighted curvature remains). The
da-direction is exactly flat without noise (on the set f depends on a1 + a2 only), so at
sigma = 0 the set is neutral; the noise couples da to dw and makes it attractive (an Ito
effect), until at large sigma the on-set dynamics themselves move to where it is not.

`permutation_normal_exponent` gives the top Lyapunov exponent per step of this linearised
normal dynamics (4-dimensional with the momentum buffer) along the noisy on-set SGD
trajectory, estimated by Benettin renormalisation over independent chains: the exact
discrete-time criterion (collapse iff < 0), computed from the set-up alone.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from theory.stochastic_collapse._checks import data_pair, finite, nonneg, nonneg_int, positive, positive_int

__all__ = ["permutation_normal_exponent"]

_C = 1.0 / math.sqrt(2 * math.pi)


def _gelu(u):
    return 0.5 * u * (1 + erf(u / math.sqrt(2)))


def _gelu_d1(u):
    return 0.5 * (1 + erf(u / math.sqrt(2))) + u * np.exp(-u * u / 2) * _C


def _gelu_d2(u):
    return np.exp(-u * u / 2) * _C * (2 - u * u)


def permutation_normal_exponent(eta, sigmas, x, y, *, init=(0.8, -0.5), momentum: float = 0.9, n_chains: int = 16, steps: int = 8000,
                                burn: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per-step Lyapunov exponent normal to the permutation set of the two-GELU-neuron toy.

    **Arguments:**

    - `eta`: learning rate; `sigmas`: label-noise levels (array); `x`, `y`: the data.
    - `init`: the on-set start `(w, a)` (the official start's projection onto the set:
      w = (1.0 + 0.6)/2, a = (-0.6 - 0.4)/2); `momentum`: SGD momentum (official 0.9).
    - `n_chains`, `steps`, `burn`: independent chains per level, averaged steps after `burn`
      steps of burn-in; `seed`: the chains' noise.

    **Returns:** `(exponent, stderr)`, arrays over `sigmas` (mean over chains and its
    standard error). 0 at sigma = 0 (the flat direction). Negative: attractive; a diverged
    chain counts as +1e300 (not attractive).

    **Raises:** `ValueError` unless `eta` is finite and > 0, `sigmas` finite and >= 0,
    `x`, `y` finite non-empty of equal length, `init` two finite numbers, `momentum` in
    [0, 1), `n_chains`, `steps` integers >= 1, `burn`, `seed` integers >= 0.
    """
    eta = float(positive("eta", eta))
    sig = nonneg("sigmas", sigmas).ravel()
    x, y = data_pair(x, y)
    start = finite("init", init).ravel()
    if start.size != 2:
        raise ValueError(f"init must be two numbers (w, a), got {init}")
    w0, a0 = float(start[0]), float(start[1])
    if not 0.0 <= float(finite("momentum", momentum)) < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    P, T, burn, seed = positive_int("n_chains", n_chains), positive_int("steps", steps), nonneg_int("burn", burn), nonneg_int("seed", seed)
    if sig.size == 0:
        return np.zeros(0), np.zeros(0)
    rng = np.random.default_rng(seed)
    s = np.repeat(sig, P)[:, None]
    R, N = s.shape[0], x.size
    w, a = np.full((R, 1), w0), np.full((R, 1), a0)
    bw, ba = np.zeros_like(w), np.zeros_like(a)
    z = rng.standard_normal((R, 2))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    zb = np.zeros((R, 2))
    acc = np.zeros(R)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(T + burn):
            u = w * x
            G, G1 = _gelu(u), _gelu_d1(u)
            r = 2 * a * G - y - s * rng.standard_normal((R, N))
            m11, m12 = (r * a * x * x * _gelu_d2(u)).mean(1), (r * x * G1).mean(1)
            Mz = np.stack([m11 * z[:, 0] + m12 * z[:, 1], m12 * z[:, 0]], 1)
            zb = momentum * zb + Mz
            z = z - eta * zb
            gw, ga = (r * a * G1 * x).mean(1, keepdims=True), (r * G).mean(1, keepdims=True)
            bw, ba = momentum * bw + gw, momentum * ba + ga
            w, a = w - eta * bw, a - eta * ba
            n = np.sqrt((z**2).sum(1) + (zb**2).sum(1))
            z, zb = z / n[:, None], zb / n[:, None]
            if k >= burn:
                acc += np.log(n)
    lam = (acc / T).reshape(sig.size, P)
    lam = np.where(np.isfinite(lam), lam, np.inf)  # a diverged chain: not attractive
    mean = lam.mean(1)
    se = lam.std(1, ddof=1) / math.sqrt(P) if P > 1 else np.zeros(sig.size)
    return np.where(np.isfinite(mean), mean, 1e300), np.where(np.isfinite(se), se, 0.0)
