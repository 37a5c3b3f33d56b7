r"""Hyper-parameters of one transformer block and their validation.

The block (working model of the brief, part A.4; the paper's own text could not be read):

\[
y_i = \beta_A x_i + \alpha_A W_V \sum_j A_{ij} N(x_j),\qquad
z_i = \beta_M y_i + \alpha_M W_2\,\phi\big(W_1 N(y_i)\big),
\]

with \( N(x) = \sqrt{d}\,x/\|x\| \), \( A_{ij} = \mathrm{softmax}_j\big((W_Q N(x_i))\cdot(W_K N(x_j))/\sqrt d\big) \),
\( W_Q, W_K \sim \mathcal N(0, \sigma_A/d) \) entrywise (so each logit has variance \( \sigma_A^2 \)),
\( W_V \sim \mathcal N(0,\sigma_V^2/d) \), \( W_1 \sim \mathcal N(0,\sigma_w^2/d) \),
\( W_2 \sim \mathcal N(0,\sigma_2^2/d_{\mathrm{mlp}}) \). Residual conventions:
`"R2"` (norm preserving, \( \beta = \sqrt{1-\alpha^2} \); default) and `"R1"` (\( \beta = 1 \)).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

from ._validate import check_int

__all__ = ["BlockParams", "make_params", "RESIDUALS", "PHIS"]

RESIDUALS = ("R2", "R1")
PHIS = ("tanh", "erf", "relu")


@dataclasses.dataclass(frozen=True)
class BlockParams:
    r"""Validated hyper-parameters of one block (see the module docstring for the model).

    **Arguments:**

    - `n_tokens`: number of tokens \( n \ge 2 \).
    - `alpha_attn`, `alpha_mlp`: residual branch strengths \( \alpha_A, \alpha_M \in [0, 1] \)
      (any \( \ge 0 \) under `"R1"`).
    - `sigma_attn`: \( \sigma_A \ge 0 \), the standard deviation of one attention logit.
    - `sigma_w`: \( \sigma_w > 0 \), the first MLP layer's weight scale.
    - `sigma_v`: \( \sigma_V \), the value matrix's weight scale (default 1).
    - `sigma_out`: \( \sigma_2 \), the MLP read-out scale (default 1); the string `"sigma_w"`
      ties it to \( \sigma_w \) (the other convention found in re-implementations).
    - `residual`: `"R2"` or `"R1"`.
    - `phi`: `"tanh"`, `"erf"` or `"relu"`.
    """

    n_tokens: int
    alpha_attn: float
    alpha_mlp: float
    sigma_attn: float
    sigma_w: float
    sigma_v: float = 1.0
    sigma_out: float = 1.0
    residual: str = "R2"
    phi: str = "tanh"

    @property
    def beta_attn(self) -> float:
        r"""\( \beta_A \): the stream coefficient of the attention residual."""
        return math.sqrt(1.0 - self.alpha_attn**2) if self.residual == "R2" else 1.0

    @property
    def beta_mlp(self) -> float:
        r"""\( \beta_M \): the stream coefficient of the MLP residual."""
        return math.sqrt(1.0 - self.alpha_mlp**2) if self.residual == "R2" else 1.0

    def replace(self, **kw) -> "BlockParams":
        return make_params(**{**dataclasses.asdict(self), **kw})


def make_params(
    *,
    n_tokens: int,
    alpha_attn: float,
    alpha_mlp: float,
    sigma_attn: float,
    sigma_w: float,
    sigma_v: float = 1.0,
    sigma_out: float | Literal["sigma_w"] = 1.0,
    residual: str = "R2",
    phi: str = "tanh",
) -> BlockParams:
    """Validate keyword hyper-parameters and return a `BlockParams`.

    **Raises:**

    - `ValueError` naming the offending argument.
    """
    n_tokens = check_int("n_tokens", n_tokens, 2)
    if residual not in RESIDUALS:
        raise ValueError(f"residual must be one of {RESIDUALS}, got {residual!r}")
    if phi not in PHIS:
        raise ValueError(f"phi must be one of {PHIS}, got {phi!r}")
    for name, val in (("alpha_attn", alpha_attn), ("alpha_mlp", alpha_mlp)):
        if not (math.isfinite(val) and val >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {val!r}")
        if residual == "R2" and val > 1:
            raise ValueError(f"{name} must be <= 1 under residual='R2', got {val!r}")
    if not (math.isfinite(sigma_attn) and sigma_attn >= 0):
        raise ValueError(f"sigma_attn must be >= 0, got {sigma_attn!r}")
    if not (math.isfinite(sigma_w) and sigma_w > 0):
        raise ValueError(f"sigma_w must be > 0, got {sigma_w!r}")
    if not (math.isfinite(sigma_v) and sigma_v >= 0):
        raise ValueError(f"sigma_v must be >= 0, got {sigma_v!r}")
    if isinstance(sigma_out, str):
        if sigma_out != "sigma_w":
            raise ValueError(f"sigma_out must be a number or 'sigma_w', got {sigma_out!r}")
        sigma_out = sigma_w
    if not (math.isfinite(sigma_out) and sigma_out >= 0):
        raise ValueError(f"sigma_out must be >= 0, got {sigma_out!r}")
    return BlockParams(
        n_tokens=int(n_tokens),
        alpha_attn=float(alpha_attn),
        alpha_mlp=float(alpha_mlp),
        sigma_attn=float(sigma_attn),
        sigma_w=float(sigma_w),
        sigma_v=float(sigma_v),
        sigma_out=float(sigma_out),
        residual=residual,
        phi=phi,
    )
