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

import numpy as np
import torch
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
    return math.sqrt(x.shape[-1]) * x / x.norm(dim=-1, keepdim=True).clamp_min(1e-30)


class TransformerLM(nn.Module):
    r"""`M` independent networks trained side by side (parameters carry a leading model axis).

    Each network is: token and position embeddings with \( \mathcal N(0,1) \) entries, averaged
    (so \( q_0 \approx 1 \)); `n_layers` theory blocks with that network's hyper-parameters;
    a final \( N \); a linear read-out. The models share nothing, so training the sum of their
    losses with Adam (an element-wise optimiser) is the same as training each alone.

    **Arguments:**

    - `prms`: a list of `theory.transformer_geometry.BlockParams`, one per model (same
      `n_tokens`, the context length, and same `phi`).
    - `d`, `n_layers`, `d_mlp`: width, depth, MLP hidden width (default `d`).
    - `vocab`: output vocabulary size (inputs also have the mask token).
    - `seed`: initialisation seed (model m uses the stream `(seed, m)`).
    """

    def __init__(self, prms, *, d: int, n_layers: int, vocab: int = len(VOCAB), d_mlp: int | None = None, seed: int = 0):
        super().__init__()
        prms = list(prms)
        if not prms:
            raise ValueError("prms must hold at least one BlockParams")
        if len({p.n_tokens for p in prms}) != 1 or len({p.phi for p in prms}) != 1:
            raise ValueError("all prms must share n_tokens and phi")
        M, L, n = len(prms), int(n_layers), prms[0].n_tokens
        d_mlp = int(d_mlp or d)
        self.phi = {"tanh": torch.tanh, "erf": torch.erf, "relu": torch.relu}[prms[0].phi]
        gens = [torch.Generator().manual_seed(int(seed) * 100_003 + m) for m in range(M)]

        def param(shape, stds):
            return nn.Parameter(torch.stack([s * torch.randn(*shape, generator=g) for s, g in zip(stds, gens)]))

        self.embed = param((vocab + 1, d), [1.0] * M)
        self.pos = param((n, d), [1.0] * M)
        self.W_Q = param((L, d, d), [math.sqrt(p.sigma_attn / d) for p in prms])
        self.W_K = param((L, d, d), [math.sqrt(p.sigma_attn / d) for p in prms])
        self.W_V = param((L, d, d), [p.sigma_v / math.sqrt(d) for p in prms])
        self.W_1 = param((L, d_mlp, d), [p.sigma_w / math.sqrt(d) for p in prms])
        self.W_2 = param((L, d, d_mlp), [p.sigma_out / math.sqrt(d_mlp) for p in prms])
        self.readout = param((vocab, d), [1.0 / math.sqrt(d)] * M)
        self.bias = nn.Parameter(torch.zeros(M, 1, 1, vocab))
        coef = torch.tensor([[p.alpha_attn, p.beta_attn, p.alpha_mlp, p.beta_mlp] for p in prms])
        self.register_buffer("coef", coef.reshape(M, 1, 1, 1, 4))
        self.n_layers = L

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """`tokens` `(B, n)` (shared by all models) -> logits `(M, B, n, vocab)`."""
        aa, ba, am, bm = (self.coef[..., i] for i in range(4))
        x = (self.embed[:, tokens] + self.pos[:, None, : tokens.shape[-1]]) / math.sqrt(2.0)  # (M, B, n, d)
        scale = 1.0 / math.sqrt(x.shape[-1])
        for layer in range(self.n_layers):
            xn = _norm(x)
            q = xn @ self.W_Q[:, layer, None].transpose(-1, -2)
            k = xn @ self.W_K[:, layer, None].transpose(-1, -2)
            v = xn @ self.W_V[:, layer, None].transpose(-1, -2)
            a = torch.softmax(scale * q @ k.transpose(-1, -2), dim=-1)
            y = ba * x + aa * (a @ v)
            h = self.phi(_norm(y) @ self.W_1[:, layer, None].transpose(-1, -2))
            x = bm * y + am * (h @ self.W_2[:, layer, None].transpose(-1, -2))
        return _norm(x) @ self.readout[:, None].transpose(-1, -2) + self.bias


