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
    "DIGITS_TINY",
    "DIGITS_QUICK",
    "DIGITS_GPU",
    "NO_CIFAR",
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

_TS_MODE_QUICK = dict(**TS, eta=0.01, sigma_paper=15.0, s_range=[0.05, 1.0], n_modes=16, n_seeds=128, steps=12000, exclude_band=[0.75, 1.25], eps=1e-3)
_TS_MODE_GPU = dict(**TS, eta=3 / 1024, sigma_paper=15.0, s_range=[0.05, 1.0], n_modes=32, n_seeds=256, steps=50000, exclude_band=[0.8, 1.2], eps=1e-3)
#: one profiles object for both mode claims: they read the same `ctx.shared` experiment
TS_MODE_PROFILES = profiles(
    tiny=dict(_TS_MODE_QUICK, n_seeds=4, steps=400, n_modes=16),
    quick=_TS_MODE_QUICK,
    gpu=_TS_MODE_GPU,
    paper=_TS_MODE_GPU,
    seeds=1,
)

#: the GELU MLPs on digits: one shared sweep over learning rates and drop times
DIGITS_QUICK = dict(hidden=[128, 128], steps=3000, batch_size=32, label_noise=0.0, log_every=500, lrs=[0.02, 0.05, 0.1, 0.2], replicates=2,
                    drops=[500, 1000, 2000], lr_large=0.2, lr_small=0.02, finetune_steps=1000)
DIGITS_GPU = dict(hidden=[512, 512, 512, 512], steps=20000, batch_size=64, label_noise=0.0, log_every=2500, lrs=[0.02, 0.05, 0.1, 0.2], replicates=3,
                  drops=[2500, 5000, 10000], lr_large=0.2, lr_small=0.02, finetune_steps=5000)
DIGITS_TINY = dict(DIGITS_QUICK, hidden=[16, 16], steps=60, log_every=20, lrs=[0.05, 0.2], replicates=1, drops=[20, 40], finetune_steps=10)
NO_CIFAR = skip("the paper's VGG-16/ResNet-18 CIFAR runs (100k-1M steps, sweeps x 4 replicates, multi-GPU-days) need CIFAR under --data-dir and are not ported")
