"""Claims of Cowsik, Nebabu, Qi, Ganguli (2024), "Geometric dynamics of signal propagation
predict trainability of transformers" (arXiv 2403.02579).

The paper's equations could not be read (brief part A.0): the theory side is the mean-field
model of `theory.transformer_geometry` (brief A.4-A.8); the practice side simulates random
transformers of finite width (`numerics.transformer_geometry`) and trains small ones. Every
simulation starts from an exact simplex (Gram matrix constructed exactly).

Comparisons of mean-field values with simulation use `compare="z"`: the measured value is a
mean over independent network draws with its standard error; the theory's own Monte-Carlo
error (attention moments) enters where it exists. The tolerance (4 standard errors) covers the
maximum over the 6-80 correlated entries compared in one claim.
"""

from __future__ import annotations

from verify.core.claims import Claim, PaperValue, Provenance, profiles, skip
from verify.transformer_geometry._exponents import (
    angle_practice,
    angle_theory,
    boundary_practice,
    boundary_theory,
    gains_practice,
    gains_theory,
    gradient_practice,
    gradient_theory,
)
from verify.transformer_geometry._figures import boundary_figure, map_figure, train_figure
from verify.transformer_geometry._profiles import (
    ANGLE_CASES,
    ATT,
    COLLAPSE_CASES,
    GAIN_CASES,
    GRAD_CASES,
    MAP_CASES,
    MAP_CASES_GPU,
    MLP,
    PAPER_SKIP,
    PHASES,
    TRAIN_GPU,
    TRAIN_PAPER_SKIP,
    TRAIN_QUICK,
    TRAIN_SEEDS,
    TRAIN_TINY,
    Z_REASON,
    Z_TOL,
)
from verify.transformer_geometry._propagation import (
    collapse_practice,
    collapse_theory,
    map_practice,
    map_theory,
    phases_practice,
    phases_theory,
)
from verify.transformer_geometry._sublayers import (
    attention_practice,
    attention_theory,
    mlp_kernel_practice,
    mlp_kernel_theory,
)
from verify.transformer_geometry._trainability import (
    best_cell_practice,
    best_cell_theory,
    r2_practice,
    spearman_practice,
    threshold_theory,
)

