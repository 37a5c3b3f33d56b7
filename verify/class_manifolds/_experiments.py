"""Experiments behind the claims: analytic sets, trained digits models, ResNet-20 sweeps.

Every function here is a pure function of its config and seed; results are plain dicts of
numpy arrays (picklable, so `ctx.shared` can cache them).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from numerics._data import cifar10, digits, digits_centered, mnist1d, template_images
from numerics.class_manifolds import (
    AnchorPool,
    BallClassifier,
    CutSweep,
    CuttingPlaneResult,
    HalfSpaceClassifier,
    ShellClassifier,
    TubeClassifier,
    accuracy,
    affine_cut_distance,
    affine_intersection,
    cutting_plane_dimensions,
    estimate_d_star,
    geometric_sweep,
    mlp,
    resnet20,
    softmax_regression,
    train_classifier,
    train_mlp_ensemble,
)
from theory.class_manifolds import (
    d_star_crossing,
    p_hit_affine_subspace,
    p_hit_ball,
    p_hit_ball_axis_aligned,
    p_hit_halfspace_budget,
    p_hit_intersection,
    p_hit_sphere,
    p_hit_tube,
    p_hit_union,
)
from verify.core.claims import SkipClaim
from verify.core.seeding import stream_seed

# --------------------------------------------------------------------------- helpers


def tgen(seed: int, stream: str, device: str = "cpu") -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(stream_seed(seed, stream))
    return g


def seeded_init(seed: int, stream: str, build):
    """Build a model with its initialisation drawn from the (seed, stream) torch stream."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(stream_seed(seed, stream))
        return build()


def random_orthonormal(k: int, D: int, gen: torch.Generator) -> torch.Tensor:
    q, _ = torch.linalg.qr(torch.randn(D, k, generator=gen, dtype=torch.float64))
    return q.T.contiguous()


def unit_vector_orthogonal_to(U: torch.Tensor | None, D: int, gen: torch.Generator) -> torch.Tensor:
    v = torch.randn(D, generator=gen, dtype=torch.float64)
    if U is not None and U.numel():
        v = v - (v @ U.T) @ U
    return v / v.norm()


def summarise(results, D: int, prefix: str = "") -> dict[str, Any]:
    """Per-target d*, intervals and curves of a list of `CuttingPlaneResult`s, plus the mean
    effective dimension over targets with a bootstrap interval (d* clipped to [1, D])."""
    d_star = np.array([r.estimate.d_star for r in results])
    boots = np.stack([r.estimate.boot for r in results])  # (n_t, n_boot)
    clipped = np.clip(np.nan_to_num(boots, nan=np.nan, posinf=D), 1, D)
    mean_deff_boot = D - np.nanmean(clipped, axis=0)
    d_clip = np.clip(np.where(np.isfinite(d_star), d_star, D), 1, D)
    return {
        "D": int(D),
        "dims": results[0].sweep.dims,
        "rate": np.stack([r.sweep.success_rate for r in results]),
        "popt": np.stack([r.estimate.popt for r in results]),
        "d_star": d_star,
        "d_star_clipped": d_clip,
        "ci": np.array([[r.estimate.ci_low, r.estimate.ci_high] for r in results]),
        "notebook_error": np.array([r.estimate.notebook_error for r in results]),
        "censored": [r.estimate.censored for r in results],
        "monotone": np.array([r.estimate.monotone for r in results]),
        "mean_deff": float(D - d_clip.mean()),
        "mean_deff_boot": mean_deff_boot,
        "steps": float(np.mean([r.sweep.steps.mean() for r in results])),
        "max_steps_hit": int(sum(int((r.sweep.steps >= 300).sum()) for r in results)),
    }


def interval(samples: np.ndarray, ci: float = 0.9) -> list[float]:
    s = np.asarray(samples, dtype=float)
    s = s[np.isfinite(s)]
    if not s.size:
        return [math.nan, math.nan]
    return [float(np.quantile(s, (1 - ci) / 2)), float(np.quantile(s, 1 - (1 - ci) / 2))]


