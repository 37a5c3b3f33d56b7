"""Masks and global pruning (magnitude or random) over the prunable weights.

A *mask* is a dict `name -> bool tensor` over the prunable weights only (Conv2d and Linear
weights; biases and BatchNorm parameters are never prunable, so they never appear in a
mask). Masks are nested by construction: a new mask is the old one AND a keep-set drawn
from the weights the old mask keeps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import torch
from torch import nn

from theory.lottery._checks import check_int

__all__ = [
    "Mask",
    "prunable_names",
    "ones_mask",
    "mask_count",
    "mask_size",
    "layer_densities",
    "n_to_prune",
    "magnitude_prune",
    "random_prune",
    "apply_mask",
    "is_nested",
    "projection_length",
]

Mask = dict[str, torch.Tensor]


def prunable_names(model: nn.Module, exempt: tuple[str, ...] = ()) -> list[str]:
    """Names of the weights of the model's `Conv2d` and `Linear` layers, in module order.

    **Arguments:**

    - `model`: a torch module.
    - `exempt`: parameter names never pruned (e.g. `("fc.weight",)` for an exempt output
      layer, as open_lth does for LeNet and VGG).
    """
    names = []
    for mod_name, mod in model.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)) and getattr(mod, "weight", None) is not None:
            name = f"{mod_name}.weight" if mod_name else "weight"
            if name not in exempt:
                names.append(name)
    return names


def ones_mask(model: nn.Module, names: list[str] | None = None) -> Mask:
    """The level-0 mask: all prunable weights kept."""
    params = dict(model.named_parameters())
    names = prunable_names(model) if names is None else names
    return {n: torch.ones_like(params[n], dtype=torch.bool) for n in names}


def mask_count(mask: Mapping[str, torch.Tensor]) -> int:
    """Number of kept weights."""
    return int(sum(int(m.sum()) for m in mask.values()))


def mask_size(mask: Mapping[str, torch.Tensor]) -> int:
    """Number of prunable weights (kept or not)."""
    return int(sum(m.numel() for m in mask.values()))


def layer_densities(mask: Mapping[str, torch.Tensor]) -> dict[str, float]:
    """Kept fraction per prunable tensor."""
    return {n: float(m.float().mean()) for n, m in mask.items()}


def n_to_prune(n_alive: int, fraction: float) -> int:
    r"""\(\lceil f\,n\rceil\) with \(f\) read as an exact decimal (`n_alive` an integer
    \(\ge0\), `fraction` in \([0,1]\))."""
    n_alive = check_int("n_alive", n_alive, 0)
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    f = Fraction(str(fraction))
    return -((-f.numerator * int(n_alive)) // f.denominator)


def _flat_alive(params: Mapping[str, torch.Tensor], mask: Mask) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
    vals, idx = [], []
    for n, m in mask.items():
        w = params[n].detach()
        if w.shape != m.shape:
            raise ValueError(f"mask {n!r} has shape {tuple(m.shape)}, weight has {tuple(w.shape)}")
        pos = torch.nonzero(m.reshape(-1), as_tuple=False).reshape(-1)
        vals.append(w.reshape(-1)[pos].abs().to(torch.float64).cpu())
        idx.append((n, pos.cpu()))
    return torch.cat(vals) if vals else torch.zeros(0, dtype=torch.float64), idx


def _remove(mask: Mask, idx: list[tuple[str, torch.Tensor]], remove_flat: torch.Tensor) -> Mask:
    new = {n: m.clone() for n, m in mask.items()}
    drop = torch.zeros(sum(len(p) for _, p in idx), dtype=torch.bool)
    drop[remove_flat] = True
    off = 0
    for n, pos in idx:
        d = drop[off : off + len(pos)]
        flat = new[n].reshape(-1)
        flat[pos[d].to(flat.device)] = False
        new[n] = flat.reshape(mask[n].shape)
        off += len(pos)
    return new


def magnitude_prune(
    params: Mapping[str, torch.Tensor],
    mask: Mask,
    fraction: float,
    convention: str = "exact",
) -> Mask:
    r"""Global magnitude pruning of a fraction of the surviving weights.

    All surviving prunable weights of all layers are ranked together by \(|w|\).

    - `exact`: remove exactly \(n=\lceil f\,n_{\text{alive}}\rceil\) weights, the smallest
      in magnitude; ties are broken by a stable sort (layer order, then position).
    - `reference`: open_lth's rule: threshold = the sorted value at 0-based index \(n\);
      keep \(|w| >\) threshold. Without ties this removes \(n+1\) weights.

    **Arguments:**

    - `params`: name -> tensor (e.g. `dict(model.named_parameters())` or a state dict).
    - `mask`: the current mask (not modified).
    - `fraction`: \(f\in[0,1]\), the fraction of *surviving* weights to remove.
    - `convention`: `"exact"` or `"reference"`.

    **Returns:** the new (nested) mask.
    """
    if convention not in ("exact", "reference"):
        raise ValueError(f"convention must be 'exact' or 'reference', got {convention!r}")
    vals, idx = _flat_alive(params, mask)
    n_alive = vals.numel()
    k = n_to_prune(n_alive, fraction)
    if k == 0 or n_alive == 0:
        return {n: m.clone() for n, m in mask.items()}
    if convention == "exact":
        order = torch.sort(vals, stable=True).indices
        return _remove(mask, idx, order[:k])
    if k >= n_alive:
        return _remove(mask, idx, torch.arange(n_alive))
    threshold = torch.sort(vals).values[k]
    return _remove(mask, idx, torch.nonzero(vals <= threshold).reshape(-1))


def random_prune(mask: Mask, fraction: float, generator: torch.Generator) -> Mask:
    """Remove exactly \\(\\lceil f\\,n_{alive}\\rceil\\) surviving weights chosen uniformly at
    random among all layers. `generator` is a CPU `torch.Generator`."""
    idx = [(n, torch.nonzero(m.reshape(-1), as_tuple=False).reshape(-1).cpu()) for n, m in mask.items()]
    n_alive = sum(len(p) for _, p in idx)
    k = n_to_prune(n_alive, fraction)
    perm = torch.randperm(n_alive, generator=generator)
    return _remove(mask, idx, perm[:k])


@torch.no_grad()
def apply_mask(model_or_params, mask: Mask) -> None:
    """Zero the pruned weights in place (`model` or a name -> tensor dict)."""
    params = dict(model_or_params.named_parameters()) if isinstance(model_or_params, nn.Module) else model_or_params
    for n, m in mask.items():
        params[n].mul_(m.to(device=params[n].device, dtype=params[n].dtype))


def is_nested(inner: Mask, outer: Mask) -> bool:
    """True iff every weight kept by `inner` is kept by `outer`."""
    return all(bool((inner[n] & ~outer[n]).sum() == 0) for n in outer)


def projection_length(params: Mapping[str, torch.Tensor], old: Mask, new: Mask) -> tuple[float, float]:
    r"""\((\|(m_{old}-m_{new})\odot w\|,\ \|m_{old}\odot w\|)\); their ratio is \(\rho_L\)."""
    num, den = 0.0, 0.0
    for n in old:
        w = params[n].detach().to(torch.float64)
        o, nw = old[n].to(w.device), new[n].to(w.device)
        num += float(((w * (o & ~nw)) ** 2).sum())
        den += float(((w * o) ** 2).sum())
    return math.sqrt(num), math.sqrt(den)
