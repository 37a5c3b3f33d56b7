"""The GPT-2-style in-context regression model as a batched ensemble (private module of `numerics.icl`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from numerics.icl._config import ModelConfig, seed_int
from theory.icl._checks import check_int

__all__ = ["BODY_KERNELS", "init_params", "param_count", "train_flops_per_token", "to_tokens", "predict"]

#: The kernels of the transformer body: the code's AdamW weight-decay mask.
BODY_KERNELS = ("attn_w", "attn_proj_w", "fc_w", "mlp_proj_w")


def init_params(cfg: ModelConfig, seeds: Sequence[int], device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    """GPT-2 initialisation for an ensemble; member `e` uses only `seeds[e]` (stream `"init"`).

    **Arguments:**

    - `cfg`: the model shape.
    - `seeds`: one integer per member.
    - `device`: where the parameters live.

    **Returns:**

    A dict of leaf tensors with a leading ensemble axis, `requires_grad=True`.

    Raises `ValueError` when `seeds` is empty or a seed is not an integer >= 0.
    """
    seeds = [check_int("seeds[]", s, 0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one member (got an empty sequence)")
    d, L, inp = cfg.n_embd, cfg.n_layer, cfg.dim + 1
    std, std_res = 0.02, 0.02 / math.sqrt(2 * L)
    shapes: list[tuple[str, tuple[int, ...], float | str]] = [("read_in", (inp, d), std), ("wpe", (cfg.block_size, d), std)]
    for layer in range(L):
        p = f"h{layer}."
        shapes += [
            (p + "ln1_w", (d,), "one"),
            (p + "ln1_b", (d,), "zero"),
            (p + "attn_w", (d, 3 * d), std),
            (p + "attn_b", (3 * d,), "zero"),
            (p + "attn_proj_w", (d, d), std_res),
            (p + "attn_proj_b", (d,), "zero"),
            (p + "ln2_w", (d,), "one"),
            (p + "ln2_b", (d,), "zero"),
            (p + "fc_w", (d, 4 * d), std),
            (p + "fc_b", (4 * d,), "zero"),
            (p + "mlp_proj_w", (4 * d, d), std_res),
            (p + "mlp_proj_b", (d,), "zero"),
        ]
    shapes += [("lnf_w", (d,), "one"), ("lnf_b", (d,), "zero"), ("read_out", (d, 1), std)]
    per_member = []
    for seed in seeds:
        g = torch.Generator().manual_seed(seed_int(seed, "init"))
        member = {}
        for name, shape, how in shapes:
            if how == "one":
                member[name] = torch.ones(shape)
            elif how == "zero":
                member[name] = torch.zeros(shape)
            else:
                member[name] = torch.randn(shape, generator=g) * how
        per_member.append(member)
    return {
        name: torch.stack([m[name] for m in per_member]).to(device).requires_grad_(True) for name, _s, _h in shapes
    }


def param_count(cfg: ModelConfig) -> int:
    """Parameters of one model (the base model of the paper has about 1.59 M at D = 8)."""
    d, L = cfg.n_embd, cfg.n_layer
    per_layer = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d)
    return (cfg.dim + 1) * d + cfg.block_size * d + L * per_layer + 2 * d + d


def train_flops_per_token(cfg: ModelConfig) -> float:
    """Training FLOPs per token: \\( 6 N_\\mathrm{matmul} + 12 L T d \\) (PaLM convention, full attention)."""
    d, L, T = cfg.n_embd, cfg.n_layer, cfg.block_size
    n_matmul = (cfg.dim + 1) * d + L * 12 * d * d + d
    return 6.0 * n_matmul + 12.0 * L * T * d


def to_tokens(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Interleave x-tokens \\( [0, x_k] \\) and y-tokens \\( [y_k, 0, \\dots, 0] \\): `(..., 2K, D+1)`.

    Raises `ValueError` unless `X` is `(..., K, D)` and `y` is `(..., K)`.
    """
    if X.ndim < 2 or tuple(y.shape) != tuple(X.shape[:-1]):
        raise ValueError(f"X must be (..., K, D) and y (..., K) to match, got {tuple(X.shape)} and {tuple(y.shape)}")
    *batch, K, D = X.shape
    xt = torch.cat([torch.zeros(*batch, K, 1, dtype=X.dtype, device=X.device), X], dim=-1)
    yt = torch.cat([y[..., None], torch.zeros(*batch, K, D, dtype=X.dtype, device=X.device)], dim=-1)
    return torch.stack([xt, yt], dim=-2).reshape(*batch, 2 * K, D + 1)


def _ln(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = F.layer_norm(h, (h.shape[-1],), eps=1e-5)
    return out * w[:, None, :] + b[:, None, :]


def predict(params: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor, cfg: ModelConfig) -> torch.Tensor:
    """Predictions of every member at every x-token.

    **Arguments:**

    - `params`: ensemble parameters (`init_params`).
    - `X`: `(E, B, K, D)`; `y`: `(E, B, K)`.
    - `cfg`: the model shape.

    **Returns:**

    `(E, B, K)`: entry `k` has seen \\( x_1, y_1, \\dots, x_{k}\\) only (causal mask).
    """
    if X.ndim != 4 or tuple(y.shape) != tuple(X.shape[:-1]):
        raise ValueError(f"X must be (E, B, K, D) and y (E, B, K), got {tuple(X.shape)} and {tuple(y.shape)}")
    E, B, K, D = X.shape
    T, d, H = 2 * K, cfg.n_embd, cfg.n_head
    if K > cfg.n_points or D != cfg.dim:
        raise ValueError(f"X has K={K}, D={D}; the model was built for K<={cfg.n_points}, D={cfg.dim}")
    tok = to_tokens(X, y).reshape(E, B * T, D + 1)
    h = torch.bmm(tok, params["read_in"]).view(E, B, T, d) + params["wpe"][:, None, :T, :]
    h = h.reshape(E, B * T, d)
    for layer in range(cfg.n_layer):
        p = f"h{layer}."
        a = _ln(h, params[p + "ln1_w"], params[p + "ln1_b"])
        qkv = torch.baddbmm(params[p + "attn_b"][:, None, :], a, params[p + "attn_w"])
        qkv = qkv.view(E, B, T, 3, H, d // H).permute(3, 0, 1, 4, 2, 5).reshape(3, E * B, H, T, d // H)
        att = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_causal=True)
        att = att.view(E, B, H, T, d // H).permute(0, 1, 3, 2, 4).reshape(E, B * T, d)
        h = h + torch.baddbmm(params[p + "attn_proj_b"][:, None, :], att, params[p + "attn_proj_w"])
        m = _ln(h, params[p + "ln2_w"], params[p + "ln2_b"])
        m = F.gelu(torch.baddbmm(params[p + "fc_b"][:, None, :], m, params[p + "fc_w"]), approximate="tanh")
        h = h + torch.baddbmm(params[p + "mlp_proj_b"][:, None, :], m, params[p + "mlp_proj_w"])
    hx = h.view(E, B, T, d)[:, :, 0::2, :].reshape(E, B * K, d)  # x-token positions
    out = torch.bmm(_ln(hx, params["lnf_w"], params["lnf_b"]), params["read_out"])
    return out.view(E, B, K)
