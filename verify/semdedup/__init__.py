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
`_pruning` (SemDeDup vs random pruning on MNIST-1D, issue 19), `_real_text`; configurations in `_profiles`, figures in `_figures`, test beds in `_data`.
"""

from __future__ import annotations

from verify.core.claims import Claim, PaperValue, Provenance, profiles, skip
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
from verify.semdedup._figures import pruning_figure, recall_figure
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
    PRUNE,
    PRUNE_GPU,
    PRUNE_PAPER,
    PRUNE_TINY,
    REC,
    REC_GPU,
    REC_PAPER,
    REC_TINY,
    TEXT,
    TEXT_TINY,
)
from verify.semdedup._pruning import beats_random_practice, beats_random_theory
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
        provenance=Provenance(
            paper="the rule of the official code (brief C.1, semdedup.py): j removed iff max_{i<j} cos(E_i, E_j) > 1 - eps in the keep order (hard/easy/random); no number in the paper",
            ours="brute-force O(N^2) oracle on Gaussian-mixture embeddings with planted copies (1500 originals + 300 near + 40 exact copies, d = 32 at quick), k = 1, eps in {0.01, 0.1, 0.3}; count of mask differences",
        ),
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
        provenance=Provenance(
            paper="consequences of the official rule (brief C.1 'exact semantics'): kept within a cluster pairwise <= 1 - eps, kept subset of greedy-kept, first item kept, the chain examples; not stated in the paper itself",
            ours="violation count on the quick Gaussian mixture, k = 8, eps = 0.2, plus the two hand-built chains (A,B,C) and (A,C,B)",
        ),
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
        provenance=Provenance(
            paper="official constants.py eps -> retained-fraction tables (brief C.1): eps = 0.00095 keeps 0.796 of the corpus, i.e. near-exact copies are ~20% of it; the strict '>' of semdedup.py (NeMo Curator uses '>=')",
            ours="removed fraction over an 11-point eps grid on the mixture (k = 8), eps = 1e-6 against the injected exact copies, one constructed tie for '>' vs '>='; the paper value is the official table's removal at the tiny eps, shown for scale only",
        ),
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
        provenance=Provenance(
            paper="the official code compares pairs only inside a k-means cluster (k = 50,000 for LAION, brief C.1-C.2), so pairs split by k-means are missed; the paper reports no recall",
            ours="planted-pair recall on a 10k-original mixture (2000 near copies, sigma = 0.15, eps = 0.05) at k in {1, 16, 64, 256}, k-means trained on held-out items; theory: our Gaussian split model of the centroid gaps (theory.semdedup), z-score with both standard errors",
        ),
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
        provenance=Provenance(
            paper="not in the paper: soft top-2 assignment is the brief's extension for distributed runs (C.5 step 8)",
            ours="soft margin 0.02 on the recall test bed at k in {64, 256}; theory: our soft split model; z-score",
        ),
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
        provenance=Provenance(
            paper="the paper reports no timing model; the cost table (pairwise ~ d sum_c n_c^2) is the brief's (C.3), the R^2 > 0.9 threshold is the brief's C.7-5",
            ours="CPU seconds of the blocked pairwise stage on a 100k-item mixture (d = 64) at k in {16, 64, 256, 1024}, best of 2 repeats, R^2 of a linear fit on sum_c n_c^2",
        ),
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
        provenance=Provenance(
            paper="official config uses k = 50,000 for LAION-440M (semdedup_configs.yaml, brief C.2); the k* ~ sqrt(N) balance is the brief's (C.3) and NeMo Curator's guidance",
            ours="assignment + pairwise CPU time over k = 16..1024 (factor-2 grid) on 100k items; theory band k* = sqrt(sN/2) for skew s in [1, 10]; tolerance one grid step",
        ),
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
        provenance=Provenance(
            paper="the official code materialises each cluster's n_c x n_c matrix (brief C.1 step 4); column blocking is NeMo Curator's (pairwise_batch_size 1024, brief C.6)",
            ours="max_sim/argmax from column blocks B in {1, 7, 1024}, row blocks, numpy and torch, against the dense matrix on the mixture (k = 2); count of differences",
        ),
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
        provenance=Provenance(
            paper="the official code parallelises by SLURM tasks over cluster ranges (brief C.3); a Dask engine is the brief's design (C.5)",
            ours="Dask LocalCluster (2 workers at quick), clusters bin-packed into tasks, one cluster split by column ranges, against the single-process run; count of differences in mask, max_sim, duplicate_of",
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
        provenance=Provenance(
            paper="LAION-440M, OpenCLIP ViT-B/16 class: removing 50% with SemDeDup costs minimal zero-shot/OOD performance and reaches it in about half the training time (abstract, brief C.4); per-task accuracies not readable; the 'within ~1 point' test is the brief's C.7-8",
            ours="sklearn digits, 5 jittered copies per training image (one-pixel circular shift + noise), embedded by a circular CNN trained on a disjoint 20% split, eps the smallest removing >= 80% of planted copies as duplicates of their own image (k = 10), the same CNN trained 15 epochs (quick) on all vs the SemDeDup subset; 3 seeds",
        ),
        paper_value=PaperValue.unreadable("abstract; LAION-440M evaluations (brief C.4)", "50% of LAION-440M removed with 'minimal' loss at about half the training time; the accuracy difference itself was not readable in the recovered text"),
        device="gpu",
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
        provenance=Provenance(
            paper="the paper compares SemDeDup with random pruning of LAION at equal kept fraction (issue 19; brief C.4: SemDeDup beats it); the numbers were not readable",
            ours="same digits test bed, embedding and learner as learning_accuracy; a random subset of the SemDeDup subset's size; paired accuracy difference on the held-out digits, 3 seeds",
        ),
        paper_value=PaperValue.unreadable("LAION-440M pruning comparison (brief C.4)", "SemDeDup above random pruning at equal size; per-fraction accuracies not readable in the recovered text"),
        device="gpu",
        tags=("learning", "C.7-8"),
    ),
    Claim(
        id="semdedup.beats_random_pruning",
        kind="prediction",
        statement="At equal kept fraction (90%, 70%, 50%), training on the SemDeDup-kept subset loses less test accuracy "
        "than training on a random subset of the same size: on MNIST-1D generated at 10-20x its default size (many "
        "near-copies of the 10 templates), embedded by a shift-invariant CNN trained on a disjoint draw, the same CNN "
        "architecture trained for equal epochs on each subset (so a kept fraction f takes f of the gradient steps).",
        theory=beats_random_theory,
        practice=beats_random_practice,
        compare="at_least",
        tolerance=0.0,
        tolerance_reason="sign threshold (margin 0): the paired difference acc(SemDeDup) - acc(random), mean over the "
        "three kept fractions and the learner seeds, must be >= 0; decided by its 95% Student-t interval over the seeds "
        "(the paired test-set standard error is a floor)",
        profiles=profiles(
            tiny=PRUNE_TINY,
            quick=PRUNE,
            gpu=PRUNE_GPU,
            paper=PRUNE_PAPER,
            seeds=1,
        ),
        figure=pruning_figure,
        provenance=Provenance(
            paper="LAION-440M, CLIP ViT-B/16: SemDeDup removes up to 50% with little loss of zero-shot/OOD accuracy, at "
            "about half the training time, and does better than random pruning to the same size (abstract, brief C.4, "
            "issue 19); the per-fraction accuracies were not readable",
            ours="MNIST-1D at 10x (quick; 40k training, 10k test) / 20x (gpu) its default size, bit for bit the package's "
            "generator; embedding: 1-D circular CNN (k = 5, widths 8/16, global max-pool) trained on an independent "
            "default-size draw; SemDeDup hard policy, k = 200 ~ sqrt(N) (brief C.3), eps per fraction from the quantile "
            "of max_sim; learner: the same CNN, Adam 3e-3, batch 64, 3 epochs at quick, one batched ensemble of "
            "(full + 3 fractions x 2 methods) x 3 seeds",
        ),
        paper_value=PaperValue.unreadable("LAION-440M pruning curves (brief C.4)", "SemDeDup above random pruning at equal "
                                          "kept fraction, ~50% removable with little loss; the accuracies could not be "
                                          "read from the recovered text"),
        device="gpu",
        tags=("learning", "C.7-8", "issue-19"),
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
        provenance=Provenance(
            paper="not in the paper: the inclusions (greedy-keep, connected components, SemHash) are the brief's reading of peer systems (C.1 exact semantics, C.6, C.7-9)",
            ours="within-cluster greedy/component keeps and global components on the mixture (k = 8, eps = 0.2), SemHash placed beside them; violation count of the inclusions",
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
        provenance=Provenance(
            paper="the paper deduplicates C4 for OPT-family language models (brief C.4); its numbers were not readable and it reports no precision/recall of planted pairs",
            ours="300 first sentences of stdlib docstrings + 100 planted paraphrases, embedded offline by all-MiniLM-L6-v2 (NeMo Curator's default embedder), k = 8, eps = 0.15; targets 0.8/0.8 set before the run, eps and paraphraser calibrated on one draw",
        ),
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
        provenance=Provenance(
            paper="the official code runs k-means on GPUs and the pairwise stage on CPU tasks (brief C.2-C.3); the paper gives no device numbers",
            ours="torch GEMM tiles on ctx.device against the numpy CPU reference on a subset (6k at quick, 1M at gpu) with the same centroids, and a 10M-item synthetic run on the GPU (brief C.7 GPU-scale)",
        ),
        device="gpu",
        tags=("exactness", "gpu"),
    ),
]
