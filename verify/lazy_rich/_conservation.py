"""Conservation laws (brief claims 1-4): delta of one neuron under gradient flow and GD, Delta_l of
wide, multi-output and deep linear nets, and the per-neuron delta_k of two-layer ReLU nets."""

from __future__ import annotations

import numpy as np

from numerics.lazy_rich import deep_linear_flow, gradient_flow, relu_flow, relu_gd, single_neuron_gd, teacher_student
from theory.lazy_rich import conserved_matrices, relu_deltas
from verify.core.claims import Measurement
from verify.lazy_rich._problems import ODE_TOL, exact, general_problem, solver_counters

# ============================================================================ 1. conservation
def delta_conserved_theory(ctx):
    return exact(0.0, derivation="lazy_rich.conservation: d delta/dt = 0 symbolically for any X, y")


def delta_conserved_practice(ctx):
    c = ctx.config
    rng = ctx.rng("problem")
    X, y = general_problem(rng, c["n"], c["d"])
    a0 = rng.normal(size=c["batch"]) * rng.choice([0.3, 1.0, 2.0], size=c["batch"])
    w0 = rng.normal(size=(c["batch"], c["d"])) * rng.choice([0.3, 1.0, 2.0], size=(c["batch"], 1))
    t = np.linspace(0, c["t_max"], 201)
    a, w, info = gradient_flow(a0, w0, X, y, t, c["eta_a"], c["eta_w"], full_output=True, **ODE_TOL)
    dl = c["eta_w"] * a**2 - c["eta_a"] * np.sum(w**2, -1)
    spread = np.max(np.abs(dl - dl[:, :1]), axis=1) / np.maximum(1.0, np.abs(dl[:, 0]))
    return Measurement(value=float(spread.max()), instances=spread, counters=solver_counters(info),
                       info={"delta0_range": [float(dl[:, 0].min()), float(dl[:, 0].max())]})


# ============================================================================ 2. GD drift
def gd_drift_theory(ctx):
    return exact(0.5, reason="one GD step changes delta by h^2 eta_a eta_w (eta_a (w.g)^2 - eta_w a^2 |g|^2), g = X^T rho, "
                 "so the drift at fixed T = h * steps is O(h): halving h halves it")


def gd_drift_practice(ctx):
    c = ctx.config
    rng = ctx.rng("problem")
    X, y = general_problem(rng, c["n"], c["d"])
    a0, w0 = float(rng.normal()), rng.normal(size=c["d"])
    drifts = []
    for h in (c["h"], c["h"] / 2):
        steps = int(round(c["T"] / h))
        a, w = single_neuron_gd(a0, w0, X, y, h, steps, c["eta_a"], c["eta_w"])
        dl = c["eta_w"] * a**2 - c["eta_a"] * np.sum(w**2, -1)
        drifts.append(abs(dl[-1] - dl[0]))
    return Measurement(value=drifts[1] / drifts[0], counters={"train_steps": int(3 * c["T"] / c["h"])},
                       info={"drift_h": drifts[0], "drift_h_half": drifts[1]})



# ============================================================================ 3. deep / wide / multi-output
def _nets(rng, c):
    """(name, weights, etas, X, Y) for a wide, a multi-output and a deep linear network."""
    n, d = c["n"], c["d"]
    X = rng.normal(size=(n, d)) / np.sqrt(n)
    out = []
    for name, widths, etas in (
        ("wide", [d, 6, 1], [0.6, 1.7]),
        ("multi_output", [d, 5, 3], [1.5, 0.4]),
        ("deep", [d, 3, 3, 2], [1.0, 0.5, 2.0]),
    ):
        Ws = [rng.normal(size=(widths[i + 1], widths[i])) * 0.7 for i in range(len(widths) - 1)]
        Y = rng.normal(size=(n, widths[-1]))
        out.append((name, Ws, etas, X, Y))
    return out


def _deep_runs(ctx):
    c = ctx.config

    def run():
        rng = ctx.rng("nets")
        t = np.linspace(0, c["t_max"], 51)
        res = []
        for name, Ws, etas, X, Y in _nets(rng, c):
            traj, info = deep_linear_flow(Ws, X, Y, t, etas, full_output=True, rtol=1e-12, atol=1e-13)
            res.append(dict(name=name, traj=traj, etas=etas, steps=info["solver_steps"], ok=info["success"]))
        return res

    return ctx.shared("deep_runs", run, n=c["n"], d=c["d"], t_max=c["t_max"])


def deep_conserved_theory(ctx):
    return exact(np.zeros(3), derivation="lazy_rich.deep_conservation: d/dt Delta_l = 0 for any loss")


