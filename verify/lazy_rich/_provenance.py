"""What each lazy_rich claim takes from the paper and what we reconstructed (issue 16 §5).

The paper's full text was not recovered (brief §0): its statements come from the abstract, the figure
captions, a few quoted sentences and the official code (`allanraventos/getrichquick`); the brief tags
each formula [P] (paper material or official code), [D] (derived by the brief and checked against an
ODE) or [R] (the brief's recollection). The paper reports no table of numbers for the exact theory:
its numbers are curves in figures, which could not be read (`UNREADABLE`). The brief's own reference
numbers (its §1.6 and §1.8 tables) are its computations, not the paper's.
"""

from __future__ import annotations

from verify.core.claims import PaperValue, Provenance

_SN = "one-hidden-neuron linear net f = a w^T x, loss 1/2|X beta - y|^2"
_ODE = "diffrax Dopri8 in float64 at rtol 1e-12"
_FIG3 = ("the official notebook's Figs. 2-4a set-up (X^T X = I_2, X^T y = (0, 1), beta0 = (-1, 0), a0 > 0, unit rates, "
         "delta in {-4, -2, -1, 0, 1, 2, 4}, T = 20)")

PROVENANCE: dict[str, Provenance] = {
    # ------------------------------------------------------------------ 1-4 conservation
    "lazy_rich.delta_conserved": Provenance(
        paper="delta = eta_w a^2 - eta_a |w|^2 is conserved under gradient flow (Fig. 2 caption; brief §1.2 [P]); a statement, no number",
        ours=f"{_SN}, random X, y and inits with eta_a = 0.7, eta_w = 1.6; {_ODE}; max |delta(t) - delta(0)| over t in [0, 10] (brief claim 1's 1e-9)"),
    "lazy_rich.gd_drift_order_h": Provenance(
        paper="not in the paper: the brief's derivation [D] that GD changes delta by O(h^2) per step (brief §1.2, claim 2)",
        ours="single-neuron GD at steps h and h/2 over horizon T = 1 (h = 1e-3 quick, 1e-4 gpu); ratio of the drifts against 1/2 (band [0.4, 0.6])"),
    "lazy_rich.deep_delta_conserved": Provenance(
        paper="Delta_l = eta_l W_{l+1}^T W_{l+1} - eta_{l+1} W_l W_l^T conserved in wide/deep linear nets (brief §2.1-2.3 [D/R])",
        ours=f"wide, multi-output and 3-layer linear nets with unequal per-layer rates, random data; {_ODE}; entrywise max change relative to max(1, |Delta_l(0)|)"),
    "lazy_rich.deep_unweighted_not_conserved": Provenance(
        paper="implied by the learning-rate-weighted form (brief §2.3 [D]); not stated as a number",
        ours="the same flows as deep_delta_conserved; the unweighted difference must change by more than 1e-6 (the brief's '>> 1e-6')"),
    "lazy_rich.relu_delta_conserved": Provenance(
        paper="only the per-neuron delta_k is conserved in two-layer ReLU nets (brief §2.4 [D], from the paper's Sec. 5 discussion)",
        ours="generic (non-paired) ReLU init, d = 5, n = 50, m = 10 (quick); diffrax Dopri8 at rtol 1e-12 through the activation switches"),
    "lazy_rich.relu_offdiag_not_conserved": Provenance(
        paper="the off-diagonal entries of Delta are not conserved for ReLU (brief §2.4 [D])",
        ours="the relu_delta_conserved flows; relative change of the off-diagonal entries above 1e-3"),
    "lazy_rich.relu_gd_drift_order_h": Provenance(
        paper="not in the paper: the brief's GD drift argument applied to delta_k (brief claim 4 [D])",
        ours="ReLU GD at h and h/2 over T = 1; drift ratio against 1/2 (band [0.4, 0.6])"),
    # ------------------------------------------------------------------ 5-10 exact dynamics
    "lazy_rich.beta_only_ode": Provenance(
        paper="beta' = -M X^T rho with the NTK M = eta_w a^2 I + eta_a w w^T (brief §1.3 [P/R]); M as a function of beta alone is the brief's [D]",
        ours=f"random general X (not whitened), unequal rates; the parameter flow and the beta-only flow, both {_ODE}"),
    "lazy_rich.closed_form_vs_ode": Provenance(
        paper="the paper gives exact solutions for whitened inputs for every delta (abstract, Fig. 4 caption [P]); its appendix form was not recovered",
        ours=f"the brief's linearised closed form (§1.5 [D]) in a sympy-checked eigenbasis form; >= 20 random whitened cases covering every regime; {_ODE}"),
    "lazy_rich.reduced_system": Provenance(
        paper="the (mu, phi) signed-magnitude/alignment picture (Fig. 3 caption [P]); the ODEs are the brief's [D/R]",
        ours="(mu, phi) of the closed form against a scipy DOP853 solve of the reduced 2-D system (two theory routes)"),
    "lazy_rich.riccati": Provenance(
        paper="the official notebook's Riccati solution zeta' = s^2 - delta zeta - zeta^2 (brief §1.5 [P code])",
        ours=f"random whitened cases, unit rates; tanh and coth branches against the {_ODE} flow"),
    "lazy_rich.balanced_formula": Provenance(
        paper="the official notebook's balanced closed form phi = tanh(u), mu(t) (brief §1.5 [P code])",
        ours=f"random balanced (delta = 0, a0 > 0) whitened cases against the {_ODE} flow"),
    "lazy_rich.long_time_convergence": Provenance(
        paper="beta(t) -> beta* for almost every init (brief §1.5 [D]); no number in the paper",
        ours="the stable closed form at t = 1e3 for random inits with |a0|, |w0| in [1e-3, 3] against beta* (brief claim 10's 1e-12)"),
    # ------------------------------------------------------------------ 11-17 regimes
    "lazy_rich.upstream_lazy_limit": Provenance(
        paper="upstream delta > 0 is lazy (Fig. 3 caption [P]); the delta -> +inf limit and its 1/delta^2 rate are the brief's [D] "
              "(the exponent -2 is the brief's claim 11, not a number of the paper, so no paper_value)",
        ours=f"log-log slope of the limit error over delta in {{10, 100, 1000}}, random whitened problem, {_ODE}"),
    "lazy_rich.downstream_lazy_limit": Provenance(
        paper="downstream delta < 0: frozen direction, lazy at first (Fig. 3 caption [P]); the limit and rate are the brief's [D]",
        ours=f"log-log slope of the limit error over |delta| in {{10, 100, 1000}}, {_ODE}"),
    "lazy_rich.kernel_distance_fig3": Provenance(
        paper="S(0, t) curves of Fig. 3 (kernel distance after Fort et al. 2020, official code's definition); values only as plotted",
        ours=f"{_FIG3} plus delta = 16, 64; empirical NTK Gram on the data along the integrated flow against the closed form on d x d kernels"),
    "lazy_rich.kernel_lazy_monotone": Provenance(
        paper="upstream is lazy: S(0, t) stays near 0 (Fig. 3 caption [P]); monotonicity in delta is the brief's claim 13 [D]",
        ours=f"{_FIG3} plus delta = 16, 64; consecutive decreases of S(0, 20) >= 0 (smallest measured 7.45e-6)"),
    "lazy_rich.delayed_rich_loss_time": Provenance(
        paper="downstream is 'delayed rich' (Fig. 3 caption [P]); the times (2.70, 5.24, 9.34, > 20) are the brief's own computation [D], "
              "not the paper's",
        ours=f"{_FIG3}; first time the loss falls below 1% of its initial value, closed form against the integrated flow"),
    "lazy_rich.delayed_alignment_scaling": Provenance(
        paper="downstream alignment is slow (Fig. 3 caption [P]); the |delta| scaling of the late alignment time is the brief's [D]",
        ours="phi from 0.5 to 0.9, |beta0| = 0.5, |delta| in {50, 100}; the asymptotic law [G(phi1) - G(phi0)]/s^2 against the flow"),
    "lazy_rich.downstream_dip": Provenance(
        paper="downstream: mu first drops rapidly (Fig. 3 caption [P]); the minima (0.427, 0.235, 0.071) are the brief's own computation",
        ours=f"{_FIG3}; min_t mu(t) of the closed form against the integrated flow (parabolic refinement)"),
    "lazy_rich.downstream_dip_ordering": Provenance(
        paper="the downstream dip of mu (Fig. 3 caption [P]); its ordering in |delta| is the brief's claim 15 [D]",
        ours=f"{_FIG3}, delta in {{-1, -2, -4}}; signs of the consecutive differences of min_t mu"),
    "lazy_rich.silent_alignment_time": Provenance(
        paper="not in the paper: silent alignment at small balanced init (Atanasov et al. 2022), checked by the brief [D] (claim 16)",
        ours="balanced init beta0 = eps u, eps in {1e-2, ..., 1e-8}; time for phi to reach 0.99 against its eps-independent theory value"),
    "lazy_rich.silent_alignment_loss_delay": Provenance(
        paper="not in the paper: the brief's claim 16 [D] (10% loss drop delayed by ln(100)/(2s) per factor 100 in eps)",
        ours="the silent_alignment_time flows; differences of the 10%-loss times against ln(100)/(2s) (+-0.05)"),
    "lazy_rich.upstream_sign_invariant": Provenance(
        paper="delta > 0: two-sheeted hyperboloid, sign(a) invariant (Fig. 2 caption [P])",
        ours=f"random X, y, inits with delta > 0 and unequal rates, {_ODE} to t = 20; count of sign changes of a(t)"),
    "lazy_rich.downstream_sign_change": Provenance(
        paper="delta < 0: one-sheeted hyperboloid, a can change sign (Fig. 2 caption [P]); the crossing time is the brief's [D]",
        ours="random whitened cases whose readout crosses zero; closed-form crossing time against the integrated flow"),
    # ------------------------------------------------------------------ 18-20 low rank
    "lazy_rich.mirror_potential": Provenance(
        paper="a time-warped mirror flow with an explicit potential (TL;DR [P]); the paper writes Phi = (1/3)(Sigma - 2 delta) sqrt(Sigma + delta) [R]",
        ours="the brief's normalisation (1/sqrt(2) of the paper's) derived in sympy; central differences, chord convexity, Phi_0 (two theory routes)"),
    "lazy_rich.potential_limits": Provenance(
        paper="lazy (l2) and direction-preserving limits of the potential (brief §1.8 [D]); no number in the paper",
        ours="Phi_delta against its delta -> +-inf expansions at |delta| = 1e3 (two theory routes)"),
    "lazy_rich.implicit_bias": Provenance(
        paper="Fig. 4b: gradient flow reaches argmin Phi_delta - grad Phi(beta0)^T beta (extends Azulay et al. 2021 Thm. 2 to delta < 0 [P quote]); "
              "the limits are plotted, not tabulated",
        ours="the official notebook's Fig. 4b set-up (x = (0.5, 1), y = 1.1, beta0 = (0.4, 0.05)) plus random low-rank problems; "
             f"{_ODE} to t = 400 against a Newton solve of the convex problem"),
    "lazy_rich.implicit_bias_limits": Provenance(
        paper="upstream/balanced at vanishing init reach the min-norm interpolant, downstream keeps a bias to the init direction "
              "(citation-database paraphrase [P]); the delta -> +-inf limits are the brief's [D]",
        ours="delta = 100, -40 and eps = 1e-4 on a low-rank problem; flows to t = 2 ... 1500 against the three limits"),
    "lazy_rich.downstream_small_init_bias": Provenance(
        paper="downstream with vanishing init does not reach the min-norm interpolant (citation-database paraphrase [P])",
        ours="delta = -1, |beta0| = 1e-4: the flow's limit against the Phi_delta argmin at the same eps (relative 1e-4)"),
    # ------------------------------------------------------------------ 21-22 multiple outputs
    "lazy_rich.multi_output_singular_values": Provenance(
        paper="the singular values of beta follow a mirror flow with a hyperbolic entropy potential (quoted sentence [P]); the ODE is the brief's [D]",
        ours=f"Delta = delta I, aligned SVDs, whitened, c = h = d = 3, delta in {{-2, 0, 0.5, 3}}, unequal rates; matrix flow {_ODE}"),
    "lazy_rich.multi_output_mirror_flow": Provenance(
        paper="'a mirror flow with a hyperbolic entropy potential' for the singular values (quoted sentence [P])",
        ours="d/dt psi'(sigma) read off the network's gradient at the integrated states against -(sigma - sigma*)"),
    "lazy_rich.hyperbolic_entropy_limits": Provenance(
        paper="the entropy interpolates between l1 (rich, delta -> 0) and l2 (lazy, delta -> +-inf) penalties (quoted sentence [P])",
        ours="psi_gamma against its gamma = 1e3 and gamma = 1e-8 expansions (two theory routes)"),
    # ------------------------------------------------------------------ 23 ReLU phase diagram
    "lazy_rich.relu_rapid_rich": Provenance(
        paper="Fig. 1b / Fig. 5b: small tau with upstream delta > 0 learns rapidly and generalises best; large Hamming, small parameter "
              "change (captions [P]); official code: d = 100, n = 1000, m = 50, lr = 5e-3/tau^2, 17 x 17 (tau, delta) grid, 16 seeds",
        ours="the official teacher-student code path at reduced size (d = 20, n = 200 quick; d = 100, n = 1000 gpu/paper), 100 GD steps, "
             "tau = 0.1, delta = +1 / 0 / -1; signs of the orderings, median over seeds"),
    "lazy_rich.relu_lazy_large_scale": Provenance(
        paper="large overall scale tau is lazy for every delta (Fig. 1b heat maps [P]); the thresholds are the brief's claim 23",
        ours="the relu_rapid_rich grid at tau = 2, after 100 steps: S(0, t) < 1e-2 and Hamming < 1, median over seeds"),
    # ------------------------------------------------------------------ 24 deep networks
    "lazy_rich.grokking_upstream_faster": Provenance(
        paper="§6d: upstream initialisation reduces the time to grok a transformer on modular arithmetic (caption [P]); architecture, "
              "modulus, optimiser, alpha grid and the time-to-grok numbers not recovered",
        ours="a PROXY, not the paper's set-up: two-layer ReLU MLP on one-hot (a, b) -> (a + b) mod 23, full-batch GD lr 2, weight decay "
             "1e-3, first layer x alpha, readout / alpha, alpha in {0.5, 1, 2}; first step with test accuracy >= 0.9"),
    "lazy_rich.digits_kernel_distance": Provenance(
        paper="§6a: the empirical-NTK kernel distance S(0, t) of deep networks grows more under upstream init (caption [P]); "
              "architectures, data and alpha grid not recovered",
        ours="scikit-learn digits (500 train), bias-free 3-layer ReLU MLP, first layer x alpha, last / alpha, alpha in {0.25, 0.5, 1}, "
             "full-batch GD with lr normalised by the initial NTK's top eigenvalue; S(0, 30) on 40 probe inputs"),
    # ------------------------------------------------------------------ issue 18
    "lazy_rich.xor_partition_rapid": Provenance(
        paper="Fig. 5: two-layer ReLU nets on an XOR-like 2-D task from an almost-zero map; balanced/upstream change the "
              "partition rapidly with little change in f, lazy re-weights; panel (b) Hamming and parameter distance over "
              "(tau, delta): 'small-tau upstream ... a large change in Hamming distance, but a small change in parameter space' "
              "(caption [P]); the XOR data, width, lr and steps were not recovered",
        ours="4 Gaussian clusters at (+-0.7, +-0.7), std 0.2, label sign(x1 x2), n = 200, constant input appended (bias); m = 50 "
             "paired neurons (f = 0 at init), official (tau, delta) parameterisation and lr = 1e-3/tau^2, full-batch GD; "
             "effect log[(H/P)_up/(H/P)_down] at tau = 0.1, minimum over delta = +-0.5, +-1 and steps 30/100/300, 8 batched replicas"),
    "lazy_rich.deep_kernel_distance": Provenance(
        paper="Sec. 6a: the kernel distance S(0, t) of the empirical NTK grows more under upstream init in deep networks, by "
              "scaling the first (and last) layer's init (caption [P]); architectures, data, optimiser and alpha grid not recovered",
        ours="MNIST-1D (1000 training examples at quick), bias-free ReLU MLP (40-64-64-10) and 1-D CNN (3 convs, 12 channels), "
             "first layer x alpha, last / alpha, alpha in {0.25, 0.5} / 1 / {2, 4}; cross-entropy, minibatch 100, SGD with "
             "NTK-normalised lr and Adam 1e-3; full empirical NTK on 12 probe inputs; 4 batched replicas; minimum over the variations"),
    "lazy_rich.deep_potential": Provenance(
        paper="Sec. 5: deep linear nets have an inductive bias that 'strikes a depth-dependent balance between attaining the "
              "minimum norm solution and preserving the initialization direction' (quoted sentence [P]); the potential's form "
              "was not recovered; the single-path network and Phi_L are the brief's §2.3 [R/D], derived here in sympy",
        ours="Phi_L = u g(u) - int g, |beta| = g(u) = u prod sqrt(u^2 + c_l), solved through its dual by Newton; against the "
             "diffrax deep-linear flow (rtol 1e-12, t = 400) on the Fig. 4b problem and random n = 2, d = 4 problems, depths 2-4, "
             "delta_l in {-0.5, -0.25, 0, 0.5, 2} at the same beta0"),
}

