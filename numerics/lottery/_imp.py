r"""Iterative magnitude pruning with weight rewinding, checkpointed per level.

1. Train the dense net from \(w_0\) for \(k\) steps: the rewind point \(w_k\).
2. Level 0: mask of ones, train \(w_k\) for steps \(k..T\) (schedule resumed at \(k\), fresh
   optimizer).
3. Level \(L\ge1\): prune a fraction of the surviving weights of \(w_{L-1}^*\) (global
   magnitude or random), reload \(m_L\odot w_k\), train steps \(k..T\).

Each finished level is written to `checkpoint_dir/level_XXX.pt` (atomically); a new call
with the same directory loads the finished levels and continues after the last one. The data
order is a function of `(data_seed, epoch)` only, so a resumed run equals an uninterrupted one.
A checkpoint holds only tensors and plain containers of numbers and strings, and is read
with `torch.load(..., weights_only=True)`: loading one never runs code.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from collections.abc import Callable

import torch

from numerics._data import DataSplit
from numerics.lottery._models import make_model
from numerics.lottery._pruning import (
    Mask,
    layer_densities,
    magnitude_prune,
    mask_count,
    ones_mask,
    prunable_names,
    projection_length,
    random_prune,
)
from numerics.lottery._train import TrainConfig, evaluate, state_copy, train
from theory.lottery._checks import check_int, check_number

__all__ = ["IMPConfig", "LevelRecord", "IMPResult", "run_imp", "pretrain", "train_level", "next_mask"]


@dataclasses.dataclass(frozen=True)
class IMPConfig:
    """IMP settings: `levels` pruning levels after level 0, `prune_fraction` of the surviving
    weights per level, `rewind_step` \\(k\\), `convention` (`exact` / `reference`, see
    `magnitude_prune`), `method` (`magnitude` / `random`), `exempt` prunable names."""

    levels: int = 10
    prune_fraction: float = 0.2
    rewind_step: int = 0
    convention: str = "exact"
    method: str = "magnitude"
    exempt: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_int("levels", self.levels, 0)
        check_number("prune_fraction", self.prune_fraction, 0.0, 1.0)
        check_int("rewind_step", self.rewind_step, 0)
        if self.convention not in ("exact", "reference"):
            raise ValueError(f"convention must be 'exact' or 'reference', got {self.convention!r}")
        if self.method not in ("magnitude", "random"):
            raise ValueError(f"method must be 'magnitude' or 'random', got {self.method!r}")


@dataclasses.dataclass
class LevelRecord:
    """One finished level: its mask, trained state, metrics, and the mask it induces next."""

    level: int
    mask: Mask
    state: dict[str, torch.Tensor]
    next_mask: Mask
    n_alive: int
    density: float
    test_loss: float
    test_err: float
    train_loss: float
    train_err: float
    rho: float  # ||(m_L - m_{L+1}) w_L*|| / ||m_L w_L*||
    proj_len: float  # ||(m_L - m_{L+1}) w_L*||
    masked_abs_max: float  # max |w| over pruned weights after training (must be 0)
    zero_biases: int  # bias entries exactly 0 after training (a masked bias would show here)
    layer_density: dict[str, float]
    diverged: bool = False

    def to_dict(self) -> dict:
        """The record as plain data: tensors, dicts, and Python numbers, bools and strings
        (what `torch.load(..., weights_only=True)` reads back)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, dict):
                v = {str(k): (x.detach().cpu().clone() if isinstance(x, torch.Tensor) else float(x)) for k, x in v.items()}
            elif isinstance(v, bool):
                v = bool(v)
            elif isinstance(v, int):
                v = int(v)
            elif isinstance(v, float):
                v = float(v)
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, d: dict) -> LevelRecord:
        """Inverse of `to_dict`."""
        return cls(**d)


