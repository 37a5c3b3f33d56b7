"""Two-layer ReLU networks: gradient flow, gradient descent, the empirical NTK, and the teacher-student
data and symmetrised initialisation of the paper's Fig. 1 (official code)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from numerics.lazy_rich._solver import check_times, check_tolerances, need_x64, solve, solver_failed
from theory.lazy_rich import _validate as val
from theory.lazy_rich import relu_scales

__all__ = ["relu_flow", "relu_gd", "relu_ntk", "relu_features", "teacher_student", "symmetric_relu_init"]


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
    return solve(_relu_field, (a, W), ts, (X, y, eta_a, eta_w, leak), rtol, atol, max_steps)


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

    **Returns:** `(a, W)` with shapes `(T, m)` and `(T, m, d)` (and an info dict with `full_output`; a run
    that stopped early holds inf after the stop, and without `full_output` raises instead).

    **Raises:** `ValueError` on bad shapes, a solve that stopped early, NaN/inf, non-positive rates or tolerances; `RuntimeError`
    unless JAX computes in float64 (`theory.enable_x64()`).
    """
    need_x64("relu_flow")
    a, W, X, y = _relu_inputs(a, W, X, y)
    eta_a = val.learning_rate(eta_a, "eta_a")
    eta_w = val.learning_rate(eta_w, "eta_w")
    rtol, atol, max_steps = check_tolerances(rtol, atol, max_steps)
    leak = val.scalar(leak, "leak")
    if not 0.0 <= leak <= 1.0:
        raise ValueError(f"leak must be in [0, 1] (the slope of the leaky ReLU for z < 0), got {leak}")
    ts = check_times(t)
    (A, Wt), steps, ok = _relu_solve(jnp.asarray(a), jnp.asarray(W), jnp.asarray(X), jnp.asarray(y), eta_a, eta_w, leak, jnp.asarray(ts), rtol, atol, max_steps)
    if full_output:
        return np.asarray(A), np.asarray(Wt), {"solver_steps": int(steps), "success": bool(ok)}
    if not bool(ok):
        raise solver_failed("relu_flow", max_steps)
    return np.asarray(A), np.asarray(Wt)


def _features(a, W, X):
    """`relu_features` without the checks (jax.numpy only, so it can be traced)."""
    z = X @ W.T
    fa = jnp.maximum(z, 0.0)
    fw = ((z > 0) * a)[:, :, None] * X[:, None, :]
    return jnp.concatenate([fa, fw.reshape(X.shape[0], -1)], axis=1)


def _relu_net(a, W, X):
    a, W = val.readout_and_layer(a, W, "a", "W")
    if a.ndim != 1:
        raise ValueError(f"a must have shape (m,), got {a.shape}")
    X = val.array(X, "X", min_ndim=2)
    if X.ndim != 2 or X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have shape (n, d) with d = {W.shape[1]}, got {X.shape}")
    return a, W, X


def relu_features(a, W, X):
    r"""Per-example Jacobian features of the two-layer ReLU net: \( [\sigma(w_k^\top x)]_k \) and \( [a_k 1(w_k^\top x > 0) x]_k \).

    **Arguments:** `a` `(m,)`, `W` `(m, d)`, `X` `(n, d)`.

    **Returns:** `F` of shape `(n, m + m d)`.

    **Raises:** `ValueError` on bad shapes or NaN/inf; `RuntimeError` unless JAX computes in float64.
    """
    need_x64("relu_features")
    return _features(*_relu_net(a, W, X))


def relu_ntk(a, W, X):
    r"""Empirical NTK Gram matrix \( K = FF^\top \) of the two-layer ReLU net on the inputs `X` (n x n).

    **Raises:** as `relu_features`.
    """
    need_x64("relu_ntk")
    F = _features(*_relu_net(a, W, X))
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

    **Raises:** `ValueError` on bad shapes, NaN/inf, a non-positive rate, bad checkpoints, or a run that
    diverges (`lr` too large); `RuntimeError` unless JAX computes in float64 (`theory.enable_x64()`).
    """
    need_x64("relu_gd")
    a, W, X, y = _relu_inputs(a, W, X, y)
    lr = val.learning_rate(lr, "lr")
    cps = tuple(val.count(c, "checkpoints", minimum=0) for c in checkpoints)
    if not cps or cps[0] != 0 or any(b <= c for c, b in zip(cps, cps[1:])):
        raise ValueError("checkpoints must start at 0 and increase strictly")
    A, Ws = _relu_gd(jnp.asarray(a), jnp.asarray(W), jnp.asarray(X), jnp.asarray(y), lr, val.learning_rate(eta_a, "eta_a"), val.learning_rate(eta_w, "eta_w"), cps)
    A, Ws = np.asarray(A), np.asarray(Ws)
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(Ws))):
        raise ValueError(f"gradient descent diverged: the learning rate lr = {lr} is too large (reduce lr)")
    return A, Ws


def teacher_student(d: int, n: int, rng: np.random.Generator, *, teacher_width: int = 3, n_test: int = 0):
    r"""Teacher-student data of Fig. 1 (Chizat et al. 2019 setup, official code).

    Teacher: `teacher_width` ReLU neurons with unit-norm rows and readouts \( \pm1 \) (alternating); inputs
    uniform on the unit sphere; noiseless labels.

    **Arguments:** input dimension `d >= 1`, training size `n >= 1`, a numpy `rng`, `teacher_width >= 1`
    neurons, `n_test >= 0` test points.

    **Returns:** `(X, y, X_test, y_test)`.
    """
    d = val.count(d, "d")
    n = val.count(n, "n")
    teacher_width = val.count(teacher_width, "teacher_width")
    n_test = val.count(n_test, "n_test", minimum=0)
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

    **Raises:** `ValueError` for `tau <= 0`, NaN/inf, an odd or non-positive width `m`, or `d < 1`.
    """
    m = val.count(m, "m", minimum=2)
    if m % 2:
        raise ValueError(f"m must be a positive even width, got {m}")
    d = val.count(d, "d")
    nw, na = relu_scales(tau, delta)
    U = rng.normal(size=(m // 2, d))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    W = np.concatenate([U, U]) * nw
    a = np.concatenate([np.ones(m // 2), -np.ones(m // 2)]) * na
    return a, W
