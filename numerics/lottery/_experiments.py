"""Experiment protocols of paper A (Paul et al. 2023), as plain functions of a config dict.

Each protocol returns numbers (floats, numpy arrays, small dicts) so that `verify.lottery`
can read several claims off one run. A config holds:

- `model`: a `make_model` spec; `data`: a `make_dataset` spec;
- `train`: `TrainConfig` fields; `imp`: `IMPConfig` fields;
- protocol-specific keys, documented on each function.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.optimize
import torch
from scipy.stats import ortho_group

from numerics._data import DataSplit, cifar10, digits_stratified_split, mnist1d, shifted_template_images
from numerics.lottery._barrier import error_barrier
from numerics.lottery._batched import train_members
from numerics.lottery._hessian import MaskedLoss, full_hessian, lanczos_top_eigenvalues, slq, slq_trace
from numerics.lottery._imp import IMPConfig, IMPResult, pretrain, run_imp
from numerics.lottery._models import make_model
from numerics.lottery._pruning import (
    Mask,
    is_nested,
    magnitude_prune,
    mask_count,
    projection_length,
    prunable_names,
    random_prune,
)
from numerics.lottery._train import TrainConfig, evaluate, has_batchnorm, recompute_bn, state_copy
from theory.lottery import exact_threshold, pstar, r2_magnitude_empirical, r2_random, schur_increase
from theory.lottery._checks import check_int

__all__ = [
    "make_dataset",
    "build",
    "imp_run",
    "make_evaluator",
    "successive_barriers",
    "bookkeeping",
    "oneshot_vs_retrain",
    "stability_vs_rewind",
    "robustness",
    "hessian_spectrum",
    "prune_ratio_prediction",
    "schur_thresholds",
    "quadratic_model_check",
    "prune_ratio_measurement",
    "convex_barrier",
    "different_init_barrier",
    "quadratic_spectrum",
    "quadratic_exact_thresholds",
]


# --------------------------------------------------------------------------- set-up


def _standardised_cifar10(data_dir: str | None) -> DataSplit:
    """CIFAR-10 (`numerics._data.cifar10`, pixels in [0, 1]) standardised per channel with
    the training set's mean and standard deviation, as float32/int64 torch tensors."""
    d = cifar10(data_dir)
    mean = d.x_train.mean(axis=(0, 2, 3), keepdims=True)
    std = d.x_train.std(axis=(0, 2, 3), keepdims=True)
    return DataSplit(
        torch.from_numpy((d.x_train - mean) / std),
        torch.from_numpy(d.y_train).long(),
        torch.from_numpy((d.x_test - mean) / std),
        torch.from_numpy(d.y_test).long(),
        "cifar10",
    )


def make_dataset(spec: dict, seed: int, data_dir: str | None = None) -> DataSplit:
    """Build a dataset (a `numerics._data.DataSplit` of torch tensors on the CPU) from a spec.

    - `{"name": "digits", "test_fraction": 0.3}`: scikit-learn digits, pixels in [0, 1],
      a stratified split drawn from `seed` (`numerics._data.digits_stratified_split`);
    - `{"name": "synthetic32", "n_train": ..., "n_test": ..., "signal": ..., "noise": ...,
      "modes_per_class": ..., "n_classes": ...}`: procedural 32x32x3 images drawn from
      `seed` (`numerics._data.shifted_template_images`);
    - `{"name": "mnist1d", "n_samples": 5000}`: MNIST-1D generated locally
      (`numerics._data.mnist1d`, 40 features, the published 4000/1000 split at the default
      size; `seed` unused: the data set is the authors' frozen one);
    - `{"name": "cifar10"}`: CIFAR-10 from `data_dir`, standardised per channel with the
      training mean and standard deviation (`seed` unused).

    **Raises:** `ValueError` for an unknown name or a `seed` that is not an integer;
    `FileNotFoundError` (naming the folder and files) when CIFAR-10 is absent.
    """
    seed = check_int("seed", seed)
    name = spec.get("name")
    if name == "digits":
        return digits_stratified_split(seed, float(spec.get("test_fraction", 0.3)))
    if name == "synthetic32":
        kw = {k: spec[k] for k in ("signal", "noise", "modes_per_class", "n_classes") if k in spec}
        return shifted_template_images(int(spec["n_train"]), int(spec["n_test"]), seed=seed, **kw)
    if name == "mnist1d":
        d = mnist1d(int(spec.get("n_samples", 5000)))
        return DataSplit(
            torch.from_numpy(d.x_train), torch.from_numpy(d.y_train).long(), torch.from_numpy(d.x_test),
            torch.from_numpy(d.y_test).long(), "mnist1d",
        )
    if name == "cifar10":
        return _standardised_cifar10(data_dir)
    raise ValueError(f"spec['name'] must be digits, mnist1d, synthetic32 or cifar10, got {name!r}")


