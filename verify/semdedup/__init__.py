"""SemDeDup (Abbas et al. 2023): claim by claim, theory vs practice (brief C.7 1-9, real
text, GPU).

Exactness claims compare a violation count with the theorem's 0; recall claims compare
with the split-probability model of `theory.semdedup` (z-scores with both sides' standard
errors); cost and learning claims compare with the brief's thresholds. Test beds: Gaussian
mixtures with planted copies (`_data.mixture`), sklearn digits with jittered copies, and
first sentences of stdlib docstrings with planted paraphrases embedded by the offline
all-MiniLM-L6-v2.
"""

from __future__ import annotations

from verify.core.claims import Claim, PaperValue, profiles

from . import _exact as X
from . import _learning as L
from . import _stats as S

__all__ = ["CLAIMS"]

_PAPER_DATA = "needs the paper's data (LAION-440M CLIP embeddings / C4), which is not available offline"

# shared test beds (quick: a few seconds each on one core)
_MIX = dict(n_orig=1500, dim=32, n_comp=12, spread=0.8, n_dup=300, sigma=0.1, n_exact=40)
_MIX_GPU = dict(n_orig=20000, dim=64, n_comp=60, spread=0.8, n_dup=4000, sigma=0.1, n_exact=400)
_REC = dict(n_orig=10000, dim=32, n_comp=40, spread=0.6, n_dup=2000, sigma=0.15, eps=0.05, niter=20, theory_reps=3,
            n_holdout=16384, ppc=64, in_sample=True, noise_draws=8)
_REC_GPU = dict(_REC, n_orig=100000, n_dup=20000, dim=64, n_comp=200)
_REC_PAPER = dict(_REC, n_orig=1000000, n_dup=100000, dim=64, n_comp=2000, theory_reps=2)
_COST = dict(n_orig=90000, dim=64, n_comp=40, spread=0.6, n_dup=10000, sigma=0.1, niter=8, repeats=2, ppc=32,
             ks=[16, 32, 64, 128, 256, 512, 1024], r2_ks=[16, 64, 256, 1024], min_r2=0.9, skew_range=[1.0, 10.0])
_COST_GPU = dict(_COST, n_orig=180000, n_dup=20000, dim=128)
_DIGITS = dict(copies=5, noise=1.0, test_fraction=0.3, embedding="pixel_pca", pca_dim=32, k=10,
               eps_grid=[0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2], target_removed=0.8,
               epochs=15, batch=64, lr=3e-3, max_drop=0.01)
_TEXT = dict(n_texts=300, n_planted=100, k=8, eps=0.15, target_precision=0.8, target_recall=0.8)
_DEV_QUICK = dict(n_subset=6000, n_dup_subset=600, dim=32, n_comp=20, spread=0.5, sigma=0.1, k_subset=16, eps=0.05,
                  ppc=64, n_big=0, device="auto")
_DEV_GPU = dict(n_subset=1_000_000, n_dup_subset=100_000, dim=128, n_comp=2000, spread=0.5, sigma=0.1, k_subset=1000,
                eps=0.05, ppc=64, n_big=10_000_000, k_big=3162, n_comp_big=5000, device="auto")

_BLOCK_CONFIGS = [
    [1, None, "numpy"], [1, 37, "numpy"], [7, None, "numpy"], [7, 37, "numpy"], [64, 5, "numpy"],
    [1024, None, "numpy"], [1024, 37, "numpy"], [7, None, "torch"], [64, 37, "torch"], [1024, None, "torch"],
]
_EXACT_REASON = "exact claim: the theorem says 0 violations; any nonzero count is a bug (no tolerance)"

