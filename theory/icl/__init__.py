r"""In-context linear regression: the two Bayes estimators of Raventós et al. (2023).

Tasks are latent vectors \( w \in \mathbb{R}^D \); a sequence draws \( K \) pairs
\( x_k \sim \mathcal{N}(0, I_D) \), \( y_k = w^\top x_k + \varepsilon_k \),
\( \varepsilon_k \sim \mathcal{N}(0, \sigma^2) \). At position \( k \) the predictor sees the
\( k-1 \) earlier pairs and \( x_k \).

- **Ridge** is the posterior mean under the Gaussian prior \( \mathcal{T}_\mathrm{True} =
  \mathcal{N}(0, \tau^2 I_D) \): \( \hat w = (X^\top X + \lambda I)^{-1} X^\top y \) with
  \( \lambda = \sigma^2/\tau^2 \).
- **dMMSE** is the posterior mean under the discrete prior \( \mathcal{T}_\mathrm{Pretrain} =
  \mathrm{Unif}\{w^{(1)}, \dots, w^{(M)}\} \): a softmax of the summed squared residuals at
  temperature \( 2\sigma^2 \).

Both are derived in sympy below (`derivations()`); the numeric functions implement the
derived results in float64 numpy. Bayes risks: `ridge_bayes_mse` (closed form at \( n = 0 \),
one- or two-dimensional quadrature over Wishart eigenvalues when \( \min(n, D) \le 2 \),
Monte Carlo with its standard error otherwise; `method` says which), the inverse-Wishart
closed form `ols_bayes_mse` (exact for the ridgeless estimator, an upper bound for ridge),
and Monte-Carlo dMMSE and ridge risks on both task distributions
(`dmmse_bayes_risk`, `ridge_risk_on_pool`), with standard errors.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import integrate, special

from theory.icl._symbolic import derivations

__all__ = [
    "ridge_predict",
    "dmmse_predict",
    "dmmse_posterior_weights",
    "gaussian_posterior",
    "BayesRisk",
    "ridge_bayes_mse",
    "ridge_bayes_mse_curve",
    "ols_bayes_mse",
    "ridge_mse_bounds",
    "dmmse_bayes_risk",
    "ridge_risk_on_pool",
    "interpolation_path",
    "sample_sequences",
    "derivations",
]


# =============================================================================================
# Estimators
# =============================================================================================


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim < 2:
        raise ValueError(f"X must have shape (..., n, D), got {X.shape}")
    if y.shape != X.shape[:-1]:
        raise ValueError(f"y must have shape {X.shape[:-1]} to match X {X.shape}, got {y.shape}")
    return X, y


def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return value


def gaussian_posterior(X, y, noise_var: float, task_var: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Posterior mean and covariance of \( w \) under \( \mathcal{N}(0, \tau^2 I) \), precision form.

    \[
    \Sigma = (X^\top X/\sigma^2 + I/\tau^2)^{-1}, \qquad \mu = \Sigma X^\top y / \sigma^2 .
    \]

    **Arguments:**

    - `X`: inputs, shape `(..., n, D)`.
    - `y`: targets, shape `(..., n)`.
    - `noise_var`: \( \sigma^2 > 0 \).
    - `task_var`: \( \tau^2 > 0 \).

    **Returns:**

    `(mean, cov)` of shapes `(..., D)` and `(..., D, D)`.
    """
    X, y = _check_xy(X, y)
    s2 = _check_positive("noise_var", noise_var)
    t2 = _check_positive("task_var", task_var)
    D = X.shape[-1]
    precision = np.swapaxes(X, -1, -2) @ X / s2 + np.eye(D) / t2
    cov = np.linalg.inv(precision)
    mean = np.einsum("...ij,...j->...i", cov, np.einsum("...ni,...n->...i", X, y) / s2)
    return mean, cov


