r"""Gaussian width, the chi mean and Gordon's escape through a mesh (brief B.2)."""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special, stats

from theory.class_manifolds._checks import as_d, check_D, integer, real

__all__ = [
    "mean_chi",
    "gordon_escape_probability_bound",
    "gordon_d_star",
    "cap_support_function",
    "cap_width",
    "cap_width_mc",
    "gaussian_width_mc",
]


def mean_chi(m) -> np.ndarray:
    r"""\( a_m = \mathbb{E}\|g_m\| = \sqrt2\,\Gamma(\tfrac{m+1}2)/\Gamma(\tfrac m2) \) (brief B.2).

    **Arguments:**

    - `m`: degrees of freedom (finite, > 0), scalar or array.

    **Returns:** \( a_m \), computed through `gammaln` for large `m`.

    **Raises:** `ValueError` if any `m` is not finite and positive.
    """
    m = np.asarray(m, dtype=float)
    if not np.all(np.isfinite(m)) or np.any(m <= 0):
        raise ValueError(f"m must be finite and positive, got {m}")
    return np.sqrt(2.0) * np.exp(special.gammaln((m + 1) / 2) - special.gammaln(m / 2))


def gordon_escape_probability_bound(width: float, D: int, d) -> np.ndarray:
    r"""Gordon's lower bound on the probability that a random \( d \)-subspace misses \( S \).

    \[
    P(Y \cap S = \emptyset) \ge 1 - \exp\!\big(-(a_{D-d} - w(S))^2/2\big)
    \quad\text{when } w(S) < a_{D-d},
    \]

    and 0 (no bound) otherwise.

    **Arguments:**

    - `width`: \( w(S) \ge 0 \) of a subset of the unit sphere.
    - `D`: ambient dimension (integer \( \ge 2 \)). `d`: cut dimension(s) in \( [0, D] \).

    **Raises:** `ValueError` naming the argument out of range.
    """
    D = check_D(D)
    width = real("width", width, low=0.0)
    d = as_d(d, D)
    k = D - d
    a_k = np.where(k > 0, mean_chi(np.maximum(k, 1e-12)), 0.0)
    return np.where(width < a_k, 1.0 - np.exp(-((a_k - width) ** 2) / 2.0), 0.0)


def gordon_d_star(width_squared, D: int) -> np.ndarray:
    r"""Cut dimension at which Gordon's theorem says hits become likely: \( d^* = D - w^2 \).

    **Arguments:**

    - `width_squared`: \( w(\tilde S)^2 \), scalar or array, in \( [0, D] \) (the Gaussian width
      of a subset of the unit sphere is at most \( a_D < \sqrt D \)).
    - `D`: ambient dimension (integer \( \ge 2 \)).

    **Returns:** \( d^* \in [0, D] \).

    **Raises:** `ValueError` if `width_squared` is not finite or lies outside \( [0, D] \).
    """
    D = check_D(D)
    w2 = np.asarray(width_squared, dtype=float)
    if not np.all(np.isfinite(w2)) or np.any(w2 < 0) or np.any(w2 > D):
        raise ValueError(f"width_squared must be finite and lie in [0, D={D}], got {width_squared}")
    return D - w2


def cap_support_function(g_parallel, g_perp_norm, theta):
    r"""\( \sup_{x \in \mathrm{cap}(u, \theta)} \langle g, x\rangle \) from \( g_1 = \langle g,u\rangle \) and \( \|g_\perp\| \).

    Equals \( \|g\| \) when the angle of \( g \) to \( u \) is at most \( \theta \), else
    \( g_1\cos\theta + \|g_\perp\|\sin\theta \) (derivation `cap_width`).

    **Arguments:**

    - `g_parallel`: \( g_1 \), finite, scalar or array.
    - `g_perp_norm`: \( \|g_\perp\| \ge 0 \), finite, broadcastable with `g_parallel`.
    - `theta`: the cap's angular radius in \( [0, \pi/2] \).

    **Raises:** `ValueError` for non-finite values, a negative `g_perp_norm`, shapes that do
    not broadcast, or `theta` out of range.
    """
    theta = real("theta", theta, low=0.0, high=math.pi / 2)
    g1 = np.asarray(g_parallel, dtype=float)
    gp = np.asarray(g_perp_norm, dtype=float)
    if not np.all(np.isfinite(g1)):
        raise ValueError("g_parallel must be finite")
    if not np.all(np.isfinite(gp)) or np.any(gp < 0):
        raise ValueError("g_perp_norm must be finite and >= 0 (a norm)")
    try:
        np.broadcast_shapes(g1.shape, gp.shape)
    except ValueError:
        raise ValueError(f"g_parallel {g1.shape} and g_perp_norm {gp.shape} must have broadcastable shapes") from None
    norm = np.hypot(g1, gp)
    inside = (g1 > 0) & (gp <= g1 * np.tan(theta))
    return np.where(inside, norm, g1 * np.cos(theta) + gp * np.sin(theta))


