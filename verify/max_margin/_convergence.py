"""Convergence of the normalised gradient flow to the KKT point of (P_Lambda) (toy examples A-1..A-3).

Theory: the exact (P_Lambda) solutions in function space (`theory.max_margin.affine_max_margin`)
and, for the homogeneous H3, the Lyu-Li point by SLSQP. Practice: the batched diffrax integration
of every example (`_experiments.run_examples`).
"""

from __future__ import annotations

import numpy as np

from theory.max_margin import paper_models
from verify.core.claims import Measurement, Prediction
from verify.max_margin._common import PENALISE, decay_exponent, exact, h3_lyu_li
from verify.max_margin._experiments import counters, examples

__all__ = [
    "a3_theory", "a3_practice",
    "kkt_residual_theory", "kkt_residual_practice",
    "multipliers_theory", "multipliers_practice",
    "homogeneous_theory", "homogeneous_practice",
    "a1_theory", "a1_practice",
    "logistic_theory", "logistic_practice",
]


def a3_theory(ctx):
    sols = {m: exact("A3", PENALISE[m]) for m in ("M1", "M2", "M3")}
    val = np.concatenate([sols[m].vector for m in ("M1", "M2", "M3")])
    return Prediction(value=val, raw={"pred": val.reshape(3, 3)},
                      info={m: [str(v) for v in (*s.u, s.c)] for m, s in sols.items()})


def a3_practice(ctx):
    run = examples(ctx)
    keys = ["A3/M1", "A3/M2", "A3/M3"]
    val = np.concatenate([run[k]["pred"].mean(axis=0) for k in keys])
    info = {}
    raw = {}
    for k in keys:
        r = run[k]
        e = r["kkt_traj_ell"]
        info[k] = {"spread_over_inits": float(np.ptp(r["pred"], axis=0).max()),
                   "kkt_residual_final": float(r["kkt_stationarity"].mean()),
                   "kkt_decay_exponent_vs_ell": decay_exponent(e, r["kkt_traj"]),
                   "log10_t_final": float(r["log10_t_final"].mean())}
        tag = k.split("/")[1]
        raw[f"{tag}_ell"], raw[f"{tag}_log10_t"], raw[f"{tag}_pred"] = r["traj_ell"], r["traj_log10_t"], r["traj_pred"]
    return Measurement(value=val, raw=raw, info=info, counters=counters(run, keys))


def kkt_residual_theory(ctx):
    return Prediction(value=np.zeros(4))


def kkt_residual_practice(ctx):
    run = examples(ctx)
    keys = ["A3/M1", "A3/M2", "A3/M3", "A3/H3"]
    val = np.array([run[k]["kkt_stationarity"].max() for k in keys])
    raw = {f"{k.split('/')[1]}_{n}": run[k][f"kkt_traj{s}"] for k in keys for n, s in (("ell", "_ell"), ("res", ""))}
    info = {k: {"decay_exponent_vs_ell": decay_exponent(run[k]["kkt_traj_ell"], run[k]["kkt_traj"])} for k in keys}
    return Measurement(value=val, raw=raw, info=info, counters=counters(run, keys))


def multipliers_theory(ctx):
    s = exact("A3", "bias")
    return Prediction(value=np.array([float(v) for v in s.mu]), info={"mu": [str(v) for v in s.mu]})


def multipliers_practice(ctx):
    run = examples(ctx)
    r = run["A3/M3"]
    return Measurement(value=r["kkt_mu"].mean(axis=0), counters=counters(run, ["A3/M3"]),
                       info={"theta_hat": r["theta_hat"].mean(axis=0).tolist()})


def homogeneous_theory(ctx):
    m1 = exact("A2", "all").vector
    h3 = h3_lyu_li()
    qh = paper_models()["H3"].quasi_homogeneity
    return Prediction(value=np.concatenate([m1, h3]),
                      info={"H3_degree": str(qh.degree), "H3_homogeneous": qh.is_homogeneous,
                            "M1_A2": [str(v) for v in (*exact("A2", "all").u, exact("A2", "all").c)]})


def homogeneous_practice(ctx):
    run = examples(ctx)
    return Measurement(value=np.concatenate([run["A2/M1"]["pred"].mean(0), run["A3/H3"]["pred"].mean(0)]),
                       counters=counters(run, ["A2/M1", "A3/H3"]))


def a1_theory(ctx):
    def x0(s):
        return -float(s.c) / float(s.u[0])

    vals = [x0(exact("A1", "all")), x0(exact("A1", "bias")), x0(exact("A1", "slope")),
            x0(exact("A1", "slope", bias=False))]
    return Prediction(value=np.array(vals), info={"order": ["w x + b", "w^2 x + b", "w x + b^3 (b0>0)",
                                                            "w x + b^3 (b0<0): KKT point b = 0, not optimal"]})


def a1_practice(ctx):
    run = examples(ctx)
    keys = ["A1/lin1d", "A1/sq1d", "A1/cube1d+", "A1/cube1d-"]
    return Measurement(value=np.array([-run[k]["pred"].mean(0)[1] / run[k]["pred"].mean(0)[0] for k in keys]),
                       counters=counters(run, keys))


def logistic_theory(ctx):
    return Prediction(value=exact("A3", "bias").vector)


def logistic_practice(ctx):
    run = examples(ctx)
    return Measurement(value=run["A3/M3/logistic"]["pred"].mean(0), counters=counters(run, ["A3/M3/logistic"]))
