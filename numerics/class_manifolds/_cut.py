r"""Random cutting planes and the optimisation inside them (brief B.3, steps 2-6).

A cut is the affine subspace \( X_0 + \operatorname{span}(M) \) with \( M \in \mathbb{R}^{d\times D} \);
points of the cut are \( x(\theta) = X_0 + \theta M \), \( \theta \in \mathbb{R}^d \). All functions
work on a batch of independent cuts at once (one per repetition, target and \( d \)); cuts of
different \( d \) share a batch by zero-padding \( M \) to the largest \( d \) of the batch, as
the notebook pads to \( D \) rows (padded coordinates get zero gradient and never move).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import torch

from theory.class_manifolds._checks import integer, real

__all__ = [
    "BasisKind",
    "make_bases",
    "target_distribution",
    "CutRun",
    "optimize_in_cut",
    "AnchorPool",
    "CutSweep",
    "cutting_plane_sweep",
    "geometric_sweep",
]

BasisKind = Literal["gaussian_unit", "orthonormal", "axis_aligned"]
_BASES = ("gaussian_unit", "orthonormal", "axis_aligned")


def make_bases(
    kind: BasisKind,
    d: int,
    D: int,
    n: int,
    *,
    k_nonzero: int = 1,
    generator: torch.Generator | None = None,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    r"""`n` random cut bases, shape `(n, d, D)`.

    - `"gaussian_unit"`: i.i.d. \( N(0,1) \) rows normalised to unit length, not orthogonalised
      (the notebook's `make_bases`).
    - `"orthonormal"`: QR of a Gaussian \( D\times d \) matrix (a uniformly random
      \( d \)-subspace with an orthonormal basis; needs \( d \le D \)).
    - `"axis_aligned"`: `k_nonzero` Gaussian entries per row, normalised; the rows use disjoint
      supports when \( k d \le D \), else supports drawn with replacement (notebook).

    **Arguments:**

    - `kind`: one of the above. `d`: cut dimension (\( 1 \le d \le D \)). `D`: input dimension.
      `n`: number of bases. `k_nonzero`: nonzeros per row for `"axis_aligned"`.
    - `generator`: torch Generator (its device is where the numbers are drawn).
    - `device`, `dtype`: of the returned tensor.
    """
    if kind not in _BASES:
        raise ValueError(f"kind must be one of {_BASES}, got {kind!r}")
    D = integer("D", D, low=1)
    if not (1 <= d <= D):
        raise ValueError(f"d must lie in [1, D={D}], got {d}")
    d = integer("d", d, low=1, high=D)
    n = integer("n", n, low=1)
    gdev = generator.device if generator is not None else torch.device(device)
    g = torch.randn(n, d, D, generator=generator, device=gdev, dtype=dtype)
    if kind == "orthonormal":
        q, _ = torch.linalg.qr(g.transpose(1, 2))
        out = q.transpose(1, 2)
    elif kind == "axis_aligned":
        if not 1 <= k_nonzero <= D:
            raise ValueError(f"k_nonzero must lie in [1, D], got {k_nonzero}")
        if k_nonzero * d <= D:
            perm = torch.argsort(torch.rand(n, D, generator=generator, device=gdev), dim=1)
            idx = perm[:, : k_nonzero * d].reshape(n, d, k_nonzero)
        else:
            idx = torch.randint(0, D, (n, d, k_nonzero), generator=generator, device=gdev)
        mask = torch.zeros(n, d, D, device=gdev, dtype=dtype).scatter_(2, idx, 1.0)
        out = g * mask
        out = out / out.norm(dim=2, keepdim=True)
    else:
        out = g / g.norm(dim=2, keepdim=True)
    return out.to(device)


def target_distribution(target: Any, K: int) -> torch.Tensor:
    r"""The target distribution \( q \) over \( K \) classes.

    An `int` is a single class (one-hot); a sequence of ints is a boundary target, uniform over
    those classes (the notebook's `onehot_target`); a length-\( K \) probability vector is used
    as given.

    **Arguments:** `target` as above; `K` the number of classes (an integer \( \ge 1 \)).
    """
    K = integer("K", K, low=1)
    if isinstance(target, (int, np.integer)):
        if not 0 <= int(target) < K:
            raise ValueError(f"target class must lie in [0, {K}), got {target}")
        q = torch.zeros(K, dtype=torch.float64)
        q[int(target)] = 1.0
        return q
    arr = np.asarray(target)
    if arr.ndim == 1 and arr.dtype.kind in "iu":
        if arr.size == 0 or len(set(arr.tolist())) != arr.size or arr.min() < 0 or arr.max() >= K:
            raise ValueError(f"target classes must be distinct and in [0, {K}), got {arr.tolist()}")
        q = torch.zeros(K, dtype=torch.float64)
        q[torch.as_tensor(arr)] = 1.0 / arr.size
        return q
    q = torch.as_tensor(arr, dtype=torch.float64)
    if q.shape != (K,) or not bool(torch.isfinite(q).all()) or torch.any(q < 0) or abs(float(q.sum()) - 1.0) > 1e-6:
        raise ValueError(f"target must be a class, a list of classes or a probability vector of length {K}")
    return q


def _members(model) -> list[Callable]:
    members = list(model) if isinstance(model, (list, tuple)) else [model]
    if not members:
        raise ValueError("model: an ensemble needs at least one member")
    for m in members:
        if isinstance(m, torch.nn.Module):
            m.eval()
        elif not callable(m):
            raise ValueError("model must be a callable x -> logits or a sequence of them")
    return members


def _ensemble_outputs(members, x):
    """Notebook convention: the loss uses the mean of members' log-softmax, the reported
    probability the mean of members' softmax."""
    logps = [torch.log_softmax(m(x), dim=-1) for m in members]
    if len(logps) == 1:
        return logps[0], logps[0].detach().exp()
    stack = torch.stack(logps)
    return stack.mean(0), stack.detach().exp().mean(0)


@dataclasses.dataclass
class CutRun:
    r"""Outcome of optimising inside a batch of cuts (all tensors of shape `(R,)`).

    - `score`: maximum over steps of \( e^{-\mathrm{KL}(q\,\|\,p)} \); equals the target-class
      probability for a one-hot target, and \( |Y| \) times the geometric mean of \( p_y \),
      \( y\in Y \), for a target uniform over \( Y \) (1 iff \( p = q \)).
    - `target_mass`: maximum over steps of \( \sum_{y \in Y} p_y \) (the notebook's per-run log).
    - `min_loss`: minimum over steps of the cross-entropy \( -\sum_y q_y \log\bar p_y \).
    - `steps`: optimisation steps taken (early stopping as in the notebook).
    - `displacement`: \( \|x - X_0\| \) at the last evaluated point.
    """

    score: torch.Tensor
    target_mass: torch.Tensor
    min_loss: torch.Tensor
    steps: torch.Tensor
    displacement: torch.Tensor


def optimize_in_cut(
    model,
    anchors: torch.Tensor,
    bases: torch.Tensor,
    targets: torch.Tensor,
    *,
    steps: int = 300,
    lr: float = 0.05,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-7,
    bias_correction: Literal["constant", "standard"] = "constant",
    radius: float | None = None,
    radius_mode: Literal["clamp", "project"] = "clamp",
    box: tuple[Any, Any] | None = None,
    input_shape: Sequence[int] | None = None,
    early_stop: bool = True,
    low_loss_tol: float = 1e-2,
    std_loss_tol: float = 1e-3,
    look_back: int = 5,
) -> CutRun:
    r"""Minimise the cross-entropy to `targets` inside each cut, all cuts at once (brief B.3.4).

    Per cut \( \theta_0 = 0 \) and Adam steps with the notebook's *constant* bias correction
    (`bias_correction="constant"`: \( \hat m = m/(1-\beta_1) \), \( \hat v = v/(1-\beta_2) \)),
    or the standard one. A cut stops (is frozen) after step 5 once
    \( |\text{loss} - H(q)| \le \) `low_loss_tol` or the population std of its last `look_back`
    losses is \( \le \) `std_loss_tol`; probabilities are recorded before each update.

    Budgets (none in the notebook, where inputs are unbounded):

    - `radius` with `radius_mode="clamp"`: the model sees
      \( X_0 + \Delta\min(1, r/\|\Delta\|) \), \( \Delta = \theta M \): the cut intersected with the
      input ball \( \|x - X_0\|\le r \), basis-independent; on the sphere the gradient is
      tangential, so stationary points are the constrained optima.
    - `radius` with `radius_mode="project"`: \( \theta \) is rescaled onto
      \( \|\theta M\| \le r \) after each step ("Adam projected onto the ball"). With Adam's
      per-coordinate scaling this settles where the Adam direction is radial, not at the
      constrained optimum (for a linear objective at \( \theta \propto \operatorname{sign}(Mw) \)).
    - `box=(lo, hi)`: inputs are clamped to the valid range before the model sees them.

    **Arguments:**

    - `model`: a callable `x -> logits` (a `torch.nn.Module` is put in eval mode) or a sequence
      of them (an ensemble).
    - `anchors`: `(R, D)` anchors \( X_0 \) (flattened). `bases`: `(R, d, D)`.
      `targets`: `(R, K)` target distributions.
    - `input_shape`: the shape one input has for the model (default `(D,)`).

    **Returns:** a `CutRun`.
    """
    members = _members(model)
    if anchors.ndim != 2 or bases.ndim != 3 or targets.ndim != 2:
        raise ValueError("anchors must be (R, D), bases (R, d, D), targets (R, K)")
    R, D = anchors.shape
    if bases.shape[0] != R or bases.shape[2] != D or targets.shape[0] != R:
        raise ValueError(f"shape mismatch: anchors {tuple(anchors.shape)}, bases {tuple(bases.shape)}, targets {tuple(targets.shape)}")
    steps = integer("steps", steps, low=1)
    lr = real("lr", lr, low=0.0, low_open=True)
    eps = real("eps", eps, low=0.0, low_open=True)
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair, got {betas!r}")
    for i, b in enumerate(betas):
        real(f"betas[{i}]", b, low=0.0, high=1.0, high_open=True)
    low_loss_tol = real("low_loss_tol", low_loss_tol, low=0.0)
    std_loss_tol = real("std_loss_tol", std_loss_tol, low=0.0)
    look_back = integer("look_back", look_back, low=1)
    for name, t in (("anchors", anchors), ("bases", bases), ("targets", targets)):
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} must be finite")
    if bias_correction not in ("constant", "standard"):
        raise ValueError(f"bias_correction must be 'constant' or 'standard', got {bias_correction!r}")
    if radius_mode not in ("clamp", "project"):
        raise ValueError(f"radius_mode must be 'clamp' or 'project', got {radius_mode!r}")
    if radius is not None:
        radius = real("radius", radius, low=0.0, low_open=True)
    shape = tuple(input_shape) if input_shape is not None else (D,)
    if math.prod(shape) != D:
        raise ValueError(f"input_shape {shape} does not have D = {D} entries")
    dev, dt = anchors.device, anchors.dtype
    q = targets.to(dev, dt)
    logq = torch.where(q > 0, torch.log(q.clamp_min(1e-300)), torch.zeros_like(q))
    b1, b2 = betas
    d = bases.shape[1]
    lo_hi = None
    if box is not None:
        lo_hi = tuple(torch.as_tensor(b, device=dev, dtype=dt).reshape(-1) for b in box)
    # results, full size
    best_score = torch.zeros(R, device=dev, dtype=dt)
    best_mass = torch.zeros(R, device=dev, dtype=dt)
    min_loss = torch.full((R,), math.inf, device=dev, dtype=dt)
    n_steps = torch.zeros(R, dtype=torch.long, device=dev)
    disp_norm = torch.zeros(R, device=dev, dtype=dt)
    # working set: the rows still optimising (compacted when half of them have stopped)
    w = {
        "pos": torch.arange(R, device=dev),
        "M": bases,
        "X0": anchors,
        "q": q,
        "logq": logq,
        "H": -(q * logq).sum(1),
        "theta": torch.zeros(R, d, device=dev, dtype=dt),
        "m": torch.zeros(R, d, device=dev, dtype=dt),
        "v": torch.zeros(R, d, device=dev, dtype=dt),
        "hist": torch.zeros(R, look_back, device=dev, dtype=dt),
        "last": torch.zeros(R, device=dev, dtype=dt),
        "active": torch.ones(R, dtype=torch.bool, device=dev),
    }

    def displacement(th, M):
        return torch.bmm(th.unsqueeze(1), M).squeeze(1)

    for i in range(steps):
        if early_stop and i > 5:
            keep = ((w["last"] - w["H"]).abs() > low_loss_tol) & (w["hist"].std(dim=1, unbiased=False) > std_loss_tol)
            w["active"] = w["active"] & keep
            n_act = int(w["active"].sum())
            if n_act == 0:
                break
            if n_act <= w["pos"].numel() // 2:
                idx = torch.nonzero(w["active"]).squeeze(1)
                w = {k: val[idx] for k, val in w.items()}
        active, pos, M = w["active"], w["pos"], w["M"]
        r_w = pos.numel()
        th = w["theta"].detach().requires_grad_(True)
        delta = displacement(th, M)
        if radius is not None and radius_mode == "clamp":
            nrm = delta.norm(dim=1, keepdim=True)
            delta = delta * torch.clamp(radius / nrm.clamp_min(1e-30), max=1.0)
        x = w["X0"] + delta
        if lo_hi is not None:
            x = torch.maximum(torch.minimum(x, lo_hi[1]), lo_hi[0])
        logp, probs = _ensemble_outputs(members, x.reshape(r_w, *shape))
        qw = w["q"]
        loss = -(qw * logp).sum(1)
        (grad,) = torch.autograd.grad(loss.sum(), th)
        with torch.no_grad():
            loss = loss.detach()
            kl = (qw * (w["logq"] - torch.log(probs.clamp_min(1e-38)))).sum(1)
            score = torch.exp(-kl)
            mass = (probs * (qw > 0)).sum(1)
            best_score[pos] = torch.where(active, torch.maximum(best_score[pos], score), best_score[pos])
            best_mass[pos] = torch.where(active, torch.maximum(best_mass[pos], mass), best_mass[pos])
            min_loss[pos] = torch.where(active, torch.minimum(min_loss[pos], loss), min_loss[pos])
            disp_norm[pos] = torch.where(active, delta.detach().norm(dim=1), disp_norm[pos])
            n_steps[pos] += active.long()
            hist = w["hist"]
            hist[:, i % look_back] = torch.where(active, loss, hist[:, i % look_back])
            w["last"] = torch.where(active, loss, w["last"])
            a = active.unsqueeze(1)
            m = torch.where(a, b1 * w["m"] + (1 - b1) * grad, w["m"])
            v = torch.where(a, b2 * w["v"] + (1 - b2) * grad * grad, w["v"])
            if bias_correction == "constant":
                m_hat, v_hat = m / (1 - b1), v / (1 - b2)
            else:
                t = n_steps[pos].to(dt).clamp_min(1).unsqueeze(1)
                m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            theta = w["theta"] - torch.where(a, lr * m_hat / (v_hat.sqrt() + eps), torch.zeros_like(m))
            if radius is not None and radius_mode == "project":
                nrm = displacement(theta, M).norm(dim=1, keepdim=True)
                theta = theta * torch.clamp(radius / nrm.clamp_min(1e-30), max=1.0)
            w["m"], w["v"], w["theta"] = m, v, theta
    return CutRun(score=best_score, target_mass=best_mass, min_loss=min_loss, steps=n_steps, displacement=disp_norm)


@dataclasses.dataclass
class AnchorPool:
    r"""Anchors drawn as in the notebook: a random training input whose label is not a target class.

    - `inputs`: `(N, ...)` tensor; `labels`: `(N,)` integer labels (or `None`: no exclusion).
    """

    inputs: torch.Tensor
    labels: torch.Tensor | None = None

    def sample(self, n: int, exclude: Sequence[int], generator: torch.Generator | None) -> torch.Tensor:
        N = self.inputs.shape[0]
        if self.labels is None or not len(exclude):
            allowed = torch.arange(N)
        else:
            lab = self.labels.cpu()
            allowed = torch.nonzero(~torch.isin(lab, torch.as_tensor(list(exclude), dtype=lab.dtype))).squeeze(1)
        if allowed.numel() == 0:
            raise ValueError(f"no anchor with a label outside {list(exclude)}")
        gdev = generator.device if generator is not None else torch.device("cpu")
        pick = torch.randint(0, allowed.numel(), (n,), generator=generator, device=gdev).cpu()
        pick = allowed[pick]
        return self.inputs[pick.to(self.inputs.device)]


@dataclasses.dataclass
class CutSweep:
    r"""All runs of one target over the swept dimensions (arrays of shape `(n_d, reps)`).

    `success` is `score >= threshold`; `values(kind)` gives the per-run values a fit uses:
    `"success"` (indicator), `"score"`, `"target_mass"` (the notebook's max probability).
    """

    dims: np.ndarray
    score: np.ndarray
    target_mass: np.ndarray
    min_loss: np.ndarray
    steps: np.ndarray
    threshold: float
    D: int
    basis: str
    target: Any = None

    @property
    def success(self) -> np.ndarray:
        return self.score >= self.threshold

    @property
    def success_rate(self) -> np.ndarray:
        return self.success.mean(axis=1)

    def values(self, kind: str = "success") -> np.ndarray:
        if kind == "success":
            return self.success.astype(float)
        if kind in ("score", "target_mass"):
            return getattr(self, kind)
        raise ValueError(f"kind must be success, score or target_mass, got {kind!r}")


def _dims(dims) -> np.ndarray:
    """Sorted distinct cut dimensions: a non-empty collection of integers >= 1."""
    vals = np.asarray(list(dims) if not isinstance(dims, np.ndarray) else dims, dtype=float).ravel()
    if vals.size == 0 or not np.all(np.isfinite(vals)) or np.any(vals < 1) or np.any(vals != np.round(vals)):
        raise ValueError(f"dims must be a non-empty collection of integers >= 1, got {dims!r}")
    return np.asarray(sorted(set(int(x) for x in dims)))


def _target_classes(q: torch.Tensor) -> list[int]:
    return torch.nonzero(q > 0).squeeze(1).tolist()


def cutting_plane_sweep(
    model,
    targets: Sequence[Any],
    anchor,
    dims: Sequence[int],
    reps: int,
    *,
    num_classes: int,
    input_shape: Sequence[int] | None = None,
    basis: BasisKind = "gaussian_unit",
    k_nonzero: int = 1,
    threshold: float = 0.5,
    generator: torch.Generator | None = None,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    max_batch: int = 4096,
    max_basis_entries: int = 2**26,
    progress: Callable | None = None,
    **optim_kwargs,
) -> list[CutSweep]:
    r"""Run the cutting-plane sweep for several targets (brief B.3.6), batched over
    (target, \( d \), repetition).

    **Arguments:**

    - `model`: callable `x -> logits` or a sequence of them (ensemble).
    - `targets`: list of targets (`int`, list of classes, or probability vector).
    - `anchor`: a fixed anchor (a tensor with `input_shape`), an `AnchorPool`, or a callable
      `(n, exclude, generator) -> (n, ...)` tensor.
    - `dims`: cut dimensions. `reps`: repetitions per \( d \) and target (fresh basis and anchor).
    - `num_classes`: \( K \). `input_shape`: shape of one input (default: that of the anchor).
    - `basis`, `k_nonzero`: see `make_bases`. `threshold`: success level of the score.
    - `generator`: torch Generator for bases and anchors. `device`, `dtype`: of the computation.
    - `max_batch`, `max_basis_entries`: chunking of the batch (memory).
    - `progress`: optional wrapper `iterable -> iterable` (e.g. `ctx.progress`).
    - `optim_kwargs`: passed to `optimize_in_cut`.

    **Returns:** one `CutSweep` per target.
    """
    dims_arr = _dims(dims)
    reps = integer("reps", reps, low=1)
    num_classes = integer("num_classes", num_classes, low=2)
    threshold = real("threshold", threshold, low=0.0, high=1.0, low_open=True)
    max_batch = integer("max_batch", max_batch, low=1)
    max_basis_entries = integer("max_basis_entries", max_basis_entries, low=1)
    qs = [target_distribution(t, num_classes) for t in targets]
    if isinstance(anchor, AnchorPool):
        sample = anchor.sample
        shape = tuple(input_shape) if input_shape is not None else tuple(anchor.inputs.shape[1:])
    elif callable(anchor) and not isinstance(anchor, torch.Tensor):
        sample = anchor
        if input_shape is None:
            raise ValueError("input_shape is required with a callable anchor")
        shape = tuple(input_shape)
    else:
        fixed = torch.as_tensor(anchor)
        shape = tuple(input_shape) if input_shape is not None else tuple(fixed.shape)
        sample = lambda n, exclude, gen: fixed.reshape(1, *shape).expand(n, *shape)  # noqa: E731
    D = math.prod(shape)
    if dims_arr.min() < 1 or dims_arr.max() > D:
        raise ValueError(f"dims must lie in [1, D={D}]")
    n_t, n_d = len(qs), dims_arr.size
    out = {k: np.zeros((n_t, n_d, reps)) for k in ("score", "target_mass", "min_loss", "steps")}
    # problems sorted by d: (d index, target index, rep)
    problems = [(j, t, r) for j in range(n_d) for t in range(n_t) for r in range(reps)]
    chunks, cur = [], []
    for p in problems:
        d_here = dims_arr[p[0]]
        if cur and ((len(cur) + 1) * d_here * D > max_basis_entries or len(cur) >= max_batch):
            chunks.append(cur)
            cur = []
        cur.append(p)
    if cur:
        chunks.append(cur)
    it = progress(chunks) if progress is not None else chunks
    for chunk in it:
        d_max = int(dims_arr[chunk[-1][0]])
        n = len(chunk)
        bases = torch.zeros(n, d_max, D, device=device, dtype=dtype)
        js = np.array([p[0] for p in chunk])
        for j in np.unique(js):
            rows = np.nonzero(js == j)[0]
            dj = int(dims_arr[j])
            bases[rows, :dj] = make_bases(basis, dj, D, rows.size, k_nonzero=k_nonzero, generator=generator, device=device, dtype=dtype)
        anchors = torch.zeros(n, D, device=device, dtype=dtype)
        tgt = torch.zeros(n, num_classes, device=device, dtype=dtype)
        ts = np.array([p[1] for p in chunk])
        for t in np.unique(ts):
            rows = np.nonzero(ts == t)[0]
            a = sample(rows.size, _target_classes(qs[t]), generator)
            anchors[rows] = torch.as_tensor(a).reshape(rows.size, D).to(device, dtype)
            tgt[rows] = qs[t].to(device, dtype)
        run = optimize_in_cut(model, anchors, bases, tgt, input_shape=shape, **optim_kwargs)
        for key, val in (("score", run.score), ("target_mass", run.target_mass), ("min_loss", run.min_loss), ("steps", run.steps)):
            arr = val.detach().double().cpu().numpy()
            for i, (j, t, r) in enumerate(chunk):
                out[key][t, j, r] = arr[i]
    return [
        CutSweep(
            dims=dims_arr.astype(float),
            score=out["score"][t],
            target_mass=out["target_mass"][t],
            min_loss=out["min_loss"][t],
            steps=out["steps"][t],
            threshold=threshold,
            D=D,
            basis=basis,
            target=targets[t],
        )
        for t in range(n_t)
    ]


def geometric_sweep(
    hit: Callable[[torch.Tensor], torch.Tensor],
    D: int,
    dims: Sequence[int],
    reps: int,
    *,
    basis: BasisKind = "orthonormal",
    k_nonzero: int = 1,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> CutSweep:
    r"""A sweep whose success is decided exactly by geometry instead of by optimisation.

    For zero-thickness sets (affine subspaces and their intersections/unions) no optimiser can
    land on the set; `hit(bases) -> bool (n,)` decides whether each cut meets it (see
    `affine_cut_distance`). The result feeds the same estimator as `cutting_plane_sweep`.

    **Arguments:** `D`: input dimension (integer \( \ge 1 \)); `dims`: integers in
    \( [1, D] \); `reps`: repetitions per \( d \) (integer \( \ge 1 \)); the rest as
    `make_bases`.
    """
    D = integer("D", D, low=1)
    dims_arr = _dims(dims)
    reps = integer("reps", reps, low=1)
    if dims_arr.max() > D:
        raise ValueError(f"dims must lie in [1, D={D}], got {dims_arr.max()}")
    score = np.zeros((dims_arr.size, reps))
    for j, d in enumerate(dims_arr):
        M = make_bases(basis, int(d), D, reps, k_nonzero=k_nonzero, generator=generator, dtype=dtype)
        score[j] = hit(M).double().cpu().numpy()
    z = np.zeros_like(score)
    return CutSweep(dims=dims_arr.astype(float), score=score, target_mass=score.copy(), min_loss=z, steps=z, threshold=0.5, D=D, basis=basis)
