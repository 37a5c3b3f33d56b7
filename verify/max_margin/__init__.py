"""Claims of Kunin, Yamamura, Ma, Ganguli (ICLR 2023): the asymmetric max-margin bias.

Theory side: `theory.max_margin` (exact (P_Lambda) solutions in function space, the rates, SLSQP for
the homogeneous Lyu-Li problem, the layer-peeled neural-collapse optimum). Practice side: gradient
flow integrated with diffrax (`numerics.max_margin`) to ell = log(1/L) = 1e4, i.e. t ~ 10^4343,
one batched call for every toy example (`_experiments.run_examples`); torch training of a
feature-normalised MLP on scikit-learn digits for neural collapse.

The brief's examples A-1..A-3 are *our* toy data (the paper's figures could not be retrieved), so no
paper numbers are quoted; the paper's statements are qualitative (abstract, introduction).

Kinds: 15 claims are predictions (theory against the integrated flow or a trained network);
`identities`, `rate_detection` and `nc_layer_peeled` are consistency checks (two theory routes:
the definition against the model's float64 evaluation, hand-derived rates against the detector,
the ETF closed form against an SLSQP solve of the same problem).

Layout: `_definitions.py` (identities, rates), `_convergence.py` (convergence to (P_Lambda)),
`_margins.py` (smoothed margin, conservation), `_asymmetry.py` (asymmetric vs Euclidean),
`_neural_collapse.py`, shared runs in `_experiments.py`, configs in `_profiles.py`, figures in
`_figures.py`.
"""

from __future__ import annotations

from verify.core.claims import Claim
from verify.max_margin._asymmetry import (
    differs_practice,
    differs_theory,
    discard_practice,
    discard_theory,
    not_euclidean_practice,
    not_euclidean_theory,
    robustness_practice,
    robustness_theory,
)
from verify.max_margin._convergence import (
    a1_practice,
    a1_theory,
    a3_practice,
    a3_theory,
    homogeneous_practice,
    homogeneous_theory,
    kkt_residual_practice,
    kkt_residual_theory,
    logistic_practice,
    logistic_theory,
    multipliers_practice,
    multipliers_theory,
)
from verify.max_margin._definitions import identities_practice, identities_theory, rates_practice, rates_theory
from verify.max_margin._figures import (
    a3_figure,
    digits_trend_figure,
    discard_figure,
    gamma_limit_figure,
    kkt_residual_figure,
)
from verify.max_margin._margins import (
    conservation_practice,
    conservation_theory,
    gamma_limit_practice,
    gamma_limit_theory,
    monotone_practice,
    monotone_theory,
)
from verify.max_margin._neural_collapse import (
    digits_trend_practice,
    digits_trend_theory,
    layer_peeled_practice,
    layer_peeled_theory,
    nc_flow_practice,
    nc_flow_theory,
)
from verify.max_margin._profiles import (
    A3_TOLERANCE,
    DIGITS,
    EXAMPLES,
    IDENTITIES,
    LAYER_PEELED,
    NC_FLOW,
    RATES,
)

