r"""Bayes risks of the ridge and dMMSE estimators (private module of `theory.icl`).

Closed forms, quadrature over Wishart eigenvalues, the inverse-Wishart bound, and
Rao-Blackwellised Monte Carlo with standard errors.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import integrate, special

from theory._stats import mean_se
from theory.icl._checks import check_counts, check_int, check_positive, check_seed, check_tasks
from theory.icl._estimators import dmmse_posterior_weights
from theory.icl._tasks import sample_sequences

__all__ = [
    "BayesRisk",
    "ridge_bayes_mse",
    "ridge_bayes_mse_curve",
    "ols_bayes_mse",
    "ridge_mse_bounds",
    "dmmse_bayes_risk",
    "ridge_risk_on_pool",
]


def _whole(name: str, values, minimum: int, allowed: str) -> np.ndarray:
    """`values` as a float array (shape kept) of finite whole numbers >= `minimum`."""
    try:
        ns = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {allowed}, got {values!r}") from None
    if not np.all(np.isfinite(ns)) or np.any(ns != np.round(ns)) or np.any(ns < minimum):
        raise ValueError(f"{name} must be {allowed}, got {values!r}")
    return ns


@dataclasses.dataclass(frozen=True)
class BayesRisk:
    """A Bayes risk per context size with its standard error and how it was computed.

    - `mse`: \\( \\mathbb{E}(y_k - \\hat y_k)^2 \\) (not divided by \\( D \\)).
    - `stderr`: its standard error (0 where exact or by quadrature; quadrature error is below 1e-8).
    - `method`: per entry, `"closed_form"`, `"quadrature"` or `"monte_carlo"`.
    """

    mse: np.ndarray
    stderr: np.ndarray
    method: tuple[str, ...]


def _chi2_inverse_mean(p: int, lam: float) -> float:
    """E[1 / (chi^2_p + lam)] by quadrature."""
    logc = -(p / 2) * math.log(2) - special.gammaln(p / 2)

    def f(s):
        return math.exp(logc + (p / 2 - 1) * math.log(s) - s / 2) / (s + lam) if s > 0 else (
            0.0 if p > 2 else (1 / (2 * lam) if p == 2 else math.inf)
        )

    # substitute s = u^2 to remove the s^{-1/2} singularity at p = 1
    def g(u):
        s = u * u
        return 2 * u * f(s) if s > 0 else (2 * math.exp(logc) / lam if p == 1 else 0.0)

    val, _err = integrate.quad(g, 0, np.inf, epsabs=1e-13, epsrel=1e-11, limit=400)
    return val


def _wishart2_trace_inverse(p: int, lam: float) -> float:
    """E tr (W + lam I_2)^{-1} for W ~ Wishart_2(I, p), p >= 2, by 2-D quadrature.

    Eigenvalue density on l1 > l2 > 0: prop. to (l1 l2)^{(p-3)/2} e^{-(l1+l2)/2} (l1 - l2). With
    l = u^2 the integrand is smooth: 4 u1 u2 (u1 u2)^{p-3} e^{-(u1^2+u2^2)/2} (u1^2 - u2^2).
    """

    def dens(u2, u1):
        return 4.0 * (u1 * u2) ** (p - 2) * math.exp(-(u1 * u1 + u2 * u2) / 2) * (u1 * u1 - u2 * u2)

    def num(u2, u1):
        return dens(u2, u1) * (1 / (u1 * u1 + lam) + 1 / (u2 * u2 + lam))

    opts = dict(epsabs=1e-13, epsrel=1e-11)
    upper = math.sqrt(2 * (p + 60.0))  # e^{-u^2/2} beyond this is < e^{-60}
    Z, _ = integrate.dblquad(dens, 0, upper, 0, lambda u1: u1, **opts)
    N, _ = integrate.dblquad(num, 0, upper, 0, lambda u1: u1, **opts)
    return N / Z


def ridge_bayes_mse(
    dim: int,
    n_context,
    noise_var: float,
    task_var: float = 1.0,
    *,
    n_mc: int = 50_000,
    seed: int = 0,
    method: str = "auto",
) -> BayesRisk:
    r"""Bayes risk of ridge on \( \mathcal{N}(0, \tau^2 I) \) tasks with \( n \) context pairs.

    \[
    \mathrm{MSE}(n) = \sigma^2 + \sigma^2\, \mathbb{E}\,\mathrm{tr}(X^\top X + \lambda I_D)^{-1},
    \qquad \lambda = \sigma^2/\tau^2,\ X \in \mathbb{R}^{n\times D} .
    \]

    Computed per entry of `n_context` by: the closed form \( \sigma^2 + D\tau^2 \) at
    \( n = 0 \); quadrature over the eigenvalues of the \( m\times m \) Wishart matrix when
    \( m = \min(n, D) \le 2 \) (exact to ~1e-10); Monte Carlo otherwise (eigenvalues of
    Bartlett-sampled Wishart matrices), with its standard error. The inverse-Wishart mean
    gives the exact risk only for the ridgeless estimator (`ols_bayes_mse`), which bounds this
    one from above.

    **Arguments:**

    - `dim`: \( D \geq 1 \).
    - `n_context`: number of context pairs \( n = k - 1 \geq 0 \) (int or 1-D array).
    - `noise_var`, `task_var`: \( \sigma^2, \tau^2 > 0 \).
    - `n_mc`: Monte-Carlo draws per entry where MC is used.
    - `seed`: Monte-Carlo seed.
    - `method`: `"auto"` or `"monte_carlo"` (force MC everywhere, for cross-checks).

    **Returns:**

    A `BayesRisk` with arrays shaped like `n_context`.

    **Raises:**

    `ValueError` when `dim < 1`, `n_context` is not whole numbers >= 0, a variance is not
    positive and finite, `n_mc < 2`, or `seed` is not an integer >= 0.
    """
    D = check_int("dim", dim, 1)
    if method not in ("auto", "monte_carlo"):
        raise ValueError(f"method must be 'auto' or 'monte_carlo', got {method!r}")
    s2 = check_positive("noise_var", noise_var)
    t2 = check_positive("task_var", task_var)
    lam = s2 / t2
    ns = check_counts("n_context", n_context, 0)
    n_mc = check_int("n_mc", n_mc, 2)
    rng = np.random.default_rng(check_seed(seed))
    mse, se, how = [], [], []
    for n in ns.astype(int):
        m, p = min(n, D), max(n, D)
        extra = (D - m) / lam  # eigenvalues of X^T X that are exactly 0
        if n == 0:
            mse.append(s2 + D * t2)
            se.append(0.0)
            how.append("closed_form")
            continue
        if method == "auto" and m == 1:
            tr = _chi2_inverse_mean(p, lam) + extra
            mse.append(s2 + s2 * tr)
            se.append(0.0)
            how.append("quadrature")
            continue
        if method == "auto" and m == 2:
            tr = _wishart2_trace_inverse(p, lam) + extra
            mse.append(s2 + s2 * tr)
            se.append(0.0)
            how.append("quadrature")
            continue
        # Bartlett: W = L L^T, L lower triangular, L_ii^2 ~ chi^2_{p-i}, L_ij ~ N(0,1) below
        tr = np.empty(n_mc)
        chunk = 50_000
        for start in range(0, n_mc, chunk):
            b = min(chunk, n_mc - start)
            L = np.tril(rng.standard_normal((b, m, m)), -1)
            idx = np.arange(m)
            L[:, idx, idx] = np.sqrt(rng.chisquare(p - idx, size=(b, m)))
            eig = np.linalg.eigvalsh(L @ np.swapaxes(L, -1, -2))
            tr[start : start + b] = np.sum(1.0 / (eig + lam), axis=-1) + extra
        mse.append(s2 + s2 * tr.mean())
        se.append(s2 * tr.std(ddof=1) / math.sqrt(n_mc))
        how.append("monte_carlo")
    return BayesRisk(np.asarray(mse), np.asarray(se), tuple(how))


def ridge_bayes_mse_curve(dim: int, n_points: int, noise_var: float, task_var: float = 1.0, **kw) -> BayesRisk:
    """`ridge_bayes_mse` at every position k = 1..K of a sequence (n = k - 1 = 0..K-1).

    Raises `ValueError` when `n_points < 1`, and as `ridge_bayes_mse` otherwise.
    """
    K = check_int("n_points", n_points, 1)
    return ridge_bayes_mse(dim, np.arange(K), noise_var, task_var, **kw)


def ols_bayes_mse(dim: int, n_context, noise_var: float) -> np.ndarray:
    r"""Exact risk of least squares (ridgeless) via the inverse-Wishart mean, \( n > D + 1 \).

    \[
    \mathbb{E}(y - x^\top \hat w_\mathrm{OLS})^2 = \sigma^2 \Big(1 + \frac{D}{n - D - 1}\Big),
    \]

    using \( \mathbb{E}(X^\top X)^{-1} = I/(n - D - 1) \). It is an upper bound on the ridge
    Bayes risk (ridge is Bayes-optimal) and its large-\( n \) asymptote.

    Raises `ValueError` when `dim < 1`, `n_context` is not whole numbers `> dim + 1`, or
    `noise_var` is not positive and finite.
    """
    D = check_int("dim", dim, 1)
    ns = _whole("n_context", n_context, D + 2, f"whole numbers > dim + 1 = {D + 1} for the inverse-Wishart mean")
    return check_positive("noise_var", noise_var) * (1 + D / (ns - D - 1))


def ridge_mse_bounds(dim: int, n_context, noise_var: float, task_var: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Two-sided bounds on the ridge Bayes risk (Jensen below, inverse Wishart above).

    Lower \( \sigma^2(1 + D/(n + \lambda)) \); upper \( \sigma^2(1 + D/(n - D - 1)) \) for
    \( n > D + 1 \), else \( \sigma^2 + D\tau^2 \) (the prior risk).

    Raises `ValueError` when `dim < 1`, `n_context` is not whole numbers >= 0, or a variance
    is not positive and finite.
    """
    D = check_int("dim", dim, 1)
    s2 = check_positive("noise_var", noise_var)
    lam = s2 / check_positive("task_var", task_var)
    ns = _whole("n_context", n_context, 0, "whole numbers >= 0")
    lower = s2 * (1 + D / (ns + lam))
    with np.errstate(divide="ignore"):
        upper = np.where(ns > D + 1, s2 * (1 + D / np.maximum(ns - D - 1, 1e-300)), s2 + D * s2 / lam)
    return lower, upper


