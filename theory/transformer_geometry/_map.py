r"""The mean-field update map of the token geometry \( (q, p) \) and its fixed points.

One layer (limit \( d, d_{\mathrm{mlp}}\to\infty \) at fixed \( n \), fresh weights per layer; cross
terms between the stream and a branch vanish because each branch ends in an independent
zero-mean matrix):

\[
\begin{aligned}
q_1 &= \beta_A^2 q + \alpha_A^2 \sigma_V^2[\rho + (1-\rho) S_2(\rho)], &
p_1 &= \beta_A^2 p + \alpha_A^2 \sigma_V^2[\rho + (1-\rho) S_{11}(\rho)],\\
q_2 &= \beta_M^2 q_1 + \alpha_M^2 \sigma_2^2 E\phi(u)^2, &
p_2 &= \beta_M^2 p_1 + \alpha_M^2 \sigma_2^2 E\phi(u)\phi(v)\big|_{\rho_1},
\end{aligned}
\]

with \( \rho = p/q \), \( \rho_1 = p_1/q_1 \) (brief A.5; derived, checked against simulation).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from ._attention import DEFAULT_ATTENTION_SAMPLES, attention_moments
from ._kernels import mlp_kernel, mlp_second_moment
from ._params import BlockParams, make_params
from ._validate import check_int, check_real

__all__ = ["geometry_map", "iterate", "collapsed_norm_fixed_point", "fixed_points", "map_with_params"]


def map_with_params(
    q: float,
    p: float,
    prm: BlockParams,
    *,
    attention: str = "monte_carlo",
    n_samples: int = DEFAULT_ATTENTION_SAMPLES,
    details: bool = False,
):
    """`geometry_map` for an already validated `BlockParams`."""
    if not (q > 0 and math.isfinite(q)):
        raise ValueError(f"q must be a finite number > 0, got {q!r}")
    if not math.isfinite(p) or abs(p) > q * (1 + 1e-12):
        raise ValueError(f"p must satisfy |p| <= q, got p={p!r}, q={q!r}")
    rho = min(p / q, 1.0)
    lo = -1.0 / (prm.n_tokens - 1)
    rho_att = max(rho, lo)
    s2, s11 = attention_moments(rho_att, prm.n_tokens, prm.sigma_attn, method=attention, n_samples=n_samples)
    q_a = prm.sigma_v**2 * (rho_att + (1 - rho_att) * s2)
    p_a = prm.sigma_v**2 * (rho_att + (1 - rho_att) * s11)
    ba2, bm2 = prm.beta_attn**2, prm.beta_mlp**2
    q1 = ba2 * q + prm.alpha_attn**2 * q_a
    p1 = ba2 * p + prm.alpha_attn**2 * p_a
    rho1 = min(max(p1 / q1, -1.0), 1.0)
    q_m = prm.sigma_out**2 * mlp_second_moment(prm.sigma_w, prm.phi)
    p_m = prm.sigma_out**2 * (q_m / prm.sigma_out**2 if rho1 >= 1.0 else mlp_kernel(rho1, prm.sigma_w, prm.phi))
    if prm.sigma_out == 0:
        p_m = 0.0
    q2 = bm2 * q1 + prm.alpha_mlp**2 * q_m
    p2 = bm2 * p1 + prm.alpha_mlp**2 * p_m
    if details:
        return dict(q=q2, p=p2, q_attn_branch=q_a, p_attn_branch=p_a, q1=q1, p1=p1, q_mlp_branch=q_m, p_mlp_branch=p_m)
    return q2, p2


def geometry_map(
    q: float,
    p: float,
    *,
    n_tokens: int,
    alpha_attn: float,
    alpha_mlp: float,
    sigma_attn: float,
    sigma_w: float,
    sigma_v: float = 1.0,
    sigma_out=1.0,
    residual: str = "R2",
    phi: str = "tanh",
    attention: str = "monte_carlo",
    n_samples: int = DEFAULT_ATTENTION_SAMPLES,
    details: bool = False,
):
    r"""One transformer block of the mean-field map \( (q, p) \mapsto (q', p') \).

    \( q = |x_i|^2/d \) is the common squared norm per coordinate and \( p = x_i\cdot x_j/d \)
    (\( i\neq j \)) the common overlap of the permutation-symmetric simplex.

    **Arguments:**

    - `q`, `p`: the current Gram entries (\( q > 0 \), \( |p| \le q \)).
    - `n_tokens`, `alpha_attn`, `alpha_mlp`, `sigma_attn`, `sigma_w`, `sigma_v`, `sigma_out`,
      `residual`, `phi`: the block (see `BlockParams`).
    - `attention`: `"monte_carlo"` (finite \( n \)) or `"large_n"` moments.
    - `n_samples`: Monte-Carlo draws for the attention moments.
    - `details`: return a dict with the intermediate (post-attention) Gram and branch moments.

    **Returns:** `(q', p')`, or the dict when `details`.

    **Raises:** `ValueError` for invalid hyper-parameters or state.
    """
    prm = make_params(
        n_tokens=n_tokens, alpha_attn=alpha_attn, alpha_mlp=alpha_mlp, sigma_attn=sigma_attn, sigma_w=sigma_w,
        sigma_v=sigma_v, sigma_out=sigma_out, residual=residual, phi=phi,
    )  # fmt: skip
    return map_with_params(q, p, prm, attention=attention, n_samples=n_samples, details=details)


def iterate(q0: float, p0: float, n_layers: int, *, attention: str = "monte_carlo",
            n_samples: int = DEFAULT_ATTENTION_SAMPLES, **params) -> dict[str, np.ndarray]:  # fmt: skip
    r"""Iterate `geometry_map` over `n_layers` blocks.

    **Arguments:**

    - `q0`, `p0`: the input Gram entries.
    - `n_layers`: number of blocks \( L \ge 0 \).
    - `attention`, `n_samples`: as `geometry_map`.
    - `**params`: the block's keyword hyper-parameters (as `geometry_map`).

    **Returns:** dict of arrays of length \( L+1 \) (layer 0 = input): `q`, `p`, `rho`.

    **Raises:** `ValueError` naming the argument out of range (`q0 > 0`, `|p0| <= q0`, ...).
    """
    n_layers = check_int("n_layers", n_layers, 0)
    prm = make_params(**params)
    q0 = check_real("q0", q0, 0.0, lo_open=True)
    p0 = check_real("p0", p0, -q0 * (1 + 1e-12), q0 * (1 + 1e-12))
    qs, ps = [float(q0)], [float(p0)]
    for _ in range(n_layers):
        q, p = map_with_params(qs[-1], ps[-1], prm, attention=attention, n_samples=n_samples)
        qs.append(q)
        ps.append(p)
    q_arr, p_arr = np.array(qs), np.array(ps)
    return dict(q=q_arr, p=p_arr, rho=p_arr / q_arr)


def collapsed_norm_fixed_point(prm: BlockParams) -> float:
    r"""The norm \( q^* \) of the collapsed branch (\( \rho = 1 \)) under `"R2"`.

    At collapse the attention branch has \( q_A = \sigma_V^2 \) exactly, so the norm map is
    linear, \( q \mapsto \beta_M^2(\beta_A^2 q + \alpha_A^2\sigma_V^2) + \alpha_M^2\sigma_2^2E\phi^2 \), with fixed point

    \[
    q^* = \frac{\beta_M^2\alpha_A^2\sigma_V^2 + \alpha_M^2\sigma_2^2 E\phi^2}{1-\beta_A^2\beta_M^2}.
    \]

    **Raises:** `ValueError` when there is no fixed point (`"R1"` with a non-zero branch, or
    \( \alpha_A = \alpha_M = 0 \)).
    """
    ba2, bm2 = prm.beta_attn**2, prm.beta_mlp**2
    denom = 1.0 - ba2 * bm2
    if denom <= 0:
        raise ValueError(
            "no collapsed norm fixed point: the residual stream is not contracted "
            f"(residual={prm.residual!r}, alpha_attn={prm.alpha_attn}, alpha_mlp={prm.alpha_mlp}); "
            "under 'R1' q grows linearly with depth"
        )
    num = bm2 * prm.alpha_attn**2 * prm.sigma_v**2 + prm.alpha_mlp**2 * prm.sigma_out**2 * mlp_second_moment(
        prm.sigma_w, prm.phi
    )
    return num / denom


def fixed_points(
    *,
    rho0: float = 0.99,
    max_layers: int = 2000,
    tol: float = 1e-11,
    attention: str = "monte_carlo",
    n_samples: int = DEFAULT_ATTENTION_SAMPLES,
    **params,
) -> dict[str, float]:
    r"""Fixed points of the map under `"R2"`: the collapsed line and, if reached, the simplex.

    Iterates the map from \( (q^*, \rho_0 q^*) \) until it stops moving, then polishes the
    non-collapsed point with a root solve of \( F(q, \rho) = (q, \rho) \).

    **Arguments:**

    - `rho0`: starting cosine, in \( [-1/(n-1), 1] \) (near 1 probes the stability of collapse).
    - `max_layers`, `tol`: iteration budget (an integer >= 1) and convergence tolerance on
      \( (q, \rho) \) (> 0).
    - `attention`, `n_samples`: as `geometry_map`.
    - `**params`: the block's hyper-parameters (`residual` must be `"R2"`).

    **Returns:** dict with `q_collapsed` (\( q^* \) at \( \rho = 1 \)), `q_star`, `rho_star`
    (the attracting point reached; `rho_star` = 1 in the ordered phase), `collapsed` (bool as
    float), `layers` (iterations used; `layers == max_layers` when the iteration did not
    settle, and then the point is the last iterate).

    **Raises:** `ValueError` naming the argument out of range.
    """
    prm = make_params(**params)
    if prm.residual != "R2":
        raise ValueError("fixed points exist only under residual='R2' (under 'R1' q grows without bound)")
    rho0 = check_real("rho0", rho0, -1.0 / (prm.n_tokens - 1), 1.0)
    max_layers = check_int("max_layers", max_layers, 1)
    tol = check_real("tol", tol, 0.0, lo_open=True)
    qc = collapsed_norm_fixed_point(prm)
    q, p = qc, rho0 * qc
    layers = 0
    for layers in range(1, max_layers + 1):
        q_new, p_new = map_with_params(q, p, prm, attention=attention, n_samples=n_samples)
        dq, drho = abs(q_new - q), abs(p_new / q_new - p / q)
        q, p = q_new, p_new
        if dq < tol and drho < tol:
            break
    rho = p / q
    collapsed = 1 - rho < 1e-6
    if not collapsed:

        def resid(v):
            qn, pn = map_with_params(v[0], v[0] * v[1], prm, attention=attention, n_samples=n_samples)
            return [qn - v[0], pn / qn - v[1]]

        try:
            sol = optimize.fsolve(resid, [q, rho], xtol=1e-13, full_output=True)
        except ValueError:  # the solver stepped outside the state space (|p| > q): keep the iterate
            sol = (None, None, 0)
        if sol[2] == 1 and 0 < sol[0][1] < 1:
            q, rho = float(sol[0][0]), float(sol[0][1])
    return dict(q_collapsed=qc, q_star=float(q), rho_star=float(rho) if not collapsed else 1.0,
                collapsed=float(collapsed), layers=float(layers))  # fmt: skip
