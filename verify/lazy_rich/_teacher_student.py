"""Claim 23: the two-layer ReLU teacher-student phase diagram (the official code's Fig. 1b setup scaled
down: d, n, grid and seeds from the profile), full-batch GD on the mean-squared error with lr = lr0 / tau^2."""

from __future__ import annotations

import numpy as np

from numerics.lazy_rich import relu_gd, relu_ntk, teacher_student
from theory.lazy_rich import kernel_distance, relu_scales
from verify.core.claims import Measurement
from verify.lazy_rich._problems import exact

# ============================================================================ 23. ReLU teacher-student
def relu_metrics(a0, W0, A, W, X, Xte, yte):
    """Test MSE, S(0, t) (training-set NTK), Hamming distance (summed over neurons) and parameter distance."""
    test = float(np.mean((np.maximum(Xte @ W.T, 0) @ A - yte) ** 2))
    K0 = np.asarray(relu_ntk(a0, W0, X))
    K = np.asarray(relu_ntk(A, W, X))
    S = float(kernel_distance(K0, K))
    ham = float(np.sum(np.mean((X @ W0.T > 0) != (X @ W.T > 0), axis=0)))
    par = float(np.sqrt(np.sum((W - W0) ** 2) + np.sum((A - a0) ** 2)))
    return dict(test=test, S=S, hamming=ham, param=par)


def relu_grid(ctx):
    """One seed of the (tau, delta) grid; shared by the ReLU claims and the phase-diagram figure."""
    c = ctx.config
    taus, deltas = tuple(c["taus"]), tuple(c["deltas"])

    def run():
        rng = ctx.rng("teacher")
        X, y, Xte, yte = teacher_student(c["d"], c["n"], rng, n_test=c["n_test"])
        init_rng = ctx.rng("student")
        dirs = init_rng.normal(size=(c["m"] // 2, c["d"]))  # same directions for every (tau, delta)
        out = {}
        for tau in ctx.progress(taus, desc="relu grid"):
            for dl in deltas:
                nw, na = relu_scales(tau, dl)
                U = dirs / np.linalg.norm(dirs, axis=1, keepdims=True)
                W0 = np.concatenate([U, U]) * nw
                a0 = np.concatenate([np.ones(c["m"] // 2), -np.ones(c["m"] // 2)]) * na
                A, W = relu_gd(a0, W0, X, y, c["lr0"] / tau**2, (0, c["steps"]))
                out[(tau, dl)] = relu_metrics(a0, W0, A[-1], W[-1], X, Xte, yte)
                out[(tau, dl)]["test0"] = float(np.mean(yte**2))
        return out

    return ctx.shared("relu_grid", run, taus=taus, deltas=deltas, **{k: c[k] for k in ("d", "n", "m", "n_test", "lr0", "steps")})


def relu_rich_theory(ctx):
    return exact(np.zeros(5), reason="small tau: upstream neurons (delta > 0) rotate at rate ~ (delta + Sigma)/(2 mu), "
                 "so activation patterns reorganise fast while parameters move little; downstream directions are frozen")


def relu_rich_practice(ctx):
    c = ctx.config
    g = relu_grid(ctx)
    tau = c["tau_small"]
    up, bal, down = g[(tau, c["delta_up"])], g[(tau, 0.0)], g[(tau, c["delta_down"])]
    v = np.array([bal["test"] - up["test"], down["test"] - bal["test"], up["hamming"] - bal["hamming"],
                  bal["hamming"] - down["hamming"], bal["param"] - up["param"]])
    return Measurement(value=v, counters={"train_steps": c["steps"] * len(g)},
                       subgroups={"test_up_lt_bal": v[0], "test_bal_lt_down": v[1], "hamming_up_gt_bal": v[2],
                                  "hamming_bal_gt_down": v[3], "param_up_lt_bal": v[4]},
                       info={"upstream": up, "balanced": bal, "downstream": down})


def relu_lazy_theory(ctx):
    c = ctx.config
    return exact(np.array([c["S_max"], c["hamming_max"]]), reason="large overall scale tau: the NTK regime for every delta")


def relu_lazy_practice(ctx):
    c = ctx.config
    g = relu_grid(ctx)
    tau = c["tau_large"]
    S = max(g[(tau, dl)]["S"] for dl in c["deltas"])
    H = max(g[(tau, dl)]["hamming"] for dl in c["deltas"])
    return Measurement(value=np.array([S, H]), info={f"delta{dl:+g}": g[(tau, dl)] for dl in c["deltas"]})