def build(cfg: dict, data_dir: str | None = None) -> tuple[dict, DataSplit, TrainConfig, IMPConfig]:
    """`(model_spec, dataset, TrainConfig, IMPConfig)` from a config dict."""
    tc = dict(cfg["train"])
    tc["milestones"] = tuple(int(m) for m in tc.get("milestones", ()))
    ic = dict(cfg.get("imp", {}))
    if "exempt" in ic:
        ic["exempt"] = tuple(ic["exempt"])
    data = make_dataset(cfg["data"], int(cfg["data"].get("split_seed", 0)), data_dir)
    return cfg["model"], data, TrainConfig(**tc), IMPConfig(**ic)


def imp_run(cfg: dict, seed: int, device: str = "cpu", data_dir: str | None = None, progress=None, checkpoint_dir=None) -> IMPResult:
    """IMP with rewinding for `seed` (init and data order drawn from it)."""
    spec, data, tc, ic = build(cfg, data_dir)
    init_seed, data_seed = _seeds(seed)
    return run_imp(
        spec, data, tc, ic, init_seed=init_seed, data_seed=data_seed, device=device, progress=progress,
        checkpoint_dir=checkpoint_dir,
    )


def _seeds(seed: int) -> tuple[int, int]:
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 0x10771])
    a, b = ss.generate_state(2)
    return int(a), int(b)


def make_evaluator(
    spec: dict, data: DataSplit, device: str, split: str = "test", metric: str = "err", bn_batches: int = 20
) -> tuple[Callable[[dict], float], Callable[[dict], dict] | None]:
    """`(evaluate, recompute_bn_fn)`: params -> test error (or train loss), and params ->
    params with BatchNorm statistics recomputed on training data (None without BN)."""
    model = make_model(spec, 0).to(device)
    x, y = (data.x_test, data.y_test) if split == "test" else (data.x_train, data.y_train)
    x, y = x.to(device), y.to(device)
    xtr = data.x_train.to(device)

    def ev(params: dict) -> float:
        model.load_state_dict({k: v.to(device) for k, v in params.items()})
        loss, err = evaluate(model, x, y)
        return err if metric == "err" else loss

    def rec(params: dict) -> dict:
        model.load_state_dict({k: v.to(device) for k, v in params.items()})
        recompute_bn(model, xtr, batch_size=256, n_batches=bn_batches)
        return {k: v.detach().clone() for k, v in model.state_dict().items()}

    return ev, (rec if has_batchnorm(model) else None)


def _barrier(ev, rec, a: dict, b: dict, n_points: int, bn_policy: str | None):
    return error_barrier(a, b, ev, n_points, bn_policy=bn_policy if rec is not None else None, recompute_bn=rec)


# --------------------------------------------------------------------------- IMP readouts


def successive_barriers(imp: IMPResult, cfg: dict, device: str = "cpu", data_dir: str | None = None) -> dict:
    r"""Test-error barrier between the solutions of levels L and L+1 (grid of
    `cfg["n_points"]`), with test errors per level. Keys: `barrier`, `midpoint`, `test_err`,
    `density`, `n_alive` (surviving prunable weights per level), `chance_err` (\(1-1/K\) for
    \(K\) test classes), `n_test`."""
    spec, data, _, _ = build(cfg, data_dir)
    ev, rec = make_evaluator(spec, data, device)
    bars, mids = [], []
    for a, b in zip(imp.levels[:-1], imp.levels[1:]):
        res = _barrier(ev, rec, a.state, b.state, int(cfg.get("n_points", 11)), cfg.get("bn_policy", "recompute"))
        bars.append(res.barrier)
        mids.append(res.midpoint)
    n_classes = int(data.y_test.max()) + 1
    return {
        "barrier": np.asarray(bars),
        "midpoint": np.asarray(mids),
        "test_err": np.asarray([r.test_err for r in imp.levels]),
        "density": np.asarray([r.density for r in imp.levels]),
        "n_alive": np.asarray([r.n_alive for r in imp.levels], dtype=np.int64),
        "chance_err": 1.0 - 1.0 / n_classes,
        "n_test": int(data.y_test.shape[0]),
    }


