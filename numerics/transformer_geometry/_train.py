r"""A small trainable transformer with the block of the theory, and a masked-character task.

Stand-in for the paper's training experiment (its task, data and sizes could not be read;
brief A.11): non-causal masked-character prediction on Python standard-library source text,
which is available offline. The network is an embedding, \( L \) blocks exactly as in the
theory (pre-normalisation \( N(x) = \sqrt d\,x/\|x\| \) without gain, single-head softmax
attention, \( \phi \) MLP, residual strengths \( \alpha_A, \alpha_M \) fixed during training), a final
\( N \) and a linear read-out. Initialisation follows the theory's weight variances, so the
exponents \( (\lambda_a, \lambda_g) \) at initialisation are those of `theory.transformer_geometry`.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import string
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from theory.transformer_geometry._validate import check_int, check_real

__all__ = ["char_corpus", "masked_batch", "TransformerLM", "train_masked_lm", "VOCAB", "MASK_ID"]

VOCAB = string.printable[:95] + "\n"  # printable ASCII (space..~) and newline
MASK_ID = len(VOCAB)
_STDLIB_MODULES = (
    "argparse", "textwrap", "json.decoder", "json.encoder", "difflib", "fractions", "calendar", "pprint",
    "shlex", "heapq", "bisect", "string", "dataclasses", "enum", "functools", "statistics", "csv",
    "configparser", "gettext", "inspect", "tokenize", "ast", "typing", "pathlib", "tarfile", "zipfile",
)  # fmt: skip


def char_corpus(max_chars: int = 2_000_000) -> np.ndarray:
    """Python standard-library sources (a fixed list of modules) as an int array of vocabulary ids.

    Characters outside `VOCAB` (tabs, non-ASCII) are dropped. Deterministic for a given Python.

    **Returns:** `int64` array of at most `max_chars` ids (an integer >= 1).

    **Raises:** `ValueError` if `max_chars` is not an integer >= 1.
    """
    return _char_corpus(check_int("max_chars", max_chars, 1))


@functools.lru_cache(maxsize=4)
def _char_corpus(max_chars: int) -> np.ndarray:
    lut = np.full(256, -1, dtype=np.int64)
    for i, ch in enumerate(VOCAB):
        lut[ord(ch)] = i
    chunks, total = [], 0
    for name in _STDLIB_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        with open(spec.origin, "rb") as fh:
            raw = np.frombuffer(fh.read(), dtype=np.uint8)
        ids = lut[raw]
        ids = ids[ids >= 0]
        chunks.append(ids)
        total += len(ids)
        if total >= max_chars:
            break
    if not chunks:
        raise RuntimeError("no Python standard-library sources found for the character corpus")
    return np.concatenate(chunks)[:max_chars]


def masked_batch(data: np.ndarray, n_ctx: int, batch: int, rng: np.random.Generator, mask_frac: float = 0.15):
    """Random windows of `n_ctx` characters with a fraction `mask_frac` (at least one) replaced by
    `MASK_ID`. **Returns:** `(inputs, targets)` int64 tensors, targets = -100 where not masked.

    **Raises:** `ValueError` unless `n_ctx` is an integer in [1, len(data) - 1],
    `batch` an integer >= 1 and `mask_frac` in [0, 1].
    """
    n_ctx = check_int("n_ctx", n_ctx, 1, len(data) - 1)
    batch = check_int("batch", batch, 1)
    check_real("mask_frac", mask_frac, 0.0, 1.0)
    starts = rng.integers(0, len(data) - n_ctx, size=batch)
    x = np.stack([data[s : s + n_ctx] for s in starts])
    n_mask = max(1, int(round(mask_frac * n_ctx)))
    pos = np.argsort(rng.random((batch, n_ctx)), axis=1)[:, :n_mask]
    y = np.full_like(x, -100)
    rows = np.arange(batch)[:, None]
    y[rows, pos] = x[rows, pos]
    x = x.copy()
    x[rows, pos] = MASK_ID
    return torch.from_numpy(x), torch.from_numpy(y)


def _norm(x: torch.Tensor) -> torch.Tensor:
    """N(x) = sqrt(d) x / |x| (as x / rms(x): one reduction, no masked norm backward)."""
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True).clamp_min(1e-60))


def _seed_list(seed) -> tuple[list[int], bool]:
    """`seed` as a list of ints, and whether it was given as a sequence."""
    if isinstance(seed, (Sequence, np.ndarray)) and not isinstance(seed, str):
        seeds = [check_int("seed", s, 0) for s in seed]
        if not seeds:
            raise ValueError("seed must be an integer >= 0 or a non-empty sequence of them, got []")
        return seeds, True
    return [check_int("seed", seed, 0)], False


class TransformerLM(nn.Module):
    r"""`M` independent networks trained side by side (parameters carry a leading model axis).

    Each network is: token and position embeddings with \( \mathcal N(0,1) \) entries, averaged
    (so \( q_0 \approx 1 \)); `n_layers` theory blocks with that network's hyper-parameters;
    a final \( N \); a linear read-out. The models share nothing, so training the sum of their
    losses with Adam (an element-wise optimiser) is the same as training each alone.

    The ensemble is the product `seeds x prms` (seed-major, `M = len(seeds) * len(prms)`).
    Member `(s, j)` is initialised from its own stream `seed_s * 100003 + model_ids[j]`, so a
    network's initial weights do not depend on which other networks it is batched with;
    `group[m]` is the index of its seed, which selects its data in `forward`.

    **Arguments:**

    - `prms`: a list of `theory.transformer_geometry.BlockParams`, one per model (same
      `n_tokens`, the context length, and same `phi`).
    - `d`, `n_layers`, `d_mlp`: width, depth, MLP hidden width (default `d`).
    - `vocab`: output vocabulary size (inputs also have the mask token).
    - `seed`: initialisation seed, or a sequence of seeds (one group of `len(prms)` models each).
    - `model_ids`: the stream index of each entry of `prms` (default `0..len(prms)-1`).
    """

    def __init__(self, prms, *, d: int, n_layers: int, vocab: int = len(VOCAB), d_mlp: int | None = None,
                 seed: int | Sequence[int] = 0, model_ids: Sequence[int] | None = None):  # fmt: skip
        super().__init__()
        prms = list(prms)
        if not prms:
            raise ValueError("prms must hold at least one BlockParams")
        if len({p.n_tokens for p in prms}) != 1 or len({p.phi for p in prms}) != 1:
            raise ValueError("all prms must share n_tokens and phi")
        seeds, _ = _seed_list(seed)
        ids = list(range(len(prms))) if model_ids is None else [check_int("model_ids", i, 0) for i in model_ids]
        if len(ids) != len(prms):
            raise ValueError(f"model_ids must give one id per entry of prms ({len(prms)}), got {len(ids)}")
        members = [(s, i, p) for s in seeds for i, p in zip(ids, prms)]
        M, L, n = len(members), int(n_layers), prms[0].n_tokens
        d_mlp = int(d_mlp or d)
        self.phi = {"tanh": torch.tanh, "erf": torch.erf, "relu": torch.relu}[prms[0].phi]
        gens = [torch.Generator().manual_seed(int(s) * 100_003 + i) for s, i, _ in members]
        mp = [p for _, _, p in members]

        def param(shape, stds):
            return nn.Parameter(torch.stack([s * torch.randn(*shape, generator=g) for s, g in zip(stds, gens)]))

        self.embed = param((vocab + 1, d), [1.0] * M)
        self.pos = param((n, d), [1.0] * M)
        self.W_Q = param((L, d, d), [math.sqrt(p.sigma_attn / d) for p in mp])
        self.W_K = param((L, d, d), [math.sqrt(p.sigma_attn / d) for p in mp])
        self.W_V = param((L, d, d), [p.sigma_v / math.sqrt(d) for p in mp])
        self.W_1 = param((L, d_mlp, d), [p.sigma_w / math.sqrt(d) for p in mp])
        self.W_2 = param((L, d, d_mlp), [p.sigma_out / math.sqrt(d_mlp) for p in mp])
        self.readout = param((vocab, d), [1.0 / math.sqrt(d)] * M)
        self.bias = nn.Parameter(torch.zeros(M, 1, 1, vocab))
        coef = torch.tensor([[p.alpha_attn, p.beta_attn, p.alpha_mlp, p.beta_mlp] for p in mp])
        self.register_buffer("coef", coef.reshape(M, 1, 1, 4))
        self.register_buffer("group", torch.tensor([seeds.index(s) for s, _, _ in members], dtype=torch.long))
        self.n_layers, self.n_groups, self.n_models = L, len(seeds), M

    def _member_view(self, t: torch.Tensor) -> torch.Tensor:
        """`(G, ...)` per-group data -> `(M, ...)` per-member (a view when there is one group)."""
        if t.shape[0] == 1:
            return t.expand(self.n_models, *t.shape[1:])
        if t.shape[0] != self.n_groups:
            raise ValueError(f"data has {t.shape[0]} groups, the ensemble has {self.n_groups} seeds")
        return t[self.group]

    def forward(self, tokens: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        """`tokens` `(B, n)` (shared by all models) or `(G, B, n)` (one set per seed group) ->
        logits `(M, B, n, vocab)`; with `positions` `(B, k)` or `(G, B, k)`, only the logits at
        those positions, `(M, B, k, vocab)` (the read-out is skipped elsewhere)."""
        if tokens.dim() == 2:
            tokens = tokens[None]
        M, (_, B, n) = self.n_models, tokens.shape
        V1, d = self.embed.shape[1], self.embed.shape[2]
        tok = self._member_view(tokens) + (torch.arange(M, device=tokens.device) * V1)[:, None, None]
        x = (F.embedding(tok, self.embed.reshape(M * V1, d)) + self.pos[:, None, :n]) / math.sqrt(2.0)
        aa, ba, am, bm = (self.coef[..., i, None] for i in range(4))  # (M, 1, 1, 1)
        # per-layer weights by one `unbind` each: its backward stacks the L layer gradients once, where
        # indexing `W[:, layer]` in the loop would zero-fill and accumulate a full (M, L, ...) gradient per layer
        w_qkv = torch.cat((self.W_Q, self.W_K, self.W_V), dim=2).unbind(1)  # L x (M, 3d, d): one matmul per layer
        w_1, w_2 = self.W_1.unbind(1), self.W_2.unbind(1)
        scale = 1.0 / math.sqrt(d)
        for layer in range(self.n_layers):
            qkv = torch.bmm(_norm(x).reshape(M, B * n, d), w_qkv[layer].transpose(1, 2)).reshape(M, B, n, 3 * d)
            q, k, v = qkv.split(d, dim=-1)
            y = ba * x + aa * F.scaled_dot_product_attention(q, k, v, scale=scale)
            h = self.phi(torch.bmm(_norm(y).reshape(M, B * n, d), w_1[layer].transpose(1, 2)))
            x = bm * y + am * torch.bmm(h, w_2[layer].transpose(1, 2)).reshape(M, B, n, d)
        if positions is not None:
            if positions.dim() == 2:
                positions = positions[None]
            idx = self._member_view(positions)
            x = x.gather(2, idx[..., None].expand(-1, -1, -1, d))
        k = x.shape[2]
        out = torch.bmm(_norm(x).reshape(M, B * k, d), self.readout.transpose(1, 2)).reshape(M, B, k, -1)
        return out + self.bias


def _device_batch(data: torch.Tensor, n_ctx: int, batch: int, n_mask: int, gen: torch.Generator):
    """Random windows drawn on `data`'s device: `(inputs, positions, targets)`, the masked
    positions `(batch, n_mask)` distinct per window and their original characters."""
    dev = data.device
    starts = torch.randint(0, data.numel() - n_ctx, (batch, 1), generator=gen, device=dev)
    x = data[starts + torch.arange(n_ctx, device=dev)]
    pos = torch.rand(batch, n_ctx, generator=gen, device=dev).argsort(dim=1)[:, :n_mask]
    return x.scatter(1, pos, MASK_ID), pos, x.gather(1, pos)


def _fixed_test_set(test_data: np.ndarray, n_ctx: int, n_test: int, seed: int, mask_frac: float):
    """The held-out windows of one seed (numpy stream `(seed, 2)`, drawn once) as
    `(inputs, positions, targets)` with the masked positions in increasing order."""
    x, y = masked_batch(test_data, n_ctx, n_test, np.random.default_rng([int(seed), 2]), mask_frac)
    mask = (y >= 0).numpy()
    k = int(mask.sum(1).min())
    pos = np.sort(np.argsort(~mask, axis=1, kind="stable")[:, :k], axis=1)
    pos_t = torch.from_numpy(pos)
    return x, pos_t, y.gather(1, pos_t)


def train_masked_lm(
    prms,
    *,
    d: int,
    n_layers: int,
    steps: int,
    batch: int,
    lr: float,
    seed: int | Sequence[int] = 0,
    model_ids: Sequence[int] | None = None,
    d_mlp: int | None = None,
    n_test: int = 256,
    corpus_chars: int = 2_000_000,
    test_frac: float = 0.1,
    dtype: torch.dtype = torch.float32,
    device: str = "cpu",
    eval_every: int = 0,
    mask_frac: float = 0.15,
    progress=None,
) -> dict:
    """Train one `TransformerLM` per hyper-parameter set (and per seed) with Adam on
    masked-character prediction, all of them as one batched ensemble.

    The models of one seed see the same batches. The corpus is split into a training head and
    a held-out tail (`test_frac`); the test set is `n_test` fixed windows from the tail
    (numpy stream `(seed, 2)`, drawn once). Training batches are drawn on `device` by a torch
    generator of the seed (stream `(seed, 1)`), one per seed, so each seed's data, like each
    model's initialisation (see `TransformerLM`), does not depend on what it is batched with.
    The step loop has no host synchronisation: diverged models are masked with `torch.where`,
    and losses stay on the device until the end.

    **Arguments:**

    - `prms`: list of `BlockParams` (one model each).
    - `d`, `n_layers`, `d_mlp`: model size; `steps`, `batch`, `lr`: Adam training.
    - `seed`: initialisation and data seed (an integer >= 0), or a sequence of seeds: then
      every entry of `prms` is trained once per seed and the results gain a leading seed axis.
    - `model_ids`: the initialisation stream of each entry of `prms` (default its index), so
      that a model trained alone reproduces its place in a larger ensemble.
    - `eval_every`: record the test loss every so many steps (0: only at the end), each time
      in one batched pass over the test set.
    - `mask_frac`: fraction of positions masked per window (at least one).
    - `progress`: optional wrapper for the step loop (e.g. `ctx.progress`).

    **Returns:** dict of arrays over models, `(P,)` for one seed or `(S, P)` for a sequence of
    `S` seeds: `test_loss` (mean cross-entropy on masked test positions, nats; `nan` if
    diverged), `init_test_loss`, `train_loss` (mean of the last 10% of steps, at least the last
    step), `diverged` (bool), plus `steps` and `curve` `(n_evals, ...)`.

    **Raises:** `ValueError` naming the argument out of range: `d`, `n_layers`, `steps`,
    `batch`, `n_test`, `corpus_chars` integers >= 1 (`d_mlp` too, unless `None`); `eval_every`
    an integer >= 0; `lr` finite and > 0; `test_frac` in (0, 1); `mask_frac` in [0, 1];
    `seed` an integer >= 0 or a non-empty sequence of them.
    """
    for name, val in (("d", d), ("n_layers", n_layers), ("steps", steps), ("batch", batch), ("n_test", n_test),
                      ("corpus_chars", corpus_chars)):  # fmt: skip
        check_int(name, val, 1)
    if d_mlp is not None:
        check_int("d_mlp", d_mlp, 1)
    check_int("eval_every", eval_every, 0)
    check_real("lr", lr, 0.0, lo_open=True)
    check_real("test_frac", test_frac, 0.0, 1.0, lo_open=True)
    if test_frac >= 1.0:
        raise ValueError(f"test_frac must lie in (0, 1), got {test_frac!r}")
    check_real("mask_frac", mask_frac, 0.0, 1.0)
    seeds, stacked = _seed_list(seed)
    prms = list(prms)
    data = char_corpus(corpus_chars)
    cut = int(len(data) * (1 - test_frac))
    train_data, test_data = data[:cut], data[cut:]
    model = TransformerLM(prms, d=d, n_layers=n_layers, d_mlp=d_mlp, seed=seeds, model_ids=model_ids)
    model = model.to(device=device, dtype=dtype)
    n_ctx, M, G = model.pos.shape[1], model.n_models, len(seeds)
    check_int("n_ctx", n_ctx, 1, len(train_data) - 1)
    n_mask = max(1, int(round(mask_frac * n_ctx)))
    fused = torch.device(device).type == "cuda"
    opt = torch.optim.Adam(model.parameters(), lr=lr, **({"fused": True} if fused else {}))
    train_t = torch.from_numpy(train_data).to(device)
    gens = []
    for s in seeds:
        g = torch.Generator(device=device)
        g.manual_seed(int(np.random.SeedSequence([int(s), 1]).generate_state(1, dtype=np.uint64)[0] >> 1))
        gens.append(g)
    tests = [_fixed_test_set(test_data, n_ctx, n_test, s, mask_frac) for s in seeds]
    # the loss of predicting every masked character by its training frequency: a network below it
    # has learned something from the context
    freq = np.bincount(train_data, minlength=len(VOCAB))[: len(VOCAB)] + 0.5
    unigram = np.array([-np.log(freq / freq.sum())[t[2].numpy()].mean() for t in tests])
    xt, pt, yt = (torch.stack(t).to(device) for t in zip(*tests))  # (G, n_test, n) / (G, n_test, k)
    yt_m = model._member_view(yt)

    def nll(logits, targets):  # (M, B, k, V), (M, B, k) -> (M, B, k)
        V = logits.shape[-1]
        return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), reduction="none").reshape(targets.shape)

    def test_loss() -> torch.Tensor:  # one batched pass (in chunks of 64 windows), stays on the device
        with torch.no_grad():
            tot = torch.zeros(M, dtype=torch.float64, device=device)
            for i in range(0, n_test, 64):
                tot += nll(model(xt[:, i : i + 64], pt[:, i : i + 64]), yt_m[:, i : i + 64]).double().sum((1, 2))
            return tot / yt_m[0].numel()

    def draw():
        if G == 1:
            return tuple(t[None] for t in _device_batch(train_t, n_ctx, batch, n_mask, gens[0]))
        return tuple(torch.stack(t) for t in zip(*(_device_batch(train_t, n_ctx, batch, n_mask, g) for g in gens)))

    params = [p for p in model.parameters()]
    init = test_loss()
    alive = torch.ones(M, dtype=torch.bool, device=device)
    tail = torch.zeros(M, dtype=torch.float64, device=device)
    n_tail, curve = 0, []
    steps_iter = range(int(steps))
    for step in progress(steps_iter) if progress else steps_iter:
        x, pos, y = draw()
        losses = nll(model(x, pos), model._member_view(y)).mean((1, 2))
        finite = torch.isfinite(losses)
        alive &= finite
        opt.zero_grad(set_to_none=True)
        torch.where(finite, losses, torch.zeros_like(losses)).sum().backward()
        with torch.no_grad():  # a diverged model stops learning (its grads are zeroed)
            for prm in params:
                if prm.grad is not None:
                    keep = alive.view(M, *([1] * (prm.grad.dim() - 1)))
                    prm.grad.copy_(torch.where(keep, prm.grad, 0.0).nan_to_num_(0.0, 0.0, 0.0))
        opt.step()
        if step >= 0.9 * steps or step == steps - 1:  # the last step at least, for short runs
            tail += losses.detach().double()
            n_tail += 1
        if eval_every and (step + 1) % eval_every == 0:
            curve.append(test_loss())
    final = test_loss().cpu().numpy()
    dead = (~alive).cpu().numpy() | ~np.isfinite(final)
    out_shape = (G, len(prms)) if stacked else (len(prms),)

    def shaped(a):
        return np.asarray(a).reshape(out_shape)

    return dict(test_loss=shaped(np.where(dead, np.nan, final)), init_test_loss=shaped(init.cpu().numpy()),
                train_loss=shaped((tail / max(n_tail, 1)).cpu().numpy()), diverged=shaped(dead), steps=int(steps),
                unigram_test_loss=unigram if stacked else float(unigram[0]),
                curve=(torch.stack(curve).cpu().numpy().reshape(-1, *out_shape) if curve else np.zeros((0, *out_shape))))  # fmt: skip