CLAIMS = [
    Claim(
        id="max_margin.identities",
        statement="Quasi-homogeneous models satisfy f(e^{aL} theta) = e^a f(theta), the Euler identity "
                  "<L theta, grad f> = f and grad f(e^{aL} theta) = e^a e^{-aL} grad f(theta) (toys, ReLU MLP with "
                  "biases, residual block, feature-normalised and LayerNorm networks).",
        theory=identities_theory, practice=identities_practice, compare="abs", tolerance=1e-10,
        tolerance_reason="float64 evaluation with |alpha| <= 3 (factors e^{+-3}) of sums of <= 20 terms: ~1e-13 rounding",
        profiles=IDENTITIES, aggregate="worst", tags=("definitions",), kind="consistency",
    ),
    Claim(
        id="max_margin.rate_detection",
        statement="Lambda is read off the architecture: rates 1 for biases/weights of the linear model, 1/2 for "
                  "factored parameters, l/L for biases of layer l, 0 before a normalisation layer; models with a "
                  "parameter-free term, incompatible degrees or non-homogeneous activations have none.",
        theory=rates_theory, practice=rates_practice, compare="abs", tolerance=1e-12,
        tolerance_reason="exact rationals (polynomial path) or 50-digit verified rationalisation (numeric path)",
        profiles=RATES, tags=("definitions",), kind="consistency",
    ),
    Claim(
        id="max_margin.kkt_convergence_a3",
        statement="Gradient flow's margin-normalised predictor (u, c)/q_min converges to the KKT point of "
                  "(P_Lambda): min of the max-rate parameters' norm s.t. margins >= 1 (example A-3, three "
                  "parameterisations of u.x + c: w.x + c, w.x + b1 b2, a(v.x) + c).",
        theory=a3_theory, practice=a3_practice, compare="abs", tolerance=2e-3, tolerance_reason=A3_TOLERANCE,
        profiles=EXAMPLES, figure=a3_figure, tags=("convergence",), kind="prediction",
    ),
    Claim(
        id="max_margin.kkt_residual",
        statement="The approximate-KKT residual of (P_Lambda) at the normalised gradient-flow point tends to 0 "
                  "(A-3: M1, M2, M3 and the degree-2 homogeneous H3); decay exponents vs ell reported.",
        theory=kkt_residual_theory, practice=kkt_residual_practice, compare="at_most", tolerance=2e-3,
        tolerance_reason="the residual is O(log N / ell) (exponential-loss weights e^{-q_n} on the non-active points); "
                         "<= 2e-3 at ell_max = 1e4 for log N = 1.6",
        profiles=EXAMPLES, figure=kkt_residual_figure, tags=("convergence",), kind="prediction",
    ),
    Claim(
        id="max_margin.kkt_multipliers",
        statement="At the limit of a(v.x) + c on A-3 the (P_Lambda) multipliers are mu = (0, 0, 5/3, 5/9, 5/9), "
                  "supported on three active points.",
        theory=multipliers_theory, practice=multipliers_practice, compare="abs", tolerance=1e-2,
        tolerance_reason="NNLS multipliers amplify the O(1/ell) = 1e-4 point error by the conditioning of the "
                         "active gradients (< 100)",
        profiles=EXAMPLES, tags=("convergence",), kind="prediction",
    ),
    Claim(
        id="max_margin.not_euclidean_kkt",
        statement="The limits of w.x + b1 b2 and a(v.x) + c are not KKT points of the Euclidean (all-parameter) "
                  "max-margin problem: its residual stays at the value it has at the exact asymmetric solution.",
        theory=not_euclidean_theory, practice=not_euclidean_practice, compare="abs", tolerance=1e-2,
        tolerance_reason="residual is Lipschitz in the normalised point, whose error is O(1/ell) = 1e-4 at ell = 1e4",
        profiles=EXAMPLES, tags=("asymmetry",), kind="prediction",
    ),
    Claim(
        id="max_margin.smoothed_margin_limit",
        statement="The smoothed margin log(1/L)/|theta|_Lambda^{1/lambda_max} converges to the optimum of "
                  "(P_Lambda): 1/sqrt5, sqrt17/4, 3/5 for M1, M2, M3 on A-3.",
        theory=gamma_limit_theory, practice=gamma_limit_practice, compare="abs", tolerance=2e-3,
        tolerance_reason="ell - q_min <= log N gives a relative gap <= 1.6/ell = 1.6e-4, plus the O(1/ell) predictor "
                         "error; 2e-3 at ell = 1e4",
        profiles=EXAMPLES, figure=gamma_limit_figure, tags=("margin",), kind="prediction",
    ),
    Claim(
        id="max_margin.smoothed_margin_monotone",
        statement="The smoothed margin is non-decreasing along gradient flow once L < 1 (A-3 M1, M2, M3, H3; A-2 M2).",
        theory=monotone_theory, practice=monotone_practice, compare="at_least", tolerance=1e-9,
        tolerance_reason="relative change between accepted steps; local error control rtol = 1e-10 per step",
        profiles=EXAMPLES, tags=("margin",), kind="prediction",
    ),
    Claim(
        id="max_margin.conservation",
        statement="Rescaling symmetries give conserved quantities b1^2 - b2^2 and a^2 - |v|^2 along gradient flow "
                  "(relative to the size of the terms).",
        theory=conservation_theory, practice=conservation_practice, compare="at_most", tolerance=2e-7,
        tolerance_reason="local error rtol = 1e-10 per step accumulated over <= 2000 accepted steps",
        profiles=EXAMPLES, tags=("numerics",), kind="prediction",
    ),
    Claim(
        id="max_margin.homogeneous_classic",
        statement="Homogeneous special case: the flow reaches the classic (Lyu-Li, symmetric) max-margin solution: "
                  "w.x + c on A-2 (Lambda = I: SVM with penalised bias) and a(v.x) + b1 b2 on A-3 (Lambda = I/2).",
        theory=homogeneous_theory, practice=homogeneous_practice, compare="abs", tolerance=2e-3, tolerance_reason=A3_TOLERANCE,
        profiles=EXAMPLES, tags=("homogeneous",), kind="prediction",
    ),
    Claim(
        id="max_margin.asymmetric_differs",
        statement="The quasi-homogeneous a(v.x) + c ends at a different separator than its homogeneous "
                  "counterparts w.x + c and a(v.x) + b1 b2 (distance of unit (u, c) directions, A-3).",
        theory=differs_theory, practice=differs_practice, compare="abs", tolerance=2e-3, tolerance_reason=A3_TOLERANCE,
        profiles=EXAMPLES, tags=("asymmetry",), kind="prediction",
    ),
    Claim(
        id="max_margin.robustness",
        statement="Favouring the high-rate bias degrades robustness: the geometric margin of the a(v.x) + c limit "
                  "is sqrt(85)/3 = 3.07x smaller than the free-bias SVM's on A-3 and 2.63x on A-2 (A-2: via the "
                  "lexicographic secondary problem, a conjecture).",
        theory=robustness_theory, practice=robustness_practice, compare="rel", tolerance=5e-3,
        tolerance_reason="geometric margins inherit the O(1/ell) predictor error; on A-2 |c|/q_min ~ log(ell)/ell ~ 1e-3",
        profiles=EXAMPLES, tags=("robustness",), kind="prediction",
    ),
    Claim(
        id="max_margin.discarding",
        statement="Sparsity conjecture: an unnecessary max-rate bias is discarded (A-2, a(v.x) + c: c/q_min -> 0 and "
                  "u/q_min -> the through-origin SVM (1, 1.5)).",
        theory=discard_theory, practice=discard_practice, compare="abs", tolerance=2e-3,
        tolerance_reason="|c| grows like log(ell) so |c|/q_min ~ log(ell)/ell ~ 1e-3 at ell = 1e4",
        profiles=EXAMPLES, figure=discard_figure, tags=("sparsity",), kind="prediction",
    ),
    Claim(
        id="max_margin.boundaries_a1",
        statement="Example A-1: boundaries x0 = -c/u of w x + b, w^2 x + b, w x + b^3 (b0 > 0) converge to -1, 0, -1; "
                  "from b0 < 0, w x + b^3 stops at the non-optimal KKT point b = 0 (x0 = 0).",
        theory=a1_theory, practice=a1_practice, compare="abs", tolerance=2e-3, tolerance_reason=A3_TOLERANCE,
        profiles=EXAMPLES, tags=("convergence", "sparsity"), kind="prediction",
    ),
    Claim(
        id="max_margin.logistic_loss",
        statement="The logistic loss has the same limit as the exponential loss (a(v.x) + c on A-3).",
        theory=logistic_theory, practice=logistic_practice, compare="abs", tolerance=2e-3, tolerance_reason=A3_TOLERANCE,
        profiles=EXAMPLES, tags=("convergence",), kind="prediction",
    ),
    Claim(
        id="max_margin.nc_layer_peeled",
        statement="With a normalisation layer (features on the unit sphere, classifier rate 1) the global optimum of "
                  "(P_Lambda) is neural collapse: min |W|_F^2 = (K-1)^2/K, class-mean cosines -1/(K-1), no within-"
                  "class spread, W_k aligned with the class means.",
        theory=layer_peeled_theory, practice=layer_peeled_practice, compare="abs", tolerance=1e-5,
        tolerance_reason="SLSQP ftol 1e-14 with constraint violation <= 1e-7",
        profiles=LAYER_PEELED, tags=("neural_collapse",), kind="consistency",
    ),
    Claim(
        id="max_margin.nc_gradient_flow",
        statement="Gradient flow on the normalised unconstrained-features model converges to the collapse geometry: "
                  "NC1, NC2, NC3 -> 0, class-mean cosines -1/(K-1), |W|^2/q_min^2 -> (K-1)^2/K, b/|W| -> 0.",
        theory=nc_flow_theory, practice=nc_flow_practice, compare="abs", tolerance=5e-3,
        tolerance_reason="O(1/ell) approach to the limit (bias ratio ~ 1/ell) at ell_max = 300: <= 3.3e-3",
        profiles=NC_FLOW, tags=("neural_collapse",), kind="prediction",
    ),
    Claim(
        id="max_margin.nc_digits_trend",
        statement="A feature-normalised MLP trained past interpolation on scikit-learn digits collapses: NC1, NC2, "
                  "NC3 decrease along the gradient-flow phase (Spearman rank correlation with the step < 0).",
        theory=digits_trend_theory, practice=digits_trend_practice, compare="at_most", tolerance=0.0,
        tolerance_reason="sign threshold: any negative rank correlation passes; the values (~ -1) are reported",
        profiles=DIGITS, figure=digits_trend_figure, tags=("neural_collapse",), kind="prediction",
    ),
]