def ridge_predict(X, y, x_query=None, noise_var: float = 0.25, task_var: float = 1.0) -> np.ndarray:
    r"""Ridge (Gaussian-prior posterior mean) predictions, batched.

    \[
    \hat y = x_\mathrm{query}^\top (X^\top X + \lambda I)^{-1} X^\top y, \qquad \lambda = \sigma^2/\tau^2 .
    \]

    With `x_query=None` it returns the prediction at every context position: position
    \( k \) (0-based) predicts \( y_k \) from \( x_k \) and the pairs \( j < k \) (position 0
    predicts 0). This is how the paper evaluates the baseline on a sequence.

    **Arguments:**

    - `X`: inputs, shape `(..., n, D)`.
    - `y`: targets, shape `(..., n)`.
    - `x_query`: query inputs `(..., D)` (uses all `n` pairs), or `None` for per-position
      predictions.
    - `noise_var`: \( \sigma^2 > 0 \).
    - `task_var`: prior variance \( \tau^2 > 0 \) of each task coordinate.

    **Returns:**

    Predictions of shape `(...)` with a query, else `(..., n)`.

    **Raises:**

    `ValueError` on inconsistent shapes or non-positive variances.
    """
    X, y = _check_xy(X, y)
    lam = _check_positive("noise_var", noise_var) / _check_positive("task_var", task_var)
    D = X.shape[-1]
    if x_query is not None:
        xq = np.asarray(x_query, dtype=float)
        if xq.shape != X.shape[:-2] + (D,):
            raise ValueError(f"x_query must have shape {X.shape[:-2] + (D,)}, got {xq.shape}")
        gram = np.einsum("...ni,...nj->...ij", X, X) + lam * np.eye(D)
        rhs = np.einsum("...ni,...n->...i", X, y)
        w_hat = np.linalg.solve(gram, rhs[..., None])[..., 0]
        return np.einsum("...i,...i->...", xq, w_hat)
    # exclusive prefix sums of x x^T and x y: position k uses pairs j < k
    outer = np.einsum("...ni,...nj->...nij", X, X)
    gram = np.cumsum(outer, axis=-3) - outer + lam * np.eye(D)
    xy = X * y[..., None]
    rhs = np.cumsum(xy, axis=-2) - xy
    w_hat = np.linalg.solve(gram, rhs[..., None])[..., 0]
    return np.einsum("...ni,...ni->...n", X, w_hat)


def _check_tasks(tasks, D: int) -> np.ndarray:
    W = np.asarray(tasks, dtype=float)
    if W.ndim != 2 or W.shape[1] != D or W.shape[0] < 1:
        raise ValueError(f"tasks must have shape (M, {D}) with M >= 1, got {W.shape}")
    return W


def dmmse_posterior_weights(X, y, tasks, noise_var: float) -> np.ndarray:
    r"""Posterior weights \( \pi_i \propto \exp(-R_i / 2\sigma^2) \) over the pool, per position.

    Position \( k \) uses the pairs \( j < k \) (position 0: uniform weights).

    **Arguments:**

    - `X`: `(..., n, D)`; `y`: `(..., n)`; `tasks`: the pool `(M, D)`; `noise_var`: \( \sigma^2 \).

    **Returns:**

    Weights of shape `(..., n, M)` summing to 1 over the last axis.
    """
    X, y = _check_xy(X, y)
    s2 = _check_positive("noise_var", noise_var)
    W = _check_tasks(tasks, X.shape[-1])
    resid2 = (y[..., None] - X @ W.T) ** 2  # (..., n, M)
    R = np.cumsum(resid2, axis=-2) - resid2
    logits = -R / (2.0 * s2)
    logits -= logits.max(axis=-1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=-1, keepdims=True)