def deep_conserved_practice(ctx):
    drifts, unweighted, steps = [], [], 0
    for r in _deep_runs(ctx):
        L = len(r["traj"])
        T = r["traj"][0].shape[0]
        D = [conserved_matrices([r["traj"][l][k] for l in range(L)], r["etas"]) for k in range(T)]
        U = [conserved_matrices([r["traj"][l][k] for l in range(L)]) for k in range(T)]
        worst = 0.0
        for li in range(L - 1):
            ref = max(1.0, float(np.max(np.abs(D[0][li]))))
            worst = max(worst, max(float(np.max(np.abs(D[k][li] - D[0][li]))) for k in range(T)) / ref)
        drifts.append(worst)
        unweighted.append(max(float(np.max(np.abs(U[k][li] - U[0][li]))) for k in range(T) for li in range(L - 1)))
        steps += r["steps"]
    return Measurement(value=np.array(drifts), counters={"solver_steps": steps},
                       subgroups={"wide": drifts[0], "multi_output": drifts[1], "deep": drifts[2]},
                       info={"unweighted_change": unweighted})


def unweighted_theory(ctx):
    return exact(np.full(3, ctx.config["threshold"]), reason="W_{l+1}^T W_{l+1} - W_l W_l^T changes at rate "
                 "(eta_{l+1}/eta_l - 1) d(W_l W_l^T)/dt, nonzero whenever eta_l != eta_{l+1} and the net learns")


def unweighted_practice(ctx):
    m = deep_conserved_practice(ctx)
    return Measurement(value=np.array(m.info["unweighted_change"]), counters=m.counters)


# ============================================================================ 4. ReLU
def _relu_problem(ctx):
    c = ctx.config
    rng = ctx.rng("relu")
    X, y, _, _ = teacher_student(c["d"], c["n"], rng)
    # generic (non-paired) Gaussian init: symmetric pairs can trap a hyperplane on a data point
    # (Filippov sliding), which no adaptive ODE solver integrates to 1e-9
    W0 = rng.normal(size=(c["m"], c["d"])) * c["init_scale"]
    a0 = rng.normal(size=c["m"]) * c["init_scale"]
    return X, y, a0, W0


def _relu_run(ctx):
    c = ctx.config

    def run():
        X, y, a0, W0 = _relu_problem(ctx)
        t = np.linspace(0, c["t_max"], 61)
        A, W, info = relu_flow(a0, W0, X, y, t, c["eta_a"], c["eta_w"], full_output=True, rtol=1e-12, atol=1e-13, max_steps=100_000)
        ok = np.all(np.isfinite(A), axis=1) & np.all(np.isfinite(W), axis=(1, 2))
        Z = np.einsum("tkd,nd->tkn", W[ok], X)
        flips = int(np.sum((Z[1:] > 0) != (Z[:-1] > 0)))
        return dict(A=A[ok], W=W[ok], info=info, t_reached=float(t[ok][-1]), activation_flips=flips)

    return ctx.shared("relu_flow", run, **{k: c[k] for k in ("d", "n", "m", "init_scale", "t_max", "eta_a", "eta_w")})


def _relu_counters(r):
    return {"solver_steps": r["info"]["solver_steps"], "hit_max_steps": not r["info"]["success"],
            "t_reached": r["t_reached"], "activation_flips": r["activation_flips"]}


def relu_conserved_theory(ctx):
    return exact(0.0, reason="per-neuron delta_k: sigma'(z) z = sigma(z) for (leaky) ReLU makes the two terms cancel")


def relu_conserved_practice(ctx):
    c = ctx.config
    r = _relu_run(ctx)
    dk = relu_deltas(r["A"], r["W"], c["eta_a"], c["eta_w"])
    drift = float(np.max(np.abs(dk - dk[:1])) / max(1.0, float(np.max(np.abs(dk[0])))))
    return Measurement(value=drift, counters=_relu_counters(r))


def relu_offdiag_theory(ctx):
    return exact(ctx.config["threshold"], reason="off-diagonal entries of eta_w a a^T - eta_a W W^T are not conserved "
                 "(the activation masks differ between neurons); they change by O(1) relative to their scale")


def relu_offdiag_practice(ctx):
    c = ctx.config
    r = _relu_run(ctx)
    A, W = r["A"], r["W"]
    Dm = c["eta_w"] * A[:, :, None] * A[:, None, :] - c["eta_a"] * np.einsum("tkd,tld->tkl", W, W)
    off = ~np.eye(A.shape[1], dtype=bool)
    change = np.max(np.abs(Dm[:, off] - Dm[:1, off]))
    scale = np.max(np.abs(Dm[0][off]))
    return Measurement(value=float(change / scale), info={"offdiag_scale": float(scale)}, counters=_relu_counters(r))


def relu_gd_theory(ctx):
    return exact(0.5, reason="each GD step changes delta_k by O(h^2), so the drift at fixed time T is O(h)")


def relu_gd_practice(ctx):
    c = ctx.config
    X, y, a0, W0 = _relu_problem(ctx)
    drifts = []
    for h in (c["h"], c["h"] / 2):
        steps = int(round(c["t_max"] / h))
        A, W = relu_gd(a0, W0, X, y, h, (0, steps), c["eta_a"], c["eta_w"])
        dk = relu_deltas(A, W, c["eta_a"], c["eta_w"])
        drifts.append(float(np.max(np.abs(dk[-1] - dk[0]))))
    return Measurement(value=drifts[1] / drifts[0], info={"drift_h": drifts[0], "drift_h_half": drifts[1]},
                       counters={"train_steps": int(3 * c["t_max"] / c["h"])})


