"""Benchmark: exact whitened trajectories of one neuron, three ways, as ratios in one run.

A batch of initialisations x a grid of times (default 10^4 x 10^3, d = 3, random learning rates
per run fixed, all regimes):

1. the closed form `theory.lazy_rich.whitened_trajectory` (numpy, and the JAX backend: the same
   lambdified expressions, jitted and fused);
2. diffrax (`numerics.lazy_rich.gradient_flow`: jit + vmap, Dopri8, rtol 1e-10), in chunks of 1024
   initialisations (compiled once; compile time reported separately);
3. a Python loop of scipy `solve_ivp` (DOP853, rtol 1e-10) on a subset of initialisations, extrapolated
   linearly to the full batch (stated in the output).

Run: `python benchmarks/lazy_rich.py [--batch 10000 --times 1000 --scipy-subset 40]`.
Targets of the issue: closed form >= 100x faster than diffrax, diffrax >= 10x faster than the scipy loop.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

import theory.lazy_rich as th  # noqa: E402
from numerics import lazy_rich as nm  # noqa: E402
from theory import enable_x64  # noqa: E402


def _problem(batch: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    beta_star = rng.normal(size=d)
    X, _ = np.linalg.qr(rng.normal(size=(2 * d, d)))
    y = X @ beta_star
    a0 = rng.normal(size=batch)
    w0 = rng.normal(size=(batch, d)) * rng.uniform(0.3, 1.5, size=(batch, 1))
    return a0, w0, beta_star, X, y


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=10_000)
    p.add_argument("--times", type=int, default=1_000)
    p.add_argument("--d", type=int, default=3)
    p.add_argument("--t-max", type=float, default=10.0)
    p.add_argument("--chunk", type=int, default=1024)
    p.add_argument("--scipy-subset", type=int, default=40)
    args = p.parse_args(argv)
    enable_x64()  # the integrators and the JAX closed form compute in float64
    eta_a, eta_w = 0.8, 1.3
    a0, w0, bs, X, y = _problem(args.batch, args.d)
    t = np.linspace(0, args.t_max, args.times)

    # 1. closed form, numpy and jax (jit, fused; compile excluded)
    c0 = time.process_time()
    a_cf, w_cf = th.whitened_trajectory(a0, w0, bs, t, eta_a, eta_w)
    t_np = time.process_time() - c0
    th.whitened_trajectory(a0[:8], w0[:8], bs, t, eta_a, eta_w, backend="jax")  # compile for the small shape
    c0 = time.process_time()
    a_j, _ = th.whitened_trajectory(a0, w0, bs, t, eta_a, eta_w, backend="jax")
    t_jx_first = time.process_time() - c0
    c0 = time.process_time()
    a_j, _ = th.whitened_trajectory(a0, w0, bs, t, eta_a, eta_w, backend="jax")
    t_cf = time.process_time() - c0
    err_backends = float(np.max(np.abs(a_j - a_cf)))

    # 2. diffrax, jit + vmap, chunked
    c0 = time.process_time()
    nm.gradient_flow(a0[: args.chunk], w0[: args.chunk], X, y, t, eta_a, eta_w)  # compile + first chunk
    t_compile = time.process_time() - c0
    c0 = time.process_time()
    err = 0.0
    for i in range(0, args.batch, args.chunk):
        a, w = nm.gradient_flow(a0[i : i + args.chunk], w0[i : i + args.chunk], X, y, t, eta_a, eta_w)
        err = max(err, float(np.max(np.abs(a - a_cf[i : i + args.chunk]))))
    t_dx = time.process_time() - c0

    # 3. scipy loop on a subset, extrapolated
    def rhs(_, z):
        a, w = z[0], z[1:]
        g = X.T @ (X @ (a * w) - y)
        return np.concatenate([[-eta_a * (w @ g)], -eta_w * a * g])

    k = min(args.scipy_subset, args.batch)
    c0 = time.process_time()
    for i in range(k):
        sol = solve_ivp(rhs, (0, args.t_max), np.concatenate([[a0[i]], w0[i]]), method="DOP853", t_eval=t, rtol=1e-10, atol=1e-12)
        err = max(err, float(np.max(np.abs(sol.y[0] - a_cf[i]))))
    t_sp = (time.process_time() - c0) * args.batch / k

    print(f"batch {args.batch} inits x {args.times} times, d = {args.d} (CPU seconds, process time)")
    print(f"  closed form (numpy)         {t_np:10.3f} s")
    print(f"  closed form (jax jit)       {t_cf:10.3f} s   (first call incl. compile {t_jx_first:.2f} s; "
          f"max |jax - numpy| {err_backends:.1e})")
    print(f"  diffrax jit+vmap (Dopri8)   {t_dx:10.3f} s   (+ {t_compile:.2f} s compile and first chunk)")
    print(f"  scipy solve_ivp loop        {t_sp:10.3f} s   (measured on {k} inits, extrapolated x{args.batch / k:g})")
    print(f"  max |a_ode - a_closed|      {err:10.2e}")
    print(f"ratio diffrax / closed form   {t_dx / t_cf:10.1f} x   (jax backend; numpy backend {t_dx / t_np:.1f} x; target >= 100)")
    print(f"ratio scipy / diffrax         {t_sp / t_dx:10.1f} x   (target >= 10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
