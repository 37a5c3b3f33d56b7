"""Configurations shared by several stochastic-collapse claims (the per-claim ones are
written out in the claims table).

The `tiny` configurations are the CI-sized versions of the quick ones: the same code path
on a few paths, runs and steps (`verify.core.testing.run_claim` runs them in the tests).
"""

from __future__ import annotations

from verify.core.claims import profiles, skip

__all__ = [
    "NEURON",
    "SGD",
    "SGD_POINTS",
    "TINY_SGD",
    "TS",
    "TS_MODE_PROFILES",
    "TS_FULL_PROFILES",
    "DIGITS_TINY",
    "DIGITS_QUICK",
    "DIGITS_GPU",
    "NO_CIFAR",
    "PERM_PROFILES",
    "MNIST1D_BATCH",
    "MNIST1D_NOISE",
]

#: the single tanh neuron of Fig. 2 (official notebook: m = 32 points, zeta = 1)
NEURON = dict(m=32, data_seed=0, zeta=1.0)
#: the same data for the discrete-SGD claims
SGD = dict(m=32, data_seed=0)
#: (zeta, batch size, eta) points of the discrete-SGD claims: both sides of both thresholds
SGD_POINTS = [[10.0, 1, 0.005], [10.0, 1, 0.03], [10.0, 1, 0.08], [10.0, 1, 0.3], [10.0, 4, 0.02], [10.0, 4, 0.1], [10.0, 4, 0.2], [10.0, 4, 0.5], [1.0, 1, 0.5], [1.0, 1, 2.4]]
TINY_SGD = dict(n_runs=4, steps=50, n_batches=500)
#: the diagonal teacher-student problem of Fig. 5 (official diagonal script)
TS = dict(N=1024, n=64, rank=8, data_seed=0, eta_paper=3 / 1024)

_TS_MODE_QUICK = dict(**TS, eta=0.01, sigma_paper=15.0, s_range=[0.05, 1.0], n_modes=16, n_seeds=256, steps=12000, exclude_band=[0.75, 1.25], eps=1e-3)
_TS_MODE_GPU = dict(**TS, eta=3 / 1024, sigma_paper=15.0, s_range=[0.05, 1.0], n_modes=32, n_seeds=256, steps=50000, exclude_band=[0.8, 1.2], eps=1e-3)
#: one profiles object for both mode claims: they read the same `ctx.shared` experiment. The
#: tiny profile is the quick one (5 s of JAX): smaller runs cannot tell a threshold 1.2x off
#: from the right one, which the mutation test asks of them (issue 16 §2)
#: `n_seeds` SGD runs per cell and 4 independent cells (harness seeds): the per-mode values are
#: arrays, so their spread between cells is what gives the interval rule its 95% bootstrap
#: interval of the error (1024 runs in all at quick)
TS_MODE_PROFILES = profiles(
    tiny=_TS_MODE_QUICK,
    quick=_TS_MODE_QUICK,
    gpu=_TS_MODE_GPU,
    paper=_TS_MODE_GPU,
    seeds={"tiny": 4, "quick": 4, "gpu": 4, "paper": 4},
)

#: the general script's full two-layer linear network (V: n x n, U: n x m) under minibatch SGD, on
#: the diagonal problem's modes written as samples (`mode_aligned_teacher_student_data`); teacher
#: rank n/8 as in the paper (8 of 64). The label spread is set so that batch 4 carries the diagonal
#: script's sigma = 20 (eta sigma^2 matched at `eta_paper`); batch sizes 4, 16, 64 then map to
#: sigma = 20, 10, 5 and the largest entry (= N) is the full batch (sigma = 0).
_TS_FULL_QUICK = dict(N_diag=1024, n=8, rank=1, label_noise=0.5, data_seed=0, samples_per_mode=64, eta=0.02, eta_paper=3 / 1024, sigma_paper=20.0, at_batch=4,
                      batch_sizes=[4, 8, 16, 64, 512], replicates=8, steps=20000, warmup=1000, avg_from=5000, avg_every=5, init_scale=0.1,
                      band=0.05, near=0.15, eps=1e-3)
_TS_FULL_GPU = dict(_TS_FULL_QUICK, n=64, rank=8, samples_per_mode=16, eta=3 / 1024, batch_sizes=[4, 8, 16, 64, 1024], replicates=16, steps=100000,
                    warmup=10000, avg_from=40000, init_scale=0.02)
TS_FULL_PROFILES = profiles(
    tiny=dict(_TS_FULL_QUICK, batch_sizes=[4, 16, 512], replicates=16, steps=10000, avg_from=3000),
    quick=_TS_FULL_QUICK,
    gpu=_TS_FULL_GPU,
    paper=dict(_TS_FULL_GPU, replicates=32),
    seeds={"tiny": 3, "quick": 4, "gpu": 4, "paper": 8},
)

