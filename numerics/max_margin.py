r"""Gradient flow past separability, integrated with diffrax to \( t = e^{10^4} \) and beyond.

Gradient flow \( \dot\theta = -\nabla L(\theta) \) on the exponential loss \( L = \sum_n e^{-q_n} \)
(or the logistic loss \( \sum_n \log(1 + e^{-q_n}) \)) slows down like \( 1/t \) once the data are
separated, and directions converge like \( 1/\log t \). We integrate the same orbit in the
speed-adapted loss time

\[
\frac{d\theta}{d\tau} = -\rho(\ell)\, \nabla \log L(\theta), \qquad
\rho(\ell) = (1 + \ell_+)^{-\kappa}, \quad \kappa = 2(1 - \lambda_{\max}),
\]

with \( \ell = \log(1/L) \) and \( \ell_+ = \mathrm{softplus}(\ell) \), which keeps \( \ell \) growing
about linearly in \( \tau \); real time is carried as the state \( v = \log(1 + t) \) with
\( dv/d\tau = \rho\, e^{\ell - v} \). The margins become stiff (relaxation rate \( \sim \ell \) per
unit \( \tau \)), so the solver is Kvaerno5 with a Newton root finder and a PID controller; the run
stops exactly at \( \ell = \ell_{\max} \) (event with root finding). Models are either padded
polynomial problems (one compilation serves every affine example of the brief, batched over models,
datasets and initialisations with `vmap`) or any JAX log-loss, e.g. the normalised
unconstrained-features model of neural collapse.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jaxtyping import Array, Float, Int

jax.config.update("jax_enable_x64", True)

__all__ = [
    "LOSSES",
    "FlowProblem",
    "make_problem",
    "stack_problems",
    "polynomial_outputs",
    "polynomial_margins",
    "polynomial_log_loss",
    "log_exponential_loss",
    "log_logistic_loss",
    "FlowSolution",
    "integrate_gradient_flow",
    "NCProblem",
    "nc_problem",
    "nc_log_loss",
    "nc_unpack",
    "collapse_metrics",
    "fit_power_law",
]

#: Loss identifiers stored in `FlowProblem.loss`.
LOSSES = {"exponential": 0, "logistic": 1}
MAX_DEGREE = 3


# --------------------------------------------------------------------------- losses


def log_exponential_loss(q: Float[Array, " n"], weights: Float[Array, " n"]) -> Float[Array, ""]:
    r"""\( \log \sum_n w_n e^{-q_n} \) by log-sum-exp (never forms \( e^{-q} \))."""
    return jax.nn.logsumexp(-q, b=weights)


def _log_softplus_neg(q):
    r"""\( \log\log(1 + e^{-q}) \), stable for \( q \to \pm\infty \) with finite gradients."""
    big = q > 0
    qb = jnp.where(big, q, 1.0)
    u = jnp.exp(-qb)
    tiny = u < 1e-8  # log(log1p(u)/u) = -u/2 + O(u^2): exact to float64 below 1e-8
    us = jnp.where(tiny, 1.0, u)
    log_ratio = jnp.where(tiny, -0.5 * u, jnp.log(jnp.log1p(us) / us))
    branch_big = -qb + log_ratio
    qs = jnp.where(big, 0.0, q)
    branch_small = jnp.log(jax.nn.softplus(-qs))
    return jnp.where(big, branch_big, branch_small)


def log_logistic_loss(q: Float[Array, " n"], weights: Float[Array, " n"]) -> Float[Array, ""]:
    r"""\( \log \sum_n w_n \log(1 + e^{-q_n}) \), stable up to \( q \sim 10^{300} \)."""
    return jax.nn.logsumexp(_log_softplus_neg(q), b=weights)


# --------------------------------------------------------------------------- polynomial problems


class FlowProblem(NamedTuple):
    r"""A padded polynomial model on a dataset (a pytree of arrays; stack for `vmap`).

    \( f(\theta; x) = \sum_k (C_{k0} + \sum_j C_{kj} x_j) \prod_i \theta_i^{E_{ki}} \);
    padded monomials have zero coefficients, padded parameters zero exponents, padded points weight 0.
    """

    exponents: Int[Array, "K P"]
    coefficients: Float[Array, "K D1"]
    X: Float[Array, "N D"]
    y: Float[Array, " N"]
    weights: Float[Array, " N"]
    speed_exponent: Float[Array, ""]
    loss: Int[Array, ""]


def make_problem(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    loss: str = "exponential",
    n_params: int | None = None,
    n_monomials: int | None = None,
    n_points: int | None = None,
    n_inputs: int | None = None,
    lambda_max: float | None = None,
) -> FlowProblem:
    r"""A `FlowProblem` from a polynomial, input-affine `theory.max_margin.Model`, padded to the given sizes.

    `lambda_max` sets the speed exponent \( \kappa = 2(1 - \lambda_{\max}) \); default the model's
    \( \lambda_{\max} \). When \( (P_\Lambda) \) is degenerate (the max-rate parameters are
    unnecessary and get discarded), pass the largest rate of the parameters that do grow, otherwise
    \( \ell \) grows exponentially in \( \tau \) and the run is slow.

    **Raises:** `ValueError` for an unknown `loss`, too small padding sizes or degree above 3.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    E, C = model.polynomial_form()
    if E.max() > MAX_DEGREE:
        raise ValueError(f"per-parameter degree {E.max()} exceeds {MAX_DEGREE}")
    X = np.atleast_2d(np.asarray(X, float))
    y = np.asarray(y, float)
    K, P = E.shape
    N, D = X.shape
    P2, K2, N2, D2 = n_params or P, n_monomials or K, n_points or N, n_inputs or D
    if P2 < P or K2 < K or N2 < N or D2 < D:
        raise ValueError("padding sizes must be at least the model's sizes")
    Ep = np.zeros((K2, P2), np.int64)
    Ep[:K, :P] = E
    Cp = np.zeros((K2, 1 + D2))
    Cp[:K, : 1 + D] = C
    Xp = np.zeros((N2, D2))
    Xp[:N, :D] = X
    yp = np.ones(N2)
    yp[:N] = y
    wp = np.zeros(N2)
    wp[:N] = 1.0
    kappa = 2.0 * (1.0 - float(model.rates.max() if lambda_max is None else lambda_max))
    return FlowProblem(
        jnp.asarray(Ep), jnp.asarray(Cp), jnp.asarray(Xp), jnp.asarray(yp), jnp.asarray(wp),
        jnp.asarray(kappa), jnp.asarray(LOSSES[loss]),
    )


