"""Numerics for stochastic collapse (Chen et al. 2023): SGF of the toy models with diffrax,
discrete SGD in JAX, Lyapunov exponents normal to invariant sets estimated from paths, and
torch training of small networks with the paper's independent-neuron metric (on the
digits of `numerics._data.digits_random_split`), and the full two-layer linear teacher–student
network under minibatch SGD (`train_linear_networks`, batched over batch sizes).

Importing changes no global state; the JAX solvers need float64 (`theory.enable_x64()`).
"""

from numerics.stochastic_collapse._sde import (
    neuron_diffusion,
    neuron_drift,
    neuron_sde_lyapunov,
    neuron_sde_paths,
    normal_lyapunov_exponents,
    quartic_diffusion,
    quartic_drift,
    quartic_lyapunov,
    quartic_paths,
    solve_sde_paths,
)
from numerics.stochastic_collapse._sgd import (
    diagonal_teacher_student_problem,
    mode_test_mse,
    sgd_modes,
    sgd_neuron_lyapunov,
    sgd_neuron_runs,
    single_neuron_data,
)
from numerics.stochastic_collapse._linear import mode_aligned_teacher_student_data, train_linear_networks
from numerics.stochastic_collapse._toy import permutation_toy_data, permutation_toy_runs
from numerics.stochastic_collapse._ensemble import member_seeds, train_mlp_ensemble
from numerics.stochastic_collapse._networks import (
    DigitsConfig,
    independent_neuron_fraction,
    invariance_run,
    train_digits,
)

__all__ = [
    "DigitsConfig",
    "diagonal_teacher_student_problem",
    "independent_neuron_fraction",
    "invariance_run",
    "member_seeds",
    "mode_aligned_teacher_student_data",
    "mode_test_mse",
    "neuron_diffusion",
    "neuron_drift",
    "neuron_sde_lyapunov",
    "neuron_sde_paths",
    "normal_lyapunov_exponents",
    "permutation_toy_data",
    "permutation_toy_runs",
    "quartic_diffusion",
    "quartic_drift",
    "quartic_lyapunov",
    "quartic_paths",
    "sgd_modes",
    "sgd_neuron_lyapunov",
    "sgd_neuron_runs",
    "single_neuron_data",
    "solve_sde_paths",
    "train_digits",
    "train_linear_networks",
    "train_mlp_ensemble",
]