CLAIMS: list[Claim] = [
    Claim(
        id="transformer_geometry.mlp_kernel",
        statement="The MLP sub-layer maps the simplex Gram (1, rho) to (sigma_2^2 E phi^2, sigma_2^2 E phi(u)phi(v)): "
        "tanh by quadrature, erf by the sympy-derived arcsine kernel, ReLU by the arc-cosine kernel.",
        theory=mlp_kernel_theory,
        practice=mlp_kernel_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON + " Kernels are exact to < 1e-10 (quadrature / closed form).",
        profiles=profiles(tiny=dict(MLP, n_tokens=8, phis=["tanh", "erf"], d=64, draws=3),
                          quick=dict(MLP, d=1024, draws=20), gpu=dict(MLP, d=8192, draws=64),
                          paper=skip(PAPER_SKIP), seeds=1, device={"gpu": "gpu"}),  # fmt: skip
        tags=("forward", "kernel", "MF"),
        kind="prediction",
        provenance=Provenance(
            paper="Not in the recovered text: the abstract says the simplex evolves by 'simple update "
                  "equations' in (q, p) (brief A.1 item 2); the paper's MLP branch map, its sigma_2 and d_mlp "
                  "are unknown (brief A.3 items 1-2).",
            ours="The brief's mean-field MLP kernel (A.5 step 3, sigma_2 = 1 as in re-implementation S2): tanh "
                 "by quadrature, erf arcsine, ReLU arc-cosine; against W_2 phi(W_1 N(x)) applied to an exact "
                 "simplex (n = 16, d = 1024, 20 weight draws at quick), z-score over draws.",
        ),
    ),
    Claim(
        id="transformer_geometry.attention_moments",
        statement="The attention sub-layer maps (1, rho) to sigma_V^2 [rho + (1 - rho) S_2] and "
        "sigma_V^2 [rho + (1 - rho) S_11], with the softmax moments S_2, S_11 of Gaussian logits.",
        theory=attention_theory,
        practice=attention_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON,
        profiles=profiles(tiny=dict(ATT, n_tokens=8, d=64, draws=3, theory_samples=256),
                          quick=dict(ATT, d=1024, draws=20, theory_samples=1 << 15),
                          gpu=dict(ATT, d=8192, draws=64, theory_samples=1 << 18), paper=skip(PAPER_SKIP), seeds=1,
                          device={"gpu": "gpu"}),  # fmt: skip
        tags=("forward", "attention", "MF"),
        kind="prediction",
        provenance=Provenance(
            paper="Not in the recovered text: single-head softmax attention with logit variance sigma_A^2 is "
                  "what re-implementations attribute to the paper ('Assumption 3.3', brief A.2); how the paper "
                  "averages the softmax is unknown (brief A.3 item 2).",
            ours="The brief's moments S_2, S_11 of Gaussian logits (A.5 step 2) by theory-side Monte Carlo; "
                 "against the attention sub-layer W_V sum_j A_ij N(x_j) on an exact simplex (n = 16, d = 1024, "
                 "sigma_A in {0.5, 2}, rho in {0.1, 0.5, 0.9}, 20 draws at quick), z-score with both "
                 "Monte-Carlo errors.",
        ),
    ),
    Claim(
        id="transformer_geometry.map_vs_simulation",
        statement="Layer by layer, the token norm q and cosine rho of a random transformer follow the mean-field "
        "(q, p) map from a permutation-symmetric simplex (R1 and R2 residuals, ordered and chaotic settings).",
        theory=map_theory,
        practice=map_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON + " Finite-width bias O(1/d) is far below the standard error at d = 512.",
        profiles=profiles(
            tiny=dict(n_tokens=8, d=64, draws=3, n_layers=3, cases=MAP_CASES[:2], theory_samples=256),
            quick=dict(n_tokens=16, d=512, draws=20, n_layers=20, cases=MAP_CASES, theory_samples=1 << 15),
            gpu=dict(n_tokens=16, d=2048, draws=64, n_layers=30, cases=MAP_CASES_GPU, theory_samples=1 << 17),
            paper=skip(PAPER_SKIP),
            seeds=1, device={"gpu": "gpu"},
        ),
        figure=map_figure,
        tags=("forward", "MF"),
        kind="prediction",
        provenance=Provenance(
            paper="Abstract: the n tokens evolve as interacting particles, a permutation-symmetric simplex "
                  "stays one, and depth acts by simple (q, p) update equations (brief A.1 items 1-2); the "
                  "equations themselves were not recovered (A.3 item 2).",
            ours="The brief's (q, p) map (A.5: finite-n Monte-Carlo attention moments, quadrature MLP kernel) "
                 "against a simulated random transformer of the A.4 architecture (pre-norm N(x) = sqrt(d) "
                 "x/|x|, fresh weights per layer, R1 and R2): n = 16, d = 512, 20 layers, 20 draws, 3 cases at "
                 "quick (the brief's C.A 8 had 48).",
        ),
    ),
    Claim(
        id="transformer_geometry.attention_collapse",
        statement="Without MLP layers the tokens collapse to a line: the mean-field cosine rises monotonically to 1 "
        "and the simulated cosine follows it layer by layer.",
        theory=collapse_theory,
        practice=collapse_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON,
        profiles=profiles(
            tiny=dict(n_tokens=8, d=64, draws=3, n_layers=3, long_layers=6, cases=COLLAPSE_CASES, theory_samples=256,
                      sigma_w=1.0),  # fmt: skip
            quick=dict(n_tokens=16, d=512, draws=20, n_layers=10, long_layers=60, cases=COLLAPSE_CASES,
                       theory_samples=1 << 15, sigma_w=1.0),  # fmt: skip
            gpu=dict(n_tokens=16, d=2048, draws=48, n_layers=16, long_layers=200, cases=COLLAPSE_CASES,
                     theory_samples=1 << 17, sigma_w=1.0),  # fmt: skip
            paper=skip(PAPER_SKIP),
            seeds=1, device={"gpu": "gpu"},
        ),
        tags=("forward", "paper-qual"),
        kind="prediction",
        provenance=Provenance(
            paper="Abstract: without MLP layers the system collapses to a line (brief A.1 item 4), consistent "
                  "with earlier rank-collapse results; no number recovered.",
            ours="alpha_M = 0; the brief's monotonicity argument (A.6) on the MF map, and simulated "
                 "attention-only networks layer by layer (R2 alpha_A = 0.7, sigma_A = 2, rho0 = 0.2 and R1 "
                 "alpha_A = 0.5, sigma_A = 0.5, rho0 = 0; n = 16, d = 512, 10 layers, 20 draws at quick). The "
                 "sequence 0.33 ... 0.97 of C.A 7 is the brief's, not the paper's.",
        ),
    ),
    Claim(
        id="transformer_geometry.phases_rho_star",
        statement="From near collapse (rho0 = 0.99) the ordered phase (lambda_a < 0) returns to the line, rho -> 1, "
        "while the chaotic phase (lambda_a > 0) converges to a regular simplex with rho* < 1 given by the "
        "map's fixed point.",
        theory=phases_theory,
        practice=phases_practice,
        compare="abs",
        tolerance=0.015,
        tolerance_reason="rho averaged over the last 10 of 60 layers: in the chaotic case the standard error over "
        "10 draws at d = 512 is ~0.004 (0.015 ~ 3.5 standard errors; the gpu profile's larger d and draw count "
        "make it looser), plus the mean-field transient |window mean - rho*| ~ 3e-4 (theory info). The "
        "ordered case collapses to rho = 1 to ~1e-10, so a z-score is meaningless there.",
        profiles=profiles(
            tiny=dict(PHASES, n_tokens=8, d=64, draws=3, n_layers=3, theory_samples=256),
            quick=dict(PHASES, d=512, draws=10, n_layers=60, theory_samples=1 << 14),
            gpu=dict(PHASES, d=2048, draws=32, n_layers=100, theory_samples=1 << 16),
            paper=skip(PAPER_SKIP),
            seeds=1, device={"gpu": "gpu"},
        ),
        tags=("forward", "fixed points", "paper-qual"),
        kind="prediction",
        provenance=Provenance(
            paper="Abstract: with a nonlinear MLP there is an order-chaos transition; ordered tokens collapse "
                  "to a line, chaotic ones converge to a regular n-simplex (brief A.1 item 5); fixed points in "
                  "§3.3 (third-party summary, A.1 item 6). No rho* value recovered.",
            ours="R2, n = 16, sigma_A = 2, alpha = 0.5, sigma_w = 1 (ordered) and 10 (chaotic), from rho0 = "
                 "0.99: the MF fixed point rho* (brief A.6: 0.845) against the simulated cosine averaged over "
                 "the last 10 of 60 layers (d = 512, 10 draws at quick).",
        ),
    ),
    Claim(
        id="transformer_geometry.angle_exponent",
        statement="The rate at which near-collapsed tokens depart from (or return to) the line, "
        "(1/L) log(eps_L/eps_0) with eps = 1 - rho, equals the angle exponent lambda_a at the collapsed fixed "
        "point (q = q*).",
        theory=angle_theory,
        practice=angle_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON + " eps stays below 1e-4, so nonlinear corrections O(eps) are negligible.",
        profiles=profiles(
            tiny=dict(n_tokens=8, sigma_attn=1.0, d=64, draws=3, burn_in=1, fit_layers=2, eps0=1e-6,
                      cases=ANGLE_CASES[:2]),  # fmt: skip
            quick=dict(n_tokens=16, sigma_attn=1.0, d=512, draws=10, burn_in=8, fit_layers=10, eps0=1e-6,
                       cases=ANGLE_CASES),  # fmt: skip
            gpu=dict(n_tokens=32, sigma_attn=1.0, d=2048, draws=32, burn_in=10, fit_layers=16, eps0=1e-6,
                     cases=ANGLE_CASES + [(0.7, 4.0), (0.7, 6.0), (0.1, 5.0)]),  # fmt: skip
            paper=skip(PAPER_SKIP),
            seeds=1, device={"gpu": "gpu"},
        ),
        tags=("exponents", "MF"),
        kind="prediction",
        provenance=Provenance(
            paper="§3.3 (third-party summary and a quoted sentence): lambda_a linearises the update map at the "
                  "collapsed fixed point, and lambda_a = 0 (edge of chaos) is conjectured a good initialisation "
                  "(brief A.1 item 7); its closed form and the deviation used were not recovered (A.3 item 3).",
            ours="The brief's Lambda_a (A.7) with eps = 1 - rho at the collapsed norm q*; measured as the "
                 "departure rate (1/L) log(eps_end/eps_start) from eps0 = 1e-6 after an 8-layer burn-in, fitted "
                 "over 10 layers (n = 16, d = 512, 10 draws, 4 (alpha, sigma_w) cases at quick).",
        ),
    ),
    Claim(
        id="transformer_geometry.gradient_exponent",
        statement="The per-layer growth rate of the input-output Jacobian, (1/L) log(||J_L||_F^2/(n d)), equals "
        "the finite-depth gradient exponent lambda_g(L; n) built from the differential and common-mode gains.",
        theory=gradient_theory,
        practice=gradient_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON + " Probes: Gaussian tangents pushed forward (E|Jv|^2 = ||J||_F^2).",
        profiles=profiles(
            tiny=dict(n_tokens=8, sigma_attn=1.0, d=64, draws=3, probes=1, n_layers=3, rho0=0.99,
                      cases=GRAD_CASES[:2]),  # fmt: skip
            quick=dict(n_tokens=16, sigma_attn=1.0, d=256, draws=8, probes=4, n_layers=16, rho0=0.99,
                       cases=GRAD_CASES),  # fmt: skip
            gpu=dict(n_tokens=32, sigma_attn=1.0, d=1024, draws=32, probes=8, n_layers=16, rho0=0.99,
                     cases=GRAD_CASES + [(0.5, 3.0), (0.1, 2.0), (0.3, 3.5)]),  # fmt: skip
            paper=skip(PAPER_SKIP),
            seeds=1, device={"gpu": "gpu"},
        ),
        tags=("exponents", "MF"),
        kind="prediction",
        provenance=Provenance(
            paper="§3.4 (third-party summary and a quoted sentence): E|dX_L/dX_0|_F^2 ~ e^{lambda_g L}, from a "
                  "layer-wise gradient map, and lambda_g = 0 is conjectured a good initialisation (brief A.1 "
                  "item 8); the closed form, depth and normalisation were not recovered (A.3 item 4).",
            ours="The brief's finite-depth lambda_g(L; n) (A.8) from the differential and common-mode gains, q "
                 "following the collapsed norm map from q0 = 1; measured (1/L) log(|J|_F^2/(n d)) with forward "
                 "Gaussian tangent probes (A.10 normalisation), L = 16, n = 16, d = 256, rho0 = 0.99, 8 draws x "
                 "4 probes at quick.",
        ),
    ),
    Claim(
        id="transformer_geometry.jacobian_mode_gains",
        statement="At collapse one block multiplies the squared norm of differential perturbations by "
        "G_diff = beta_A^2 (beta_M^2 + alpha_M^2 K/q_1) and of common-mode perturbations by "
        "G_comm = (beta_A^2 + alpha_A^2 sigma_V^2/q) (beta_M^2 + alpha_M^2 K/q_1): the building blocks of lambda_g.",
        theory=gains_theory,
        practice=gains_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON + " Identical input tokens (exact collapse), q0 = 1, one block.",
        profiles=profiles(
            tiny=dict(n_tokens=8, sigma_attn=1.0, d=64, draws=3, probes=1, q0=1.0, cases=GAIN_CASES[:2]),
            quick=dict(n_tokens=16, sigma_attn=1.0, d=1024, draws=20, probes=2, q0=1.0, cases=GAIN_CASES),
            gpu=dict(n_tokens=32, sigma_attn=1.0, d=4096, draws=32, probes=4, q0=1.0,
                     cases=GAIN_CASES + [("R2", 0.3, 4.0)]),  # fmt: skip
            paper=skip(PAPER_SKIP),
            seeds=1, device={"gpu": "gpu"},
        ),
        tags=("exponents", "MF"),
        kind="prediction",
        provenance=Provenance(
            paper="Not in the recovered text (the third-party TL;DR mentions a separate layer-wise map for "
                  "gradients, brief A.1 item 8).",
            ours="The brief's per-block gains at exact collapse, G_diff and G_comm (A.8, derived here in "
                 "sympy); measured with differential and common-mode JVP probes through one block on identical "
                 "tokens, q0 = 1 (n = 16, d = 1024, 20 draws, 3 cases at quick).",
        ),
    ),
    Claim(
        id="transformer_geometry.phase_boundary",
        statement="In the (alpha, sigma_w) plane the measured edge of chaos (lambda_a = 0) and the measured "
        "vanishing/exploding boundary (lambda_g(L) = 0) sit where the mean-field exponents vanish.",
        theory=boundary_theory,
        practice=boundary_practice,
        compare="z",
        tolerance=Z_TOL,
        tolerance_reason=Z_REASON + " Standard errors of the measured roots by bootstrap over network draws.",
        profiles=profiles(
            tiny=dict(n_tokens=8, sigma_attn=1.0, alphas=[0.2, 0.3], bootstrap=5, angle_scan=[3.0, 3.5],
                      gradient_scan=[1.5, 2.0], angle=dict(d=64, draws=3, burn_in=1, fit_layers=2, eps0=1e-6),
                      gradient=dict(d=64, draws=3, probes=1, n_layers=3, rho0=0.99)),  # fmt: skip
            quick=dict(n_tokens=16, sigma_attn=1.0, alphas=[0.5], bootstrap=200,
                       angle_scan=[3.0, 3.5, 4.0, 4.5, 5.0], gradient_scan=[2.0, 2.5, 3.0, 3.5, 4.0],
                       angle=dict(d=512, draws=10, burn_in=8, fit_layers=10, eps0=1e-6),
                       gradient=dict(d=256, draws=8, probes=4, n_layers=16, rho0=0.99)),  # fmt: skip
            gpu=dict(n_tokens=32, sigma_attn=1.0, alphas=[0.2, 0.3, 0.4, 0.5, 0.7], bootstrap=400,
                     angle_scan=[3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0], gradient_scan=[1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5],
                     angle=dict(d=1024, draws=24, burn_in=10, fit_layers=16, eps0=1e-6),
                     gradient=dict(d=512, draws=16, probes=8, n_layers=16, rho0=0.99)),  # fmt: skip
            paper=skip(PAPER_SKIP),
            seeds=1, device={"gpu": "gpu"},
        ),
        figure=boundary_figure,
        tags=("exponents", "phase diagram", "MF"),
        kind="prediction",
        provenance=Provenance(
            paper="Abstract: the lambda_a = 0 and lambda_g = 0 boundaries intersect in hyper-parameter space; "
                  "re-implementations attribute a lambda_a heat map over alpha in [0, 1] x sigma_w in [1, 4] to "
                  "'Figure 4 (top-right)' (brief A.2). The boundary locations were not recovered.",
            ours="Roots in sigma_w of the measured lambda_a (departure rate) and lambda_g(16) (Jacobian "
                 "growth), by interpolation along a sigma_w scan with bootstrap standard errors over draws, "
                 "against the MF roots (brief A.7/A.8; alpha = 0.5, n = 16 at quick; 5 alphas, n = 32 at gpu).",
        ),
        paper_value=PaperValue.unreadable("Fig. 4 (phase diagram, as cited by re-implementations; brief A.2)",
                                          "the boundary locations could not be read: the paper's body was not "
                                          "recovered (brief A.0)"),
    ),
    Claim(
        id="transformer_geometry.trainability_rank_correlation",
        statement="The final test loss is predicted by the two exponents at initialisation: its Spearman "
        "correlation with |lambda_a| + |lambda_g| across the initialisation grid is at least 0.6.",
        theory=threshold_theory,
        practice=spearman_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="the threshold 0.6 is the brief's target (C.A item 25); no slack is added.",
        profiles=profiles(tiny=dict(TRAIN_TINY, threshold=0.6), quick=dict(TRAIN_QUICK, threshold=0.6),
                          gpu=dict(TRAIN_GPU, threshold=0.6), paper=skip(TRAIN_PAPER_SKIP), seeds=TRAIN_SEEDS),  # fmt: skip
        figure=train_figure,
        tags=("training", "paper"),
        kind="prediction",
        provenance=Provenance(
            paper="Abstract: the final test loss of deep transformers trained from initialisations across the "
                  "hyper-parameter plane is 'well predicted' by (lambda_a, lambda_g) at initialisation, and "
                  "their simultaneous vanishing is necessary and sufficient for minimal test loss (brief A.1 "
                  "item 9). The task, data, sizes, optimiser, grid, fit and numbers (§4) were not recovered "
                  "(A.3 item 5, A.11).",
            ours="Stand-in of brief A.11: non-causal masked-character prediction (25% masked) on Python "
                 "standard-library sources; embedding, L theory blocks (R2, sigma_A = 1), final N, linear "
                 "read-out; Adam, every grid cell one member of a batched ensemble. quick: L = 12, d = 32, n = "
                 "16, 200 steps at batch 16, alpha in {.2,.4,.6,.9} x sigma_w in {1, 3.5, 6}, 5 seeds; gpu: L = "
                 "16, d = 64, n = 32, the 9 x 6 grid, 2000 steps, 3 seeds. Exponents are the MF values at "
                 "initialisation. Measured: Spearman of the final test loss with |lambda_a| + |lambda_g|; the "
                 "threshold 0.6 is the brief's (C.A 25).",
        ),
        paper_value=PaperValue.unreadable("§4 trainability experiment (abstract: 'well predicted')",
                                          "the paper's measure of prediction quality and its value could not be "
                                          "read: the paper's body was not recovered (brief A.0)"),
        device="gpu",
    ),
    Claim(
        id="transformer_geometry.trainability_r2",
        statement="A quadratic regression of the final test loss on (lambda_a, lambda_g, lambda_a^2, lambda_g^2) at "
        "initialisation has an adjusted R^2 of at least 0.6 across the initialisation grid.",
        theory=threshold_theory,
        practice=r2_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="the threshold 0.6 is the brief's target (C.A item 25), applied to the adjusted R^2 "
        "(5 parameters on a small grid: the raw R^2 of pure noise would be 4/(N-1)); raw and leave-one-out R^2 "
        "are reported beside it.",
        profiles=profiles(tiny=dict(TRAIN_TINY, threshold=0.6), quick=dict(TRAIN_QUICK, threshold=0.6),
                          gpu=dict(TRAIN_GPU, threshold=0.6), paper=skip(TRAIN_PAPER_SKIP), seeds=TRAIN_SEEDS),  # fmt: skip
        tags=("training", "paper"),
        kind="prediction",
        provenance=Provenance(
            paper="Abstract: the final test loss of deep transformers trained from initialisations across the "
                  "hyper-parameter plane is 'well predicted' by (lambda_a, lambda_g) at initialisation, and "
                  "their simultaneous vanishing is necessary and sufficient for minimal test loss (brief A.1 "
                  "item 9). The task, data, sizes, optimiser, grid, fit and numbers (§4) were not recovered "
                  "(A.3 item 5, A.11).",
            ours="Stand-in of brief A.11: non-causal masked-character prediction (25% masked) on Python "
                 "standard-library sources; embedding, L theory blocks (R2, sigma_A = 1), final N, linear "
                 "read-out; Adam, every grid cell one member of a batched ensemble. quick: L = 12, d = 32, n = "
                 "16, 200 steps at batch 16, alpha in {.2,.4,.6,.9} x sigma_w in {1, 3.5, 6}, 5 seeds; gpu: L = "
                 "16, d = 64, n = 32, the 9 x 6 grid, 2000 steps, 3 seeds. Exponents are the MF values at "
                 "initialisation. Measured: adjusted R^2 of a quadratic regression of the loss on (lambda_a, "
                 "lambda_g); the threshold 0.6 is the brief's (C.A 25).",
        ),
        paper_value=PaperValue.unreadable("§4 trainability experiment (abstract: 'well predicted')",
                                          "the paper's measure of prediction quality and its value could not be "
                                          "read: the paper's body was not recovered (brief A.0)"),
        device="gpu",
    ),
    Claim(
        id="transformer_geometry.trainability_minimum",
        statement="The lowest final test loss sits where both exponents vanish: the best-trained grid cell is "
        "among the 20% of grid cells with the smallest |lambda_a| + |lambda_g| (MF, at initialisation).",
        theory=best_cell_theory,
        practice=best_cell_practice,
        compare="at_most",
        tolerance=0.0,
        tolerance_reason="rank criterion: the measured value is the MF-rank fraction of the best-trained cell, "
        "(1 + cells with a smaller |lambda_a| + |lambda_g|) / N, and it must not exceed 0.2, so floor(0.2 N) cells "
        "are accepted and a best cell placed at random passes with probability <= 20% (11% tiny, 17% quick, 19% "
        "gpu; `chance_acceptance` in the info). The former rule, one grid step from the MF best cell, accepted "
        "6 of the 12 quick cells (50%) and 6 of the 54 gpu cells (11%); its distance is still reported "
        "(`grid_steps_from_mf_best`).",
        profiles=profiles(tiny=dict(TRAIN_TINY), quick=dict(TRAIN_QUICK), gpu=dict(TRAIN_GPU),
                          paper=skip(TRAIN_PAPER_SKIP), seeds=TRAIN_SEEDS),  # fmt: skip
        aggregate="worst",
        tags=("training", "paper"),
        kind="prediction",
        deviation=(
            "The best-trained cell is not always among the MF-best 20% in our stand-in task. Quick, seeds 0-4: "
            "the best cell is on the alpha = 0.2 row in every seed, at sigma_w = 3.5 (the MF best, rank fraction "
            "1/12, PASS) in seeds 0 and 3 and at sigma_w = 1 (rank fraction 4/12, FAIL) in seeds 1, 2 and 4; the "
            "paired loss difference between the two cells is 0.011 +- 0.017 nats while their MF scores differ "
            "45-fold. The gpu grid's FAIL (H200, error 3) is reproduced on CPU with the gpu profile's exponents "
            "(9 x 6 grid, L = 16, n = 32): best cell at sigma_w = 1 in both seeds, rank fraction 0.31 and 0.44. "
            "Set-up check against the paper (docs/papers/transformer_geometry.md): the paper's task, optimiser and "
            "budget were not recovered; our masked-character stand-in ends only 0.04-0.13 nats under its unigram "
            "baseline, Adam rescales away lambda_g, and the argmin of |lambda_a| + |lambda_g| favours near-identity "
            "networks (alpha -> 0) rather than the boundaries' crossing. The rank correlation and the regression "
            "PASS on the same runs."
        ),
        provenance=Provenance(
            paper="Abstract: the final test loss of deep transformers trained from initialisations across the "
                  "hyper-parameter plane is 'well predicted' by (lambda_a, lambda_g) at initialisation, and "
                  "their simultaneous vanishing is necessary and sufficient for minimal test loss (brief A.1 "
                  "item 9). The task, data, sizes, optimiser, grid, fit and numbers (§4) were not recovered "
                  "(A.3 item 5, A.11). The recommended initialisation is where the two boundaries cross.",
            ours="Stand-in of brief A.11: non-causal masked-character prediction (25% masked) on Python "
                 "standard-library sources; embedding, L theory blocks (R2, sigma_A = 1), final N, linear "
                 "read-out; Adam, every grid cell one member of a batched ensemble. quick: L = 12, d = 32, n = "
                 "16, 200 steps at batch 16, alpha in {.2,.4,.6,.9} x sigma_w in {1, 3.5, 6}, 5 seeds; gpu: L = "
                 "16, d = 64, n = 32, the 9 x 6 grid, 2000 steps, 3 seeds. Exponents are the MF values at "
                 "initialisation. Measured: the MF-rank fraction of the best-trained cell (top 20% by "
                 "|lambda_a| + |lambda_g| accepted; chance acceptance <= 20%).",
        ),
        paper_value=PaperValue.unreadable("§4 trainability experiment", "the location of the paper's best "
                                          "initialisation could not be read: the paper's body was not recovered "
                                          "(brief A.0)"),
        device="gpu",
    ),
]