def train_masked_lm(
    prms,
    *,
    d: int,
    n_layers: int,
    steps: int,
    batch: int,
    lr: float,
    seed: int = 0,
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
    """Train one `TransformerLM` per hyper-parameter set with Adam on masked-character prediction.

    All models see the same batches. The corpus is split into a training head and a held-out
    tail (`test_frac`); the test set is `n_test` fixed windows from the tail.

    **Arguments:**

    - `prms`: list of `BlockParams` (one model each).
    - `d`, `n_layers`, `d_mlp`: model size; `steps`, `batch`, `lr`: Adam training.
    - `seed`: initialisation and data seed.
    - `eval_every`: record the test loss every so many steps (0: only at the end).
    - `mask_frac`: fraction of positions masked per window (at least one).
    - `progress`: optional wrapper for the step loop (e.g. `ctx.progress`).

    **Returns:** dict of arrays over models: `test_loss` (mean cross-entropy on masked test
    positions, nats; `nan` if diverged), `init_test_loss`, `train_loss` (mean of the last 10% of
    steps, at least the last step), `diverged` (bool), plus `steps` and `curve` `(n_evals, M)`.

    **Raises:** `ValueError` naming the argument out of range: `d`, `n_layers`, `steps`,
    `batch`, `n_test`, `corpus_chars` integers >= 1 (`d_mlp` too, unless `None`); `eval_every`
    an integer >= 0; `lr` finite and > 0; `test_frac` in (0, 1); `mask_frac` in [0, 1].
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
    data = char_corpus(corpus_chars)
    cut = int(len(data) * (1 - test_frac))
    train_data, test_data = data[:cut], data[cut:]
    model = TransformerLM(prms, d=d, n_layers=n_layers, d_mlp=d_mlp, seed=seed).to(device=device, dtype=dtype)
    M = len(list(prms))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng([int(seed), 1])
    xt, yt = masked_batch(test_data, model.pos.shape[1], n_test, np.random.default_rng([int(seed), 2]), mask_frac)
    xt, yt = xt.to(device), yt.to(device)

    def per_model_loss(logits, y):  # logits (M, B, n, V), y (B, n) -> (M,)
        mask = y >= 0
        lp = torch.log_softmax(logits[:, mask], dim=-1)  # (M, K, V)
        return -lp.gather(-1, y[mask][None, :, None].expand(M, -1, 1)).squeeze(-1).mean(-1)

    def test_loss() -> np.ndarray:
        with torch.no_grad():
            out = []
            for i in range(0, n_test, 64):
                out.append(per_model_loss(model(xt[i : i + 64]), yt[i : i + 64]) * (yt[i : i + 64] >= 0).sum())
            return (torch.stack(out).sum(0) / (yt >= 0).sum()).double().cpu().numpy()

    init = test_loss()
    alive = torch.ones(M, dtype=torch.bool, device=device)
    tail, curve = [], []
    steps_iter = range(int(steps))
    for step in progress(steps_iter) if progress else steps_iter:
        x, y = masked_batch(train_data, model.pos.shape[1], batch, rng, mask_frac)
        losses = per_model_loss(model(x.to(device)), y.to(device))
        finite = torch.isfinite(losses)
        alive &= finite
        opt.zero_grad(set_to_none=True)
        torch.where(finite, losses, torch.zeros_like(losses)).sum().backward()
        for prm in model.parameters():  # a diverged model stops learning (its grads are zeroed)
            if prm.grad is not None:
                prm.grad[~alive] = 0.0
                prm.grad.nan_to_num_(0.0, 0.0, 0.0)
        opt.step()
        if step >= 0.9 * steps or step == steps - 1:  # the last step at least, for short runs
            tail.append(losses.detach().double().cpu().numpy())
        if eval_every and (step + 1) % eval_every == 0:
            curve.append(test_loss())
    final = test_loss()
    diverged = (~alive).cpu().numpy() | ~np.isfinite(final)
    final = np.where(diverged, np.nan, final)
    return dict(test_loss=final, init_test_loss=init, train_loss=np.mean(tail, 0) if tail else np.full(M, np.nan),
                diverged=diverged, steps=int(steps), curve=np.array(curve))  # fmt: skip
