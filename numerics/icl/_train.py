"""Training of the ICL ensemble (private module of `numerics.icl`): Adam with the triangle
schedule, masked decoupled weight decay, and exact checkpoint/resume.

Checkpoints hold only tensors and plain containers (numpy arrays are stored as tensors under
a marker and restored on load), so they are read with `torch.load(weights_only=True)`: a
checkpoint is data and never runs code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from numerics.icl._config import Member, ModelConfig, TrainConfig, _check_warmup
from numerics.icl._model import BODY_KERNELS, init_params, predict
from numerics.icl._tasks import DataStream
from theory.icl._checks import check_int, check_nonnegative

__all__ = ["triangle_lr", "TrainResult", "train_ensemble"]

_NDARRAY = "__numpy_ndarray__"
_NPSCALAR = "__numpy_scalar__"


def _pack(obj: Any) -> Any:
    """Replace numpy arrays and scalars by marked tensors, recursively (for `weights_only` loading)."""
    if isinstance(obj, np.ndarray):
        return {_NDARRAY: torch.from_numpy(np.array(obj, copy=True))}
    if isinstance(obj, np.generic):
        return {_NPSCALAR: torch.from_numpy(np.array(obj))}
    if isinstance(obj, dict):
        return {k: _pack(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_pack(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_pack(v) for v in obj)
    return obj


def _unpack(obj: Any) -> Any:
    """Inverse of `_pack`."""
    if isinstance(obj, dict):
        if len(obj) == 1 and _NDARRAY in obj:
            return obj[_NDARRAY].cpu().numpy()
        if len(obj) == 1 and _NPSCALAR in obj:
            return obj[_NPSCALAR].cpu().numpy()[()]
        return {k: _unpack(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unpack(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_unpack(v) for v in obj)
    return obj


def triangle_lr(step: int, total: int, peak: float, warmup_frac: float = 0.5) -> float:
    """Triangle one-cycle schedule: \\( \\eta_t = \\eta\\, t / t_w \\) for \\( t < t_w \\), then linear to 0 at `total`.

    Raises `ValueError` when `step` is not an integer >= 0, `total` not an integer >= 1,
    `peak` negative or not finite, or `warmup_frac` outside (0, 1].
    """
    step = check_int("step", step, 0)
    total = check_int("total", total, 1)
    peak = check_nonnegative("peak", peak)
    warmup_frac = _check_warmup(warmup_frac)
    warm = max(1, int(round(warmup_frac * total)))
    if step < warm:
        return peak * step / warm
    return peak * max(0.0, (total - step) / max(1, total - warm))


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

    **Raises:**

    `ValueError` when `members` is empty, `checkpoint_every`, `eval_every` or `stop_at` is not
    an integer >= 0, `log_every` is not an integer >= 1, `precision` is unknown, or the
    checkpoint at `checkpoint_path` belongs to another configuration.
    """
    device = torch.device(device)
    members = list(members)
    if not members:
        raise ValueError("members must not be empty")
    checkpoint_every = check_int("checkpoint_every", checkpoint_every, 0)
    eval_every = check_int("eval_every", eval_every, 0)
    log_every = check_int("log_every", log_every, 1)
    if stop_at is not None:
        stop_at = check_int("stop_at", stop_at, 0)
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
        # weights_only: a checkpoint is data (tensors and plain containers), never code
        state = _unpack(torch.load(checkpoint_path, map_location=device, weights_only=True))
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
            _pack(
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
                )
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
            if stream.row_weights is None:
                loss_e = ((pred.float() - y) ** 2).mean(dim=(1, 2))
            else:  # mixed batch sizes: each member's mean over its own rows only
                loss_e = (((pred.float() - y) ** 2).mean(dim=2) * stream.row_weights).sum(dim=1)
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