def bookkeeping(imp: IMPResult, model_spec: dict | None = None) -> dict:
    """IMP invariants: surviving counts, nesting, exact zeros, that the masks cover exactly
    the Conv/Linear weights (never a bias or BatchNorm parameter), and that each magnitude
    prune used one global threshold (no newly pruned weight larger than a kept one).

    `zero_biases` (bias entries exactly 0 after training) is reported for information: dead
    ReLU units keep a zero-initialised bias at exactly 0 without any masking.
    """
    counts = [r.n_alive for r in imp.levels]
    nested_viol = sum(0 if is_nested(b.mask, a.mask) else 1 for a, b in zip(imp.levels[:-1], imp.levels[1:]))
    masked_nonzero = sum(1 for r in imp.levels if r.masked_abs_max != 0.0)
    zero_biases = sum(r.zero_biases for r in imp.levels)
    allowed = None
    if model_spec is not None:
        allowed = set(prunable_names(make_model(model_spec, 0)))
    non_weight = 0
    for r in imp.levels:
        for n in list(r.mask) + list(r.next_mask):
            if not n.endswith(".weight") or (allowed is not None and n not in allowed):
                non_weight += 1
    global_viol = 0
    for r in imp.levels:
        pruned = torch.cat([r.state[n][r.mask[n] & ~r.next_mask[n]].abs().reshape(-1) for n in r.mask])
        kept = torch.cat([r.state[n][r.next_mask[n]].abs().reshape(-1) for n in r.mask])
        if pruned.numel() and kept.numel() and float(pruned.max()) > float(kept.min()):
            global_viol += 1
    dens = np.asarray([[r.layer_density[n] for n in r.mask] for r in imp.levels])
    return {
        "counts": np.asarray(counts, dtype=np.int64),
        "next_count": int(mask_count(imp.levels[-1].next_mask)),
        "nested_violations": nested_viol,
        "masked_nonzero_levels": masked_nonzero,
        "zero_biases": zero_biases,
        "non_weight_masked": non_weight,
        "global_threshold_violations": global_viol,
        "layer_density": dens,
        "layer_names": list(imp.levels[0].mask),
    }


def oneshot_vs_retrain(imp: IMPResult, cfg: dict, device: str = "cpu", data_dir: str | None = None) -> dict:
    r"""Relative projection length \(\rho_L\) and the train loss right after projection, with
    retraining (IMP: prune \(w_L^*\) by \(m_{L+1}\)) and without (prune the level-0 solution
    repeatedly to the same densities). Also the fraction of kept weights with
    \(|w|<\tfrac12\) of the level's pruning threshold ("mass near 0")."""
    spec, data, _, _ = build(cfg, data_dir)
    ev, rec = make_evaluator(spec, data, device, split="train", metric="loss")
    bn = rec is not None
    w0 = imp.levels[0].state
    mask = imp.levels[0].mask
    rho_os, loss_os, rho_rt, loss_rt, small_rt, small_os = [], [], [], [], [], []
    for r in imp.levels:
        nm = magnitude_prune(w0, mask, float(cfg["imp"].get("prune_fraction", 0.2)))
        num, den = projection_length(w0, mask, nm)
        rho_os.append(num / den)
        p_os = {k: (v * nm[k] if k in nm else v) for k, v in w0.items()}
        loss_os.append(ev(rec(p_os) if bn else p_os))
        small_os.append(_small_mass(w0, mask, nm))
        mask = nm
        rho_rt.append(r.rho)
        p_rt = {k: (v * r.next_mask[k] if k in r.next_mask else v) for k, v in r.state.items()}
        loss_rt.append(ev(rec(p_rt) if bn else p_rt))
        small_rt.append(_small_mass(r.state, r.mask, r.next_mask))
    return {
        "rho_retrain": np.asarray(rho_rt),
        "rho_oneshot": np.asarray(rho_os),
        "loss_retrain": np.asarray(loss_rt),
        "loss_oneshot": np.asarray(loss_os),
        "small_mass_retrain": np.asarray(small_rt),
        "small_mass_oneshot": np.asarray(small_os),
        "train_loss": np.asarray([r.train_loss for r in imp.levels]),
    }


def _small_mass(state: dict, mask: Mask, next_mask: Mask) -> float:
    pruned = torch.cat([state[n][mask[n] & ~next_mask[n]].abs().reshape(-1) for n in mask])
    kept = torch.cat([state[n][mask[n]].abs().reshape(-1) for n in mask])
    if pruned.numel() == 0:
        return float("nan")
    thr = float(pruned.max())
    return float((kept < 0.5 * thr).float().mean())


# --------------------------------------------------------------------------- stability


