r"""Gradient flow past separability, integrated with diffrax to \( t = e^{10^4} \) and beyond.

Gradient flow \( \dot\theta = -\nabla L(\theta) \) on the exponential loss \( L = \sum_n e^{-q_n} \)
(or the logistic loss \( \sum_n \log(1 + e^{-q_n}) \)) slows down like \( 1/t \) once the data are
separated, and directions converge like \( 1/\log t \). We integrate the same orbit in the
speed-adapted loss time

\[
\frac{d\theta}{d\tau} = -\rho(\ell)\, \nabla \log L(\theta), \qquad
\rho(\ell) = (1 + \ell_+)^{-\kappa}, \quad \kappa = 2(1 - \lambda_{\max}),
\]

with \( \ell = \log(1/L) \) and \( \ell_+ = \mathrm{softplus}(\ell) \), which keeps \( \ell \) growing
about linearly in \( \tau \); real time is carried as the state \( v = \log(1 + t) \) with
\( dv/d\tau = \rho\, e^{\ell - v} \). The margins become stiff (relaxation rate \( \sim \ell \) per
unit \( \tau \)), so the solver is Kvaerno5 with a Newton root finder and a PID controller; the run
stops exactly at \( \ell = \ell_{\max} \) (event with root finding). Models are either padded
polynomial problems (one compilation serves every affine example of the brief, batched over models,
datasets and initialisations with `vmap`) or any JAX log-loss, e.g. the normalised
unconstrained-features model of neural collapse.

The integrator and `make_problem` need JAX in float64: call `theory.enable_x64()` first (the CLI
and the tests do); importing this package changes no JAX setting.
"""

from numerics.max_margin._collapse import (
    NCProblem as NCProblem,
    collapse_metrics as collapse_metrics,
    nc_log_loss as nc_log_loss,
    nc_problem as nc_problem,
    nc_unpack as nc_unpack,
)
from numerics.max_margin._fit import fit_power_law as fit_power_law
from numerics.max_margin._flow import FlowSolution as FlowSolution, integrate_gradient_flow as integrate_gradient_flow
from numerics.max_margin._losses import (
    LOSSES as LOSSES,
    log_exponential_loss as log_exponential_loss,
    log_logistic_loss as log_logistic_loss,
)
from numerics.max_margin._polynomial import (
    FlowProblem as FlowProblem,
    make_problem as make_problem,
    polynomial_log_loss as polynomial_log_loss,
    polynomial_margins as polynomial_margins,
    polynomial_outputs as polynomial_outputs,
    stack_problems as stack_problems,
)

__all__ = [
    "LOSSES",
    "FlowProblem",
    "make_problem",
    "stack_problems",
    "polynomial_outputs",
    "polynomial_margins",
    "polynomial_log_loss",
    "log_exponential_loss",
    "log_logistic_loss",
    "FlowSolution",
    "integrate_gradient_flow",
    "NCProblem",
    "nc_problem",
    "nc_log_loss",
    "nc_unpack",
    "collapse_metrics",
    "fit_power_law",
]
