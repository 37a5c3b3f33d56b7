r"""Exact lazy and rich learning dynamics of Kunin et al. (NeurIPS 2024), "Get rich quick".

Closed forms for the two-layer linear network with one hidden neuron \( f(x) = a\,w^\top x \) and
its extensions, each built from a sympy derivation kept in `theory.lazy_rich._symbolic` and returned
by `derivations`:

- the conserved quantity \( \delta = \eta_w a^2 - \eta_a\|w\|^2 \) and the NTK \( M(\beta) \);
- the exact whitened trajectory for every \( \delta \) and learning rates, the reduced \( (\mu, \phi) \)
  system, the Riccati and balanced forms, the \( \delta\to\pm\infty \) limits, the kernel distance;
- low-rank inputs: the mirror potential \( \Phi_\delta \) and the implicit bias;
- multiple outputs (hyperbolic entropy), deep linear conserved matrices, ReLU per-neuron \( \delta_k \).

Conventions: loss \( \tfrac12\|X\beta - y\|^2 \) (no \( 1/n \)), layer learning rates \( \eta_a \) (readout)
and \( \eta_w \) (first layer), \( \beta^* = X^\top y \) for whitened inputs \( X^\top X = I \).
"""

from theory.lazy_rich._bias import implicit_bias, mirror_inverse, potential, potential_grad
from theory.lazy_rich._deep_potential import deep_implicit_bias, deep_potential, deep_potential_grad
from theory.lazy_rich._extensions import (
    conserved_matrices,
    delta_balanced_factors,
    hyperbolic_entropy,
    hyperbolic_entropy_grad,
    relu_deltas,
    relu_scales,
    singular_value_trajectory,
)
from theory.lazy_rich._single_neuron import (
    balanced_trajectory,
    conserved_delta,
    kernel_distance,
    limit_trajectory,
    ntk_coefficients,
    ntk_kernel_distance,
    ntk_matrix,
    readout_zero_time,
    reduced_rhs,
    reduced_variables,
    regime,
    riccati_zeta,
    single_neuron_kernel_distance,
    whitened_trajectory,
)
from theory.lazy_rich._symbolic import derivations

__all__ = [
    "balanced_trajectory",
    "conserved_delta",
    "conserved_matrices",
    "delta_balanced_factors",
    "deep_implicit_bias",  # the deep-linear potential Phi_L
    "deep_potential",
    "deep_potential_grad",
    "derivations",
    "hyperbolic_entropy",
    "hyperbolic_entropy_grad",
    "implicit_bias",
    "kernel_distance",
    "limit_trajectory",
    "mirror_inverse",
    "ntk_coefficients",
    "ntk_kernel_distance",
    "ntk_matrix",
    "potential",
    "potential_grad",
    "readout_zero_time",
    "reduced_rhs",
    "reduced_variables",
    "regime",
    "relu_deltas",
    "relu_scales",
    "riccati_zeta",
    "single_neuron_kernel_distance",
    "singular_value_trajectory",
    "whitened_trajectory",
]
