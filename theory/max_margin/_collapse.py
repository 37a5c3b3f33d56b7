r"""Neural collapse as the asymmetric max-margin bias of normalised networks (paper Sec. 6).

With a normalisation layer feeding the last linear layer, every parameter before it has rate 0
and only the classifier \( (W, b) \) has rate 1. \( (P_\Lambda) \) then reads

\[
\min_{W, b} \tfrac12 (\|W\|_F^2 + \|b\|^2) \quad \text{s.t.} \quad (W_{y_n} - W_k) \cdot h_n + b_{y_n} - b_k \ge 1,
\]

with the features \( h_n \) constrained only by the normalisation (unit norm here). For a sufficiently
expressive body the features are free on the sphere, which is the layer-peeled max-margin problem;
its global optimum (\( K \le d + 1 \)) is neural collapse: \( h_n = \bar h_{y_n} \) (NC1), class means
on a simplex ETF (NC2), \( W_k = \frac{K-1}{K} \bar h_k \) (NC3), \( b = 0 \), and
\( \min \|W\|_F^2 = (K-1)^2/K \). KKT points need not be global optima (brief A.6, caveat 5).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.optimize as so
import sympy as sp

from theory.max_margin._checks import as_int

__all__ = [
    "simplex_etf",
    "etf_cosine",
    "layer_peeled_value",
    "layer_peeled_normalised_margin",
    "predicted_collapse",
    "LayerPeeledSolution",
    "solve_layer_peeled",
]


def simplex_etf(K: int, d: int | None = None) -> np.ndarray:
    r"""K unit vectors in \( \mathbb{R}^d \) (\( d \ge K-1 \)) with pairwise cosine \( -1/(K-1) \).

    **Raises:** `ValueError` if `K < 2` or `d < K - 1` (or either is not an integer).
    """
    K = as_int("K", K, 2)
    d = K - 1 if d is None else as_int("d", d, 1)
    if d < K - 1:
        raise ValueError(f"a simplex ETF of {K} vectors needs d >= {K - 1}, got d={d}")
    C = np.eye(K) - 1.0 / K
    U, _, _ = np.linalg.svd(C)
    M = C @ U[:, : K - 1]  # rows: centred basis vectors in R^{K-1}
    M /= np.linalg.norm(M, axis=1, keepdims=True)
    out = np.zeros((K, d))
    out[:, : K - 1] = M
    return out


def _classes(K) -> sp.Expr:
    """`K` as a sympy integer >= 2, or a sympy symbol (the derivations use a symbolic K)."""
    if isinstance(K, sp.Basic) and not K.is_number:
        return K
    return sp.Integer(as_int("K", K, 2))


def etf_cosine(K) -> sp.Expr:
    r"""Pairwise cosine of class means at collapse, \( -1/(K-1) \).

    `K` is an integer \( \ge 2 \) or a sympy symbol. **Raises:** `ValueError` otherwise.
    """
    return -sp.Integer(1) / (_classes(K) - 1)


def layer_peeled_value(K) -> sp.Expr:
    r"""\( \min \|W\|_F^2 = (K-1)^2/K \) of the unit-feature layer-peeled problem.

    `K` is an integer \( \ge 2 \) or a sympy symbol. **Raises:** `ValueError` otherwise.
    """
    K = _classes(K)
    return (K - 1) ** 2 / K


def layer_peeled_normalised_margin(K) -> sp.Expr:
    r"""Best multiclass margin at \( \|W\|_F = 1 \) with unit features: \( \sqrt{K}/(K-1) \).

    `K` is an integer \( \ge 2 \) or a sympy symbol. **Raises:** `ValueError` otherwise.
    """
    K = _classes(K)
    return sp.sqrt(K) / (K - 1)


def predicted_collapse(K: int) -> dict[str, float]:
    r"""Limits of the collapse metrics predicted by the global optimum of \( (P_\Lambda) \).

    `nc1` (within/between variability), `nc2` (distance of the class-mean Gram to the ETF),
    `nc3` (classifier vs class means), `mean_cos` (\( -1/(K-1) \)), `bias` (\( \|b\| \)) and
    `w_norm_sq` (\( \|W\|_F^2 \) at \( q_{\min} = 1 \)).

    **Raises:** `ValueError` unless `K` is an integer \( \ge 2 \).
    """
    K = as_int("K", K, 2)
    return {
        "nc1": 0.0,
        "nc2": 0.0,
        "nc3": 0.0,
        "mean_cos": float(etf_cosine(K)),
        "bias": 0.0,
        "w_norm_sq": float(layer_peeled_value(K)),
    }


@dataclasses.dataclass(frozen=True)
class LayerPeeledSolution:
    """Numerical global solution of the layer-peeled problem (best of several restarts)."""

    value: float
    H: np.ndarray
    W: np.ndarray
    b: np.ndarray
    labels: np.ndarray
    converged_restarts: int


def solve_layer_peeled(
    K: int,
    d: int,
    n_per_class: int = 2,
    *,
    bias: bool = False,
    restarts: int = 10,
    seed: int = 0,
) -> LayerPeeledSolution:
    r"""Minimise \( \|W\|_F^2 (+\|b\|^2) \) s.t. multiclass margins \( \ge 1 \), \( \|h_n\| = 1 \), by SLSQP.

    **Arguments:**

    - `K`, `d`: classes and feature dimension.
    - `n_per_class`: samples per class (the features are free variables).
    - `bias`: include a penalised bias \( b \).
    - `restarts`, `seed`: random restarts; the lowest feasible value is returned.

    **Raises:** `ValueError` for `K < 2`, `d < 1`, `K > 2` with `d = 1` (unit features in one
    dimension are \( \pm 1 \): only two classes can be separated), `n_per_class < 1`, `restarts < 1`
    or a negative `seed`; `RuntimeError` if no restart converges.
    """
    K = as_int("K", K, 2)
    d = as_int("d", d, 1)
    if K > 2 and d == 1:
        raise ValueError(f"K = {K} classes of unit features need d >= 2, got d = 1")
    n_per_class = as_int("n_per_class", n_per_class, 1)
    restarts = as_int("restarts", restarts, 1)
    seed = as_int("seed", seed, 0)
    N = K * n_per_class
    labels = np.repeat(np.arange(K), n_per_class)
    nb = K if bias else 0
    n_h, n_w = N * d, K * d
    pairs_n = np.repeat(np.arange(N), K - 1)
    pairs_k = np.array([k for y in labels for k in range(K) if k != y])
    pairs_y = labels[pairs_n]

    def unpack(z):
        H = z[:n_h].reshape(N, d)
        W = z[n_h : n_h + n_w].reshape(K, d)
        b = z[n_h + n_w :] if bias else np.zeros(K)
        return H, W, b

    def obj(z):
        return float(np.sum(z[n_h:] ** 2))

    def obj_grad(z):
        g = 2 * z.copy()
        g[:n_h] = 0.0
        return g

    def margins(z):
        H, W, b = unpack(z)
        return np.sum((W[pairs_y] - W[pairs_k]) * H[pairs_n], axis=1) + b[pairs_y] - b[pairs_k] - 1.0

    def margins_jac(z):
        H, W, b = unpack(z)
        P = len(pairs_n)
        J = np.zeros((P, z.size))
        r = np.arange(P)
        for j in range(d):
            J[r, pairs_n * d + j] = W[pairs_y, j] - W[pairs_k, j]
            np.add.at(J, (r, n_h + pairs_y * d + j), H[pairs_n, j])
            np.add.at(J, (r, n_h + pairs_k * d + j), -H[pairs_n, j])
        if bias:
            np.add.at(J, (r, n_h + n_w + pairs_y), 1.0)
            np.add.at(J, (r, n_h + n_w + pairs_k), -1.0)
        return J

    def sphere(z):
        H, _, _ = unpack(z)
        return np.sum(H**2, axis=1) - 1.0

    def sphere_jac(z):
        H, _, _ = unpack(z)
        J = np.zeros((N, z.size))
        for j in range(d):
            J[np.arange(N), np.arange(N) * d + j] = 2 * H[:, j]
        return J

    rng = np.random.default_rng(seed)
    best, ok = None, 0
    for _ in range(restarts):
        H0 = rng.normal(size=(N, d))
        H0 /= np.linalg.norm(H0, axis=1, keepdims=True)
        z0 = np.concatenate([H0.ravel(), rng.normal(size=n_w) * 2, rng.normal(size=nb)])
        res = so.minimize(
            obj, z0, jac=obj_grad, method="SLSQP",
            constraints=[{"type": "ineq", "fun": margins, "jac": margins_jac},
                         {"type": "eq", "fun": sphere, "jac": sphere_jac}],
            options={"ftol": 1e-14, "maxiter": 3000},
        )
        if margins(res.x).min() < -1e-7 or np.abs(sphere(res.x)).max() > 1e-7:
            continue
        ok += 1
        if best is None or res.fun < best.fun:
            best = res
    if best is None:
        raise RuntimeError("no restart converged to a feasible point")
    H, W, b = unpack(best.x)
    return LayerPeeledSolution(float(best.fun), H, W, b, labels, ok)
