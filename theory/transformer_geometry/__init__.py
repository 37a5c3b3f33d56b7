r"""Transformer signal propagation (Cowsik, Nebabu, Qi, Ganguli 2024, arXiv 2403.02579).

Mean-field theory of the token geometry in a deep random transformer: the update map of the
permutation-symmetric simplex \( (q, p) \), its fixed points (collapse to a line; the regular
simplex), the angle exponent \( \lambda_a \), the gradient exponent \( \lambda_g \) and the
order-chaos / vanishing-exploding phase diagram.

The paper's own equations could not be retrieved (brief part A.0); the theory here is the
brief's derived mean-field model, checked against simulated random transformers in
`verify.transformer_geometry`. Conventions: see `docs/papers/transformer_geometry.md`.
"""

from __future__ import annotations

from ._attention import attention_moments, attention_moments_large_n
from ._derivations import derivations
from ._exponents import (
    PLANE_NAMES,
    angle_exponent,
    angle_exponent_small_alpha,
    angle_multiplier,
    block_gains,
    critical_value,
    gradient_exponent,
    gradient_log_growth,
    phase_diagram,
)
from ._kernels import mlp_gain, mlp_kernel, mlp_second_moment
from ._map import collapsed_norm_fixed_point, fixed_points, geometry_map, iterate, map_with_params
from ._params import BlockParams, make_params
from ._validate import SIGMA_W_MAX

__all__ = [
    "BlockParams",
    "make_params",
    "geometry_map",
    "map_with_params",
    "iterate",
    "fixed_points",
    "collapsed_norm_fixed_point",
    "attention_moments",
    "attention_moments_large_n",
    "mlp_kernel",
    "mlp_second_moment",
    "mlp_gain",
    "angle_multiplier",
    "angle_exponent",
    "angle_exponent_small_alpha",
    "block_gains",
    "gradient_exponent",
    "gradient_log_growth",
    "critical_value",
    "phase_diagram",
    "PLANE_NAMES",
    "SIGMA_W_MAX",
    "derivations",
]

