"""Profile configurations of the lazy_rich claims (`tiny` / `quick` / `gpu` / `paper`).

`tiny` is the CI-sized version of the same code path (run by the tests through
`verify.core.testing.run_claim`): the quick configuration with smaller sizes. Most claims have no
larger scale in the paper than the gpu configuration, so their `paper` profile is the gpu one; the
ReLU phase diagram gets the official Fig. 1b grid at paper scale.
"""

from __future__ import annotations

import numpy as np

#: the tolerance reason shared by the claims whose practice side is a diffrax integration
ODE_REASON = "diffrax Dopri8 at rtol 1e-12, atol 1e-14 (global error ~1e-10 over t <= 10)"

# ------------------------------------------------------------------ conservation (claims 1-4)
SINGLE_FLOW_QUICK = dict(n=8, d=5, batch=16, t_max=10.0, eta_a=0.7, eta_w=1.6)
SINGLE_FLOW_GPU = dict(n=64, d=32, batch=256, t_max=10.0, eta_a=0.7, eta_w=1.6)
SINGLE_FLOW_TINY = dict(SINGLE_FLOW_QUICK, n=6, d=3, batch=4)

GD_DRIFT_QUICK = dict(n=8, d=5, h=1e-3, T=1.0, eta_a=0.7, eta_w=1.6)
GD_DRIFT_GPU = dict(n=8, d=5, h=1e-4, T=1.0, eta_a=0.7, eta_w=1.6)
GD_DRIFT_TINY = dict(GD_DRIFT_QUICK, h=1e-2)

DEEP_FLOW_QUICK = dict(n=10, d=4, t_max=5.0)
DEEP_FLOW_GPU = dict(n=10, d=4, t_max=20.0)
DEEP_FLOW_TINY = dict(DEEP_FLOW_QUICK, t_max=1.0)

DEEP_UNWEIGHTED_QUICK = dict(n=10, d=4, t_max=5.0, threshold=1e-6)
DEEP_UNWEIGHTED_GPU = dict(n=10, d=4, t_max=20.0, threshold=1e-6)
DEEP_UNWEIGHTED_TINY = dict(DEEP_UNWEIGHTED_QUICK, t_max=1.0)

RELU_FLOW_QUICK = dict(d=5, n=50, m=10, init_scale=0.5, t_max=3.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3)
RELU_FLOW_GPU = dict(d=10, n=200, m=50, init_scale=0.5, t_max=5.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3)
RELU_FLOW_TINY = dict(RELU_FLOW_QUICK, d=3, n=20, m=4, t_max=0.5, h=1e-2)

RELU_GD_QUICK = dict(d=5, n=50, m=10, init_scale=0.5, t_max=1.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-3)
RELU_GD_GPU = dict(d=10, n=200, m=50, init_scale=0.5, t_max=1.0, eta_a=0.8, eta_w=1.3, threshold=1e-3, h=1e-4)
RELU_GD_TINY = dict(RELU_GD_QUICK, d=3, n=20, m=4, t_max=0.2, h=1e-2)

# ------------------------------------------------------------------ exact dynamics (claims 5-10)
BETA_ODE_QUICK = dict(n=8, d=5, batch=16, t_max=8.0, eta_a=0.7, eta_w=1.6)
BETA_ODE_GPU = dict(n=32, d=16, batch=128, t_max=8.0, eta_a=0.7, eta_w=1.6)
BETA_ODE_TINY = dict(BETA_ODE_QUICK, n=6, d=3, batch=4, t_max=2.0)

#: random whitened problems covering every regime (`_exact_solution.whitened_cases`)
CASES_QUICK = dict(case_seed=0, n_cases=25, d=5, n=8, t_max=10.0, n_times=41)
CASES_GPU = dict(case_seed=0, n_cases=200, d=8, n=16, t_max=10.0, n_times=101)
CASES_TINY = dict(CASES_QUICK, n_cases=5, d=3, n=5, n_times=11)

RICCATI_QUICK = dict(case_seed=0, n_cases=10, d=4, n=8, t_max=8.0, n_times=41)
RICCATI_GPU = dict(case_seed=0, n_cases=100, d=8, n=16, t_max=8.0, n_times=101)
RICCATI_TINY = dict(RICCATI_QUICK, n_cases=2, d=3, n=5, n_times=11)

