"""Claims of Kunin et al. (NeurIPS 2024), "Get rich quick: exact solutions reveal how unbalanced
initializations promote rapid feature learning", claim by claim (brief's claims 1-24).

Theory sides use `theory.lazy_rich` (sympy-derived closed forms); practice sides integrate the
gradient flows with diffrax (`numerics.lazy_rich`, float64, rtol 1e-12 unless stated), run gradient
descent, or train torch networks. Deterministic claims draw their random problems from a
`case_seed` in the config, so both sides see the same problems; their practice side runs one seed.
"""

from __future__ import annotations

import dataclasses

from verify.core.claims import Claim, PaperValue, Profile, profiles
from verify.lazy_rich import _ext as E
from verify.lazy_rich import _figures as F
from verify.lazy_rich import _nets as N
from verify.lazy_rich import _single as S

P = "lazy_rich"

_CASES_Q = dict(case_seed=0, n_cases=25, d=5, n=8, t_max=10.0, n_times=41)
_CASES_G = dict(case_seed=0, n_cases=200, d=8, n=16, t_max=10.0, n_times=101)
_FIG3 = dict(case_seed=0, n=6, deltas=[-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 16.0, 64.0], t_max=40.0, dt=0.01, t_eval=20.0,
             loss_deltas=[0.0, -1.0, -2.0, -4.0], loss_fraction=0.01, dip_deltas=[-1.0, -2.0, -4.0])
_RELU_GRID_Q = dict(d=20, n=200, m=50, n_test=2000, lr0=5e-3, steps=100, taus=[0.1, 0.3, 1.0, 2.0],
                    deltas=[-1.0, -0.5, 0.0, 0.5, 1.0], tau_small=0.1, tau_large=2.0, delta_up=1.0, delta_down=-1.0)
_RELU_GRID_G = dict(_RELU_GRID_Q, d=100, n=1000, n_test=10000, taus=[0.1, 0.2, 0.5, 1.0, 2.0],
                    deltas=[-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0])
_ODE_REASON = "diffrax Dopri8 at rtol 1e-12, atol 1e-14 (global error ~1e-10 over t <= 10)"

