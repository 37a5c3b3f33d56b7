"""Single hidden neuron: conserved delta, NTK, exact whitened trajectory, regimes, kernel distance."""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
import sympy as sp

from theory._jax import require_x64
from theory.lazy_rich import _symbolic as sym
from theory.lazy_rich import _validate as val

__all__ = [
    "conserved_delta",
    "ntk_coefficients",
    "ntk_matrix",
    "whitened_trajectory",
    "readout_zero_time",
    "regime",
    "limit_trajectory",
    "reduced_variables",
    "reduced_rhs",
    "riccati_zeta",
    "balanced_trajectory",
    "kernel_distance",
    "ntk_kernel_distance",
    "single_neuron_kernel_distance",
]

# ----------------------------------------------------------------------------- lambdified closed forms
_SIGMA = sp.lambdify((sym.delta, sym.eta_a, sym.eta_w, sym.r), sym.SIGMA_EXPR, "numpy")
_NTK = sp.lambdify((sym.Sigma, sym.delta), [sym.NTK_ISO, sym.NTK_RANK1], "numpy")
_EIG_ARGS = (sym.cp, sym.cm, sym.ep, sym.ea, sym.q0, sym.E, sym.h1, sym.hq)
_STABLE = sp.lambdify(_EIG_ARGS, [sym.PBAR_EIG, sym.ABAR_EIG, sym.G_EIG], "numpy")
_REDUCED = sp.lambdify((sym.sp.Symbol("mu"), sym.sp.Symbol("phi"), sym.s, sym.delta, sym.Sigma), [sym.MU_DOT, sym.PHI_DOT], "numpy")
_RIC_TANH = sp.lambdify((sym.zeta0, sym.delta, sym.D, sym.t), sym.RICCATI_TANH, "numpy")
_RIC_COTH = sp.lambdify((sym.zeta0, sym.delta, sym.D, sym.t), sym.RICCATI_COTH, "numpy")




