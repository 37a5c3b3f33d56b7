r"""The two Bayes estimators of in-context linear regression: ridge and dMMSE (private module).

Ridge is the posterior mean under the Gaussian task prior, dMMSE the posterior mean under the
uniform prior on the pretraining pool; see `theory.icl` for the set-up.
"""

from __future__ import annotations

import numpy as np

from theory.icl._checks import check_finite_array, check_positive, check_tasks, check_xy

__all__ = ["gaussian_posterior", "ridge_predict", "dmmse_posterior_weights", "dmmse_predict"]


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

    **Raises:**

    `ValueError` on inconsistent shapes, NaN or inf in `X` or `y`, or non-positive variances.
    """
    X, y = check_xy(X, y)
    s2 = check_positive("noise_var", noise_var)
    t2 = check_positive("task_var", task_var)
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

    `ValueError` on inconsistent shapes, NaN or inf in `X`, `y` or `x_query`, or
    non-positive variances.
    """
    X, y = check_xy(X, y)
    lam = check_positive("noise_var", noise_var) / check_positive("task_var", task_var)
    D = X.shape[-1]
    if x_query is not None:
        xq = check_finite_array("x_query", x_query)
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


def dmmse_posterior_weights(X, y, tasks, noise_var: float) -> np.ndarray:
    r"""Posterior weights \( \pi_i \propto \exp(-R_i / 2\sigma^2) \) over the pool, per position.

    Position \( k \) uses the pairs \( j < k \) (position 0: uniform weights).

    **Arguments:**

    - `X`: `(..., n, D)`; `y`: `(..., n)`; `tasks`: the pool `(M, D)`; `noise_var`: \( \sigma^2 \).

    **Returns:**

    Weights of shape `(..., n, M)` summing to 1 over the last axis.

    **Raises:**

    `ValueError` on inconsistent shapes, NaN or inf in `X`, `y` or `tasks`, or `noise_var <= 0`.
    """
    X, y = check_xy(X, y)
    s2 = check_positive("noise_var", noise_var)
    W = check_tasks(tasks, X.shape[-1])
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

    **Raises:**

    `ValueError` on inconsistent shapes, NaN or inf in `X`, `y`, `x_query` or `tasks`, or
    `noise_var <= 0`.
    """
    X, y = check_xy(X, y)
    W = check_tasks(tasks, X.shape[-1])
    if x_query is not None:
        xq = check_finite_array("x_query", x_query)
        if xq.shape != X.shape[:-2] + (X.shape[-1],):
            raise ValueError(f"x_query must have shape {X.shape[:-2] + (X.shape[-1],)}, got {xq.shape}")
        # append the query as an extra position with a dummy target; its weights use all n pairs
        Xa = np.concatenate([X, xq[..., None, :]], axis=-2)
        ya = np.concatenate([y, np.zeros(y.shape[:-1] + (1,))], axis=-1)
        return dmmse_predict(Xa, ya, None, W, noise_var)[..., -1]
    p = dmmse_posterior_weights(X, y, W, noise_var)
    return np.einsum("...ni,...ni->...n", X, p @ W)
