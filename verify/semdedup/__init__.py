"""SemDeDup (Abbas et al. 2023): claim by claim, theory vs practice (brief C.7 1-9, real
text, GPU).

Exactness claims compare a violation count with the theorem's 0 (kind "implementation": they
check invariants of the algorithm); recall claims compare with the split-probability model of
`theory.semdedup` (z-scores with both sides' standard errors); cost and learning claims compare
with the brief's thresholds. Test beds: Gaussian mixtures with planted copies (`_data.mixture`),
sklearn digits with jittered copies (deduplicated in a learned, shift-invariant CNN embedding), and first sentences of stdlib docstrings with planted
paraphrases embedded by the offline all-MiniLM-L6-v2.

The theory and practice functions live in modules named after what they check: `_exact`
(zero-violation invariants), `_recall` (C.7-4), `_cost` (C.7-5), `_learning` (C.7-8),
`_real_text`; configurations in `_profiles`, figures in `_figures`, test beds in `_data`.
"""

from __future__ import annotations

from verify.core.claims import Claim, PaperValue, profiles, skip
from verify.semdedup._cost import balanced_k_practice, balanced_k_theory, cost_r2_practice, cost_r2_theory
from verify.semdedup._exact import (
    blocked_practice,
    device_practice,
    engine_practice,
    monotone_practice,
    oracle_practice,
    peers_practice,
    set_properties_practice,
    zero_theory,
)
from verify.semdedup._figures import recall_figure
from verify.semdedup._learning import acc_gap_practice, acc_gap_theory, vs_random_practice, vs_random_theory
from verify.semdedup._profiles import (
    BLOCK_CONFIGS,
    COST,
    COST_GPU,
    COST_TINY,
    DEV_GPU,
    DEV_QUICK,
    DEV_TINY,
    DIGITS,
    DIGITS_GPU,
    DIGITS_TINY,
    EXACT_REASON,
    MIX,
    MIX_GPU,
    MIX_TINY,
    MONOTONE_TINY,
    ORACLE_TINY,
    PAPER_DATA,
    REC,
    REC_GPU,
    REC_PAPER,
    REC_TINY,
    TEXT,
    TEXT_TINY,
)
from verify.semdedup._real_text import text_practice, text_theory
from verify.semdedup._recall import recall_practice, recall_theory, soft_practice, soft_theory

__all__ = ["CLAIMS"]

