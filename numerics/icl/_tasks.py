"""Task pools and per-step training data of the ICL ensemble (private module of `numerics.icl`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from numerics.icl._config import Member, TrainConfig, seed_int
from theory.icl._checks import check_int, check_nonnegative

__all__ = ["task_pool", "DataStream"]


def task_pool(seed: int, n_tasks: int, dim: int, task_var: float = 1.0) -> np.ndarray:
    """The pretraining pool of a seed: the first `n_tasks` rows of one master sequence of
    \\( \\mathcal{N}(0, \\tau^2 I_D) \\) draws (so pools of one seed are nested in \\( M \\)).

    Raises `ValueError` when `seed` is not an integer >= 0, `n_tasks` or `dim` is not an
    integer >= 1, or `task_var` is negative or not finite.
    """
    seed = check_int("seed", seed, 0)
    n_tasks = check_int("n_tasks", n_tasks, 1)
    dim = check_int("dim", dim, 1)
    task_var = check_nonnegative("task_var", task_var)
    # draw in fixed-size blocks so that a prefix does not depend on n_tasks
    block = 4096
    n_blocks = -(-int(n_tasks) // block)
    rows = [np.random.default_rng(seed_int(seed, "tasks", dim, b)).standard_normal((block, dim)) for b in range(n_blocks)]
    return np.concatenate(rows)[: int(n_tasks)] * math.sqrt(task_var)


class DataStream:
    """Per-step training batches for an ensemble; `batch(t)` is a pure function of `t`.

    Members that share a seed (and batch size) share the inputs, the noise, the uniform
    numbers that pick a pool index and the fresh tasks of step `t` (common random numbers
    across \\( M \\)); a member with \\( M = \\infty \\) uses the fresh tasks. A member's
    batch size is `member.batch_size` (default `train.batch_size`); the draws of a
    (seed, batch size, step) do not depend on the other members, so a member's stream is the
    same trained alone or in any ensemble. With mixed batch sizes every member's batch is
    padded with zero rows to the largest size, and `row_weights` (`(E, B_max)`: 1/B_e on the
    member's rows, 0 on the padding) turns per-row losses into each member's mean.

    Raises `ValueError` when `members` is empty or `dim` or `n_points` is not an integer >= 1.
    """

    def __init__(self, members: Sequence[Member], dim: int, n_points: int, train: TrainConfig, device: str | torch.device = "cpu"):
        self.members = list(members)
        if not self.members:
            raise ValueError("members must not be empty")
        dim, n_points = check_int("dim", dim, 1), check_int("n_points", n_points, 1)
        self.dim, self.n_points, self.train = int(dim), int(n_points), train
        self.device = torch.device(device)
        self.sizes = [int(m.batch_size or train.batch_size) for m in self.members]
        self.max_batch = max(self.sizes)
        self.streams = sorted({(m.seed, b) for m, b in zip(self.members, self.sizes)})
        self.seeds = sorted({m.seed for m in self.members})
        self.pools = [
            None if m.n_tasks is None else torch.as_tensor(task_pool(m.seed, m.n_tasks, dim, train.task_var), dtype=torch.float32, device=self.device)
            for m in self.members
        ]
        if len(set(self.sizes)) > 1:
            w = torch.zeros(len(self.members), self.max_batch, device=self.device)
            for e, b in enumerate(self.sizes):
                w[e, :b] = 1.0 / b
            self.row_weights: torch.Tensor | None = w
        else:
            self.row_weights = None
        self._gen = torch.Generator(device=self.device)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs `(E, B_max, K, D)` and targets `(E, B_max, K)` of training step `step`
        (rows past a member's own batch size are zero)."""
        K, D = self.n_points, self.dim
        shared = {}
        for seed, B in self.streams:
            self._gen.manual_seed(seed_int(seed, "data", step))
            g, dev = self._gen, self.device
            x = torch.randn(B, K, D, generator=g, device=dev)
            eps = torch.randn(B, K, generator=g, device=dev) * math.sqrt(self.train.noise_var)
            u = torch.rand(B, generator=g, device=dev)
            w_fresh = torch.randn(B, D, generator=g, device=dev) * math.sqrt(self.train.task_var)
            shared[seed, B] = (x, eps, u, w_fresh)
        Xs, ys = [], []
        for m, B, pool in zip(self.members, self.sizes, self.pools):
            x, eps, u, w_fresh = shared[m.seed, B]
            if pool is None:
                w = w_fresh
            else:
                idx = torch.clamp((u * pool.shape[0]).long(), max=pool.shape[0] - 1)
                w = pool[idx]
            yv = torch.einsum("bkd,bd->bk", x, w) + eps
            if B < self.max_batch:
                x = torch.cat([x, x.new_zeros(self.max_batch - B, K, D)])
                yv = torch.cat([yv, yv.new_zeros(self.max_batch - B, K)])
            Xs.append(x)
            ys.append(yv)
        return torch.stack(Xs), torch.stack(ys)