def stability_vs_rewind(cfg: dict, seed: int, device: str = "cpu", data_dir: str | None = None, progress=None) -> dict:
    r"""Barrier between two copies of the dense net trained from \(w_k\) with different data
    orders, for each \(k\) in `cfg["rewind_steps"]`. Keys: `rewind_steps`, `barrier`,
    `loss_barrier`."""
    spec, data, tc, _ = build(cfg, data_dir)
    data = data.to(device)
    init_seed, data_seed = _seeds(seed)
    ev, rec = make_evaluator(spec, data, device)
    evl, _ = make_evaluator(spec, data, device, split="train", metric="loss")
    ks = [int(k) for k in cfg["rewind_steps"]]
    wks = []
    it = ks if progress is None else progress(ks, desc="rewind steps")
    for k in it:
        model = make_model(spec, init_seed).to(device)
        wks.append(pretrain(model, data, tc, k, data_seed))
    # issue 17: the 2 x len(ks) copies (two data orders per rewind point) are one batched
    # ensemble; each member starts at its own k with its own data order
    reps = (1, 2)
    outs, _ = train_members(
        spec, [wk for wk in wks for _ in reps], data, tc,
        start_steps=[k for k in ks for _ in reps], data_seeds=[data_seed + 7919 * rep for _ in ks for rep in reps],
        device=device,
    )
    bars, lbars = [], []
    n_pts, bn = int(cfg.get("n_points", 11)), cfg.get("bn_policy", "recompute")
    for i in range(len(ks)):
        a, b = outs[2 * i], outs[2 * i + 1]
        bars.append(_barrier(ev, rec, a, b, n_pts, bn).barrier)
        lbars.append(_barrier(evl, rec, a, b, n_pts, bn).barrier)
    return {"rewind_steps": np.asarray(ks), "barrier": np.asarray(bars), "loss_barrier": np.asarray(lbars)}


def robustness(imp: IMPResult, cfg: dict, seed: int, device: str = "cpu", data_dir: str | None = None, progress=None) -> dict:
    r"""SGD robustness at the pruned rewind point \(x=m_L\odot w_k\).

    \(\delta_L=\|(m_L-m_{L+1})\odot w_k\|\) is the distance to the next pruned rewind point;
    \(x'=x+s\,\delta_L u\) with \(u\) a random unit vector on the support of \(m_L\), for each
    scale \(s\) in `cfg["scales"]`. \(x\) and \(x'\) share the mask and the rewind point but
    are trained with *different* data orders (the seed's IMP order for \(x\), an independent
    one for \(x'\)), so the barrier between the solutions measures robustness to the
    perturbation *and* to SGD noise, as in the paper's claim. `noise_only` is the barrier with
    no perturbation (\(s=0\)): the SGD-noise floor. Levels: `cfg["levels"]`.
    Keys: `levels`, `scales`, `delta`, `barrier` (levels x scales), `noise_only` (levels).
    """
    spec, data, tc, ic = build(cfg, data_dir)
    data = data.to(device)
    _, data_seed = _seeds(seed)
    ev, rec = make_evaluator(spec, data, device)
    wk = imp.rewind_state
    levels = [int(L) for L in cfg["levels"] if int(L) < len(imp.levels)]
    scales = [float(s) for s in cfg["scales"]]
    other_seed = data_seed + 7919  # x' sees an independent data order (same init, mask and rewind point)
    g = torch.Generator().manual_seed(data_seed % (2**63))
    n_pts, bn = int(cfg.get("n_points", 11)), cfg.get("bn_policy", "recompute")
    # draw every level's direction first (the generator's order is the loop's), then train
    # all copies (per level: SGD noise only, and one per scale) as one batched ensemble
    deltas, dirs = [], []
    for L in levels:
        r = imp.levels[L]
        deltas.append(math.sqrt(sum(float(((wk[n] * (r.mask[n] & ~r.next_mask[n])) ** 2).sum()) for n in r.mask)))
        u = {n: torch.randn(r.mask[n].shape, generator=g) * r.mask[n] for n in r.mask}
        dirs.append((u, math.sqrt(sum(float((v**2).sum()) for v in u.values()))))
    states, masks = [], []
    for L, delta, (u, un) in zip(levels, deltas, dirs):
        mask = imp.levels[L].mask
        for s in (0.0, *scales):
            states.append({n: (v + u[n] * (s * delta / un) if (n in u and s) else v) for n, v in wk.items()})
            masks.append(mask)
    outs = []
    if states:
        outs, _ = train_members(
            spec, states, data, tc, start_steps=ic.rewind_step, data_seeds=[other_seed] * len(states), masks=masks,
            device=device, progress=progress,
        )
    table, noise = [], []
    per = 1 + len(scales)
    for i, L in enumerate(levels):
        base = imp.levels[L].state  # x trained with the IMP order: the level-L solution itself
        noise.append(_barrier(ev, rec, base, outs[i * per], n_pts, bn).barrier)
        table.append([_barrier(ev, rec, base, outs[i * per + 1 + j], n_pts, bn).barrier for j in range(len(scales))])
    return {
        "levels": np.asarray(levels), "scales": np.asarray(scales), "delta": np.asarray(deltas),
        "barrier": np.asarray(table), "noise_only": np.asarray(noise),
    }