BALANCED_QUICK = dict(case_seed=0, n_cases=8, d=4, n=8, t_max=10.0, n_times=41)
BALANCED_GPU = dict(case_seed=0, n_cases=64, d=8, n=16, t_max=10.0, n_times=101)
BALANCED_TINY = dict(BALANCED_QUICK, n_cases=2, d=3, n=5, n_times=11)

LONG_TIME_QUICK = dict(batch=200, d=5, t_long=1e3)
LONG_TIME_GPU = dict(batch=100000, d=5, t_long=1e3)
LONG_TIME_TINY = dict(LONG_TIME_QUICK, batch=10)

# ------------------------------------------------------------------ regimes (claims 11-17)
LAZY_LIMIT_QUICK = dict(case_seed=0, d=3, n=6, deltas=[10.0, 100.0, 1000.0], t_rescaled=5.0)
LAZY_LIMIT_GPU = dict(case_seed=0, d=3, n=6, deltas=[10.0, 100.0, 1000.0, 10000.0], t_rescaled=5.0)
LAZY_LIMIT_TINY = dict(LAZY_LIMIT_QUICK, deltas=[10.0, 100.0])

#: Figs. 2-4a of the paper (official notebook): one gradient flow per delta, shared by five claims
FIG3 = dict(case_seed=0, n=6, deltas=[-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 16.0, 64.0], t_max=40.0, dt=0.01, t_eval=20.0,
            loss_deltas=[0.0, -1.0, -2.0, -4.0], loss_fraction=0.01, dip_deltas=[-1.0, -2.0, -4.0])
FIG3_TINY = dict(FIG3, deltas=[-1.0, 0.0, 1.0], t_max=20.0, dt=0.05, loss_deltas=[0.0, -1.0], dip_deltas=[-1.0])

ALIGN_SCALING_QUICK = dict(case_seed=0, n=4, phi0=0.5, phi1=0.9, beta0_norm=0.5, align_deltas=[50.0, 100.0])
ALIGN_SCALING_GPU = dict(case_seed=0, n=4, phi0=0.5, phi1=0.9, beta0_norm=0.5, align_deltas=[50.0, 100.0, 200.0, 400.0])
ALIGN_SCALING_TINY = dict(ALIGN_SCALING_QUICK, align_deltas=[20.0])

SILENT_QUICK = dict(case_seed=0, n=4, phi0=0.2, phi_align=0.99, eps=[1e-2, 1e-4, 1e-6, 1e-8], t_max=12.0, dt=0.005)
SILENT_GPU = dict(case_seed=0, n=4, phi0=0.2, phi_align=0.99, eps=[1e-2, 1e-4, 1e-6, 1e-8, 1e-10], t_max=14.0, dt=0.005)
SILENT_TINY = dict(SILENT_QUICK, eps=[1e-2, 1e-4], dt=0.02, t_max=8.0)

SIGN_INVARIANT_QUICK = dict(n=8, d=5, batch=64, t_max=20.0, eta_a=0.7, eta_w=1.6)
SIGN_INVARIANT_GPU = dict(n=32, d=16, batch=1024, t_max=20.0, eta_a=0.7, eta_w=1.6)
SIGN_INVARIANT_TINY = dict(SIGN_INVARIANT_QUICK, n=6, d=3, batch=4, t_max=5.0)

SIGN_CHANGE_QUICK = dict(CASES_QUICK, dt=0.005)
SIGN_CHANGE_GPU = dict(CASES_GPU, dt=0.005)
SIGN_CHANGE_TINY = dict(CASES_TINY, dt=0.005)

# ------------------------------------------------------------------ low rank (claims 18-20)
POTENTIAL_QUICK = dict(d=4, n_points=40)
POTENTIAL_GPU = dict(d=8, n_points=400)
POTENTIAL_TINY = dict(POTENTIAL_QUICK, n_points=3)

POTENTIAL_LIMITS_QUICK = dict(case_seed=0, d=4, n_points=40, big_delta=1e3)
POTENTIAL_LIMITS_GPU = dict(case_seed=0, d=8, n_points=400, big_delta=1e3)
POTENTIAL_LIMITS_TINY = dict(POTENTIAL_LIMITS_QUICK, n_points=3)

IMPLICIT_BIAS_QUICK = dict(case_seed=0, fig4b_deltas=[-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0], n_random=8,
                           random_deltas=[0.0, 0.5, 2.0, -0.3], t_long=400.0)
IMPLICIT_BIAS_GPU = dict(IMPLICIT_BIAS_QUICK, n_random=64)
IMPLICIT_BIAS_TINY = dict(IMPLICIT_BIAS_QUICK, fig4b_deltas=[0.0, 1.0], n_random=1, t_long=200.0)