@dataclasses.dataclass
class IMPResult:
    """A finished IMP run: \\(w_0\\), the rewind point \\(w_k\\), one `LevelRecord` per level."""

    init_state: dict[str, torch.Tensor]
    rewind_state: dict[str, torch.Tensor]
    levels: list[LevelRecord]
    resumed_from: int  # number of levels loaded from checkpoints

    def to_dict(self) -> dict:
        """The run as plain data (tensors, lists, dicts, Python numbers), e.g. for a run store
        that keeps data, not code."""
        return {
            "init_state": _cpu(self.init_state),
            "rewind_state": _cpu(self.rewind_state),
            "levels": [r.to_dict() for r in self.levels],
            "resumed_from": int(self.resumed_from),
        }

    @classmethod
    def from_dict(cls, d: dict) -> IMPResult:
        """Inverse of `to_dict`."""
        return cls(
            init_state=dict(d["init_state"]),
            rewind_state=dict(d["rewind_state"]),
            levels=[LevelRecord.from_dict(r) for r in d["levels"]],
            resumed_from=int(d["resumed_from"]),
        )


def _cpu(state: dict) -> dict:
    return {k: v.detach().cpu().clone() for k, v in state.items()}


def _save(obj, path: str) -> None:
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _load(path: str) -> dict:
    """A checkpoint as data only (`weights_only=True`: no pickled code runs)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def pretrain(model, data: DataSplit, train_cfg: TrainConfig, rewind_step: int, data_seed: int) -> dict:
    """Train the dense `model` for `rewind_step` steps (an integer >= 0) in place; return
    the state \\(w_k\\)."""
    rewind_step = check_int("rewind_step", rewind_step, 0)
    data_seed = check_int("data_seed", data_seed)
    if rewind_step > 0:
        train(model, data, train_cfg, start_step=0, end_step=rewind_step, data_seed=data_seed)
    return _cpu(state_copy(model))


def next_mask(state: dict, mask: Mask, cfg: IMPConfig, level: int, data_seed: int) -> Mask:
    """The mask of level `level + 1` (an integer >= 0) from the level-`level` solution."""
    level = check_int("level", level, 0)
    data_seed = check_int("data_seed", data_seed)
    if cfg.method == "magnitude":
        return magnitude_prune(state, mask, cfg.prune_fraction, cfg.convention)
    g = torch.Generator().manual_seed((int(data_seed) * 104_729 + level) % (2**63))
    return random_prune(mask, cfg.prune_fraction, g)


def train_level(
    model,
    rewind_state: dict,
    mask: Mask,
    data: DataSplit,
    train_cfg: TrainConfig,
    rewind_step: int,
    data_seed: int,
    perturbation: dict[str, torch.Tensor] | None = None,
) -> dict:
    """Load \\(m\\odot w_k\\) (plus an optional perturbation on the mask support) and train
    steps \\(k..T\\) (`rewind_step` \\(=k\\), an integer >= 0). Returns the training stats."""
    rewind_step = check_int("rewind_step", rewind_step, 0)
    data_seed = check_int("data_seed", data_seed)
    dev = next(model.parameters()).device
    model.load_state_dict({k: v.to(dev) for k, v in rewind_state.items()})
    if perturbation:
        with torch.no_grad():
            params = dict(model.named_parameters())
            for n, d in perturbation.items():
                params[n].add_(d.to(dev))
    return train(model, data, train_cfg, start_step=rewind_step, mask=mask, data_seed=data_seed)


def run_imp(
    model_spec: dict,
    data: DataSplit,
    train_cfg: TrainConfig,
    imp_cfg: IMPConfig,
    *,
    init_seed: int,
    data_seed: int,
    device: str = "cpu",
    checkpoint_dir: str | None = None,
    progress: Callable | None = None,
    on_level: Callable[[LevelRecord], None] | None = None,
) -> IMPResult:
    """Run IMP with rewinding to `imp_cfg.rewind_step` for `imp_cfg.levels` levels.

    **Arguments:**

    - `model_spec`: see `make_model`; `init_seed` draws \\(w_0\\).
    - `data`: a `DataSplit` (moved to `device`).
    - `train_cfg`: the full-run SGD settings (length \\(T\\) = `train_cfg.steps`).
    - `imp_cfg`: levels, prune fraction, rewind step, convention, method.
    - `data_seed`: the data order (the same at every level, as in open_lth).
    - `checkpoint_dir`: where to write and resume per-level checkpoints.
    - `progress`: optional tqdm-like wrapper over the levels.
    - `on_level`: called with each newly trained `LevelRecord` (not with resumed ones).
    """
    init_seed = check_int("init_seed", init_seed)
    data_seed = check_int("data_seed", data_seed)
    if not 0 <= imp_cfg.rewind_step < train_cfg.steps:
        raise ValueError(f"rewind_step must be in [0, steps), got {imp_cfg.rewind_step}")
    data = data.to(device)
    model = make_model(model_spec, init_seed).to(device)
    names = prunable_names(model, imp_cfg.exempt)
    records: list[LevelRecord] = []
    if checkpoint_dir:
        os.makedirs(checkpoint_dir, exist_ok=True)
        pre_path = os.path.join(checkpoint_dir, "pretrain.pt")
    if checkpoint_dir and os.path.exists(pre_path):
        pre = _load(pre_path)
        w0, wk = pre["init"], pre["rewind"]
        for path in sorted(glob.glob(os.path.join(checkpoint_dir, "level_*.pt"))):
            rec = LevelRecord.from_dict(_load(path))
            if rec.level != len(records):
                break
            records.append(rec)
    else:
        w0 = _cpu(state_copy(model))
        wk = pretrain(model, data, train_cfg, imp_cfg.rewind_step, data_seed)
        if checkpoint_dir:
            _save({"init": w0, "rewind": wk}, pre_path)
    resumed = len(records)
    levels = range(resumed, imp_cfg.levels + 1)
    if progress is not None:
        levels = progress(levels, total=imp_cfg.levels + 1 - resumed, desc="IMP levels")
    for L in levels:
        mask = ones_mask(model, names) if L == 0 else records[-1].next_mask
        mask = {n: m.to(device) for n, m in mask.items()}
        stats = train_level(model, wk, mask, data, train_cfg, imp_cfg.rewind_step, data_seed)
        state = _cpu(state_copy(model))
        te_loss, te_err = evaluate(model, data.x_test, data.y_test)
        tr_loss, tr_err = evaluate(model, data.x_train, data.y_train)
        cpu_mask = {n: m.cpu() for n, m in mask.items()}
        nm = next_mask(state, cpu_mask, imp_cfg, L, data_seed)
        num, den = projection_length(state, cpu_mask, nm)
        masked_max = max(float((state[n].abs() * (~m)).max()) for n, m in cpu_mask.items())
        zero_b = sum(int((v == 0).sum()) for k, v in state.items() if k.endswith(".bias"))
        rec = LevelRecord(
            level=L,
            mask=cpu_mask,
            state=state,
            next_mask=nm,
            n_alive=mask_count(cpu_mask),
            density=mask_count(cpu_mask) / sum(m.numel() for m in cpu_mask.values()),
            test_loss=te_loss,
            test_err=te_err,
            train_loss=tr_loss,
            train_err=tr_err,
            rho=num / den if den > 0 else float("nan"),
            proj_len=num,
            masked_abs_max=masked_max,
            zero_biases=zero_b,
            layer_density=layer_densities(cpu_mask),
            diverged=bool(stats["diverged"]),
        )
        records.append(rec)
        if checkpoint_dir:
            _save(rec.to_dict(), os.path.join(checkpoint_dir, f"level_{L:03d}.pt"))
        if on_level is not None:
            on_level(rec)
    return IMPResult(init_state=w0, rewind_state=wk, levels=records, resumed_from=resumed)
