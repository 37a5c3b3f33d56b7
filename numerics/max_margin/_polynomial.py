r"""Padded polynomial models on a dataset: one compiled flow serves every affine example."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int

from numerics.max_margin._checks import require_finite
from numerics.max_margin._losses import LOSSES, log_exponential_loss, log_logistic_loss
from theory._jax import require_x64
from theory.max_margin._checks import as_int, as_real, binary_labels, finite_array

__all__ = [
    "MAX_DEGREE",
    "FlowProblem",
    "make_problem",
    "stack_problems",
    "polynomial_outputs",
    "polynomial_margins",
    "polynomial_log_loss",
]

MAX_DEGREE = 3


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

    **Raises:** `ValueError` for an unknown `loss`, empty or non-finite `X`, labels outside
    \( \{-1, +1\} \), shapes that do not match the model, too small padding sizes, a
    `lambda_max` outside \( (0, 1] \), or degree above 3; `RuntimeError` unless JAX computes in
    float64 (`theory.enable_x64()`).
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    require_x64("numerics.max_margin.make_problem (float64 flow problems)")
    E, C = model.polynomial_form()
    if E.max() > MAX_DEGREE:
        raise ValueError(f"per-parameter degree {E.max()} exceeds {MAX_DEGREE}")
    X = np.atleast_2d(finite_array("X", X))
    if X.ndim != 2 or X.shape[1] != C.shape[1] - 1:
        raise ValueError(f"X must have shape (N, {C.shape[1] - 1}) for this model, got {X.shape}")
    y = binary_labels("y", y, X.shape[0])
    K, P = E.shape
    N, D = X.shape
    sizes = {"n_params": n_params, "n_monomials": n_monomials, "n_points": n_points, "n_inputs": n_inputs}
    sizes = {k: None if v is None else as_int(k, v, 1) for k, v in sizes.items()}
    P2, K2, N2, D2 = (sizes["n_params"] or P, sizes["n_monomials"] or K, sizes["n_points"] or N,
                      sizes["n_inputs"] or D)
    if P2 < P or K2 < K or N2 < N or D2 < D:
        raise ValueError("padding sizes must be at least the model's sizes")
    lam = float(model.rates.max()) if lambda_max is None else as_real("lambda_max", lambda_max, positive=True)
    if lam > 1:
        raise ValueError(f"lambda_max must lie in (0, 1], got {lam}")
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
    kappa = 2.0 * (1.0 - lam)
    return FlowProblem(
        jnp.asarray(Ep), jnp.asarray(Cp), jnp.asarray(Xp), jnp.asarray(yp), jnp.asarray(wp),
        jnp.asarray(kappa), jnp.asarray(LOSSES[loss]),
    )


def stack_problems(problems: Sequence[FlowProblem]) -> FlowProblem:
    """Stack equally padded problems along a new leading (batch) axis.

    **Raises:** `ValueError` for an empty sequence or problems padded to different sizes.
    """
    problems = list(problems)
    if not problems:
        raise ValueError("problems must not be empty")
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
    r"""\( f(\theta; x_n) \) for every (padded) point.

    **Raises:** `ValueError` when `theta` is not a vector of the problem's padded size, or (for a
    concrete array, not inside `jit`) holds NaN or inf.
    """
    P = problem.exponents.shape[-1]
    if np.ndim(theta) != 1 or np.shape(theta)[0] != P:
        raise ValueError(f"theta must have shape ({P},) for this problem, got {np.shape(theta)}")
    require_finite("theta", theta)
    theta = jnp.asarray(theta)
    phi = jnp.concatenate([jnp.ones((problem.X.shape[0], 1)), problem.X], axis=1)
    return (phi @ problem.coefficients.T) @ _monomials(theta, problem.exponents)


def polynomial_margins(problem: FlowProblem, theta: Float[Array, " P"]) -> Float[Array, " N"]:
    r"""\( q_n = y_n f(\theta; x_n) \).

    **Raises:** as `polynomial_outputs`.
    """
    return problem.y * polynomial_outputs(problem, theta)


def polynomial_log_loss(problem: FlowProblem, theta: Float[Array, " P"]) -> Float[Array, ""]:
    r"""\( \log L(\theta) \) for the problem's loss (exponential or logistic).

    **Raises:** as `polynomial_outputs`; `ValueError` also when the margins overflow at a concrete
    `theta`.
    """
    q = polynomial_margins(problem, theta)
    return jnp.where(
        problem.loss == 0, log_exponential_loss(q, problem.weights), log_logistic_loss(q, problem.weights)
    )
