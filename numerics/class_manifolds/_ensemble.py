r"""Independent MLP trainings as one batched ensemble (issue 17).

`train_mlp_ensemble` trains \( E \) one-hidden-layer ReLU MLPs (`mlp(D, width_e)`) together:
their weights are stacked, hidden layers of different widths are zero-padded to the largest
width (padded units have zero weights in and out, so they output 0 and get zero gradient:
they never move), and every step is two batched matmuls (`torch.baddbmm`) for all members.
Each member keeps its own streams: its initial weights (the modules passed in), its batch
draws (`generators[e]`, the same `torch.randint` calls as `train_classifier`), its optional
input-noise draws (`noise_generators[e]`) and its own training subset (`subsets[e]`). The
update is `train_classifier`'s SGD with momentum (no weight decay: an MLP has no tensor with
more than 2 dimensions, where the notebook's recipe decays). Per member it therefore computes
what `train_classifier` computes, to float rounding (tested).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from theory.class_manifolds._checks import integer, real

__all__ = ["train_mlp_ensemble"]


def _check_member(m: nn.Module, D: int, K: int) -> tuple[int, nn.Linear, nn.Linear]:
    layers = list(m.children()) if isinstance(m, nn.Sequential) else []
    ok = (len(layers) == 3 and isinstance(layers[0], nn.Linear) and isinstance(layers[1], nn.ReLU)
          and isinstance(layers[2], nn.Linear) and layers[0].in_features == D and layers[2].out_features == K
          and layers[2].in_features == layers[0].out_features and layers[0].bias is not None and layers[2].bias is not None)
    if not ok:
        raise ValueError(f"members must be mlp({D}, width, num_classes={K}) (Linear, ReLU, Linear with biases)")
    return layers[0].out_features, layers[0], layers[2]


def train_mlp_ensemble(
    members: Sequence[nn.Module],
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int | Sequence[int],
    *,
    generators: Sequence[torch.Generator | None],
    batch_size: int = 128,
    lr: float = 0.1,
    momentum: float = 0.9,
    input_noise: Sequence[float] | None = None,
    noise_generators: Sequence[torch.Generator | None] | None = None,
    subsets: Sequence[torch.Tensor | None] | None = None,
    steps_per_epoch: int | None = None,
    device: str = "cpu",
) -> dict[int, list[nn.Module]]:
    r"""Train one-hidden-layer MLPs as one batched ensemble; return per-member copies at chosen epochs.

    **Arguments:**

    - `members`: \( E \ge 1 \) freshly built `mlp(D, width_e, num_classes=K)` modules (their
      current weights are the initialisation; widths may differ).
    - `X` `(N, D)`, `y` `(N,)`: the training pool. `subsets[e]`: optional index tensor of the
      rows member `e` trains on (`None`: all rows).
    - `epochs`: the epochs after which copies are kept (an int means just that one).
    - `generators[e]`: member `e`'s batch stream (as `train_classifier`'s `generator`).
    - `input_noise[e]`: std of Gaussian noise added to member `e`'s batch inputs (augmentation;
      0 draws nothing); `noise_generators[e]` its stream.
    - `steps_per_epoch`: steps per epoch for every member (default `ceil(N_e / batch_size)`,
      which must then be equal across members).
    - `batch_size`, `lr`, `momentum`: SGD's (as `train_classifier`; LR x0.01 after epoch 80,
      x0.001 after 120).

    **Returns:** `{epoch: [member copies]}` (eval mode, on `device`).
    """
    if len(members) < 1:
        raise ValueError("members must hold at least one mlp")
    E = len(members)
    if X.ndim != 2 or X.shape[0] < 1 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (N, D) with N >= 1 and y (N,), got {tuple(X.shape)} and {tuple(y.shape)}")
    if len(generators) != E:
        raise ValueError(f"generators must hold one generator per member ({E}), got {len(generators)}")
    ep = [epochs] if np.ndim(epochs) == 0 else list(epochs)
    keep = sorted({integer("epochs", e, low=0) for e in ep})
    if not keep:
        raise ValueError("epochs must be non-negative integers")
    batch_size = integer("batch_size", batch_size, low=1)
    lr = real("lr", lr, low=0.0, low_open=True)
    momentum = real("momentum", momentum, low=0.0, high=1.0, high_open=True)
    noise = [0.0] * E if input_noise is None else [real("input_noise", s, low=0.0) for s in input_noise]
    if len(noise) != E:
        raise ValueError(f"input_noise must hold one std per member ({E})")
    ngens = [None] * E if noise_generators is None else list(noise_generators)
    if len(ngens) != E:
        raise ValueError(f"noise_generators must hold one generator per member ({E})")
    N, D = X.shape
    subs = [None] * E if subsets is None else list(subsets)
    if len(subs) != E:
        raise ValueError(f"subsets must hold one index tensor (or None) per member ({E})")
    subs = [None if s is None else torch.as_tensor(s, dtype=torch.long).to(device) for s in subs]
    for s in subs:
        if s is not None and (s.ndim != 1 or s.numel() < 1 or int(s.min()) < 0 or int(s.max()) >= N):
            raise ValueError(f"each subset must be a non-empty 1-d index tensor into the {N} rows")
    sizes = [N if s is None else int(s.numel()) for s in subs]
    if steps_per_epoch is None:
        spe = {max(1, math.ceil(n / batch_size)) for n in sizes}
        if len(spe) != 1:
            raise ValueError("members train on subsets of different sizes: give steps_per_epoch")
        steps_per_epoch = spe.pop()
    steps_per_epoch = integer("steps_per_epoch", steps_per_epoch, low=1)
    K = int(list(members[0].children())[-1].out_features) if isinstance(members[0], nn.Sequential) else -1
    parts = [_check_member(m, D, K) for m in members]
    widths = [w for w, _, _ in parts]
    H = max(widths)
    f32 = dict(device=device, dtype=X.dtype)
    W1, b1 = torch.zeros(E, H, D, **f32), torch.zeros(E, H, **f32)
    W2, b2 = torch.zeros(E, K, H, **f32), torch.zeros(E, K, **f32)
    with torch.no_grad():
        for e, (w, l1, l2) in enumerate(parts):
            W1[e, :w], b1[e, :w] = l1.weight.to(device), l1.bias.to(device)
            W2[e, :, :w], b2[e] = l2.weight.to(device), l2.bias.to(device)
    params = [W1, b1, W2, b2]
    for p in params:
        p.requires_grad_(True)
    bufs = [torch.zeros_like(p) for p in params]
    X, y = X.to(device), y.to(device)
    out: dict[int, list[nn.Module]] = {}

    def snapshot() -> list[nn.Module]:
        copies = []
        with torch.no_grad():
            for e, (w, l1, l2) in enumerate(parts):
                m = nn.Sequential(nn.Linear(D, w), nn.ReLU(), nn.Linear(w, K)).to(device)
                m[0].weight.copy_(W1[e, :w])
                m[0].bias.copy_(b1[e, :w])
                m[2].weight.copy_(W2[e, :, :w])
                m[2].bias.copy_(b2[e])
                copies.append(m.eval())
        return copies

    if 0 in keep:
        out[0] = snapshot()
    for epoch in range(1, keep[-1] + 1):
        step_lr = lr * (1.0 if epoch <= 80 else (0.01 if epoch <= 120 else 0.001))
        for _ in range(steps_per_epoch):
            rows = []
            for e in range(E):
                g = generators[e]
                gdev = g.device if g is not None else torch.device("cpu")
                idx = torch.randint(0, sizes[e], (batch_size,), generator=g, device=gdev).to(device)
                rows.append(idx if subs[e] is None else subs[e][idx])
            idx = torch.stack(rows)  # (E, B)
            xb, yb = X[idx], y[idx]  # (E, B, D), (E, B)
            for e in range(E):
                if noise[e] > 0:
                    g = ngens[e]
                    gdev = g.device if g is not None else torch.device("cpu")
                    xb[e] = xb[e] + noise[e] * torch.randn(batch_size, D, generator=g, device=gdev, dtype=X.dtype).to(device)
            h = torch.relu(torch.baddbmm(b1.unsqueeze(1), xb, W1.transpose(1, 2)))
            logits = torch.baddbmm(b2.unsqueeze(1), h, W2.transpose(1, 2))  # (E, B, K)
            # the sum of the members' mean losses: each member's gradient is its own loss's
            loss = nn.functional.cross_entropy(logits.reshape(E * batch_size, K), yb.reshape(-1), reduction="sum") / batch_size
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g_, buf in zip(params, grads, bufs):
                    buf.mul_(momentum).add_(g_)
                    p.sub_(step_lr * buf)
        if epoch in keep:
            out[epoch] = snapshot()
    return out