def sweep_kwargs(cfg, device: str) -> dict[str, Any]:
    kw = dict(
        steps=int(cfg.get("steps", 300)),
        lr=float(cfg.get("lr", 0.05)),
        n_boot=int(cfg.get("n_boot", 100)),
        device=device,
        max_basis_entries=int(cfg.get("max_basis_entries", 2**26)),
    )
    if cfg.get("radius") is not None:
        kw["radius"] = float(cfg["radius"])
        kw["radius_mode"] = cfg.get("radius_mode", "clamp")
    return kw


def dims_grid(cfg, D: int) -> list[int]:
    dims = cfg.get("dims")
    if dims is None or dims == "even":
        return [1] + list(range(2, D + 1, 2))
    return [int(d) for d in dims if int(d) <= D]


# --------------------------------------------------------------------------- analytic sets


def analytic_case(case: str, cfg, seed: int, device: str = "cpu") -> dict[str, Any]:
    """Run the estimator on one analytic case (brief B.6) and return curves and d*."""
    D = int(cfg["D"])
    reps = int(cfg["reps"])
    dims = dims_grid(cfg, D)
    gen = tgen(seed, f"analytic/{case}")  # the sets (CPU, float64)
    cut_gen = tgen(seed, f"analytic-cuts/{case}", device if str(device).startswith("cuda") else "cpu")
    rng = np.random.default_rng(stream_seed(seed, f"analytic-fit/{case}"))
    anchor = torch.zeros(D)
    basis = cfg.get("basis", "orthonormal")
    kw = sweep_kwargs(cfg, device)
    n_boot = kw.pop("n_boot")
    refine = int(cfg.get("refine", 0))

    def optimiser(model, name, **extra):
        args = {**kw, **extra}
        res = cutting_plane_dimensions(model.to(device), [1], anchor.to(device), dims, reps, 0.5, num_classes=2, basis=basis,
                                       generator=cut_gen, n_boot=n_boot, rng=rng, **args)[0]
        if refine and res.estimate.censored is None:
            res = _refined(model, res, anchor, reps, refine, basis, cut_gen, rng, n_boot, device, D, args)
        return {f"{name}": res}

    out: dict[str, Any] = {}
    if case == "affine_subspace":
        k = int(cfg["k"])
        U = random_orthonormal(k, D, gen)
        a = float(cfg["distance"]) * unit_vector_orthogonal_to(U, D, gen)
        hit = lambda M: affine_cut_distance(anchor, M, a, U) <= 1e-9  # noqa: E731
        sw = geometric_sweep(hit, D, dims, reps, basis=basis, generator=gen)
        out["subspace"] = _geo_result(sw, D, n_boot, rng)
    elif case == "intersection_union":
        k1, k2 = int(cfg["k1"]), int(cfg["k2"])
        U1, U2 = random_orthonormal(k1, D, gen), random_orthonormal(k2, D, gen)
        a1 = unit_vector_orthogonal_to(U1, D, gen) + 0.5 * torch.randn(D, generator=gen, dtype=torch.float64) @ U1.T @ U1
        a2 = unit_vector_orthogonal_to(U2, D, gen) + 0.5 * torch.randn(D, generator=gen, dtype=torch.float64) @ U2.T @ U2
        inter = affine_intersection(a1.numpy(), U1.numpy(), a2.numpy(), U2.numpy())
        p_i, U_i = torch.as_tensor(inter[0]), torch.as_tensor(inter[1])
        hit_i = lambda M: affine_cut_distance(anchor, M, p_i, U_i) <= 1e-9  # noqa: E731
        u1, u2 = int(cfg["union_k1"]), int(cfg["union_k2"])
        V1, V2 = random_orthonormal(u1, D, gen), random_orthonormal(u2, D, gen)
        b1, b2 = unit_vector_orthogonal_to(V1, D, gen), unit_vector_orthogonal_to(V2, D, gen)
        hit_u = lambda M: torch.minimum(affine_cut_distance(anchor, M, b1, V1), affine_cut_distance(anchor, M, b2, V2)) <= 1e-9  # noqa: E731
        out["intersection"] = _geo_result(geometric_sweep(hit_i, D, dims, reps, basis=basis, generator=gen), D, n_boot, rng)
        out["union"] = _geo_result(geometric_sweep(hit_u, D, dims, reps, basis=basis, generator=gen), D, n_boot, rng)
        out["intersection_dim"] = int(U_i.shape[0])
    elif case == "tube":
        k = int(cfg["k"])
        U = random_orthonormal(k, D, gen)
        a = float(cfg["r_perp"]) * unit_vector_orthogonal_to(U, D, gen) + torch.randn(D, generator=gen, dtype=torch.float64) @ U.T @ U
        out.update(optimiser(TubeClassifier(a.float(), U.float(), float(cfg["rho"]), float(cfg.get("sharpness", 10.0))), "tube"))
    elif case == "ball":
        for ratio in cfg["ratios"]:
            c = float(cfg["R"]) * unit_vector_orthogonal_to(None, D, gen)
            out.update(optimiser(BallClassifier(c.float(), ratio * float(cfg["R"]), float(cfg.get("sharpness", 10.0))), f"ball_{ratio}"))
    elif case == "sphere_viewpoint":
        r, w = float(cfg["r"]), float(cfg["width"])
        for name, R in (("inside", float(cfg["R_inside"])), ("outside", float(cfg["R_outside"]))):
            c = R * unit_vector_orthogonal_to(None, D, gen)
            out.update(optimiser(ShellClassifier(c.float(), r, w, float(cfg.get("sharpness", 10.0))), name))
    elif case == "halfspace_budget":
        gap, B = float(cfg["gap"]), float(cfg["budget"])
        w = unit_vector_orthogonal_to(None, D, gen)
        model = HalfSpaceClassifier(w.float(), gap, float(cfg.get("sharpness", 10.0)))
        out.update(optimiser(model, "clamp", radius=B, radius_mode="clamp"))
        if cfg.get("also_project", True):
            out.update(optimiser(model, "project", radius=B, radius_mode="project"))
    elif case == "gordon":
        for ratio in cfg["ratios"]:
            c = float(cfg["R"]) * unit_vector_orthogonal_to(None, D, gen)
            out.update(optimiser(BallClassifier(c.float(), ratio * float(cfg["R"]), float(cfg.get("sharpness", 10.0))), f"cap_{ratio}"))
    elif case == "axis_aligned":
        s, ratio, R = int(cfg["support"]), float(cfg["ratio"]), float(cfg["R"])
        idx = torch.randperm(D, generator=gen)[:s]
        c = torch.zeros(D)
        c[idx] = R / math.sqrt(s)
        model = BallClassifier(c, ratio * R, float(cfg.get("sharpness", 10.0)))
        for b in ("axis_aligned", "orthonormal"):
            res = cutting_plane_dimensions(model.to(device), [1], anchor.to(device), dims, reps, 0.5, num_classes=2, basis=b,
                                           generator=cut_gen, n_boot=n_boot, rng=rng, **kw)[0]
            out[b] = res
    else:
        raise ValueError(f"unknown analytic case {case!r}")
    return _pack(out)


