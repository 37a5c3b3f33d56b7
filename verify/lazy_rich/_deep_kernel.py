"""Issue 18, `lazy_rich.deep_kernel_distance` (Sec. 6a): empirical-NTK kernel distance S(0, t) of deep nets.

Set-up (our reconstruction; the paper's architectures, data and alpha grid were not recovered, brief §3.3):
- data: MNIST-1D (40-point 1-D digits, 10 classes; `numerics._data.mnist1d`, the published 4000/1000 split),
  `n_train` training examples drawn by the seed, `n_probe` of them as the NTK probe set;
- nets (bias-free ReLU, so scaling the first layer by alpha and the last by 1/alpha leaves the function at
  init unchanged: matched overall scale): an MLP 40 -> h -> h -> 10 and a 1-D CNN (3 convolutions, kernel 5,
  strides 1, 2, 2, `channels` channels, then a linear readout), He-normal init before the scaling;
- training: cross-entropy, minibatches of `batch`, either SGD with the learning rate normalised per member by
  the initial NTK's top eigenvalue (the same function-space speed for every alpha) or Adam at a fixed rate;
- S(0, t) = 1 - <K_0, K_t>_F / (|K_0|_F |K_t|_F) of the full (n_probe*10)^2 empirical NTK (Fort et al. 2020).

All (replica, alpha) members of one architecture and optimiser train as ONE batched model (`torch.func`:
stacked parameters, `vmap`); replica r's init comes from its own stream `ctx.torch_generator(f"kernel_replica{r}")`
and the members of a replica share their minibatch order. The claim's value is, per replica, the smallest
over the varied settings (architecture, optimiser, alpha pair, evaluation step) of
min(log S_up/S_bal, log S_bal/S_down), averaged over replicas with its standard error.
"""

from __future__ import annotations

import math

import numpy as np

from verify.core.claims import Measurement, Prediction


def _shapes(arch: str, c) -> list[tuple[int, ...]]:
    if arch == "mlp":
        h = c["width"]
        return [(h, 40), (h, h), (10, h)]
    ch = c["channels"]
    return [(ch, 1, 5), (ch, ch, 5), (ch, ch, 5), (10, ch * 10)]


def forward(arch: str, params, x):
    """One member's logits; `params` a list of weight tensors, `x` (n, 40)."""
    import torch

    if arch == "mlp":
        h = torch.relu(x @ params[0].T)
        h = torch.relu(h @ params[1].T)
        return h @ params[2].T
    conv = torch.nn.functional.conv1d
    h = torch.relu(conv(x[:, None, :], params[0], padding=2))
    h = torch.relu(conv(h, params[1], padding=2, stride=2))
    h = torch.relu(conv(h, params[2], padding=2, stride=2))
    return h.flatten(1) @ params[3].T


def init_members(arch: str, c, alphas, gens, dtype, device):
    """Stacked He-normal weights for members (replica r, alpha a) in replica-major order; the first layer x alpha,
    the last / alpha. Replica r's weights come from `gens[r]` and are shared by its alphas before scaling."""
    import torch

    shapes = _shapes(arch, c)
    per_rep = []
    for g in gens:
        ws = []
        for s in shapes:
            fan_in = int(np.prod(s[1:]))
            ws.append(torch.randn(*s, generator=g, dtype=dtype) * math.sqrt(2.0 / fan_in))
        per_rep.append(ws)
    stacked = []
    A = len(alphas)
    for li in range(len(shapes)):
        rows = []
        for ws in per_rep:
            for a in alphas:
                f = a if li == 0 else (1.0 / a if li == len(shapes) - 1 else 1.0)
                rows.append(ws[li] * f)
        stacked.append(torch.stack(rows).to(device))
    return stacked, A


def member_ntk(arch: str, params_one, probe):
    """Full empirical NTK (n_probe*10 square) of one member."""
    import torch
    from torch.func import jacrev

    jac = jacrev(lambda *q: forward(arch, list(q), probe), argnums=tuple(range(len(params_one))))(*params_one)
    J = torch.cat([j.reshape(probe.shape[0] * 10, -1) for j in jac], dim=1).double()  # S in float64 (it can be ~1e-6)
    return J @ J.T


def _S(K0, K):
    return max(1.0 - float((K0 * K).sum() / (K0.norm() * K.norm())), 1e-300)


