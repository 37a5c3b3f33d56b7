r"""The normalised unconstrained-features (layer-peeled) model of neural collapse, and the collapse metrics."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int

from numerics.max_margin._checks import is_concrete, require_finite
from theory.max_margin._checks import as_int, finite_array

__all__ = ["NCProblem", "nc_problem", "nc_unpack", "nc_log_loss", "collapse_metrics"]


class NCProblem(NamedTuple):
    r"""Unconstrained features on the unit sphere with a linear classifier (layer-peeled model).

    Parameters \( \theta = (Z, W, b) \): free features \( z_n \in \mathbb{R}^d \) normalised to
    \( h_n = z_n/\|z_n\| \) (rate 0), classifier \( W \in \mathbb{R}^{K \times d} \) and \( b \) (rate 1).
    """

    labels: Int[Array, " N"]
    pair_n: Int[Array, " M"]
    pair_k: Int[Array, " M"]
    n_classes: int
    dim: int
    speed_exponent: Float[Array, ""]


def _class_labels(name: str, labels, n_classes: int) -> np.ndarray:
    arr = finite_array(name, labels, ndim=1)
    if not np.all((arr == np.round(arr)) & (arr >= 0) & (arr < n_classes)):
        raise ValueError(f"{name} must hold class indices in 0..{n_classes - 1}")
    return arr.astype(int)


def nc_problem(labels: np.ndarray, n_classes: int, dim: int) -> NCProblem:
    r"""Margin pairs \( (n, k \ne y_n) \) of the layer-peeled model.

    **Raises:** `ValueError` unless `n_classes >= 2`, `dim >= 1` and `labels` is a non-empty vector of
    class indices in `0..n_classes-1`.
    """
    n_classes = as_int("n_classes", n_classes, 2)
    dim = as_int("dim", dim, 1)
    labels = _class_labels("labels", labels, n_classes)
    pn = np.repeat(np.arange(labels.size), n_classes - 1)
    pk = np.array([k for y in labels for k in range(n_classes) if k != y])
    return NCProblem(jnp.asarray(labels), jnp.asarray(pn), jnp.asarray(pk), n_classes, dim, jnp.asarray(0.0))


def nc_unpack(problem: NCProblem, theta):
    r"""Split \( \theta \) into `(Z, W, b)`.

    **Raises:** `ValueError` when the last axis of `theta` is not \( N d + K d + K \), or (for a
    concrete array, not inside `jit`) `theta` holds NaN or inf.
    """
    N, K, d = problem.labels.shape[0], problem.n_classes, problem.dim
    size = N * d + K * d + K
    if np.ndim(theta) < 1 or np.shape(theta)[-1] != size:
        raise ValueError(f"theta must have last axis N d + K d + K = {size}, got shape {np.shape(theta)}")
    require_finite("theta", theta)
    Z = theta[..., : N * d].reshape(theta.shape[:-1] + (N, d))
    W = theta[..., N * d : N * d + K * d].reshape(theta.shape[:-1] + (K, d))
    b = theta[..., N * d + K * d :]
    return Z, W, b


def nc_log_loss(problem: NCProblem, theta: Float[Array, " P"]) -> Float[Array, ""]:
    r"""\( \log \sum_{n, k \ne y_n} \exp(-(f_{y_n} - f_k)(h_n)) \), \( f = W h + b \), \( h = z/\|z\| \).

    **Raises:** as `nc_unpack`; `ValueError` also when (for a concrete `theta`) a feature \( z_n \)
    is zero, where \( z/\|z\| \) is undefined.
    """
    if np.ndim(theta) != 1:
        raise ValueError(f"theta must be a vector, got shape {np.shape(theta)}")
    Z, W, b = nc_unpack(problem, theta)
    if is_concrete(Z) and np.any(np.linalg.norm(np.asarray(Z), axis=1) == 0):
        raise ValueError("theta: every feature z_n must be non-zero (h = z/|z|)")
    H = Z / jnp.linalg.norm(Z, axis=1, keepdims=True)
    F = H @ W.T + b
    y = problem.labels[problem.pair_n]
    q = F[problem.pair_n, y] - F[problem.pair_n, problem.pair_k]
    return jax.nn.logsumexp(-q)


# Static fields (ints) must not be traced: make NCProblem's ints static via a pytree wrapper.
jax.tree_util.register_pytree_node(
    NCProblem,
    lambda p: ((p.labels, p.pair_n, p.pair_k, p.speed_exponent), (p.n_classes, p.dim)),
    lambda aux, ch: NCProblem(ch[0], ch[1], ch[2], aux[0], aux[1], ch[3]),
)


def collapse_metrics(H: np.ndarray, labels: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> dict[str, float]:
    r"""Neural-collapse metrics (Papyan, Han, Donoho 2020) of features `H (N, d)` and classifier `W (K, d)`.

    - `nc1`: \( \mathrm{tr}(\Sigma_W \Sigma_B^\dagger)/K \) (within-class variability).
    - `nc2`: \( \| G/\|G\|_F - E/\|E\|_F \|_F \), \( G \) the Gram of centred class means, \( E \) the ETF Gram.
    - `mean_cos`, `std_cos`: off-diagonal cosines of centred class means (ETF: \( -1/(K-1) \), 0).
    - `nc3`: \( \| W/\|W\|_F - M/\|M\|_F \|_F^2 \) (self-duality), `cos_wm`: mean \( \cos(W_k, M_k) \).
    - `bias_ratio`: \( \|b\| / \|W\|_F \).

    **Raises:** `ValueError` for non-finite or empty input, shapes that do not match (`H (N, d)`,
    `labels (N,)`, `W (K, d)`, `b (K,)`), labels outside `0..K-1`, a class without samples, or a
    degenerate geometry where a metric is undefined (a zero row of `W`, a class mean equal to the
    global mean).
    """
    H = finite_array("H", H, ndim=2)
    W = finite_array("W", W, ndim=2)
    K = W.shape[0]
    if K < 2 or W.shape[1] != H.shape[1]:
        raise ValueError(f"W must have shape (K >= 2, {H.shape[1]}) to match H, got {W.shape}")
    labels = _class_labels("labels", labels, K)
    if labels.shape[0] != H.shape[0]:
        raise ValueError(f"labels has {labels.shape[0]} entries but H has {H.shape[0]} rows")
    if np.unique(labels).size != K:
        raise ValueError(f"labels must include every class 0..{K - 1}")
    if b is not None:
        b = finite_array("b", b, ndim=1)
        if b.shape[0] != K:
            raise ValueError(f"b has {b.shape[0]} entries but W has {K} rows")
    with np.errstate(divide="ignore", invalid="ignore"):
        mu_g = H.mean(axis=0)
        means = np.stack([H[labels == k].mean(axis=0) for k in range(K)])
        M = means - mu_g
        D = H - means[labels]
        sw = D.T @ D / H.shape[0]
        sb = M.T @ M / K
        nc1 = float(np.trace(sw @ np.linalg.pinv(sb, rcond=1e-10)) / K)
        G = M @ M.T
        E = np.eye(K) - np.ones((K, K)) / K
        nc2 = float(np.linalg.norm(G / np.linalg.norm(G) - E / np.linalg.norm(E)))
        Mn = M / np.linalg.norm(M, axis=1, keepdims=True)
        C = Mn @ Mn.T
        off = C[~np.eye(K, dtype=bool)]
        nc3 = float(np.linalg.norm(W / np.linalg.norm(W) - M / np.linalg.norm(M)) ** 2)
        cos_wm = float(np.mean(np.sum(W * M, axis=1) / (np.linalg.norm(W, axis=1) * np.linalg.norm(M, axis=1))))
    out = {"nc1": nc1, "nc2": nc2, "mean_cos": float(off.mean()), "std_cos": float(off.std()), "nc3": nc3,
           "cos_wm": cos_wm}
    out["bias_ratio"] = float(np.linalg.norm(b) / np.linalg.norm(W)) if b is not None else 0.0
    bad = [k for k, v in out.items() if not np.isfinite(v)]
    if bad:
        raise ValueError(f"collapse metrics {bad} are undefined for this geometry: a class mean equals the "
                         "global mean of H, or a row of W is zero")
    return out
