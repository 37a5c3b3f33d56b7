r"""Gradient flows and gradient descent for the networks of Kunin et al. (2024), "Get rich quick".

Every flow is integrated with diffrax in float64 (Dopri8 with a PID step-size controller) and saved
at the requested times. Conventions follow `theory.lazy_rich`: linear networks use the loss
\( \tfrac12\|X\beta - y\|^2 \); the two-layer ReLU teacher-student uses the official code's mean-squared
error \( \frac1n\sum_i (f(x_i) - y_i)^2 \).

- `gradient_flow`: one hidden neuron, any \( X \), batched over initialisations with `vmap`.
- `beta_flow`: the same flow written in function space, \( \dot\beta = -M(\beta)X^\top(X\beta - y) \).
- `single_neuron_gd`, `deep_linear_flow`, `deep_linear_gd`: wide, multi-output and deep linear nets.
- `relu_flow`, `relu_gd`, `relu_ntk`, `symmetric_relu_init`, `teacher_student`: two-layer ReLU nets.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax

jax.config.update("jax_enable_x64", True)

import diffrax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from theory.lazy_rich import _symbolic as sym  # noqa: E402
from theory.lazy_rich import _validate as val  # noqa: E402

__all__ = [
    "gradient_flow",
    "beta_flow",
    "single_neuron_gd",
    "deep_linear_flow",
    "deep_linear_gd",
    "relu_flow",
    "relu_gd",
    "relu_ntk",
    "relu_features",
    "symmetric_relu_init",
    "teacher_student",
]

#: NTK coefficients lambdified for JAX from the same sympy objects as the numpy closed form
_NTK_JAX = sp.lambdify((sym.Sigma, sym.delta), [sym.NTK_ISO, sym.NTK_RANK1], "jax")


def _times(t) -> np.ndarray:
    t = val.array(t, "t", min_ndim=1)
    if t.ndim != 1:
        raise ValueError(f"t must be one-dimensional, got shape {t.shape}")
    if np.any(t < 0) or np.any(np.diff(t) < 0):
        raise ValueError("t must be nonnegative and nondecreasing")
    return t


def _tolerances(rtol, atol):
    rtol = val.learning_rate(rtol, "rtol")
    atol = val.learning_rate(atol, "atol")
    return rtol, atol


def _bucket(n: int, minimum: int) -> int:
    """Next power of two >= max(n, minimum): padding batch/time/width to buckets bounds the number of compilations."""
    return max(minimum, 1 << max(0, int(n) - 1).bit_length())


def _pad_rows(x: np.ndarray, n: int) -> np.ndarray:
    """Pad axis 0 to length n by repeating the last row."""
    if x.shape[0] == n:
        return x
    return np.concatenate([x, np.repeat(x[-1:], n - x.shape[0], axis=0)])


def _solve(vector_field, y0, ts, args, rtol, atol, max_steps):
    """diffrax Dopri8 from t = 0, saved at `ts` (a traced array)."""
    term = diffrax.ODETerm(vector_field)
    sol = diffrax.diffeqsolve(
        term,
        diffrax.Dopri8(),
        t0=0.0,
        t1=ts[-1],
        dt0=None,
        y0=y0,
        args=args,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
        throw=False,
    )
    return sol.ys, sol.stats["num_steps"], sol.result == diffrax.RESULTS.successful


# --------------------------------------------------------------------------- single neuron
def _neuron_field(t, y, args):
    a, w = y
    XtX, Xty, eta_a, eta_w = args
    g = XtX @ (a * w) - Xty  # X^T rho
    return (-eta_a * (w @ g), -eta_w * a * g)


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _neuron_batch(a0, w0, XtX, Xty, ts, eta_a, eta_w, rtol, atol, max_steps):
    def one(a, w):
        return _solve(_neuron_field, (a, w), ts, (XtX, Xty, eta_a, eta_w), rtol, atol, max_steps)

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
    `{"solver_steps": ..., "success": ...}` per initialisation.

    **Raises:** `ValueError` on bad shapes, NaN/inf, non-positive rates or tolerances.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    rtol, atol = _tolerances(rtol, atol)
    a0, w0 = val.readout_and_layer(a0, w0)
    if a0.ndim > 1:
        raise ValueError(f"a0 must be a scalar or 1-D batch, got shape {a0.shape}")
    X = val.array(X, "X", min_ndim=2)
    y = val.array(y, "y", min_ndim=1)
    if X.ndim != 2 or X.shape[1] != w0.shape[-1]:
        raise ValueError(f"X must have shape (n, d) with d = {w0.shape[-1]}, got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},), got {y.shape}")
    ts = _times(t)
    single = a0.ndim == 0
    ab, wb = np.atleast_1d(a0), np.atleast_2d(w0)
    # pad batch, time and width to buckets (padded widths carry zero data and stay exactly zero)
    B, T, d = ab.shape[0], ts.shape[0], wb.shape[1]
    Bp, Tp, dp = _bucket(B, 8), _bucket(T, 256), _bucket(d, 4)
    XtX = np.zeros((dp, dp))
    XtX[:d, :d] = X.T @ X
    Xty = np.zeros(dp)
    Xty[:d] = X.T @ y
    wpad = np.zeros((B, dp))
    wpad[:, :d] = wb
    (a, w), steps, ok = _neuron_batch(
        jnp.asarray(_pad_rows(ab, Bp)), jnp.asarray(_pad_rows(wpad, Bp)), jnp.asarray(XtX), jnp.asarray(Xty),
        jnp.asarray(_pad_rows(ts, Tp)), eta_a, eta_w, rtol, atol, max_steps
    )
    a, w = np.asarray(a)[:B, :T], np.asarray(w)[:B, :T, :d]
    steps, ok = np.asarray(steps)[:B], np.asarray(ok)[:B]
    if single:
        a, w, steps, ok = a[0], w[0], steps[0], ok[0]
    if full_output:
        return a, w, {"solver_steps": steps, "success": ok}
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
        return _solve(_beta_field, b, ts, (XtX, Xty, dl, eta_a, eta_w), rtol, atol, max_steps)

    return jax.vmap(one)(beta0, delta)


def beta_flow(beta0, delta, X, y, t, eta_a: float = 1.0, eta_w: float = 1.0, rtol: float = 1e-10, atol: float = 1e-12, *, max_steps: int = 200_000):
    r"""Function-space flow \( \dot\beta = -M(\beta;\delta)X^\top(X\beta - y) \) with the NTK of `theory.lazy_rich.ntk_matrix`.

    Valid while \( \beta \ne 0 \) (at \( \beta = 0 \) with \( \delta < 0 \) the kernel is not a function of \( \beta \)).

    **Arguments:** `beta0` shape `batch + (d,)` (`batch` empty or 1-D), `delta` shape `batch`, then as
    `gradient_flow`.

    **Returns:** \( \beta \), shape `batch + (T, d)`.
    """
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    rtol, atol = _tolerances(rtol, atol)
    b0 = val.array(beta0, "beta0", min_ndim=1)
    dl = val.array(delta, "delta")
    if dl.shape != b0.shape[:-1] or b0.ndim > 2:
        raise ValueError(f"delta must have shape beta0.shape[:-1] = {b0.shape[:-1]} (batch at most 1-D), got {dl.shape}")
    X = val.array(X, "X", min_ndim=2)
    y = val.array(y, "y", min_ndim=1)
    if X.ndim != 2 or X.shape[1] != b0.shape[-1] or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) with d = {b0.shape[-1]} and y (n,); got {X.shape}, {y.shape}")
    ts = _times(t)
    single = dl.ndim == 0
    bb, db = np.atleast_2d(b0), np.atleast_1d(dl)
    B, T = db.shape[0], ts.shape[0]
    Bp, Tp = _bucket(B, 8), _bucket(T, 256)
    beta, _, _ = _beta_batch(
        jnp.asarray(_pad_rows(bb, Bp)), jnp.asarray(_pad_rows(db, Bp)), jnp.asarray(X.T @ X), jnp.asarray(X.T @ y),
        jnp.asarray(_pad_rows(ts, Tp)), eta_a, eta_w, rtol, atol, max_steps
    )
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
    """
    h = val.learning_rate(h, "h")
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    a0 = val.scalar(a0, "a0")
    w0 = val.array(w0, "w0", min_ndim=1)
    X = val.array(X, "X", min_ndim=2)
    y = val.array(y, "y", min_ndim=1)
    if X.shape[1:] != w0.shape or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d={w0.shape[0]}) and y (n,); got {X.shape}, {y.shape}")
    record_every = steps if record_every is None else int(record_every)
    if steps <= 0 or record_every <= 0 or steps % record_every:
        raise ValueError("steps must be a positive multiple of record_every")
    a, w = _neuron_gd(jnp.asarray(a0), jnp.asarray(w0), jnp.asarray(X.T @ X), jnp.asarray(X.T @ y), h, eta_a, eta_w, int(steps), record_every)
    return np.asarray(a), np.asarray(w)


