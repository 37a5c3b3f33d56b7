"""Claim 24: the deep-network experiments of Sec. 6, at CPU scale.

- Grokking **proxy**: a two-layer ReLU MLP on one-hot (a, b) -> (a + b) mod p trained by full-batch GD on the
  square loss with a small weight decay (our stand-in for the paper's transformer experiment, Sec. 6d, in the
  spirit of Gromov 2023; not the paper's set-up), first layer scaled by alpha and readout by 1/alpha per neuron
  from a balanced init (the function at init is the same for every alpha). Weight decay shrinks delta_k by
  (1 - lr wd)^2 per step, so the imbalance is an initial condition only. Test accuracy is evaluated every
  `eval_every` steps (1 in every profile): the time to grok is the first such step at which it reaches the
  threshold.
- Digits: kernel distance S(0, t) of the empirical NTK of a bias-free 3-layer ReLU MLP on scikit-learn's
  digits, first layer scaled by alpha and last layer by 1/alpha (again the same function at init).
"""

from __future__ import annotations

import math

import numpy as np

from numerics._data import digits
from theory.lazy_rich import kernel_distance
from verify.core.claims import Measurement
from verify.lazy_rich._problems import exact

# ============================================================================ 24a. grokking
def _grok_run(alpha: float, gen, c, device: str):
    """Full-batch GD on the square loss (one-hot targets) with a small weight decay; returns steps to threshold."""
    import torch  # lazily: torch is heavy, and discovering the claims must stay fast

    p, h = c["p"], c["width"]
    pairs = torch.cartesian_prod(torch.arange(p), torch.arange(p))
    perm = torch.randperm(p * p, generator=gen)
    ntr = int(c["train_fraction"] * p * p)
    X = torch.cat([torch.nn.functional.one_hot(pairs[:, 0], p), torch.nn.functional.one_hot(pairs[:, 1], p)], 1).float().to(device)
    Y = ((pairs[:, 0] + pairs[:, 1]) % p).to(device)
    Yo = torch.nn.functional.one_hot(Y, p).float()
    tr, te = perm[:ntr].to(device), perm[ntr:].to(device)
    W = torch.randn(h, 2 * p, generator=gen) / math.sqrt(2 * p)
    A = torch.randn(p, h, generator=gen) / math.sqrt(h)
    nw, na = W.norm(dim=1), A.norm(dim=0)
    gm = (nw * na).sqrt()  # balanced neuron: |w_k| = |a_k| with the same product; then w * alpha and a / alpha
    W = (W * (gm / nw)[:, None] * alpha).to(device).requires_grad_()
    A = (A * (gm / na)[None, :] / alpha).to(device).requires_grad_()

    def f(x):
        return torch.relu(x @ W.T) @ A.T

    steps_to, memorised, acc = float(c["max_steps"]), float("nan"), 0.0
    for s in range(c["max_steps"] + 1):
        if s % c["eval_every"] == 0:
            with torch.no_grad():
                acc = (f(X[te]).argmax(1) == Y[te]).float().mean().item()
                tracc = (f(X[tr]).argmax(1) == Y[tr]).float().mean().item()
            if tracc >= 0.99 and math.isnan(memorised):
                memorised = float(s)
            if acc >= c["test_acc"]:
                steps_to = float(s)
                break
        loss = 0.5 * ((f(X[tr]) - Yo[tr]) ** 2).sum(1).mean()
        gW, gA = torch.autograd.grad(loss, [W, A])
        if not math.isfinite(loss.item()):
            break
        with torch.no_grad():
            W -= c["lr"] * (gW + c["weight_decay"] * W)
            A -= c["lr"] * (gA + c["weight_decay"] * A)
    return steps_to, memorised, acc


def grok_theory(ctx):
    return exact(np.zeros(2), reason="upstream (small first layer relative to readout) makes the first layer learn "
                 "relatively faster: rapid feature learning, predicted to shorten the time to generalise; "
                 "measured log(t_balanced/t_upstream) and log(t_downstream/t_balanced) should be >= 0")


class _one_torch_thread:
    """Run small torch models on one thread, restoring the setting on exit: at these sizes (a few
    hundred rows) extra threads only spin, and on a loaded 2-core machine they cost 20x the CPU
    time (measured: 2.9 s on one thread against 69 s on two for one grokking run)."""

    def __enter__(self):
        import torch

        self.before = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.before)
        return False