# --------------------------------------------------------------------------- prune ratio


def hessian_spectrum(imp: IMPResult, cfg: dict, device: str = "cpu", data_dir: str | None = None) -> dict:
    r"""Hessian of the training loss over the kept weights of the level `cfg["level"]`
    solution. `cfg["hessian"]`: `"full"` (dense, eigvalsh) or `"lanczos"` (top-k by Lanczos
    plus stochastic Lanczos quadrature nodes for the trace formula). Keys: `eigenvalues`
    (full) or `quadrature` + `top` (lanczos), `weights` (the kept weights), `train_loss`,
    `dim`."""
    spec, data, _, _ = build(cfg, data_dir)
    r = imp.levels[int(cfg["level"])]
    model = make_model(spec, 0).to(device)
    model.load_state_dict({k: v.to(device) for k, v in r.state.items()})
    n_h = int(cfg.get("hessian_samples", 0)) or data.n_train
    x, y = data.x_train[:n_h].to(device), data.y_train[:n_h].to(device)
    kind = cfg.get("hessian", "full")
    dtype = torch.float32 if cfg.get("hessian_dtype", "float32") == "float32" else torch.float64
    loss = MaskedLoss(model, x, y, r.mask, dtype=dtype, chunk=int(cfg.get("hessian_chunk", 0)) or None)
    out = {"weights": loss.theta0.double().cpu().numpy(), "train_loss": r.train_loss, "hessian_loss": loss.loss(), "dim": loss.dim}
    if kind == "full":
        H = full_hessian(loss, block=int(cfg.get("hessian_block", 256)))
        lam, vecs = np.linalg.eigh(H)
        out["eigenvalues"] = lam
        if cfg.get("schur_check"):
            eps_s = cfg.get("schur_eps", cfg["eps"])
            out["schur"] = schur_thresholds(lam, vecs, out["weights"], eps_s, int(cfg.get("schur_seed", 0)), tol=0.02)
            out["schur"]["eps"] = np.asarray(eps_s, dtype=float)
            if cfg.get("p_grid"):
                # the measurement grid plus small prunes, to see where the quadratic model stops holding
                ps = sorted({0.01, 0.05, 0.1, *(float(p) for p in cfg["p_grid"])})
                out["quadratic_check"] = quadratic_model_check(H, lam, vecs, loss, ps, int(cfg.get("schur_seed", 0)))
    elif kind == "lanczos":
        out["top"] = lanczos_top_eigenvalues(
            loss, int(cfg.get("top_k", 20)), n_iter=cfg.get("lanczos_iter"), seed=int(cfg.get("lanczos_seed", 0))
        )
        out["quadrature"] = slq(loss, int(cfg.get("slq_probes", 4)), int(cfg.get("slq_iter", 60)), seed=1)
    else:
        raise ValueError(f"cfg['hessian'] must be 'full' or 'lanczos', got {kind!r}")
    return out


def schur_thresholds(lam: np.ndarray, vecs: np.ndarray, w: np.ndarray, eps_list, seed: int = 0, tol: float = 0.01) -> dict:
    r"""Exact quadratic-model thresholds (Schur complement) on a real Hessian, made PSD by
    clipping negative eigenvalues to 0 plus a ridge of \(10^{-9}\lambda_{max}\): one random
    order and the magnitude order, per \(\varepsilon\). A diagnostic separating the error of
    Gordon's approximation from that of the quadratic model itself."""
    lam_c = np.clip(lam, 0.0, None) + 1e-9 * max(float(lam.max()), 1e-12)
    H = (vecs * lam_c) @ vecs.T
    H = 0.5 * (H + H.T)
    order_r = np.random.default_rng(seed).permutation(w.size)
    order_m = np.argsort(np.abs(w), kind="stable")
    return {
        "random": np.asarray([exact_threshold(H, w, order_r, e, tol) for e in eps_list]),
        "magnitude": np.asarray([exact_threshold(H, w, order_m, e, tol) for e in eps_list]),
    }


