"""The asymmetry of the bias: the limits are not Euclidean KKT points, differ from the homogeneous
twins' limits, have a smaller geometric margin, and discard an unnecessary max-rate bias."""

from __future__ import annotations

import numpy as np

from theory.max_margin import EXAMPLE_A3, MarginProblem, balanced_parameters, kkt_residuals, paper_models
from verify.core.claims import Measurement, Prediction
from verify.max_margin._common import PENALISE, decay_exponent, exact, h3_lyu_li, margin_of, unit
from verify.max_margin._experiments import counters, examples

__all__ = [
    "not_euclidean_theory", "not_euclidean_practice",
    "differs_theory", "differs_practice",
    "robustness_theory", "robustness_practice",
    "discard_theory", "discard_practice",
]


def not_euclidean_theory(ctx):
    m = paper_models()
    out = []
    for name in ("M2", "M3"):
        s = exact("A3", PENALISE[name])
        th = np.array([float(v) for v in balanced_parameters(name, s.u, s.c)])
        prob = MarginProblem.from_dataset(m[name], EXAMPLE_A3)
        out.append(kkt_residuals(prob, th, penalised=range(m[name].n_params)).combined)
    return Prediction(value=np.array(out))


def not_euclidean_practice(ctx):
    run = examples(ctx)
    return Measurement(value=np.array([run[k]["euclid_stationarity"].mean() for k in ("A3/M2", "A3/M3")]))


def differs_theory(ctx):
    m3 = unit(exact("A3", "bias").vector)
    m1 = unit(exact("A3", "all").vector)
    h3 = unit(h3_lyu_li())
    return Prediction(value=np.array([np.linalg.norm(m3 - m1), np.linalg.norm(m3 - h3)]))


def differs_practice(ctx):
    run = examples(ctx)
    m3, m1, h3 = (unit(run[k]["pred"].mean(0)) for k in ("A3/M3", "A3/M1", "A3/H3"))
    return Measurement(value=np.array([np.linalg.norm(m3 - m1), np.linalg.norm(m3 - h3)]),
                       counters=counters(run, ["A3/M3", "A3/M1", "A3/H3"]))


def robustness_theory(ctx):
    out = []
    for data in ("A3", "A2"):
        out.append(margin_of(exact(data, "slope").vector, data) / margin_of(exact(data, "bias").vector, data))
    return Prediction(value=np.array(out), info={"A3_exact": "sqrt(85)/3"})


def robustness_practice(ctx):
    run = examples(ctx)
    out = [margin_of(run[f"{d}/M2"]["pred"].mean(0), d) / margin_of(run[f"{d}/M3"]["pred"].mean(0), d)
           for d in ("A3", "A2")]
    return Measurement(value=np.array(out), counters=counters(run, ["A3/M2", "A3/M3", "A2/M2", "A2/M3"]),
                       info={f"{d}/{m}": margin_of(run[f"{d}/{m}"]["pred"].mean(0), d)
                             for d in ("A3", "A2") for m in ("M2", "M3")})


def discard_theory(ctx):
    s = exact("A2", "bias")
    return Prediction(value=s.vector, info={"degenerate": s.degenerate, "secondary": "through-origin SVM"})


def discard_practice(ctx):
    run = examples(ctx)
    r = run["A2/M3"]
    ell, cq = r["traj_ell"], r["traj_c_over_q"]
    c_abs = np.abs(cq) * ell  # |c| ~ |c/q| * q, q ~ ell
    return Measurement(
        value=r["pred"].mean(0), raw={"ell": ell, "c_over_q": cq, "sq_ell": run["A1/sq1d"]["traj_ell"],
                                       "sq_c_over_q": run["A1/sq1d"]["traj_c_over_q"]},
        info={"growth_exponent_of_|c|_vs_ell": decay_exponent(ell, c_abs),
              "c_over_q_final": float(r["pred"].mean(0)[-1])},
        counters=counters(run, ["A2/M3"]),
    )