def stack_problems(problems: Sequence[FlowProblem]) -> FlowProblem:
    """Stack equally padded problems along a new leading (batch) axis."""
    shapes = {tuple(np.shape(leaf) for leaf in p) for p in problems}
    if len(shapes) != 1:
        raise ValueError("problems must be padded to the same sizes before stacking")
    return FlowProblem(*[jnp.stack(leaves) for leaves in zip(*problems)])


def _monomials(theta, E):
    base = jnp.ones(E.shape, dtype=theta.dtype)
    for r in range(MAX_DEGREE):
        base = base * jnp.where(E > r, theta[None, :], 1.0)
    return jnp.prod(base, axis=1)


def polynomial_outputs(problem: FlowProblem, theta: Float[Array, " P"]) -> Float[Array, " N"]:
    r"""\( f(\theta; x_n) \) for every (padded) point."""
    phi = jnp.concatenate([jnp.ones((problem.X.shape[0], 1)), problem.X], axis=1)
    return (phi @ problem.coefficients.T) @ _monomials(theta, problem.exponents)


def polynomial_margins(problem: FlowProblem, theta: Float[Array, " P"]) -> Float[Array, " N"]:
    r"""\( q_n = y_n f(\theta; x_n) \)."""
    return problem.y * polynomial_outputs(problem, theta)


def polynomial_log_loss(problem: FlowProblem, theta: Float[Array, " P"]) -> Float[Array, ""]:
    r"""\( \log L(\theta) \) for the problem's loss (exponential or logistic)."""
    q = polynomial_margins(problem, theta)
    return jnp.where(
        problem.loss == 0, log_exponential_loss(q, problem.weights), log_logistic_loss(q, problem.weights)
    )