def _refined(model, res, anchor, reps, refine, basis, gen, rng, n_boot, device, D, args):
    """Second stage: `refine` extra dims spread over the bracket of the first crossing."""
    sw = res.sweep
    rate = sw.success_rate
    j = int(np.nonzero(rate >= 0.5)[0][0])
    lo, hi = (sw.dims[max(j - 1, 0)], sw.dims[j])
    lo2, hi2 = max(1.0, lo - (hi - lo)), min(float(D), hi + (hi - lo))
    extra = sorted(set(int(round(x)) for x in np.linspace(lo2, hi2, refine)) - set(int(d) for d in sw.dims))
    if not extra:
        return res
    r2 = cutting_plane_dimensions(model, [1], anchor.to(device), extra, reps, 0.5, num_classes=2, basis=basis,
                                  generator=gen, n_boot=0, rng=rng, **args)[0].sweep
    dims = np.concatenate([sw.dims, r2.dims])
    order = np.argsort(dims)
    merged = CutSweep(
        dims=dims[order],
        **{k: np.concatenate([getattr(sw, k), getattr(r2, k)])[order] for k in ("score", "target_mass", "min_loss", "steps")},
        threshold=sw.threshold, D=sw.D, basis=sw.basis, target=sw.target,
    )
    return CuttingPlaneResult(sweep=merged, estimate=estimate_d_star(merged.dims, merged.values(), D, n_boot=n_boot, rng=rng))