#: the GELU MLPs on digits: one shared sweep over learning rates and drop times
DIGITS_QUICK = dict(hidden=[128, 128], steps=3000, batch_size=32, label_noise=0.0, log_every=500, lrs=[0.02, 0.05, 0.1, 0.2], replicates=6,
                    drops=[500, 1000, 2000], lr_large=0.2, lr_small=0.02, finetune_steps=1000)
DIGITS_GPU = dict(hidden=[512, 512, 512, 512], steps=20000, batch_size=64, label_noise=0.0, log_every=2500, lrs=[0.02, 0.05, 0.1, 0.2], replicates=8,
                  drops=[2500, 5000, 10000], lr_large=0.2, lr_small=0.02, finetune_steps=5000)
DIGITS_TINY = dict(DIGITS_QUICK, hidden=[16, 16], steps=60, log_every=20, lrs=[0.05, 0.2], replicates=1, drops=[20, 40], finetune_steps=10)
NO_CIFAR = skip("the paper's VGG-16/ResNet-18 CIFAR runs (100k-1M steps, sweeps x 4 replicates, multi-GPU-days) need CIFAR under --data-dir and are not ported")

#: the two-GELU-neuron toy (official `one_hidden_layer/toy_model`: N = 8, eta = 0.1, momentum
#: 0.9, 10,001 full-batch steps, 8 seeds, sigma in {0, 0.1, 0.2, 0.4, 0.8}); our grid adds
#: levels above the upper threshold (~1.2 at eta = 0.1). `n_runs` per level and cell, 4 cells
_PERM_QUICK = dict(eta=0.1, data_seed=0, sigmas=[0.0, 0.2, 0.4, 0.8, 1.6, 2.0], n_runs=16, steps=10000, decades=2.0, floor=1e-8, sure_decades=8.0,
                   start_offset=0.01,
                   theory_chains=16, theory_steps=6000, theory_burn=2000)
PERM_PROFILES = profiles(
    tiny=dict(_PERM_QUICK, sigmas=[0.0, 0.4, 1.6], n_runs=4, steps=2000, theory_chains=4, theory_steps=1000, theory_burn=500),
    quick=_PERM_QUICK,
    gpu=dict(_PERM_QUICK, sigmas=[0.0, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0], n_runs=64, steps=20000, theory_chains=64, theory_steps=20000),
    paper=dict(_PERM_QUICK, sigmas=[0.0, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0], n_runs=8, steps=10001, start_offset=None, theory_chains=64, theory_steps=20000),
    seeds=4,
)

#: GELU MLPs on MNIST-1D at a fixed learning rate (the paper: VGG-16 on CIFAR-10, lr 0.02 over
#: batch 32..512, lr 0.01 at batch 256 over label noise 0..0.8, 100k-1M steps, 4 replicates).
#: lr 0.2 and online label noise 0.4 in the batch sweep make collapse visible within 4k steps
_MNIST1D = dict(n_samples=5000, hidden=[128, 128], lr=0.2, steps=4000, log_every=500, replicates=3)
_NO_CIFAR_SWEEP = skip("the paper's VGG-16/ResNet-18 CIFAR-10/100 sweeps (100k-1M steps x 5 points x 4 replicates) need multi-GPU-days; "
                       "not feasible in the 10-minute gpu box, and CIFAR-10 under --data-dir is not wired to this claim")
MNIST1D_BATCH = profiles(
    tiny=dict(_MNIST1D, n_samples=1000, hidden=[16, 16], steps=60, log_every=30, replicates=2, batch_sizes=[16, 128], label_noise=0.4),
    quick=dict(_MNIST1D, batch_sizes=[16, 32, 64, 128], label_noise=0.4, replicates=4),
    gpu=dict(_MNIST1D, hidden=[512, 512], steps=20000, log_every=2500, replicates=8, batch_sizes=[16, 32, 64, 128, 256], label_noise=0.4),
    paper=_NO_CIFAR_SWEEP,
    seeds=1,
)
MNIST1D_NOISE = profiles(
    tiny=dict(_MNIST1D, n_samples=1000, hidden=[16, 16], steps=60, log_every=30, replicates=2, label_noises=[0.0, 0.8], batch_size=32),
    quick=dict(_MNIST1D, label_noises=[0.0, 0.2, 0.4, 0.6, 0.8], batch_size=32),
    gpu=dict(_MNIST1D, hidden=[512, 512], steps=20000, log_every=2500, replicates=8, label_noises=[0.0, 0.2, 0.4, 0.6, 0.8], batch_size=32),
    paper=_NO_CIFAR_SWEEP,
    seeds=1,
)
