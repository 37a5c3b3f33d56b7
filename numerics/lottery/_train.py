"""SGD training with rewinding: a fresh optimizer per call, the LR schedule indexed by the
global step (so training "from step k" resumes the schedule at k), masked weights held at
exactly zero.

The data order is a function of `(data_seed, epoch)` only, so any step range can be
replayed and an interrupted run resumes identically.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from numerics._data import DataSplit
from numerics.lottery._pruning import Mask
from theory.lottery._checks import check_int, check_number

__all__ = ["TrainConfig", "lr_at", "train", "evaluate", "recompute_bn", "has_batchnorm", "state_copy"]


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """SGD hyper-parameters of one full training run of `steps` steps.

    - `lr`, `momentum`, `weight_decay`, `batch_size`: as in `torch.optim.SGD`.
    - `steps`: the full length \\(T\\); a level retrains steps \\(k..T\\).
    - `milestones`: steps at which the LR is multiplied by `gamma`.
    - `warmup_steps`: linear warm-up from 0.
    - `augment`: random flips and 4-pixel crops (image data only).
    """

    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4
    batch_size: int = 64
    steps: int = 600
    milestones: tuple[int, ...] = ()
    gamma: float = 0.1
    warmup_steps: int = 0
    augment: bool = False

    def __post_init__(self) -> None:
        check_number("lr", self.lr, 0.0, lo_open=True)
        check_number("momentum", self.momentum, 0.0, 1.0, hi_open=True)
        check_number("weight_decay", self.weight_decay, 0.0)
        check_int("batch_size", self.batch_size, 1)
        check_int("steps", self.steps, 1)
        for m in self.milestones:
            check_int("milestones", m, 0)
        check_number("gamma", self.gamma, 0.0, lo_open=True)
        check_int("warmup_steps", self.warmup_steps, 0)


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Learning rate at a global step (an integer >= 0): warm-up, then step decay at the
    milestones."""
    step = check_int("step", step, 0)
    lr = cfg.lr * cfg.gamma ** sum(step >= m for m in cfg.milestones)
    if cfg.warmup_steps > 0 and step < cfg.warmup_steps:
        lr *= (step + 1) / cfg.warmup_steps
    return lr