def _geo_result(sw, D, n_boot, rng):
    return CuttingPlaneResult(sweep=sw, estimate=estimate_d_star(sw.dims, sw.values(), D, n_boot=n_boot, rng=rng))


def _pack(out: dict[str, Any]) -> dict[str, Any]:
    packed: dict[str, Any] = {}
    for name, res in out.items():
        if not hasattr(res, "estimate"):
            packed[name] = res
            continue
        e = res.estimate
        packed[name] = {
            "d_star": e.d_star,
            "ci": [e.ci_low, e.ci_high],
            "stderr": e.stderr,
            "notebook_error": e.notebook_error,
            "censored": e.censored,
            "popt": e.popt,
            "dims": res.sweep.dims,
            "rate": res.sweep.success_rate,
            "reps": int(res.sweep.score.shape[1]),
            "steps": float(res.sweep.steps.mean()),
            "max_steps_hit": int((res.sweep.steps >= res.sweep.steps.max()).sum()) if res.sweep.steps.max() >= 300 else 0,
        }
    return packed


# --------------------------------------------------------------------------- theory curves


def theory_curve(case: str, cfg, name: str, d) -> np.ndarray:
    """Exact P(d) of an analytic case (config as in `analytic_case`)."""
    D = int(cfg["D"])
    if case == "affine_subspace":
        return p_hit_affine_subspace(d, D, int(cfg["k"]))
    if case == "intersection_union":
        if name == "intersection":
            return p_hit_intersection(d, D, int(cfg["k1"]), int(cfg["k2"]))
        return p_hit_union(d, D, int(cfg["union_k1"]), int(cfg["union_k2"]))
    if case == "tube":
        return p_hit_tube(d, D, int(cfg["k"]), float(cfg["rho"]), float(cfg["r_perp"]))
    if case in ("ball", "gordon"):
        ratio = float(name.split("_")[1])
        return p_hit_ball(d, D, ratio * float(cfg["R"]), float(cfg["R"]))
    if case == "sphere_viewpoint":
        R = float(cfg["R_inside"] if name == "inside" else cfg["R_outside"])
        r, w = float(cfg["r"]), float(cfg["width"])
        if R < r - w:
            return p_hit_sphere(d, D, r, R)
        return p_hit_ball(d, D, r + w, R)
    if case == "halfspace_budget":
        return p_hit_halfspace_budget(d, D, float(cfg["gap"]), float(cfg["budget"]))
    if case == "axis_aligned":
        if name == "axis_aligned":
            return p_hit_ball_axis_aligned(np.round(np.asarray(d)).astype(int), D, float(cfg["ratio"]) * float(cfg["R"]), float(cfg["R"]), int(cfg["support"]))
        return p_hit_ball(d, D, float(cfg["ratio"]) * float(cfg["R"]), float(cfg["R"]))
    raise ValueError(case)


def theory_d_star(case: str, cfg, name: str) -> float:
    D = int(cfg["D"])
    continuous = case not in ("affine_subspace", "intersection_union") and not (case == "axis_aligned" and name == "axis_aligned")
    return d_star_crossing(lambda d: theory_curve(case, cfg, name, d), D, 0.5, continuous=continuous)


# --------------------------------------------------------------------------- trained models


def _data(cfg, seed: int, data_dir: str | None = None):
    """`(X, y)`: inputs flattened to `(n, D)` (float32, pixels in [0, 1] minus the per-pixel
    training mean) and int64 labels. CIFAR-10 absent under `data_dir` SKIPs the claim."""
    kind = cfg.get("data", "digits")
    if kind == "cifar10":
        try:
            split = cifar10(data_dir)
        except FileNotFoundError as e:
            raise SkipClaim(str(e)) from None
        pixels = split.x_train.reshape(split.x_train.shape[0], -1)  # NCHW rows, as CIFAR-10 stores them
        X = torch.as_tensor(pixels - pixels.mean(axis=0, keepdims=True), dtype=torch.float32)
        y = torch.as_tensor(split.y_train, dtype=torch.long)
        n = int(cfg.get("n_train") or X.shape[0])
        return X[:n], y[:n]
    if kind == "digits":
        return digits_centered()
    if kind == "synthetic":
        return template_images(int(cfg["n_train"]), image_size=int(cfg.get("image_size", 32)), noise=float(cfg.get("noise", 0.35)),
                               seed=stream_seed(seed, "synthetic-data") % 2**31)
    raise ValueError(f"unknown data {kind!r}")


