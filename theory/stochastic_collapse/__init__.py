"""Stochastic collapse (Chen, Kunin, Yamamura, Ganguli, NeurIPS 2023; arXiv:2306.04251).

Closed forms for the paper's invariant sets and its attractivity condition:

- `invariant_sets` / `check_invariance`: the sign (vanishing-neuron) and permutation
  (identical-neuron) invariant sets of a two-layer network, listed and checked
  symbolically with sympy.
- `quartic_*`: the quartic well \\( L = \\theta^4/4 - \\mu\\theta^2/2 \\) with multiplicative
  noise (paper §4, Fig. 1): the origin is a local maximum that becomes attractive when
  \\( \\zeta^2/2 > \\mu \\).
- `neuron_*`: the single tanh neuron with label noise (paper Fig. 2): the origin is a
  saddle that becomes attractive when \\( \\eta\\zeta^2\\sigma'(0)/2 > \\sum x y / \\sum x^2 \\).
- `sgd_neuron_*`: the same neuron under discrete SGD, where the exact criterion is the
  sign of a per-step Lyapunov exponent (our extension of the paper's SDE analysis).
- `mode_*` / `teacher_student_*`: the diagonal linear teacher–student model, in which SGD
  noise soft-thresholds singular values at \\( \\eta\\sigma^2/2 \\); `mode_batch_noise` and
  `mode_stationary_moments` give the same law for the full two-layer network under minibatch
  noise, whose \\( \\sigma \\) depends on the mode's value.
- `permutation_normal_exponent`: the two-GELU-neuron toy of the official code, whose
  permutation set attracts where the exponent of the linearised normal SGD map is < 0.
- `derivations()`: the sympy derivations behind all of the above.
"""

from theory.stochastic_collapse._invariance import (
    InvariantSet,
    TwoLayerNet,
    check_invariance,
    invariant_sets,
    normal_gradient,
)
from theory.stochastic_collapse._toys import (
    attractivity_1d,
    expected_log_abs_normal,
    neuron_exponents,
    neuron_threshold_eta,
    quartic_alpha,
    quartic_lyapunov_exponent,
    quartic_lyapunov_exponent_em,
    quartic_stationary_density,
    quartic_stationary_mass,
    quartic_threshold,
    sgd_neuron_exponent,
    sgd_neuron_threshold,
    sgd_neuron_threshold_small_eta,
)
from theory.stochastic_collapse._teacher_student import (
    mode_batch_noise,
    mode_collapse_fraction,
    mode_stationary_mean,
    mode_stationary_moments,
    mode_stationary_variance,
    mode_threshold,
    teacher_student_surviving_modes,
    teacher_student_test_mse,
    two_phase_test_mse,
)
from theory.stochastic_collapse._derivations import derivations
from theory.stochastic_collapse._permutation import permutation_normal_exponent

__all__ = [
    "InvariantSet",
    "TwoLayerNet",
    "attractivity_1d",
    "check_invariance",
    "derivations",
    "expected_log_abs_normal",
    "invariant_sets",
    "mode_batch_noise",
    "mode_collapse_fraction",
    "mode_stationary_mean",
    "mode_stationary_moments",
    "mode_stationary_variance",
    "mode_threshold",
    "neuron_exponents",
    "neuron_threshold_eta",
    "normal_gradient",
    "permutation_normal_exponent",
    "quartic_alpha",
    "quartic_lyapunov_exponent",
    "quartic_lyapunov_exponent_em",
    "quartic_stationary_density",
    "quartic_stationary_mass",
    "quartic_threshold",
    "sgd_neuron_exponent",
    "sgd_neuron_threshold",
    "sgd_neuron_threshold_small_eta",
    "teacher_student_surviving_modes",
    "teacher_student_test_mse",
    "two_phase_test_mse",
]
