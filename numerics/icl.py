r"""The GPT-2-style in-context regression model of Raventós et al. (2023), as a batched ensemble.

Many small models (one per task diversity \( M \), seed, weight decay) are trained *together*:
every parameter carries a leading ensemble axis `E`, every dense layer is one `torch.bmm`
over the ensemble, and Adam, being elementwise, updates all members independently in one
call. On a CPU this amortises the per-operator overhead that dominates tiny models; on a GPU
it fills the device with one kernel per layer instead of `E`.

Architecture (paper and official code, brief B.3): tokens of width \( D+1 \), x-tokens
\( [0, x_k] \) and y-tokens \( [y_k, 0, \dots] \) interleaved; a bias-free linear read-in plus
learned position embeddings; pre-LN blocks (LayerNorm eps 1e-5, causal multi-head attention,
MLP 4x with tanh-GELU, biases on, no dropout); final LayerNorm; a bias-free linear read-out;
predictions read at the x-tokens. GPT-2 initialisation: dense kernels and position
embeddings \( \mathcal{N}(0, 0.02^2) \), residual output projections
\( \mathcal{N}(0, (0.02/\sqrt{2L})^2) \), biases 0, LayerNorm scale 1.

Training: Adam (0.9, 0.999, 1e-8) with the triangle schedule (linear warm-up to the peak over
`warmup_frac` of the steps, then linear decay to 0); optional decoupled weight decay masked to
the kernels of the transformer body (the code's AdamW mask), per member. The data of step
\( t \) are a pure function of `(member seed, t)`, so any batch can be regenerated and an
interrupted run resumes bit-for-bit from its checkpoint.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "ModelConfig",
    "TrainConfig",
    "Member",
    "init_params",
    "param_count",
    "train_flops_per_token",
    "to_tokens",
    "predict",
    "task_pool",
    "DataStream",
    "triangle_lr",
    "TrainResult",
    "train_ensemble",
    "predict_numpy",
    "EvalSet",
    "make_eval_set",
    "position_metrics",
    "dmmse_predict_torch",
]

BODY_KERNELS = ("attn_w", "attn_proj_w", "fc_w", "mlp_proj_w")


# =============================================================================================
# Configuration
# =============================================================================================


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
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
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
        if int(self.steps) < 1 or int(self.batch_size) < 1:
            raise ValueError(f"steps and batch_size must be >= 1, got {self.steps}, {self.batch_size}")
        if not (self.lr > 0 and self.noise_var > 0 and self.task_var > 0):
            raise ValueError("lr, noise_var and task_var must be positive")
        if not 0 < self.warmup_frac <= 1:
            raise ValueError(f"warmup_frac must be in (0, 1], got {self.warmup_frac}")


@dataclasses.dataclass(frozen=True)
class Member:
    """One model of the ensemble: task diversity `n_tasks` (`None` = infinite), `seed`, weight decay."""

    n_tasks: int | None
    seed: int
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.n_tasks is not None and int(self.n_tasks) < 1:
            raise ValueError(f"n_tasks must be >= 1 or None (infinite), got {self.n_tasks}")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")


def _seed_int(*parts: Any) -> int:
    """A 63-bit seed from integers and strings (SeedSequence of a stable encoding)."""
    words = []
    for p in parts:
        if isinstance(p, str):
            words.append(int.from_bytes(hashlib.blake2b(p.encode(), digest_size=4).digest(), "little"))
        else:
            words.append(int(p) & 0xFFFFFFFF)
            words.append((int(p) >> 32) & 0xFFFFFFFF)
    state = np.random.SeedSequence(words).generate_state(2, dtype=np.uint64)
    return int(state[0] & np.uint64(2**63 - 1))


# =============================================================================================
# Model
# =============================================================================================


def init_params(cfg: ModelConfig, seeds: Sequence[int], device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    """GPT-2 initialisation for an ensemble; member `e` uses only `seeds[e]` (stream `"init"`).

    **Arguments:**

    - `cfg`: the model shape.
    - `seeds`: one integer per member.
    - `device`: where the parameters live.

    **Returns:**

    A dict of leaf tensors with a leading ensemble axis, `requires_grad=True`.
    """
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
        g = torch.Generator().manual_seed(_seed_int(seed, "init"))
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
    """Interleave x-tokens \\( [0, x_k] \\) and y-tokens \\( [y_k, 0, \\dots, 0] \\): `(..., 2K, D+1)`."""
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


# =============================================================================================
# Data
# =============================================================================================


def task_pool(seed: int, n_tasks: int, dim: int, task_var: float = 1.0) -> np.ndarray:
    """The pretraining pool of a seed: the first `n_tasks` rows of one master sequence of
    \\( \\mathcal{N}(0, \\tau^2 I_D) \\) draws (so pools of one seed are nested in \\( M \\))."""
    if int(n_tasks) < 1:
        raise ValueError(f"n_tasks must be >= 1, got {n_tasks}")
    # draw in fixed-size blocks so that a prefix does not depend on n_tasks
    block = 4096
    n_blocks = -(-int(n_tasks) // block)
    rows = [np.random.default_rng(_seed_int(seed, "tasks", dim, b)).standard_normal((block, dim)) for b in range(n_blocks)]
    return np.concatenate(rows)[: int(n_tasks)] * math.sqrt(task_var)


class DataStream:
    """Per-step training batches for an ensemble; `batch(t)` is a pure function of `t`.

    Members that share a seed share the inputs, the noise, the uniform numbers that pick a
    pool index and the fresh tasks of step `t` (common random numbers across \\( M \\)); a
    member with \\( M = \\infty \\) uses the fresh tasks.
    """

    def __init__(self, members: Sequence[Member], dim: int, n_points: int, train: TrainConfig, device: str | torch.device = "cpu"):
        self.members = list(members)
        self.dim, self.n_points, self.train = int(dim), int(n_points), train
        self.device = torch.device(device)
        self.seeds = sorted({m.seed for m in self.members})
        self.pools = [
            None if m.n_tasks is None else torch.as_tensor(task_pool(m.seed, m.n_tasks, dim, train.task_var), dtype=torch.float32, device=self.device)
            for m in self.members
        ]
        self._gen = torch.Generator(device=self.device)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs `(E, B, K, D)` and targets `(E, B, K)` of training step `step`."""
        B, K, D = self.train.batch_size, self.n_points, self.dim
        shared = {}
        for seed in self.seeds:
            self._gen.manual_seed(_seed_int(seed, "data", step))
            g, dev = self._gen, self.device
            x = torch.randn(B, K, D, generator=g, device=dev)
            eps = torch.randn(B, K, generator=g, device=dev) * math.sqrt(self.train.noise_var)
            u = torch.rand(B, generator=g, device=dev)
            w_fresh = torch.randn(B, D, generator=g, device=dev) * math.sqrt(self.train.task_var)
            shared[seed] = (x, eps, u, w_fresh)
        Xs, ys = [], []
        for m, pool in zip(self.members, self.pools):
            x, eps, u, w_fresh = shared[m.seed]
            if pool is None:
                w = w_fresh
            else:
                idx = torch.clamp((u * pool.shape[0]).long(), max=pool.shape[0] - 1)
                w = pool[idx]
            Xs.append(x)
            ys.append(torch.einsum("bkd,bd->bk", x, w) + eps)
        return torch.stack(Xs), torch.stack(ys)


