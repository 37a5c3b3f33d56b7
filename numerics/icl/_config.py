"""Configuration of the ICL ensemble (private module of `numerics.icl`): model shape,
optimisation, ensemble members, and the stable seed derivation."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from typing import Any

import numpy as np

from theory.icl._checks import check_int, check_nonnegative, check_positive

__all__ = ["ModelConfig", "TrainConfig", "Member", "seed_int"]


def _check_warmup(warmup_frac: float) -> float:
    try:
        w = float(warmup_frac)
    except (TypeError, ValueError):
        w = math.nan
    if not 0 < w <= 1:
        raise ValueError(f"warmup_frac must be in (0, 1], got {warmup_frac!r}")
    return w


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Model shape: task dimension `dim` (\\( D \\)), `n_points` (\\( K \\)), layers, width, heads."""

    dim: int
    n_points: int
    n_layer: int = 8
    n_embd: int = 128
    n_head: int = 2

    def __post_init__(self) -> None:
        for name in ("dim", "n_points", "n_layer", "n_embd", "n_head"):
            check_int(name, getattr(self, name), 1)
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")

    @property
    def block_size(self) -> int:
        return 2 * self.n_points


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Optimisation and data: steps, batch size, peak learning rate, noise/task variances."""

    steps: int
    batch_size: int
    lr: float
    noise_var: float
    task_var: float = 1.0
    warmup_frac: float = 0.5

    def __post_init__(self) -> None:
        check_int("steps", self.steps, 1)
        check_int("batch_size", self.batch_size, 1)
        for name in ("lr", "noise_var", "task_var"):
            check_positive(name, getattr(self, name))
        _check_warmup(self.warmup_frac)


@dataclasses.dataclass(frozen=True)
class Member:
    """One model of the ensemble: task diversity `n_tasks` (`None` = infinite), `seed`, weight
    decay, and its own `batch_size` (`None`: the `TrainConfig`'s). Members with different batch
    sizes train together on one batch of the largest size, each reading only its own first
    `batch_size` rows (a mask on the loss), so each member's data stay a pure function of
    (seed, batch size, step)."""

    n_tasks: int | None
    seed: int
    weight_decay: float = 0.0
    batch_size: int | None = None

    def __post_init__(self) -> None:
        if self.n_tasks is not None:
            try:
                check_int("n_tasks", self.n_tasks, 1)
            except ValueError:
                raise ValueError(f"n_tasks must be an integer >= 1 or None (infinite), got {self.n_tasks!r}") from None
        check_int("seed", self.seed, 0)
        check_nonnegative("weight_decay", self.weight_decay)
        if self.batch_size is not None:
            check_int("batch_size", self.batch_size, 1)


def seed_int(*parts: Any) -> int:
    """A 63-bit seed from integers and strings (SeedSequence of a stable encoding).

    Every part is a string or a whole number (of any sign; only its low 64 bits count).
    Raises `ValueError` naming the part otherwise (NaN, inf, a fraction).
    """
    words = []
    for i, p in enumerate(parts):
        if not isinstance(p, (str, int, np.integer)):
            f = float(p) if isinstance(p, (float, np.floating)) else math.nan
            if not math.isfinite(f) or f != round(f):
                raise ValueError(f"seed part {i} must be a string or a whole number, got {p!r}")
        if isinstance(p, str):
            words.append(int.from_bytes(hashlib.blake2b(p.encode(), digest_size=4).digest(), "little"))
        else:
            words.append(int(p) & 0xFFFFFFFF)
            words.append((int(p) >> 32) & 0xFFFFFFFF)
    state = np.random.SeedSequence(words).generate_state(2, dtype=np.uint64)
    return int(state[0] & np.uint64(2**63 - 1))
