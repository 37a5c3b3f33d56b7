r"""Cutting-plane estimation of class-manifold dimension (Fort et al. 2022, brief part B).

The method (official notebook `cutting_planes_in_JAX.ipynb`, brief B.3): draw random affine
cuts \( X_0 + \operatorname{span}(M) \) of dimension \( d \) through anchors \( X_0 \), optimise
inside each cut toward a target class (or a boundary target uniform over several classes),
record whether the target reaches confidence `threshold`, fit a sigmoid in \( \ln d \) to the
outcomes, read the 50% crossing \( d^*_{50\%} \), and report the effective dimension
\( D - d^*_{50\%} \) with a bootstrap interval.

```python
from numerics.class_manifolds import cutting_plane_dimension, AnchorPool

res = cutting_plane_dimension(
    model, target=3, anchor=AnchorPool(x_train, y_train),
    dims=[1, 2, 4, 8, 16, 32, 64], reps=20, threshold=0.5, radius=3.0,
)
res.estimate.d_star, res.estimate.d_eff, res.estimate.d_eff_ci
```

Public API: `make_bases`, `optimize_in_cut`, `cutting_plane_sweep`, `geometric_sweep`,
`cutting_plane_dimension`, `cutting_plane_dimensions`, `estimate_d_star`, `sigmoid_log`,
`fit_sigmoid_log`, `sigmoid_crossing`, the analytic-set classifiers and
`affine_cut_distance`/`affine_intersection`; the models and the notebook's training recipe
(`mlp`, `softmax_regression`, `resnet20`, `train_classifier`, `accuracy`), and
`train_mlp_ensemble`, independent MLP trainings as one batched ensemble (issue 17). Implementation
lives in the private modules `_cut`, `_fit`, `_sets`, `_dimension`, `_nets`; this face only
re-exports. Data sets come from `numerics._data`.
"""

from __future__ import annotations

from numerics.class_manifolds._cut import (
    AnchorPool,
    BasisKind,
    CutRun,
    CutSweep,
    cutting_plane_sweep,
    geometric_sweep,
    make_bases,
    optimize_in_cut,
    target_distribution,
)
from numerics.class_manifolds._ensemble import train_mlp_ensemble
from numerics.class_manifolds._dimension import CuttingPlaneResult, cutting_plane_dimension, cutting_plane_dimensions
from numerics.class_manifolds._fit import (
    DStarEstimate,
    estimate_d_star,
    fit_sigmoid_log,
    sigmoid_crossing,
    sigmoid_log,
)
from numerics.class_manifolds._nets import ResNetV1, accuracy, mlp, resnet20, softmax_regression, train_classifier
from numerics.class_manifolds._sets import (
    BallClassifier,
    HalfSpaceClassifier,
    ShellClassifier,
    TubeClassifier,
    affine_cut_distance,
    affine_intersection,
)

__all__ = [
    "AnchorPool",
    "BasisKind",
    "CutRun",
    "CutSweep",
    "CuttingPlaneResult",
    "DStarEstimate",
    "BallClassifier",
    "HalfSpaceClassifier",
    "ShellClassifier",
    "TubeClassifier",
    "ResNetV1",
    "accuracy",
    "affine_cut_distance",
    "affine_intersection",
    "cutting_plane_dimension",
    "cutting_plane_dimensions",
    "cutting_plane_sweep",
    "estimate_d_star",
    "fit_sigmoid_log",
    "geometric_sweep",
    "make_bases",
    "mlp",
    "optimize_in_cut",
    "resnet20",
    "sigmoid_crossing",
    "sigmoid_log",
    "softmax_regression",
    "target_distribution",
    "train_classifier",
    "train_mlp_ensemble",
]