def dmmse_predict(X, y, x_query, tasks, noise_var: float) -> np.ndarray:
    r"""dMMSE (discrete-prior posterior mean) predictions, batched.

    \[
    \hat w = \sum_i \mathrm{softmax}_i\Big(-\frac{1}{2\sigma^2}\sum_j (y_j - w^{(i)\top} x_j)^2\Big) w^{(i)},
    \qquad \hat y = x_\mathrm{query}^\top \hat w .
    \]

    With `x_query=None` it returns the per-position predictions (position \( k \) uses pairs
    \( j < k \); position 0 predicts \( \bar w^\top x_0 \)).

    **Arguments:**

    - `X`: `(..., n, D)`; `y`: `(..., n)`.
    - `x_query`: `(..., D)` or `None`.
    - `tasks`: the pretraining pool, shape `(M, D)`.
    - `noise_var`: \( \sigma^2 > 0 \).

    **Returns:**

    `(...)` with a query, else `(..., n)`.
    """
    X, y = _check_xy(X, y)
    W = _check_tasks(tasks, X.shape[-1])
    if x_query is not None:
        xq = np.asarray(x_query, dtype=float)
        if xq.shape != X.shape[:-2] + (X.shape[-1],):
            raise ValueError(f"x_query must have shape {X.shape[:-2] + (X.shape[-1],)}, got {xq.shape}")
        # append the query as an extra position with a dummy target; its weights use all n pairs
        Xa = np.concatenate([X, xq[..., None, :]], axis=-2)
        ya = np.concatenate([y, np.zeros(y.shape[:-1] + (1,))], axis=-1)
        return dmmse_predict(Xa, ya, None, W, noise_var)[..., -1]
    p = dmmse_posterior_weights(X, y, W, noise_var)
    return np.einsum("...ni,...ni->...n", X, p @ W)


# =============================================================================================
# Bayes risks
# =============================================================================================


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
    """
    if int(dim) < 1:
        raise ValueError(f"dim must be >= 1, got {dim}")
    if method not in ("auto", "monte_carlo"):
        raise ValueError(f"method must be 'auto' or 'monte_carlo', got {method!r}")
    D = int(dim)
    s2 = _check_positive("noise_var", noise_var)
    t2 = _check_positive("task_var", task_var)
    lam = s2 / t2
    ns = np.atleast_1d(np.asarray(n_context))
    if ns.ndim != 1 or np.any(ns < 0) or not np.all(ns == np.round(ns)):
        raise ValueError(f"n_context must be non-negative integers, got {n_context}")
    rng = np.random.default_rng(seed)
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
    """`ridge_bayes_mse` at every position k = 1..K of a sequence (n = k - 1 = 0..K-1)."""
    if int(n_points) < 1:
        raise ValueError(f"n_points must be >= 1, got {n_points}")
    return ridge_bayes_mse(dim, np.arange(int(n_points)), noise_var, task_var, **kw)


def ols_bayes_mse(dim: int, n_context, noise_var: float) -> np.ndarray:
    r"""Exact risk of least squares (ridgeless) via the inverse-Wishart mean, \( n > D + 1 \).

    \[
    \mathbb{E}(y - x^\top \hat w_\mathrm{OLS})^2 = \sigma^2 \Big(1 + \frac{D}{n - D - 1}\Big),
    \]

    using \( \mathbb{E}(X^\top X)^{-1} = I/(n - D - 1) \). It is an upper bound on the ridge
    Bayes risk (ridge is Bayes-optimal) and its large-\( n \) asymptote.
    """
    ns = np.asarray(n_context, dtype=float)
    if np.any(ns <= int(dim) + 1):
        raise ValueError(f"n_context must exceed dim + 1 = {int(dim) + 1} for the inverse-Wishart mean")
    return _check_positive("noise_var", noise_var) * (1 + int(dim) / (ns - int(dim) - 1))


def ridge_mse_bounds(dim: int, n_context, noise_var: float, task_var: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Two-sided bounds on the ridge Bayes risk (Jensen below, inverse Wishart above).

    Lower \( \sigma^2(1 + D/(n + \lambda)) \); upper \( \sigma^2(1 + D/(n - D - 1)) \) for
    \( n > D + 1 \), else \( \sigma^2 + D\tau^2 \) (the prior risk).
    """
    D = int(dim)
    s2 = _check_positive("noise_var", noise_var)
    lam = s2 / _check_positive("task_var", task_var)
    ns = np.asarray(n_context, dtype=float)
    lower = s2 * (1 + D / (ns + lam))
    with np.errstate(divide="ignore"):
        upper = np.where(ns > D + 1, s2 * (1 + D / np.maximum(ns - D - 1, 1e-300)), s2 + D * s2 / lam)
    return lower, upper