def _builder(cfg, width: int | None = None, in_dim: int = 64):
    arch = cfg.get("arch", "mlp")
    if arch == "mlp":
        return lambda: mlp(in_dim, int(width or cfg["width"]))
    if arch == "softmax":
        return lambda: softmax_regression(in_dim)
    if arch == "resnet20":
        return lambda: resnet20(width=int(width or cfg.get("width", 16)), n=int(cfg.get("blocks", 3)), image_size=int(cfg.get("image_size", 32)))
    raise ValueError(f"unknown arch {arch!r}")


def _train(cfg, seed, stream, X, y, epochs, device, width=None, **kw):
    model = seeded_init(seed, f"init/{stream}", _builder(cfg, width, X.shape[1]))
    return train_classifier(model, X, y, epochs, generator=tgen(seed, f"batches/{stream}"), device=device,
                            lr=float(cfg.get("train_lr", 0.1)), **kw)


def _train_many(cfg, seed, streams, X, y, epochs, device, widths=None, noise=None, subsets=None, steps_per_epoch=None):
    """Independent trainings `streams[i]` (width `widths[i]`, input-noise std `noise[i]`, rows
    `subsets[i]`) with each member's own seed streams (`init/`, `batches/`, `noise/<stream>`).

    MLPs train as one batched ensemble (`train_mlp_ensemble`: stacked weights, widths padded
    to the largest) unless `cfg["batched"]` is False; other architectures (the ResNet of the
    gpu/paper profiles) train one after the other with `train_classifier`. Both give the same
    per-member models to float rounding (tested). Returns `{epoch: [model per stream]}`."""
    n = len(streams)
    widths = [None] * n if widths is None else list(widths)
    noise = [0.0] * n if noise is None else [float(v) for v in noise]
    subsets = [None] * n if subsets is None else list(subsets)
    ep = [int(epochs)] if np.ndim(epochs) == 0 else [int(e) for e in epochs]
    lr = float(cfg.get("train_lr", 0.1))
    if cfg.get("arch", "mlp") == "mlp" and cfg.get("batched", True):
        members = [seeded_init(seed, f"init/{s}", _builder(cfg, w, X.shape[1])) for s, w in zip(streams, widths)]
        return train_mlp_ensemble(members, X, y, ep, generators=[tgen(seed, f"batches/{s}") for s in streams], lr=lr,
                                  input_noise=noise, noise_generators=[tgen(seed, f"noise/{s}") for s in streams],
                                  subsets=subsets, steps_per_epoch=steps_per_epoch, device=device)
    if steps_per_epoch is not None and any(sub is not None for sub in subsets):
        raise ValueError("unbatched training of subsets runs ceil(n/128) steps per epoch; use the batched MLP path")
    out: dict[int, list] = {e: [] for e in ep}
    for s, w, sd, sub in zip(streams, widths, noise, subsets):
        Xs, ys = (X, y) if sub is None else (X[sub], y[sub])
        res = _train(cfg, seed, s, Xs, ys, ep, device, width=w, input_noise=sd, noise_generator=tgen(seed, f"noise/{s}"))
        for e in ep:
            out[e].append(res[e])
    return out


def _sweep(model, X, y, cfg, seed, stream, device, targets=None, basis="gaussian_unit"):
    t0 = time.perf_counter()
    D = X.shape[1]
    kw = sweep_kwargs(cfg, device)
    n_boot = kw.pop("n_boot")
    targets = list(range(10)) if targets is None else targets
    res = cutting_plane_dimensions(model, targets, AnchorPool(X.to(device), y), dims_grid(cfg, D), int(cfg["reps"]), 0.5,
                                   num_classes=10, basis=basis, generator=tgen(seed, f"cuts/{stream}", _gen_device(device)),
                                   n_boot=n_boot, rng=np.random.default_rng(stream_seed(seed, f"boot/{stream}")), **kw)
    out = summarise(res, D)
    out["wall_s"] = time.perf_counter() - t0
    out["cuts"] = int(sum(r.sweep.score.size for r in res))
    return out