def dmmse_bayes_risk(
    tasks,
    n_points: int,
    noise_var: float,
    *,
    distribution: str = "pretrain",
    n_samples: int = 4000,
    seed: int = 0,
    batch: int = 1000,
) -> BayesRisk:
    r"""Monte-Carlo risk of dMMSE per position, on the pool (`"pretrain"`) or on \( \mathcal{N}(0, I) \) (`"true"`).

    Rao-Blackwellised over the query input and its noise: on the pool the risk is the Bayes
    risk \( \sigma^2 + \mathbb{E}\,\mathrm{tr}\,\mathrm{Cov}(w \mid S_k) \) (posterior
    variance); on fresh tasks it is \( \sigma^2 + \mathbb{E}|w - \hat w_k|^2 \).

    **Arguments:**

    - `tasks`: the pool `(M, D)`.
    - `n_points`: \( K \) positions.
    - `noise_var`: \( \sigma^2 \).
    - `distribution`: `"pretrain"` or `"true"`.
    - `n_samples`: sequences; `seed`: MC seed; `batch`: sequences per vectorised chunk.

    **Returns:**

    A `BayesRisk` of length `K` (`method="monte_carlo"`; the \( M = 1 \) pretrain case is exact).

    **Raises:**

    `ValueError` when `tasks` is not a finite `(M, D)` array with `M, D >= 1`, `n_points < 1`,
    `noise_var` is not positive and finite, `n_samples < 2`, `batch < 1`, or `seed` is not an
    integer >= 0.
    """
    W = check_tasks(tasks)
    if distribution not in ("pretrain", "true"):
        raise ValueError(f"distribution must be 'pretrain' or 'true', got {distribution!r}")
    n_points = check_int("n_points", n_points, 1)
    s2 = check_positive("noise_var", noise_var)
    n_samples = check_int("n_samples", n_samples, 2)
    batch = check_int("batch", batch, 1)
    M, D = W.shape
    rng = np.random.default_rng(check_seed(seed))
    sq_norm = np.sum(W * W, axis=1)
    parts = []
    for start in range(0, n_samples, batch):
        b = min(batch, n_samples - start)
        X, y, w = sample_sequences(rng, b, n_points, D, s2, W if distribution == "pretrain" else None)
        p = dmmse_posterior_weights(X, y, W, s2)
        w_hat = p @ W  # (b, K, D)
        if distribution == "pretrain":
            parts.append(s2 + p @ sq_norm - np.sum(w_hat * w_hat, axis=-1))
        else:
            parts.append(s2 + np.sum((w[:, None, :] - w_hat) ** 2, axis=-1))
    vals = np.concatenate(parts)
    mean, se = mean_se(vals)
    return BayesRisk(mean, se, ("monte_carlo",) * n_points)