def quadratic_model_check(H: np.ndarray, lam: np.ndarray, vecs: np.ndarray, loss: MaskedLoss, p_grid, seed: int = 0) -> dict:
    r"""Where the quadratic model of the loss around \(w_L^*\) holds, per prune fraction \(p\)
    (random order from `seed`, and the magnitude order, as in `schur_thresholds`):

    - `r`: the projection length \(\|\Delta\|\);
    - `quad`: the quadratic model's loss increase at the projected point,
      \(\tfrac12\Delta^\top H\Delta\) (no retraining);
    - `lin`: the first-order term \(g^\top\Delta\) the model drops (\(g\) the gradient of the
      loss at \(w_L^*\): not exactly 0 after finite training with weight decay);
    - `true`: the real loss increase at the projected point (the same network, no retraining);
    - `schur`: the quadratic model's minimum over the kept subspace (the Schur complement on
      \(H\) made PSD as in `schur_thresholds`), i.e. what retraining inside the subspace
      reaches if the loss were quadratic.

    Keys: `p_grid`, and `random` / `magnitude` -> `{r, quad, lin, true, schur}` arrays.
    """
    w = loss.theta0.double().cpu().numpy()
    n = w.size
    lam_c = np.clip(lam, 0.0, None) + 1e-9 * max(float(lam.max()), 1e-12)
    Hc = (vecs * lam_c) @ vecs.T
    Hc = 0.5 * (Hc + Hc.T)
    Hs = 0.5 * (H + H.T)
    e_star = loss.loss()
    theta0 = loss.theta0.detach().clone().requires_grad_(True)
    total = sum(loss._loss_chunk(theta0, i) for i in range(0, loss.n, loss.chunk))
    g = torch.autograd.grad(total, theta0)[0].double().cpu().numpy()
    orders = {"random": np.random.default_rng(seed).permutation(n), "magnitude": np.argsort(np.abs(w), kind="stable")}
    out: dict = {"p_grid": np.asarray(p_grid, dtype=float)}
    for name, order in orders.items():
        rows = {"r": [], "quad": [], "lin": [], "true": [], "schur": []}
        for p in p_grid:
            idx = order[: int(math.ceil(p * n - 1e-12))]
            d = np.zeros(n)
            d[idx] = -w[idx]
            theta = loss.theta0.clone()
            theta[torch.as_tensor(idx, dtype=torch.long, device=theta.device)] = 0
            rows["r"].append(float(np.linalg.norm(d)))
            rows["quad"].append(float(0.5 * d @ Hs @ d))
            rows["lin"].append(float(g @ d))
            rows["true"].append(float(loss.loss(theta) - e_star))
            rows["schur"].append(schur_increase(Hc, w, idx))
        out[name] = {k: np.asarray(v) for k, v in rows.items()}
    return out


def prune_ratio_prediction(spectrum: dict, eps_list, pstar_fn=None) -> dict:
    r"""Predicted largest prune fractions \(p=p^*(r(p))\) for random and magnitude pruning,
    one per \(\varepsilon\), from a `hessian_spectrum` result (uses `theory.lottery`)."""
    w = spectrum["weights"]
    norm_sq = float(np.sum(w**2))
    n = int(spectrum["dim"])
    if "eigenvalues" in spectrum:
        ev = spectrum["eigenvalues"]

        def p_at(r_: float, eps_: float) -> float:
            return pstar(ev, r_, eps_, n)
    else:
        quad = spectrum["quadrature"]

        def p_at(r_: float, eps_: float) -> float:
            c = r_**2 / (2 * eps_)
            tr, _ = slq_trace(lambda lam: 1.0 / (1.0 + np.clip(lam, 0, None) * c), quad, n)
            return float(min(1.0, max(0.0, tr / n)))

    rand, mag = [], []
    for eps_ in eps_list:
        for r2_of_p, out in ((lambda p: r2_random(p, norm_sq), rand), (lambda p: r2_magnitude_empirical(p, w), mag)):
            out.append(_fixed_point(lambda p, f=r2_of_p, e=eps_: p_at(math.sqrt(f(p)), e)))
    return {"eps": np.asarray(eps_list, dtype=float), "random": np.asarray(rand), "magnitude": np.asarray(mag)}


def _fixed_point(pstar_of_p: Callable[[float], float]) -> float:
    g = lambda p: p - pstar_of_p(p)  # noqa: E731 - increasing in p
    if g(0.0) >= 0:
        return 0.0
    if g(1.0) <= 0:
        return 1.0
    return float(scipy.optimize.brentq(g, 0.0, 1.0, xtol=1e-6))


_RETRAIN_MODES = ("projection", "rewind", "none")