def _gen_device(device) -> str:
    return "cuda" if str(device).startswith("cuda") else "cpu"


def main_experiment(cfg, seed: int, device: str = "cpu", data_dir: str | None = None) -> dict[str, Any]:
    """The reference model: per-class d* at several training epochs; on the last checkpoint also
    boundary targets (uniform over 2-4 classes, if `boundary_sizes`) and other bases (if `bases`)."""
    X, y = _data(cfg, seed, data_dir)
    epochs = [int(e) for e in cfg["epochs"]]
    models = _train(cfg, seed, "main", X, y, epochs, device)
    out: dict[str, Any] = {"epochs": epochs, "train_acc": [], "sweeps": []}
    for e in epochs:
        m = models[e]
        out["train_acc"].append(accuracy(m, X.to(device), y.to(device)))
        out["sweeps"].append(_sweep(m, X, y, cfg, seed, f"epoch{e}", device))
    out["train_steps"] = int(max(epochs) * math.ceil(X.shape[0] / 128))
    final = models[epochs[-1]]
    if cfg.get("boundary_sizes"):
        rng = np.random.default_rng(stream_seed(seed, "boundary-targets"))
        targets = [sorted(rng.choice(10, size=int(size), replace=False).tolist())
                   for size in cfg["boundary_sizes"] for _ in range(int(cfg["boundary_per_size"]))]
        out["boundary"] = _sweep(final, X, y, cfg, seed, "boundary", device, targets=targets)
        out["boundary_targets"] = targets
    for b in cfg.get("bases", ()):
        out[f"basis_{b}"] = _sweep(final, X, y, cfg, seed, f"basis-{b}", device, basis=b)
    return out


def softmax_experiment(cfg, seed, device="cpu", data_dir=None):
    X, y = _data(cfg, seed, data_dir)
    sm_cfg = {**cfg, "arch": "softmax"}
    epoch = int(cfg.get("final_epoch") or max(cfg["epochs"]))
    m = _train(sm_cfg, seed, "softmax", X, y, epoch, device)[epoch]
    return {"train_acc": accuracy(m, X.to(device), y.to(device)), "sweep": _sweep(m, X, y, cfg, seed, "softmax", device)}


def width_experiment(cfg, seed, device="cpu", data_dir=None):
    X, y = _data(cfg, seed, data_dir)
    ws = [int(w) for w in cfg["widths"]]
    E = int(cfg["final_epoch"])
    models = _train_many(cfg, seed, [f"width{w}" for w in ws], X, y, E, device, widths=ws)[E]
    out = {}
    for w, m in zip(ws, models):
        out[w] = {"train_acc": accuracy(m, X.to(device), y.to(device)), "sweep": _sweep(m, X, y, cfg, seed, f"width{w}", device)}
    return out


def ensemble_experiment(cfg, seed, device="cpu", data_dir=None):
    X, y = _data(cfg, seed, data_dir)
    E = int(cfg["ensemble_size"])
    members = _train_many(cfg, seed, [f"member{i}" for i in range(E)], X, y, int(cfg["final_epoch"]), device)[int(cfg["final_epoch"])]
    out = {"members": [_sweep(m, X, y, cfg, seed, f"member{i}", device) for i, m in enumerate(members)]}
    out["ensemble"] = _sweep(members, X, y, cfg, seed, "ensemble", device)
    with torch.no_grad():
        p = torch.stack([torch.softmax(m(X.to(device)), -1) for m in members]).mean(0)
    out["ensemble_acc"] = float((p.argmax(-1).cpu() == y).float().mean())
    return out