#: the limits of the implicit bias (the same configuration at every profile: the sizes are the paper's)
BIAS_LIMITS = dict(case_seed=0, up_delta=100.0, down_delta=40.0, eps=1e-4, small_down_delta=1.0,
                   t_long_up=2.0, t_long_down=1500.0, t_long_small=400.0)

# ------------------------------------------------------------------ multiple outputs (claims 21-22)
MULTI_OUTPUT_QUICK = dict(case_seed=0, c=3, n=6, deltas=[-2.0, 0.0, 0.5, 3.0], eta_a=0.8, eta_w=1.5, t_max=6.0)
MULTI_OUTPUT_GPU = dict(case_seed=0, c=8, n=16, deltas=[-2.0, -0.5, 0.0, 0.5, 3.0], eta_a=0.8, eta_w=1.5, t_max=6.0)
MULTI_OUTPUT_TINY = dict(MULTI_OUTPUT_QUICK, c=2, n=4, deltas=[-1.0, 0.5], t_max=1.0)

#: hyperbolic-entropy limits (the same configuration at every profile)
ENTROPY = dict(eta_a=0.8, eta_w=1.5, gamma_big=1e3, gamma_small=1e-8)

# ------------------------------------------------------------------ ReLU phase diagram (claim 23)
RELU_GRID_QUICK = dict(d=20, n=200, m=50, n_test=2000, lr0=5e-3, steps=100, taus=[0.1, 0.3, 1.0, 2.0],
                       deltas=[-1.0, -0.5, 0.0, 0.5, 1.0], tau_small=0.1, tau_large=2.0, delta_up=1.0, delta_down=-1.0)
RELU_GRID_GPU = dict(RELU_GRID_QUICK, d=100, n=1000, n_test=10000, taus=[0.1, 0.2, 0.5, 1.0, 2.0],
                     deltas=[-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0])
#: Fig. 1b of the paper (official code: d = 100, n = 1000, the 17 x 17 grid of tau in logspace(-1, 0.3) and
#: delta in [-1, 1], 16 seeds), at 100 steps; the grid also holds tau_small, tau_large and the three deltas
RELU_GRID_PAPER = dict(
    RELU_GRID_GPU,
    taus=sorted({round(float(x), 4) for x in np.logspace(-1, 0.3, 17)} | {RELU_GRID_GPU["tau_small"], RELU_GRID_GPU["tau_large"]}),
    deltas=sorted({round(-1 + k / 8, 4) for k in range(17)}
                  | {RELU_GRID_GPU["delta_up"], 0.0, RELU_GRID_GPU["delta_down"]}),
    steps=100,
)
RELU_GRID_TINY = dict(RELU_GRID_QUICK, d=5, n=20, m=6, n_test=50, steps=5, taus=[0.1, 2.0], deltas=[-1.0, 0.0, 1.0])
#: the thresholds of the lazy claim at large scale (the brief's S < 1e-2, Hamming < 1)
LAZY_THRESHOLDS = dict(S_max=1e-2, hamming_max=1.0)

# ------------------------------------------------------------------ deep networks (claim 24)
#: the MLP proxy of the paper's transformer grokking; test accuracy is evaluated after every step (the first step at
#: which it reaches `test_acc`; an evaluation costs two forward passes, ~0.7x a training step)
GROKKING_QUICK = dict(p=23, width=256, train_fraction=0.6, lr=2.0, weight_decay=1e-3, max_steps=3000, eval_every=1,
                      test_acc=0.9, alpha_up=0.5, alpha_down=2.0)
GROKKING_GPU = dict(p=47, width=512, train_fraction=0.5, lr=2.0, weight_decay=1e-3, max_steps=10000, eval_every=1,
                    test_acc=0.95, alpha_up=0.5, alpha_down=2.0)
GROKKING_TINY = dict(GROKKING_QUICK, p=7, width=16, max_steps=20)

DIGITS_QUICK = dict(n_train=500, n_probe=40, width=64, hidden_layers=2, alphas=[0.25, 0.5, 1.0], lr_scale=0.5,
                    steps=100, record_steps=[0, 10, 30, 100], eval_step=30)
DIGITS_GPU = dict(n_train=1500, n_probe=40, width=256, hidden_layers=3, alphas=[0.125, 0.25, 0.5, 1.0], lr_scale=0.5,
                  steps=1000, record_steps=[0, 10, 30, 100, 300, 1000], eval_step=100)
