"""Sec. 6b: are first-layer convolutional filters simpler under upstream initialisation?

"Simpler" is measured by two quantities fixed before any result was looked at, both invariant to the
filter's scale (the intervention rescales the first layer, so raw norms would be meaningless):

- **spectral concentration**: the fraction of a filter's energy at spatial frequencies |f| <= 1/4 cycles per
  sample (half the Nyquist band), from its DFT zero-padded to `N_FFT` points per axis (summed over input
  channels; in 2-D the radial frequency sqrt(fx^2 + fy^2));
- **normalised total variation**: sum of |differences between neighbouring taps| (both axes in 2-D, summed
  over input channels) divided by the filter's l2 norm.

Both are averaged over the first layer's filters. At initialisation the three regimes have the same filters up
to scale (the same base draw x alpha), so the measures start equal and any difference comes from training.

Networks, bias-free (ReLU is 1-homogeneous, so first layer x alpha and readout / alpha leave the function at
initialisation unchanged):
- 1-D (quick): MNIST-1D (`numerics._data.mnist1d`, the published 4000/1000 split); conv(1 -> C, k) ReLU,
  conv(C -> C, 5, stride 2) ReLU, conv(C -> C, 5, stride 2) ReLU, flatten, linear (10).
- 2-D (gpu/paper): CIFAR-10 from `--data-dir` when it is there (per-channel standardised), else the procedural
  `shifted_template_images`; conv(3 -> C, k x k) ReLU, conv(C -> C, 3, stride 2) ReLU, conv(C -> C, 3,
  stride 2) ReLU, global average pool, linear (10).
One batched ensemble (grouped convolutions) trains a block of seeds x the three alphas; for one seed the three
alphas share the base initialisation and the minibatch order.
"""

from __future__ import annotations

import math

import numpy as np

from verify.core import seeding
from verify.core.claims import Measurement
from verify.lazy_rich._problems import exact
from verify.lazy_rich._unbalanced import REGIMES, make_optimizer, one_torch_thread, regime_alphas, seed_block, variant_configs

#: zero-padded DFT length per axis of the spectral measure
N_FFT = 32
#: the low-frequency band of the spectral concentration, cycles per sample
F_CUT = 0.25

_KEYS = ("dim", "channels", "kernel", "steps", "batch", "lr", "optimizer", "momentum", "weight_decay", "alpha_up",
         "alpha_down", "n_train", "n_test", "data", "dataset")


# ---------------------------------------------------------------------------------------------- measures
def spectral_concentration(filters: np.ndarray, dim: int) -> np.ndarray:
    """Per-filter fraction of energy at |f| <= F_CUT; `filters` (n, c_in, k) for dim 1, (n, c_in, k, k) for dim 2."""
    f = np.asarray(filters, float)
    if dim == 1:
        F = np.abs(np.fft.fft(f, n=N_FFT, axis=-1)) ** 2  # (n, c, N)
        freq = np.abs(np.fft.fftfreq(N_FFT))
        low = freq <= F_CUT
        return F[..., low].sum(axis=(-1, -2)) / F.sum(axis=(-1, -2))
    F = np.abs(np.fft.fft2(f, s=(N_FFT, N_FFT), axes=(-2, -1))) ** 2
    fr = np.fft.fftfreq(N_FFT)
    low = np.sqrt(fr[:, None] ** 2 + fr[None, :] ** 2) <= F_CUT
    return F[..., low].sum(axis=(-1, -2)) / F.sum(axis=(-1, -2, -3))


def total_variation(filters: np.ndarray, dim: int) -> np.ndarray:
    """Per-filter total variation over the l2 norm (scale-free); shapes as `spectral_concentration`."""
    f = np.asarray(filters, float)
    tv = np.abs(np.diff(f, axis=-1)).reshape(len(f), -1).sum(1)
    if dim == 2:
        tv = tv + np.abs(np.diff(f, axis=-2)).reshape(len(f), -1).sum(1)
    return tv / np.linalg.norm(f.reshape(len(f), -1), axis=1)


# ---------------------------------------------------------------------------------------------- data
def filter_data(cfg, data_dir):
    """(DataSplit as float torch tensors, description). dim 1: MNIST-1D; dim 2: CIFAR-10 when `data_dir` has it,
    else procedural images (`cfg['dataset']` "auto" | "synthetic")."""
    import torch

    from numerics._data import cifar10, mnist1d, shifted_template_images

    if cfg["dim"] == 1:
        d = mnist1d().torch()
        return d, "MNIST-1D (mnist1d package, published 4000/1000 split)"
    if cfg.get("dataset", "auto") == "auto" and data_dir:
        try:
            d = cifar10(data_dir)
        except (FileNotFoundError, ValueError):
            d = None
        if d is not None:
            xtr, xte = d.x_train[: cfg["n_train"]], d.x_test[: cfg["n_test"]]
            mu, sd = xtr.mean(axis=(0, 2, 3), keepdims=True), xtr.std(axis=(0, 2, 3), keepdims=True)
            out = type(d)(torch.as_tensor((xtr - mu) / sd), torch.as_tensor(d.y_train[: cfg["n_train"]]),
                          torch.as_tensor((xte - mu) / sd), torch.as_tensor(d.y_test[: cfg["n_test"]]), "cifar10")
            return out, f"CIFAR-10 from --data-dir ({cfg['n_train']} train / {cfg['n_test']} test images)"
    d = shifted_template_images(cfg["n_train"], cfg["n_test"], seed=0)
    why = "no --data-dir with CIFAR-10" if cfg.get("dataset", "auto") == "auto" else "dataset='synthetic' in the config"
    return d, f"procedural shifted-template images ({why}; {cfg['n_train']} train / {cfg['n_test']} test)"