def labels_experiment(cfg, seed, device="cpu", data_dir=None):
    """True vs randomised labels on the same inputs, compared two ways:

    - `"epochs"`: both nets trained for the same `label_epochs` epochs (the official notebook's
      protocol: its label-randomisation switch changes the labels, not the schedule);
    - `"accuracy"`: each net trained until its train accuracy reaches `label_train_acc`
      (at most `label_max_epochs`), the brief's B.7.3 comparison.

    Each net is one training run (same init and batch stream for both checkpoints), swept at both.
    """
    X, y = _data(cfg, seed, data_dir)
    n = int(cfg.get("label_subset", X.shape[0]))
    perm = torch.randperm(X.shape[0], generator=tgen(seed, "label-subset"))[:n]
    Xs, ys = X[perm], y[perm]
    yr = ys[torch.randperm(n, generator=tgen(seed, "label-shuffle"))]
    width = int(cfg.get("label_width", cfg.get("width", 64)))
    E = int(cfg["label_epochs"])
    out: dict[str, Any] = {"epochs": {}, "accuracy": {}}
    for name, lab in (("true", ys), ("random", yr)):
        fixed = _train(cfg, seed, f"labels-{name}", Xs, lab, E, device, width=width)[E]
        reached = _train(cfg, seed, f"labels-{name}", Xs, lab, 0, device, width=width,
                         stop_at_accuracy=float(cfg["label_train_acc"]), max_epochs=int(cfg["label_max_epochs"]))
        e_acc, m_acc = next(iter(reached.items()))
        for key, e, m in (("epochs", E, fixed), ("accuracy", e_acc, m_acc)):
            if key == "accuracy" and e_acc == E:  # the same checkpoint of the same run: reuse its sweep
                out[key][name] = dict(out["epochs"][name])
                continue
            out[key][name] = {
                "epochs": int(e),
                "train_acc": accuracy(m, Xs.to(device), lab.to(device)),
                "sweep": _sweep(m, Xs, lab, cfg, seed, f"labels-{name}-{key}", device),
            }
    return out


# --------------------------------------------------------------------------- robustness and training-set size (issue 19)


def _split(cfg, seed: int, data_dir: str | None = None):
    """`(X_train, y_train, X_test, y_test)`: inputs flattened to `(n, D)` float32 minus the
    per-feature training mean (the notebook's centring), int64 labels.

    - `"mnist1d"`: the published 4000/1000 MNIST-1D split (D = 40);
    - `"digits"`: scikit-learn digits, stratified 70/30 split (D = 64);
    - `"synthetic"`: `n_train + n_test` procedural images (the gpu profile's stand-in);
    - `"cifar10"`: CIFAR-10 under `data_dir` (SKIP when absent), `n_train` first images."""
    kind = cfg.get("data", "mnist1d")
    if kind == "mnist1d":
        sp = mnist1d()
        parts = (sp.x_train, sp.y_train, sp.x_test, sp.y_test)
    elif kind == "digits":
        X, y = digits()
        perm = np.random.default_rng(0).permutation(len(y))
        cut = int(round(0.7 * len(y)))
        parts = (X[perm[:cut]], y[perm[:cut]], X[perm[cut:]], y[perm[cut:]])
    elif kind == "synthetic":
        n_tr, n_te = int(cfg["n_train"]), int(cfg.get("n_test", 2000))
        X, y = template_images(n_tr + n_te, image_size=int(cfg.get("image_size", 32)), noise=float(cfg.get("noise", 0.35)),
                               seed=stream_seed(seed, "synthetic-data") % 2**31)
        parts = (X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:])
    elif kind == "cifar10":
        try:
            split = cifar10(data_dir)
        except FileNotFoundError as e:
            raise SkipClaim(str(e)) from None
        n = int(cfg.get("n_train") or split.x_train.shape[0])
        parts = (split.x_train.reshape(split.x_train.shape[0], -1)[:n], split.y_train[:n],
                 split.x_test.reshape(split.x_test.shape[0], -1), split.y_test)
    else:
        raise ValueError(f"unknown data {kind!r}")
    Xtr, ytr, Xte, yte = (torch.as_tensor(np.asarray(p)) for p in parts)
    Xtr, Xte = Xtr.to(torch.float32), Xte.to(torch.float32)
    mean = Xtr.mean(dim=0, keepdim=True)
    return Xtr - mean, ytr.long(), Xte - mean, yte.long()


def corruption_accuracy(model, X, y, levels, seed: int, draws: int = 1) -> tuple[float, list[float]]:
    """Clean accuracy and the accuracy under additive Gaussian noise of each std in `levels`
    (per input coordinate; `draws` noise draws per level, the same draws for every model of a seed)."""
    g = tgen(seed, "corruption")
    clean = accuracy(model, X, y)
    noisy = []
    for lvl in levels:
        acc = [accuracy(model, X + float(lvl) * torch.randn(X.shape, generator=g).to(X.device), y) for _ in range(int(draws))]
        noisy.append(float(np.mean(acc)))
    return clean, noisy