def prune_ratio_measurement(imp: IMPResult, cfg: dict, seed: int, device: str = "cpu", data_dir: str | None = None, progress=None) -> dict:
    r"""Largest prune fraction that still reaches train loss \(\le E(w_L^*)+\varepsilon\).

    For each \(p\) in `cfg["p_grid"]` the level-`cfg["level"]` solution \(w_L^*\) is pruned
    once by \(p\) (random: a fresh random set; magnitude: the smallest \(|w|\)); the same
    mask is then handed to each retraining mode:

    - `"projection"`: train the projected point \(m\odot w_L^*\) inside the axial subspace
      for `retrain_steps` steps from global step `retrain_start` (its learning rate is the
      schedule's at that step; default: the whole of \(0..T\) after `retrain_start` =
      the rewind step). This is what the Hessian bound predicts (brief A.8.7);
    - `"rewind"`: IMP's own next level, train \(m\odot w_k\) for steps \(k..T\);
    - `"none"`: no retraining, the loss at the projected point itself.

    `cfg["retrain_from"]` is the mode whose thresholds are the headline (`random`,
    `magnitude`, `loss_random`, `loss_magnitude`); `cfg["compare_retrain"]` lists further
    retraining modes to run on the same masks; `"none"` (one loss evaluation) is always
    reported. The threshold for each \(\varepsilon\) is the largest grid \(p\) below which
    every grid point succeeded. Keys: `eps`, `p_grid`, `e0`, `mode`, the headline keys above,
    and `modes` (mode -> the same four keys), `proj_len_random`, `proj_len_magnitude`
    (\(\|\Delta\|\) per grid point).
    """
    spec, data, tc, ic = build(cfg, data_dir)
    data = data.to(device)
    _, data_seed = _seeds(seed)
    r = imp.levels[int(cfg["level"])]
    e0 = r.train_loss
    model = make_model(spec, 0).to(device)
    grid = [float(p) for p in cfg["p_grid"]]
    eps_list = [float(e) for e in cfg["eps"]]
    g = torch.Generator().manual_seed((data_seed + 17) % (2**63))
    mode = cfg.get("retrain_from", "rewind")
    modes = [mode] + [m for m in cfg.get("compare_retrain", ()) if m != mode]
    if "none" not in modes:
        modes.append("none")
    for m in modes:
        if m not in _RETRAIN_MODES:
            raise ValueError(f"retrain modes must be in {_RETRAIN_MODES}, got {m!r}")
    losses = {m: {"random": [], "magnitude": []} for m in modes}
    plen = {"random": [], "magnitude": []}
    cases = []  # (method, mask) in the grid's order (the random masks draw from g in this order)
    for p in grid:
        for method in ("random", "magnitude"):
            nm = random_prune(r.mask, p, g) if method == "random" else magnitude_prune(r.state, r.mask, p)
            plen[method].append(projection_length(r.state, r.mask, nm)[0])
            cases.append((method, nm))
    x_tr, y_tr = data.x_train, data.y_train
    for m in modes:
        if m == "none":  # the projected point itself
            trained = [({k: (v * nm[k].to(v.dtype) if k in nm else v) for k, v in r.state.items()}, False) for _, nm in cases]
        else:  # every (p, method) of the mode as one batched ensemble (issue 17)
            if m == "rewind":
                init, start, end = imp.rewind_state, ic.rewind_step, tc.steps
            else:
                start = int(cfg.get("retrain_start", ic.rewind_step))
                init, end = r.state, min(tc.steps, start + int(cfg.get("retrain_steps", tc.steps)))
            outs, st = train_members(
                spec, [init] * len(cases), data, tc, start_steps=start, end_step=end, data_seeds=[data_seed] * len(cases),
                masks=[nm for _, nm in cases], device=device, progress=progress,
            )
            trained = list(zip(outs, st["diverged"]))
        for (method, _), (state, div) in zip(cases, trained):
            model.load_state_dict({k: v.to(device) for k, v in state.items()})
            losses[m][method].append(evaluate(model, x_tr, y_tr)[0] if not div else float("inf"))
    out = {"eps": np.asarray(eps_list), "p_grid": np.asarray(grid), "e0": e0, "mode": mode, "modes": {}}
    for m in modes:
        d = {}
        for method in ("random", "magnitude"):
            arr = np.asarray(losses[m][method])
            d[f"loss_{method}"] = arr
            d[method] = np.asarray([_threshold(grid, arr <= e0 + e) for e in eps_list])
        out["modes"][m] = d
    out.update(out["modes"][mode])
    out["proj_len_random"] = np.asarray(plen["random"])
    out["proj_len_magnitude"] = np.asarray(plen["magnitude"])
    return out


def _threshold(grid: list[float], ok: np.ndarray) -> float:
    best = 0.0
    for p, good in zip(grid, ok):
        if not good:
            break
        best = p
    return best


# --------------------------------------------------------------------------- barrier sanity


