"""Discrete SGD for the toy models (JAX, `lax.scan`, many runs batched).

- `sgd_neuron_runs`: the tanh neuron \\( \\hat y = w_2\\tanh(w_1x) \\) under minibatch SGD with
  fresh label noise; `sgd_neuron_lyapunov` estimates the per-step exponent normal to
  \\( w = 0 \\) by renormalising to a tiny amplitude after every step (Benettin's method).
- `diagonal_teacher_student_problem` and `sgd_modes`: the diagonal linear teacher–student
  model of the paper's Fig. 5 (official diagonal script), one decoupled SGD recursion per
  mode \\( u \\leftarrow u - \\eta(u^2 - \\hat s + \\sigma\\xi)u \\) with \\( u = v \\).

Minibatches are drawn i.i.d. uniformly with replacement at every step (the theory's
`sgd_neuron_exponent` uses the same law).

The JAX runs need float64 (`theory.enable_x64()`; the CLI and the tests switch it on) and
raise `RuntimeError` otherwise.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from theory._jax import require_x64
from theory.stochastic_collapse._checks import data_pair, finite, nonneg, nonneg_int, positive, positive_int

__all__ = [
    "single_neuron_data",
    "sgd_neuron_runs",
    "sgd_neuron_lyapunov",
    "diagonal_teacher_student_problem",
    "sgd_modes",
    "mode_test_mse",
]


def single_neuron_data(m: int = 32, noise: float = 0.1, seed: int = 0):
    """The official recipe of Fig. 2: \\( x \\sim N(0,1) \\), \\( y = x + 0.1\\,N(0,1) \\), `m` samples.

    The data are part of the problem definition, so both the theory and the practice side
    build them from the same `seed` (a config value, not the run seed).

    **Raises:** `ValueError` unless `m` is an integer >= 1, `noise` finite and >= 0 and `seed`
    an integer >= 0.
    """
    m = positive_int("m", m)
    noise = float(nonneg("noise", noise))
    seed = nonneg_int("seed", seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=m)
    return x, x + noise * rng.normal(size=m)


def _neuron_grad(w, xb, yb):
    # w: (2,), xb, yb: (B,). Gradient of (1/2B) sum (w2 tanh(w1 x) - y)^2.
    h = jnp.tanh(w[0] * xb)
    r = w[1] * h - yb
    return jnp.stack([jnp.mean(r * w[1] * (1 - h**2) * xb), jnp.mean(r * h)])


def _neuron_step(w, key, eta, zeta, x, y, batch_size):
    ki, kn = jax.random.split(key)
    idx = jax.random.randint(ki, (batch_size,), 0, x.shape[0])
    yb = y[idx] + zeta * jax.random.normal(kn, (batch_size,))
    return w - eta * _neuron_grad(w, x[idx], yb)


@functools.partial(jax.jit, static_argnames=("steps", "batch_size"))
def _neuron_runs(w0, keys, eta, zeta, x, y, steps, batch_size):
    def one(w, k, e):
        def body(w, kk):
            return _neuron_step(w, kk, e, zeta, x, y, batch_size), None

        w, _ = jax.lax.scan(body, w, jax.random.split(k, steps))
        return w

    return jax.vmap(one)(w0, keys, eta)


def _neuron_inputs(etas, zeta, x, y, **counts):
    etas = np.atleast_1d(nonneg("etas", etas))
    if etas.ndim != 1 or etas.size == 0:
        raise ValueError(f"etas must be a non-empty 1-D grid, got shape {etas.shape}")
    zeta = float(nonneg("zeta", zeta))
    x, y = data_pair(x, y)
    return etas, zeta, x, y, {k: positive_int(k, v) for k, v in counts.items()}


def sgd_neuron_runs(etas, zeta: float, x, y, *, batch_size: int, n_runs: int, steps: int, key, init_std: float = 1e-3):
    """Final weights of label-noise SGD on the tanh neuron for every learning rate.

    **Arguments:**

    - `etas`: learning rates; `zeta`: label-noise std; `x`, `y`: data.
    - `batch_size`, `n_runs`, `steps`: minibatch size, runs per learning rate, SGD steps.
    - `key`: JAX key; `init_std`: std of the Gaussian initialisation.

    **Returns:** `(len(etas), n_runs, 2)` final weights.

    **Raises:** `ValueError` unless `etas` is a non-empty grid of finite values >= 0, `zeta`
    and `init_std` are finite and >= 0, `x`, `y` finite, non-empty and of equal length, and
    `batch_size`, `n_runs`, `steps` integers >= 1; `RuntimeError` unless JAX is in float64.
    """
    etas, zeta, _, _, c = _neuron_inputs(etas, zeta, x, y, batch_size=batch_size, n_runs=n_runs, steps=steps)
    batch_size, n_runs, steps = c["batch_size"], c["n_runs"], c["steps"]
    init_std = float(nonneg("init_std", init_std))
    require_x64("numerics.stochastic_collapse.sgd_neuron_runs")
    E = jnp.repeat(jnp.asarray(etas), n_runs)
    k0, k1 = jax.random.split(key)
    w0 = init_std * jax.random.normal(k0, (E.shape[0], 2))
    w = _neuron_runs(w0, jax.random.split(k1, E.shape[0]), E, float(zeta), jnp.asarray(x), jnp.asarray(y), int(steps), int(batch_size))
    return w.reshape(etas.size, n_runs, 2)


@functools.partial(jax.jit, static_argnames=("steps", "batch_size"))
def _neuron_lyap(d0, keys, eta, zeta, x, y, amplitude, steps, batch_size):
    def one(d, k, e):
        def body(carry, kk):
            d, acc = carry
            w = _neuron_step(amplitude * d, kk, e, zeta, x, y, batch_size)
            r = jnp.linalg.norm(w)
            return (w / r, acc + jnp.log(r / amplitude)), None

        (d, acc), _ = jax.lax.scan(body, (d, 0.0), jax.random.split(k, steps))
        return acc / steps

    return jax.vmap(one)(d0, keys, eta)


def sgd_neuron_lyapunov(etas, zeta: float, x, y, *, batch_size: int, n_runs: int, steps: int, key, amplitude: float = 1e-12):
    """Per-run estimates of the per-step Lyapunov exponent of SGD normal to \\( w = 0 \\).

    Each run applies the *nonlinear* SGD step to a point at distance `amplitude` from the
    set, records \\( \\log(\\lVert w'\\rVert/\\text{amplitude}) \\) and renormalises; the mean of
    the records is the exponent along the run's direction process (Benettin's method).

    Runs start along the top eigenvector of the *mean* SGD Jacobian at 0, computed
    numerically (`jax.jacfwd` of the step with the noise-free full-batch gradient), the
    direction generic runs align with. A random start would add a finite-run bias of about
    \\( \\mathbb E\\log\\lvert\\cos\\phi\\rvert/\\text{steps} \\), which matters at small learning rates where the
    exponent itself is \\( O(\\eta) \\).

    **Returns:** `(len(etas), n_runs)` per-run exponents (per SGD step).

    **Raises:** `ValueError` unless `etas` is a non-empty grid of finite values >= 0, `zeta` is
    finite and >= 0, `amplitude` finite and > 0, `x`, `y` finite, non-empty and of equal
    length, and `batch_size`, `n_runs`, `steps` integers >= 1; `RuntimeError` unless JAX is
    in float64.
    """
    etas, zeta, _, _, c = _neuron_inputs(etas, zeta, x, y, batch_size=batch_size, n_runs=n_runs, steps=steps)
    batch_size, n_runs, steps = c["batch_size"], c["n_runs"], c["steps"]
    amplitude = float(positive("amplitude", amplitude))
    require_x64("numerics.stochastic_collapse.sgd_neuron_lyapunov (Benettin steps at amplitude 1e-12)")
    E = jnp.repeat(jnp.asarray(etas), n_runs)
    x, y = jnp.asarray(x, dtype=jnp.float64), jnp.asarray(y, dtype=jnp.float64)
    jac = jax.jacfwd(lambda w: w - _neuron_grad(w, x, y))(jnp.zeros(2))  # mean step at eta = 1, minus identity scales with eta
    _, evecs = jnp.linalg.eigh((jac + jac.T) / 2)
    d0 = jnp.broadcast_to(evecs[:, -1], (E.shape[0], 2))
    lam = _neuron_lyap(d0, jax.random.split(key, E.shape[0]), E, float(zeta), x, y, float(amplitude), int(steps), int(batch_size))
    return lam.reshape(etas.size, n_runs)


# --------------------------------------------------------------------------- teacher-student


def _random_orthogonal(rng, n):
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def diagonal_teacher_student_problem(
    *, N: int = 1024, n: int = 64, m: int = 64, rank: int = 8, s_min: float = 0.5, s_max: float = 1.0, label_noise: float = 0.5, seed: int = 0
) -> dict:
    """The diagonal teacher–student data of the official script (paper Fig. 5).

    \\( X \\in \\mathbb R^{N\\times n} \\) with orthonormal columns, a rank-`rank` teacher
    \\( W \\) with singular values `linspace(s_min, s_max, rank)`, labels
    \\( y = XW + \\text{label\\_noise}\\,\\varepsilon/\\sqrt m \\) (fixed noise in the data). The
    student lives in the SVD basis of \\( X^\\top y = U\\mathrm{diag}(\\hat s)V^\\top \\).

    **Returns:** dict with `s_hat` (singular values of \\( X^\\top y \\)), `d` (the teacher's
    overlaps \\( (U^\\top W V)_{ii} \\)), `w_norm2` (\\( \\lVert W\\rVert_F^2 \\)), `n`, `m`,
    `teacher_s`.

    **Raises:** `ValueError` unless `N`, `n`, `m`, `rank` are integers with
    `1 <= rank <= min(n, m)` and `n <= N`, `0 <= s_min <= s_max` (finite), `label_noise` is
    finite and >= 0 and `seed` an integer >= 0.
    """
    N, n, m, rank = (positive_int(k, v) for k, v in (("N", N), ("n", n), ("m", m), ("rank", rank)))
    if not (rank <= min(n, m) and n <= N):
        raise ValueError(f"need 1 <= rank <= min(n, m) and n <= N, got N={N}, n={n}, m={m}, rank={rank}")
    s_min, s_max = float(nonneg("s_min", s_min)), float(nonneg("s_max", s_max))
    if s_min > s_max:
        raise ValueError(f"need s_min <= s_max, got s_min={s_min}, s_max={s_max}")
    label_noise = float(nonneg("label_noise", label_noise))
    seed = nonneg_int("seed", seed)
    pr = _diagonal_problem(N=N, n=n, m=m, rank=rank, s_min=s_min, s_max=s_max, label_noise=label_noise, seed=seed)
    U, W, Vt = pr["U"], pr["W"], pr["Vt"]
    d = np.einsum("ij,jk,ki->i", U.T, W, Vt.T)
    return dict(s_hat=pr["s_hat"], d=d, w_norm2=float(np.sum(W**2)), n=n, m=m, teacher_s=pr["teacher_s"])


def _diagonal_problem(*, N, n, m, rank, s_min=0.5, s_max=1.0, label_noise=0.5, seed=0):
    # the draw of the official diagonal script: X (orthonormal columns), the teacher W, the
    # labels, and the SVD X^T y = U diag(s_hat) Vt (checked by the public callers)
    N, n, m, rank = (positive_int(k, v) for k, v in (("N", N), ("n", n), ("m", m), ("rank", rank)))
    if not (rank <= min(n, m) and n <= N):
        raise ValueError(f"need 1 <= rank <= min(n, m) and n <= N, got N={N}, n={n}, m={m}, rank={rank}")
    label_noise = float(nonneg("label_noise", label_noise))
    rng = np.random.default_rng(nonneg_int("seed", seed))
    X, _ = np.linalg.qr(rng.normal(size=(N, n)))
    teacher_s = np.linspace(s_min, s_max, rank)
    W = _random_orthogonal(rng, n)[:, :rank] @ np.diag(teacher_s) @ _random_orthogonal(rng, m)[:rank, :]
    y = X @ W + label_noise * rng.normal(size=(N, m)) / np.sqrt(m)
    U, s_hat, Vt = np.linalg.svd(X.T @ y, full_matrices=False)
    return dict(U=U, s_hat=s_hat, Vt=Vt, W=W, teacher_s=teacher_s)


@functools.partial(jax.jit, static_argnames=("n_seeds", "record_every", "n_records"))
def _modes(s, eta_steps, sigma, key, n_seeds, record_every, n_records, avg_from):
    M = s.shape[0]
    u0 = jnp.ones((n_seeds, M))

    def step(carry, inp):
        u, acc, acc2, k = carry
        eta, kk = inp
        xi = jax.random.normal(kk, u.shape)
        u = u - eta * (u * u - s + sigma * xi) * u
        p = u * u
        on = (k >= avg_from).astype(u.dtype)
        return (u, acc + on * p, acc2 + on * p * p, k + 1), None

    def record(carry, inp):
        etas, keys = inp
        carry, _ = jax.lax.scan(step, carry, (etas, keys))
        return carry, carry[0] ** 2

    total = record_every * n_records
    keys = jax.random.split(key, total).reshape(n_records, record_every, -1)
    etas = eta_steps.reshape(n_records, record_every)
    (u, acc, acc2, _), snaps = jax.lax.scan(record, (u0, jnp.zeros_like(u0), jnp.zeros_like(u0), 0), (etas, keys))
    return snaps, acc, acc2


def sgd_modes(s_hat, *, eta_steps, sigma: float, n_seeds: int, record_every: int, key, avg_from: int | None = None):
    """Run the per-mode SGD recursion of the diagonal teacher–student model.

    \\( u_{k+1} = u_k - \\eta_k(u_k^2 - \\hat s + \\sigma\\xi_k)u_k \\), \\( u_0 = 1 \\) (the script's
    initialisation), \\( p = u^2 \\) is the mode's singular value.

    **Arguments:**

    - `s_hat`: `(M,)` targets; `eta_steps`: per-step learning rates (length a multiple of
      `record_every`), e.g. a constant phase followed by a drop.
    - `sigma`: SGD noise on each mode's residual; `n_seeds`: independent runs.
    - `record_every`: snapshot interval; `avg_from`: start of the time average of p.

    **Returns:** dict with `snapshots` `(n_records, n_seeds, M)` of p (after each block),
    `record_steps`, and `p_time_mean`, `p2_time_mean` `(n_seeds, M)` averaged over steps
    `>= avg_from` (`None` when `avg_from` is `None` or not below the number of steps).

    **Raises:** `ValueError` unless `s_hat` is a non-empty 1-D array of finite values >= 0,
    `eta_steps` a non-empty 1-D array of finite values >= 0 whose length is a multiple of
    `record_every`, `sigma` finite and >= 0, `n_seeds` and `record_every` integers >= 1 and
    `avg_from` `None` or an integer >= 0; `RuntimeError` unless JAX is in float64.
    """
    s_hat = nonneg("s_hat", s_hat)
    if s_hat.ndim != 1 or s_hat.size == 0:
        raise ValueError(f"s_hat must be a non-empty 1-D array, got shape {s_hat.shape}")
    eta_steps = nonneg("eta_steps", eta_steps)
    sigma = float(nonneg("sigma", sigma))
    n_seeds, record_every = positive_int("n_seeds", n_seeds), positive_int("record_every", record_every)
    if eta_steps.ndim != 1 or eta_steps.size == 0 or eta_steps.size % record_every:
        raise ValueError(f"eta_steps must be non-empty and 1-D with a length that is a multiple of record_every={record_every}, got shape {eta_steps.shape}")
    require_x64("numerics.stochastic_collapse.sgd_modes")
    n_records = eta_steps.size // record_every
    af = eta_steps.size if avg_from is None else nonneg_int("avg_from", avg_from)
    snaps, acc, acc2 = _modes(jnp.asarray(s_hat, dtype=jnp.float64), jnp.asarray(eta_steps), float(sigma), key, int(n_seeds), int(record_every), int(n_records), af)
    n_avg = eta_steps.size - af
    out = dict(snapshots=np.asarray(snaps), record_steps=record_every * np.arange(1, n_records + 1))
    out["p_time_mean"] = np.asarray(acc) / n_avg if n_avg > 0 else None
    out["p2_time_mean"] = np.asarray(acc2) / n_avg if n_avg > 0 else None
    return out


def mode_test_mse(p, d, w_norm2: float, n: int, m: int):
    """Test error \\( \\tfrac{1}{nm}\\lVert U\\mathrm{diag}(p)V^\\top - W\\rVert_F^2 \\) for mode values
    `p` of shape `(..., M)` (exact, through the overlaps `d`).

    **Raises:** `ValueError` unless `p` (singular values) and `w_norm2` are finite and >= 0,
    `d` is finite of shape `(M,)` matching the last axis of `p`, and `n`, `m` are integers
    >= 1.
    """
    p = nonneg("p", p)
    d = finite("d", d)
    if d.ndim != 1 or p.ndim < 1 or p.shape[-1] != d.shape[0]:
        raise ValueError(f"d must have shape (M,) matching the last axis of p, got p {p.shape} and d {d.shape}")
    w_norm2 = float(nonneg("w_norm2", w_norm2))
    n, m = positive_int("n", n), positive_int("m", m)
    return (np.sum(p**2, -1) - 2 * np.sum(p * np.asarray(d), -1) + w_norm2) / (n * m)