# --------------------------------------------------------------------------- deep / wide / multi-output linear
def _chain(weights, X):
    out = X
    for W in weights:
        out = out @ W.T
    return out


def _deep_loss(weights, X, Y):
    return 0.5 * jnp.sum((_chain(weights, X) - Y) ** 2)


def _deep_field(t, weights, args):
    X, Y, etas = args
    grads = jax.grad(_deep_loss)(weights, X, Y)
    return tuple(-e * g for e, g in zip(etas, grads))


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _deep_solve(weights, X, Y, etas, ts, rtol, atol, max_steps):
    return _solve(_deep_field, weights, ts, (X, Y, etas), rtol, atol, max_steps)


def _deep_inputs(weights, X, Y, etas):
    Ws = tuple(jnp.asarray(val.array(W, f"weights[{i}]", min_ndim=2)) for i, W in enumerate(weights))
    if len(Ws) < 1 or any(W.ndim != 2 for W in Ws):
        raise ValueError("weights must be a non-empty sequence of matrices")
    X = val.array(X, "X", min_ndim=2)
    Y = val.array(Y, "Y", min_ndim=1)
    Y = Y[:, None] if Y.ndim == 1 else Y
    if X.shape[1] != Ws[0].shape[1]:
        raise ValueError(f"X has {X.shape[1]} features but weights[0] has {Ws[0].shape[1]} columns")
    for i in range(len(Ws) - 1):
        if Ws[i + 1].shape[1] != Ws[i].shape[0]:
            raise ValueError(f"weights[{i + 1}] has {Ws[i + 1].shape[1]} columns but weights[{i}] has {Ws[i].shape[0]} rows")
    if Y.shape != (X.shape[0], Ws[-1].shape[0]):
        raise ValueError(f"Y must have shape (n, c) = ({X.shape[0]}, {Ws[-1].shape[0]}), got {Y.shape}")
    etas = tuple([1.0] * len(Ws) if etas is None else [val.learning_rate(e, f"etas[{i}]") for i, e in enumerate(etas)])
    if len(etas) != len(Ws):
        raise ValueError(f"etas must have one entry per layer ({len(Ws)}), got {len(etas)}")
    return Ws, jnp.asarray(X), jnp.asarray(Y), etas


