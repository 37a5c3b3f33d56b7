r"""Numerics for transformer signal propagation (Cowsik et al. 2024): random transformers of
width d in torch (float64, batched over draws) started from an exact simplex, per-layer
\( (q, p) \) and Jacobian growth, and a small trainable transformer for the trainability
experiment."""

from ._simulate import (
    block_forward,
    branch_outputs,
    gram_stats,
    normalize,
    sample_block_weights,
    simplex_tokens,
    simulate,
)
from ._train import MASK_ID, VOCAB, TransformerLM, char_corpus, masked_batch, train_masked_lm

__all__ = [
    "TransformerLM",
    "train_masked_lm",
    "char_corpus",
    "masked_batch",
    "VOCAB",
    "MASK_ID",
    "simplex_tokens",
    "normalize",
    "simulate",
    "branch_outputs",
    "block_forward",
    "sample_block_weights",
    "gram_stats",
]
