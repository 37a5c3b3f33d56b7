"""One hidden neuron: the gradient flow in parameter space and in function space, and gradient descent."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from numerics.lazy_rich._solver import (
    bucket,
    check_steps,
    check_times,
    check_tolerances,
    need_x64,
    pad_rows,
    solve,
    solver_failed,
)
from theory.lazy_rich import _symbolic as sym
from theory.lazy_rich import _validate as val

__all__ = ["gradient_flow", "beta_flow", "single_neuron_gd"]

#: NTK coefficients lambdified for JAX from the same sympy objects as the numpy closed form
_NTK_JAX = sp.lambdify((sym.Sigma, sym.delta), [sym.NTK_ISO, sym.NTK_RANK1], "jax")

def _neuron_field(t, y, args):
    a, w = y
    XtX, Xty, eta_a, eta_w = args
    g = XtX @ (a * w) - Xty  # X^T rho
    return (-eta_a * (w @ g), -eta_w * a * g)


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _neuron_batch(a0, w0, XtX, Xty, ts, eta_a, eta_w, rtol, atol, max_steps):
    def one(a, w):
        return solve(_neuron_field, (a, w), ts, (XtX, Xty, eta_a, eta_w), rtol, atol, max_steps)

    return jax.vmap(one)(a0, w0)


def gradient_flow(
    a0,
    w0,
    X,
    y,
    t,
    eta_a: float = 1.0,
    eta_w: float = 1.0,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    *,
    max_steps: int = 200_000,
    full_output: bool = False,
):
    r"""Gradient flow of one hidden neuron \( f(x) = a w^\top x \) on \( \tfrac12\|X a w - y\|^2 \), any \( X \).

    \[
    \dot a = -\eta_a w^\top X^\top\rho, \qquad \dot w = -\eta_w a X^\top\rho, \qquad \rho = X a w - y,
    \]

    integrated with diffrax (Dopri8, float64) and `vmap`-batched over initialisations (one compiled
    program per shape).

    **Arguments:**

    - `a0`: initial readout(s), shape `batch` (scalar or 1-D).
    - `w0`: initial first layer, shape `batch + (d,)`.
    - `X`: inputs `(n, d)`; `y`: targets `(n,)`.
    - `t`: nondecreasing save times \( \ge 0 \), shape `(T,)` (the flow starts at 0).
    - `eta_a`, `eta_w`: positive learning rates; `rtol`, `atol`: controller tolerances.
    - `max_steps`: solver step cap; `full_output`: also return an info dict.

    **Returns:** `(a, w)` with shapes `batch + (T,)` and `batch + (T, d)`; with `full_output`, also
    `{"solver_steps": ..., "success": ...}` per initialisation (a run that stopped early holds inf
    after the stop; without `full_output` that raises `ValueError` instead).

    **Raises:** `ValueError` on bad shapes, NaN/inf, non-positive rates or tolerances; `RuntimeError`
    unless JAX computes in float64 (`theory.enable_x64()`).
    """
    need_x64("gradient_flow")
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    rtol, atol, max_steps = check_tolerances(rtol, atol, max_steps)
    a0, w0 = val.readout_and_layer(a0, w0)
    if a0.ndim > 1:
        raise ValueError(f"a0 must be a scalar or 1-D batch, got shape {a0.shape}")
    X = val.array(X, "X", min_ndim=2)
    y = val.array(y, "y", min_ndim=1)
    if X.ndim != 2 or X.shape[1] != w0.shape[-1]:
        raise ValueError(f"X must have shape (n, d) with d = {w0.shape[-1]}, got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},), got {y.shape}")
    ts = check_times(t)
    single = a0.ndim == 0
    ab, wb = np.atleast_1d(a0), np.atleast_2d(w0)
    # pad batch, time and width to buckets (padded widths carry zero data and stay exactly zero)
    B, T, d = ab.shape[0], ts.shape[0], wb.shape[1]
    Bp, Tp, dp = bucket(B, 8), bucket(T, 256), bucket(d, 4)
    XtX = np.zeros((dp, dp))
    XtX[:d, :d] = X.T @ X
    Xty = np.zeros(dp)
    Xty[:d] = X.T @ y
    wpad = np.zeros((B, dp))
    wpad[:, :d] = wb
    (a, w), steps, ok = _neuron_batch(
        jnp.asarray(pad_rows(ab, Bp)), jnp.asarray(pad_rows(wpad, Bp)), jnp.asarray(XtX), jnp.asarray(Xty),
        jnp.asarray(pad_rows(ts, Tp)), eta_a, eta_w, rtol, atol, max_steps
    )
    a, w = np.asarray(a)[:B, :T], np.asarray(w)[:B, :T, :d]
    steps, ok = np.asarray(steps)[:B], np.asarray(ok)[:B]
    if single:
        a, w, steps, ok = a[0], w[0], steps[0], ok[0]
    if full_output:
        return a, w, {"solver_steps": steps, "success": ok}
    if not np.all(ok):
        raise solver_failed("gradient_flow", max_steps)
    return a, w


def _beta_field(t, beta, args):
    XtX, Xty, delta, eta_a, eta_w = args
    r2 = beta @ beta
    sig = jnp.sqrt(delta**2 + 4 * eta_a * eta_w * r2)
    iso, rank1 = _NTK_JAX(sig, delta)
    # the smaller coefficient as eta_a eta_w |beta|^2 / (the larger): no cancellation
    iso = jnp.where(delta < 0, eta_a * eta_w * r2 / jnp.where(rank1 > 0, rank1, 1.0), iso)
    rank1 = jnp.where(delta >= 0, eta_a * eta_w * r2 / jnp.where(iso > 0, iso, 1.0), rank1)
    g = XtX @ beta - Xty
    # M g = iso g + rank1 (bhat . g) bhat = iso g + (rank1/|beta|^2) (beta . g) beta
    return -(iso * g + jnp.where(r2 > 0, rank1 / jnp.where(r2 > 0, r2, 1.0), 0.0) * (beta @ g) * beta)


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _beta_batch(beta0, delta, XtX, Xty, ts, eta_a, eta_w, rtol, atol, max_steps):
    def one(b, dl):
        return solve(_beta_field, b, ts, (XtX, Xty, dl, eta_a, eta_w), rtol, atol, max_steps)

    return jax.vmap(one)(beta0, delta)


def beta_flow(beta0, delta, X, y, t, eta_a: float = 1.0, eta_w: float = 1.0, rtol: float = 1e-10, atol: float = 1e-12, *, max_steps: int = 200_000):
    r"""Function-space flow \( \dot\beta = -M(\beta;\delta)X^\top(X\beta - y) \) with the NTK of `theory.lazy_rich.ntk_matrix`.

    Valid while \( \beta \ne 0 \) (at \( \beta = 0 \) with \( \delta < 0 \) the kernel is not a function of \( \beta \)).

    **Arguments:** `beta0` shape `batch + (d,)` (`batch` empty or 1-D), `delta` shape `batch`, then as
    `gradient_flow`.

    **Returns:** \( \beta \), shape `batch + (T, d)`.

    **Raises:** `ValueError` on bad shapes, NaN/inf, non-positive rates or tolerances; `RuntimeError`
    unless JAX computes in float64.
    """
    need_x64("beta_flow")
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    rtol, atol, max_steps = check_tolerances(rtol, atol, max_steps)
    b0 = val.array(beta0, "beta0", min_ndim=1)
    dl = val.array(delta, "delta")
    if dl.shape != b0.shape[:-1] or b0.ndim > 2:
        raise ValueError(f"delta must have shape beta0.shape[:-1] = {b0.shape[:-1]} (batch at most 1-D), got {dl.shape}")
    X = val.array(X, "X", min_ndim=2)
    y = val.array(y, "y", min_ndim=1)
    if X.ndim != 2 or X.shape[1] != b0.shape[-1] or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) with d = {b0.shape[-1]} and y (n,); got {X.shape}, {y.shape}")
    ts = check_times(t)
    single = dl.ndim == 0
    bb, db = np.atleast_2d(b0), np.atleast_1d(dl)
    B, T = db.shape[0], ts.shape[0]
    Bp, Tp = bucket(B, 8), bucket(T, 256)
    beta, _, ok = _beta_batch(
        jnp.asarray(pad_rows(bb, Bp)), jnp.asarray(pad_rows(db, Bp)), jnp.asarray(X.T @ X), jnp.asarray(X.T @ y),
        jnp.asarray(pad_rows(ts, Tp)), eta_a, eta_w, rtol, atol, max_steps
    )
    if not np.all(np.asarray(ok)[:B]):
        raise solver_failed("beta_flow", max_steps)
    beta = np.asarray(beta)[:B, :T]
    return beta[0] if single else beta


@functools.partial(jax.jit, static_argnames=("steps", "record_every"))
def _neuron_gd(a0, w0, XtX, Xty, h, eta_a, eta_w, steps, record_every):
    def step(carry, _):
        a, w = carry
        g = XtX @ (a * w) - Xty
        return (a - h * eta_a * (w @ g), w - h * eta_w * a * g), None

    def block(carry, _):
        carry, _ = jax.lax.scan(step, carry, None, length=record_every)
        return carry, carry

    _, (a, w) = jax.lax.scan(block, (a0, w0), None, length=steps // record_every)
    return jnp.concatenate([a0[None], a]), jnp.concatenate([w0[None], w])


def single_neuron_gd(a0, w0, X, y, h: float, steps: int, eta_a: float = 1.0, eta_w: float = 1.0, record_every: int | None = None):
    r"""Gradient descent \( \theta \leftarrow \theta - h\,\eta\,\nabla L \) for one neuron (loss \( \tfrac12\|Xaw - y\|^2 \)).

    **Arguments:** `a0` scalar, `w0` `(d,)`, `X` `(n, d)`, `y` `(n,)`, step `h > 0`, `steps` (a multiple of
    `record_every`, default `steps`).

    **Returns:** `(a, w)` at steps `0, record_every, ..., steps`: shapes `(K + 1,)` and `(K + 1, d)`.

    **Raises:** `ValueError` on bad shapes, NaN/inf, a non-positive step or step count, or a run that
    diverges (the step `h` is too large for the data); `RuntimeError` unless JAX computes in float64.
    """
    need_x64("single_neuron_gd")
    h = val.learning_rate(h, "h")
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    a0 = val.scalar(a0, "a0")
    w0 = val.array(w0, "w0", min_ndim=1)
    X = val.array(X, "X", min_ndim=2)
    y = val.array(y, "y", min_ndim=1)
    if X.shape[1:] != w0.shape or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d={w0.shape[0]}) and y (n,); got {X.shape}, {y.shape}")
    steps, record_every = check_steps(steps, record_every)
    a, w = _neuron_gd(jnp.asarray(a0), jnp.asarray(w0), jnp.asarray(X.T @ X), jnp.asarray(X.T @ y), h, eta_a, eta_w, steps, record_every)
    a, w = np.asarray(a), np.asarray(w)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(w))):
        raise ValueError(f"gradient descent diverged: the step h = {h} is too large for this X (reduce h)")
    return a, w