def deep_linear_flow(weights: Sequence, X, Y, t, etas: Sequence[float] | None = None, rtol: float = 1e-10, atol: float = 1e-12, *, max_steps: int = 200_000, full_output: bool = False):
    r"""Gradient flow of a deep linear network \( f(x) = W_L\cdots W_1 x \) on \( \tfrac12\|X W_1^\top\cdots W_L^\top - Y\|_F^2 \).

    Covers wide (\( L = 2 \), one output), multi-output and deep networks, with per-layer learning rates
    \( \dot W_l = -\eta_l\nabla_{W_l}L \) (conserved: `theory.lazy_rich.conserved_matrices`).

    **Arguments:** `weights` `[W_1, ..., W_L]`, `X` `(n, d)`, `Y` `(n, c)` or `(n,)`, times `t` `(T,)`, `etas`.

    **Returns:** list of arrays, layer `l` of shape `(T,) + W_l.shape` (and an info dict with `full_output`).
    """
    Ws, X, Y, etas = _deep_inputs(weights, X, Y, etas)
    rtol, atol = _tolerances(rtol, atol)
    ts = _times(t)
    ys, steps, ok = _deep_solve(Ws, X, Y, etas, jnp.asarray(ts), rtol, atol, max_steps)
    out = [np.asarray(W) for W in ys]
    if full_output:
        return out, {"solver_steps": int(steps), "success": bool(ok)}
    return out