DIGITS_TINY = dict(DIGITS_QUICK, n_train=50, n_probe=5, width=8, hidden_layers=1, alphas=[0.5, 1.0], steps=4,
                   record_steps=[0, 2, 4], eval_step=2)


# ------------------------------------------------------------------ issue 18
#: Fig. 5b reconstruction: XOR, two-layer ReLU net from a zero map, batched over (replica, tau, delta); lr = lr0/tau^2
XOR_QUICK = dict(n=200, m=50, centre=0.7, sigma=0.2, lr0=1e-3, taus=[0.1, 0.2, 0.5, 1.0, 2.0],
                 deltas=[-1.0, -0.5, 0.0, 0.5, 1.0], tau_small=0.1, delta_pairs=[0.5, 1.0], checkpoints=[10, 30, 100, 300],
                 eval_steps=[30, 100, 300], replicas=8, dtype="float64")
XOR_GPU = dict(XOR_QUICK, taus=[round(float(t), 4) for t in np.logspace(-1, 0.3, 9)],
               deltas=[-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0], delta_pairs=[0.25, 0.5, 0.75, 1.0],
               checkpoints=[10, 30, 100, 300, 1000], eval_steps=[30, 100, 300, 1000], replicas=16)
#: the official Fig. 1b grid (17 x 17, 16 replicas) on the XOR task, to 10^4 steps
XOR_PAPER = dict(XOR_GPU, taus=sorted({round(float(t), 4) for t in np.logspace(-1, 0.3, 17)} | {0.1}),
                 deltas=[round(-1 + k / 8, 4) for k in range(17)], checkpoints=[10, 30, 100, 300, 1000, 3000, 10000],
                 eval_steps=[30, 100, 300, 1000, 10000])
XOR_TINY = dict(XOR_QUICK, n=40, m=8, taus=[0.1, 1.0], deltas=[-1.0, 0.0, 1.0], delta_pairs=[1.0], checkpoints=[5, 10],
                eval_steps=[10], replicas=3)

#: Sec. 6a reconstruction: MNIST-1D, MLP and 1-D CNN, SGD (NTK-normalised lr) and Adam, batched over (replica, alpha)
DEEP_KERNEL_QUICK = dict(n_train=1000, n_probe=12, width=64, channels=12, archs=["mlp", "cnn"], optimisers=["sgd", "adam"],
                         alpha_up=[0.25, 0.5], alpha_down=[2.0, 4.0], sgd_lr_scale=0.5, adam_lr=1e-3, batch=100,
                         record_steps=[25, 50, 100], eval_steps=[50, 100], replicas=4, dtype="float32")
DEEP_KERNEL_GPU = dict(DEEP_KERNEL_QUICK, n_train=4000, n_probe=32, width=256, channels=32, alpha_up=[0.125, 0.25, 0.5],
                       alpha_down=[2.0, 4.0, 8.0], record_steps=[50, 100, 200, 500, 1000], eval_steps=[100, 500, 1000],
                       replicas=8)
DEEP_KERNEL_PAPER = dict(DEEP_KERNEL_GPU, n_probe=64, width=512, channels=64, record_steps=[100, 300, 1000, 3000, 10000],
                         eval_steps=[1000, 3000, 10000], replicas=16)
DEEP_KERNEL_TINY = dict(DEEP_KERNEL_QUICK, n_train=100, n_probe=3, width=8, channels=4, alpha_up=[0.5], alpha_down=[2.0],
                        batch=20, record_steps=[2, 4], eval_steps=[4], replicas=3)

#: the deep-linear potential: Fig. 4b problem and random low-rank problems, depths 2-5, delta_l = delta for every l
DEEP_POTENTIAL_QUICK = dict(case_seed=0, n_random=2, n=2, d=4, beta0_norm=0.5, depths=[2, 3, 4],
                            deltas=[-0.5, -0.25, 0.0, 0.5, 2.0], t_long=400.0, n_times=81, rtol=1e-12, atol=1e-14,
                            max_steps=200_000)
DEEP_POTENTIAL_GPU = dict(DEEP_POTENTIAL_QUICK, n_random=8, depths=[2, 3, 4, 5], deltas=[-0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 4.0])
DEEP_POTENTIAL_TINY = dict(DEEP_POTENTIAL_QUICK, n_random=0, depths=[2, 3], deltas=[-0.25, 0.0, 1.0])


