"""Issue 18, `lazy_rich.xor_partition_rapid` (Fig. 5): activation partitions of a two-layer ReLU net on XOR.

Set-up (our reconstruction; the paper's XOR details were not recovered, brief §3.2):
- data: n points in 2-D from four Gaussian clusters at (+-c, +-c) (std `sigma`), label sign(x_1 x_2); a constant
  input 1 is appended, so each neuron's partition line w_k . (x, 1) = 0 can move anywhere in the plane;
- net: f(x) = sum_k a_k relu(w_k . (x, 1)), m neurons in pairs with equal w and opposite a (f = 0 at init:
  the "almost zero input-output map"); |w_k| = tau alpha, |a_k| = tau / alpha with alpha from (tau, delta)
  (the official code's parameterisation, brief §2.4): a_k^2 - |w_k|^2 = delta, |a_k||w_k| = tau^2;
- training: full-batch GD on the mean-squared error, lr = lr0 / tau^2 (official rule);
- measured at checkpoints: the Hamming distance (per neuron, fraction of training inputs whose activation
  changed since init, summed over neurons) and the parameter distance sqrt(|W - W0|^2 + |a - a0|^2).

Every member of the (replica, tau, delta) grid trains in ONE batched model (stacked weights, einsum); each
replica r has its own seed stream (`ctx.torch_generator(f"xor_replica{r}")`: data and init directions), shared
by its grid points (common random numbers). The claim's value is, per replica, the smallest over the varied
settings (delta pairs +-delta and checkpoints) of log[(H/P)_upstream / (H/P)_downstream] at tau_small, averaged
over replicas with its standard error.
"""

from __future__ import annotations

import math

import numpy as np

from verify.core.claims import Measurement, Prediction


def _alpha(tau: float, delta: float) -> float:
    """alpha with |w| = tau alpha, |a| = tau/alpha and a^2 - |w|^2 = delta (written here, not the theory's relu_scales)."""
    q = delta / tau**2
    al2 = (math.sqrt(4.0 + q * q) - q) / 2 if q <= 0 else 2.0 / (math.sqrt(4.0 + q * q) + q)  # no cancellation
    return math.sqrt(al2)


