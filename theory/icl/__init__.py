r"""In-context linear regression: the two Bayes estimators of Raventós et al. (2023).

Tasks are latent vectors \( w \in \mathbb{R}^D \); a sequence draws \( K \) pairs
\( x_k \sim \mathcal{N}(0, I_D) \), \( y_k = w^\top x_k + \varepsilon_k \),
\( \varepsilon_k \sim \mathcal{N}(0, \sigma^2) \). At position \( k \) the predictor sees the
\( k-1 \) earlier pairs and \( x_k \).

- **Ridge** is the posterior mean under the Gaussian prior \( \mathcal{T}_\mathrm{True} =
  \mathcal{N}(0, \tau^2 I_D) \): \( \hat w = (X^\top X + \lambda I)^{-1} X^\top y \) with
  \( \lambda = \sigma^2/\tau^2 \).
- **dMMSE** is the posterior mean under the discrete prior \( \mathcal{T}_\mathrm{Pretrain} =
  \mathrm{Unif}\{w^{(1)}, \dots, w^{(M)}\} \): a softmax of the summed squared residuals at
  temperature \( 2\sigma^2 \).

Both are derived in sympy below (`derivations()`); the numeric functions implement the
derived results in float64 numpy. Bayes risks: `ridge_bayes_mse` (closed form at \( n = 0 \),
one- or two-dimensional quadrature over Wishart eigenvalues when \( \min(n, D) \le 2 \),
Monte Carlo with its standard error otherwise; `method` says which), the inverse-Wishart
closed form `ols_bayes_mse` (exact for the ridgeless estimator, an upper bound for ridge),
and Monte-Carlo dMMSE and ridge risks on both task distributions
(`dmmse_bayes_risk`, `ridge_risk_on_pool`), with standard errors.

Every function raises `ValueError` naming the argument on out-of-domain input (NaN or inf in
`X`, `y` or `tasks`, non-positive variances, counts below their minimum). The implementation
lives in private modules: `_estimators` (ridge, dMMSE, Gaussian posterior), `_risk` (Bayes
risks), `_tasks` (sequence sampling, interpolation path), `_symbolic` (derivations) and
`_checks` (argument checks).
"""

from theory.icl._estimators import dmmse_posterior_weights, dmmse_predict, gaussian_posterior, ridge_predict
from theory.icl._risk import (
    BayesRisk,
    dmmse_bayes_risk,
    ols_bayes_mse,
    ridge_bayes_mse,
    ridge_bayes_mse_curve,
    ridge_mse_bounds,
    ridge_risk_on_pool,
)
from theory.icl._symbolic import derivations
from theory.icl._tasks import interpolation_path, sample_sequences

__all__ = [
    "ridge_predict",
    "dmmse_predict",
    "dmmse_posterior_weights",
    "gaussian_posterior",
    "BayesRisk",
    "ridge_bayes_mse",
    "ridge_bayes_mse_curve",
    "ols_bayes_mse",
    "ridge_mse_bounds",
    "dmmse_bayes_risk",
    "ridge_risk_on_pool",
    "interpolation_path",
    "sample_sequences",
    "derivations",
]
