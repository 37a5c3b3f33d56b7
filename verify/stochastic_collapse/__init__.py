"""Claims of "Stochastic collapse" (Chen, Kunin, Yamamura, Ganguli, NeurIPS 2023), claim by claim.

Theory sides come from `theory.stochastic_collapse` (closed forms, exact expectations);
practice sides simulate or train with `numerics.stochastic_collapse` (diffrax SGF paths,
JAX SGD, torch networks). Thresholds are compared as measured zero crossings of Lyapunov
exponents estimated from paths; probabilities come with Wilson intervals.

- `_invariance`: claim 1 (exact invariance of the sign and permutation sets under SGD);
- `_toys`: claims 2-8 (quartic well, single neuron: SGF and discrete SGD);
- `_teacher_student`: claims 9-13 (diagonal linear teacher-student, per-mode SGD; the full
  two-layer network under minibatch SGD);
- `_digits`: claims 14-17 (GELU MLPs on digits, the stand-in for the paper's CIFAR runs);
- `_experiments` (shared set-ups and runs), `_figures`, `_profiles` (shared configs).
"""

from __future__ import annotations

from verify.core.claims import Claim, PaperValue, profiles
from verify.stochastic_collapse._digits import (
    at_least_one_more,
    collapse_vs_lr_practice,
    collapse_vs_time_practice,
    later_drop_not_worse,
    phase_accuracy_practice,
    phase_collapse_practice,
)
from verify.stochastic_collapse._figures import (
    collapse_vs_lr_figure,
    full_network_figure,
    generalization_figure,
    neuron_probability_figure,
    neuron_threshold_figure,
    quartic_probability_figure,
    quartic_threshold_figure,
)
from verify.stochastic_collapse._invariance import invariance_practice, invariance_theory
from verify.stochastic_collapse._profiles import (
    DIGITS_GPU,
    DIGITS_QUICK,
    DIGITS_TINY,
    NEURON,
    NO_CIFAR,
    SGD,
    SGD_POINTS,
    TINY_SGD,
    TS,
    TS_FULL_PROFILES,
    TS_MODE_PROFILES,
)
from verify.stochastic_collapse._teacher_student import (
    collapse_fraction_practice,
    collapse_fraction_theory,
    full_network_practice,
    full_network_theory,
    generalization_practice,
    generalization_theory,
    mode_mean_practice,
    mode_mean_theory,
    two_phase_practice,
    two_phase_theory,
)
from verify.stochastic_collapse._toys import (
    batch_scaling_practice,
    batch_scaling_theory,
    neuron_probability_practice,
    neuron_probability_theory,
    neuron_threshold_practice,
    neuron_threshold_theory,
    quartic_probability_practice,
    quartic_probability_theory,
    quartic_threshold_practice,
    quartic_threshold_theory,
    sgd_collapse_practice,
    sgd_collapse_theory,
    sgd_exponent_practice,
    sgd_exponent_theory,
)

__all__ = ["CLAIMS"]