@functools.partial(jax.jit, static_argnames=("steps", "record_every"))
def _deep_gd(weights, X, Y, etas, h, steps, record_every):
    def step(Ws, _):
        grads = jax.grad(_deep_loss)(Ws, X, Y)
        return tuple(W - h * e * g for W, e, g in zip(Ws, etas, grads)), None

    def block(Ws, _):
        Ws, _ = jax.lax.scan(step, Ws, None, length=record_every)
        return Ws, Ws

    _, rec = jax.lax.scan(block, weights, None, length=steps // record_every)
    return tuple(jnp.concatenate([W[None], R]) for W, R in zip(weights, rec))


def deep_linear_gd(weights: Sequence, X, Y, h: float, steps: int, etas: Sequence[float] | None = None, record_every: int | None = None):
    r"""Gradient descent for the deep linear network of `deep_linear_flow`, step `h`.

    **Returns:** list of arrays, layer `l` of shape `(K + 1,) + W_l.shape` at steps `0, record_every, ...`.
    """
    Ws, X, Y, etas = _deep_inputs(weights, X, Y, etas)
    h = val.learning_rate(h, "h")
    record_every = steps if record_every is None else int(record_every)
    if steps <= 0 or record_every <= 0 or steps % record_every:
        raise ValueError("steps must be a positive multiple of record_every")
    return [np.asarray(W) for W in _deep_gd(Ws, X, Y, etas, h, int(steps), record_every)]


# --------------------------------------------------------------------------- two-layer ReLU
def _relu_out(a, W, X, leak):
    z = X @ W.T
    return jnp.where(z > 0, z, leak * z) @ a


def _relu_loss(params, X, y, leak):
    a, W = params
    return jnp.mean((_relu_out(a, W, X, leak) - y) ** 2)


def _relu_field(t, params, args):
    X, y, eta_a, eta_w, leak = args
    ga, gW = jax.grad(_relu_loss)(params, X, y, leak)
    return (-eta_a * ga, -eta_w * gW)


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _relu_solve(a, W, X, y, eta_a, eta_w, leak, ts, rtol, atol, max_steps):
    return _solve(_relu_field, (a, W), ts, (X, y, eta_a, eta_w, leak), rtol, atol, max_steps)


def _relu_inputs(a, W, X, y):
    a, W = val.readout_and_layer(a, W, "a", "W")
    if a.ndim != 1:
        raise ValueError(f"a must have shape (m,), got {a.shape}")
    X = val.array(X, "X", min_ndim=2)
    y = val.array(y, "y", min_ndim=1)
    if X.ndim != 2 or X.shape[1] != W.shape[1] or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d={W.shape[1]}) and y (n,); got {X.shape}, {y.shape}")
    return a, W, X, y


def relu_flow(a, W, X, y, t, eta_a: float = 1.0, eta_w: float = 1.0, rtol: float = 1e-10, atol: float = 1e-12, *, leak: float = 0.0, max_steps: int = 500_000, full_output: bool = False):
    r"""Gradient flow of \( f(x) = \sum_k a_k\sigma(w_k^\top x) \) on \( \frac1n\sum_i (f(x_i) - y_i)^2 \) (diffrax).

    `leak` gives the leaky ReLU \( \sigma(z) = \max(z, \text{leak}\cdot z) \). The ReLU kink makes the field
    non-smooth; the adaptive controller resolves the switching times.

    **Returns:** `(a, W)` with shapes `(T, m)` and `(T, m, d)` (and an info dict with `full_output`).
    """
    a, W, X, y = _relu_inputs(a, W, X, y)
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    rtol, atol = _tolerances(rtol, atol)
    ts = _times(t)
    (A, Wt), steps, ok = _relu_solve(jnp.asarray(a), jnp.asarray(W), jnp.asarray(X), jnp.asarray(y), eta_a, eta_w, float(leak), jnp.asarray(ts), rtol, atol, max_steps)
    if full_output:
        return np.asarray(A), np.asarray(Wt), {"solver_steps": int(steps), "success": bool(ok)}
    return np.asarray(A), np.asarray(Wt)


def relu_features(a, W, X):
    r"""Per-example Jacobian features of the two-layer ReLU net: \( [\sigma(w_k^\top x)]_k \) and \( [a_k 1(w_k^\top x > 0) x]_k \).

    **Returns:** `F` of shape `(n, m + m d)` (JAX-traceable; works on batched inputs through `vmap`).
    """
    z = X @ W.T
    fa = jnp.maximum(z, 0.0)
    fw = ((z > 0) * a)[:, :, None] * X[:, None, :]
    return jnp.concatenate([fa, fw.reshape(X.shape[0], -1)], axis=1)