def triangle_lr(step: int, total: int, peak: float, warmup_frac: float = 0.5) -> float:
    """Triangle one-cycle schedule: \\( \\eta_t = \\eta\\, t / t_w \\) for \\( t < t_w \\), then linear to 0 at `total`."""
    warm = max(1, int(round(warmup_frac * total)))
    if step < warm:
        return peak * step / warm
    return peak * max(0.0, (total - step) / max(1, total - warm))


# =============================================================================================
# Training
# =============================================================================================


@dataclasses.dataclass
class TrainResult:
    """What `train_ensemble` returns.

    - `params`: final ensemble parameters (detached, on the training device).
    - `loss_steps`, `losses`: logged steps and per-member training loss `(n_logs, E)`.
    - `eval_steps`, `evals`: steps and outputs of the optional `eval_fn` during training.
    - `steps_done`, `resumed_from`, `seconds`, `diverged`: bookkeeping (per member for `diverged`).
    """

    params: dict[str, torch.Tensor]
    loss_steps: np.ndarray
    losses: np.ndarray
    eval_steps: list[int]
    evals: list[Any]
    steps_done: int
    resumed_from: int
    seconds: float
    diverged: np.ndarray


def _fingerprint(members, model_cfg, train_cfg, extra) -> str:
    blob = json.dumps(
        [[dataclasses.asdict(m) for m in members], dataclasses.asdict(model_cfg), dataclasses.asdict(train_cfg), extra],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


@contextlib.contextmanager
def _precision(device: torch.device, precision: str):
    if precision not in ("fp32", "tf32", "bf16"):
        raise ValueError(f"precision must be fp32, tf32 or bf16, got {precision!r}")
    if device.type != "cuda" or precision == "fp32":
        yield contextlib.nullcontext
        return
    old = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        if precision == "bf16":
            yield lambda: torch.autocast("cuda", dtype=torch.bfloat16)
        else:
            yield contextlib.nullcontext
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old


def train_ensemble(
    members: Sequence[Member],
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    *,
    device: str | torch.device = "cpu",
    precision: str = "fp32",
    compile: bool = False,
    checkpoint_path: str | os.PathLike | None = None,
    checkpoint_every: int = 0,
    stop_at: int | None = None,
    log_every: int = 50,
    eval_every: int = 0,
    eval_fn: Callable[[dict[str, torch.Tensor], int], Any] | None = None,
    progress: Callable[..., Any] | None = None,
) -> TrainResult:
    """Train every member of an ensemble with Adam and the triangle schedule.

    **Arguments:**

    - `members`: the models (task diversity, seed, weight decay).
    - `model_cfg`, `train_cfg`: shared shape and optimisation settings.
    - `device`: `"cpu"` or `"cuda"`.
    - `precision`: `"fp32"`, `"tf32"` (TF32 matmuls) or `"bf16"` (bf16 autocast with TF32);
      only applied on CUDA, evaluation stays fp32.
    - `compile`: wrap the forward in `torch.compile`.
    - `checkpoint_path`: file to save to every `checkpoint_every` steps and to resume from
      (its fingerprint must match the run's configuration).
    - `stop_at`: stop after this many steps (simulates an interruption; the schedule still
      uses `train_cfg.steps`).
    - `log_every`: loss logging interval.
    - `eval_every`, `eval_fn`: call `eval_fn(params, step)` every `eval_every` steps and at the end.
    - `progress`: a tqdm-like factory `progress(total=..., desc=...)`.

    **Returns:**

    A `TrainResult`.
    """
    device = torch.device(device)
    members = list(members)
    if not members:
        raise ValueError("members must not be empty")
    E = len(members)
    stream = DataStream(members, model_cfg.dim, model_cfg.n_points, train_cfg, device)
    params = init_params(model_cfg, [m.seed for m in members], device)
    opt_kwargs: dict[str, Any] = dict(lr=0.0, betas=(0.9, 0.999), eps=1e-8)
    if device.type == "cuda":
        opt_kwargs["fused"] = True
    else:
        opt_kwargs["foreach"] = True
    opt = torch.optim.Adam(list(params.values()), **opt_kwargs)
    wd = torch.tensor([m.weight_decay for m in members], dtype=torch.float32, device=device)
    decayed = [params[n] for n in params if n.split(".")[-1] in BODY_KERNELS] if bool((wd > 0).any()) else []
    fp = _fingerprint(members, model_cfg, train_cfg, {"precision": precision})
    start, loss_steps, losses, eval_steps, evals, seconds = 0, [], [], [], [], 0.0
    if checkpoint_path is not None and os.path.exists(checkpoint_path):
        state = torch.load(checkpoint_path, map_location=device, weights_only=False)
        if state["fingerprint"] != fp:
            raise ValueError(f"checkpoint {checkpoint_path} belongs to another configuration")
        with torch.no_grad():
            for n, t in params.items():
                t.copy_(state["params"][n])
        opt.load_state_dict(state["opt"])
        start, loss_steps, losses = state["step"], state["loss_steps"], state["losses"]
        eval_steps, evals, seconds = state["eval_steps"], state["evals"], state["seconds"]
    resumed_from = start
    fwd = torch.compile(predict, dynamic=False) if compile else predict
    end = train_cfg.steps if stop_at is None else min(int(stop_at), train_cfg.steps)
    bar = progress(total=end - start, desc="icl train") if progress is not None else None
    running = torch.zeros(E, device=device)
    n_running = 0

    def save(step_done: int) -> None:
        if checkpoint_path is None:
            return
        tmp = f"{checkpoint_path}.tmp"
        os.makedirs(os.path.dirname(os.path.abspath(checkpoint_path)), exist_ok=True)
        torch.save(
            dict(
                fingerprint=fp,
                params={n: t.detach().cpu() for n, t in params.items()},
                opt=opt.state_dict(),
                step=step_done,
                loss_steps=loss_steps,
                losses=losses,
                eval_steps=eval_steps,
                evals=evals,
                seconds=seconds + time.perf_counter() - t0,
            ),
            tmp,
        )
        os.replace(tmp, checkpoint_path)

    t0 = time.perf_counter()
    with _precision(device, precision) as autocast:
        for step in range(start, end):
            lr = triangle_lr(step, train_cfg.steps, train_cfg.lr, train_cfg.warmup_frac)
            for group in opt.param_groups:
                group["lr"] = lr
            X, y = stream.batch(step)
            with autocast():
                pred = fwd(params, X, y, model_cfg)
            loss_e = ((pred.float() - y) ** 2).mean(dim=(1, 2))
            opt.zero_grad(set_to_none=True)
            loss_e.sum().backward()
            opt.step()
            if decayed and lr > 0:
                with torch.no_grad():
                    factor = (1.0 - lr * wd).view(E, 1, 1)
                    torch._foreach_mul_(decayed, [factor] * len(decayed))
            running += loss_e.detach()
            n_running += 1
            if (step + 1) % log_every == 0 or step + 1 == end:
                loss_steps.append(step + 1)
                losses.append((running / n_running).cpu().numpy())
                running.zero_()
                n_running = 0
            if eval_fn is not None and eval_every and (step + 1) % eval_every == 0 and step + 1 < train_cfg.steps:
                eval_steps.append(step + 1)
                evals.append(eval_fn(params, step + 1))
            if checkpoint_every and (step + 1) % checkpoint_every == 0:
                save(step + 1)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    seconds += time.perf_counter() - t0
    if end == train_cfg.steps and eval_fn is not None:
        eval_steps.append(end)
        evals.append(eval_fn(params, end))
    if checkpoint_every and end % checkpoint_every:
        save(end)
    losses_arr = np.asarray(losses, dtype=float).reshape(-1, E)
    diverged = ~np.all(np.isfinite(losses_arr), axis=0) if losses_arr.size else np.zeros(E, bool)
    return TrainResult(
        params={n: t.detach() for n, t in params.items()},
        loss_steps=np.asarray(loss_steps),
        losses=losses_arr,
        eval_steps=list(eval_steps),
        evals=list(evals),
        steps_done=end,
        resumed_from=resumed_from,
        seconds=seconds,
        diverged=diverged,
    )


# =============================================================================================
# Evaluation
# =============================================================================================


@torch.no_grad()
def predict_numpy(params: dict[str, torch.Tensor], X: np.ndarray, y: np.ndarray, cfg: ModelConfig, chunk: int = 2048) -> np.ndarray:
    """Ensemble predictions on numpy inputs, fp32 on the parameters' device, in chunks.

    `X` is `(E, n, K, D)` (one set per member) or `(n, K, D)` (shared); returns `(E, n, K)` float64.
    """
    dev = next(iter(params.values())).device
    E = next(iter(params.values())).shape[0]
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=dev)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=dev)
    if Xt.ndim == 3:
        Xt, yt = Xt.expand(E, *Xt.shape), yt.expand(E, *yt.shape)
    old = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        outs = [predict(params, Xt[:, s : s + chunk], yt[:, s : s + chunk], cfg) for s in range(0, Xt.shape[1], chunk)]
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old
    return torch.cat(outs, dim=1).double().cpu().numpy()