CLAIMS = [
    Claim(
        id="stochastic_collapse.invariance_exact",
        statement="Sign (vanishing neuron, sigma(0) = 0) and permutation (identical neurons) sets are invariant: SGD with momentum, weight decay and label noise started in their intersection stays in it exactly.",
        theory=invariance_theory,
        practice=invariance_practice,
        compare="equal",
        tolerance=0,
        tolerance_reason="exact statement: the symbolic check gives zero normal gradient, so the float64 distance must stay exactly 0 (differing elements allowed: 0)",
        profiles=profiles(tiny=dict(activation="gelu", steps=20), quick=dict(activation="gelu", steps=1000), gpu=dict(activation="gelu", steps=10000), paper=dict(activation="tanh", steps=10000), seeds=1),
        kind="prediction",
        tags=("invariant sets",),
    ),
    Claim(
        id="stochastic_collapse.quartic_threshold",
        statement="Quartic well L = theta^4/4 - mu theta^2/2 with noise zeta theta dW: the local maximum at 0 becomes attractive above zeta* = sqrt(2 mu) (alpha = L''(0) + D''(0)/2 > 0).",
        theory=quartic_threshold_theory,
        practice=quartic_threshold_practice,
        compare="abs",
        tolerance=0.05,
        tolerance_reason="zero crossing of exponents measured on 256 paths x 10 time units per zeta: crossing se ~0.015 (3 se = 0.045) plus the Euler-Maruyama bias at dt=2e-3 (threshold shift < 0.005, exact EM exponent in raw)",
        profiles=profiles(
            tiny=dict(mu=1.5, zetas=[1.5, 1.9], n_paths=16, t_chunk=0.5, n_chunks=2, dt=0.01),
            quick=dict(mu=1.5, zetas=[1.5, 1.6, 1.68, 1.76, 1.84, 1.95], n_paths=256, t_chunk=2.0, n_chunks=5, dt=2e-3),
            gpu=dict(mu=1.5, zetas=[1.5, 1.6, 1.68, 1.72, 1.76, 1.84, 1.95], n_paths=1000, t_chunk=2.0, n_chunks=10, dt=2e-3),
            paper=dict(mu=1.5, zetas=[1.5, 1.6, 1.68, 1.72, 1.76, 1.84, 1.95], n_paths=1000, t_chunk=2.0, n_chunks=10, dt=2.5e-3),
            seeds=1,
        ),
        figure=quartic_threshold_figure,
        kind="prediction",
        tags=("attractivity", "toy", "maximum"),
    ),
    Claim(
        id="stochastic_collapse.quartic_collapse_probability",
        statement="Quartic well: P(|theta_t| < eps) is ~1 above zeta* (the maximum attracts) and equals the stationary mass of p ~ |theta|^(2mu/zeta^2-2) e^(-theta^2/zeta^2) below it.",
        theory=quartic_probability_theory,
        practice=quartic_probability_practice,
        compare="abs",
        tolerance=0.1,
        tolerance_reason="binomial se <= 0.029 at 300 paths (3.4 se = 0.1); finite t=200 leaves P < 1 above threshold only for zeta within ~0.1 of zeta* (excluded from the grid)",
        profiles=profiles(
            tiny=dict(mu=1.5, zetas=[1.2, 1.4, 1.6, 2.0, 2.4], eps=1e-6, n_paths=16, t1=1.0, dt=0.01),
            quick=dict(mu=1.5, zetas=[1.2, 1.4, 1.6, 2.0, 2.4], eps=1e-6, n_paths=300, t1=200.0, dt=5e-3),
            gpu=dict(mu=1.5, zetas=[1.2, 1.4, 1.6, 2.0, 2.4], eps=1e-6, n_paths=1000, t1=200.0, dt=5e-3),
            paper=dict(mu=1.5, zetas=[1.2, 1.4, 1.6, 2.0, 2.4], eps=1e-6, n_paths=1000, t1=200.0, dt=2.5e-3),
            seeds=1,
        ),
        paper_value=PaperValue(value=[0.0, 0.0, 0.096, 1.0, 1.0], source="brief B.4.1 (official recipe, 2000 paths, 8e4 steps)", note="zeta = 1.2, -, 1.6, 2.0, 2.5; |theta|<1e-6"),
        figure=quartic_probability_figure,
        kind="prediction",
        tags=("attractivity", "toy", "maximum"),
    ),
    Claim(
        id="stochastic_collapse.neuron_threshold",
        statement="Single tanh neuron with label noise: the saddle at w = 0 becomes attractive for eta > eta* = 2 sum(xy) / (zeta^2 sigma'(0) sum(x^2)).",
        theory=neuron_threshold_theory,
        practice=neuron_threshold_practice,
        compare="abs",
        tolerance=0.15,
        tolerance_reason="crossing of exponents measured on 200 paths x 10 time units per eta: exponent se ~0.025, slope ~0.33 per unit eta, so crossing se ~0.05 (3 se = 0.15); EM bias at dt=0.01 shifts eta* by < 0.03",
        profiles=profiles(
            tiny=dict(**NEURON, etas=[1.0, 3.0], n_paths=8, t_chunk=0.5, n_chunks=2, dt=0.05),
            quick=dict(**NEURON, etas=[1.6, 1.8, 2.0, 2.2, 2.4], n_paths=200, t_chunk=2.0, n_chunks=5, dt=0.01),
            gpu=dict(**NEURON, etas=[1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6], n_paths=500, t_chunk=2.0, n_chunks=10, dt=0.01),
            paper=dict(**NEURON, etas=[1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6], n_paths=1000, t_chunk=2.0, n_chunks=10, dt=0.01),
            seeds=1,
        ),
        figure=neuron_threshold_figure,
        kind="prediction",
        tags=("attractivity", "toy", "saddle"),
    ),
    Claim(
        id="stochastic_collapse.neuron_collapse_probability",
        statement="Single neuron SGF: paths from a small initialisation collapse (||w_t|| < 1e-2) above eta* and escape below it.",
        theory=neuron_probability_theory,
        practice=neuron_probability_practice,
        compare="abs",
        tolerance=0.15,
        tolerance_reason="finite time t=100 at eta = 1.4, 2.6 (eta* = 1.97, |eta/eta* - 1| ~ 0.3): GBM drift 0.3 s t vs spread c sqrt(t) leaves <= 0.05 of paths on the wrong side; plus 3 binomial se at 200 paths (<= 0.1)",
        profiles=profiles(
            tiny=dict(**NEURON, etas=[1.4, 2.6], n_paths=8, t1=1.0, dt=0.05, eps=1e-2, init_std=1e-3),
            quick=dict(**NEURON, etas=[1.4, 2.6], n_paths=200, t1=100.0, dt=0.02, eps=1e-2, init_std=1e-3),
            gpu=dict(**NEURON, etas=[1.2, 1.6, 2.4, 2.8], n_paths=500, t1=200.0, dt=0.02, eps=1e-2, init_std=1e-3),
            paper=dict(**NEURON, etas=[1.2, 1.6, 2.4, 2.8], n_paths=1000, t1=1000.0, dt=0.01, eps=1e-2, init_std=1e-3),
            seeds=1,
        ),
        figure=neuron_probability_figure,
        kind="prediction",
        tags=("attractivity", "toy", "saddle"),
    ),
    Claim(
        id="stochastic_collapse.sgd_neuron_exponent",
        statement="Discrete label-noise SGD on the neuron: the per-step exponent normal to w = 0 is E log|1 +- eta sigma'(0) s_B| (our extension); at zeta = 1 it stays positive where the SDE predicts collapse (eta = 2.4 > eta*).",
        theory=sgd_exponent_theory,
        practice=sgd_exponent_practice,
        compare="z",
        tolerance=4.0,
        tolerance_reason="Monte-Carlo se of 100 runs x 2000 steps per point (and of 4e4 sampled batches for B = 4 on the theory side); 4 se over 10 points",
        profiles=profiles(
            tiny=dict(**SGD, points=SGD_POINTS, **TINY_SGD),
            quick=dict(**SGD, points=SGD_POINTS, n_runs=100, steps=2000, n_batches=40000),
            gpu=dict(**SGD, points=SGD_POINTS, n_runs=300, steps=4000, n_batches=100000),
            paper=dict(**SGD, points=SGD_POINTS, n_runs=300, steps=20000, n_batches=400000),
            seeds=1,
        ),
        kind="prediction",
        tags=("attractivity", "sgd", "discrete"),
    ),
    Claim(
        id="stochastic_collapse.sgd_neuron_collapse_sign",
        statement="Discrete SGD collapses (||w|| < 1e-4) exactly where the exact exponent is negative, including the upper threshold at large eta and no collapse at zeta = 1.",
        theory=sgd_collapse_theory,
        practice=sgd_collapse_practice,
        compare="abs",
        tolerance=0.2,
        tolerance_reason="brief's criterion (collapse > 0.8, escape < 0.1) after 1e4 steps; 64 runs give binomial se <= 0.06",
        profiles=profiles(
            tiny=dict(**SGD, points=SGD_POINTS, **TINY_SGD, eps=1e-4),
            quick=dict(**SGD, points=SGD_POINTS, n_runs=64, steps=8000, eps=1e-4, n_batches=40000),
            gpu=dict(**SGD, points=SGD_POINTS, n_runs=200, steps=20000, eps=1e-4, n_batches=100000),
            paper=dict(**SGD, points=SGD_POINTS, n_runs=300, steps=20000, eps=1e-4, n_batches=400000),
            seeds=1,
        ),
        kind="prediction",
        tags=("attractivity", "sgd", "discrete"),
    ),
    Claim(
        id="stochastic_collapse.sgd_batch_scaling",
        statement="The lower collapse threshold of SGD grows ~linearly with batch size (larger batch, less noise, weaker attractivity): eta*(B=4)/eta*(B=1).",
        theory=batch_scaling_theory,
        practice=batch_scaling_practice,
        compare="z",
        tolerance=4.0,
        tolerance_reason="measured crossings from 100 runs x 3000 steps per eta (delta-method se of the ratio); 4 se",
        profiles=profiles(
            # tiny: wider grids, so that both 50-step exponent curves cross zero and the ratio is finite
            tiny=dict(**SGD, zeta=10.0, batches=[1, 4], eta_grids=[[0.005, 0.01, 0.03, 0.08], [0.02, 0.05, 0.1, 0.2]], **TINY_SGD),
            quick=dict(**SGD, zeta=10.0, batches=[1, 4], eta_grids=[[0.012, 0.016, 0.02, 0.025], [0.05, 0.06, 0.075, 0.09]], n_runs=100, steps=3000, n_batches=20000),
            gpu=dict(**SGD, zeta=10.0, batches=[1, 4], eta_grids=[[0.012, 0.016, 0.02, 0.025], [0.05, 0.06, 0.075, 0.09]], n_runs=300, steps=4000, n_batches=100000),
            seeds=1,
        ),
        kind="prediction",
        tags=("attractivity", "sgd", "batch size"),
    ),
    Claim(
        id="stochastic_collapse.teacher_student_mode_mean",
        statement="Teacher-student mode: SGD noise soft-thresholds the singular value, E p = max(s - eta sigma^2/2, 0) (modes away from the threshold).",
        theory=mode_mean_theory,
        practice=mode_mean_practice,
        compare="abs",
        tolerance=0.03,
        tolerance_reason="time-average over 6e3 steps x 512 seeds: se <= 0.004 (7 se = 0.028); O(eta) discretisation bias of the SGD recursion is ~1% of s",
        profiles=TS_MODE_PROFILES,
        kind="prediction",
        tags=("teacher-student",),
    ),
    Claim(
        id="stochastic_collapse.teacher_student_collapse_fraction",
        statement="Teacher-student mode: P(p < eps) is 1 below eta sigma^2/2 (collapse) and the Gamma(s/(eta sigma^2) - 1/2, eta sigma^2) CDF above it.",
        theory=collapse_fraction_theory,
        practice=collapse_fraction_practice,
        compare="abs",
        tolerance=0.1,
        tolerance_reason="binomial se <= 0.022 at 512 seeds (4.5 se; the largest of 12-16 compared modes is ~2.5 se); modes within 25% (gpu: 20%) of the threshold, "
        "where the approach to the Gamma law is slow, are excluded",
        profiles=TS_MODE_PROFILES,
        kind="prediction",
        tags=("teacher-student",),
    ),
    Claim(
        id="stochastic_collapse.teacher_student_generalization",
        statement="Diagonal linear teacher-student (paper Fig. 5): the test error of SGD at noise sigma is the closed form of the soft-thresholded student; strong noise removes spurious modes and lowers it.",
        theory=generalization_theory,
        practice=generalization_practice,
        compare="rel_l2",
        tolerance=0.02,
        tolerance_reason="time-averaged test MSE over 16 seeds: relative se ~0.3% per sigma; 2% covers 4 se plus the O(eta) bias of the recursion",
        profiles=profiles(
            # tiny: as small as still tells a threshold 1.2x off from the right one (mutation test)
            tiny=dict(**TS, eta=0.01, sigmas_paper=[0, 5, 10, 15, 20], n_seeds=16, steps=12000, avg_from=5000, eps=1e-3),
            quick=dict(**TS, eta=0.01, sigmas_paper=[0, 5, 10, 15, 20], n_seeds=16, steps=14000, avg_from=6000, eps=1e-3),
            gpu=dict(**TS, eta=3 / 1024, sigmas_paper=[0, 5, 10, 15, 20], n_seeds=32, steps=50000, avg_from=20000, eps=1e-3),
            paper=dict(**TS, eta=3 / 1024, sigmas_paper=[0, 5, 10, 15, 20], n_seeds=256, steps=50000, avg_from=20000, eps=1e-3),
            seeds=1,
        ),
        figure=generalization_figure,
        kind="prediction",
        tags=("teacher-student", "generalization"),
    ),
    Claim(
        id="stochastic_collapse.teacher_student_two_phase",
        statement="A longer large-learning-rate phase before the drop eta -> eta/10 collapses more modes and lowers the final test error (paper §6 mechanism, Fig. 6).",
        theory=two_phase_theory,
        practice=two_phase_practice,
        compare="at_most",
        tolerance=0.0,
        tolerance_reason="sign claim: the final-error difference (longest minus shortest phase 1, mean over seeds) must be <= 0; its se is reported",
        profiles=profiles(
            tiny=dict(**TS, eta=0.01, sigma_paper=15.0, phase1_steps=[200, 400], phase2_steps=200, n_seeds=4, eps=1e-3),
            quick=dict(**TS, eta=0.01, sigma_paper=15.0, phase1_steps=[3000, 6000, 12000], phase2_steps=3000, n_seeds=32, eps=1e-3),
            gpu=dict(**TS, eta=3 / 1024, sigma_paper=15.0, phase1_steps=[10000, 20000, 40000], phase2_steps=10000, n_seeds=64, eps=1e-3),
            paper=dict(**TS, eta=3 / 1024, sigma_paper=15.0, phase1_steps=[10000, 20000, 40000], phase2_steps=10000, n_seeds=256, eps=1e-3),
            seeds=1,
        ),
        kind="prediction",
        tags=("teacher-student", "learning-rate schedule"),
    ),
    Claim(
        id="stochastic_collapse.teacher_student_full_network",
        statement="General teacher-student script: a full two-layer linear network trained with minibatch SGD soft-thresholds each mode at eta sigma_B^2/2, "
        "with sigma_B the batch noise of the mode; smaller batches therefore leave fewer surviving modes and a lower test error.",
        theory=full_network_theory,
        practice=full_network_practice,
        compare="interval",
        tolerance=0.0,
        tolerance_reason="0 outside the theory's intervals, decided by the 95% bootstrap over seeds. (a) each mode's time average (mean of the replicates) "
        "within band = 0.05 of its stationary mean: at quick the seed-mean se is <= 0.018 at batch 4 (sigma_B/sqrt(steps x replicates)), 0.009 over 4 seeds, and "
        "the largest bias seen (discrete steps, batch 64) is 0.012; modes within 15% of their threshold relax at a rate ~|s - threshold| and only get [0, s] widened by the band. "
        "(b) the smallest batch against each larger one: surviving modes (p > 1e-3 at the end, mean over replicates) at least half a mode fewer where the theory "
        "predicts >= 1 fewer, and a relative test-error difference <= 0 where it predicts a lower error",
        profiles=TS_FULL_PROFILES,
        paper_value=PaperValue(value="smaller batch -> stronger collapse, lower rank, lower test loss", source="official run_teacher_student_general.py (brief B.5)",
                               note="batch 1, 2, 4, 8, 16, 1024 on X ~ U[0,1)/sqrt(n); the paper shows no numbers for this run"),
        figure=full_network_figure,
        kind="prediction",
        tags=("teacher-student", "batch size", "generalization"),
    ),
    Claim(
        id="stochastic_collapse.digits_collapse_vs_lr",
        statement="In a GELU MLP trained with SGD on digits, a larger learning rate gives more collapsed (vanishing or identical) neurons (paper Fig. 3/4 on CIFAR; here digits, reported as measured).",
        theory=at_least_one_more,
        practice=collapse_vs_lr_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="integer counts: collapsed neurons at the largest lr minus at the smallest (mean over replicates) must be >= 1, decided by the 95% "
        "interval from the replicates' standard error",
        profiles=profiles(tiny=DIGITS_TINY, quick=DIGITS_QUICK, gpu=DIGITS_GPU, paper=NO_CIFAR, seeds=1),
        figure=collapse_vs_lr_figure,
        kind="prediction",
        tags=("networks", "digits"),
    ),
    Claim(
        id="stochastic_collapse.digits_collapse_vs_time",
        statement="At a large learning rate the number of collapsed neurons grows with training time (collapse is progressive).",
        theory=at_least_one_more,
        practice=collapse_vs_time_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="integer counts: collapsed neurons at the last log minus at the first (largest lr, mean over replicates) must be >= 1, decided by "
        "the 95% interval from the replicates' standard error",
        profiles=profiles(tiny=DIGITS_TINY, quick=DIGITS_QUICK, gpu=DIGITS_GPU, paper=NO_CIFAR, seeds=1),
        kind="prediction",
        tags=("networks", "digits"),
    ),
    Claim(
        id="stochastic_collapse.digits_long_phase_collapse",
        statement="A longer large-learning-rate phase before the drop leaves more collapsed neurons after fine-tuning, at equal total steps (paper Fig. 6: fewer independent neurons).",
        theory=at_least_one_more,
        practice=phase_collapse_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="integer counts: collapsed neurons after the latest drop minus after the earliest (mean over replicates; every drop run trains the same "
        "total steps) must be >= 1, decided by the 95% interval from the replicates' standard error",
        profiles=profiles(tiny=DIGITS_TINY, quick=DIGITS_QUICK, gpu=DIGITS_GPU, paper=NO_CIFAR, seeds=1),
        kind="prediction",
        tags=("networks", "digits", "learning-rate schedule"),
    ),
    Claim(
        id="stochastic_collapse.digits_long_phase_generalization",
        statement="A later learning-rate drop yields higher final test accuracy (paper Fig. 6 caption), compared at equal total steps (reported as measured on digits).",
        theory=later_drop_not_worse,
        practice=phase_accuracy_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="sign claim: the accuracy difference (latest minus earliest drop; every drop run trains the same total steps, the earlier drop "
        "fine-tuning longer at the small rate) must be >= 0. Its se combines the replicates' spread and the paired per-image noise of the 497 test images "
        "(quick: ~0.004), and the 95% interval decides: a null effect is INCONCLUSIVE, not a coin flip",
        profiles=profiles(tiny=DIGITS_TINY, quick=DIGITS_QUICK, gpu=DIGITS_GPU, paper=NO_CIFAR, seeds=1),
        paper_value=PaperValue(value="later drop -> higher accuracy", source="Fig. 6 caption", note="VGG-16/CIFAR-10 and ResNet-18/CIFAR-100; values not available"),
        kind="prediction",
        tags=("networks", "digits", "learning-rate schedule", "generalization"),
    ),
]
