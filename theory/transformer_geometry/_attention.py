r"""Attention moments on the permutation-symmetric simplex.

With normalised tokens of common cosine \( \rho \), the logits \( s_{ij} \) of one head are
jointly Gaussian (large \( d \)) with \( \mathrm{Cov}(s_{ij}, s_{kl}) = \sigma_A^2 c_{ik} c_{jl} \),
\( c_{ik} = \rho + (1-\rho)\delta_{ik} \). Dropping terms constant along a row (softmax is shift
invariant), two query rows \( i \ne k \) are

\[
s_{i\cdot} \cong \tau z_1,\qquad s_{k\cdot} \cong \tau\big(\rho z_1 + \sqrt{1-\rho^2}\,z_2\big),
\qquad \tau = \sigma_A\sqrt{1-\rho},
\]

with \( z_1, z_2 \sim \mathcal N(0, I_n) \), valid for every \( \rho \in [-1/(n-1), 1] \). The moments

\[
S_2 = E\sum_j A_{ij}^2,\qquad S_{11} = E\sum_j A_{ij}A_{kj}
\]

give the attention branch's Gram entries \( q_A = \sigma_V^2[\rho + (1-\rho)S_2] \),
\( p_A = \sigma_V^2[\rho + (1-\rho)S_{11}] \). Finite \( n \): Monte Carlo with common random
numbers (a fixed set of \( z \) draws, so \( S_2(\rho), S_{11}(\rho) \) are smooth in \( \rho \) and
the map is deterministic). Large \( n \) without condensation: \( S_2 \approx e^{\sigma_A^2(1-\rho)}/n \),
\( S_{11}\approx e^{\sigma_A^2\rho(1-\rho)}/n \) (law of large numbers over keys).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._validate import check_int, check_real, check_rho

__all__ = ["attention_moments", "attention_moments_large_n", "DEFAULT_ATTENTION_SAMPLES"]

DEFAULT_ATTENTION_SAMPLES = 1 << 14
_ATTENTION_SEED = 2403_02579


@functools.lru_cache(maxsize=32)
def _draws(n_tokens: int, n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal((n_samples, n_tokens))
    z2 = rng.standard_normal((n_samples, n_tokens))
    z1.setflags(write=False)
    z2.setflags(write=False)
    return z1, z2


def _softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def attention_moments_large_n(rho, n_tokens: int, sigma_attn: float):
    r"""Large-\( n \) closed forms \( (S_2, S_{11}) = (e^{\sigma_A^2(1-\rho)}/n,\ e^{\sigma_A^2\rho(1-\rho)}/n) \).

    Valid when \( e^{\sigma_A^2} \ll n \) (no condensation on a few keys).

    **Arguments:** `rho` in \( [-1/(n-1), 1] \), `n_tokens` \( n \ge 2 \), `sigma_attn` \( \sigma_A \ge 0 \)
    (small enough that \( e^{2\sigma_A^2} \) is a finite float).

    **Returns:** a pair of floats or arrays shaped like `rho`.

    **Raises:** `ValueError` naming the argument that leaves its range.
    """
    n_tokens = check_int("n_tokens", n_tokens, 2)
    sigma_attn = check_real("sigma_attn", sigma_attn, 0.0)
    r = check_rho("rho", rho, -1.0 / (n_tokens - 1))
    with np.errstate(over="ignore"):
        s2 = np.exp(sigma_attn**2 * (1 - r)) / n_tokens
        s11 = np.exp(sigma_attn**2 * r * (1 - r)) / n_tokens
    if not (np.all(np.isfinite(s2)) and np.all(np.isfinite(s11))):
        raise ValueError(f"sigma_attn = {sigma_attn!r} is too large: exp(sigma_attn^2 (1 - rho)) overflows")
    if np.ndim(rho) == 0:
        return float(s2), float(s11)
    return s2, s11


def attention_moments(
    rho,
    n_tokens: int,
    sigma_attn: float,
    *,
    method: str = "monte_carlo",
    n_samples: int = DEFAULT_ATTENTION_SAMPLES,
    seed: int = _ATTENTION_SEED,
    return_stderr: bool = False,
):
    r"""The attention moments \( S_2(\rho) \) and \( S_{11}(\rho) \) of one softmax head.

    **Arguments:**

    - `rho`: token cosine(s), in \( [-1/(n-1), 1] \).
    - `n_tokens`: \( n \ge 2 \).
    - `sigma_attn`: \( \sigma_A \ge 0 \), the logit standard deviation.
    - `method`: `"monte_carlo"` (finite \( n \), common random numbers) or `"large_n"`.
    - `n_samples`: Monte-Carlo draws of the two query rows (an integer >= 2).
    - `seed`: seed of the common random numbers (an integer >= 0; fixed: the theory is deterministic).
    - `return_stderr`: also return the Monte-Carlo standard errors.

    **Returns:** `(S2, S11)` (floats or arrays shaped like `rho`), plus `(se_S2, se_S11)` when
    `return_stderr`.

    **Raises:** `ValueError` naming the argument: `rho` outside the simplex range (or not
    finite), `n_tokens`, `sigma_attn`, `n_samples`, `seed` out of range, or a bad `method`.
    """
    n_tokens = check_int("n_tokens", n_tokens, 2)
    sigma_attn = check_real("sigma_attn", sigma_attn, 0.0)
    n_samples = check_int("n_samples", n_samples, 2)
    seed = check_int("seed", seed, 0)
    r = check_rho("rho", rho, -1.0 / (n_tokens - 1))
    if method == "large_n":
        out = attention_moments_large_n(r, n_tokens, sigma_attn)
        if return_stderr:
            z = (0.0, 0.0) if np.ndim(rho) == 0 else (np.zeros_like(r), np.zeros_like(r))
            return out, z
        return out
    if method != "monte_carlo":
        raise ValueError(f"method must be 'monte_carlo' or 'large_n', got {method!r}")
    z1, z2 = _draws(int(n_tokens), int(n_samples), int(seed))
    flat = r.ravel()
    s2 = np.empty_like(flat)
    s11 = np.empty_like(flat)
    se2 = np.empty_like(flat)
    se11 = np.empty_like(flat)
    for idx, rv in enumerate(flat):
        if sigma_attn == 0.0 or rv >= 1.0:
            s2[idx] = s11[idx] = 1.0 / n_tokens
            se2[idx] = se11[idx] = 0.0
            continue
        tau = sigma_attn * math.sqrt(1.0 - rv)
        a1 = _softmax(tau * z1)
        a2 = _softmax(tau * (rv * z1 + math.sqrt(max(1.0 - rv * rv, 0.0)) * z2))
        x2 = 0.5 * ((a1 * a1).sum(-1) + (a2 * a2).sum(-1))
        x11 = (a1 * a2).sum(-1)
        s2[idx], s11[idx] = x2.mean(), x11.mean()
        se2[idx] = x2.std(ddof=1) / math.sqrt(len(x2))
        se11[idx] = x11.std(ddof=1) / math.sqrt(len(x11))
    shape = r.shape
    if np.ndim(rho) == 0:
        out, se = (float(s2[0]), float(s11[0])), (float(se2[0]), float(se11[0]))
    else:
        out, se = (s2.reshape(shape), s11.reshape(shape)), (se2.reshape(shape), se11.reshape(shape))
    return (out, se) if return_stderr else out
