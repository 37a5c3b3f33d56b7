"""Stochastic gradient flow of the toy models with diffrax: many paths, batched.

All SDEs are Itô and solved with `diffrax.Euler` (Euler–Maruyama) on a fixed step with
`diffrax.UnsafeBrownianPath` (fresh Gaussian increments per step; valid for fixed steps
and no backpropagation, our case). Paths are batched with `jax.vmap` over initial
conditions, keys and per-path parameters.

The Lyapunov exponent normal to an invariant set \\( \\{y = 0\\} \\) is estimated from paths
of the *nonlinear* SDE started at distance `amplitude` from the set, in chunks of length
`t_chunk` after each of which the path is renormalised back to distance `amplitude`
(Benettin's method): \\( \\hat\\lambda = \\frac{1}{n\\,t_{chunk}}\\sum_c \\log(\\lVert y_c\\rVert / \\text{amplitude}) \\).
With a small amplitude the nonlinear terms are negligible, so this measures the exponent of
the linearised dynamics without ever writing the linearisation down.

Every solver needs JAX in float64 (`theory.enable_x64()`; the CLI and the tests switch it
on) and raises `RuntimeError` otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import diffrax as dfx
import jax
import jax.numpy as jnp
import numpy as np

from theory._jax import require_x64
from theory.stochastic_collapse._checks import data_pair, finite, nonneg, nonneg_int, positive, positive_int

__all__ = [
    "solve_sde_paths",
    "normal_lyapunov_exponents",
    "quartic_drift",
    "quartic_diffusion",
    "quartic_paths",
    "quartic_lyapunov",
    "neuron_drift",
    "neuron_diffusion",
    "neuron_sde_paths",
    "neuron_sde_lyapunov",
]


def _steps(name: str, t: float, dt: float) -> None:
    if int(round(t / dt)) < 1:
        raise ValueError(f"{name} / dt must round to at least one step, got {name}={t}, dt={dt}")


def _one_per_path(args, n_paths: int) -> None:
    for leaf in jax.tree_util.tree_leaves(args):
        if np.ndim(leaf) < 1 or np.shape(leaf)[0] != n_paths:
            raise ValueError(f"every leaf of args needs a leading axis of length {n_paths} (one per path), got shape {np.shape(leaf)}")


def _grid(name: str, values, low: str = "nonneg") -> np.ndarray:
    v = np.atleast_1d(nonneg(name, values) if low == "nonneg" else positive(name, values))
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D grid, got shape {v.shape}")
    return v


def _solve_one(drift, diffusion, noise_dim: int, t1: float, dt: float, y0, key, args):
    bm = dfx.UnsafeBrownianPath(shape=(noise_dim,), key=key)
    terms = dfx.MultiTerm(dfx.ODETerm(drift), dfx.ControlTerm(diffusion, bm))
    n_steps = int(round(t1 / dt))
    sol = dfx.diffeqsolve(
        terms,
        dfx.Euler(),
        0.0,
        n_steps * dt,
        dt,
        y0,
        args=args,
        saveat=dfx.SaveAt(t1=True),
        max_steps=n_steps + 8,
        adjoint=dfx.ForwardMode(),
        throw=False,
    )
    return sol.ys[-1], sol.stats["num_steps"]


@functools.partial(jax.jit, static_argnames=("drift", "diffusion", "noise_dim", "t1", "dt"))
def _solve_batch(drift, diffusion, noise_dim, t1, dt, y0, keys, args):
    return jax.vmap(lambda y, k, a: _solve_one(drift, diffusion, noise_dim, t1, dt, y, k, a))(y0, keys, args)


def solve_sde_paths(
    drift: Callable,
    diffusion: Callable,
    y0,
    *,
    t1: float,
    dt: float,
    key,
    args,
    noise_dim: int,
):
    """Solve many independent paths of \\( dy = f(t, y, a)\\,dt + G(t, y, a)\\,dW \\) to time `t1`.

    **Arguments:**

    - `drift`: `f(t, y, args) -> (d,)` for one path (a module-level function: it is a static
      argument of the compiled solver).
    - `diffusion`: `G(t, y, args) -> (d, noise_dim)` for one path.
    - `y0`: `(P, d)` initial conditions.
    - `t1`, `dt`: final time and Euler–Maruyama step.
    - `key`: a JAX key, split into one key per path.
    - `args`: pytree of per-path parameters with leading axis `P`.
    - `noise_dim`: number of Brownian motions per path.

    **Returns:** `(y_final (P, d), num_steps (P,))`.

    **Raises:** `ValueError` unless `t1` and `dt` are finite and > 0 with at least one step,
    `y0` is finite of shape `(P, d)` with `P >= 1`, every leaf of `args` has leading axis `P`
    and `noise_dim` is an integer >= 1; `RuntimeError` unless JAX is in float64.
    """
    require_x64("numerics.stochastic_collapse.solve_sde_paths (float64 Euler-Maruyama)")
    t1, dt = float(positive("t1", t1)), float(positive("dt", dt))
    _steps("t1", t1, dt)
    noise_dim = positive_int("noise_dim", noise_dim)
    finite("y0", y0)
    y0 = jnp.asarray(y0, dtype=jnp.float64)
    if y0.ndim != 2 or y0.shape[0] == 0:
        raise ValueError(f"y0 must have shape (paths, dim) with paths >= 1, got {y0.shape}")
    _one_per_path(args, y0.shape[0])
    keys = jax.random.split(key, y0.shape[0])
    return _solve_batch(drift, diffusion, noise_dim, t1, dt, y0, keys, args)


@functools.partial(jax.jit, static_argnames=("drift", "diffusion", "noise_dim", "t_chunk", "dt", "n_chunks", "n_burn"))
def _lyapunov_batch(drift, diffusion, noise_dim, t_chunk, dt, n_chunks, n_burn, direction0, amplitude, key, args):
    P = direction0.shape[0]

    def chunk(carry, k):
        direction, logsum = carry
        keys = jax.random.split(k, P)
        y, _ = jax.vmap(lambda d, kk, a: _solve_one(drift, diffusion, noise_dim, t_chunk, dt, amplitude * d, kk, a))(direction, keys, args)
        r = jnp.linalg.norm(y, axis=-1)
        return (y / r[:, None], logsum + jnp.log(r / amplitude)), None

    keys = jax.random.split(key, n_chunks + n_burn)
    (direction, _), _ = jax.lax.scan(chunk, (direction0, jnp.zeros(P)), keys[:n_burn])
    (direction, logsum), _ = jax.lax.scan(chunk, (direction, jnp.zeros(P)), keys[n_burn:])
    return logsum / (n_chunks * t_chunk)


def normal_lyapunov_exponents(
    drift: Callable,
    diffusion: Callable,
    direction0,
    *,
    args,
    noise_dim: int,
    key,
    amplitude: float = 1e-10,
    t_chunk: float = 2.0,
    n_chunks: int = 5,
    n_burn: int = 1,
    dt: float = 1e-3,
):
    """Per-path estimates of the Lyapunov exponent normal to the invariant set \\( y = 0 \\).

    **Arguments:**

    - `drift`, `diffusion`, `args`, `noise_dim`, `key`, `dt`: as in `solve_sde_paths`.
    - `direction0`: `(P, d)` initial directions (normalised here).
    - `amplitude`: distance from the set at the start of every chunk.
    - `t_chunk`, `n_chunks`: chunk length and number; total time `n_chunks * t_chunk`.
    - `n_burn`: chunks run first and discarded, so that the direction relaxes to the top
      Lyapunov vector (otherwise the start adds a bias \\( \\mathbb E\\log\\lvert\\cos\\phi\\rvert/T \\)).

    **Returns:** `(P,)` per-path exponents (their mean estimates the exponent, their
    standard deviation / sqrt(P) its standard error).

    **Raises:** `ValueError` unless `amplitude`, `t_chunk` and `dt` are finite and > 0 with at
    least one step per chunk, `n_chunks` and `noise_dim` are integers >= 1, `n_burn` is an
    integer >= 0, `direction0` is finite of shape `(P, d)`, `P >= 1`, with no zero row, and
    every leaf of `args` has leading axis `P`; `RuntimeError` unless JAX is in float64.
    """
    require_x64("numerics.stochastic_collapse.normal_lyapunov_exponents (float64 Euler-Maruyama at tiny amplitude)")
    amplitude, t_chunk, dt = float(positive("amplitude", amplitude)), float(positive("t_chunk", t_chunk)), float(positive("dt", dt))
    _steps("t_chunk", t_chunk, dt)
    n_chunks, n_burn, noise_dim = positive_int("n_chunks", n_chunks), nonneg_int("n_burn", n_burn), positive_int("noise_dim", noise_dim)
    d = finite("direction0", direction0)
    if d.ndim != 2 or d.shape[0] == 0 or np.any(np.linalg.norm(d, axis=-1) == 0):
        raise ValueError(f"direction0 must have shape (paths, dim), paths >= 1, with no zero row, got shape {d.shape}")
    _one_per_path(args, d.shape[0])
    d0 = jnp.asarray(direction0, dtype=jnp.float64)
    d0 = d0 / jnp.linalg.norm(d0, axis=-1, keepdims=True)
    return _lyapunov_batch(drift, diffusion, noise_dim, t_chunk, dt, n_chunks, n_burn, d0, amplitude, key, args)


# --------------------------------------------------------------------------- quartic well


def quartic_drift(t, y, args):
    """\\( -L'(\\theta) = -(\\theta^3 - \\mu\\theta) \\); `args = (mu, zeta)`.

    A vector field traced inside the compiled solver: it cannot check values and propagates
    nan and inf elementwise (`quartic_paths` and `quartic_lyapunov` check their inputs).
    """
    mu, _ = args
    return -(y**3 - mu * y)


def quartic_diffusion(t, y, args):
    """\\( \\zeta\\theta \\) as a `(1, 1)` matrix; `args = (mu, zeta)`.

    A vector field traced inside the compiled solver: it cannot check values and propagates
    nan and inf elementwise (`quartic_paths` and `quartic_lyapunov` check their inputs).
    """
    _, zeta = args
    return (zeta * y)[:, None]


def _per_path(values, n_paths):
    return jnp.repeat(jnp.asarray(values, dtype=jnp.float64), n_paths)


def quartic_paths(zetas, mu: float, *, n_paths: int, t1: float, dt: float, key, theta0_std: float = 2.0):
    """Final states of the quartic-well SGF for every noise level in `zetas`.

    Initial condition \\( \\theta_0 \\sim N(0, \\text{theta0\\_std}^2) \\) (official notebook: 2).

    **Returns:** `(theta_T (len(zetas), n_paths), num_steps)`.

    **Raises:** `ValueError` unless `zetas` is a non-empty grid of finite values >= 0, `mu` is
    finite, `theta0_std` finite and >= 0, `n_paths` an integer >= 1 (and `t1`, `dt` as in
    `solve_sde_paths`); `RuntimeError` unless JAX is in float64.
    """
    zetas = _grid("zetas", zetas)
    mu = float(finite("mu", mu))
    theta0_std = float(nonneg("theta0_std", theta0_std))
    n_paths = positive_int("n_paths", n_paths)
    require_x64("numerics.stochastic_collapse.quartic_paths")
    Z = _per_path(zetas, n_paths)
    k0, k1 = jax.random.split(key)
    y0 = theta0_std * jax.random.normal(k0, (Z.shape[0], 1))
    args = (jnp.full_like(Z, mu), Z)
    y, n = solve_sde_paths(quartic_drift, quartic_diffusion, y0, t1=t1, dt=dt, key=k1, args=args, noise_dim=1)
    return y[:, 0].reshape(zetas.size, n_paths), n


def quartic_lyapunov(zetas, mu: float, *, n_paths: int, key, amplitude=1e-10, t_chunk=2.0, n_chunks=5, n_burn=0, dt=1e-3):
    """Per-path normal Lyapunov exponents of the quartic well at 0: `(len(zetas), n_paths)`.

    **Raises:** `ValueError` unless `zetas` is a non-empty grid of finite values >= 0, `mu` is
    finite and `n_paths` an integer >= 1 (the other arguments as in
    `normal_lyapunov_exponents`); `RuntimeError` unless JAX is in float64.
    """
    zetas = _grid("zetas", zetas)
    mu = float(finite("mu", mu))
    n_paths = positive_int("n_paths", n_paths)
    Z = _per_path(zetas, n_paths)
    lam = normal_lyapunov_exponents(
        quartic_drift, quartic_diffusion, jnp.ones((Z.shape[0], 1)), args=(jnp.full_like(Z, mu), Z), noise_dim=1,
        key=key, amplitude=amplitude, t_chunk=t_chunk, n_chunks=n_chunks, n_burn=n_burn, dt=dt,
    )
    return lam.reshape(zetas.size, n_paths)


# --------------------------------------------------------------------------- single neuron


def neuron_drift(t, w, args):
    """\\( -\\nabla L \\) for \\( \\hat y = w_2\\tanh(w_1 x) \\), \\( L = \\frac{1}{2m}\\sum(\\hat y - y)^2 \\);
    `args = (eta, zeta, x, y)`.

    A vector field traced inside the compiled solver: it cannot check values and propagates
    nan and inf elementwise, and an empty state `w` (it reads `w[0]`, `w[1]`) raises JAX's
    IndexError (`neuron_sde_paths` and `neuron_sde_lyapunov` check their inputs).
    """
    _, _, x, y = args
    h = jnp.tanh(w[0] * x)
    r = w[1] * h - y
    return -jnp.stack([jnp.mean(r * w[1] * (1 - h**2) * x), jnp.mean(r * h)])


def neuron_diffusion(t, w, args):
    """Label-noise diffusion of the official notebook: column \\( i \\) is
    \\( \\sqrt\\eta\\,\\zeta\\,\\nabla_w \\hat y_i/\\sqrt m \\), shape `(2, m)`.

    A vector field traced inside the compiled solver: it cannot check values and propagates
    nan and inf elementwise, and an empty state `w` (it reads `w[0]`, `w[1]`) raises JAX's
    IndexError (`neuron_sde_paths` and `neuron_sde_lyapunov` check their inputs).
    """
    eta, zeta, x, _ = args
    h = jnp.tanh(w[0] * x)
    return jnp.sqrt(eta) * zeta / jnp.sqrt(x.shape[0]) * jnp.stack([w[1] * (1 - h**2) * x, h])


def _neuron_args(etas, zeta, x, y, n_paths):
    etas = _grid("etas", etas)
    zeta = float(nonneg("zeta", zeta))
    x, y = data_pair(x, y)
    n_paths = positive_int("n_paths", n_paths)
    E = _per_path(etas, n_paths)
    P = E.shape[0]
    x = jnp.asarray(x, dtype=jnp.float64)
    y = jnp.asarray(y, dtype=jnp.float64)
    return (E, jnp.full((P,), float(zeta)), jnp.broadcast_to(x, (P, x.size)), jnp.broadcast_to(y, (P, y.size)))


def neuron_sde_paths(etas, zeta: float, x, y, *, n_paths: int, t1: float, dt: float, key, init_std: float = 1e-3):
    """Final weights of the single-neuron SGF for every learning rate in `etas`.

    **Returns:** `(w_T (len(etas), n_paths, 2), num_steps)`.

    **Raises:** `ValueError` unless `etas` is a non-empty grid of finite values >= 0, `zeta`
    and `init_std` are finite and >= 0, `x`, `y` finite, non-empty and of equal length, and
    `n_paths` an integer >= 1 (`t1`, `dt` as in `solve_sde_paths`); `RuntimeError` unless
    JAX is in float64.
    """
    etas = _grid("etas", etas)
    init_std = float(nonneg("init_std", init_std))
    args = _neuron_args(etas, zeta, x, y, n_paths)
    require_x64("numerics.stochastic_collapse.neuron_sde_paths")
    k0, k1 = jax.random.split(key)
    w0 = init_std * jax.random.normal(k0, (args[0].shape[0], 2))
    w, n = solve_sde_paths(neuron_drift, neuron_diffusion, w0, t1=t1, dt=dt, key=k1, args=args, noise_dim=int(np.size(x)))
    return w.reshape(etas.size, n_paths, 2), n


def neuron_sde_lyapunov(etas, zeta: float, x, y, *, n_paths: int, key, amplitude=1e-10, t_chunk=2.0, n_chunks=5, n_burn=1, dt=1e-2):
    """Per-path normal Lyapunov exponents of the single-neuron SGF at \\( w = 0 \\):
    `(len(etas), n_paths)`.

    Paths start along the top eigenvector of the drift Jacobian at 0 (computed numerically
    with `jax.jacfwd`), the direction a generic path aligns with; a random start biases a
    finite-time estimate downwards, because the two normal directions share one noise and the
    direction process relaxes slowly.

    **Raises:** `ValueError` unless `etas` is a non-empty grid of finite values >= 0, `zeta` is
    finite and >= 0, `x`, `y` finite, non-empty and of equal length, and `n_paths` an
    integer >= 1 (the other arguments as in `normal_lyapunov_exponents`); `RuntimeError`
    unless JAX is in float64.
    """
    etas = _grid("etas", etas)
    args = _neuron_args(etas, zeta, x, y, n_paths)
    require_x64("numerics.stochastic_collapse.neuron_sde_lyapunov")
    a0 = jax.tree_util.tree_map(lambda v: v[0], args)
    jac = jax.jacfwd(lambda w: neuron_drift(0.0, w, a0))(jnp.zeros(2))
    evals, evecs = jnp.linalg.eigh((jac + jac.T) / 2)
    d0 = jnp.broadcast_to(evecs[:, -1], (args[0].shape[0], 2))
    lam = normal_lyapunov_exponents(
        neuron_drift, neuron_diffusion, d0, args=args, noise_dim=int(np.size(x)), key=key,
        amplitude=amplitude, t_chunk=t_chunk, n_chunks=n_chunks, n_burn=n_burn, dt=dt,
    )
    return lam.reshape(etas.size, n_paths)
