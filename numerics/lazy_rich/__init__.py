r"""Gradient flows and gradient descent for the networks of Kunin et al. (2024), "Get rich quick".

Every flow is integrated with diffrax in float64 (Dopri8 with a PID step-size controller) and saved
at the requested times. Conventions follow `theory.lazy_rich`: linear networks use the loss
\( \tfrac12\|X\beta - y\|^2 \); the two-layer ReLU teacher-student uses the official code's mean-squared
error \( \frac1n\sum_i (f(x_i) - y_i)^2 \).

- `gradient_flow`: one hidden neuron, any \( X \), batched over initialisations with `vmap`.
- `beta_flow`: the same flow written in function space, \( \dot\beta = -M(\beta)X^\top(X\beta - y) \).
- `single_neuron_gd`, `deep_linear_flow`, `deep_linear_gd`: wide, multi-output and deep linear nets.
- `relu_flow`, `relu_gd`, `relu_ntk`, `symmetric_relu_init`, `teacher_student`: two-layer ReLU nets.

The JAX functions compute in float64 and say so: they raise `RuntimeError` unless JAX's float64 is
on (`theory.enable_x64()`; the command line, the harness and the tests switch it on). Importing this
package changes no global JAX setting.
"""

from numerics.lazy_rich._deep_linear import deep_linear_flow, deep_linear_gd
from numerics.lazy_rich._relu import relu_features, relu_flow, relu_gd, relu_ntk, symmetric_relu_init, teacher_student
from numerics.lazy_rich._single_neuron import beta_flow, gradient_flow, single_neuron_gd
from numerics.lazy_rich._rhm import rhm_all_inputs, rhm_rules, rhm_sample  # issue 18

__all__ = [
    "gradient_flow",
    "beta_flow",
    "single_neuron_gd",
    "deep_linear_flow",
    "deep_linear_gd",
    "relu_flow",
    "relu_gd",
    "relu_ntk",
    "relu_features",
    "symmetric_relu_init",
    "teacher_student",
    "rhm_rules",  # the Random Hierarchy Model
    "rhm_sample",
    "rhm_all_inputs",
]