# ---------------------------------------------------------------------------------------------- model
def _shapes(cfg, c_in):
    C, k, dim = cfg["channels"], cfg["kernel"], cfg["dim"]
    k2 = 5 if dim == 1 else 3
    sp = (k,) * dim
    sp2 = (k2,) * dim
    return [(C, c_in) + sp, (C, C) + sp2, (C, C) + sp2]


def _forward(Ws, A, x, dim):
    """x (B, E * c_in, *spatial) -> logits (E, B, 10); Ws[l] (E, C_out, C_in, *k), A (E, 10, F)."""
    import torch
    from torch.nn import functional

    conv = functional.conv1d if dim == 1 else functional.conv2d
    E = Ws[0].shape[0]
    h = x
    for i, W in enumerate(Ws):
        k = W.shape[-1]
        stride = 1 if i == 0 else 2
        h = torch.relu(conv(h, W.reshape(-1, *W.shape[2:]), stride=stride, padding=k // 2, groups=E))
    B = h.shape[0]
    h = h.reshape(B, E, Ws[-1].shape[1], -1)
    feats = h.flatten(2) if dim == 1 else h.mean(-1)  # (B, E, F)
    return torch.einsum("bef,ekf->ebk", feats, A)


def train_filters_block(cfg, seeds, device="cpu", data_dir=None, progress=None) -> dict:
    """Train (seed, alpha) members as one batched ensemble; returns the first-layer filters at init and at the
    end (seeds, alphas, C, c_in, *k), test accuracies (seeds, alphas), the data description."""
    import torch

    data, desc = filter_data(cfg, data_dir)
    data = data.to(device)
    dim = cfg["dim"]
    xtr, ytr, xte, yte = data.x_train, data.y_train, data.x_test, data.y_test
    if dim == 1:
        xtr, xte = xtr[:, None, :], xte[:, None, :]
    c_in = xtr.shape[1]
    alphas = regime_alphas(cfg)
    nS, nA = len(seeds), len(alphas)
    E = nS * nA
    shapes = _shapes(cfg, c_in)
    with torch.no_grad():
        probe = torch.zeros((1,) + tuple(xtr.shape[1:]))
        h = probe
        for i, s in enumerate(shapes):
            conv = torch.nn.functional.conv1d if dim == 1 else torch.nn.functional.conv2d
            h = conv(h, torch.zeros(s), stride=1 if i == 0 else 2, padding=s[-1] // 2)
        n_feat = h[0].numel() if dim == 1 else h.shape[1]
    Ws, A = [[] for _ in shapes], []
    for sd in seeds:
        g = seeding.torch_generator(sd, "filters_init")
        base = [torch.randn(s, generator=g) * math.sqrt(2.0 / (s[1] * int(np.prod(s[2:])))) for s in shapes]
        base_A = torch.randn(10, n_feat, generator=g) / math.sqrt(n_feat)
        for a in alphas:
            for l, b in enumerate(base):
                Ws[l].append(b * a if l == 0 else b)
            A.append(base_A / a)
    Ws = [torch.stack(w).to(device).requires_grad_() for w in Ws]
    A = torch.stack(A).to(device).requires_grad_()
    W0 = Ws[0].detach().clone()
    opt = make_optimizer(Ws + [A], cfg)
    gens = [seeding.torch_generator(sd, "filters_batches") for sd in seeds]
    n, B = len(ytr), cfg["batch"]
    steps = int(cfg["steps"])
    it = range(steps) if progress is None else progress(range(steps))
    for _ in it:
        idx = torch.stack([torch.randint(n, (B,), generator=g) for g in gens]).to(device)  # (S, B)
        idx = idx.repeat_interleave(nA, dim=0)  # (E, B): the alphas of a seed share its minibatch
        xb = xtr[idx]  # (E, B, c, *sp)
        xb = xb.transpose(0, 1).reshape(B, E * c_in, *xtr.shape[2:])
        logits = _forward(Ws, A, xb, dim)
        loss = torch.nn.functional.cross_entropy(logits.reshape(E * B, 10), ytr[idx].reshape(-1), reduction="sum") / B
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        correct = torch.zeros(E, device=device)
        for i0 in range(0, len(yte), 500):
            xx = xte[i0:i0 + 500]
            xb = xx[:, None].expand(len(xx), E, *xx.shape[1:]).reshape(len(xx), E * c_in, *xx.shape[2:])
            correct += (_forward(Ws, A, xb, dim).argmax(-1) == yte[i0:i0 + 500][None]).float().sum(1)
    shape = (nS, nA)
    return {"filters": Ws[0].detach().cpu().numpy().reshape(shape + tuple(Ws[0].shape[1:])),
            "filters_init": W0.cpu().numpy().reshape(shape + tuple(W0.shape[1:])),
            "test_acc": (correct / len(yte)).reshape(shape).cpu().numpy(), "alphas": np.array(alphas),
            "data": desc}


# ---------------------------------------------------------------------------------------------- claim sides
def filters_theory(ctx):
    return exact(np.zeros(4 * len(variant_configs(ctx.config))), reason="upstream (first layer small relative to the readout) learns first-layer features "
                 "rapidly; predicted simpler filters: spectral concentration upstream - balanced, upstream - downstream, "
                 "and normalised total variation balanced - upstream, downstream - upstream, all >= 0")


def _filters_variant(ctx, cfg, name):
    seeds = seed_block(cfg, ctx.seed)
    key = {k: cfg[k] for k in _KEYS if k in cfg}

    def run():
        with one_torch_thread(ctx.device):
            return train_filters_block(cfg, seeds, ctx.device, ctx.data_dir,
                                       progress=lambda it: ctx.progress(it, desc=f"CNN filters {name}"))

    res = ctx.shared("cnn_filters", run, per_seed=False, seeds=seeds, data_dir=str(ctx.data_dir), **key)
    row = seeds.index(ctx.seed)
    dim = cfg["dim"]
    filt = np.asarray(res["filters"])[row]  # (alphas, C, c_in, *k)
    sc = np.array([spectral_concentration(f, dim).mean() for f in filt])
    tv = np.array([total_variation(f, dim).mean() for f in filt])
    f0 = np.asarray(res["filters_init"])[row][1]
    value = [sc[0] - sc[1], sc[0] - sc[2], tv[1] - tv[0], tv[2] - tv[0]]
    info = {"data": str(res["data"]), "spectral_concentration": dict(zip(REGIMES, sc.round(4).tolist())),
            "total_variation": dict(zip(REGIMES, tv.round(4).tolist())),
            "at_init": {"spectral_concentration": float(spectral_concentration(f0, dim).mean()),
                        "total_variation": float(total_variation(f0, dim).mean())},
            "test_acc": dict(zip(REGIMES, np.asarray(res["test_acc"])[row].round(4).tolist())),
            "alphas": list(map(float, res["alphas"])), "optimizer": cfg.get("optimizer", "sgd")}
    raw = {"filters": filt, "sc": sc, "tv": tv, "alphas": np.asarray(res["alphas"])}
    return value, info, raw


def filters_practice(ctx):
    values, infos, raws = [], {}, {}
    for name, cfg in variant_configs(ctx.config):
        v, info, raw = _filters_variant(ctx, cfg, name)
        values += v
        infos[name] = info
        raws = raws or raw  # the figure draws the first variant
    first = next(iter(infos.values()))
    return Measurement(value=np.array(values), counters={"train_steps": int(ctx.config["steps"])},
                       info={"data": first["data"], "variants": infos}, raw=raws)


def filters_fig(ctx, prediction, measurements):
    """The first-layer filters of seed 0, one column per regime (1-D: curves; 2-D: RGB tiles)."""
    from verify.lazy_rich._figures import _plt

    plt = _plt()
    m = measurements[0]
    filt, dim = m.raw["filters"], ctx.config["dim"]
    n_show = min(8, filt.shape[1])
    fig, axes = plt.subplots(n_show, 3, figsize=(7, 1.0 * n_show + 1), squeeze=False)
    for j, name in enumerate(REGIMES):
        for i in range(n_show):
            ax = axes[i, j]
            f = filt[j, i]
            if dim == 1:
                ax.plot(f[0] / (np.abs(f).max() + 1e-12), "-o", ms=2, color="k")
                ax.set_ylim(-1.1, 1.1)
            else:
                img = np.transpose(f, (1, 2, 0))
                img = (img - img.min()) / (np.ptp(img) + 1e-12)
                ax.imshow(img if img.shape[-1] == 3 else img[..., 0], interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0, j].set_title(f"{name} (alpha={m.raw['alphas'][j]:g})\nSC={m.raw['sc'][j]:.2f}, TV={m.raw['tv'][j]:.2f}",
                             fontsize=8)
    fig.suptitle(f"First-layer filters after training, seed 0 ({m.info.get('data', '')})", fontsize=8)
    fig.tight_layout()
    return fig