def train_members(arch: str, optimiser: str, params, X, Y, probe, c, order_gen, device):
    """Train the stacked members; returns S(0, t) at `record_steps` (array (B, len(record_steps)))."""
    import torch
    from torch.func import grad, vmap

    B = params[0].shape[0]

    def loss_one(ps, x, y):
        return torch.nn.functional.cross_entropy(forward(arch, ps, x), y)

    grad_all = vmap(grad(loss_one), in_dims=(0, None, None))

    def ntks(ps):
        return [member_ntk(arch, [p[b] for p in ps], probe) for b in range(B)]

    K0 = ntks(params)
    if optimiser == "sgd":  # lr per member from the initial NTK's top eigenvalue (per probe input)
        lam = torch.stack([torch.linalg.eigvalsh(K)[-1] for K in K0]) / probe.shape[0]
        lr = (c["sgd_lr_scale"] / lam).to(device)
    else:
        lr = torch.full((B,), c["adam_lr"], dtype=params[0].dtype, device=device)
        m1 = [torch.zeros_like(p) for p in params]
        m2 = [torch.zeros_like(p) for p in params]
    rec = sorted(set(int(s) for s in c["record_steps"]))
    S = {0: [0.0] * B}
    n = X.shape[0]
    for step in range(1, rec[-1] + 1):
        idx = torch.randint(0, n, (c["batch"],), generator=order_gen).to(device)
        gs = grad_all(params, X[idx], Y[idx])
        with torch.no_grad():
            for i, (p, g_) in enumerate(zip(params, gs)):
                lrb = lr.view(-1, *([1] * (p.ndim - 1)))
                if optimiser == "sgd":
                    p -= lrb * g_
                else:
                    m1[i].mul_(0.9).add_(0.1 * g_)
                    m2[i].mul_(0.999).add_(0.001 * g_**2)
                    mh, vh = m1[i] / (1 - 0.9**step), m2[i] / (1 - 0.999**step)
                    p -= lrb * mh / (vh.sqrt() + 1e-8)
        if step in rec:
            Kt = ntks(params)
            S[step] = [_S(a, b) for a, b in zip(K0, Kt)]
    return np.array([S[s] for s in rec]).T  # (B, len(rec))


def deep_kernel_theory(ctx):
    return Prediction(value=0.0, info={"reason": "upstream (first layer small relative to later layers) lets the early layers "
                                       "learn relatively faster, so the NTK moves further from its initial value; downstream "
                                       "re-weights fixed features: min(log S_up/S_bal, log S_bal/S_down) > 0"})


def deep_kernel_practice(ctx):
    import torch

    from numerics._data import mnist1d

    c = ctx.config
    dtype = getattr(torch, c["dtype"])
    dev = ctx.device
    data = mnist1d()
    rng = ctx.rng("kernel_split")
    idx = rng.permutation(data.x_train.shape[0])[: c["n_train"]]
    X = torch.tensor(np.asarray(data.x_train)[idx], dtype=dtype, device=dev)
    Y = torch.tensor(np.asarray(data.y_train)[idx], dtype=torch.long, device=dev)
    probe = X[: c["n_probe"]]
    alphas = sorted({*c["alpha_up"], 1.0, *c["alpha_down"]})
    R = c["replicas"]
    curves, effects, names = {}, [], []
    rec = sorted(set(int(s) for s in c["record_steps"]))
    with torch.enable_grad():
        for arch in c["archs"]:
            for opt in c["optimisers"]:
                gens = [ctx.torch_generator(f"kernel_replica{r}") for r in range(R)]
                params, A = init_members(arch, c, alphas, gens, dtype, dev)
                S = train_members(arch, opt, params, X, Y, probe, c, ctx.torch_generator(f"kernel_order_{arch}_{opt}"), dev)
                S = S.reshape(R, A, len(rec))
                curves[f"{arch}/{opt}"] = S
                ib = alphas.index(1.0)
                for au in c["alpha_up"]:
                    for ad in c["alpha_down"]:
                        for s in c["eval_steps"]:
                            k = rec.index(int(s))
                            up, bal, down = S[:, alphas.index(au), k], S[:, ib, k], S[:, alphas.index(ad), k]
                            effects.append(np.minimum(np.log(up / bal), np.log(bal / down)))
                            names.append(f"{arch}/{opt}, alpha {au:g}/1/{ad:g}, step {s}")
    effects = np.array(effects)  # (V, R)
    per_rep = effects.min(0)
    means = effects.mean(1)
    return Measurement(
        value=float(per_rep.mean()), stderr=float(per_rep.std(ddof=1) / math.sqrt(R)) if R > 1 else None, instances=per_rep,
        raw={"S": np.stack([curves[k] for k in curves]), "alphas": np.array(alphas), "steps": np.array(rec),
             "variants": np.array(list(curves))},
        counters={"train_steps": int(rec[-1] * len(curves)), "members": int(R * len(alphas) * len(curves))},
        info={"per_variation_mean": dict(zip(names, means.round(4).tolist())),
              "weakest_variation": names[int(np.argmin(means))], "replicas": R,
              "median_S_at_last_step": {k: dict(zip([f"alpha={a:g}" for a in alphas],
                                                    np.median(v[:, :, -1], 0).round(4).tolist())) for k, v in curves.items()}})
