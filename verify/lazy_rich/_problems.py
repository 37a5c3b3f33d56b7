"""Shared helpers of the lazy_rich claims: the paper's fixed problems, random problem builders,
initialisations from (beta0, delta), crossing times, and the ODE tolerances of the practice sides."""

from __future__ import annotations

import numpy as np

from verify.core.claims import Prediction

#: diffrax tolerances of the practice-side gradient flows (global error ~1e-10 over t <= 10)
ODE_TOL = dict(rtol=1e-12, atol=1e-14)

#: Figs. 2-4a of the paper (official notebook): X^T X = I_2, X^T y = (0, 1), beta_0 = (-1, 0), a_0 > 0, eta = 1
FIG3_BETA_STAR = np.array([0.0, 1.0])
FIG3_BETA0 = np.array([-1.0, 0.0])
FIG3_DELTAS = (-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0)
#: Fig. 4b (low rank): one input x = (0.5, 1), X^T y = 1.1 x, beta_0 = (0.4, 0.05)
FIG4B_X = np.array([[0.5, 1.0]])
FIG4B_Y = np.array([1.1])
FIG4B_BETA0 = np.array([0.4, 0.05])


def orthonormal_columns(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """An n x d matrix with X^T X = I_d (n >= d)."""
    Q, R = np.linalg.qr(rng.normal(size=(n, d)))
    return Q * np.sign(np.diag(R))


def whitened_data(rng: np.random.Generator, n: int, beta_star: np.ndarray, noise: float = 0.3):
    """X (n x d, X^T X = I) and y with X^T y = beta_star, plus a residual orthogonal to range(X)."""
    d = beta_star.shape[0]
    X = orthonormal_columns(rng, n, d)
    xi = rng.normal(size=n) * noise
    y = X @ beta_star + xi - X @ (X.T @ xi)
    return X, y


def init_from_beta(beta0: np.ndarray, delta: float, eta_a: float = 1.0, eta_w: float = 1.0, sign: float = 1.0):
    """(a0, w0) with a0 w0 = beta0, eta_w a0^2 - eta_a |w0|^2 = delta and sign(a0) = sign (beta0 != 0)."""
    r = float(np.linalg.norm(beta0))
    sig = np.sqrt(delta**2 + 4 * eta_a * eta_w * r**2)
    plus = (sig + delta) / 2 if delta >= 0 else 2 * eta_a * eta_w * r**2 / (sig - delta)
    a0 = sign * np.sqrt(plus / eta_w)
    return float(a0), np.asarray(beta0, float) / a0


def first_crossing(t: np.ndarray, x: np.ndarray, level: float, *, log: bool = False) -> float:
    """First time at which x(t) falls below `level` (linear interpolation, in log x if `log`); inf if never."""
    below = np.nonzero(x < level)[0]
    if below.size == 0:
        return float("inf")
    i = int(below[0])
    if i == 0:
        return float(t[0])
    f = np.log if log else (lambda v: v)
    x0, x1, lv = f(x[i - 1]), f(x[i]), f(level)
    return float(t[i - 1] + (t[i] - t[i - 1]) * (x0 - lv) / (x0 - x1))


def first_rise(t: np.ndarray, x: np.ndarray, level: float) -> float:
    """First time at which x(t) rises above `level` (linear interpolation)."""
    return first_crossing(t, -x, -level)


def grid_minimum(t: np.ndarray, x: np.ndarray) -> float:
    """Minimum of a sampled smooth curve, refined by a parabola through the three points around it."""
    i = int(np.argmin(x))
    if i == 0 or i == len(x) - 1:
        return float(x[i])
    x0, x1, x2 = x[i - 1], x[i], x[i + 1]
    den = x0 - 2 * x1 + x2
    return float(x1 - (x2 - x0) ** 2 / (8 * den)) if den > 0 else float(x1)


def exact(value, **info) -> Prediction:
    """A theory value with no stated uncertainty (closed form)."""
    return Prediction(value=value, info=info)


def general_problem(rng: np.random.Generator, n: int, d: int):
    """A generic (non-whitened) regression problem: X (n x d) with entries N(0, 1/n), y ~ N(0, 1)."""
    X = rng.normal(size=(n, d)) / np.sqrt(n)
    y = rng.normal(size=n)
    return X, y


def solver_counters(info) -> dict:
    """Pathology counters of a batched `gradient_flow(..., full_output=True)` run."""
    return {
        "solver_steps": int(np.sum(info["solver_steps"])),
        "hit_max_steps": bool(not np.all(info["success"])),
    }
