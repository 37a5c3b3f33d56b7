"""The exact single-neuron dynamics (brief claims 5-10): the beta-only ODE, the whitened closed form,
the reduced (mu, phi) system, the Riccati and balanced forms, and the long-time limit."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from numerics.lazy_rich import beta_flow, gradient_flow
from theory.lazy_rich import (
    balanced_trajectory,
    conserved_delta,
    readout_zero_time,
    reduced_rhs,
    reduced_variables,
    riccati_zeta,
    whitened_trajectory,
)
from verify.core.claims import Measurement, Prediction
from verify.lazy_rich._problems import ODE_TOL, exact, general_problem, solver_counters, whitened_data

# ============================================================================ 5. beta-only ODE
def beta_ode_theory(ctx):
    return exact(0.0, derivation="lazy_rich.ntk: M(beta) = (Sigma+delta)/2 I + (Sigma-delta)/2 bhat bhat^T")


def beta_ode_practice(ctx):
    c = ctx.config
    rng = ctx.rng("problem")
    X, y = general_problem(rng, c["n"], c["d"])
    B = c["batch"]
    a0 = np.abs(rng.normal(size=B)) + 0.3
    w0 = rng.normal(size=(B, c["d"])) * rng.uniform(0.2, 1.5, size=(B, 1))
    t = np.linspace(0, c["t_max"], 101)
    a, w, info = gradient_flow(a0, w0, X, y, t, c["eta_a"], c["eta_w"], full_output=True, **ODE_TOL)
    keep = np.all(a > 0, axis=1)  # the beta-only ODE is defined while beta != 0 (a keeps its sign)
    delta = c["eta_w"] * a0**2 - c["eta_a"] * np.sum(w0**2, -1)
    beta = beta_flow(a0[keep, None] * w0[keep], delta[keep], X, y, t, c["eta_a"], c["eta_w"], **ODE_TOL)
    err = np.max(np.abs(beta - a[keep, :, None] * w[keep]), axis=(1, 2))
    return Measurement(value=float(err.max()), instances=err,
                       counters={**solver_counters(info), "excluded_sign_change": int((~keep).sum())},
                       info={"delta_range": [float(delta.min()), float(delta.max())]})


# ============================================================================ 6. closed form vs ODE
CASE_KINDS = ("upstream", "balanced", "downstream", "a0_negative", "sign_change")


def whitened_cases(case_seed: int, n_cases: int, d: int, n: int, t_max: float):
    """Random whitened problems covering every regime; both sides build them from `case_seed`."""
    rng = np.random.default_rng(case_seed)
    cases = []
    for i in range(n_cases):
        kind = CASE_KINDS[i % len(CASE_KINDS)]
        eta_a, eta_w = (1.0, 1.0) if i % 4 == 0 else tuple(np.exp(rng.uniform(np.log(0.3), np.log(3.0), 2)))
        for _ in range(10_000):
            bs = rng.normal(size=d)
            bs *= rng.uniform(0.5, 2.0) / np.linalg.norm(bs)
            w0 = rng.normal(size=d) * rng.uniform(0.3, 1.5)
            if kind == "balanced":
                a0 = np.sqrt(eta_a / eta_w) * np.linalg.norm(w0) * rng.choice([-1.0, 1.0])
            else:
                dl = {"upstream": rng.uniform(0.2, 3.0), "downstream": -rng.uniform(0.2, 3.0)}.get(kind, rng.uniform(-3.0, 3.0))
                if kind == "sign_change":
                    dl = -rng.uniform(0.5, 4.0)
                a2 = (dl + eta_a * np.sum(w0**2)) / eta_w
                if a2 <= 0.01:
                    continue
                a0 = np.sqrt(a2) * (-1.0 if kind == "a0_negative" else rng.choice([-1.0, 1.0]))
            tz = float(readout_zero_time(a0, w0, bs, eta_a, eta_w))
            if kind == "sign_change" and not 0.3 < tz < 0.8 * t_max:
                continue
            if kind != "sign_change" and tz < np.inf:
                continue  # keep sign changes in their own kind
            break
        X, y = whitened_data(rng, n, bs)
        cases.append(dict(kind=kind, a0=float(a0), w0=w0, beta_star=bs, X=X, y=y, eta_a=float(eta_a), eta_w=float(eta_w), t_zero=tz))
    return cases


def _case_times(c):
    return np.linspace(0, c["t_max"], c["n_times"])


def closed_form_theory(ctx):
    c = ctx.config
    out = []
    for cs in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"]):
        a, w = whitened_trajectory(cs["a0"], cs["w0"], cs["beta_star"], _case_times(c), cs["eta_a"], cs["eta_w"])
        out.append(np.concatenate([a[:, None], w], axis=1))
    return Prediction(value=np.stack(out))


def closed_form_practice(ctx):
    c = ctx.config
    out, steps, ok, kinds, crossed = [], 0, True, {}, 0
    for cs in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"]):
        a, w, info = gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], _case_times(c), cs["eta_a"], cs["eta_w"], full_output=True, **ODE_TOL)
        out.append(np.concatenate([a[:, None], w], axis=1))
        steps += int(info["solver_steps"])
        ok &= bool(info["success"])
        kinds[cs["kind"]] = kinds.get(cs["kind"], 0) + 1
        crossed += int(np.any(np.sign(a) != np.sign(cs["a0"])))
    deltas = [conserved_delta(cs["a0"], cs["w0"], cs["eta_a"], cs["eta_w"]) for cs in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"])]
    return Measurement(value=np.stack(out), counters={"solver_steps": steps, "hit_max_steps": not ok},
                       info={"cases_by_kind": kinds, "cases_where_a_changed_sign": crossed,
                             "delta_min": float(np.min(deltas)), "delta_max": float(np.max(deltas)),
                             "n_balanced": int(sum(abs(d) < 1e-12 for d in deltas))})


# ============================================================================ 7. reduced system
def _reduced_cases(c):
    return [cs for cs in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"]) if cs["t_zero"] == np.inf]


def reduced_theory(ctx):
    c = ctx.config
    out = []
    for cs in _reduced_cases(c):
        a, w = whitened_trajectory(cs["a0"], cs["w0"], cs["beta_star"], _case_times(c), cs["eta_a"], cs["eta_w"])
        mu, phi = reduced_variables(a, w, cs["beta_star"])
        out.append(np.stack([mu, phi]))
    return Prediction(value=np.stack(out))


def reduced_practice(ctx):
    """Integrate the 2-D (mu, phi) system with scipy DOP853 (independent of diffrax and of the closed form)."""
    c = ctx.config
    out, nfev = [], 0
    for cs in _reduced_cases(c):
        s = np.linalg.norm(cs["beta_star"])
        mu0, phi0 = reduced_variables(cs["a0"], cs["w0"], cs["beta_star"])
        dl = float(conserved_delta(cs["a0"], cs["w0"], cs["eta_a"], cs["eta_w"]))

        def rhs(_, z, s=s, dl=dl, cs=cs):
            return np.array(reduced_rhs(z[0], z[1], s, dl, cs["eta_a"], cs["eta_w"]), dtype=float)

        sol = solve_ivp(rhs, (0, c["t_max"]), [float(mu0), float(phi0)], method="DOP853", t_eval=_case_times(c), rtol=1e-13, atol=1e-14)
        nfev += sol.nfev
        out.append(sol.y)
    return Measurement(value=np.stack(out), counters={"solver_steps": nfev})


# ============================================================================ 8. Riccati
def riccati_cases(case_seed: int, n_cases: int, d: int, n: int):
    """Unit-lr cases without a readout crossing, half on the tanh branch and half on the coth branch (T0 > 1)."""
    rng = np.random.default_rng(case_seed + 1000)
    cases = []
    while len(cases) < n_cases:
        want_coth = len(cases) % 2 == 1
        bs = rng.normal(size=d)
        bs *= rng.uniform(0.5, 2.0) / np.linalg.norm(bs)
        w0 = rng.normal(size=d)
        a0 = rng.uniform(0.3, 2.0) * rng.choice([-1.0, 1.0])
        dl = a0**2 - w0 @ w0
        s = np.linalg.norm(bs)
        D = np.sqrt(dl**2 + 4 * s**2)
        T0 = (dl + 2 * (w0 @ bs) / a0) / D
        if (want_coth and T0 > 1.05) or (not want_coth and abs(T0) < 0.95):
            if readout_zero_time(a0, w0, bs) == np.inf:
                X, y = whitened_data(rng, n, bs)
                cases.append(dict(a0=a0, w0=w0, beta_star=bs, X=X, y=y, zeta0=(w0 @ bs) / a0, delta=dl, branch="coth" if want_coth else "tanh"))
    return cases


def riccati_theory(ctx):
    c = ctx.config
    t = _case_times(c)
    return Prediction(value=np.stack([riccati_zeta(cs["zeta0"], np.linalg.norm(cs["beta_star"]), cs["delta"], t)
                                      for cs in riccati_cases(c["case_seed"], c["n_cases"], c["d"], c["n"])]))


def riccati_practice(ctx):
    c = ctx.config
    t = _case_times(c)
    out, steps = [], 0
    for cs in riccati_cases(c["case_seed"], c["n_cases"], c["d"], c["n"]):
        a, w, info = gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], t, full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        out.append(w @ cs["beta_star"] / a)
    return Measurement(value=np.stack(out), counters={"solver_steps": steps})


# ============================================================================ 9. balanced closed form
def _balanced_cases(c):
    rng = np.random.default_rng(c["case_seed"] + 2000)
    cases = []
    for i in range(c["n_cases"]):
        eta_a, eta_w = (1.0, 1.0) if i % 2 == 0 else tuple(np.exp(rng.uniform(np.log(0.3), np.log(3.0), 2)))
        bs = rng.normal(size=c["d"])
        bs *= rng.uniform(0.5, 2.0) / np.linalg.norm(bs)
        w0 = rng.normal(size=c["d"]) * rng.uniform(0.2, 1.2)
        a0 = np.sqrt(eta_a / eta_w) * np.linalg.norm(w0)
        X, y = whitened_data(rng, c["n"], bs)
        cases.append(dict(a0=a0, w0=w0, beta_star=bs, X=X, y=y, eta_a=eta_a, eta_w=eta_w))
    return cases


def balanced_theory(ctx):
    c = ctx.config
    t = _case_times(c)
    out = []
    for cs in _balanced_cases(c):
        mu0, phi0 = reduced_variables(cs["a0"], cs["w0"], cs["beta_star"])
        out.append(np.stack(balanced_trajectory(mu0, phi0, np.linalg.norm(cs["beta_star"]), t, cs["eta_a"], cs["eta_w"])))
    return Prediction(value=np.stack(out))


def balanced_practice(ctx):
    c = ctx.config
    t = _case_times(c)
    out, steps = [], 0
    for cs in _balanced_cases(c):
        a, w, info = gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], t, cs["eta_a"], cs["eta_w"], full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        out.append(np.stack(reduced_variables(a, w, cs["beta_star"])))
    return Measurement(value=np.stack(out), counters={"solver_steps": steps})


# ============================================================================ 10. long-time convergence
def long_time_theory(ctx):
    return exact(0.0, reason="beta(t) -> beta* for generic inits, at rate set by D = sqrt(delta^2 + 4 eta_a eta_w s^2)")


def long_time_practice(ctx):
    c = ctx.config
    rng = ctx.rng("inits")
    B, d = c["batch"], c["d"]
    bs = rng.normal(size=d)
    bs /= np.linalg.norm(bs)
    # |a0|, |w0| log-uniform in [1e-3, 3], so |delta| <= 9: the alignment time ~ |delta| stays << t_long
    scale = np.exp(rng.uniform(np.log(1e-3), np.log(3.0), size=(B, 1)))
    w0 = rng.normal(size=(B, d))
    w0 *= scale / np.linalg.norm(w0, axis=1, keepdims=True)
    a0 = rng.choice([-1.0, 1.0], size=B) * np.exp(rng.uniform(np.log(1e-3), np.log(3.0), size=B))
    errs = []
    for eta_a, eta_w in ((1.0, 1.0), (0.3, 2.5)):
        a, w = whitened_trajectory(a0, w0, bs, np.array([c["t_long"]]), eta_a, eta_w)
        errs.append(np.linalg.norm(a[:, 0, None] * w[:, 0] - bs, axis=-1))
    errs = np.concatenate(errs)
    deltas = conserved_delta(a0, w0)
    return Measurement(value=float(np.max(errs)), instances=errs,
                       counters={"nan": bool(not np.all(np.isfinite(errs)))},
                       info={"delta_range": [float(deltas.min()), float(deltas.max())]})