def robustness_experiment(cfg, seed, device="cpu", data_dir=None) -> dict[str, Any]:
    """Models differing in training (width x Gaussian-noise augmentation, each kept after
    several epoch counts), all trained as one batched ensemble; per model the test accuracy
    drop under input corruption and the class-mean d_eff (the same cuts and anchors, from the
    training pool, for every model: common random numbers)."""
    Xtr, ytr, Xte, yte = _split(cfg, seed, data_dir)
    variants = [(int(w), float(a)) for w in cfg["robust_widths"] for a in cfg["robust_aug"]]
    streams = [f"robust-w{w}-aug{a:g}" for w, a in variants]
    epochs = [int(e) for e in cfg["robust_epochs"]]
    models = _train_many(cfg, seed, streams, Xtr, ytr, epochs, device, widths=[w for w, _ in variants],
                         noise=[a for _, a in variants])
    levels = [float(v) for v in cfg["corruption_levels"]]
    Xte_d, yte_d = Xte.to(device), yte.to(device)
    rows = []
    for e in epochs:
        for (w, a), m in zip(variants, models[e]):
            clean, noisy = corruption_accuracy(m, Xte_d, yte_d, levels, seed, int(cfg.get("corruption_draws", 1)))
            rows.append({
                "width": w, "augmentation": a, "epochs": e,
                "train_acc": accuracy(m, Xtr.to(device), ytr.to(device)),
                "clean_acc": clean, "noisy_acc": noisy, "drop": clean - float(np.mean(noisy)),
                "sweep": _sweep(m, Xtr, ytr, cfg, seed, "robust-cuts", device),
            })
    return {"rows": rows, "levels": levels, "D": int(Xtr.shape[1]),
            "train_steps": int(max(epochs) * math.ceil(Xtr.shape[0] / 128)) * len(variants)}


def train_size_experiment(cfg, seed, device="cpu", data_dir=None) -> dict[str, Any]:
    """One architecture trained on nested random subsets of the training pool (sizes
    `train_sizes`), all for the same number of SGD steps (`size_steps`), as one batched
    ensemble; per size the test accuracy and the class-mean d_eff (anchors from the full
    training pool and the same cuts for every size: only the model differs)."""
    Xtr, ytr, Xte, yte = _split(cfg, seed, data_dir)
    sizes = [int(n) for n in cfg["train_sizes"]]
    if max(sizes) > Xtr.shape[0]:
        raise ValueError(f"train_sizes must be <= the training pool ({Xtr.shape[0]}), got {sizes}")
    perm = torch.randperm(Xtr.shape[0], generator=tgen(seed, "train-size-subset"))
    subsets = [perm[:n] for n in sizes]  # nested
    steps = int(cfg["size_steps"])
    spe = math.ceil(Xtr.shape[0] / 128)  # one "epoch" = the full pool's steps; LR schedule unchanged below 80
    n_epochs = max(1, math.ceil(steps / spe))
    streams = [f"size{n}" for n in sizes]
    if cfg.get("arch", "mlp") == "mlp" and cfg.get("batched", True):
        models = _train_many(cfg, seed, streams, Xtr, ytr, n_epochs, device, widths=[int(cfg["width"])] * len(sizes),
                             subsets=subsets, steps_per_epoch=spe)[n_epochs]
    else:  # the ResNet (paper profile): one training per size, its epoch count rounded to equal steps
        models = []
        for n, sub, st in zip(sizes, subsets, streams):
            e_n = max(1, round(steps / math.ceil(n / 128)))
            models.append(_train(cfg, seed, st, Xtr[sub], ytr[sub], e_n, device)[e_n])
    rows = []
    for n, sub, m in zip(sizes, subsets, models):
        rows.append({
            "n_train": n,
            "train_acc": accuracy(m, Xtr[sub].to(device), ytr[sub].to(device)),
            "test_acc": accuracy(m, Xte.to(device), yte.to(device)),
            "sweep": _sweep(m, Xtr, ytr, cfg, seed, "size-cuts", device),
        })
    return {"rows": rows, "steps": n_epochs * spe, "D": int(Xtr.shape[1])}
