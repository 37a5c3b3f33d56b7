"""Seeding: one integer seed per run, split into named, independent streams.

A stream ("init", "data", "noise", "theory_mc", ...) is derived from `(seed, stream name)`
with `numpy.random.SeedSequence`, as the ICL reference code keeps separate seeds for its
data, task, noise and model streams. Two streams of the same seed are independent; the same
(seed, stream) always gives the same numbers, in any process and on any backend.
"""

from __future__ import annotations

import random
import zlib

import numpy as np

__all__ = ["stream_seed", "rng", "seed_everything", "torch_generator", "jax_key", "THEORY_SEED"]

#: Seed used for the theory side (its own Monte-Carlo or quadrature randomness). It is fixed
#: and distinct from every practice seed stream, so theory never shares noise with practice.
THEORY_SEED = 20_240_617


def stream_seed(seed: int, stream: str) -> int:
    """A 63-bit integer seed for `(seed, stream)`."""
    if not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, zlib.crc32(stream.encode())])
    return int(ss.generate_state(2, dtype=np.uint32).astype(np.uint64) @ np.array([1, 2**31], dtype=np.uint64)) & (
        2**63 - 1
    )


def rng(seed: int, stream: str) -> np.random.Generator:
    """A numpy Generator for the named stream of `seed`."""
    return np.random.default_rng(stream_seed(seed, stream))


def torch_generator(seed: int, stream: str, device: str = "cpu"):
    """A `torch.Generator` for the named stream of `seed` (imports torch lazily)."""
    import torch

    g = torch.Generator(device=device)
    g.manual_seed(stream_seed(seed, stream))
    return g


def jax_key(seed: int, stream: str):
    """A `jax.random.key` for the named stream of `seed` (imports JAX lazily)."""
    import jax

    return jax.random.PRNGKey(stream_seed(seed, stream) % (2**32))


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's global and torch's global generators (for code that uses them)."""
    s = stream_seed(seed, "global")
    random.seed(s)
    np.random.seed(s % (2**32))
    try:
        import torch
    except ImportError:  # pragma: no cover
        return
    torch.manual_seed(s)
