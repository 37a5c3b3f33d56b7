"""SemDeDup (Abbas, Tirumala, Simig, Ganguli, Morcos 2023): semantic deduplication by
spherical k-means and within-cluster cosine thresholding, exact, out of core and on Dask.

```python
from numerics.semdedup import semdedup, embed_texts

emb = embed_texts(texts)                      # offline all-MiniLM-L6-v2, (n, 384)
res = semdedup(emb, n_clusters=100, eps=0.07) # keep="hard", seed=0
kept = [t for t, k in zip(texts, res.keep) if k]
res.duplicate_of[~res.keep]                   # which earlier item each removal duplicates
```

Command line: `python -m numerics.semdedup EMBEDDINGS --clusters K --eps E --out DIR`.
"""

from ._core import KEEP_POLICIES, SemDeDupResult, remove_mask, semdedup
from ._embed import embed_images, embed_texts, load_text_model
from ._engines import plan_tasks
from ._kmeans import assign, sample_rows, train_centroids
from ._pairwise import PairwiseResult, cluster_max_sim, dot64, gemm_error_bound, screening_margin
from ._peers import brute_force_keep, cluster_orders, component_keep, global_component_keep, greedy_keep
from ._source import ArraySource, EmbeddingSource, NpyFileSource, ParquetSource, ShardedSource, as_source, normalize_rows

__all__ = [
    "semdedup",
    "SemDeDupResult",
    "remove_mask",
    "KEEP_POLICIES",
    "embed_texts",
    "embed_images",
    "load_text_model",
    "cluster_max_sim",
    "PairwiseResult",
    "dot64",
    "gemm_error_bound",
    "screening_margin",
    "train_centroids",
    "sample_rows",
    "assign",
    "plan_tasks",
    "brute_force_keep",
    "greedy_keep",
    "component_keep",
    "global_component_keep",
    "cluster_orders",
    "as_source",
    "normalize_rows",
    "EmbeddingSource",
    "ArraySource",
    "NpyFileSource",
    "ParquetSource",
    "ShardedSource",
]