CLAIMS: list[Claim] = [
    # ------------------------------------------------------------------ 1-4 conservation
    Claim(
        id=f"{P}.delta_conserved",
        statement="delta = eta_w a^2 - eta_a |w|^2 is constant along gradient flow for any X, y and unequal learning rates (Fig. 2).",
        theory=S.delta_conserved_theory, practice=S.delta_conserved_practice,
        compare="abs", tolerance=1e-9,
        tolerance_reason=_ODE_REASON + "; the brief's 1e-9 on max|delta(t)-delta(0)|/max(1,|delta(0)|) over t in [0, 10]",
        profiles=profiles(quick=dict(n=8, d=5, batch=16, t_max=10.0, eta_a=0.7, eta_w=1.6),
                          gpu=dict(n=64, d=32, batch=256, t_max=10.0, eta_a=0.7, eta_w=1.6), seeds=2),
        aggregate="worst", tags=("conservation",),
    ),
    Claim(
        id=f"{P}.gd_drift_order_h",
        statement="Under gradient descent with step h, delta drifts by O(h) over a fixed horizon: halving h halves the drift.",
        theory=S.gd_drift_theory, practice=S.gd_drift_practice,
        compare="abs", tolerance=0.1,
        tolerance_reason="the ratio is 1/2 + O(h) (next order of the per-step O(h^2) change); the brief's band [0.4, 0.6]",
        profiles=profiles(quick=dict(n=8, d=5, h=1e-3, T=1.0, eta_a=0.7, eta_w=1.6),
                          gpu=dict(n=8, d=5, h=1e-4, T=1.0, eta_a=0.7, eta_w=1.6), seeds=2),
        aggregate="worst", tags=("conservation", "gd"),
    ),
    Claim(
        id=f"{P}.deep_delta_conserved",
        statement="Wide, multi-output and deep linear nets conserve Delta_l = eta_l W_{l+1}^T W_{l+1} - eta_{l+1} W_l W_l^T entrywise.",
        theory=E.deep_conserved_theory, practice=E.deep_conserved_practice,
        compare="abs", tolerance=1e-9,
        tolerance_reason="diffrax Dopri8 at rtol 1e-12, atol 1e-13 over t in [0, 5]; relative to max(1, |Delta_l(0)|)",
        profiles=profiles(quick=dict(n=10, d=4, t_max=5.0), gpu=dict(n=10, d=4, t_max=20.0), seeds=1),
        aggregate="worst", tags=("conservation", "deep"),
    ),
    Claim(
        id=f"{P}.deep_unweighted_not_conserved",
        statement="The unweighted difference W_{l+1}^T W_{l+1} - W_l W_l^T is not conserved when eta_l != eta_{l+1}.",
        theory=E.unweighted_theory, practice=E.unweighted_practice,
        compare="at_least", tolerance=0.0,
        tolerance_reason="threshold 1e-6 (the brief's 'change >> 1e-6'), 3 orders above the ODE error of the conserved version",
        profiles=profiles(quick=dict(n=10, d=4, t_max=5.0, threshold=1e-6), gpu=dict(n=10, d=4, t_max=20.0, threshold=1e-6), seeds=1),
        aggregate="worst", tags=("conservation", "deep"),
    ),
    Claim(
        id=f"{P}.relu_delta_conserved",
        statement="In a two-layer ReLU net the per-neuron delta_k = eta_w a_k^2 - eta_a |w_k|^2 is conserved under gradient flow.",
        theory=E.relu_conserved_theory, practice=E.relu_conserved_practice,
        compare="abs", tolerance=1e-9,
        tolerance_reason="diffrax Dopri8 at rtol 1e-12 through the ReLU switching times (adaptive steps resolve the kinks; "
                         "counters give the activation flips crossed and the horizon reached)",
        profiles=profiles(quick=dict(d=5, n=50, m=10, init_scale=0.5, t_max=3.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3),
                          gpu=dict(d=10, n=200, m=50, init_scale=0.5, t_max=5.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3), seeds=1),
        aggregate="worst", tags=("conservation", "relu"),
    ),
    Claim(
        id=f"{P}.relu_offdiag_not_conserved",
        statement="The off-diagonal entries of eta_w a a^T - eta_a W W^T of a ReLU net change by O(1) (only the diagonal is conserved).",
        theory=E.relu_offdiag_theory, practice=E.relu_offdiag_practice,
        compare="at_least", tolerance=0.0,
        tolerance_reason="O(1) relative change predicted; threshold 1e-3 of the initial off-diagonal scale, 6 orders above ODE error",
        profiles=profiles(quick=dict(d=5, n=50, m=10, init_scale=0.5, t_max=3.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3),
                          gpu=dict(d=10, n=200, m=50, init_scale=0.5, t_max=5.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3), seeds=1),
        aggregate="worst", tags=("conservation", "relu"),
    ),
    Claim(
        id=f"{P}.relu_gd_drift_order_h",
        statement="Under GD the ReLU per-neuron delta_k drift vanishes linearly in the step h.",
        theory=E.relu_gd_theory, practice=E.relu_gd_practice,
        compare="abs", tolerance=0.1,
        tolerance_reason="ratio 1/2 + O(h); the brief's band [0.4, 0.6]",
        profiles=profiles(quick=dict(d=5, n=50, m=10, init_scale=0.5, t_max=1.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3),
                          gpu=dict(d=10, n=200, m=50, init_scale=0.5, t_max=1.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-4), seeds=1),
        aggregate="worst", tags=("conservation", "relu", "gd"),
    ),
    # ------------------------------------------------------------------ 5-10 exact dynamics
    Claim(
        id=f"{P}.beta_only_ode",
        statement="beta' = -M(beta; delta) X^T (X beta - y), with M a function of beta and delta alone, reproduces a(t) w(t) for any X and learning rates.",
        theory=S.beta_ode_theory, practice=S.beta_ode_practice,
        compare="abs", tolerance=1e-9,
        tolerance_reason=_ODE_REASON + "; two independent integrations (parameters and beta) differ by their sum",
        profiles=profiles(quick=dict(n=8, d=5, batch=16, t_max=8.0, eta_a=0.7, eta_w=1.6),
                          gpu=dict(n=32, d=16, batch=128, t_max=8.0, eta_a=0.7, eta_w=1.6), seeds=1),
        aggregate="worst", tags=("exact",),
    ),
    Claim(
        id=f"{P}.closed_form_vs_ode",
        statement="The exact whitened solution a = abar/sqrt(G), w = (pbar bhat* + e^{-delta t/2} w_perp)/sqrt(G) matches gradient flow "
                  "for delta < 0, = 0, > 0, a0 < 0, a changing sign and unequal learning rates.",
        theory=S.closed_form_theory, practice=S.closed_form_practice,
        compare="abs", tolerance=1e-8,
        tolerance_reason=_ODE_REASON + "; the brief's 1e-8 over t in [0, 10], >= 20 cases covering every regime",
        profiles=profiles(quick=_CASES_Q, gpu=_CASES_G, seeds=1), aggregate="worst", tags=("exact",),
    ),
    Claim(
        id=f"{P}.reduced_system",
        statement="(mu, phi) of the closed form obey mu' = Sigma (phi s - mu), phi' = (delta + Sigma) s (1 - phi^2)/(2 mu).",
        theory=S.reduced_theory, practice=S.reduced_practice,
        compare="abs", tolerance=1e-9,
        tolerance_reason="scipy DOP853 at rtol 1e-13, atol 1e-14 on the 2-D system (an integrator independent of diffrax)",
        profiles=profiles(quick=_CASES_Q, gpu=_CASES_G, seeds=1), aggregate="worst", tags=("exact",),
    ),
    Claim(
        id=f"{P}.riccati",
        statement="zeta = w.beta*/a obeys zeta' = s^2 - delta zeta - zeta^2, solved by the tanh (|T0| < 1) or coth (|T0| > 1) branch.",
        theory=S.riccati_theory, practice=S.riccati_practice,
        compare="rel", tolerance=1e-9,
        tolerance_reason=_ODE_REASON + "; zeta = w.beta*/a amplifies the ODE error by up to |zeta|/|a| (|a| >= 0.2, "
                         "|zeta| <= 4 here), so the error is taken relative to max|zeta|",
        profiles=profiles(quick=dict(case_seed=0, n_cases=10, d=4, n=8, t_max=8.0, n_times=41),
                          gpu=dict(case_seed=0, n_cases=100, d=8, n=16, t_max=8.0, n_times=101), seeds=1),
        aggregate="worst", tags=("exact",),
    ),
    Claim(
        id=f"{P}.balanced_formula",
        statement="Balanced (delta = 0, a0 > 0): phi(t) = tanh(artanh phi0 + sqrt(eta_a eta_w) s t) and mu(t) = s(1 + cosh 2u)/(2u + sinh 2u + c).",
        theory=S.balanced_theory, practice=S.balanced_practice,
        compare="abs", tolerance=1e-9,
        tolerance_reason=_ODE_REASON,
        profiles=profiles(quick=dict(case_seed=0, n_cases=8, d=4, n=8, t_max=10.0, n_times=41),
                          gpu=dict(case_seed=0, n_cases=64, d=8, n=16, t_max=10.0, n_times=101), seeds=1),
        aggregate="worst", tags=("exact", "balanced"),
    ),
    Claim(
        id=f"{P}.long_time_convergence",
        statement="For generic inits (|a0|, |w0| in [1e-3, 3]) beta(t) -> beta*; the stable closed form evaluated at t = 1e3 "
                  "is within 1e-12 of beta* (no overflow, no cancellation).",
        theory=S.long_time_theory, practice=S.long_time_practice,
        compare="abs", tolerance=1e-12,
        tolerance_reason="float64 evaluation of the stable form (every term bounded since D >= |delta|); |beta*| = 1",
        profiles=profiles(quick=dict(batch=200, d=5, t_long=1e3), gpu=dict(batch=100000, d=5, t_long=1e3), seeds=2),
        aggregate="worst", tags=("exact", "numerics"),
    ),
    # ------------------------------------------------------------------ 11-17 regimes
    Claim(
        id=f"{P}.upstream_lazy_limit",
        statement="delta -> +inf: beta(t/delta) -> beta* + e^{-t}(beta0 - beta*) (linear-regression kernel), with error ~ 1/delta^2.",
        theory=S.limit_slope_theory, practice=S.upstream_limit_practice,
        compare="abs", tolerance=0.05,
        tolerance_reason="log-log slope over delta in {10, 100, 1000}; O(1/delta) corrections to the 1/delta^2 law shift it by < 0.01; "
                         "ODE error (1e-12) << smallest limit error (2e-7)",
        paper_value=PaperValue(-2.0, "brief claim 11 (ratio between delta = 10 and 100 in [50, 200])"),
        profiles=profiles(quick=dict(case_seed=0, d=3, n=6, deltas=[10.0, 100.0, 1000.0], t_rescaled=5.0),
                          gpu=dict(case_seed=0, d=3, n=6, deltas=[10.0, 100.0, 1000.0, 10000.0], t_rescaled=5.0), seeds=1),
        aggregate="worst", tags=("regimes", "upstream"),
    ),
    Claim(
        id=f"{P}.downstream_lazy_limit",
        statement="delta -> -inf: beta(t/|delta|) -> beta0 + (1 - e^{-t})(bhat0.(beta* - beta0)) bhat0 (frozen direction), error ~ 1/delta^2.",
        theory=S.limit_slope_theory, practice=S.downstream_limit_practice,
        compare="abs", tolerance=0.05,
        tolerance_reason="log-log slope over |delta| in {10, 100, 1000}; O(1/delta) corrections shift it by < 0.01",
        profiles=profiles(quick=dict(case_seed=0, d=3, n=6, deltas=[10.0, 100.0, 1000.0], t_rescaled=5.0),
                          gpu=dict(case_seed=0, d=3, n=6, deltas=[10.0, 100.0, 1000.0, 10000.0], t_rescaled=5.0), seeds=1),
        aggregate="worst", tags=("regimes", "downstream"),
    ),
    Claim(
        id=f"{P}.kernel_distance_fig3",
        statement="S(0, t) of the empirical NTK Gram matrix equals the closed form on d x d kernels along the exact trajectory (Fig. 3, T = 20).",
        theory=S.kernel_fig3_theory, practice=S.kernel_fig3_practice,
        compare="abs", tolerance=1e-7,
        tolerance_reason=_ODE_REASON + "; S is smooth in the parameters",
        profiles=profiles(quick=_FIG3, gpu=_FIG3, seeds=1), aggregate="worst", figure=F.fig3_curves, tags=("regimes", "kernel"),
    ),
    Claim(
        id=f"{P}.kernel_lazy_monotone",
        statement="S(0, 20) is strictly decreasing in delta over {-4, ..., 4, 16, 64} and tends to 0 as delta -> +inf (upstream is lazy).",
        theory=S.kernel_monotone_theory, practice=S.kernel_monotone_practice,
        compare="at_least", tolerance=0.0,
        tolerance_reason="sign prediction: every consecutive decrease must be >= 0 (they are >= 1e-4, ODE error 1e-10)",
        profiles=profiles(quick=_FIG3, gpu=_FIG3, seeds=1), aggregate="worst", tags=("regimes", "kernel"),
    ),
    Claim(
        id=f"{P}.delayed_rich_loss_time",
        statement="Downstream is delayed rich: the time to reach 1% of the initial loss grows with |delta| (Fig. 3 setup).",
        theory=S.delayed_rich_theory, practice=S.delayed_rich_practice,
        compare="abs", tolerance=1e-3,
        tolerance_reason="ODE sampled every 0.01, crossing by linear interpolation of log loss (error ~1e-5)",
        paper_value=PaperValue([2.70, 5.24, 9.34, float("nan")], "brief's table (delta = 0, -1, -2, -4; '> 20' for -4)", "brief's own computation, not the paper's"),
        profiles=profiles(quick=_FIG3, gpu=_FIG3, seeds=1), aggregate="worst", tags=("regimes", "downstream"),
    ),
    Claim(
        id=f"{P}.delayed_alignment_scaling",
        statement="For delta -> -inf the late alignment time grows proportionally to |delta|.",
        theory=S.align_scaling_theory, practice=S.align_scaling_practice,
        compare="rel", tolerance=0.02,
        tolerance_reason="asymptotic law t/|delta| -> [G(phi1) - G(phi0)]/s^2 with O(1/|delta|) relative corrections (2% at |delta| = 50)",
        profiles=profiles(quick=dict(case_seed=0, n=4, phi0=0.5, phi1=0.9, beta0_norm=0.5, align_deltas=[50.0, 100.0]),
                          gpu=dict(case_seed=0, n=4, phi0=0.5, phi1=0.9, beta0_norm=0.5, align_deltas=[50.0, 100.0, 200.0, 400.0]), seeds=1),
        aggregate="worst", tags=("regimes", "downstream"),
    ),
    Claim(
        id=f"{P}.downstream_dip",
        statement="Downstream: mu first drops (beta is projected on the frozen direction) to min_t mu(t), then rises (Fig. 3).",
        theory=S.dip_theory, practice=S.dip_practice,
        compare="abs", tolerance=1e-5,
        tolerance_reason="ODE sampled every 0.01, minimum refined by a parabola through 3 points (error O(dt^3))",
        paper_value=PaperValue([0.427, 0.235, 0.071], "brief's table (delta = -1, -2, -4)", "brief's own computation"),
        profiles=profiles(quick=_FIG3, gpu=_FIG3, seeds=1), aggregate="worst", tags=("regimes", "downstream"),
    ),
    Claim(
        id=f"{P}.downstream_dip_ordering",
        statement="min_t mu(t) < mu(0) for delta < 0 and the dip deepens as |delta| grows (delta = -1, -2, -4).",
        theory=S.dip_order_theory, practice=S.dip_order_practice,
        compare="at_least", tolerance=0.0,
        tolerance_reason="sign prediction; the differences are O(0.1), ODE error 1e-10",
        profiles=profiles(quick=_FIG3, gpu=_FIG3, seeds=1), aggregate="worst", tags=("regimes", "downstream"),
    ),
    Claim(
        id=f"{P}.silent_alignment_time",
        statement="Balanced small init: the time for phi to reach 0.99 does not depend on the init scale eps (silent alignment).",
        theory=S.silent_time_theory, practice=S.silent_time_practice,
        compare="abs", tolerance=1e-4,
        tolerance_reason="ODE sampled every 0.005, linear interpolation of phi (error ~1e-6); brief asks 1e-2",
        profiles=profiles(quick=dict(case_seed=0, n=4, phi0=0.2, phi_align=0.99, eps=[1e-2, 1e-4, 1e-6, 1e-8], t_max=12.0, dt=0.005),
                          gpu=dict(case_seed=0, n=4, phi0=0.2, phi_align=0.99, eps=[1e-2, 1e-4, 1e-6, 1e-8, 1e-10], t_max=14.0, dt=0.005), seeds=1),
        aggregate="worst", tags=("regimes", "balanced"),
    ),
    Claim(
        id=f"{P}.silent_alignment_loss_delay",
        statement="Balanced small init: each factor 100 smaller eps delays the 10% loss drop by log(100)/(2s): alignment precedes growth.",
        theory=S.silent_delay_theory, practice=S.silent_delay_practice,
        compare="abs", tolerance=0.05,
        tolerance_reason="asymptotic (eps -> 0) law; finite-eps correction ~0.03 at eps = 1e-2 (brief's +-0.05)",
        profiles=profiles(quick=dict(case_seed=0, n=4, phi0=0.2, phi_align=0.99, eps=[1e-2, 1e-4, 1e-6, 1e-8], t_max=12.0, dt=0.005),
                          gpu=dict(case_seed=0, n=4, phi0=0.2, phi_align=0.99, eps=[1e-2, 1e-4, 1e-6, 1e-8, 1e-10], t_max=14.0, dt=0.005), seeds=1),
        aggregate="worst", tags=("regimes", "balanced"),
    ),
    Claim(
        id=f"{P}.upstream_sign_invariant",
        statement="delta > 0 (two-sheeted hyperboloid): sign(a(t)) = sign(a0) for all t, for any X.",
        theory=S.sign_invariant_theory, practice=S.sign_invariant_practice,
        compare="equal", tolerance=0,
        tolerance_reason="exact count of trajectories whose readout changes sign",
        profiles=profiles(quick=dict(n=8, d=5, batch=64, t_max=20.0, eta_a=0.7, eta_w=1.6),
                          gpu=dict(n=32, d=16, batch=1024, t_max=20.0, eta_a=0.7, eta_w=1.6), seeds=2),
        aggregate="worst", tags=("geometry",),
    ),
    Claim(
        id=f"{P}.downstream_sign_change",
        statement="delta < 0 (one-sheeted hyperboloid): the readout can change sign, at the closed-form time tanh(Dt/2) = -D a0/(2 s p0 + delta a0).",
        theory=S.sign_change_theory, practice=S.sign_change_practice,
        compare="abs", tolerance=1e-4,
        tolerance_reason="ODE sampled every 0.005, crossing by linear interpolation of a(t) (error ~1e-6)",
        profiles=profiles(quick=dict(_CASES_Q, dt=0.005), gpu=dict(_CASES_G, dt=0.005), seeds=1),
        aggregate="worst", tags=("geometry", "downstream"),
    ),
    # ------------------------------------------------------------------ 18-20 low rank
    Claim(
        id=f"{P}.mirror_potential",
        statement="grad Phi_delta = sqrt((Sigma - delta)/2) bhat; Phi_delta is convex; Phi_0 = (2/3)|b|^{3/2}.",
        theory=S.potential_theory, practice=S.potential_practice,
        compare="abs", tolerance=1e-8,
        tolerance_reason="central differences with h = 1e-5 (truncation ~1e-10, round-off ~1e-11); the brief's 1e-8",
        profiles=profiles(quick=dict(d=4, n_points=40), gpu=dict(d=8, n_points=400), seeds=2),
        aggregate="worst", tags=("implicit_bias",),
    ),
    Claim(
        id=f"{P}.potential_limits",
        statement="Phi_delta ~ |b|^2/(2 sqrt(delta)) + c for delta >> |b| (lazy, l2) and ~ sqrt(|delta|)|b| for -delta >> |b| (direction-preserving).",
        theory=S.potential_limits_theory, practice=S.potential_limits_practice,
        compare="abs", tolerance=1e-5,
        tolerance_reason="next-order remainders |b|^4/(4 delta^2) <= 4e-6 and |b|^3/(6 delta^2) <= 1.4e-6 at |delta| = 1e3, |b| <= 2",
        profiles=profiles(quick=dict(case_seed=0, d=4, n_points=40, big_delta=1e3), gpu=dict(case_seed=0, d=8, n_points=400, big_delta=1e3), seeds=1),
        aggregate="worst", tags=("implicit_bias",),
    ),
    Claim(
        id=f"{P}.implicit_bias",
        statement="Low-rank X: gradient flow converges to argmin_{X beta = y} Phi_delta(beta) - grad Phi_delta(beta0).beta when a keeps its sign (Fig. 4b).",
        theory=E.implicit_bias_theory, practice=E.implicit_bias_practice,
        compare="abs", tolerance=1e-6,
        tolerance_reason="gradient flow to t = 400 (change over the last half < 1e-10) at rtol 1e-12; the brief's 1e-6",
        profiles=profiles(quick=dict(case_seed=0, fig4b_deltas=[-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0], n_random=8,
                                     random_deltas=[0.0, 0.5, 2.0, -0.3], t_long=400.0),
                          gpu=dict(case_seed=0, fig4b_deltas=[-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0], n_random=64,
                                   random_deltas=[0.0, 0.5, 2.0, -0.3], t_long=400.0), seeds=1),
        aggregate="worst", figure=F.bias_path, tags=("implicit_bias",),
    ),
    Claim(
        id=f"{P}.implicit_bias_limits",
        statement="beta_inf -> beta0 + X^+(y - X beta0) as delta -> +inf; -> the interpolant on the ray of beta0 as delta -> -inf; "
                  "-> X^+ y as |w0| -> 0 with delta >= 0.",
        theory=E.bias_limits_theory, practice=E.bias_limits_practice,
        compare="abs", tolerance=5e-3,
        tolerance_reason="finite-parameter corrections predicted by the Phi_delta argmin: 2e-5 (delta = 100), 4e-3 (delta = -40), "
                         "7e-5 (eps = 1e-4, delta = 1); ODE error 1e-9",
        profiles=profiles(quick=dict(case_seed=0, up_delta=100.0, down_delta=40.0, eps=1e-4, small_down_delta=1.0,
                                     t_long_up=2.0, t_long_down=1500.0, t_long_small=400.0),
                          gpu=dict(case_seed=0, up_delta=100.0, down_delta=40.0, eps=1e-4, small_down_delta=1.0,
                                   t_long_up=2.0, t_long_down=1500.0, t_long_small=400.0), seeds=1),
        aggregate="worst", tags=("implicit_bias",),
    ),
    Claim(
        id=f"{P}.downstream_small_init_bias",
        statement="Downstream with beta0 -> 0 does not converge to X^+ y: grad Phi(beta0) -> sqrt(|delta|) bhat0 keeps a bias toward the init direction.",
        theory=E.small_down_theory, practice=E.small_down_practice,
        compare="rel", tolerance=1e-4,
        tolerance_reason="theory: the Phi_delta argmin at the same eps = 1e-4; GF to t = 400 at rtol 1e-12",
        profiles=profiles(quick=dict(case_seed=0, up_delta=100.0, down_delta=40.0, eps=1e-4, small_down_delta=1.0,
                                     t_long_up=2.0, t_long_down=1500.0, t_long_small=400.0),
                          gpu=dict(case_seed=0, up_delta=100.0, down_delta=40.0, eps=1e-4, small_down_delta=1.0,
                                   t_long_up=2.0, t_long_down=1500.0, t_long_small=400.0), seeds=1),
        aggregate="worst", tags=("implicit_bias", "downstream"),
    ),
    # ------------------------------------------------------------------ 21-22 multiple outputs
    Claim(
        id=f"{P}.multi_output_singular_values",
        statement="Delta = delta I, aligned SVDs, whitened inputs: each singular value follows sigma' = -sqrt(delta^2 + 4 eta_a eta_w sigma^2)(sigma - sigma*).",
        theory=E.multi_sv_theory, practice=E.multi_sv_practice,
        compare="abs", tolerance=1e-9,
        tolerance_reason=_ODE_REASON + " (matrix flow of A, W with c = h = d = 3)",
        profiles=profiles(quick=dict(case_seed=0, c=3, n=6, deltas=[-2.0, 0.0, 0.5, 3.0], eta_a=0.8, eta_w=1.5, t_max=6.0),
                          gpu=dict(case_seed=0, c=8, n=16, deltas=[-2.0, -0.5, 0.0, 0.5, 3.0], eta_a=0.8, eta_w=1.5, t_max=6.0), seeds=1),
        aggregate="worst", tags=("multi_output",),
    ),
    Claim(
        id=f"{P}.multi_output_mirror_flow",
        statement="The singular values follow the mirror flow d/dt[arcsinh(2k sigma/|delta|)/(2k)] = -(sigma - sigma*) (hyperbolic entropy).",
        theory=E.multi_mirror_theory, practice=E.multi_mirror_practice,
        compare="abs", tolerance=1e-8,
        tolerance_reason=_ODE_REASON + "; the derivative is read off the network's gradient at the integrated states",
        profiles=profiles(quick=dict(case_seed=0, c=3, n=6, deltas=[-2.0, 0.0, 0.5, 3.0], eta_a=0.8, eta_w=1.5, t_max=6.0),
                          gpu=dict(case_seed=0, c=8, n=16, deltas=[-2.0, -0.5, 0.0, 0.5, 3.0], eta_a=0.8, eta_w=1.5, t_max=6.0), seeds=1),
        aggregate="worst", tags=("multi_output",),
    ),
    Claim(
        id=f"{P}.hyperbolic_entropy_limits",
        statement="psi_gamma -> sigma^2/(4k gamma) + const as gamma -> inf (l2, lazy) and ~ sigma log(1/gamma)/(2k) as gamma -> 0 (l1, rich).",
        theory=E.entropy_theory, practice=E.entropy_practice,
        compare="abs", tolerance=1e-6,
        tolerance_reason="remainders sigma^2/(12 gamma^2) <= 4e-7 at gamma = 1e3 and O(gamma^2) at gamma = 1e-8; float64 cancellation ~1e-10",
        profiles=profiles(quick=dict(eta_a=0.8, eta_w=1.5, gamma_big=1e3, gamma_small=1e-8),
                          gpu=dict(eta_a=0.8, eta_w=1.5, gamma_big=1e3, gamma_small=1e-8), seeds=1),
        aggregate="worst", tags=("multi_output",),
    ),
    # ------------------------------------------------------------------ 23 ReLU phase diagram
    Claim(
        id=f"{P}.relu_rapid_rich",
        statement="Small tau = 0.1 (ReLU teacher-student, 100 GD steps): test loss upstream < balanced < downstream; Hamming "
                  "upstream > balanced > downstream; parameter distance upstream < balanced (Fig. 1, Fig. 5b).",
        theory=N.relu_rich_theory, practice=N.relu_rich_practice,
        compare="at_least", tolerance=0.0,
        tolerance_reason="sign predictions, median over seeds (bootstrap interval in the report)",
        profiles=profiles(quick=_RELU_GRID_Q, gpu=_RELU_GRID_G, seeds={"quick": 4, "gpu": 16}),
        aggregate="median", figure=F.relu_phase, tags=("relu", "phase_diagram"),
    ),
    Claim(
        id=f"{P}.relu_lazy_large_scale",
        statement="Large overall scale tau = 2: lazy for every delta in [-1, 1] (S(0,t) < 1e-2, Hamming < 1 after 100 steps).",
        theory=N.relu_lazy_theory, practice=N.relu_lazy_practice,
        compare="at_most", tolerance=0.0,
        tolerance_reason="thresholds of the brief (S < 1e-2, Hamming < 1); median over seeds",
        profiles=profiles(quick=dict(_RELU_GRID_Q, S_max=1e-2, hamming_max=1.0), gpu=dict(_RELU_GRID_G, S_max=1e-2, hamming_max=1.0),
                          seeds={"quick": 4, "gpu": 16}),
        aggregate="median", tags=("relu", "phase_diagram"),
    ),
    # ------------------------------------------------------------------ 24 deep networks (experiments; a FAIL is a finding)
    Claim(
        id=f"{P}.grokking_upstream_faster",
        statement="Upstream initialisation (first layer small relative to the readout) shortens the time to grok modular addition "
                  "(Sec. 6; our two-layer ReLU MLP + GD proxy of the paper's transformer).",
        theory=N.grok_theory, practice=N.grok_practice,
        compare="at_least", tolerance=0.0,
        tolerance_reason="sign prediction on log step ratios, median over seeds (bootstrap interval in the report); runs that do "
                         "not reach the accuracy threshold are censored at max_steps",
        profiles=profiles(quick=dict(p=23, width=256, train_fraction=0.6, lr=2.0, weight_decay=1e-3, max_steps=3000, eval_every=50,
                                     test_acc=0.9, alpha_up=0.5, alpha_down=2.0),
                          gpu=dict(p=47, width=512, train_fraction=0.5, lr=2.0, weight_decay=1e-3, max_steps=10000, eval_every=50,
                                   test_acc=0.95, alpha_up=0.5, alpha_down=2.0),
                          seeds={"quick": 3, "gpu": 5}),
        aggregate="median", figure=F.grok_fig, tags=("deep", "grokking", "experiment"),
    ),
    Claim(
        id=f"{P}.digits_kernel_distance",
        statement="Upstream initialisation (first layer x alpha, last layer / alpha, alpha < 1) increases the early kernel distance "
                  "S(0,t) of a deep ReLU net on real data (scikit-learn digits), monotonically in alpha (Sec. 6).",
        theory=N.digits_theory, practice=N.digits_practice,
        compare="at_least", tolerance=0.0,
        tolerance_reason="sign prediction on consecutive differences, median over seeds",
        profiles=profiles(quick=dict(n_train=500, n_probe=40, width=64, hidden_layers=2, alphas=[0.25, 0.5, 1.0], lr_scale=0.5,
                                     steps=100, record_steps=[0, 10, 30, 100], eval_step=30),
                          gpu=dict(n_train=1500, n_probe=40, width=256, hidden_layers=3, alphas=[0.125, 0.25, 0.5, 1.0], lr_scale=0.5,
                                   steps=1000, record_steps=[0, 10, 30, 100, 300, 1000], eval_step=100),
                          seeds={"quick": 3, "gpu": 5}),
        aggregate="median", figure=F.digits_fig, tags=("deep", "kernel", "experiment"),
    ),
]