def convex_barrier(cfg: dict, seed: int) -> dict:
    r"""Two L2-regularised multinomial logistic regressions on the same data, trained by SGD
    with different data orders (float64). The regularised train loss is convex in the
    weights, so its excess over the chord, `barrier_linear`, is \(\le 0\)."""
    _, data, tc, _ = build(cfg)
    n_in = int(np.prod(data.x_train.shape[1:]))
    n_out = int(data.y_train.max()) + 1
    lam = float(cfg.get("l2", 1e-3))
    x, y = data.x_train.double().reshape(len(data.x_train), -1), data.y_train

    def objective(params: dict) -> float:
        W, b = params["weight"], params["bias"]
        ce = torch.nn.functional.cross_entropy(x @ W.T + b, y)
        return float(ce + 0.5 * lam * (W**2).sum())

    sols = []
    _, data_seed = _seeds(seed)
    for rep in (1, 2):
        lin = torch.nn.Linear(n_in, n_out).double()
        torch.nn.init.zeros_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        opt = torch.optim.SGD(lin.parameters(), lr=float(cfg.get("lr", 0.5)), momentum=0.9)
        gen = torch.Generator().manual_seed(data_seed + rep)
        steps, bs = int(cfg.get("steps", 800)), tc.batch_size
        for s in range(steps):
            idx = torch.randint(len(x), (bs,), generator=gen)
            loss = torch.nn.functional.cross_entropy(lin(x[idx]), y[idx]) + 0.5 * lam * (lin.weight**2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        sols.append({k: v.detach().clone() for k, v in lin.state_dict().items()})
    res = error_barrier(sols[0], sols[1], objective, int(cfg.get("n_points", 11)))
    return {
        "barrier_linear": res.barrier_linear,
        "barrier": res.barrier,
        "half_gap": 0.5 * abs(res.errors[0] - res.errors[-1]),
        "losses": res.errors,
        "distance": float(torch.sqrt(sum(((sols[0][k] - sols[1][k]) ** 2).sum() for k in sols[0]))),
    }


def different_init_barrier(cfg: dict, seed: int, device: str = "cpu", data_dir: str | None = None) -> dict:
    """Test-error barrier between two dense nets from different random inits (and data orders)."""
    spec, data, tc, _ = build(cfg, data_dir)
    data = data.to(device)
    ev, rec = make_evaluator(spec, data, device)
    seeds = [_seeds(seed * 1000 + rep) for rep in (1, 2)]
    sols, _ = train_members(  # the two nets as one batched ensemble (issue 17)
        spec, [state_copy(make_model(spec, init_seed)) for init_seed, _ in seeds], data, tc,
        start_steps=0, data_seeds=[d for _, d in seeds], device=device,
    )
    res = _barrier(ev, rec, sols[0], sols[1], int(cfg.get("n_points", 11)), cfg.get("bn_policy", "recompute"))
    return {"barrier": res.barrier, "errors": res.errors, "ts": res.ts}


# --------------------------------------------------------------------------- quadratic model


def quadratic_spectrum(dim: int, sharp_fraction: float, lam_sharp: float, lam_flat: float) -> np.ndarray:
    """Eigenvalues: `round(f * dim)` equal to `lam_sharp`, the rest `lam_flat`."""
    n_sharp = int(round(sharp_fraction * dim))
    return np.concatenate([np.full(n_sharp, lam_sharp), np.full(dim - n_sharp, lam_flat)])


def quadratic_exact_thresholds(
    dim: int, sharp_fraction: float, lam_sharp: float, lam_flat: float, eps: float, trials: int, rng: np.random.Generator
) -> dict:
    r"""Exact (Schur-complement) largest prune fraction for random and magnitude pruning of
    \(w^*\sim N(0,I/D)\) under \(H=Q\,\mathrm{diag}(\lambda)Q^\top\), \(Q\) Haar-random, per
    trial. The 50% success crossing is the median over trials."""
    lam_ = quadratic_spectrum(dim, sharp_fraction, lam_sharp, lam_flat)
    out = {"random": [], "magnitude": []}
    for _ in range(int(trials)):
        Q = ortho_group.rvs(dim, random_state=rng)
        H = (Q * lam_) @ Q.T
        H = 0.5 * (H + H.T)
        w = rng.normal(0.0, 1.0 / math.sqrt(dim), dim)
        out["random"].append(exact_threshold(H, w, rng.permutation(dim), eps, tol=2e-3))
        out["magnitude"].append(exact_threshold(H, w, np.argsort(np.abs(w), kind="stable"), eps, tol=2e-3))
    return {k: np.asarray(v) for k, v in out.items()}