def sample_sequences(rng: np.random.Generator, n_seq: int, n_points: int, dim: int, noise_var: float, tasks=None, task_var: float = 1.0):
    """Draw `(X, y, w)`: `X` `(n_seq, K, D)`, `y` `(n_seq, K)`, tasks `w` `(n_seq, D)`.

    Tasks come from the pool `tasks` (uniformly, with replacement) or, with `tasks=None`, fresh
    from \\( \\mathcal{N}(0, \\tau^2 I) \\).
    """
    if tasks is None:
        w = rng.standard_normal((n_seq, dim)) * math.sqrt(task_var)
    else:
        W = _check_tasks(tasks, dim)
        w = W[rng.integers(0, W.shape[0], size=n_seq)]
    X = rng.standard_normal((n_seq, n_points, dim))
    y = np.einsum("snd,sd->sn", X, w) + math.sqrt(noise_var) * rng.standard_normal((n_seq, n_points))
    return X, y, w


def _mean_se(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return values.mean(axis=0), values.std(axis=0, ddof=1) / math.sqrt(values.shape[0])


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
    """
    W = np.asarray(tasks, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"tasks must have shape (M, D), got {W.shape}")
    if distribution not in ("pretrain", "true"):
        raise ValueError(f"distribution must be 'pretrain' or 'true', got {distribution!r}")
    s2 = _check_positive("noise_var", noise_var)
    M, D = W.shape
    rng = np.random.default_rng(seed)
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
    mean, se = _mean_se(vals)
    return BayesRisk(mean, se, ("monte_carlo",) * n_points)


def ridge_risk_on_pool(tasks, n_points: int, noise_var: float, *, n_samples: int = 4000, seed: int = 0, task_var: float = 1.0) -> BayesRisk:
    r"""Monte-Carlo risk of ridge per position when tasks come from the pool.

    \( \sigma^2 + \mathbb{E}|w - \hat w_\mathrm{ridge}|^2 \) with \( w \) uniform on the pool.
    """
    W = np.asarray(tasks, dtype=float)
    s2 = _check_positive("noise_var", noise_var)
    lam = s2 / _check_positive("task_var", task_var)
    rng = np.random.default_rng(seed)
    X, y, w = sample_sequences(rng, n_samples, n_points, W.shape[1], s2, W)
    D = W.shape[1]
    outer = np.einsum("sni,snj->snij", X, X)
    gram = np.cumsum(outer, axis=1) - outer + lam * np.eye(D)
    xy = X * y[..., None]
    w_hat = np.linalg.solve(gram, (np.cumsum(xy, axis=1) - xy)[..., None])[..., 0]
    vals = s2 + np.sum((w[:, None, :] - w_hat) ** 2, axis=-1)
    mean, se = _mean_se(vals)
    return BayesRisk(mean, se, ("monte_carlo",) * n_points)


def interpolation_path(w_i, w_j, alpha) -> np.ndarray:
    r"""Points on the paper's path between two tasks, with constant norm.

    \[
    w_\alpha = \tfrac12(|w_i| + |w_j|)\,\frac{\alpha w_i + (1-\alpha) w_j}{|\alpha w_i + (1-\alpha) w_j|} .
    \]

    **Arguments:**

    - `w_i`, `w_j`: endpoint tasks `(..., D)` (\( \alpha = 1 \) gives the direction of `w_i`).
    - `alpha`: scalar or 1-D array of path parameters.

    **Returns:**

    `(..., D)` for scalar `alpha`, else `(len(alpha), ..., D)`.

    **Raises:**

    `ValueError` when the chord passes through 0 (antipodal pair).
    """
    wi = np.asarray(w_i, dtype=float)
    wj = np.asarray(w_j, dtype=float)
    if wi.shape != wj.shape:
        raise ValueError(f"w_i and w_j must have the same shape, got {wi.shape} and {wj.shape}")
    a = np.asarray(alpha, dtype=float)
    scalar = a.ndim == 0
    a = a.reshape((-1,) + (1,) * wi.ndim)
    chord = a * wi + (1 - a) * wj
    norm = np.linalg.norm(chord, axis=-1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError("the chord alpha w_i + (1 - alpha) w_j passes through 0; path undefined")
    target = 0.5 * (np.linalg.norm(wi, axis=-1, keepdims=True) + np.linalg.norm(wj, axis=-1, keepdims=True))
    out = target * chord / norm
    return out[0] if scalar else out
