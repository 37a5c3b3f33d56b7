r"""The deep-linear potential \( \Phi_L \) of a single-path network and its implicit bias (issue 18).

Network \( f(x) = a_L\cdots a_2\, w^\top x \) (first layer \( w\in\mathbb R^d \), scalar layers
\( a_2,\dots,a_L \)), loss \( \tfrac12\|X\beta - y\|^2 \), unit learning rates, all \( a_l > 0 \).
Conserved (`conserved_matrices`): \( \delta_l = a_{l+1}^2 - a_l^2 \) with \( a_1 := \|w\| \), so
\( a_l^2 = u^2 + c_l \), \( u = \|w\| \), \( c_l = \delta_1 + \dots + \delta_{l-1} \) and

\[ \|\beta\| = g(u) = u\prod_{l=2}^{L}\sqrt{u^2 + c_l}. \]

Since \( \dot w = -(a_2\cdots a_L) X^\top\rho \), the first layer \( w = u\hat\beta \) is the mirror
variable of a flow time-warped by \( \prod a_l \): \( \nabla\Phi_L(\beta) = g^{-1}(\|\beta\|)\hat\beta \), with

\[ \Phi_L(\beta) = u\,g(u) - \int_{u_{\min}}^{u} g(s)\,ds, \qquad u = g^{-1}(\|\beta\|),\quad
u_{\min} = \sqrt{\max(0, -\min_l c_l)} , \]

and the flow reaches \( \beta_\infty = \operatorname{argmin}_{X\beta=y}\Phi_L(\beta) - \nabla\Phi_L(\beta_0)^\top\beta \).
Balanced (\( \delta_l = 0 \)): \( \Phi_L = \tfrac{L}{L+1}\|\beta\|^{(L+1)/L} \); \( L = 2 \): the single-neuron
\( \Phi_\delta \) up to a constant. The sympy derivation is `deep_potential_derivation()` (in `derivations()`).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory._derivation import Derivation, Step
from theory.lazy_rich import _validate as val

__all__ = ["deep_potential", "deep_potential_grad", "deep_implicit_bias", "deep_potential_derivation"]

_GL_X, _GL_W = np.polynomial.legendre.leggauss(64)


def _offsets(deltas) -> np.ndarray:
    """c_l = delta_1 + ... + delta_{l-1} for l = 2..L (checked: finite, at least one layer pair)."""
    dl = val.array(deltas, "deltas", min_ndim=1)
    if dl.ndim != 1 or dl.size == 0:
        raise ValueError(f"deltas must be a non-empty 1-D array (one entry per adjacent layer pair), got shape {dl.shape}")
    return np.cumsum(dl)


def _u_min(c) -> float:
    return float(np.sqrt(max(0.0, -float(np.min(c)))))


def _g(u, c):
    """|beta| as a function of u = |w| (0 below u_min, where the a_l would be imaginary)."""
    u = np.asarray(u, float)
    sq = np.maximum(u[..., None] ** 2 + c, 0.0)
    return u * np.prod(np.sqrt(sq), axis=-1)


def _gprime(u, c):
    u = np.asarray(u, float)
    sq = np.maximum(u[..., None] ** 2 + c, 0.0)
    prod = np.prod(np.sqrt(sq), axis=-1)
    # d/du [u prod sqrt(u^2 + c)] = prod (1 + u^2 sum 1/(u^2 + c)); written without dividing by zero
    terms = np.zeros(u.shape)
    for j in range(len(c)):
        others = np.prod(np.sqrt(np.delete(sq, j, axis=-1)), axis=-1) if len(c) > 1 else np.ones(u.shape)
        terms = terms + u**2 * others / np.where(sq[..., j] > 0, np.sqrt(sq[..., j]), np.inf)
    return prod + terms


def _u_of_r(r, c):
    """Inverse of g on [u_min, inf): bisection to bracket, then Newton (monotone increasing g)."""
    r = np.asarray(r, float)
    lo = np.full(r.shape, _u_min(c))
    hi = np.maximum(lo + 1.0, 1.0)
    for _ in range(200):
        short = _g(hi, c) < r
        if not np.any(short):
            break
        hi = np.where(short, 2 * hi, hi)
    for _ in range(200):  # bisection: robust near the sqrt kink at u_min
        mid = (lo + hi) / 2
        big = _g(mid, c) >= r
        hi, lo = np.where(big, mid, hi), np.where(big, lo, mid)
        if np.all(hi - lo <= 1e-15 * np.maximum(1.0, hi)):
            break
    return (lo + hi) / 2


def _G(u, c):
    """int_{u_min}^{u} g(s) ds by 64-point Gauss-Legendre after s = u_min + (u - u_min) t^2 (removes the sqrt kink)."""
    u = np.asarray(u, float)
    um = _u_min(c)
    span = np.maximum(u - um, 0.0)
    t = (_GL_X + 1) / 2
    s = um + span[..., None] * t**2
    return np.sum(_GL_W / 2 * _g(s, c) * 2 * span[..., None] * t, axis=-1)


def deep_potential(beta, deltas) -> np.ndarray:
    r"""The depth-\( L \) potential \( \Phi_L(\beta) = u\,g(u) - \int_{u_{\min}}^u g \), \( u = g^{-1}(\|\beta\|) \).

    Single-path deep linear network, unit learning rates, positive scalar layers (module docstring).
    \( \Phi_L(0) = 0 \); balanced: \( \tfrac{L}{L+1}\|\beta\|^{(L+1)/L} \); \( L = 2 \): `potential(beta, delta)`
    \( - \) `potential(0, delta)`.

    **Arguments:** `beta` (shape `batch + (d,)`), `deltas` the \( L - 1 \) conserved
    \( \delta_l = a_{l+1}^2 - a_l^2 \) (\( a_1 = \|w\| \)), any sign.

    **Returns:** \( \Phi_L(\beta) \), shape `batch`.

    **Raises:** `ValueError` on NaN/inf or an empty `deltas`.
    """
    beta = val.array(beta, "beta", min_ndim=1)
    c = _offsets(deltas)
    r = np.linalg.norm(beta, axis=-1)
    u = _u_of_r(r, c)
    return u * r - _G(u, c)


def deep_potential_grad(beta, deltas) -> np.ndarray:
    r"""\( \nabla\Phi_L(\beta) = g^{-1}(\|\beta\|)\,\hat\beta \): the first layer \( w \) (the mirror variable).

    At \( \beta = 0 \) it returns 0 (where some \( c_l < 0 \) the subdifferential there is the ball of
    radius \( u_{\min} \)). **Returns:** shape of `beta`. **Raises:** as `deep_potential`.
    """
    beta = val.array(beta, "beta", min_ndim=1)
    c = _offsets(deltas)
    r = np.linalg.norm(beta, axis=-1)
    u = _u_of_r(r, c)
    bhat = np.divide(beta, r[..., None], out=np.zeros_like(beta), where=r[..., None] > 0)
    return u[..., None] * bhat


def deep_implicit_bias(X, y, beta0, deltas, *, tol: float = 1e-13, max_iter: int = 200) -> np.ndarray:
    r"""Interpolant reached by the single-path deep linear flow from \( \beta_0 \) (positive scalar layers).

    \[ \beta_\infty = \operatorname*{argmin}_{X\beta = y}\ \Phi_L(\beta) - \nabla\Phi_L(\beta_0)^\top\beta , \]

    solved through the smooth dual \( \min_\lambda \Phi_L^*(w_0 + X^\top\lambda) - \lambda^\top y \) with
    \( \nabla\Phi_L^*(\theta) = g(\|\theta\|)\hat\theta \) (damped Newton on the dual gradient): the KKT system
    \( w_\infty = w_0 + X^\top\lambda \), \( X\,g(\|w_\infty\|)\hat w_\infty = y \).

    **Arguments:** `X` `(n, d)` of rank `n`, `y` `(n,)`, `beta0` `(d,)` nonzero, `deltas` `(L - 1,)`.

    **Returns:** \( \beta_\infty \), shape `(d,)`.

    **Raises:** `ValueError` on bad shapes, NaN/inf, `beta0 = 0`, rank-deficient `X`, or no convergence.
    """
    X = val.array(X, "X", min_ndim=2)
    if X.ndim != 2 or X.size == 0:
        raise ValueError(f"X must have shape (n, d) with n, d >= 1, got {X.shape}")
    n, d = X.shape
    y = val.array(y, "y", min_ndim=1)
    if y.shape != (n,):
        raise ValueError(f"y must have shape (n,) = ({n},), got {y.shape}")
    b0 = val.array(beta0, "beta0", min_ndim=1)
    if b0.shape != (d,):
        raise ValueError(f"beta0 must have shape (d,) = ({d},), got {b0.shape}")
    if not np.any(b0):
        raise ValueError("beta0 must be nonzero (no mirror direction at beta0 = 0)")
    c = _offsets(deltas)
    if np.linalg.matrix_rank(X) < n:
        raise ValueError("X must have full row rank n (otherwise X beta = y may have no solution)")
    w0 = deep_potential_grad(b0, deltas)
    lam = np.zeros(n)
    scale = max(1.0, float(np.linalg.norm(y)))

    def beta_of(lam_):
        th = w0 + X.T @ lam_
        u = np.linalg.norm(th)
        return th, u, (_g(u, c) / u) * th if u > 0 else np.zeros(d)

    th, u, beta = beta_of(lam)
    res = X @ beta - y
    for _ in range(max_iter):
        if np.linalg.norm(res) <= tol * scale:
            return beta
        that = th / u
        H = X @ (_gprime(u, c) * np.outer(that, that) + (_g(u, c) / u) * (np.eye(d) - np.outer(that, that))) @ X.T
        step = -np.linalg.solve(H + 1e-300 * np.eye(n), res)
        ts = 1.0
        for _ in range(60):
            th_n, u_n, beta_n = beta_of(lam + ts * step)
            res_n = X @ beta_n - y
            if u_n > _u_min(c) and np.linalg.norm(res_n) < (1 - 1e-4 * ts) * np.linalg.norm(res):
                break
            ts /= 2
        else:
            raise ValueError("deep_implicit_bias: the Newton line search failed")
        lam, th, u, beta, res = lam + ts * step, th_n, u_n, beta_n, res_n
    raise ValueError("deep_implicit_bias: Newton iterations did not converge")


# --------------------------------------------------------------------------- the sympy derivation
def deep_potential_derivation() -> Derivation:
    """The derivation of Phi_L, with its symbolic checks (listed by `theory.lazy_rich.derivations()`)."""
    u, s_, r_ = sp.symbols("u s r", positive=True)
    gfun = sp.Function("g")
    umin = sp.Symbol("u_min", nonnegative=True)
    phi_general = u * gfun(u) - sp.Integral(gfun(s_), (s_, umin, u))
    # 1. dPhi/du = u g'(u), so dPhi/dr = u with r = g(u): the gradient of Phi is u bhat = w
    ok_grad = sp.simplify(sp.diff(phi_general, u) - u * sp.diff(gfun(u), u)) == 0
    # 2. time warp: f = a3 a2 w.x, gradient in w is a2 a3 X^T rho (L = 3 shown, 2 features)
    a2, a3 = sp.symbols("a_2 a_3", positive=True)
    w1, w2, x1, x2, rho = sp.symbols("w_1 w_2 x_1 x_2 rho", real=True)
    loss = (a3 * a2 * (w1 * x1 + w2 * x2) - rho) ** 2 / 2
    resid = a3 * a2 * (w1 * x1 + w2 * x2) - rho
    ok_warp = all(sp.simplify(sp.diff(loss, wi) - a2 * a3 * xi * resid) == 0 for wi, xi in ((w1, x1), (w2, x2)))
    # 3. conservation along the single path: d/dt (a_{l+1}^2 - a_l^2) = 0 (L = 3)
    dw = [-sp.diff(loss, wi) for wi in (w1, w2)]
    da2, da3 = -sp.diff(loss, a2), -sp.diff(loss, a3)
    ok_cons = sp.simplify(2 * a2 * da2 - (2 * w1 * dw[0] + 2 * w2 * dw[1])) == 0 and sp.simplify(2 * a3 * da3 - 2 * a2 * da2) == 0
    # 4. balanced: g = u^L gives Phi = L/(L+1) r^{(L+1)/L}
    Ls = sp.Symbol("L", positive=True, integer=True)
    phi_bal = (u * u**Ls - sp.integrate(s_**Ls, (s_, 0, u))).subs(u, r_ ** (1 / Ls))
    ok_bal = sp.simplify(phi_bal - Ls / (Ls + 1) * r_ ** ((Ls + 1) / Ls)) == 0
    # 5. L = 2 is the single-neuron Phi_delta (brief's normalisation), up to the constant Phi_delta(0)
    dl = sp.Symbol("delta", positive=True)
    g2 = u * sp.sqrt(u**2 + dl)
    phi2 = u * g2 - sp.integrate(s_ * sp.sqrt(s_**2 + dl), (s_, 0, u))
    sigma = 2 * u**2 + dl  # = sqrt(delta^2 + 4 r^2) at r = g2(u)
    ok_sigma = sp.expand(sigma**2 - (dl**2 + 4 * g2**2)) == 0
    phi_delta = sp.Rational(1, 3) * (sigma - 2 * dl) * sp.sqrt((sigma + dl) / 2)
    ok_l2 = sp.simplify(phi2 - (phi_delta + dl ** sp.Rational(3, 2) / 3)) == 0
    # 6. L = 3 profile is increasing (g' > 0 for u > u_min): Phi_L is convex
    c2, c3 = sp.symbols("c_2 c_3", positive=True)
    g3 = u * sp.sqrt(u**2 + c2) * sp.sqrt(u**2 + c3)
    ok_convex = sp.simplify(sp.diff(g3, u) - g3 * (1 / u + u / (u**2 + c2) + u / (u**2 + c3))) == 0
    return Derivation(
        id="lazy_rich.deep_potential",
        title="Deep-linear potential Phi_L (single-path network): a depth-dependent implicit bias",
        paper="lazy_rich",
        source="Kunin et al. 2024, arXiv:2406.06158, Sec. 5 ('a depth-dependent balance between attaining the minimum norm "
               "solution and preserving the initialization direction'); the single-path reading is the brief's §2.3 [R/D]",
        assumptions=(
            "f(x) = a_L ... a_2 w^T x, loss 1/2|X beta - y|^2, unit learning rates, every a_l > 0 along the flow. "
            "Conserved delta_l = a_{l+1}^2 - a_l^2 (a_1 = |w|), so a_l^2 = u^2 + c_l with u = |w|, c_l = delta_1 + ... + delta_{l-1}."
        ),
        steps=(
            Step(sp.Eq(sp.Symbol("\\dot w"), sp.Symbol("-(a_2 \\cdots a_L) X^\\top \\rho")),
                 "the first layer moves along range(X^T), time-warped by the product of the later layers (L = 3 shown)",
                 check=ok_warp),
            Step(sp.Eq(sp.Symbol("\\frac{d}{dt}(a_{l+1}^2 - a_l^2)"), 0),
                 "conserved along the single path (L = 3 shown), hence a_l^2 = u^2 + c_l", check=ok_cons),
            Step(sp.Eq(sp.Symbol("\\|\\beta\\|"), sp.Symbol("g(u) = u \\prod_{l=2}^{L} \\sqrt{u^2 + c_l}")),
                 "beta = (a_2 ... a_L) w, so w = u bhat with u = g^{-1}(|beta|)"),
            Step(sp.Eq(sp.Symbol("\\Phi_L"), phi_general),
                 "then dPhi_L/du = u g'(u), i.e. dPhi_L/d|beta| = u: grad Phi_L(beta) = w, the mirror variable", check=ok_grad),
            Step(sp.Eq(sp.Symbol("\\partial_u g"), sp.Symbol("g (1/u + \\sum_l u/(u^2 + c_l)) > 0")),
                 "g is increasing on (u_min, inf) (L = 3 shown): the radial profile u(r) increases, so Phi_L is convex",
                 check=ok_convex),
            Step(sp.Eq(sp.Symbol("\\Phi_L^{bal}"), Ls / (Ls + 1) * r_ ** ((Ls + 1) / Ls)),
                 "balanced (all delta_l = 0): the brief's |beta|^{(L+1)/L}", check=ok_bal),
            Step(sp.Eq(sp.Symbol("\\Phi_2"), sp.Symbol("\\Phi_\\delta - \\Phi_\\delta(0)")),
                 "L = 2 recovers the single-neuron potential (Sigma = 2u^2 + delta at |beta| = g(u); delta > 0 shown)",
                 check=ok_sigma and ok_l2),
            Step(sp.Eq(sp.Symbol("\\Phi_L^*(\\theta)"), sp.Symbol("\\int_{u_{min}}^{\\|\\theta\\|} g(s) ds")),
                 "convex conjugate: grad Phi_L^*(theta) = g(|theta|) thetahat inverts the mirror map (dual Newton in deep_implicit_bias)"),
        ),
        result=phi_general,
        notes=(
            "Implicit bias: beta_inf = argmin_{X beta = y} Phi_L(beta) - grad Phi_L(beta_0)^T beta, i.e. w_inf = w_0 + X^T lambda. "
            "Upstream (delta_l > 0, small first layer) Phi_L ~ |beta|^2/(2 prod sqrt(c_l)) (l2 around the init: lazy); balanced small "
            "init: grad Phi_L(beta_0) = |beta_0|^{1/L} bhat_0 vanishes more slowly with depth, so deeper nets keep more of the "
            "initial direction; downstream (delta_l < 0): grad Phi_L(beta_0) -> u_min bhat_0 != 0, a persistent direction bias. "
            "No closed form for L >= 4 (elliptic integrals): Phi_L is evaluated by quadrature."
        ),
    )
