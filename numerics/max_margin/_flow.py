r"""Gradient flow past separability in the speed-adapted loss time (see `numerics.max_margin`)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx

from numerics.max_margin._polynomial import FlowProblem, polynomial_log_loss
from theory._jax import require_x64
from theory.max_margin._checks import as_int, as_real, finite_array

__all__ = ["FlowSolution", "integrate_gradient_flow"]


@dataclasses.dataclass(frozen=True)
class FlowSolution:
    r"""Batched gradient-flow solution (numpy, float64).

    - `theta`, `ell`, `log1p_t`, `tau`: per accepted step, shapes `(B, S, P)` and `(B, S)`; entries
      beyond each run's last step are NaN (`valid` marks the real ones).
    - `theta_final`, `ell_final`, `log1p_t_final`: at the event \( \ell = \ell_{\max} \) (or the last step).
    - `steps`, `rejected`: accepted and rejected step counts; `hit_event`: reached \( \ell_{\max} \);
      `status`: diffrax result codes (0 = success).
    """

    theta: np.ndarray
    ell: np.ndarray
    log1p_t: np.ndarray
    tau: np.ndarray
    valid: np.ndarray
    theta_final: np.ndarray
    ell_final: np.ndarray
    log1p_t_final: np.ndarray
    steps: np.ndarray
    rejected: np.ndarray
    hit_event: np.ndarray
    status: np.ndarray


def _speed(ell, kappa):
    return jnp.exp(-kappa * jnp.log1p(jax.nn.softplus(ell)))


@functools.cache
def _compiled(log_loss: Callable, rtol: float, atol: float, newton_rtol: float, max_steps: int):
    def vector_field(tau, state, args):
        problem = args
        theta, v = state[:-1], state[-1]
        log_l, grad = jax.value_and_grad(log_loss, argnums=1)(problem, theta)
        ell = -log_l
        rho = _speed(ell, problem.speed_exponent)
        return jnp.concatenate([-rho * grad, (rho * jnp.exp(ell - v))[None]])

    def one(problem, theta0, ell_max):
        y0 = jnp.concatenate([theta0, jnp.zeros((1,), theta0.dtype)])
        event = diffrax.Event(
            lambda t, y, args, **kw: -log_loss(args, y[:-1]) - ell_max,
            root_finder=optx.Newton(rtol=1e-12, atol=1e-9),
        )
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(vector_field),
            diffrax.Kvaerno5(root_finder=optx.Newton(rtol=newton_rtol, atol=1e-9)),
            0.0, 1e15, None, y0, args=problem,
            saveat=diffrax.SaveAt(steps=True),
            stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
            max_steps=max_steps, throw=False, event=event,
        )
        ys = sol.ys
        ell = jax.vmap(lambda s: -log_loss(problem, s[:-1]))(jnp.where(jnp.isfinite(ys), ys, 0.0))
        return (sol.ts, ys, ell, sol.stats["num_accepted_steps"], sol.stats["num_rejected_steps"],
                sol.result._value if hasattr(sol.result, "_value") else sol.result, sol.event_mask)

    return jax.jit(jax.vmap(one, in_axes=(0, 0, None)))


def integrate_gradient_flow(
    problems: Any,
    theta0: np.ndarray,
    *,
    ell_max: float,
    log_loss: Callable = polynomial_log_loss,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    newton_rtol: float = 1e-6,
    max_steps: int = 20_000,
) -> FlowSolution:
    r"""Integrate gradient flow for a batch of problems until \( \log(1/L) = \ell_{\max} \).

    **Arguments:**

    - `problems`: a batched pytree (e.g. `stack_problems([...])`), leading axis B; it must carry a
      `speed_exponent` \( \kappa = 2(1 - \lambda_{\max}) \) field.
    - `theta0`: initial parameters, shape `(B, P)`.
    - `ell_max`: stop at \( \ell = \log(1/L) = \ell_{\max} \) (exactly, by root finding).
    - `log_loss`: `(problem, theta) -> log L` (JAX); default the padded polynomial models.
    - `rtol`, `atol`: PID controller tolerances; `newton_rtol`: Newton tolerance of the implicit stages.
    - `max_steps`: step budget per run (also the length of the saved trajectory).

    **Returns:** a `FlowSolution`.

    **Raises:** `ValueError` when `theta0` is not a finite, non-empty `(B, P)` array matching the
    batch (and, for polynomial problems, the padded parameter count), or `ell_max`, `rtol`, `atol`,
    `newton_rtol` are not finite and positive, or `max_steps < 1`; `RuntimeError` unless JAX
    computes in float64 (`theory.enable_x64()`).
    """
    require_x64("numerics.max_margin.integrate_gradient_flow (diffrax at rtol 1e-10)")
    theta0 = finite_array("theta0", theta0)
    if theta0.ndim != 2:
        raise ValueError(f"theta0 must have shape (B, P), got {theta0.shape}")
    ell_max = as_real("ell_max", ell_max, positive=True)
    rtol = as_real("rtol", rtol, positive=True)
    atol = as_real("atol", atol, positive=True)
    newton_rtol = as_real("newton_rtol", newton_rtol, positive=True)
    max_steps = as_int("max_steps", max_steps, 1)
    leaves = jax.tree_util.tree_leaves(problems)
    if not leaves or any(np.ndim(leaf) < 1 or np.shape(leaf)[0] != theta0.shape[0] for leaf in leaves):
        raise ValueError(f"problems must be batched along a leading axis of size B = {theta0.shape[0]} "
                         "(theta0's rows; use stack_problems)")
    if isinstance(problems, FlowProblem) and problems.exponents.shape[-1] != theta0.shape[1]:
        raise ValueError(f"theta0 has {theta0.shape[1]} columns but the problems have "
                         f"{problems.exponents.shape[-1]} (padded) parameters")
    fn = _compiled(log_loss, float(rtol), float(atol), float(newton_rtol), int(max_steps))
    ts, ys, ell, acc, rej, res, ev = fn(problems, jnp.asarray(theta0), jnp.asarray(float(ell_max)))
    ts, ys, ell = np.asarray(ts), np.asarray(ys), np.asarray(ell)
    valid = np.isfinite(ts)
    ell = np.where(valid, ell, np.nan)
    B = ys.shape[0]
    last = np.maximum(valid.sum(axis=1) - 1, 0)
    final = ys[np.arange(B), last]
    return FlowSolution(
        theta=ys[..., :-1], ell=ell, log1p_t=ys[..., -1], tau=ts, valid=valid,
        theta_final=final[:, :-1], ell_final=ell[np.arange(B), last], log1p_t_final=final[:, -1],
        steps=np.asarray(acc), rejected=np.asarray(rej),
        hit_event=np.asarray(ev).reshape(B, -1).any(axis=1) if ev is not None else np.zeros(B, bool),
        status=np.asarray(res).reshape(B),
    )
