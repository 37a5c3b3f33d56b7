"""Low-rank inputs: the mirror potential Phi_delta and the implicit bias of gradient flow."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.lazy_rich import _symbolic as sym
from theory.lazy_rich import _validate as val

__all__ = ["potential", "potential_grad", "mirror_inverse", "implicit_bias"]

_POT = sp.lambdify((sym.r, sym.delta), sym.PHI_POT, "numpy")
_GRAD = sp.lambdify((sym.r, sym.delta), sym.PHI_GRAD, "numpy")


def _radial(r, dl):
    """sqrt((Sigma + delta)/2) and sqrt((Sigma - delta)/2) without cancellation (Sigma = sqrt(delta^2 + 4 r^2))."""
    sig = np.sqrt(dl**2 + 4 * r**2)
    plus = np.where(dl >= 0, (sig + dl) / 2, np.divide(2 * r**2, sig - dl, out=np.zeros(np.broadcast(r, dl).shape), where=(sig - dl) > 0))
    minus = np.where(dl < 0, (sig - dl) / 2, np.divide(2 * r**2, sig + dl, out=np.zeros(np.broadcast(r, dl).shape), where=(sig + dl) > 0))
    return sig, np.sqrt(plus), np.sqrt(minus)


def _potential_shifted(r, dl) -> float:
    """Phi_delta(r) - Phi_delta(0) without cancellation (m = (Sigma - delta)/2, Sigma = delta + 2m)."""
    sig, plus, minus = _radial(r, dl)
    if dl < 0:
        return float((sig - 2 * dl) * plus / 3)
    m = minus**2
    return float((2 * m * plus - dl * m / (plus + np.sqrt(dl))) / 3)


def potential(beta, delta) -> np.ndarray:
    r"""Mirror potential of one neuron (unit learning rates; derivation `lazy_rich.potential`).

    \[
    \Phi_\delta(\beta) = \tfrac13(\Sigma - 2\delta)\sqrt{(\Sigma + \delta)/2}, \qquad
    \Sigma = \sqrt{\delta^2 + 4\|\beta\|^2} .
    \]

    Convex and radial; \( \Phi_0 = \tfrac23\|\beta\|^{3/2} \), \( \Phi_\delta \approx \|\beta\|^2/(2\sqrt\delta) + c \)
    for \( \delta \gg \|\beta\| \), \( \Phi_\delta \approx \sqrt{|\delta|}\|\beta\| \) for \( -\delta \gg \|\beta\| \).
    (The paper's normalisation is \( \sqrt2 \) times this one; constant factors leave the argmin unchanged.)

    **Arguments:** `beta` (shape `batch + (d,)`), `delta` (broadcastable to `batch`).

    **Returns:** \( \Phi_\delta(\beta) \), shape `batch`.
    """
    beta = val.array(beta, "beta", min_ndim=1)
    dl = val.array(delta, "delta")
    r = np.linalg.norm(beta, axis=-1)
    sig, plus, _ = _radial(r, dl)
    if np.all(dl >= 0):
        return _POT(r, dl)
    return (sig - 2 * dl) * plus / 3  # the same expression with the stable sqrt((Sigma + delta)/2)


def potential_grad(beta, delta) -> np.ndarray:
    r"""Gradient of the potential, \( \nabla\Phi_\delta(\beta) = \sqrt{(\Sigma - \delta)/2}\,\hat\beta \).

    This is \( \operatorname{sign}(a)\, w \) along the flow (the mirror variable). At \( \beta = 0 \) it returns 0
    (for \( \delta < 0 \) the subdifferential there is the ball of radius \( \sqrt{|\delta|} \)).

    **Returns:** shape of `beta`.
    """
    beta = val.array(beta, "beta", min_ndim=1)
    dl = val.array(delta, "delta")
    r = np.linalg.norm(beta, axis=-1)
    _, _, minus = _radial(r, dl)
    bhat = np.divide(beta, r[..., None], out=np.zeros_like(beta), where=r[..., None] > 0)
    return np.asarray(minus)[..., None] * bhat


def mirror_inverse(u, delta) -> np.ndarray:
    r"""Inverse of the mirror map: \( \beta = \nabla\Phi^*(u) = \sqrt{(\delta + \|u\|^2)_+}\; u \).

    For \( u = \operatorname{sign}(a) w \) this is \( \beta = a w \) with \( |a| = \sqrt{\delta + \|w\|^2} \).
    """
    u = val.array(u, "u", min_ndim=1)
    dl = val.array(delta, "delta")
    c = np.maximum(dl + np.sum(u**2, -1), 0.0)
    return np.sqrt(c)[..., None] * u


def implicit_bias(X, y, beta0, delta, *, tol: float = 1e-13, max_iter: int = 200) -> np.ndarray:
    r"""Interpolant reached by gradient flow from \( \beta_0 \) with low-rank inputs (unit learning rates).

    \[
    \beta_\infty = \operatorname*{argmin}_{X\beta = y}\; \Phi_\delta(\beta) - \nabla\Phi_\delta(\beta_0)^\top\beta,
    \]

    valid when the readout keeps its sign along the flow (always for \( \delta \ge 0 \)). Solved by damped
    Newton iterations on the convex objective restricted to the interpolants \( \beta = X^+y + Nz \)
    (\( N \) a null-space basis of \( X \)), started at the lazy limit \( \beta_0 + X^+(y - X\beta_0) \)
    (the KKT system is \( w_\infty = w_0 + X^\top\lambda \), \( a_\infty^2 = \delta +
    \|w_\infty\|^2 \), \( X a_\infty w_\infty = y \)).

    **Arguments:**

    - `X`: inputs, shape `(n, d)`, rank `n` (the problem must have interpolants).
    - `y`: targets, shape `(n,)`.
    - `beta0`: initial function \( a_0 w_0 \ne 0 \), shape `(d,)`.
    - `delta`: the conserved quantity (scalar).

    **Returns:** \( \beta_\infty \), shape `(d,)`.

    **Raises:** `ValueError` on bad shapes, NaN, `beta0 = 0`, rank-deficient `X`, or no convergence.
    """
    X = val.array(X, "X", min_ndim=2)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got {X.shape}")
    n, d = X.shape
    y = val.array(y, "y", min_ndim=1)
    if y.shape != (n,):
        raise ValueError(f"y must have shape (n,) = ({n},), got {y.shape}")
    b0 = val.array(beta0, "beta0", min_ndim=1)
    if b0.shape != (d,):
        raise ValueError(f"beta0 must have shape (d,) = ({d},), got {b0.shape}")
    if not np.any(b0):
        raise ValueError("beta0 must be nonzero (a0 w0 = 0 has no mirror direction)")
    dl = val.scalar(delta, "delta")
    if np.linalg.matrix_rank(X) < n:
        raise ValueError("X must have full row rank n (otherwise X beta = y may have no solution)")
    u0 = potential_grad(b0, dl)
    # null-space parameterisation beta = beta_p + N z of the interpolants
    _, sv, Vt = np.linalg.svd(X)
    N = Vt[n:].T
    beta = b0 + np.linalg.pinv(X) @ (y - X @ b0)  # start: the interpolant closest to beta0 (the lazy limit)
    if N.shape[1] == 0:
        return beta
    scale = max(1.0, float(np.linalg.norm(u0)))

    def objective(b):
        return _potential_shifted(np.linalg.norm(b), dl) - float(u0 @ b)

    def gradient(b):
        return N.T @ (potential_grad(b, dl) - u0)

    def hessian(b):
        r = np.linalg.norm(b)
        sig, _, minus = _radial(r, dl)
        bh = b / r
        d2 = r / (sig * minus)  # = 2r / (Sigma sqrt(2(Sigma - delta))), with Sigma - delta = 2 minus^2 (no cancellation)
        H = d2 * np.outer(bh, bh) + (minus / r) * (np.eye(d) - np.outer(bh, bh))
        return N.T @ H @ N

    f = objective(beta)
    g = gradient(beta)
    for _ in range(max_iter):
        if np.linalg.norm(g) <= tol * scale:
            break
        Hz = hessian(beta)
        step = -np.linalg.solve(Hz + 1e-300 * np.eye(Hz.shape[0]), g)
        tstep = 1.0
        for _ in range(60):
            cand = beta + tstep * (N @ step)
            fn = objective(cand)
            if np.any(cand) and fn <= f + 1e-4 * tstep * (g @ step):
                break
            gn = gradient(cand)
            if np.any(cand) and np.linalg.norm(gn) < np.linalg.norm(g) and abs(fn - f) <= 1e-13 * scale * max(1.0, np.linalg.norm(cand)):
                break  # objective differences are below round-off: accept on gradient decrease
            tstep /= 2
        beta = cand
        f = fn
        g = gradient(beta)
    else:
        raise ValueError("implicit_bias: Newton iterations did not converge")
    return beta
