r"""Batched ensembles (issue 17): M independent trainings of one architecture as ONE model.

The members' weights are stacked: a Linear layer holds `[M, out, in]` and runs as one
`bmm`; a Conv2d holds the members' filters concatenated along the output channels,
`[M*out, in, k, k]`, and runs as one grouped convolution (`groups=M`) on the members'
inputs laid side by side along the channels, `[B, M*C, H, W]`; a BatchNorm over `M*C`
channels is exactly M independent BatchNorms (its statistics are per channel). Each member
keeps everything a single `train` call would have: its own initial state, mask, data order
(`data_seed`), augmentation stream and start step; the loss is the sum of the members'
mean cross-entropies, so each member's gradient is its own.

`train_members(spec, states, data, cfg, start_steps=..., data_seeds=..., masks=...)` equals
M calls of `numerics.lottery.train` (one per member, from `states[m]`) to float rounding;
the test `tests/test_lottery.py::test_batched_equals_unbatched` checks it for the MLP and
the BatchNorm ResNet, with staggered start steps.

Members may start at different global steps (rewind points k): the loop runs the global
steps `min(start)..end`; a member is frozen (no update, no momentum, no BatchNorm
statistics) before its start. The LR is `lr_at(step)` of the global step, the same for all
active members, and each member's SGD momentum buffer starts at zero at its own start, as a
fresh `torch.optim.SGD` does. SGD is written out (`buf = mu*buf + g + wd*w; w -= lr*buf`:
torch's update with dampening 0, no Nesterov) so that frozen members can be gated.

No host synchronisation happens inside the step loop: the epoch permutations live on the
device, the running losses are kept as device tensors and read once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from numerics._data import DataSplit
from numerics.lottery._models import make_model
from numerics.lottery._pruning import Mask
from numerics.lottery._train import TrainConfig, _augment, lr_at
from theory.lottery._checks import check_int

__all__ = ["BatchedMLP", "BatchedResNet", "make_batched", "stack_states", "unstack_state", "train_members"]


# --------------------------------------------------------------------------- layers


class _GLinear(nn.Module):
    """M Linear layers: weight `[M, out, in]`, bias `[M, out]`; input `[M, B, in]`."""

    def __init__(self, m: int, f_in: int, f_out: int, bias: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(m, f_out, f_in))
        self.bias = nn.Parameter(torch.zeros(m, f_out)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.bias is None:
            return torch.bmm(x, self.weight.transpose(1, 2))
        return torch.baddbmm(self.bias.unsqueeze(1), x, self.weight.transpose(1, 2))


class _GConv(nn.Module):
    """M Conv2d layers as one grouped convolution: weight `[M*out, in, k, k]`."""

    def __init__(self, m: int, f_in: int, f_out: int, k: int, stride: int = 1, padding: int = 0):
        super().__init__()
        self.m, self.stride, self.padding = m, stride, padding
        self.weight = nn.Parameter(torch.zeros(m * f_out, f_in, k, k))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, None, self.stride, self.padding, 1, self.m)


class BatchedMLP(nn.Module):
    """M copies of `MLP(n_in, hidden, n_out)`; input `[M, B, ...]`, output `[M, B, n_out]`.
    Parameter names are the MLP's (`layers.i.weight`, `layers.i.bias`) with a leading
    member axis."""

    def __init__(self, m: int, n_in: int, hidden: tuple[int, ...], n_out: int):
        super().__init__()
        self.m = check_int("m", m, 1)
        dims = (n_in, *hidden, n_out)
        self.layers = nn.ModuleList(_GLinear(m, a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], x.shape[1], -1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


class _GBlock(nn.Module):
    def __init__(self, m: int, f_in: int, f_out: int, downsample: bool):
        super().__init__()
        stride = 2 if downsample else 1
        self.conv1 = _GConv(m, f_in, f_out, 3, stride, 1)
        self.bn1 = nn.BatchNorm2d(m * f_out)
        self.conv2 = _GConv(m, f_out, f_out, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(m * f_out)
        if downsample or f_in != f_out:
            self.shortcut = nn.Sequential(_GConv(m, f_in, f_out, 1, stride, 0), nn.BatchNorm2d(m * f_out))
        else:
            self.shortcut = nn.Sequential()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class BatchedResNet(nn.Module):
    """M copies of `CifarResNet(depth, width, n_classes)` as grouped convolutions; input
    `[M, B, C, H, W]`, output `[M, B, n_classes]`. Parameter and buffer names are the
    ResNet's."""

    def __init__(self, m: int, depth: int = 20, width: int = 16, n_classes: int = 10, in_channels: int = 3):
        super().__init__()
        self.m = check_int("m", m, 1)
        if (depth - 2) % 6 != 0 or depth < 8:
            raise ValueError(f"depth must be 6n+2 with n >= 1, got {depth}")
        n = (depth - 2) // 6
        self.conv = _GConv(m, in_channels, width, 3, 1, 1)
        self.bn = nn.BatchNorm2d(m * width)
        blocks, f_in = [], width
        for stage, f_out in enumerate((width, 2 * width, 4 * width)):
            for i in range(n):
                blocks.append(_GBlock(m, f_in, f_out, downsample=(stage > 0 and i == 0)))
                f_in = f_out
        self.blocks = nn.Sequential(*blocks)
        self.fc = _GLinear(m, f_in, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m, b = x.shape[0], x.shape[1]
        x = x.transpose(0, 1).reshape(b, m * x.shape[2], x.shape[3], x.shape[4])
        if x.is_cuda:
            x = x.contiguous(memory_format=torch.channels_last)
        out = F.relu(self.bn(self.conv(x)))
        out = self.blocks(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)  # [B, M*C]
        return self.fc(out.reshape(b, m, -1).transpose(0, 1))


def make_batched(spec: dict, m: int) -> nn.Module:
    """The batched model of `make_model(spec, ...)` with `m` members (parameters zero:
    load them with `stack_states`)."""
    kind = spec.get("kind")
    if kind == "mlp":
        return BatchedMLP(m, int(spec["n_in"]), tuple(int(h) for h in spec["hidden"]), int(spec["n_out"]))
    if kind == "resnet":
        return BatchedResNet(m, int(spec.get("depth", 20)), int(spec.get("width", 16)), int(spec.get("n_classes", 10)))
    raise ValueError(f"spec['kind'] must be 'mlp' or 'resnet', got {kind!r}")


def _stacked(batched: nn.Module) -> set[str]:
    """Names whose member axis is a new leading axis (the `_GLinear` tensors); every other
    float tensor concatenates the members along its first axis."""
    out = set()
    for name, mod in batched.named_modules():
        if isinstance(mod, _GLinear):
            out.add(f"{name}.weight")
            if mod.bias is not None:
                out.add(f"{name}.bias")
    return out


def stack_states(batched: nn.Module, states: Sequence[dict]) -> None:
    """Load the members' state dicts (`states[m]`, as `model.state_dict()` of the unbatched
    model) into `batched` in place."""
    if len(states) != batched.m:
        raise ValueError(f"need {batched.m} member states, got {len(states)}")
    stacked = _stacked(batched)
    own = batched.state_dict()
    if set(own) != set(states[0]):
        raise ValueError(f"member state keys differ from the model's: {sorted(set(own) ^ set(states[0]))}")
    new = {}
    for k, v in own.items():
        vals = [s[k].to(v.device) for s in states]
        if not torch.is_floating_point(v):
            new[k] = vals[0]
        elif k in stacked:
            new[k] = torch.stack(vals).to(v.dtype)
        else:
            new[k] = torch.cat(vals).to(v.dtype)
    batched.load_state_dict(new)


def unstack_state(batched: nn.Module, i: int) -> dict[str, torch.Tensor]:
    """Member `i`'s state dict (detached copies, on the batched model's device), keyed as
    the unbatched model's."""
    stacked = _stacked(batched)
    out = {}
    for k, v in batched.state_dict().items():
        if not torch.is_floating_point(v):
            out[k] = v.detach().clone()
        elif k in stacked:
            out[k] = v[i].detach().clone()
        else:
            out[k] = v.detach().chunk(batched.m)[i].clone().contiguous()
    return out


def _member_gate(t: torch.Tensor, active: torch.Tensor) -> torch.Tensor:
    """`active` (bool `[M]`) broadcast over a batched tensor's member rows."""
    m = active.shape[0]
    rows = t.shape[0]
    return active.repeat_interleave(rows // m).reshape(rows, *([1] * (t.dim() - 1)))


class _Orders:
    """The members' batch indices per global step, from `(data_seed, epoch)` as `_Order`
    draws them; each epoch's permutations move to the device once."""

    def __init__(self, n: int, batch_size: int, seeds: Sequence[int], device):
        self.n, self.bs, self.seeds, self.device = n, batch_size, [int(s) for s in seeds], device
        self.spe = max(1, n // batch_size)
        self._epoch, self._perm = -1, None

    def __call__(self, step: int) -> torch.Tensor:
        epoch, pos = divmod(step, self.spe)
        if epoch != self._epoch:
            perms = []
            for s in self.seeds:
                g = torch.Generator().manual_seed((s * 1_000_003 + epoch) % (2**63))
                perms.append(torch.randperm(self.n, generator=g))
            self._perm, self._epoch = torch.stack(perms).to(self.device), epoch
        return self._perm[:, pos * self.bs : (pos + 1) * self.bs]


def train_members(
    spec: dict,
    states: Sequence[dict],
    data: DataSplit,
    cfg: TrainConfig,
    *,
    start_steps: Sequence[int] | int,
    data_seeds: Sequence[int],
    masks: Sequence[Mask | None] | None = None,
    end_step: int | None = None,
    device: str | torch.device = "cpu",
    progress: Callable | None = None,
) -> tuple[list[dict[str, torch.Tensor]], dict]:
    """Train M members of one architecture as one batched model; member `m` is what
    `train(model, data, cfg, start_step=start_steps[m], end_step=end_step, mask=masks[m],
    data_seed=data_seeds[m])` makes of a model loaded with `states[m]`.

    **Arguments:**

    - `spec`: the `make_model` spec; `states`: the members' initial state dicts.
    - `start_steps`: one global start step per member (or one for all), integers in
      `[0, end]`; `data_seeds`: one integer per member.
    - `masks`: per member a mask (name -> bool tensor) or None; pruned weights are zeroed
      at the start and stay exactly 0.
    - `end_step`: the common last step (default `cfg.steps`).

    **Returns:** `(states, stats)`: the members' trained state dicts on the CPU, and
    `{"final_loss": [M floats], "diverged": [M bools], "members": M, "steps": global steps run}`.
    """
    m = len(states)
    if m < 1:
        raise ValueError("need at least one member state")
    if isinstance(start_steps, int):
        start_steps = [start_steps] * m
    starts = [check_int("start_steps", s, 0) for s in start_steps]
    seeds = [check_int("data_seeds", s) for s in data_seeds]
    masks = [None] * m if masks is None else list(masks)
    if not (len(starts) == len(seeds) == len(masks) == m):
        raise ValueError(f"need one start step, data seed and mask per member ({m}), got {len(starts)}, {len(seeds)}, {len(masks)}")
    end = cfg.steps if end_step is None else check_int("end_step", end_step, 0)
    if any(s > end for s in starts):
        raise ValueError(f"start steps must be <= end_step = {end}, got {starts}")
    dev = torch.device(device)
    model = make_batched(spec, m).to(dev)
    if dev.type == "cuda" and spec.get("kind") == "resnet":
        model = model.to(memory_format=torch.channels_last)
    stack_states(model, states)
    params = dict(model.named_parameters())
    stacked = _stacked(model)
    ref = make_model(spec, 0)
    ref_params = dict(ref.named_parameters())
    mask_names = sorted({n for mk in masks if mk for n in mk})
    pmask = {}
    for n in mask_names:
        if n not in params:
            raise ValueError(f"mask name not in the model: {n!r}")
        parts = [(mk[n] if (mk and n in mk) else torch.ones_like(ref_params[n], dtype=torch.bool)).to(dev) for mk in masks]
        pmask[n] = (torch.stack(parts) if n in stacked else torch.cat(parts)).to(params[n].dtype)
    if pmask:
        pmask = {n: v.to(memory_format=torch.channels_last) if v.dim() == 4 and dev.type == "cuda" else v for n, v in pmask.items()}
    with torch.no_grad():
        for n, mk in pmask.items():
            params[n].mul_(mk)
    bns = [mod for mod in model.modules() if isinstance(mod, nn.modules.batchnorm._BatchNorm)]
    plist = list(params.values())
    bufs = [torch.zeros_like(p) for p in plist]
    x_all, y_all = data.x_train.to(dev), data.y_train.to(dev)
    orders = _Orders(data.n_train, cfg.batch_size, seeds, dev)
    starts_t = torch.tensor(starts, device=dev)
    first = min(starts)
    losses = []
    model.train()
    it = range(first, end)
    if progress is not None:
        it = progress(it, total=end - first, desc="train (batched)")
    for step in it:
        idx = orders(step)  # [M, B]
        xb, yb = x_all[idx], y_all[idx]
        if cfg.augment:
            xb = torch.stack([_augment(xb[i], step, seeds[i]) for i in range(m)])
        all_active = all(s <= step for s in starts)
        if not all_active:
            active = starts_t <= step
            saved = [(bn.running_mean.clone(), bn.running_var.clone()) for bn in bns]
        out = model(xb)
        per = F.cross_entropy(out.reshape(-1, out.shape[-1]), yb.reshape(-1), reduction="none").reshape(m, -1).mean(1)
        for p in plist:
            p.grad = None
        per.sum().backward()
        lr = lr_at(step, cfg)
        with torch.no_grad():
            if not all_active:
                for bn, (rm, rv) in zip(bns, saved):
                    g = _member_gate(bn.running_mean, active)
                    bn.running_mean.copy_(torch.where(g, bn.running_mean, rm))
                    bn.running_var.copy_(torch.where(g, bn.running_var, rv))
            for (n, p), buf in zip(params.items(), bufs):
                g = p.grad
                if n in pmask:
                    g = g * pmask[n]
                d = g.add(p, alpha=cfg.weight_decay) if cfg.weight_decay else g
                if all_active:
                    buf.mul_(cfg.momentum).add_(d)
                    p.add_(buf, alpha=-lr)
                else:
                    gate = _member_gate(p, active)
                    buf.copy_(torch.where(gate, buf * cfg.momentum + d, buf))
                    p.add_(torch.where(gate, buf, torch.zeros_like(buf)), alpha=-lr)
                if n in pmask:
                    p.mul_(pmask[n])
        if (step - first) % 50 == 0 or step == end - 1:
            losses.append(per.detach())
    model.eval()
    if losses:
        hist = torch.stack(losses).cpu()
        final = hist[-1].tolist()
        diverged = (~torch.isfinite(hist)).any(0).tolist()
    else:
        final, diverged = [float("nan")] * m, [False] * m
    out_states = [{k: v.cpu() for k, v in unstack_state(model, i).items()} for i in range(m)]
    return out_states, {"final_loss": final, "diverged": diverged, "members": m, "steps": end - first}