def grok_practice(ctx):
    import torch  # lazily: torch is heavy, and discovering the claims must stay fast

    c = ctx.config
    res = {}
    for name, alpha in (("upstream", c["alpha_up"]), ("balanced", 1.0), ("downstream", c["alpha_down"])):
        gen = ctx.torch_generator("grok")  # the same data split and init for the three scalings
        if ctx.device == "cpu":
            with _one_torch_thread():
                res[name] = _grok_run(alpha, gen, c, ctx.device)
        else:
            res[name] = _grok_run(alpha, gen, c, ctx.device)
    t = {k: v[0] for k, v in res.items()}
    censored = sum(v >= c["max_steps"] for v in t.values())
    torch.set_grad_enabled(True)
    return Measurement(value=np.array([math.log(t["balanced"] / max(t["upstream"], 1.0)), math.log(t["downstream"] / max(t["balanced"], 1.0))]),
                       counters={"hit_max_steps": bool(censored), "train_steps": int(sum(t.values()))},
                       info={"steps_to_test_acc": t, "steps_to_memorise": {k: v[1] for k, v in res.items()},
                             "final_test_acc": {k: v[2] for k, v in res.items()}, "censored_runs": censored},
                       raw={"steps": np.array([t["upstream"], t["balanced"], t["downstream"]])})


# ============================================================================ 24b. digits kernel distance
def _digits_run(alpha: float, ctx, c):
    import torch  # lazily: torch is heavy, and discovering the claims must stay fast

    Xd, yd = digits()  # pixels / 16, in [0, 1]
    rng = ctx.rng("digits_split")
    idx = rng.permutation(len(yd))[: c["n_train"]]
    dev = ctx.device
    X = torch.tensor(Xd[idx], dtype=torch.float64, device=dev)
    Y = torch.nn.functional.one_hot(torch.tensor(yd[idx]), 10).double().to(dev)
    probe = X[: c["n_probe"]]
    gen = ctx.torch_generator("digits_init")
    widths = [64] + [c["width"]] * c["hidden_layers"] + [10]
    Ws = []
    for i in range(len(widths) - 1):
        W = torch.randn(widths[i + 1], widths[i], generator=gen, dtype=torch.float64) * math.sqrt(2.0 / widths[i])
        Ws.append(W)
    Ws[0] = Ws[0] * alpha  # upstream: small first layer ...
    Ws[-1] = Ws[-1] / alpha  # ... and a large last layer, the same function at init (ReLU is 1-homogeneous)
    params = [W.to(dev).requires_grad_() for W in Ws]

    def forward(ps, x):
        h = x
        for W in ps[:-1]:
            h = torch.relu(h @ W.T)
        return h @ ps[-1].T

    def ntk(ps):
        from torch.func import jacrev  # lazily, with torch

        jac = jacrev(lambda *q: forward(list(q), probe), argnums=tuple(range(len(ps))))(*[p.detach() for p in ps])
        J = torch.cat([j.reshape(probe.shape[0] * 10, -1) for j in jac], dim=1)
        return (J @ J.T).cpu().numpy()

    K0 = ntk(params)
    # learning rate from the initial NTK's top eigenvalue (same function-space speed for every alpha)
    lam = float(np.linalg.eigvalsh(K0)[-1]) / (probe.shape[0])
    lr = c["lr_scale"] / lam
    S_curve, steps_rec = [], []
    for s in range(c["steps"] + 1):
        if s in c["record_steps"]:
            S_curve.append(float(kernel_distance(K0, ntk(params))))
            steps_rec.append(s)
        if s == c["steps"]:
            break
        loss = 0.5 * ((forward(params, X) - Y) ** 2).sum(1).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p_, g_ in zip(params, grads):
                p_ -= lr * g_
    with torch.no_grad():
        acc = (forward(params, X).argmax(1) == Y.argmax(1)).double().mean().item()
    return np.array(S_curve), steps_rec, acc, lr


def digits_theory(ctx):
    return exact(np.zeros(len(ctx.config["alphas"]) - 1), reason="upstream init (smaller first layer relative to "
                 "later layers) gives faster relative learning of early layers, so a larger early kernel change; "
                 "measured differences S(alpha_k) - S(alpha_{k+1}) at the evaluation step should be >= 0")


def digits_practice(ctx):
    c = ctx.config
    curves, info = [], {}
    for alpha in c["alphas"]:
        S, steps_rec, acc, lr = _digits_run(alpha, ctx, c)
        curves.append(S)
        info[f"alpha{alpha:g}"] = {"S": S.tolist(), "train_acc": acc, "lr": lr}
    k = steps_rec.index(c["eval_step"])
    Sk = [cv[k] for cv in curves]
    return Measurement(value=np.array([Sk[i] - Sk[i + 1] for i in range(len(Sk) - 1)]),
                       info={"S_at_eval_step": Sk, "runs": info, "record_steps": steps_rec},
                       raw={"alphas": np.array(c["alphas"]), "steps": np.array(steps_rec), "S": np.stack(curves)},
                       counters={"train_steps": c["steps"] * len(c["alphas"])})