CLAIMS: list[Claim] = [
    Claim(
        id="semdedup.oracle_k1",
        kind="implementation",
        statement="With k = 1, SemDeDup's keep-mask equals the brute-force rule 'keep j iff no earlier item "
        "(in keep order) has cosine > 1 - eps', bit for bit, for the hard, easy and random policies.",
        theory=zero_theory,
        practice=oracle_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=EXACT_REASON,
        profiles=profiles(
            tiny=ORACLE_TINY,
            quick=dict(MIX, eps_list=[0.01, 0.1, 0.3]),
            gpu=dict(MIX, n_orig=5000, n_dup=1000, eps_list=[0.01, 0.1, 0.3]),
            paper=skip("brute force is O(N^2) by design; the gpu profile is the largest run"),
            seeds={"quick": 2, "gpu": 2},
        ),
        aggregate="worst",
        tags=("exactness", "C.7-1"),
    ),
    Claim(
        id="semdedup.set_properties",
        kind="implementation",
        statement="Kept items are pairwise <= 1 - eps within a cluster, kept is a subset of greedy-kept, the "
        "first item of every cluster is kept, every hard-policy survivor precedes its eps-neighbours, and the "
        "chain A~B~C gives {A} (order A,B,C) and {A,C} (order A,C,B; components keep 1).",
        theory=zero_theory,
        practice=set_properties_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=EXACT_REASON,
        profiles=profiles(
            tiny=dict(MIX_TINY, k=8, eps=0.2),
            quick=dict(MIX, k=8, eps=0.2),
            gpu=dict(MIX, n_orig=5000, n_dup=1000, k=16, eps=0.2),
            paper=skip("set properties are scale-free; the gpu profile is the largest run"),
            seeds={"quick": 2, "gpu": 2},
        ),
        aggregate="worst",
        tags=("exactness", "C.7-2"),
    ),
    Claim(
        id="semdedup.monotone_eps",
        kind="implementation",
        statement="The removed fraction is non-decreasing in eps, eps = 1e-6 removes exactly one member of each "
        "injected exact-copy pair, and '>' vs '>=' differ only on exact ties (one constructed).",
        theory=zero_theory,
        practice=monotone_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=EXACT_REASON,
        profiles=profiles(
            tiny=MONOTONE_TINY,
            quick=dict(MIX, k=8, eps_list=[0.0, 1e-6, 0.001, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4], tiny_eps=1e-6),
            gpu=dict(MIX_GPU, k=64, eps_list=[0.0, 1e-6, 0.001, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4], tiny_eps=1e-6),
            paper=skip(PAPER_DATA),
            seeds={"quick": 2, "gpu": 2},
        ),
        aggregate="worst",
        paper_value=PaperValue(0.2, "official constants.py", "eps = 0.00095 keeps ~80% of LAION (near-exact copies)"),
        tags=("exactness", "C.7-3"),
    ),
    Claim(
        id="semdedup.recall_vs_k",
        kind="prediction",
        statement="Planted-pair recall is 1 at k = 1 and falls with k; the miss rate matches the probability that "
        "k-means splits the pair (Gaussian split model over the originals' centroid gaps).",
        theory=recall_theory,
        practice=recall_practice,
        compare="z",
        tolerance=3.0,
        tolerance_reason="3 standard errors: binomial error of the measured recall over the planted pairs, and the "
        "theory's spread over 3 independent k-means draws plus its Monte-Carlo error",
        profiles=profiles(
            tiny=dict(REC_TINY, ks=[1, 8]),
            quick=dict(REC, ks=[1, 16, 64, 256]),
            gpu=dict(REC_GPU, ks=[1, 16, 64, 256, 1024]),
            paper=dict(REC_PAPER, ks=[1, 64, 1024]),
            seeds={"quick": 2, "gpu": 2, "paper": 2},
        ),
        aggregate="worst",
        figure=recall_figure,
        tags=("recall", "C.7-4"),
    ),
    Claim(
        id="semdedup.recall_soft_top2",
        kind="prediction",
        statement="Soft top-2 assignment (an item within delta of its second centroid is also compared there) "
        "restores most of the recall lost to k-means splits, as the soft split model predicts.",
        theory=soft_theory,
        practice=soft_practice,
        compare="z",
        tolerance=3.0,
        tolerance_reason="3 standard errors: binomial error of the measured recall and the theory's spread over 3 "
        "k-means draws plus its Monte-Carlo error",
        profiles=profiles(
            tiny=dict(REC_TINY, ks=[8], soft_margin=0.02),
            quick=dict(REC, ks=[64, 256], soft_margin=0.02),
            gpu=dict(REC_GPU, ks=[256, 1024], soft_margin=0.02),
            paper=dict(REC_PAPER, ks=[1024], soft_margin=0.02),
            seeds=1,
        ),
        aggregate="worst",
        figure=recall_figure,
        tags=("recall", "C.7-4"),
    ),
    Claim(
        id="semdedup.cost_sum_nc2",
        kind="prediction",
        statement="Pairwise-stage time is proportional to sum_c n_c^2 (R^2 > 0.9 over k in {16, 64, 256, 1024}).",
        theory=cost_r2_theory,
        practice=cost_r2_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="threshold R^2 >= 0.9 from the brief (C.7-5); times are CPU seconds of this process, "
        "best of 2 repeats",
        profiles=profiles(tiny=COST_TINY, quick=COST, gpu=COST_GPU, paper=dict(COST, n_orig=900000, n_dup=100000, dim=64), seeds=1),
        tags=("cost", "C.7-5"),
    ),
    Claim(
        id="semdedup.balanced_k",
        kind="prediction",
        statement="The k minimising assignment + pairwise time is about sqrt(N): inside k* = sqrt(sN/2) for "
        "cluster-size skew s in [1, 10].",
        theory=balanced_k_theory,
        practice=balanced_k_practice,
        compare="interval",
        tolerance=1.0,
        tolerance_reason="one step of the k grid (factor 2, i.e. 1 in log2 k)",
        profiles=profiles(tiny=COST_TINY, quick=COST, gpu=COST_GPU, paper=dict(COST, n_orig=900000, n_dup=100000, dim=64), seeds=1),
        paper_value=PaperValue(50000, "semdedup_configs.yaml", "k = 50,000 for N = 440M; sqrt(N/2) = 14.8k"),
        tags=("cost", "C.7-5"),
    ),
    Claim(
        id="semdedup.blocked_equals_dense",
        kind="implementation",
        statement="Column-blocked max-similarity (block B in {1, 7, 1024}, row blocks, numpy and torch) gives "
        "max_sim and argmax identical to the dense matrix.",
        theory=zero_theory,
        practice=blocked_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=EXACT_REASON,
        profiles=profiles(
            tiny=dict(MIX_TINY, k=2, configs=BLOCK_CONFIGS),
            quick=dict(MIX, k=2, configs=BLOCK_CONFIGS),
            gpu=dict(MIX, n_orig=5000, n_dup=1000, k=2, configs=BLOCK_CONFIGS + [[4096, None, "numpy"]]),
            paper=skip("the dense reference is O(n_c^2); the gpu profile is the largest run"),
            seeds={"quick": 2, "gpu": 2},
        ),
        aggregate="worst",
        tags=("exactness", "C.7-6"),
    ),
    Claim(
        id="semdedup.dask_equals_single",
        kind="implementation",
        statement="The Dask engine (LocalCluster, clusters as tasks, a large cluster split by column ranges) gives "
        "the same keep-mask, max_sim and duplicate_of as the single-process run.",
        theory=zero_theory,
        practice=engine_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=EXACT_REASON,
        profiles=profiles(
            tiny=dict(MIX_TINY, k=6, eps=0.1, workers=1, task_rows=40, split_rows=60),
            quick=dict(MIX, k=6, eps=0.1, workers=2, task_rows=200, split_rows=250),
            gpu=dict(MIX_GPU, k=32, eps=0.1, workers=4, task_rows=2000, split_rows=1500),
            paper=skip("needs a multi-machine Dask cluster"),
            seeds=1,
        ),
        tags=("exactness", "engine", "C.7-7"),
    ),
    Claim(
        id="semdedup.learning_accuracy",
        kind="prediction",
        statement="On digits with 5 jittered copies per image (one-pixel circular shifts plus noise), deduplicated in a "
        "learned embedding (penultimate layer of a shift-invariant CNN trained on a disjoint split), training the same "
        "CNN architecture on the SemDeDup subset (the eps at which >= 80% of the planted copies are removed as "
        "duplicates of their own image) keeps held-out test accuracy within about 1 point of training on everything, "
        "at equal epochs (several times fewer gradient steps).",
        theory=acc_gap_theory,
        practice=acc_gap_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="the brief's 'within about 1 point' is the threshold itself (max_drop = 0.01); mean over seeds, "
        "decided by its t-interval (the paired test-set standard error of each seed's difference is a floor)",
        profiles=profiles(tiny=DIGITS_TINY, quick=DIGITS, gpu=DIGITS_GPU, paper=skip(PAPER_DATA), seeds={"quick": 3, "gpu": 8}),
        paper_value=PaperValue(0.5, "abstract", "LAION: removing 50% costs minimal performance at half the training time"),
        deviation=(
            "2.4 points lost at equal epochs, not <= 1. The set-up was checked first (issue 16): the copies are near "
            "in the embedding being deduplicated (removal precision 0.98-0.99 at eps 0.042-0.055, which removes "
            "80-85% of the planted copies as duplicates of their own image; 3-6% of the 898 originals lose every "
            "member against 9-12% under random pruning) and the learner shares the embedding's shift invariance. "
            "Quick, 8 seeds: acc(SemDeDup) - acc(all) = -0.0239, 95% t-interval [-0.032, -0.016] with each seed's "
            "paired test-set SE as floor (every seed between -0.032 and -0.015; the profile's 3 seeds: -0.025, "
            "INCONCLUSIVE). Trained for as many steps as the full set (control, 8 seeds) the subset loses 0.86 "
            "points (between-seed 95% interval [-1.3, -0.5]): most of the loss is the 3.3x fewer steps, the rest "
            "the lost noisy views. The paper gives no per-task number we could read (CLIP ViT-B/16 on LAION-440M, "
            "50% removed, 'minimal' loss at half the steps); there an epoch of the deduplicated half is still "
            "hundreds of millions of samples, here 15 epochs of ~1.7k images (390 steps) leave a small CNN short of "
            "the full set's accuracy. The gpu profile (30 epochs) reports the equal-steps control beside it."
        ),
        tags=("learning", "C.7-8"),
    ),
    Claim(
        id="semdedup.learning_vs_random",
        kind="prediction",
        statement="Random pruning to the same size is no better than SemDeDup (it drops some originals entirely); "
        "same test bed, embedding and learner as learning_accuracy.",
        theory=vs_random_theory,
        practice=vs_random_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="sign threshold (difference >= 0), mean over seeds, decided by its t-interval (the paired "
        "test-set standard error of each seed's difference is a floor)",
        profiles=profiles(tiny=DIGITS_TINY, quick=DIGITS, gpu=DIGITS_GPU, paper=skip(PAPER_DATA), seeds={"quick": 3, "gpu": 8}),
        tags=("learning", "C.7-8"),
    ),
    Claim(
        id="semdedup.peers",
        kind="implementation",
        statement="Within clusters, greedy-keep removes a subset of what SemDeDup removes and one-survivor-per-"
        "component removes at least as many; global components and SemHash are placed beside them.",
        theory=zero_theory,
        practice=peers_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=EXACT_REASON,
        profiles=profiles(
            tiny=dict(MIX_TINY, k=8, eps=0.2),
            quick=dict(MIX, k=8, eps=0.2),
            gpu=dict(MIX, n_orig=5000, n_dup=1000, k=16, eps=0.2),
            paper=skip("global components are O(N^2); the gpu profile is the largest run"),
            seeds=1,
        ),
        tags=("peers", "C.7-9"),
    ),
    Claim(
        id="semdedup.real_text",
        kind="prediction",
        statement="On real text (stdlib docstrings embedded offline with all-MiniLM-L6-v2, planted paraphrases), "
        "SemDeDup's removals reach precision and recall >= 0.8 w.r.t. the planted pairs.",
        theory=text_theory,
        practice=text_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="targets set before the run (0.8, 0.8); one corpus draw per seed, worst seed",
        profiles=profiles(
            tiny=TEXT_TINY,
            quick=TEXT,
            gpu=dict(TEXT, n_texts=2000, n_planted=500, k=40),
            paper=skip(PAPER_DATA),
            seeds=1,
        ),
        aggregate="worst",
        tags=("real-data",),
    ),
    Claim(
        id="semdedup.device_equals_cpu",
        kind="implementation",
        statement="torch GEMM blocks on the device give the same keep-mask, max_sim and duplicate_of as the CPU "
        "reference on a subset (1M items in the gpu profile), and a 10M-item synthetic run completes on the GPU.",
        theory=zero_theory,
        practice=device_practice,
        compare="abs",
        tolerance=0.0,
        tolerance_reason=EXACT_REASON,
        profiles=profiles(
            tiny=DEV_TINY,
            quick=DEV_QUICK,
            gpu=DEV_GPU,
            paper=skip("100M x 128 float32 needs ~51 GB of host memory (n_big = 1e8, k_big = 1e4)"),
            seeds=1,
            gpu_requires_cuda=True,
        ),
        tags=("exactness", "gpu"),
    ),
]