CLAIMS = [
    Claim(
        id="semdedup.oracle_k1",
        statement="With k = 1, SemDeDup's keep-mask equals the brute-force rule 'keep j iff no earlier item "
        "(in keep order) has cosine > 1 - eps', bit for bit, for the hard, easy and random policies.",
        theory=X.zero_theory,
        practice=X.oracle_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=_EXACT_REASON,
        profiles=profiles(
            quick=dict(_MIX, eps_list=[0.01, 0.1, 0.3]),
            gpu=dict(_MIX, n_orig=5000, n_dup=1000, eps_list=[0.01, 0.1, 0.3]),
            paper=dict(skip="brute force is O(N^2) by design; the gpu profile is the largest run"),
            seeds=2,
        ),
        aggregate="worst",
        tags=("exactness", "C.7-1"),
    ),
    Claim(
        id="semdedup.set_properties",
        statement="Kept items are pairwise <= 1 - eps within a cluster, kept is a subset of greedy-kept, the "
        "first item of every cluster is kept, every hard-policy survivor precedes its eps-neighbours, and the "
        "chain A~B~C gives {A} (order A,B,C) and {A,C} (order A,C,B; components keep 1).",
        theory=X.zero_theory,
        practice=X.set_properties_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=_EXACT_REASON,
        profiles=profiles(
            quick=dict(_MIX, k=8, eps=0.2),
            gpu=dict(_MIX, n_orig=5000, n_dup=1000, k=16, eps=0.2),
            paper=dict(skip="set properties are scale-free; the gpu profile is the largest run"),
            seeds=2,
        ),
        aggregate="worst",
        tags=("exactness", "C.7-2"),
    ),
    Claim(
        id="semdedup.monotone_eps",
        statement="The removed fraction is non-decreasing in eps, eps = 1e-6 removes exactly one member of each "
        "injected exact-copy pair, and '>' vs '>=' differ only on exact ties (one constructed).",
        theory=X.zero_theory,
        practice=X.monotone_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=_EXACT_REASON,
        profiles=profiles(
            quick=dict(_MIX, k=8, eps_list=[0.0, 1e-6, 0.001, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4], tiny_eps=1e-6),
            gpu=dict(_MIX_GPU, k=64, eps_list=[0.0, 1e-6, 0.001, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4], tiny_eps=1e-6),
            paper=dict(skip=_PAPER_DATA),
            seeds=2,
        ),
        aggregate="worst",
        paper_value=PaperValue(0.2, "official constants.py", "eps = 0.00095 keeps ~80% of LAION (near-exact copies)"),
        tags=("exactness", "C.7-3"),
    ),
    Claim(
        id="semdedup.recall_vs_k",
        statement="Planted-pair recall is 1 at k = 1 and falls with k; the miss rate matches the probability that "
        "k-means splits the pair (Gaussian split model over the originals' centroid gaps).",
        theory=S.recall_theory,
        practice=S.recall_practice,
        compare="z",
        tolerance=3.0,
        tolerance_reason="3 standard errors: binomial error of the measured recall over the planted pairs, and the "
        "theory's spread over 3 independent k-means draws plus its Monte-Carlo error",
        profiles=profiles(
            quick=dict(_REC, ks=[1, 16, 64, 256]),
            gpu=dict(_REC_GPU, ks=[1, 16, 64, 256, 1024]),
            paper=dict(_REC_PAPER, ks=[1, 64, 1024]),
            seeds=2,
        ),
        aggregate="worst",
        figure=S.recall_figure,
        tags=("recall", "C.7-4"),
    ),
    Claim(
        id="semdedup.recall_soft_top2",
        statement="Soft top-2 assignment (an item within delta of its second centroid is also compared there) "
        "restores most of the recall lost to k-means splits, as the soft split model predicts.",
        theory=S.soft_theory,
        practice=S.soft_practice,
        compare="z",
        tolerance=3.0,
        tolerance_reason="3 standard errors: binomial error of the measured recall and the theory's spread over 3 "
        "k-means draws plus its Monte-Carlo error",
        profiles=profiles(
            quick=dict(_REC, ks=[64, 256], soft_margin=0.02),
            gpu=dict(_REC_GPU, ks=[256, 1024], soft_margin=0.02),
            paper=dict(_REC_PAPER, ks=[1024], soft_margin=0.02),
            seeds=1,
        ),
        aggregate="worst",
        figure=S.recall_figure,
        tags=("recall", "C.7-4"),
    ),
    Claim(
        id="semdedup.cost_sum_nc2",
        statement="Pairwise-stage time is proportional to sum_c n_c^2 (R^2 > 0.9 over k in {16, 64, 256, 1024}).",
        theory=S.cost_r2_theory,
        practice=S.cost_r2_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="threshold R^2 >= 0.9 from the brief (C.7-5); times are CPU seconds of this process, "
        "best of 2 repeats",
        profiles=profiles(quick=_COST, gpu=_COST_GPU, paper=dict(_COST, n_orig=900000, n_dup=100000, dim=64), seeds=1),
        tags=("cost", "C.7-5"),
    ),
    Claim(
        id="semdedup.balanced_k",
        statement="The k minimising assignment + pairwise time is about sqrt(N): inside k* = sqrt(sN/2) for "
        "cluster-size skew s in [1, 10].",
        theory=S.balanced_k_theory,
        practice=S.balanced_k_practice,
        compare="interval",
        tolerance=1.0,
        tolerance_reason="one step of the k grid (factor 2, i.e. 1 in log2 k)",
        profiles=profiles(quick=_COST, gpu=_COST_GPU, paper=dict(_COST, n_orig=900000, n_dup=100000, dim=64), seeds=1),
        paper_value=PaperValue(50000, "semdedup_configs.yaml", "k = 50,000 for N = 440M; sqrt(N/2) = 14.8k"),
        tags=("cost", "C.7-5"),
    ),
    Claim(
        id="semdedup.blocked_equals_dense",
        statement="Column-blocked max-similarity (block B in {1, 7, 1024}, row blocks, numpy and torch) gives "
        "max_sim and argmax identical to the dense matrix.",
        theory=X.zero_theory,
        practice=X.blocked_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=_EXACT_REASON,
        profiles=profiles(
            quick=dict(_MIX, k=2, configs=_BLOCK_CONFIGS),
            gpu=dict(_MIX, n_orig=5000, n_dup=1000, k=2, configs=_BLOCK_CONFIGS + [[4096, None, "numpy"]]),
            paper=dict(skip="the dense reference is O(n_c^2); the gpu profile is the largest run"),
            seeds=2,
        ),
        aggregate="worst",
        tags=("exactness", "C.7-6"),
    ),
    Claim(
        id="semdedup.dask_equals_single",
        statement="The Dask engine (LocalCluster, clusters as tasks, a large cluster split by column ranges) gives "
        "the same keep-mask, max_sim and duplicate_of as the single-process run.",
        theory=X.zero_theory,
        practice=X.engine_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=_EXACT_REASON,
        profiles=profiles(
            quick=dict(_MIX, k=6, eps=0.1, workers=2, task_rows=200, split_rows=250),
            gpu=dict(_MIX_GPU, k=32, eps=0.1, workers=4, task_rows=2000, split_rows=1500),
            paper=dict(skip="needs a multi-machine Dask cluster"),
            seeds=1,
        ),
        tags=("exactness", "engine", "C.7-7"),
    ),
    Claim(
        id="semdedup.learning_accuracy",
        statement="On digits with 5 jittered copies per image, training on the SemDeDup subset (eps removing "
        ">= 80% of the planted copies) keeps test accuracy within about 1 point of training on everything, "
        "with several times fewer gradient steps per epoch.",
        theory=L.acc_gap_theory,
        practice=L.acc_gap_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="the brief's 'within about 1 point' is the threshold itself (max_drop = 0.01); 3 seeds, mean",
        profiles=profiles(quick=_DIGITS, gpu=dict(_DIGITS, epochs=30), paper=dict(skip=_PAPER_DATA), seeds=3),
        paper_value=PaperValue(0.5, "abstract", "LAION: removing 50% costs minimal performance at half the training time"),
        tags=("learning", "C.7-8"),
    ),
    Claim(
        id="semdedup.learning_vs_random",
        statement="Random pruning to the same size is no better than SemDeDup (it drops some originals entirely).",
        theory=L.vs_random_theory,
        practice=L.vs_random_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="sign threshold (difference >= 0), mean over 3 seeds",
        profiles=profiles(quick=_DIGITS, gpu=dict(_DIGITS, epochs=30), paper=dict(skip=_PAPER_DATA), seeds=3),
        tags=("learning", "C.7-8"),
    ),
    Claim(
        id="semdedup.peers",
        statement="Within clusters, greedy-keep removes a subset of what SemDeDup removes and one-survivor-per-"
        "component removes at least as many; global components and SemHash are placed beside them.",
        theory=X.zero_theory,
        practice=X.peers_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=_EXACT_REASON,
        profiles=profiles(
            quick=dict(_MIX, k=8, eps=0.2),
            gpu=dict(_MIX, n_orig=5000, n_dup=1000, k=16, eps=0.2),
            paper=dict(skip="global components are O(N^2); the gpu profile is the largest run"),
            seeds=1,
        ),
        tags=("peers", "C.7-9"),
    ),
    Claim(
        id="semdedup.real_text",
        statement="On real text (stdlib docstrings embedded offline with all-MiniLM-L6-v2, planted paraphrases), "
        "SemDeDup's removals reach precision and recall >= 0.8 w.r.t. the planted pairs.",
        theory=L.text_theory,
        practice=L.text_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="targets set before the run (0.8, 0.8); one corpus draw per seed, worst seed",
        profiles=profiles(
            quick=_TEXT,
            gpu=dict(_TEXT, n_texts=2000, n_planted=500, k=40),
            paper=dict(skip=_PAPER_DATA),
            seeds=1,
        ),
        aggregate="worst",
        tags=("real-data",),
    ),
    Claim(
        id="semdedup.device_equals_cpu",
        statement="torch GEMM blocks on the device give the same keep-mask, max_sim and duplicate_of as the CPU "
        "reference on a subset (1M items in the gpu profile), and a 10M-item synthetic run completes on the GPU.",
        theory=X.zero_theory,
        practice=X.device_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=_EXACT_REASON,
        profiles=profiles(
            quick=_DEV_QUICK,
            gpu=_DEV_GPU,
            paper=dict(_DEV_GPU, n_big=100_000_000, k_big=10000, skip="100M x 128 float32 needs ~51 GB of host memory"),
            seeds=1,
            gpu_requires_cuda=True,
        ),
        tags=("exactness", "gpu"),
    ),
]
