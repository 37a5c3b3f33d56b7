"""A batched one-layer transformer for modular addition (the set-up of Nanda et al., ICLR 2023), private.

Tokens `a`, `b`, `=` (vocabulary p + 1), learned token and position embeddings, one attention layer
(`heads` heads of size d_model / heads, the `=` position attending to all three), one ReLU MLP of width
`d_mlp` (with biases), no LayerNorm, a linear unembedding read at the `=` position. Every weight carries a
leading ensemble axis E, so many independent models (alphas x seeds) train as one; the optimiser must be
elementwise (Adam, AdamW, SGD) and the loss a sum of per-member losses.
"""

from __future__ import annotations

import math


def init_transformer(p: int, d_model: int, heads: int, d_mlp: int, generator, emb_scale: float = 1.0,
                     unembed_scale: float = 1.0):
    """One member's weights as a dict of CPU tensors (Nanda et al.'s scales: N(0, 1/d_model) for the matrices
    read from the residual stream, N(0, 1/d_mlp) for W_out); the embeddings (token and position) are multiplied
    by `emb_scale` and the unembedding by `unembed_scale`."""
    import torch

    dh = d_model // heads
    g = generator

    def rn(*shape, fan):
        return torch.randn(*shape, generator=g) / math.sqrt(fan)

    return {
        "W_E": rn(p + 1, d_model, fan=d_model) * emb_scale,
        "W_pos": rn(3, d_model, fan=d_model) * emb_scale,
        "W_Q": rn(heads, d_model, dh, fan=d_model),
        "W_K": rn(heads, d_model, dh, fan=d_model),
        "W_V": rn(heads, d_model, dh, fan=d_model),
        "W_O": rn(heads, dh, d_model, fan=d_model),
        "W_in": rn(d_model, d_mlp, fan=d_model),
        "b_in": torch.zeros(d_mlp),
        "W_out": rn(d_mlp, d_model, fan=d_mlp),
        "b_out": torch.zeros(d_model),
        "W_U": rn(d_model, p, fan=d_model) * unembed_scale,
    }


def transformer_logits(P: dict, tokens):
    """Logits at the `=` position, batched: P's tensors have a leading axis E, tokens (N, 3) shared or (E, N, 3)."""
    import torch

    E = P["W_E"].shape[0]
    if tokens.dim() == 2:
        h0 = P["W_E"][:, tokens]  # (E, N, 3, d)
    else:
        h0 = torch.gather(P["W_E"], 1, tokens.reshape(E, -1, 1).expand(-1, -1, P["W_E"].shape[-1])).reshape(
            E, tokens.shape[1], 3, -1)
    h0 = h0 + P["W_pos"][:, None]
    dh = P["W_Q"].shape[-1]
    q = torch.einsum("end,ehdk->enhk", h0[:, :, 2], P["W_Q"])
    k = torch.einsum("entd,ehdk->enthk", h0, P["W_K"])
    v = torch.einsum("entd,ehdk->enthk", h0, P["W_V"])
    att = torch.softmax(torch.einsum("enhk,enthk->enht", q, k) / math.sqrt(dh), dim=-1)
    z = torch.einsum("enht,enthk->enhk", att, v)
    r = h0[:, :, 2] + torch.einsum("enhk,ehkd->end", z, P["W_O"])
    m = torch.relu(torch.einsum("end,edm->enm", r, P["W_in"]) + P["b_in"][:, None])
    r = r + torch.einsum("enm,emd->end", m, P["W_out"]) + P["b_out"][:, None]
    return torch.einsum("end,edp->enp", r, P["W_U"])