def ridge_risk_on_pool(tasks, n_points: int, noise_var: float, *, n_samples: int = 4000, seed: int = 0, task_var: float = 1.0) -> BayesRisk:
    r"""Monte-Carlo risk of ridge per position when tasks come from the pool.

    \( \sigma^2 + \mathbb{E}|w - \hat w_\mathrm{ridge}|^2 \) with \( w \) uniform on the pool.

    Raises `ValueError` when `tasks` is not a finite `(M, D)` array with `M, D >= 1`,
    `n_points < 1`, a variance is not positive and finite, `n_samples < 2`, or `seed` is not
    an integer >= 0.
    """
    W = check_tasks(tasks)
    n_points = check_int("n_points", n_points, 1)
    s2 = check_positive("noise_var", noise_var)
    lam = s2 / check_positive("task_var", task_var)
    n_samples = check_int("n_samples", n_samples, 2)
    rng = np.random.default_rng(check_seed(seed))
    X, y, w = sample_sequences(rng, n_samples, n_points, W.shape[1], s2, W)
    D = W.shape[1]
    outer = np.einsum("sni,snj->snij", X, X)
    gram = np.cumsum(outer, axis=1) - outer + lam * np.eye(D)
    xy = X * y[..., None]
    w_hat = np.linalg.solve(gram, (np.cumsum(xy, axis=1) - xy)[..., None])[..., 0]
    vals = s2 + np.sum((w[:, None, :] - w_hat) ** 2, axis=-1)
    mean, se = mean_se(vals)
    return BayesRisk(mean, se, ("monte_carlo",) * n_points)