# ----------------------------------------------------------------------------- delta and the NTK
def conserved_delta(a, w, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""The conserved quantity of a single hidden neuron (Fig. 2 of the paper).

    \[
    \delta = \eta_w a^2 - \eta_a \|w\|^2,
    \]

    constant along gradient flow for any data (derivation `lazy_rich.conservation`).
    Note the cross pairing of learning rates and layers.

    **Arguments:**

    - `a`: readout(s), shape `batch`.
    - `w`: first-layer weights, shape `batch + (d,)`.
    - `eta_a`, `eta_w`: positive layer learning rates.

    **Returns:** \( \delta \), shape `batch`.

    **Raises:** `ValueError` for mismatched shapes, NaN/inf entries or non-positive learning rates.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    a, w = val.readout_and_layer(a, w, "a", "w")
    return eta_w * a**2 - eta_a * np.sum(w**2, axis=-1)


def ntk_coefficients(norm_beta, delta, eta_a: float = 1.0, eta_w: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Coefficients of \( M(\beta) = c_{\rm iso} I + c_1 \hat\beta\hat\beta^\top \) (derivation `lazy_rich.ntk`).

    \[
    c_{\rm iso} = \eta_w a^2 = \tfrac12(\Sigma + \delta), \quad c_1 = \eta_a\|w\|^2 = \tfrac12(\Sigma - \delta), \quad
    \Sigma = \sqrt{\delta^2 + 4\eta_a\eta_w\|\beta\|^2}.
    \]

    The smaller of the two is evaluated as \( \eta_a\eta_w\|\beta\|^2 / \) (the larger) to avoid cancellation.

    **Arguments:**

    - `norm_beta`: \( \|\beta\| \ge 0 \), any shape.
    - `delta`: the conserved quantity, broadcastable with `norm_beta`.
    - `eta_a`, `eta_w`: positive learning rates.

    **Returns:** `(c_iso, c_1)`, broadcast shape.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    r = val.array(norm_beta, "norm_beta")
    if np.any(r < 0):
        raise ValueError("norm_beta must be nonnegative")
    dl = val.array(delta, "delta")
    sig = _SIGMA(dl, eta_a, eta_w, r)
    iso, rank1 = _NTK(sig, dl)
    prod = eta_a * eta_w * r**2
    iso = np.where(dl < 0, np.divide(prod, rank1, out=np.zeros(np.broadcast(prod, rank1).shape), where=rank1 > 0), iso)
    rank1 = np.where(dl >= 0, np.divide(prod, iso, out=np.zeros(np.broadcast(prod, iso).shape), where=iso > 0), rank1)
    return iso, rank1


def ntk_matrix(beta, delta, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""The learning-rate-weighted NTK of one neuron as a function of \( \beta = a w \) alone.

    \[
    \dot\beta = -M(\beta) X^\top (X\beta - y), \qquad
    M(\beta) = \frac{\Sigma + \delta}{2} I_d + \frac{\Sigma - \delta}{2} \hat\beta\hat\beta^\top .
    \]

    At \( \beta = 0 \) with \( \delta < 0 \) the kernel is \( \eta_a w w^\top \), which depends on the
    direction of \( w \) and not on \( \beta \); this function then returns the zero matrix
    (the limit along no particular direction is defined).

    **Arguments:**

    - `beta`: shape `batch + (d,)`.
    - `delta`: shape broadcastable to `batch`.
    - `eta_a`, `eta_w`: positive learning rates.

    **Returns:** \( M \), shape `batch + (d, d)`.

    **Raises:** `ValueError` on NaN/inf, non-positive learning rates or a `delta` that does not broadcast.
    """
    beta = val.array(beta, "beta", min_ndim=1)
    dl = val.array(delta, "delta")
    try:
        dl = np.broadcast_to(dl, beta.shape[:-1])
    except ValueError as err:
        raise ValueError(f"delta of shape {dl.shape} does not broadcast to beta.shape[:-1] = {beta.shape[:-1]}") from err
    r = np.linalg.norm(beta, axis=-1)
    iso, rank1 = ntk_coefficients(r, dl, eta_a, eta_w)
    bhat = np.divide(beta, r[..., None], out=np.zeros_like(beta), where=r[..., None] > 0)
    eye = np.eye(beta.shape[-1])
    return iso[..., None, None] * eye + rank1[..., None, None] * bhat[..., :, None] * bhat[..., None, :]


# ----------------------------------------------------------------------------- exact trajectory
#: largest |a0|, |w0|, |beta_star| (rescaled by the learning rates) the closed form evaluates: its
#: terms hold squares and products of these, which must stay below float64's 1.8e308
_MAX_SCALE = 1e100


def _whitened_setup(a0, w0, beta_star, eta_a, eta_w):
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    a0, w0 = val.readout_and_layer(a0, w0)
    if w0.shape[-1] == 0:
        raise ValueError(f"w0 must have at least one component (d >= 1), got shape {w0.shape}")
    bs = val.array(beta_star, "beta_star", min_ndim=1)
    for name, x, lr in (("a0", a0, eta_a), ("w0", w0, eta_w), ("beta_star", bs, eta_a * eta_w)):
        big = float(np.max(np.abs(x), initial=0.0)) / np.sqrt(lr)
        if big > _MAX_SCALE:
            raise ValueError(f"{name} must have entries of magnitude <= {_MAX_SCALE:g} (in units of the learning rates): "
                             f"the closed form squares them, and {big:.3g} overflows float64")
    if bs.shape[-1] != w0.shape[-1]:
        raise ValueError(f"beta_star must have last dimension d = {w0.shape[-1]}, got shape {bs.shape}")
    try:
        bs = np.broadcast_to(bs, w0.shape)
    except ValueError as err:
        raise ValueError(f"beta_star of shape {bs.shape} does not broadcast to w0.shape = {w0.shape}") from err
    nw = np.linalg.norm(w0, axis=-1)
    if np.any((a0 == 0) & (nw == 0)):
        raise ValueError("a0 and w0 are both zero: the origin is a fixed point (the trajectory is identically zero)")
    k = np.sqrt(eta_a * eta_w)
    at = a0 / np.sqrt(eta_a)
    wt = w0 / np.sqrt(eta_w)
    bst = bs / k
    dl = at**2 - np.sum(wt**2, -1)
    s = np.linalg.norm(bst, axis=-1)
    nwt = nw / np.sqrt(eta_w)
    e1 = np.zeros_like(wt)
    e1[..., 0] = 1.0
    wdir = np.divide(wt, nwt[..., None], out=e1.copy(), where=nwt[..., None] > 0)
    bhat = np.where(s[..., None] > 0, np.divide(bst, s[..., None], out=e1.copy(), where=s[..., None] > 0), wdir)
    p = np.sum(wt * bhat, -1)
    wperp = wt - p[..., None] * bhat
    q = np.linalg.norm(wperp, axis=-1)
    D = np.sqrt(dl**2 + 4 * s**2)
    return dict(eta_a=eta_a, eta_w=eta_w, at=at, dl=dl, s=s, bhat=bhat, p=p, wperp=wperp, q=q, D=D)


def whitened_trajectory(
    a0, w0, beta_star, t, eta_a: float = 1.0, eta_w: float = 1.0, *, backend: str = "numpy"
) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact gradient-flow trajectory of one neuron for whitened inputs \( X^\top X = I \).

    With unit learning rates (the general case reduces to it by rescaling a, w, beta*, delta and
    time by \( \eta_a\eta_w \)), \( Q = (w; a) \) obeys \( \dot Q = AQ - \tfrac12\|Q\|^2 Q \), so

    \[
    Q(t) = \frac{e^{At}Q_0}{\sqrt{1 + \int_0^t \|e^{As}Q_0\|^2 ds}},
    \]

    explicitly (derivation `lazy_rich.exact_solution`, \( D = \sqrt{\delta^2 + 4\|\beta^*\|^2} \)):
    \( a = \bar a/\sqrt G \), \( w = (\bar p\,\hat\beta^* + e^{-\delta t/2} w_\perp(0))/\sqrt G \). The code
    evaluates the stable form (numerators times \( e^{-Dt/2} \), \( G \) times \( e^{-Dt} \)) in the eigenbasis of
    the \( (p, a) \) block of \( A \): every term is bounded (\( D \ge |\delta| \)) and nonnegative, so it works up
    to \( t = 10^3 \) and beyond in float64 without overflow or cancellation.
    Valid for every \( \delta \) (0 included), either sign of \( a_0 \), and through a sign change of
    \( a \) (downstream).

    **Arguments:**

    - `a0`: initial readout, shape `batch` (a scalar for one initialisation).
    - `w0`: initial first layer, shape `batch + (d,)`.
    - `beta_star`: \( X^\top y \), shape `(d,)` or `batch + (d,)`.
    - `t`: times \( \ge 0 \), any shape.
    - `eta_a`, `eta_w`: positive layer learning rates.
    - `backend`: `"numpy"` (default) or `"jax"` (the same sympy expressions lambdified for JAX, jitted and
      fused; faster on large batches).

    **Returns:** `(a, w)` with `a.shape == batch + t.shape` and `w.shape == batch + t.shape + (d,)`.

    **Raises:** `ValueError` for non-positive learning rates, mismatched shapes, an empty `w0` (d = 0),
    NaN/inf, entries of `a0`, `w0`, `beta_star` above 1e100 in magnitude (their squares would overflow
    float64), negative times, or `a0 = 0` together with `w0 = 0`; `RuntimeError` for `backend="jax"`
    unless JAX computes in float64 (`theory.enable_x64()`).
    """
    st = _whitened_setup(a0, w0, beta_star, eta_a, eta_w)
    t = val.array(t, "t")
    if np.any(t < 0):
        raise ValueError("t must be nonnegative")
    if backend not in ("numpy", "jax"):
        raise ValueError(f"backend must be 'numpy' or 'jax', got {backend!r}")
    dl, s, D, p, at = st["dl"], st["s"], st["D"], st["p"], st["at"]
    # orthonormal eigenvector e_+ of B = [[-delta/2, s], [s, delta/2]] for +D/2 (the better-conditioned of two
    # proportional expressions); D = 0 (s = delta = 0) gives B = 0, any basis
    ep_raw = np.where(dl >= 0, s, (D - dl) / 2)
    ea_raw = np.where(dl >= 0, (D + dl) / 2, s)
    nrm = np.hypot(ep_raw, ea_raw)
    ep = np.where(nrm > 0, ep_raw / np.where(nrm > 0, nrm, 1.0), 1.0)
    ea = np.where(nrm > 0, ea_raw / np.where(nrm > 0, nrm, 1.0), 0.0)
    cp = ep * p + ea * at
    cm = -ea * p + ep * at
    ex = (Ellipsis,) + (None,) * t.ndim
    exv = (Ellipsis,) + (None,) * t.ndim + (slice(None),)
    per_init = [x[ex] for x in (cp, cm, ep, ea, st["q"], dl, D)] + [st["bhat"][exv], st["wperp"][exv]]
    tau = st["eta_a"] * st["eta_w"] * t
    scales = (np.sqrt(st["eta_a"]), np.sqrt(st["eta_w"]))
    if backend == "jax":
        require_x64("whitened_trajectory(backend='jax')")
        a, w = _jax_core()(*per_init, tau, *scales)
        a, w = np.asarray(a), np.asarray(w)
    else:
        a, w = _core(np, _STABLE, *per_init, tau, *scales)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(w))):
        raise ValueError("whitened_trajectory overflowed float64: scale a0, w0 and beta_star down")
    return a, w


def _core(xp, stable, cp, cm, ep, ea, q, dl, D, bhat, wperp, tau, sqrt_eta_a, sqrt_eta_w):
    """The per-(init, time) part of the exact solution, for numpy or jax.numpy (`xp`)."""

    def phi1(x, tt):  # (1 - e^{-x t})/x, limit t at x = 0
        xs = xp.where(x > 0, x, 1.0)
        return xp.where(x > 0, -xp.expm1(-xs * tt) / xs, tt)

    E = xp.exp(-D * tau)
    h1 = phi1(D, tau)
    hq = xp.where(dl >= 0, E * phi1(xp.maximum(dl, 0.0), tau), xp.exp(-(D + dl) * tau) * phi1(xp.maximum(-dl, 0.0), tau))
    eqf = xp.exp(-(dl + D) * tau / 2)
    pbar, abar, G = stable(cp, cm, ep, ea, q, E, h1, hq)
    shape = xp.broadcast_shapes(xp.shape(cp), xp.shape(tau)) if xp is np else _broadcast_shape(cp, tau)
    root = xp.sqrt(xp.broadcast_to(G, shape))
    a = sqrt_eta_a * xp.broadcast_to(abar, shape) / root
    wvec = xp.broadcast_to(pbar, shape)[..., None] * bhat + xp.broadcast_to(eqf, shape)[..., None] * wperp
    return a, sqrt_eta_w * wvec / root[..., None]


def _broadcast_shape(*xs):
    return np.broadcast_shapes(*(np.shape(x) for x in xs))


@functools.cache
def _jax_core():
    """`_core` with jax.numpy and the same sympy expressions lambdified for JAX, jitted (float64: the
    caller checks that JAX's float64 is on)."""
    import jax  # lazily: the numpy backend, the default, does not need JAX
    import jax.numpy as jnp

    stable = sp.lambdify(_EIG_ARGS, [sym.PBAR_EIG, sym.ABAR_EIG, sym.G_EIG], "jax")
    return jax.jit(functools.partial(_core, jnp, stable))


def readout_zero_time(a0, w0, beta_star, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""The time at which the readout \( a(t) \) crosses zero (whitened inputs), or `inf`.

    \( a(t) = 0 \) iff \( \bar a(t) = 0 \), i.e. \( \tanh(Dt/2) = -D a_0 / (2 s p_0 + \delta a_0) \) in
    unit-learning-rate variables. A crossing needs \( \delta < 0 \) (for \( \delta > 0 \) the readout
    keeps its sign: two-sheeted hyperboloid). At the crossing \( \beta = a w = 0 \) and
    \( \zeta = w^\top\beta^*/a \) has a pole.

    **Arguments:** as `whitened_trajectory`, without `t`.

    **Returns:** crossing time(s), shape `batch`: `inf` where \( a \) never vanishes. `inf` is a meaningful
    answer ("never"), not an overflow: most initialisations (e.g. zero or negative \( a_0 \) of the
    sign that keeps the readout away from zero, every \( \delta > 0 \)) give it.
    """
    st = _whitened_setup(a0, w0, beta_star, eta_a, eta_w)
    at, dl, s, p, D = st["at"], st["dl"], st["s"], st["p"], st["D"]
    den = 2 * s * p + dl * at
    ratio = np.divide(-D * at, den, out=np.full(np.shape(at), np.inf), where=den != 0)
    ok = (ratio > 0) & (ratio < 1) & (at != 0)
    tau = np.where(ok, 2 * np.arctanh(np.where(ok, ratio, 0.5)) / np.where(D > 0, D, 1.0), np.inf)
    tau = np.where(at == 0, 0.0, tau)
    return tau / (st["eta_a"] * st["eta_w"])


# ----------------------------------------------------------------------------- regimes and limits
def regime(delta, atol: float = 0.0) -> str | np.ndarray:
    r"""Name of the regime of a conserved quantity \( \delta \) (Fig. 2/3 of the paper).

    - `"upstream"` (\( \delta > 0 \)): two-sheeted hyperboloid, the first layer learns relatively faster;
      lazy as \( \delta \to +\infty \) (kernel \( \delta I \), `limit_trajectory`).
    - `"balanced"` (\( \delta = 0 \)): double cone, rich.
    - `"downstream"` (\( \delta < 0 \)): one-sheeted hyperboloid; delayed rich; lazy with a frozen
      direction as \( \delta \to -\infty \).

    **Arguments:**

    - `delta`: a scalar or an array.
    - `atol`: \( |\delta| \le \) `atol` counts as balanced.

    **Returns:** a string for a scalar, else an array of strings.
    """
    dl = val.array(delta, "delta")
    atol = val.scalar(atol, "atol")
    if atol < 0:
        raise ValueError("atol must be nonnegative")
    out = np.where(dl > atol, "upstream", np.where(dl < -atol, "downstream", "balanced"))
    return str(out) if out.ndim == 0 else out


def limit_trajectory(beta0, beta_star, t, delta) -> np.ndarray:
    r"""The \( \delta \to \pm\infty \) limit of the whitened function-space trajectory.

    - \( \delta \to +\infty \) (upstream, lazy, \( M \to \delta I \)):
      \( \beta(t) \approx \beta^* + e^{-\delta t}(\beta_0 - \beta^*) \).
    - \( \delta \to -\infty \) (downstream, lazy, \( M \to |\delta|\hat\beta_0\hat\beta_0^\top \)):
      \( \beta(t) \approx \beta_0 + (1 - e^{-|\delta| t})\,(\hat\beta_0^\top(\beta^* - \beta_0))\,\hat\beta_0 \).

    The error at fixed \( |\delta| t \) is \( O(1/\delta^2) \) (claims 11-12).

    **Arguments:**

    - `beta0`: initial function, shape `(d,)`.
    - `beta_star`: target \( X^\top y \), shape `(d,)`.
    - `t`: times (original units), any shape.
    - `delta`: nonzero scalar; its sign picks the limit and \( |\delta| \) sets the time scale.

    **Raises:** `ValueError` for mismatched shapes, NaN/inf, negative times, `delta = 0`, or
    `beta0 = 0` in the downstream limit.

    **Returns:** \( \beta \), shape `t.shape + (d,)`.
    """
    b0 = val.array(beta0, "beta0", min_ndim=1)
    bs = val.array(beta_star, "beta_star", min_ndim=1)
    if b0.shape != bs.shape or b0.ndim != 1:
        raise ValueError(f"beta0 and beta_star must both have shape (d,), got {b0.shape} and {bs.shape}")
    t = val.array(t, "t")
    if np.any(t < 0):
        raise ValueError("t must be nonnegative")
    dl = val.scalar(delta, "delta")
    if dl == 0:
        raise ValueError("delta must be nonzero (the limits are delta -> +inf or -inf)")
    decay = np.exp(-abs(dl) * t)[..., None]
    if dl > 0:
        return bs + decay * (b0 - bs)
    n0 = np.linalg.norm(b0)
    if n0 == 0:
        raise ValueError("beta0 must be nonzero for the downstream limit (its direction is frozen)")
    bh = b0 / n0
    return b0 + (1 - decay) * (bh @ (bs - b0)) * bh


# ----------------------------------------------------------------------------- reduced system
def reduced_variables(a, w, beta_star) -> tuple[np.ndarray, np.ndarray]:
    r"""Signed magnitude \( \mu = a\|w\| \) and alignment \( \phi = \hat w^\top\beta^*/\|\beta^*\| \).

    **Arguments:** `a` (shape `batch`), `w` (shape `batch + (d,)`), `beta_star` (shape `(d,)`, nonzero).

    **Returns:** `(mu, phi)`, each of shape `batch`.
    """
    a, w = val.readout_and_layer(a, w, "a", "w")
    bs = val.array(beta_star, "beta_star", min_ndim=1)
    s = np.linalg.norm(bs)
    if s == 0:
        raise ValueError("beta_star must be nonzero (phi is undefined)")
    nw = np.linalg.norm(w, axis=-1)
    return a * nw, np.divide(w @ bs, nw * s, out=np.zeros_like(nw), where=nw > 0)


def reduced_rhs(mu, phi, s, delta, eta_a: float = 1.0, eta_w: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Right-hand side of the reduced \( (\mu, \phi) \) system (derivation `lazy_rich.reduced`).

    \[
    \dot\mu = \Sigma(\phi s - \mu), \qquad \dot\phi = \frac{\delta + \Sigma}{2\mu}\, s\,(1 - \phi^2), \qquad
    \Sigma = \sqrt{\delta^2 + 4\eta_a\eta_w\mu^2}.
    \]

    **Arguments:** `mu` (nonzero: the system is singular at \( \mu = 0 \), where \( \beta = 0 \)), `phi`,
    `s` \( = \|\beta^*\| \ge 0 \), `delta`, learning rates; broadcastable.

    **Returns:** `(mu_dot, phi_dot)`, broadcast shape.

    **Raises:** `ValueError` for `mu = 0`, a negative `s`, NaN/inf or non-positive learning rates.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    mu = val.array(mu, "mu")
    if np.any(mu == 0):
        raise ValueError("mu must be nonzero: the reduced system is singular at mu = 0 (beta = 0)")
    phi = val.array(phi, "phi")
    s = val.array(s, "s")
    if np.any(s < 0):
        raise ValueError("s = |beta*| must be nonnegative")
    dl = val.array(delta, "delta")
    sig = _SIGMA(dl, eta_a, eta_w, np.abs(mu))
    return _REDUCED(mu, phi, s, dl, sig)


def riccati_zeta(zeta0, s, delta, t) -> np.ndarray:
    r"""Riccati solution for \( \zeta = w^\top\beta^*/a \) (unit learning rates, whitened).

    \( \dot\zeta = s^2 - \delta\zeta - \zeta^2 \), so with \( D = \sqrt{\delta^2 + 4s^2} \) and
    \( T_0 = (\delta + 2\zeta_0)/D \):
    \( \zeta(t) = \tfrac12(-\delta + D\tanh(Dt/2 + \operatorname{artanh} T_0)) \) if \( |T_0| < 1 \), and the coth
    branch if \( |T_0| > 1 \) (poles where \( a = 0 \)).

    **Arguments:** scalars or broadcastable arrays `zeta0`, `s > 0`, `delta`, `t`.

    **Returns:** \( \zeta(t) \), broadcast shape.
    """
    z0 = val.array(zeta0, "zeta0")
    s = val.array(s, "s")
    if np.any(s <= 0):
        raise ValueError("s must be positive")
    dl = val.array(delta, "delta")
    t = val.array(t, "t")
    D = np.sqrt(dl**2 + 4 * s**2)
    T0 = (dl + 2 * z0) / D
    inside = np.abs(T0) < 1
    z_in = np.where(inside, z0, 0.0)
    z_out = np.where(inside, (D + 1.0 - dl) / 2, z0)  # any value with |T0| > 1 on the unused branch
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inside, _RIC_TANH(z_in, dl, D, t), _RIC_COTH(z_out, dl, D, t))


def balanced_trajectory(mu0, phi0, s, t, eta_a: float = 1.0, eta_w: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Closed form of the balanced case \( \delta = 0 \), \( a_0 > 0 \) (official notebook).

    \[
    \phi(t) = \tanh u, \quad u = \operatorname{artanh}\phi_0 + \sqrt{\eta_a\eta_w}\, s t, \qquad
    \mu(t) = \frac{s(1 + \cosh 2u)}{2u + \sinh 2u + c},
    \]

    with \( c \) fixed by \( \mu(0) = \mu_0 \). Evaluated with \( e^{-2|u|} \) scaling (no overflow).

    **Arguments:** `mu0 > 0`, `-1 < phi0 < 1`, `s > 0`, times `t`, learning rates.

    **Returns:** `(mu, phi)`, shape of `t`.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    mu0 = val.scalar(mu0, "mu0")
    phi0 = val.scalar(phi0, "phi0")
    s = val.scalar(s, "s")
    t = val.array(t, "t")
    if mu0 <= 0:
        raise ValueError("mu0 must be positive (balanced with a0 > 0 and w0 != 0)")
    if not -1 < phi0 < 1:
        raise ValueError("phi0 must lie in (-1, 1)")
    if s <= 0:
        raise ValueError("s must be positive")
    u0 = np.arctanh(phi0)
    c = s * (1 + np.cosh(2 * u0)) / mu0 - 2 * u0 - np.sinh(2 * u0)
    u = u0 + np.sqrt(eta_a * eta_w) * s * t
    # divide numerator and denominator by e^{2|u|}/2
    em = np.exp(-2 * np.abs(u))
    num = s * (2 * em + 1 + em**2)
    den = 4 * u * em + np.sign(u) * (1 - em**2) + 2 * c * em
    return num / den, np.tanh(u)


# ----------------------------------------------------------------------------- kernel distance
def kernel_distance(K0, Kt) -> np.ndarray:
    r"""Kernel distance of Fort et al. (2020), as in the paper's Fig. 1 and 3.

    \[
    S(t_1, t_2) = 1 - \frac{\langle K_{t_1}, K_{t_2}\rangle_F}{\|K_{t_1}\|_F\,\|K_{t_2}\|_F}.
    \]

    **Arguments:** `K0`, `Kt`: square kernels, shapes broadcastable, `(..., n, n)`.

    **Returns:** \( S \in [0, 2] \), the broadcast batch shape.

    **Raises:** `ValueError` for non-square or zero kernels, NaN/inf.
    """
    K0 = val.array(K0, "K0", min_ndim=2)
    Kt = val.array(Kt, "Kt", min_ndim=2)
    for name, K in (("K0", K0), ("Kt", Kt)):
        if K.shape[-1] != K.shape[-2]:
            raise ValueError(f"{name} must be square in its last two axes, got {K.shape}")
    if K0.shape[-2:] != Kt.shape[-2:]:
        raise ValueError(f"K0 and Kt must have the same kernel size, got {K0.shape} and {Kt.shape}")
    n0 = np.sqrt(np.sum(K0**2, axis=(-2, -1)))
    nt = np.sqrt(np.sum(Kt**2, axis=(-2, -1)))
    if np.any(n0 == 0):
        raise ValueError("K0 is the zero kernel")
    if np.any(nt == 0):
        raise ValueError("Kt is the zero kernel")
    return 1.0 - np.sum(K0 * Kt, axis=(-2, -1)) / (n0 * nt)


def ntk_kernel_distance(a0, w0, a, w, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""\( S(0, t) \) of one neuron on its \( d \times d \) kernels \( M = \eta_w a^2 I + \eta_a w w^\top \).

    For whitened inputs this equals the kernel distance of the Gram matrices \( X M X^\top \)
    (derivation `lazy_rich.kernel_distance`):

    \[
    \operatorname{tr}(M_0M_t) = d\,\eta_w^2 a_0^2a_t^2 + \eta_a\eta_w(a_0^2\|w_t\|^2 + a_t^2\|w_0\|^2)
    + \eta_a^2 (w_0^\top w_t)^2 .
    \]

    **Arguments:** `a0` (shape `batch`), `w0` (`batch + (d,)`), `a` (`batch + T`), `w` (`batch + T + (d,)`).

    **Returns:** \( S(0, t) \), shape `batch + T`.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    a0, w0 = val.readout_and_layer(a0, w0)
    a, w = val.readout_and_layer(a, w, "a", "w")
    d = w0.shape[-1]
    if w.shape[-1] != d:
        raise ValueError(f"w must have last dimension {d}, got {w.shape}")
    extra = a.ndim - a0.ndim
    if extra < 0 or a.shape[: a0.ndim] != a0.shape:
        raise ValueError(f"a must have shape a0.shape + T = {a0.shape} + T, got {a.shape}")
    ex = (Ellipsis,) + (None,) * extra
    A0, At = eta_w * a0[ex] ** 2, eta_w * a**2
    W0 = eta_a * np.sum(w0**2, -1)[ex]
    Wt = eta_a * np.sum(w**2, -1)
    cross = eta_a * np.einsum("...i,...i->...", w0[(Ellipsis,) + (None,) * extra + (slice(None),)], w)
    tr = d * A0 * At + A0 * Wt + At * W0 + cross**2
    n0 = np.sqrt(d * A0**2 + 2 * A0 * W0 + W0**2)
    nt = np.sqrt(d * At**2 + 2 * At * Wt + Wt**2)
    if np.any(n0 == 0):
        raise ValueError("a0 and w0 are both zero: the initial kernel is zero and S(0, t) is undefined")
    if np.any(nt == 0):
        raise ValueError("a and w are both zero at some time: the kernel is zero and S(0, t) is undefined")
    return 1.0 - tr / (n0 * nt)


def single_neuron_kernel_distance(a0, w0, beta_star, t, eta_a: float = 1.0, eta_w: float = 1.0) -> np.ndarray:
    r"""Closed-form \( S(0, t) \) of one neuron with whitened inputs.

    Evaluates `whitened_trajectory` and then `ntk_kernel_distance`.

    **Returns:** shape `batch + t.shape`.
    """
    a, w = whitened_trajectory(a0, w0, beta_star, t, eta_a, eta_w)
    return ntk_kernel_distance(a0, w0, a, w, eta_a, eta_w)


Regime = Literal["upstream", "balanced", "downstream"]