# ---- issue 18: CNN filters (Sec. 6b), RHM sample complexity (6c), transformer grokking (6d)
#: 1-D CNN on MNIST-1D (quick); 2-D CNN on CIFAR-10 from --data-dir, else procedural images (gpu / paper).
#: `seed_block` seeds x 3 alphas train as one batched ensemble; `variants` vary the uncertain choices.
CNN_FILTERS_QUICK = dict(dim=1, channels=16, kernel=9, steps=1000, batch=100, lr=0.02, optimizer="sgd", momentum=0.9,
                         weight_decay=0.0, alpha_up=0.25, alpha_down=4.0, n_train=4000, n_test=1000, seed_block=5)
CNN_FILTERS_GPU = dict(dim=2, channels=32, kernel=5, steps=3000, batch=128, lr=0.02, optimizer="sgd", momentum=0.9,
                       weight_decay=0.0, alpha_up=0.25, alpha_down=4.0, n_train=50000, n_test=10000, dataset="auto",
                       seed_block=5, variants=[{}, {"optimizer": "adam", "lr": 1e-3}, {"alpha_up": 0.1, "alpha_down": 10.0,
                                                                                       "lr": 0.005}])
CNN_FILTERS_PAPER = dict(CNN_FILTERS_GPU, channels=64, steps=20000)
CNN_FILTERS_TINY = dict(CNN_FILTERS_QUICK, channels=4, steps=5, batch=16, seed_block=1)

#: the RHM (v = n_c, m synonyms, branching s, depth L) learnt by the hierarchical CNN of Cagnetta et al.
RHM_QUICK = dict(v=6, n_c=6, m=3, s=2, L=3, width=64, P_grid=[64, 128, 256, 384, 512, 768, 1024], n_test=2000,
                 steps=600, batch=64, lr=0.05, optimizer="sgd", momentum=0.9, weight_decay=0.0, alpha_up=0.25,
                 alpha_down=4.0, target_acc=0.8, rules_seed=0, seed_block=5)
RHM_GPU = dict(RHM_QUICK, v=8, n_c=8, m=4, L=3, width=256, P_grid=[256, 512, 1024, 1536, 2048, 3072, 4096, 6144, 8192],
               n_test=10000, steps=3000, batch=128, seed_block=8,
               variants=[{}, {"optimizer": "adam", "lr": 1e-3}, {"alpha_up": 0.1, "alpha_down": 10.0, "lr": 0.01}])
RHM_PAPER = dict(RHM_GPU, v=16, n_c=16, m=4, L=3, width=512,
                 P_grid=[1024, 2048, 4096, 8192, 12288, 16384, 24576, 32768, 49152, 65536], steps=10000)
RHM_TINY = dict(RHM_QUICK, v=4, n_c=4, m=2, L=2, width=8, P_grid=[4, 8, 16], n_test=16, steps=5, batch=8,
                seed_block=1)

#: one-layer transformer (Nanda et al. 2023: p = 113, d_model 128, 4 heads, d_mlp 512, AdamW lr 1e-3, wd 1,
#: betas (0.9, 0.98), full batch, train fraction 0.3); quick is a smaller p sized to grok on one CPU core
GROK_TF_QUICK = dict(p=23, d_model=32, heads=4, d_mlp=128, train_fraction=0.6, lr=1e-2, weight_decay=1.0,
                     optimizer="adamw", betas=(0.9, 0.98), max_steps=3000, eval_every=10, test_acc=0.95,
                     alpha_up=0.25, alpha_down=4.0, check_every=100, seed_block=6)
GROK_TF_GPU = dict(p=113, d_model=128, heads=4, d_mlp=512, train_fraction=0.3, lr=1e-3, weight_decay=1.0,
                   optimizer="adamw", betas=(0.9, 0.98), max_steps=30000, eval_every=10, test_acc=0.95,
                   alpha_up=0.25, alpha_down=4.0, check_every=500, seed_block=5,
                   variants=[{}, {"alpha_up": 0.5, "alpha_down": 2.0}])
GROK_TF_PAPER = dict(GROK_TF_GPU, max_steps=50000, variants=[{}, {"alpha_up": 0.5, "alpha_down": 2.0},
                                                             {"alpha_up": 0.1, "alpha_down": 10.0}])
GROK_TF_TINY = dict(GROK_TF_QUICK, p=5, d_model=8, d_mlp=16, max_steps=6, eval_every=2, check_every=2, seed_block=1)