#: the paper reports these numbers only as curves or heat maps that could not be read from the recovered text
UNREADABLE: dict[str, PaperValue] = {
    "lazy_rich.relu_rapid_rich": PaperValue.unreadable(
        "Fig. 1b, Fig. 5b", "heat maps of test loss, S(0, t) and Hamming distance; only the captions were recovered"),
    "lazy_rich.relu_lazy_large_scale": PaperValue.unreadable(
        "Fig. 1b", "heat maps of S(0, t) and Hamming distance; only the caption was recovered"),
    "lazy_rich.grokking_upstream_faster": PaperValue.unreadable(
        "Sec. 6d figure", "time-to-grok numbers not recovered (brief §3.3); and the paper's set-up is a transformer, not this proxy"),
    "lazy_rich.xor_partition_rapid": PaperValue.unreadable(
        "Fig. 5b", "heat maps of Hamming and parameter distance over (tau, delta); only the caption was recovered"),
    "lazy_rich.deep_kernel_distance": PaperValue.unreadable(
        "Sec. 6a figure", "S(0, t) curves of the deep networks; only the caption was recovered"),
    "lazy_rich.digits_kernel_distance": PaperValue.unreadable(
        "Sec. 6a figure", "S(0, t) curves of the deep networks; only the caption was recovered"),
}
