r"""Stable log-losses of the margins: \( \log \sum_n w_n e^{-q_n} \) and \( \log \sum_n w_n \log(1 + e^{-q_n}) \)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from numerics.max_margin._checks import is_concrete, require_finite

__all__ = ["LOSSES", "log_exponential_loss", "log_logistic_loss"]

#: Loss identifiers stored in `FlowProblem.loss`.
LOSSES = {"exponential": 0, "logistic": 1}


def _check_margins(q, weights) -> None:
    if np.ndim(q) != 1 or np.shape(q)[0] == 0:
        raise ValueError(f"q must be a non-empty 1-D array of margins, got shape {np.shape(q)}")
    if np.shape(weights) != np.shape(q):
        raise ValueError(f"weights must have the shape of q {np.shape(q)}, got {np.shape(weights)}")
    require_finite("q", q)
    require_finite("weights", weights)
    if is_concrete(weights):
        w = np.asarray(weights)
        if np.any(w < 0) or not np.any(w > 0):
            raise ValueError("weights must be >= 0 with at least one positive entry")


def log_exponential_loss(q: Float[Array, " n"], weights: Float[Array, " n"]) -> Float[Array, ""]:
    r"""\( \log \sum_n w_n e^{-q_n} \) by log-sum-exp (never forms \( e^{-q} \)).

    **Raises:** `ValueError` for an empty `q`, mismatched shapes, and (for concrete arrays, not
    inside `jit`) non-finite entries or weights that are negative or all zero.
    """
    _check_margins(q, weights)
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
    r"""\( \log \sum_n w_n \log(1 + e^{-q_n}) \), stable up to \( q \sim 10^{300} \).

    **Raises:** as `log_exponential_loss`.
    """
    _check_margins(q, weights)
    return jax.nn.logsumexp(_log_softplus_neg(q), b=weights)