@dataclasses.dataclass(frozen=True)
class EvalSet:
    """A fixed evaluation set: inputs, targets, noiseless targets and baseline predictions.

    Arrays are `(n, K, D)` / `(n, K)`; `baselines` maps `"ridge"`, `"dmmse"` to `(n, K)`
    predictions (dMMSE only when a pool is known).
    """

    X: np.ndarray
    y: np.ndarray
    clean: np.ndarray
    baselines: dict[str, np.ndarray]


@torch.no_grad()
def dmmse_predict_torch(X: np.ndarray, y: np.ndarray, tasks: np.ndarray, noise_var: float, device: str | torch.device = "cpu", budget: float = 2e7) -> np.ndarray:
    """Per-position dMMSE predictions in float64 torch, chunked so that `(chunk, K, M)` stays
    below `budget` elements; the same formula as `theory.icl.dmmse_predict` (tested equal)."""
    dev = torch.device(device)
    W = torch.as_tensor(np.asarray(tasks), dtype=torch.float64, device=dev)
    n, K, _D = np.shape(X)
    chunk = max(1, int(budget // (K * W.shape[0])))
    out = []
    for s in range(0, n, chunk):
        Xc = torch.as_tensor(np.asarray(X[s : s + chunk]), dtype=torch.float64, device=dev)
        yc = torch.as_tensor(np.asarray(y[s : s + chunk]), dtype=torch.float64, device=dev)
        r2 = (yc[..., None] - Xc @ W.T) ** 2
        logits = -(torch.cumsum(r2, dim=-2) - r2) / (2.0 * noise_var)
        p = torch.softmax(logits, dim=-1)
        out.append(torch.einsum("nkd,nkd->nk", Xc, p @ W).cpu().numpy())
    return np.concatenate(out)


def make_eval_set(
    seed: int,
    n: int,
    n_points: int,
    dim: int,
    noise_var: float,
    *,
    pool: np.ndarray | None,
    draw_from_pool: bool,
    task_var: float = 1.0,
    ridge_fn: Callable[..., np.ndarray],
    with_dmmse: bool = True,
    device: str | torch.device = "cpu",
) -> EvalSet:
    """Draw a fixed evaluation set and its baseline predictions (float64).

    **Arguments:**

    - `seed`: the evaluation seed (fixed, as in the code's eval seeds).
    - `n`, `n_points`, `dim`, `noise_var`, `task_var`: sizes and variances.
    - `pool`: the member's pretraining pool (for dMMSE and for `draw_from_pool`), or `None`.
    - `draw_from_pool`: tasks from the pool (\\( \\mathcal{T}_\\mathrm{Pretrain} \\)) or fresh (\\( \\mathcal{T}_\\mathrm{True} \\)).
    - `ridge_fn`: the ridge estimator (from `theory.icl`).
    - `with_dmmse`: also compute dMMSE predictions (needs `pool`), with `dmmse_predict_torch` on `device`.
    """
    rng = np.random.default_rng(_seed_int(seed, "eval", n, n_points, dim, int(draw_from_pool)))
    if draw_from_pool:
        if pool is None:
            raise ValueError("draw_from_pool needs a pool")
        w = pool[rng.integers(0, pool.shape[0], size=n)]
    else:
        w = rng.standard_normal((n, dim)) * math.sqrt(task_var)
    X = rng.standard_normal((n, n_points, dim))
    clean = np.einsum("nkd,nd->nk", X, w)
    y = clean + math.sqrt(noise_var) * rng.standard_normal((n, n_points))
    base = {"ridge": ridge_fn(X, y, None, noise_var, task_var)}
    if pool is not None and with_dmmse:
        base["dmmse"] = dmmse_predict_torch(X, y, pool, noise_var, device)
    return EvalSet(X, y, clean, base)


def position_metrics(pred: np.ndarray, ev: EvalSet, dim: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-position metrics of the paper and the code, each as `(mean, stderr)` over sequences.

    - `mse`: \\( \\mathbb{E}(f - y)^2 / D \\) (normalised loss).
    - `true`: \\( \\mathbb{E}(f - w^\\top x)^2 / D \\) (the code's "Transformer | True").
    - `ridge`, `dmmse`: \\( \\Delta_{PT,B} = \\mathbb{E}(f - \\hat y_B)^2 / D \\) (paper Eq. 4).
    - `mse_minus_true`: the difference `mse - true` per sequence (claim C.B 7).
    """
    pred = np.asarray(pred, dtype=float)
    out = {}

    def ms(v):
        return v.mean(axis=0) / dim, v.std(axis=0, ddof=1) / math.sqrt(v.shape[0]) / dim

    out["mse"] = ms((pred - ev.y) ** 2)
    out["true"] = ms((pred - ev.clean) ** 2)
    out["mse_minus_true"] = ms((pred - ev.y) ** 2 - (pred - ev.clean) ** 2)
    for name, b in ev.baselines.items():
        out[name] = ms((pred - b) ** 2)
    return out