def cap_width_mc(theta: float, D: int, n: int, rng: np.random.Generator) -> tuple[float, float]:
    r"""Monte-Carlo Gaussian width of a cap of angular radius `theta` on \( S^{D-1} \).

    Samples \( g \sim N(0, I_D) \) through \( (g_1, \|g_\perp\|) \) (exact in law) and averages the
    exact support function.

    **Arguments:**

    - `theta`: angular radius in \( [0, \pi/2] \). `D`: ambient dimension (integer \( \ge 2 \)).
    - `n`: number of draws (integer \( \ge 2 \)). `rng`: numpy Generator.

    **Returns:** `(width, stderr)`.
    """
    D = check_D(D)
    theta = real("theta", theta, low=0.0, high=math.pi / 2)
    n = integer("n", n, low=2)
    g1 = rng.standard_normal(n)
    gp = np.sqrt(rng.chisquare(D - 1, size=n))
    h = cap_support_function(g1, gp, theta)
    return float(h.mean()), float(h.std(ddof=1) / math.sqrt(n))


def cap_width(theta: float, D: int) -> float:
    r"""Gaussian width of a cap by quadrature (derivation `cap_width`).

    \[
    w = \mathbb{E}_{\rho \sim \chi_{D-1}}\Big[\int_{-\infty}^{\rho\cot\theta}(g\cos\theta+\rho\sin\theta)\varphi(g)\,dg
    + \int_{\rho\cot\theta}^{\infty}\sqrt{g^2+\rho^2}\,\varphi(g)\,dg\Big].
    \]

    **Arguments:** `theta` in \( (0, \pi/2) \); `D` an integer \( \ge 2 \).
    """
    D = check_D(D)
    theta = real("theta", theta, low=0.0, high=math.pi / 2, low_open=True, high_open=True)
    chi = stats.chi(D - 1)
    cot = 1.0 / math.tan(theta)

    def inner(rho: float) -> float:
        t = rho * cot
        outside = -math.cos(theta) * stats.norm.pdf(t) + rho * math.sin(theta) * stats.norm.cdf(t)
        inside, _ = integrate.quad(lambda g: math.hypot(g, rho) * stats.norm.pdf(g), t, np.inf)
        return outside + inside

    lo, hi = chi.ppf(1e-12), chi.ppf(1 - 1e-12)
    val, _ = integrate.quad(lambda rho: inner(rho) * chi.pdf(rho), lo, hi, limit=200)
    return float(val)


def gaussian_width_mc(
    points: np.ndarray, n: int, rng: np.random.Generator, *, normalise: bool = True
) -> tuple[float, float]:
    r"""Monte-Carlo Gaussian width of a set given by sample points: \( \mathbb{E}\max_i\langle g, x_i\rangle \).

    This is the estimator of brief B.7.2 ("take the max over sampled points"); it is a *lower*
    bound on the width of the sampled set's hull, tight only when the points cover the set densely.
    With `normalise=True` the points are first projected onto the unit sphere.

    **Arguments:**

    - `points`: `(N, D)` array of finite values, \( N \ge 1 \) (non-zero rows if `normalise`).
    - `n`: number of Gaussian draws (integer \( \ge 2 \)). `rng`: numpy Generator.

    **Returns:** `(width, stderr)`.
    """
    x = np.asarray(points, dtype=float)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"points must be a non-empty (N, D) array, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("points must be finite")
    n = integer("n", n, low=2)
    if normalise:
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        if np.any(norms == 0):
            raise ValueError("points must be non-zero rows when normalise=True (a zero row has no direction)")
        x = x / norms
    g = rng.standard_normal((n, x.shape[1]))
    h = (g @ x.T).max(axis=1)
    return float(h.mean()), float(h.std(ddof=1) / math.sqrt(n))
