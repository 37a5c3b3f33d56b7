"""Attractivity thresholds of the paper's toy models in closed form.

Conventions (paper §4; the noise scaling is the one of the official notebooks): the
stochastic gradient flow is the Itô SDE

\\[
d\\theta_t = -\\nabla L(\\theta_t)\\,dt + \\sqrt{2 D(\\theta_t)}\\,dW_t ,
\\]

and an invariant set \\( \\{\\theta = 0\\} \\) (normal coordinate \\( \\theta \\)) with
\\( L'(0) = D(0) = D'(0) = 0 \\) is attractive when

\\[
\\alpha = L''(0) + \\tfrac12 D''(0) > 0 ,
\\]

the quantity quoted as the paper's 1-D criterion. The linearised SDE is a geometric Brownian
motion with Lyapunov exponent \\( -\\alpha \\). Lyapunov exponents below are those of the
linearised dynamics normal to the set: negative means attractive.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import optimize, special

from theory.stochastic_collapse._checks import data_pair, finite, nonneg, positive, positive_int

__all__ = [
    "attractivity_1d",
    "quartic_alpha",
    "quartic_threshold",
    "quartic_lyapunov_exponent",
    "quartic_lyapunov_exponent_em",
    "quartic_stationary_density",
    "quartic_stationary_mass",
    "neuron_exponents",
    "neuron_threshold_eta",
    "expected_log_abs_normal",
    "sgd_neuron_exponent",
    "sgd_neuron_threshold",
    "sgd_neuron_threshold_small_eta",
]


def attractivity_1d(loss: sp.Expr, diffusion: sp.Expr, theta: sp.Symbol) -> sp.Expr:
    """The 1-D attractivity \\( \\alpha = L''(0) + \\tfrac12 D''(0) \\).

    **Arguments:**

    - `loss`: \\( L(\\theta) \\) as a sympy expression.
    - `diffusion`: \\( D(\\theta) \\) with \\( d\\theta = -L'\\,dt + \\sqrt{2D}\\,dW \\).
    - `theta`: the normal coordinate (the set is \\( \\theta = 0 \\)).

    **Returns:** \\( \\alpha \\); the set is attractive when \\( \\alpha > 0 \\).

    **Raises:** `ValueError` when \\( \\theta = 0 \\) is not invariant (\\( L'(0) \\neq 0 \\) or
    \\( D(0) \\neq 0 \\)).
    """
    if sp.simplify(sp.diff(loss, theta).subs(theta, 0)) != 0 or sp.simplify(diffusion.subs(theta, 0)) != 0:
        raise ValueError("theta = 0 is not invariant: need L'(0) = 0 and D(0) = 0")
    return sp.simplify(sp.diff(loss, theta, 2).subs(theta, 0) + sp.diff(diffusion, theta, 2).subs(theta, 0) / 2)


# --------------------------------------------------------------------------- quartic well


def quartic_alpha(mu, zeta):
    """\\( \\alpha = \\zeta^2/2 - \\mu \\) for \\( L = \\theta^4/4 - \\mu\\theta^2/2 \\) and
    \\( d\\theta = -L'dt + \\zeta\\theta\\,dW \\) (paper §4, Fig. 1).

    **Raises:** `ValueError` for a non-finite `mu` or `zeta`.
    """
    return finite("zeta", zeta) ** 2 / 2 - finite("mu", mu)


def quartic_threshold(mu):
    """Noise threshold \\( \\zeta^* = \\sqrt{2\\mu} \\): the local maximum at 0 is attractive for
    \\( \\zeta > \\zeta^* \\).

    **Raises:** `ValueError` unless `mu` is finite and > 0 (for \\( \\mu \\le 0 \\) the origin
    is a minimum, attractive at any noise level).
    """
    return np.sqrt(2 * positive("mu", mu))


def quartic_lyapunov_exponent(mu, zeta):
    """Lyapunov exponent \\( \\mu - \\zeta^2/2 = -\\alpha \\) of the linearised SDE at 0.

    **Raises:** `ValueError` for a non-finite `mu` or `zeta`.
    """
    return -quartic_alpha(mu, zeta)


def quartic_lyapunov_exponent_em(mu, zeta, dt):
    """Per-unit-time Lyapunov exponent of the Euler–Maruyama scheme linearised at 0.

    \\[
    \\lambda_{dt} = \\frac{1}{dt}\\,\\mathbb E \\log\\lvert 1 + \\mu\\,dt + \\zeta\\sqrt{dt}\\,Z\\rvert ,
    \\]

    which tends to \\( \\mu - \\zeta^2/2 \\) as \\( dt \\to 0 \\) (the scheme's own bias).

    **Raises:** `ValueError` unless `mu` is finite and `zeta`, `dt` are finite and > 0.
    """
    mu = finite("mu", mu)
    zeta = positive("zeta", zeta)
    dt = float(positive("dt", dt))
    return expected_log_abs_normal(1 + mu * dt + 0 * zeta, zeta * np.sqrt(dt)) / dt


def quartic_stationary_density(theta, mu, zeta):
    """Normalised stationary density below threshold (\\( \\zeta^2 < 2\\mu \\)):

    \\[
    p(\\theta) \\propto \\lvert\\theta\\rvert^{2\\mu/\\zeta^2 - 2} e^{-\\theta^2/\\zeta^2} .
    \\]

    At \\( \\theta = 0 \\) the density is 0 for \\( \\zeta^2 < \\mu \\) and infinite (an integrable
    singularity) for \\( \\zeta^2 > \\mu \\).

    **Raises:** `ValueError` if \\( \\zeta^2 \\ge 2\\mu \\) (no normalisable density: collapse),
    for a non-finite `theta` or `mu`, or unless `zeta` is finite and > 0.
    """
    theta = finite("theta", theta)
    mu = float(finite("mu", mu))
    zeta = float(positive("zeta", zeta))
    if zeta**2 >= 2 * mu:
        raise ValueError("no stationary density at or above the threshold zeta^2 >= 2 mu")
    a = mu / zeta**2 - 0.5
    theta = np.abs(theta)
    # integral over the real line of |t|^{2a-1} e^{-t^2/z^2} = z^{2a} Gamma(a)
    log_norm = 2 * a * math.log(zeta) + special.gammaln(a)
    with np.errstate(divide="ignore"):
        return np.exp((2 * a - 1) * np.log(theta) - theta**2 / zeta**2 - log_norm)


def quartic_stationary_mass(eps, mu, zeta):
    """Stationary probability \\( P(\\lvert\\theta\\rvert < \\varepsilon) \\).

    Below threshold it is the regularised lower incomplete gamma function
    \\( P(a, \\varepsilon^2/\\zeta^2) \\) with \\( a = \\mu/\\zeta^2 - \\tfrac12 \\); at or above
    threshold the stationary law is the point mass at 0 and the value is 1 (so also for any
    \\( \\mu \\le 0 \\), where the origin is a minimum).

    **Raises:** `ValueError` unless `eps` and `zeta` are finite and > 0 and `mu` is finite.
    """
    eps = float(positive("eps", eps))
    mu = finite("mu", mu)
    zeta = positive("zeta", zeta)
    a = mu / zeta**2 - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        below = special.gammainc(np.where(a > 0, a, 1.0), eps**2 / zeta**2)
    return np.where(a > 0, below, 1.0)


# --------------------------------------------------------------------------- single neuron (SDE)


def neuron_exponents(eta, zeta, x, y, slope: float = 1.0):
    """Lyapunov exponents of the single neuron \\( \\hat y = w_2\\sigma(w_1 x) \\) at \\( w = 0 \\).

    Label-noise SGF of the paper's Fig. 2 notebook: diffusion column \\( i \\) is
    \\( \\sqrt{\\eta}\\,\\zeta\\,\\nabla_w\\hat y_i/\\sqrt m \\). Linearised at 0,
    \\( dw = J w\\,(s\\,dt + c\\,dB) \\) with \\( J = [[0,1],[1,0]] \\),
    \\( s = \\sigma'(0)\\sum x y/m \\), \\( c^2 = \\eta\\zeta^2\\sigma'(0)^2\\sum x^2/m \\); along
    \\( (1, \\pm 1) \\) the exponents are \\( \\pm s - c^2/2 \\).

    **Arguments:**

    - `eta`, `zeta`: learning rate and label-noise level (arrays broadcast).
    - `x`, `y`: the data.
    - `slope`: \\( \\sigma'(0) \\) (1 for tanh).

    **Returns:** `(lambda_plus, lambda_minus)`.

    **Raises:** `ValueError` for non-finite, empty or unequal-length `x`, `y`, unless `eta`
    and `zeta` are finite and >= 0 and `slope` is finite and > 0.
    """
    x, y = data_pair(x, y)
    eta = nonneg("eta", eta)
    zeta = nonneg("zeta", zeta)
    slope = float(positive("slope", slope))
    m = x.size
    s = slope * float(x @ y) / m
    c2 = eta * zeta**2 * slope**2 * float(x @ x) / m
    return s - c2 / 2, -s - c2 / 2


def neuron_threshold_eta(zeta, x, y, slope: float = 1.0):
    """Learning-rate threshold \\( \\eta^* = 2\\sum x y/(\\zeta^2\\sigma'(0)\\sum x^2) \\) above which
    the saddle at \\( w = 0 \\) is attractive.

    **Raises:** `ValueError` unless \\( \\sum x y > 0 \\) (otherwise the two normal directions
    swap roles), for non-finite, empty or unequal-length `x`, `y`, or unless `zeta` and
    `slope` are finite and > 0.
    """
    x, y = data_pair(x, y)
    zeta = positive("zeta", zeta)
    slope = float(positive("slope", slope))
    if not float(x @ y) > 0:
        raise ValueError(f"neuron_threshold_eta needs sum(x * y) > 0, got {float(x @ y)}")
    return 2 * float(x @ y) / (zeta**2 * slope * float(x @ x))


# --------------------------------------------------------------------------- single neuron (SGD)


def expected_log_abs_normal(mu, sd):
    """\\( \\mathbb E \\log\\lvert\\mu + \\mathrm{sd}\\,Z\\rvert \\) for \\( Z \\sim N(0, 1) \\), elementwise.

    Closed form through the non-central \\( \\chi^2_1 \\) law: with \\( \\lambda = \\mu^2/\\mathrm{sd}^2 \\),

    \\[
    \\mathbb E \\log\\lvert X\\rvert = \\tfrac12\\Big[\\log(2\\,\\mathrm{sd}^2)
      + \\sum_{j\\ge 0} e^{-\\lambda/2}\\frac{(\\lambda/2)^j}{j!}\\,\\psi(j + \\tfrac12)\\Big],
    \\]

    and, when \\( r = \\mathrm{sd}/\\lvert\\mu\\rvert < 0.05 \\), the asymptotic series
    \\( \\log\\lvert\\mu\\rvert - r^2/2 - 3r^4/4 - 15r^6/6 - 105r^8/8 - 945 r^{10}/10 \\)
    (error below \\( 10^{-13} \\)).

    **Raises:** `ValueError` for a non-finite `mu`, unless every `sd` is finite and > 0, or
    when the shapes of `mu` and `sd` do not broadcast.
    """
    mu, sd = finite("mu", mu), positive("sd", sd)
    try:
        mu, sd = np.broadcast_arrays(mu, sd)
    except ValueError:
        raise ValueError(f"mu and sd must broadcast, got shapes {mu.shape} and {sd.shape}") from None
    out = np.empty(mu.shape)
    with np.errstate(divide="ignore"):
        r = sd / np.abs(mu)
    big = r < 0.05
    rb = r[big]
    out[big] = np.log(np.abs(mu[big])) - rb**2 / 2 - 3 * rb**4 / 4 - 15 * rb**6 / 6 - 105 * rb**8 / 8 - 945 * rb**10 / 10
    if np.any(~big):
        lam2_all = 0.5 * (mu[~big] / sd[~big]) ** 2  # <= 200 here
        # Poisson(lam2) weights: terms beyond lam2 + 12 sqrt(lam2) + 30 are below 1e-16;
        # rows are bucketed by the number of terms they need
        need = lam2_all + 12 * np.sqrt(lam2_all) + 30
        res = np.empty(lam2_all.shape)
        lo = 0.0
        for n_terms in (64, 128, 256, 512):
            rows = (need > lo) & (need <= n_terms)
            lo = n_terms
            if not np.any(rows):
                continue
            lam2 = lam2_all[rows]
            j = np.arange(n_terms)
            logw = -lam2[:, None] + j[None, :] * np.log(np.maximum(lam2[:, None], 1e-300)) - special.gammaln(j + 1)[None, :]
            res[rows] = (np.exp(logw) * special.digamma(0.5 + j)).sum(-1)
        out[~big] = 0.5 * (np.log(2 * sd[~big] ** 2) + res)
    return out


def _batch_moments(x, y, batch_size: int, n_batches: int | None, rng):
    """Per-batch (mean of x y, sqrt(sum x^2)/B) over all batches or a sample of them.

    Batches are `batch_size` indices drawn uniformly with replacement. All `m**B` tuples
    are enumerated when that is at most 2e5, else `n_batches` are sampled with `rng`.
    """
    m = x.size
    batch_size = positive_int("batch_size", batch_size)
    if m**batch_size <= 200_000:
        idx = np.array(list(np.ndindex(*([m] * batch_size))))
        exact = True
    else:
        if rng is None or n_batches is None:
            raise ValueError("batch_size too large to enumerate: pass n_batches and rng")
        idx = rng.integers(0, m, size=(positive_int("n_batches", n_batches), batch_size))
        exact = False
    xb, yb = x[idx], y[idx]
    return (xb * yb).mean(1), np.sqrt((xb**2).sum(1)) / batch_size, exact


def sgd_neuron_exponent(eta, zeta, x, y, batch_size: int = 1, slope: float = 1.0, n_batches=None, rng=None):
    """Per-step Lyapunov exponents of discrete label-noise SGD at \\( w = 0 \\).

    Near 0 one SGD step with batch \\( \\mathcal B \\) and labels \\( y_i + \\zeta\\varepsilon_i \\)
    multiplies the \\( (1, \\pm1) \\) components of \\( w \\) by \\( 1 \\pm \\eta\\sigma'(0) s_{\\mathcal B} \\),
    \\( s_{\\mathcal B} = \\tfrac1B\\sum_{i\\in\\mathcal B} x_i(y_i + \\zeta\\varepsilon_i) \\). The maps
    commute, so the exponents are exactly

    \\[
    \\Lambda_\\pm = \\mathbb E \\log\\lvert 1 \\pm \\eta\\sigma'(0) s_{\\mathcal B}\\rvert ,
    \\]

    the Gaussian part done in closed form (`expected_log_abs_normal`), the batch average
    exactly (B = 1, or whenever \\( m^B \\le 2\\cdot10^5 \\)) or over `n_batches` sampled batches.

    **Returns:** `(Lambda_plus, Lambda_minus, stderr)`, arrays over `eta`; `stderr` is 0
    for the exact batch average and the Monte-Carlo standard error otherwise.

    **Raises:** `ValueError` for non-finite, empty or unequal-length `x`, `y`, unless `eta`,
    `zeta` and `slope` are finite and > 0 and `batch_size` (and `n_batches` where batches
    are sampled) is an integer >= 1.
    """
    x, y = data_pair(x, y)
    zeta = float(positive("zeta", zeta))
    slope = float(positive("slope", slope))
    eta = np.atleast_1d(positive("eta", eta))
    mean_xy, norm_x, exact = _batch_moments(x, y, batch_size, n_batches, rng)
    lp, lm, se = [], [], []
    for e in eta:
        sd = e * slope * zeta * norm_x
        vp = expected_log_abs_normal(1 + e * slope * mean_xy, sd)
        vm = expected_log_abs_normal(1 - e * slope * mean_xy, sd)
        lp.append(vp.mean())
        lm.append(vm.mean())
        se.append(0.0 if exact else float(np.std(np.maximum(vp, vm)) / math.sqrt(vp.size)))
    return np.array(lp), np.array(lm), np.array(se)


def sgd_neuron_threshold(zeta, x, y, batch_size: int = 1, slope: float = 1.0, eta_max: float = 2.0, n_batches=None, rng=None):
    """Lower and upper learning-rate thresholds of discrete SGD: the sign changes of the top
    exponent \\( \\max(\\Lambda_+, \\Lambda_-) \\) on \\( (0, \\eta_{max}] \\).

    SGD collapses for \\( \\eta \\) in \\( (\\eta_{low}, \\eta_{high}) \\); at small \\( \\eta \\) the
    exponent is \\( \\approx \\eta\\sigma'(0)\\bar s > 0 \\), at large \\( \\eta \\) the steps overshoot.

    **Returns:** `(eta_low, eta_high)`, `nan` where there is no sign change (e.g. no collapse
    at all for small label noise, or zero labels `y`, where the exponent is never negative):
    the one non-finite value it returns, and it means "no threshold".

    **Raises:** `ValueError` for non-finite, empty or unequal-length `x`, `y`, unless `zeta`
    and `slope` are finite and > 0, `eta_max` is finite and > 1e-3 (where the search grid
    starts) and `batch_size` is an integer >= 1.
    """
    x, y = data_pair(x, y)
    zeta = float(positive("zeta", zeta))
    slope = float(positive("slope", slope))
    eta_max = float(finite("eta_max", eta_max))
    if not eta_max > 1e-3:
        raise ValueError(f"eta_max must be finite and > 1e-3 (where the search grid starts), got {eta_max}")
    if rng is not None:  # common batches for every eta: a smooth function of eta
        mean_xy, norm_x, _ = _batch_moments(x, y, batch_size, n_batches, rng)
    else:
        mean_xy, norm_x, _ = _batch_moments(x, y, batch_size, None, None)

    def top(e):
        sd = e * slope * zeta * norm_x
        vp = expected_log_abs_normal(1 + e * slope * mean_xy, sd).mean()
        vm = expected_log_abs_normal(1 - e * slope * mean_xy, sd).mean()
        return max(vp, vm)

    grid = np.geomspace(1e-3, eta_max, 48)
    vals = np.array([top(e) for e in grid])
    roots = []
    for k in np.nonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))[0]:
        roots.append(optimize.brentq(top, grid[k], grid[k + 1], xtol=1e-10))
    low = roots[0] if roots else math.nan
    high = roots[1] if len(roots) > 1 else math.nan
    return low, high


def sgd_neuron_threshold_small_eta(zeta, x, y, batch_size: int = 1, slope: float = 1.0):
    """Small-\\( \\eta \\) lower threshold from
    \\( \\Lambda_+ \\approx \\eta\\sigma'\\bar s - \\tfrac12\\eta^2\\sigma'^2\\,\\mathbb E s_{\\mathcal B}^2 \\):

    \\[
    \\eta^* \\approx \\frac{2\\bar s}{\\sigma'(0)\\,\\big(\\bar s^2 + (\\mathrm{Var}(xy) + \\zeta^2 \\overline{x^2})/B\\big)} ,
    \\]

    linear in \\( B \\) when the noise term dominates.

    **Raises:** `ValueError` for non-finite, empty or unequal-length `x`, `y`, unless `zeta`
    is finite and >= 0, `slope` finite and > 0 and `batch_size` an integer >= 1, or when the
    data carry neither signal nor noise (the denominator is 0).
    """
    x, y = data_pair(x, y)
    zeta = float(nonneg("zeta", zeta))
    slope = float(positive("slope", slope))
    batch_size = positive_int("batch_size", batch_size)
    s_bar = float(np.mean(x * y))
    var = float(np.var(x * y)) + zeta**2 * float(np.mean(x**2))
    if s_bar**2 + var / batch_size == 0:
        raise ValueError("x, y and zeta carry neither signal nor noise (mean(x*y) = 0 and no variance): no threshold")
    return 2 * s_bar / (slope * (s_bar**2 + var / batch_size))