# --------------------------------------------------------------------------- integrator


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

    **Raises:** `ValueError` on shape mismatch or a non-positive `ell_max`.
    """
    theta0 = np.asarray(theta0, float)
    if theta0.ndim != 2:
        raise ValueError(f"theta0 must have shape (B, P), got {theta0.shape}")
    if not ell_max > 0:
        raise ValueError(f"ell_max must be positive, got {ell_max}")
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


# --------------------------------------------------------------------------- neural collapse model


class NCProblem(NamedTuple):
    r"""Unconstrained features on the unit sphere with a linear classifier (layer-peeled model).

    Parameters \( \theta = (Z, W, b) \): free features \( z_n \in \mathbb{R}^d \) normalised to
    \( h_n = z_n/\|z_n\| \) (rate 0), classifier \( W \in \mathbb{R}^{K \times d} \) and \( b \) (rate 1).
    """

    labels: Int[Array, " N"]
    pair_n: Int[Array, " M"]
    pair_k: Int[Array, " M"]
    n_classes: int
    dim: int
    speed_exponent: Float[Array, ""]


def nc_problem(labels: np.ndarray, n_classes: int, dim: int) -> NCProblem:
    r"""Margin pairs \( (n, k \ne y_n) \) of the layer-peeled model."""
    labels = np.asarray(labels, int)
    pn = np.repeat(np.arange(labels.size), n_classes - 1)
    pk = np.array([k for y in labels for k in range(n_classes) if k != y])
    return NCProblem(jnp.asarray(labels), jnp.asarray(pn), jnp.asarray(pk), n_classes, dim, jnp.asarray(0.0))


def nc_unpack(problem: NCProblem, theta):
    r"""Split \( \theta \) into `(Z, W, b)`."""
    N, K, d = problem.labels.shape[0], problem.n_classes, problem.dim
    Z = theta[..., : N * d].reshape(theta.shape[:-1] + (N, d))
    W = theta[..., N * d : N * d + K * d].reshape(theta.shape[:-1] + (K, d))
    b = theta[..., N * d + K * d :]
    return Z, W, b


def nc_log_loss(problem: NCProblem, theta: Float[Array, " P"]) -> Float[Array, ""]:
    r"""\( \log \sum_{n, k \ne y_n} \exp(-(f_{y_n} - f_k)(h_n)) \), \( f = W h + b \), \( h = z/\|z\| \)."""
    Z, W, b = nc_unpack(problem, theta)
    H = Z / jnp.linalg.norm(Z, axis=1, keepdims=True)
    F = H @ W.T + b
    y = problem.labels[problem.pair_n]
    q = F[problem.pair_n, y] - F[problem.pair_n, problem.pair_k]
    return jax.nn.logsumexp(-q)


# Static fields (ints) must not be traced: make NCProblem's ints static via a pytree wrapper.
jax.tree_util.register_pytree_node(
    NCProblem,
    lambda p: ((p.labels, p.pair_n, p.pair_k, p.speed_exponent), (p.n_classes, p.dim)),
    lambda aux, ch: NCProblem(ch[0], ch[1], ch[2], aux[0], aux[1], ch[3]),
)


# --------------------------------------------------------------------------- diagnostics


def collapse_metrics(H: np.ndarray, labels: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> dict[str, float]:
    r"""Neural-collapse metrics (Papyan, Han, Donoho 2020) of features `H (N, d)` and classifier `W (K, d)`.

    - `nc1`: \( \mathrm{tr}(\Sigma_W \Sigma_B^\dagger)/K \) (within-class variability).
    - `nc2`: \( \| G/\|G\|_F - E/\|E\|_F \|_F \), \( G \) the Gram of centred class means, \( E \) the ETF Gram.
    - `mean_cos`, `std_cos`: off-diagonal cosines of centred class means (ETF: \( -1/(K-1) \), 0).
    - `nc3`: \( \| W/\|W\|_F - M/\|M\|_F \|_F^2 \) (self-duality), `cos_wm`: mean \( \cos(W_k, M_k) \).
    - `bias_ratio`: \( \|b\| / \|W\|_F \).
    """
    H = np.asarray(H, float)
    labels = np.asarray(labels, int)
    W = np.asarray(W, float)
    K = W.shape[0]
    mu_g = H.mean(axis=0)
    means = np.stack([H[labels == k].mean(axis=0) for k in range(K)])
    M = means - mu_g
    D = H - means[labels]
    sw = D.T @ D / H.shape[0]
    sb = M.T @ M / K
    nc1 = float(np.trace(sw @ np.linalg.pinv(sb, rcond=1e-10)) / K)
    G = M @ M.T
    E = np.eye(K) - np.ones((K, K)) / K
    nc2 = float(np.linalg.norm(G / np.linalg.norm(G) - E / np.linalg.norm(E)))
    Mn = M / np.linalg.norm(M, axis=1, keepdims=True)
    C = Mn @ Mn.T
    off = C[~np.eye(K, dtype=bool)]
    nc3 = float(np.linalg.norm(W / np.linalg.norm(W) - M / np.linalg.norm(M)) ** 2)
    cos_wm = float(np.mean(np.sum(W * M, axis=1) / (np.linalg.norm(W, axis=1) * np.linalg.norm(M, axis=1))))
    out = {"nc1": nc1, "nc2": nc2, "mean_cos": float(off.mean()), "std_cos": float(off.std()), "nc3": nc3,
           "cos_wm": cos_wm}
    out["bias_ratio"] = float(np.linalg.norm(b) / np.linalg.norm(W)) if b is not None else 0.0
    return out


def fit_power_law(x: np.ndarray, y: np.ndarray, lo: float, hi: float) -> float:
    r"""Least-squares slope of \( \log y \) against \( \log x \) over \( x \in [lo, hi] \) (NaN if < 3 points)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    sel = (x >= lo) & (x <= hi) & np.isfinite(x) & np.isfinite(y) & (y > 0)
    if sel.sum() < 3:
        return float("nan")
    return float(np.polyfit(np.log(x[sel]), np.log(y[sel]), 1)[0])
