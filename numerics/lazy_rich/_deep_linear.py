"""Wide, multi-output and deep linear networks: gradient flow and gradient descent with per-layer rates."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from numerics.lazy_rich._solver import check_steps, check_times, check_tolerances, need_x64, solve, solver_failed
from theory.lazy_rich import _validate as val

__all__ = ["deep_linear_flow", "deep_linear_gd"]


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
    return solve(_deep_field, weights, ts, (X, Y, etas), rtol, atol, max_steps)


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

    **Returns:** list of arrays, layer `l` of shape `(T,) + W_l.shape` (and an info dict with `full_output`;
    a run that stopped early holds inf after the stop, and without `full_output` raises instead).

    **Raises:** `ValueError` on bad shapes, a solve that stopped early, NaN/inf, non-positive rates or tolerances; `RuntimeError`
    unless JAX computes in float64 (`theory.enable_x64()`).
    """
    need_x64("deep_linear_flow")
    Ws, X, Y, etas = _deep_inputs(weights, X, Y, etas)
    rtol, atol, max_steps = check_tolerances(rtol, atol, max_steps)
    ts = check_times(t)
    ys, steps, ok = _deep_solve(Ws, X, Y, etas, jnp.asarray(ts), rtol, atol, max_steps)
    out = [np.asarray(W) for W in ys]
    if full_output:
        return out, {"solver_steps": int(steps), "success": bool(ok)}
    if not bool(ok):
        raise solver_failed("deep_linear_flow", max_steps)
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

    **Raises:** `ValueError` on bad shapes, NaN/inf, a non-positive step or step count, or a run that
    diverges (`h` too large); `RuntimeError` unless JAX computes in float64.
    """
    need_x64("deep_linear_gd")
    Ws, X, Y, etas = _deep_inputs(weights, X, Y, etas)
    h = val.learning_rate(h, "h")
    steps, record_every = check_steps(steps, record_every)
    out = [np.asarray(W) for W in _deep_gd(Ws, X, Y, etas, h, steps, record_every)]
    if not all(np.all(np.isfinite(W)) for W in out):
        raise ValueError(f"gradient descent diverged: the step h = {h} is too large (reduce h)")
    return out
