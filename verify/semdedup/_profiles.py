"""Profile configurations of the semdedup claims (`tiny` / `quick` / `gpu` / `paper`).

`tiny` is the CI-sized version of the same code path (run by the tests through
`verify.core.testing.run_claim`): the quick configuration with smaller sizes; the device claim's
tiny profile runs its gpu path (a CPU-vs-device subset and a "big" synthetic run) at a tiny size.
"""

from __future__ import annotations

import numpy as np

#: why a profile has no run at the paper's scale: the paper's data is not available offline
PAPER_DATA = "needs the paper's data (LAION-440M CLIP embeddings / C4), which is not available offline"

# shared test beds (quick: a few seconds each on one core)
MIX = dict(n_orig=1500, dim=32, n_comp=12, spread=0.8, n_dup=300, sigma=0.1, n_exact=40)
MIX_GPU = dict(n_orig=20000, dim=64, n_comp=60, spread=0.8, n_dup=4000, sigma=0.1, n_exact=400)
REC = dict(n_orig=10000, dim=32, n_comp=40, spread=0.6, n_dup=2000, sigma=0.15, eps=0.05, niter=20, theory_reps=3,
           n_holdout=16384, ppc=64, in_sample=True, noise_draws=8)
REC_GPU = dict(REC, n_orig=100000, n_dup=20000, dim=64, n_comp=200)
REC_PAPER = dict(REC, n_orig=1000000, n_dup=100000, dim=64, n_comp=2000, theory_reps=2)
COST = dict(n_orig=90000, dim=64, n_comp=40, spread=0.6, n_dup=10000, sigma=0.1, niter=8, repeats=2, ppc=32,
            ks=[16, 32, 64, 128, 256, 512, 1024], r2_ks=[16, 64, 256, 1024], min_r2=0.9, skew_range=[1.0, 10.0])
COST_GPU = dict(COST, n_orig=180000, n_dup=20000, dim=128)
#: eps candidates of the learning claims, 15% apart from 0.002 to 0.5 (eps is the smallest that removes the target
#: fraction of the planted copies)
EPS_GRID = [float(f"{x:.3g}") for x in np.geomspace(0.002, 0.5, 41)]
#: the learning effect (C.7-8): digits + 5 jittered copies, a disjoint 20% split trains the embedding CNN, the same
#: CNN architecture (circular padding, global max-pool) learns; see `_learning` for why
DIGITS = dict(copies=5, noise=1.0, test_fraction=0.3, embed_fraction=0.2, embedding="cnn", embed_epochs=30, pca_dim=32,
              learner="cnn", width=16, k=10, eps_grid=EPS_GRID, target_removed=0.8, epochs=15, batch=64, lr=3e-3,
              max_drop=0.01, equal_steps_control=False)
#: gpu: 30 epochs, and the SemDeDup subset also trained for as many steps as the full set (reported in `info`)
DIGITS_GPU = dict(DIGITS, epochs=30, equal_steps_control=True)
TEXT = dict(n_texts=300, n_planted=100, k=8, eps=0.15, target_precision=0.8, target_recall=0.8)
DEV_QUICK = dict(n_subset=6000, n_dup_subset=600, dim=32, n_comp=20, spread=0.5, sigma=0.1, k_subset=16, eps=0.05,
                 ppc=64, n_big=0, device="auto")
DEV_GPU = dict(n_subset=1_000_000, n_dup_subset=100_000, dim=128, n_comp=2000, spread=0.5, sigma=0.1, k_subset=1000,
               eps=0.05, ppc=64, n_big=10_000_000, k_big=3162, n_comp_big=5000, device="auto")

BLOCK_CONFIGS = [
    [1, None, "numpy"], [1, 37, "numpy"], [7, None, "numpy"], [7, 37, "numpy"], [64, 5, "numpy"],
    [1024, None, "numpy"], [1024, 37, "numpy"], [7, None, "torch"], [64, 37, "torch"], [1024, None, "torch"],
]
#: the tolerance reason of the zero-violation claims
EXACT_REASON = "exact claim: the theorem says 0 violations; any nonzero count is a bug (no tolerance)"


# ------------------------------------------------------------------ tiny profiles (CI-sized, same code paths)
MIX_TINY = dict(MIX, n_orig=150, n_dup=30, n_exact=5)
ORACLE_TINY = dict(MIX_TINY, eps_list=[0.05, 0.3])
MONOTONE_TINY = dict(MIX, k=8, eps_list=[0.0, 1e-6, 0.001, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4], tiny_eps=1e-6,
                     n_orig=200, n_dup=30, n_exact=8)
REC_TINY = dict(REC, n_orig=600, n_dup=150, n_holdout=1024, theory_reps=2, noise_draws=2)
COST_TINY = dict(COST, n_orig=1500, n_dup=200, ks=[2, 4, 8, 16], r2_ks=[2, 4, 8, 16], repeats=1)
DIGITS_TINY = dict(DIGITS, epochs=1, embed_epochs=2, eps_grid=[0.05, 0.2])
TEXT_TINY = dict(TEXT, n_texts=40, n_planted=10, k=2)
DEV_TINY = dict(DEV_GPU, n_subset=800, n_dup_subset=80, dim=16, n_comp=5, k_subset=4, n_big=3000, k_big=6, n_comp_big=8)

# ------------------------------------------------------------------ beats_random_pruning (issue 19)
#: MNIST-1D at `scale` x its default size (quick 10x: 40k training samples, 10k test), embedded by a 1-D circular CNN
#: trained on an independently drawn default-size set; SemDeDup (hard, k clusters) at each kept fraction against random
#: pruning of the same size; the same CNN architecture learns, `epochs` equal epochs on every subset; all trainings are
#: one batched ensemble over (full + 2 x fractions) x learner_seeds members
PRUNE = dict(scale=10, embed_epochs=10, width=8, k=200, fractions=[0.9, 0.7, 0.5], learner_seeds=3, epochs=3, batch=64,
             lr=3e-3, margin=0.0)
#: gpu: 20x (80k training samples), wider CNN, 8 seeds, longer training
PRUNE_GPU = dict(PRUNE, scale=20, width=32, learner_seeds=8, epochs=10, k=283, embed_epochs=20)
PRUNE_PAPER = dict(PRUNE_GPU, learner_seeds=16, epochs=20)
PRUNE_TINY = dict(PRUNE, scale=0.4, embed_epochs=1, k=4, learner_seeds=2, epochs=1, batch=32)