def relu_ntk(a, W, X):
    r"""Empirical NTK Gram matrix \( K = FF^\top \) of the two-layer ReLU net on the inputs `X` (n x n)."""
    F = relu_features(a, W, X)
    return F @ F.T


@functools.partial(jax.jit, static_argnames=("checkpoints",))
def _relu_gd(a, W, X, y, lr, eta_a, eta_w, checkpoints):
    grad = jax.grad(_relu_loss)

    def step(params, _):
        ga, gW = grad(params, X, y, 0.0)
        return (params[0] - lr * eta_a * ga, params[1] - lr * eta_w * gW), None

    out = [(a, W)]
    params = (a, W)
    prev = 0
    for c in checkpoints[1:]:
        params, _ = jax.lax.scan(step, params, None, length=c - prev)
        prev = c
        out.append(params)
    return jnp.stack([o[0] for o in out]), jnp.stack([o[1] for o in out])


def relu_gd(a, W, X, y, lr: float, checkpoints: Sequence[int], eta_a: float = 1.0, eta_w: float = 1.0):
    r"""Full-batch gradient descent for the two-layer ReLU net (mean-squared error, as the official code).

    **Arguments:** `a` `(m,)`, `W` `(m, d)`, `X` `(n, d)`, `y` `(n,)`, learning rate `lr`, increasing
    `checkpoints` starting at 0 (step counts at which parameters are recorded).

    **Returns:** `(a, W)` at the checkpoints: shapes `(C, m)` and `(C, m, d)`.
    """
    a, W, X, y = _relu_inputs(a, W, X, y)
    lr = val.learning_rate(lr, "lr")
    cps = tuple(int(c) for c in checkpoints)
    if not cps or cps[0] != 0 or any(b <= c for c, b in zip(cps, cps[1:])):
        raise ValueError("checkpoints must start at 0 and increase strictly")
    A, Ws = _relu_gd(jnp.asarray(a), jnp.asarray(W), jnp.asarray(X), jnp.asarray(y), lr, val.learning_rate(eta_a, "eta_a"), val.learning_rate(eta_w, "eta_w"), cps)
    return np.asarray(A), np.asarray(Ws)


def teacher_student(d: int, n: int, rng: np.random.Generator, *, teacher_width: int = 3, n_test: int = 0):
    r"""Teacher-student data of Fig. 1 (Chizat et al. 2019 setup, official code).

    Teacher: `teacher_width` ReLU neurons with unit-norm rows and readouts \( \pm1 \) (alternating); inputs
    uniform on the unit sphere; noiseless labels.

    **Returns:** `(X, y, X_test, y_test)`.
    """
    if d < 1 or n < 1:
        raise ValueError("d and n must be positive")
    Wt = rng.normal(size=(teacher_width, d))
    Wt /= np.linalg.norm(Wt, axis=1, keepdims=True)
    at = np.array([1.0 if k % 2 == 0 else -1.0 for k in range(teacher_width)])

    def sample(m):
        Xs = rng.normal(size=(m, d))
        Xs /= np.linalg.norm(Xs, axis=1, keepdims=True)
        return Xs, np.maximum(Xs @ Wt.T, 0.0) @ at

    X, y = sample(n)
    Xte, yte = sample(n_test) if n_test else (np.zeros((0, d)), np.zeros(0))
    return X, y, Xte, yte


def symmetric_relu_init(tau: float, delta: float, m: int, d: int, rng: np.random.Generator):
    r"""Symmetrised two-layer init with overall scale \( \tau \) and relative scale \( \delta \) (official code).

    Directions uniform on the sphere; \( \|w_k\| = \tau\alpha \), \( |a_k| = \tau/\alpha \)
    (`theory.lazy_rich.relu_scales`); neurons come in pairs with the same \( w \) and opposite \( a \), so
    \( f_0 \equiv 0 \). `m` must be even.

    **Returns:** `(a, W)` of shapes `(m,)` and `(m, d)`.
    """
    from theory.lazy_rich import relu_scales

    if m < 2 or m % 2:
        raise ValueError(f"m must be a positive even width, got {m}")
    nw, na = relu_scales(tau, delta)
    U = rng.normal(size=(m // 2, d))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    W = np.concatenate([U, U]) * nw
    a = np.concatenate([np.ones(m // 2), -np.ones(m // 2)]) * na
    return a, W