def xor_replica(gen, c, dtype):
    """One replica's data (X with the constant input, y) and unit init directions (m/2 pairs)."""
    import torch  # lazily: torch is heavy, and discovering the claims must stay fast

    n, m = c["n"], c["m"]
    cl = torch.randint(0, 4, (n,), generator=gen)
    centres = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]], dtype=dtype) * c["centre"]
    x = centres[cl] + c["sigma"] * torch.randn(n, 2, generator=gen, dtype=dtype)
    X = torch.cat([x, torch.ones(n, 1, dtype=dtype)], 1)
    U = torch.randn(m // 2, 3, generator=gen, dtype=dtype)
    U = U / U.norm(dim=1, keepdim=True)
    return X, torch.sign(x[:, 0] * x[:, 1]), torch.cat([U, U])


def xor_train(X, y, U, taus, deltas, c, device="cpu"):
    """Train the batched ensemble: X (R, n, 3), y (R, n), U (R, m, 3) -> dict of (K, R, T, D) arrays at the checkpoints.

    Member (r, i, j) has tau = taus[i], delta = deltas[j] and replica r's data and directions."""
    import torch

    dtype = X.dtype
    X, y, U = X.to(device), y.to(device), U.to(device)
    R, n, m = X.shape[0], X.shape[1], U.shape[1]
    grid = [(t, d) for t in taus for d in deltas]
    al = torch.tensor([_alpha(t, d) for t, d in grid], dtype=dtype, device=device)
    tau = torch.tensor([t for t, _ in grid], dtype=dtype, device=device)
    lr = (c["lr0"] / tau**2)[None, :, None]
    sign = torch.cat([torch.ones(m // 2), -torch.ones(m // 2)]).to(dtype=dtype, device=device)
    W = U[:, None] * (tau * al)[None, :, None, None]  # (R, G, m, 3)
    a = sign[None, None, :] * (tau / al)[None, :, None].expand(R, -1, m)  # (R, G, m)
    W0, a0 = W.clone(), a.clone()
    mask0 = torch.einsum("rnk,rgmk->rgnm", X, W0) > 0
    checkpoints = sorted(set(int(s) for s in c["checkpoints"]))
    rec = {k: [] for k in ("hamming", "param", "readout_share", "loss")}
    for s in range(1, checkpoints[-1] + 1):
        pre = torch.einsum("rnk,rgmk->rgnm", X, W)
        act = pre.clamp_min(0)
        res = torch.einsum("rgnm,rgm->rgn", act, a) - y[:, None]
        ga = (2.0 / n) * torch.einsum("rgnm,rgn->rgm", act, res)
        gW = (2.0 / n) * torch.einsum("rgn,rgnm,rnk->rgmk", res, (pre > 0).to(dtype), X) * a[..., None]
        a = a - lr * ga
        W = W - lr[..., None] * gW
        if s in checkpoints:  # evaluated on the device; moved to the host once at the end
            pre = torch.einsum("rnk,rgmk->rgnm", X, W)
            rec["hamming"].append(((pre > 0) != mask0).to(dtype).mean(2).sum(2))
            dw, da = ((W - W0) ** 2).sum((2, 3)), ((a - a0) ** 2).sum(2)
            rec["param"].append((dw + da).sqrt())
            rec["readout_share"].append(da / (dw + da))
            rec["loss"].append(((torch.einsum("rgnm,rgm->rgn", pre.clamp_min(0), a) - y[:, None]) ** 2).mean(2))
    shape = (len(checkpoints), R, len(taus), len(deltas))
    return {k: torch.stack(v).reshape(shape).cpu().numpy() for k, v in rec.items()} | {"checkpoints": np.array(checkpoints)}


def xor_theory(ctx):
    return Prediction(value=0.0, info={"reason": "small tau: an upstream neuron's direction turns at rate ~ (delta + Sigma)/(2 mu) "
                                       "while its magnitude moves slowly, so its partition changes a lot per unit of parameter "
                                       "change; downstream directions are frozen and readouts re-weight them: "
                                       "log[(H/P)_up / (H/P)_down] > 0"})


def xor_practice(ctx):
    import torch

    c = ctx.config
    dtype = getattr(torch, c["dtype"])
    reps = [xor_replica(ctx.torch_generator(f"xor_replica{r}"), c, dtype) for r in range(c["replicas"])]
    X, y, U = (torch.stack(z) for z in zip(*reps))
    taus, deltas = list(c["taus"]), list(c["deltas"])
    out = xor_train(X, y, U, taus, deltas, c, device=ctx.device)
    it = taus.index(c["tau_small"])
    ratio = out["hamming"] / out["param"]  # (K, R, T, D)
    variations, effects = [], []
    for dl in c["delta_pairs"]:
        up, down = deltas.index(dl), deltas.index(-dl)
        for k, step in enumerate(out["checkpoints"]):
            if step in c["eval_steps"]:
                effects.append(np.log(ratio[k, :, it, up] / ratio[k, :, it, down]))
                variations.append(f"delta=+-{dl:g}, step {int(step)}")
    effects = np.array(effects)  # (V, R)
    per_rep = effects.min(0)
    R = per_rep.size
    ib = deltas.index(0.0)
    k_main = list(out["checkpoints"]).index(c["eval_steps"][-1])
    up1, down1 = deltas.index(max(c["delta_pairs"])), deltas.index(-max(c["delta_pairs"]))
    med = {name: {"hamming": float(np.median(out["hamming"][k_main, :, it, j])), "param": float(np.median(out["param"][k_main, :, it, j])),
                  "readout_share": float(np.median(out["readout_share"][k_main, :, it, j])),
                  "loss": float(np.median(out["loss"][k_main, :, it, j]))}
           for name, j in (("upstream", up1), ("balanced", ib), ("downstream", down1))}
    return Measurement(
        value=float(per_rep.mean()), stderr=float(per_rep.std(ddof=1) / math.sqrt(R)) if R > 1 else None, instances=per_rep,
        raw={k: v for k, v in out.items()} | {"taus": np.array(taus), "deltas": np.array(deltas)},
        counters={"train_steps": int(out["checkpoints"][-1]), "members": int(R * len(taus) * len(deltas))},
        info={"per_variation_mean": dict(zip(variations, effects.mean(1).round(4).tolist())),
              "log_ratio_up_bal": float(np.mean(np.log(ratio[k_main, :, it, up1] / ratio[k_main, :, it, ib]))),
              "log_ratio_bal_down": float(np.mean(np.log(ratio[k_main, :, it, ib] / ratio[k_main, :, it, down1]))),
              f"tau={c['tau_small']:g}, step {int(c['eval_steps'][-1])}, median over replicas": med, "replicas": R})