def has_batchnorm(model: nn.Module) -> bool:
    """True iff `model` has a BatchNorm layer."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


def state_copy(model: nn.Module) -> dict[str, torch.Tensor]:
    """A detached copy of the state dict (parameters and buffers)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class _Order:
    """Batch indices for each global step, from (data_seed, epoch)."""

    def __init__(self, n: int, batch_size: int, data_seed: int, device=None):
        self.n, self.bs, self.seed, self.device = n, batch_size, int(data_seed), device
        self.spe = max(1, n // batch_size)  # drop the last incomplete batch
        self._epoch, self._perm = -1, None

    def __call__(self, step: int) -> torch.Tensor:
        epoch, pos = divmod(step, self.spe)
        if epoch != self._epoch:
            g = torch.Generator().manual_seed((self.seed * 1_000_003 + epoch) % (2**63))
            perm = torch.randperm(self.n, generator=g)
            self._perm, self._epoch = (perm if self.device is None else perm.to(self.device)), epoch
        return self._perm[pos * self.bs : (pos + 1) * self.bs]


def _augment(x: torch.Tensor, step: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed((seed * 7919 + step) % (2**63))
    n = x.shape[0]
    flip = torch.rand(n, generator=g) < 0.5
    x = torch.where(flip.to(x.device).reshape(-1, 1, 1, 1), x.flip(3), x)
    pad = F.pad(x, (4, 4, 4, 4))
    dx, dy = torch.randint(0, 9, (2,), generator=g).tolist()  # one offset per batch (cheap)
    return pad[:, :, dy : dy + x.shape[2], dx : dx + x.shape[3]]


def _mask_tensors(model: nn.Module, mask: Mask | None) -> list[tuple[torch.Tensor, torch.Tensor]]:
    if not mask:
        return []
    params = dict(model.named_parameters())
    unknown = set(mask) - set(params)
    if unknown:
        raise ValueError(f"mask names not in the model: {sorted(unknown)}")
    return [(params[n], m.to(device=params[n].device, dtype=params[n].dtype)) for n, m in mask.items()]


def train(
    model: nn.Module,
    data: DataSplit,
    cfg: TrainConfig,
    *,
    start_step: int = 0,
    end_step: int | None = None,
    mask: Mask | None = None,
    data_seed: int = 0,
    progress: Callable | None = None,
) -> dict:
    """Train `model` in place from global step `start_step` to `end_step` (default `cfg.steps`).

    A new SGD optimizer is built (momentum buffer zero); the LR at global step `s` is
    `lr_at(s, cfg)`. With a `mask`, the pruned weights are zeroed before training, their
    gradients are zeroed before every step and the weights are multiplied by the mask after
    every step, so they stay exactly 0 (weight decay and momentum cannot revive them).

    `start_step`, `end_step` and `data_seed` are integers (`data_seed` of any sign).

    **Returns:** `{"steps": int, "final_loss": float, "diverged": bool}` (running train loss;
    with no step to take, the eval-mode loss on the batch of `start_step`).
    """
    start_step = check_int("start_step", start_step, 0)
    end = cfg.steps if end_step is None else check_int("end_step", end_step, 0)
    data_seed = check_int("data_seed", data_seed)
    if not 0 <= start_step <= end:
        raise ValueError(f"need 0 <= start_step <= end_step, got {start_step}, {end}")
    pairs = _mask_tensors(model, mask)
    with torch.no_grad():
        for w, m in pairs:
            w.mul_(m)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    order = _Order(data.n_train, cfg.batch_size, data_seed, data.x_train.device)
    channels_last = data.x_train.is_cuda and data.x_train.dim() == 4
    if channels_last:  # issue 17: NHWC convolutions on CUDA (a no-op on the CPU)
        model.to(memory_format=torch.channels_last)
    model.train()
    last, diverged = float("nan"), False
    history = []  # running losses as device tensors: no host sync inside the step loop
    it = range(start_step, end)
    if progress is not None:
        it = progress(it, total=end - start_step, desc="train")
    for step in it:
        idx = order(step)
        xb, yb = data.x_train[idx], data.y_train[idx]
        if cfg.augment:
            xb = _augment(xb, step, data_seed)
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, cfg)
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=False)
        loss.backward()
        for w, m in pairs:
            w.grad.mul_(m)
        opt.step()
        with torch.no_grad():
            for w, m in pairs:
                w.mul_(m)
        if (step - start_step) % 50 == 0 or step == end - 1:
            history.append(loss.detach())
    model.eval()
    if history:  # one read at the end; a non-finite running loss marks the run diverged
        hist = torch.stack(history).cpu()
        finite = torch.isfinite(hist)
        diverged = not bool(finite.all())
        last = float(hist[int((~finite).nonzero()[0, 0])]) if diverged else float(hist[-1])
    if end == start_step:  # nothing to train: report the current loss on that step's batch
        idx = order(start_step).to(data.x_train.device)
        with torch.no_grad():
            last = float(F.cross_entropy(model(data.x_train[idx]), data.y_train[idx]))
    return {"steps": end - start_step, "final_loss": last, "diverged": diverged}


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 2048) -> tuple[float, float]:
    """Mean cross-entropy and error rate of `model` (eval mode) on `(x, y)`, in chunks of
    `batch_size` (an integer >= 1) rows; `x` must not be empty."""
    batch_size = check_int("batch_size", batch_size, 1)
    if x.shape[0] == 0 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same non-zero number of rows, got {x.shape[0]} and {y.shape[0]}")
    model.eval()
    tot_loss, tot_err = 0.0, 0
    for i in range(0, x.shape[0], batch_size):
        out = model(x[i : i + batch_size])
        tot_loss += float(F.cross_entropy(out, y[i : i + batch_size], reduction="sum"))
        tot_err += int((out.argmax(1) != y[i : i + batch_size]).sum())
    n = x.shape[0]
    return tot_loss / n, tot_err / n


@torch.no_grad()
def recompute_bn(model: nn.Module, x: torch.Tensor, batch_size: int = 256, n_batches: int | None = None) -> None:
    """Reset every BatchNorm's running statistics and recompute them as the exact average
    over `n_batches` (default: all; an integer >= 1) training batches of `batch_size`
    (an integer >= 1) rows in train mode."""
    batch_size = check_int("batch_size", batch_size, 1)
    if n_batches is not None:
        n_batches = check_int("n_batches", n_batches, 1)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    moms = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    model.train()
    n = x.shape[0] if n_batches is None else min(x.shape[0], n_batches * batch_size)
    for i in range(0, n, batch_size):
        model(x[i : i + batch_size])
    for m, mom in zip(bns, moms):
        m.momentum = mom
    model.eval()
