"""IMP with weight rewinding, linear mode connectivity and Hessian spectra
(Paul et al., ICLR 2023, "Unmasking the lottery ticket hypothesis").

Public API (torch):

- pruning: `prunable_names`, `ones_mask`, `magnitude_prune`, `random_prune`, `apply_mask`,
  `is_nested`, `mask_count`, `layer_densities`, `projection_length`, `n_to_prune`;
- models and data: `MLP`, `CifarResNet`, `make_model`, `make_dataset` (digits, synthetic
  32x32x3 images, CIFAR-10 from a folder; all from `numerics._data`), `DataSplit`;
- training: `TrainConfig`, `lr_at`, `train`, `evaluate`, `recompute_bn`, `state_copy`;
- IMP: `IMPConfig`, `run_imp` (checkpointed per level, resumable; checkpoints are data,
  read with `weights_only=True`), `pretrain`,
  `train_level`, `next_mask`;
- connectivity: `error_barrier`, `interpolate`, `BarrierResult`;
- experiment protocols of the paper: `experiments` (module);
- Hessians: `MaskedLoss`, `full_hessian`, `lanczos`, `lanczos_top_eigenvalues`, `slq`,
  `slq_trace`.
"""

from numerics._data import DataSplit
from numerics.lottery._barrier import BarrierResult, error_barrier, has_bn_stats, interpolate
from numerics.lottery._experiments import make_dataset
from numerics.lottery._hessian import MaskedLoss, full_hessian, lanczos, lanczos_top_eigenvalues, slq, slq_trace
from numerics.lottery._imp import IMPConfig, IMPResult, LevelRecord, next_mask, pretrain, run_imp, train_level
from numerics.lottery import _experiments as experiments
from numerics.lottery._models import MLP, CifarResNet, make_model, n_parameters
from numerics.lottery._pruning import (
    Mask,
    apply_mask,
    is_nested,
    layer_densities,
    magnitude_prune,
    mask_count,
    mask_size,
    n_to_prune,
    ones_mask,
    projection_length,
    prunable_names,
    random_prune,
)
from numerics.lottery._train import TrainConfig, evaluate, has_batchnorm, lr_at, recompute_bn, state_copy, train

__all__ = [
    "experiments",
    "BarrierResult",
    "error_barrier",
    "has_bn_stats",
    "interpolate",
    "DataSplit",
    "make_dataset",
    "MaskedLoss",
    "full_hessian",
    "lanczos",
    "lanczos_top_eigenvalues",
    "slq",
    "slq_trace",
    "IMPConfig",
    "IMPResult",
    "LevelRecord",
    "next_mask",
    "pretrain",
    "run_imp",
    "train_level",
    "MLP",
    "CifarResNet",
    "make_model",
    "n_parameters",
    "Mask",
    "apply_mask",
    "is_nested",
    "layer_densities",
    "magnitude_prune",
    "mask_count",
    "mask_size",
    "n_to_prune",
    "ones_mask",
    "projection_length",
    "prunable_names",
    "random_prune",
    "TrainConfig",
    "evaluate",
    "has_batchnorm",
    "lr_at",
    "recompute_bn",
    "state_copy",
    "train",
]