#: Fig. 1b of the paper at full scale (official code: d = 100, n = 1000, 17 x 17 grid, 16 seeds, 1e5 steps)
_RELU_PAPER = dict(_RELU_GRID_G, taus=[round(float(x), 4) for x in __import__("numpy").logspace(-1, 0.3, 17)],
                   deltas=[round(-1 + k / 8, 4) for k in range(17)], steps=100)


def _with_paper(claim: Claim) -> Claim:
    """The paper profile: the gpu configuration (these claims have no larger scale in the paper), except the
    ReLU grid, which gets the official Fig. 1b grid."""
    if "paper" in claim.profiles:
        return claim
    gpu = claim.profiles["gpu"]
    cfg = dict(gpu.config)
    seeds = gpu.seeds
    if claim.name in ("relu_rapid_rich", "relu_lazy_large_scale"):
        cfg.update(_RELU_PAPER, **{k: cfg[k] for k in ("S_max", "hamming_max") if k in cfg})
        cfg["taus"] = sorted(set(cfg["taus"]) | {cfg["tau_small"], cfg["tau_large"]})
        cfg["deltas"] = sorted(set(cfg["deltas"]) | {cfg["delta_up"], 0.0, cfg["delta_down"]})
        seeds = tuple(range(16))
    return dataclasses.replace(claim, profiles={**claim.profiles, "paper": Profile(config=cfg, seeds=seeds)})


CLAIMS = [_with_paper(c) for c in CLAIMS]
