r"""Kunin, Yamamura, Ma, Ganguli (ICLR 2023): the asymmetric maximum-margin bias of quasi-homogeneous networks.

- `detect_rates`: find \( \Lambda \) for a sympy model (or report that none exists).
- Ready-made models (`affine_linear` ... `layernorm_network`) and the toy datasets `EXAMPLE_A1..A3`.
- The asymmetric norm, normalisation along characteristic curves, the problem \( (P_\Lambda) \):
  exact in function space for the affine examples (`affine_max_margin`), numerical for any small model
  (`solve_max_margin`, `kkt_residuals`).
- Neural-collapse predictions of \( (P_\Lambda) \) for normalised networks (`predicted_collapse`, ...).
- `derivations()`: the sympy derivations rendered into the docs.

The functions that evaluate models numerically (`MarginProblem`, `kkt_residuals`,
`solve_max_margin`, `Model.numpy_functions`, numeric rate detection) need JAX in float64:
call `theory.enable_x64()` first (the CLI and the tests do).
"""

from theory.max_margin._collapse import (
    LayerPeeledSolution as LayerPeeledSolution,
    etf_cosine as etf_cosine,
    layer_peeled_normalised_margin as layer_peeled_normalised_margin,
    layer_peeled_value as layer_peeled_value,
    predicted_collapse as predicted_collapse,
    simplex_etf as simplex_etf,
    solve_layer_peeled as solve_layer_peeled,
)
from theory.max_margin._derivations import derivations as derivations
from theory.max_margin._kkt import (
    AffineMaxMargin as AffineMaxMargin,
    KKTResiduals as KKTResiduals,
    KKTSolution as KKTSolution,
    MarginProblem as MarginProblem,
    affine_max_margin as affine_max_margin,
    asymmetric_norm as asymmetric_norm,
    balanced_parameters as balanced_parameters,
    characteristic_flow as characteristic_flow,
    geometric_margin as geometric_margin,
    kkt_residuals as kkt_residuals,
    lambda_seminorm as lambda_seminorm,
    normalise_along_characteristic as normalise_along_characteristic,
    smoothed_margin as smoothed_margin,
    smoothed_margin_limit as smoothed_margin_limit,
    solve_max_margin as solve_max_margin,
)
from theory.max_margin._models import (
    EXAMPLE_A1 as EXAMPLE_A1,
    EXAMPLE_A2 as EXAMPLE_A2,
    EXAMPLE_A3 as EXAMPLE_A3,
    Dataset as Dataset,
    Model as Model,
    affine_factored_slope as affine_factored_slope,
    affine_homogeneous_factored as affine_homogeneous_factored,
    affine_linear as affine_linear,
    affine_product_bias as affine_product_bias,
    bias_mlp as bias_mlp,
    cube_bias_1d as cube_bias_1d,
    layernorm_network as layernorm_network,
    linear_1d as linear_1d,
    normalised_network as normalised_network,
    paper_models as paper_models,
    residual_network as residual_network,
    square_slope_1d as square_slope_1d,
)
from theory.max_margin._rates import (
    QuasiHomogeneity as QuasiHomogeneity,
    detect_rates as detect_rates,
    euler_residual as euler_residual,
    verify_rates as verify_rates,
)

__all__ = [
    "LayerPeeledSolution",
    "etf_cosine",
    "layer_peeled_normalised_margin",
    "layer_peeled_value",
    "predicted_collapse",
    "simplex_etf",
    "solve_layer_peeled",
    "derivations",
    "AffineMaxMargin",
    "KKTResiduals",
    "KKTSolution",
    "MarginProblem",
    "affine_max_margin",
    "asymmetric_norm",
    "balanced_parameters",
    "characteristic_flow",
    "geometric_margin",
    "kkt_residuals",
    "lambda_seminorm",
    "normalise_along_characteristic",
    "smoothed_margin",
    "smoothed_margin_limit",
    "solve_max_margin",
    "EXAMPLE_A1",
    "EXAMPLE_A2",
    "EXAMPLE_A3",
    "Dataset",
    "Model",
    "affine_factored_slope",
    "affine_homogeneous_factored",
    "affine_linear",
    "affine_product_bias",
    "bias_mlp",
    "cube_bias_1d",
    "layernorm_network",
    "linear_1d",
    "normalised_network",
    "paper_models",
    "residual_network",
    "square_slope_1d",
    "QuasiHomogeneity",
    "detect_rates",
    "euler_residual",
    "verify_rates",
]
