"""Claims 1-18 of the brief: the single hidden neuron (conservation, exact solution, regimes, bias)."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, minimize_scalar

import theory.lazy_rich as th
from numerics import lazy_rich as nm
from verify.core.claims import Measurement, Prediction
from verify.lazy_rich._common import (
    FIG3_BETA0,
    FIG3_BETA_STAR,
    exact,
    first_crossing,
    first_rise,
    grid_minimum,
    init_from_beta,
    orthonormal_columns,
    whitened_data,
)

ODE_TOL = dict(rtol=1e-12, atol=1e-14)


def _counters(info) -> dict:
    return {
        "solver_steps": int(np.sum(info["solver_steps"])),
        "hit_max_steps": bool(not np.all(info["success"])),
    }


def _general_problem(rng, n, d):
    X = rng.normal(size=(n, d)) / np.sqrt(n)
    y = rng.normal(size=n)
    return X, y


# ============================================================================ 1. conservation
def delta_conserved_theory(ctx):
    return exact(0.0, derivation="lazy_rich.conservation: d delta/dt = 0 symbolically for any X, y")


def delta_conserved_practice(ctx):
    c = ctx.config
    rng = ctx.rng("problem")
    X, y = _general_problem(rng, c["n"], c["d"])
    a0 = rng.normal(size=c["batch"]) * rng.choice([0.3, 1.0, 2.0], size=c["batch"])
    w0 = rng.normal(size=(c["batch"], c["d"])) * rng.choice([0.3, 1.0, 2.0], size=(c["batch"], 1))
    t = np.linspace(0, c["t_max"], 201)
    a, w, info = nm.gradient_flow(a0, w0, X, y, t, c["eta_a"], c["eta_w"], full_output=True, **ODE_TOL)
    dl = c["eta_w"] * a**2 - c["eta_a"] * np.sum(w**2, -1)
    spread = np.max(np.abs(dl - dl[:, :1]), axis=1) / np.maximum(1.0, np.abs(dl[:, 0]))
    return Measurement(value=float(spread.max()), instances=spread, counters=_counters(info),
                       info={"delta0_range": [float(dl[:, 0].min()), float(dl[:, 0].max())]})


# ============================================================================ 2. GD drift
def gd_drift_theory(ctx):
    return exact(0.5, reason="one GD step changes delta by h^2 eta_a eta_w (eta_a (w.g)^2 - eta_w a^2 |g|^2), g = X^T rho, "
                 "so the drift at fixed T = h * steps is O(h): halving h halves it")


def gd_drift_practice(ctx):
    c = ctx.config
    rng = ctx.rng("problem")
    X, y = _general_problem(rng, c["n"], c["d"])
    a0, w0 = float(rng.normal()), rng.normal(size=c["d"])
    drifts = []
    for h in (c["h"], c["h"] / 2):
        steps = int(round(c["T"] / h))
        a, w = nm.single_neuron_gd(a0, w0, X, y, h, steps, c["eta_a"], c["eta_w"])
        dl = c["eta_w"] * a**2 - c["eta_a"] * np.sum(w**2, -1)
        drifts.append(abs(dl[-1] - dl[0]))
    return Measurement(value=drifts[1] / drifts[0], counters={"train_steps": int(3 * c["T"] / c["h"])},
                       info={"drift_h": drifts[0], "drift_h_half": drifts[1]})


# ============================================================================ 5. beta-only ODE
def beta_ode_theory(ctx):
    return exact(0.0, derivation="lazy_rich.ntk: M(beta) = (Sigma+delta)/2 I + (Sigma-delta)/2 bhat bhat^T")


def beta_ode_practice(ctx):
    c = ctx.config
    rng = ctx.rng("problem")
    X, y = _general_problem(rng, c["n"], c["d"])
    B = c["batch"]
    a0 = np.abs(rng.normal(size=B)) + 0.3
    w0 = rng.normal(size=(B, c["d"])) * rng.uniform(0.2, 1.5, size=(B, 1))
    t = np.linspace(0, c["t_max"], 101)
    a, w, info = nm.gradient_flow(a0, w0, X, y, t, c["eta_a"], c["eta_w"], full_output=True, **ODE_TOL)
    keep = np.all(a > 0, axis=1)  # the beta-only ODE is defined while beta != 0 (a keeps its sign)
    delta = c["eta_w"] * a0**2 - c["eta_a"] * np.sum(w0**2, -1)
    beta = nm.beta_flow(a0[keep, None] * w0[keep], delta[keep], X, y, t, c["eta_a"], c["eta_w"], **ODE_TOL)
    err = np.max(np.abs(beta - a[keep, :, None] * w[keep]), axis=(1, 2))
    return Measurement(value=float(err.max()), instances=err,
                       counters={**_counters(info), "excluded_sign_change": int((~keep).sum())},
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
            tz = float(th.readout_zero_time(a0, w0, bs, eta_a, eta_w))
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
        a, w = th.whitened_trajectory(cs["a0"], cs["w0"], cs["beta_star"], _case_times(c), cs["eta_a"], cs["eta_w"])
        out.append(np.concatenate([a[:, None], w], axis=1))
    return Prediction(value=np.stack(out))


def closed_form_practice(ctx):
    c = ctx.config
    out, steps, ok, kinds, crossed = [], 0, True, {}, 0
    for cs in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"]):
        a, w, info = nm.gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], _case_times(c), cs["eta_a"], cs["eta_w"], full_output=True, **ODE_TOL)
        out.append(np.concatenate([a[:, None], w], axis=1))
        steps += int(info["solver_steps"])
        ok &= bool(info["success"])
        kinds[cs["kind"]] = kinds.get(cs["kind"], 0) + 1
        crossed += int(np.any(np.sign(a) != np.sign(cs["a0"])))
    deltas = [th.conserved_delta(cs["a0"], cs["w0"], cs["eta_a"], cs["eta_w"]) for cs in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"])]
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
        a, w = th.whitened_trajectory(cs["a0"], cs["w0"], cs["beta_star"], _case_times(c), cs["eta_a"], cs["eta_w"])
        mu, phi = th.reduced_variables(a, w, cs["beta_star"])
        out.append(np.stack([mu, phi]))
    return Prediction(value=np.stack(out))


def reduced_practice(ctx):
    """Integrate the 2-D (mu, phi) system with scipy DOP853 (independent of diffrax and of the closed form)."""
    c = ctx.config
    out, nfev = [], 0
    for cs in _reduced_cases(c):
        s = np.linalg.norm(cs["beta_star"])
        mu0, phi0 = th.reduced_variables(cs["a0"], cs["w0"], cs["beta_star"])
        dl = float(th.conserved_delta(cs["a0"], cs["w0"], cs["eta_a"], cs["eta_w"]))

        def rhs(_, z, s=s, dl=dl, cs=cs):
            return np.array(th.reduced_rhs(z[0], z[1], s, dl, cs["eta_a"], cs["eta_w"]), dtype=float)

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
            if th.readout_zero_time(a0, w0, bs) == np.inf:
                X, y = whitened_data(rng, n, bs)
                cases.append(dict(a0=a0, w0=w0, beta_star=bs, X=X, y=y, zeta0=(w0 @ bs) / a0, delta=dl, branch="coth" if want_coth else "tanh"))
    return cases


def riccati_theory(ctx):
    c = ctx.config
    t = _case_times(c)
    return Prediction(value=np.stack([th.riccati_zeta(cs["zeta0"], np.linalg.norm(cs["beta_star"]), cs["delta"], t)
                                      for cs in riccati_cases(c["case_seed"], c["n_cases"], c["d"], c["n"])]))


def riccati_practice(ctx):
    c = ctx.config
    t = _case_times(c)
    out, steps = [], 0
    for cs in riccati_cases(c["case_seed"], c["n_cases"], c["d"], c["n"]):
        a, w, info = nm.gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], t, full_output=True, **ODE_TOL)
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
        mu0, phi0 = th.reduced_variables(cs["a0"], cs["w0"], cs["beta_star"])
        out.append(np.stack(th.balanced_trajectory(mu0, phi0, np.linalg.norm(cs["beta_star"]), t, cs["eta_a"], cs["eta_w"])))
    return Prediction(value=np.stack(out))


def balanced_practice(ctx):
    c = ctx.config
    t = _case_times(c)
    out, steps = [], 0
    for cs in _balanced_cases(c):
        a, w, info = nm.gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], t, cs["eta_a"], cs["eta_w"], full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        out.append(np.stack(th.reduced_variables(a, w, cs["beta_star"])))
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
        a, w = th.whitened_trajectory(a0, w0, bs, np.array([c["t_long"]]), eta_a, eta_w)
        errs.append(np.linalg.norm(a[:, 0, None] * w[:, 0] - bs, axis=-1))
    errs = np.concatenate(errs)
    deltas = th.conserved_delta(a0, w0)
    return Measurement(value=float(np.max(errs)), instances=errs,
                       counters={"nan": bool(not np.all(np.isfinite(errs)))},
                       info={"delta_range": [float(deltas.min()), float(deltas.max())]})


# ============================================================================ 11-12. lazy limits
def _limit_problem(c):
    rng = np.random.default_rng(c["case_seed"] + 3000)
    bs = rng.normal(size=c["d"])
    bs *= 1.1 / np.linalg.norm(bs)
    b0 = rng.normal(size=c["d"])
    b0 *= 0.55 / np.linalg.norm(b0)
    X, y = whitened_data(rng, c["n"], bs)
    return bs, b0, X, y


def limit_slope_theory(ctx):
    return exact(-2.0, reason="the corrections to M -> delta I (or |delta| bhat bhat^T) are O(1/delta), "
                              "and they enter beta(t/|delta|) at second order: error ~ C / delta^2")


def _limit_practice(ctx, sign):
    c = ctx.config
    bs, b0, X, y = _limit_problem(c)
    errs, steps = [], 0
    for mag in c["deltas"]:
        dl = sign * mag
        a0, w0 = init_from_beta(b0, dl)
        t = np.linspace(0, c["t_rescaled"], 101) / mag
        a, w, info = nm.gradient_flow(a0, w0, X, y, t, full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        errs.append(float(np.max(np.abs(a[:, None] * w - th.limit_trajectory(b0, bs, t, dl)))))
    slope = np.polyfit(np.log(c["deltas"]), np.log(errs), 1)[0]
    return Measurement(value=float(slope), counters={"solver_steps": steps},
                       info={"deltas": list(c["deltas"]), "max_errors": errs,
                             "ratio_first_two": errs[0] / errs[1]})


def upstream_limit_practice(ctx):
    return _limit_practice(ctx, +1.0)


def downstream_limit_practice(ctx):
    return _limit_practice(ctx, -1.0)


# ============================================================================ 13-15. Fig. 3 setup
def fig3_problem(c):
    rng = np.random.default_rng(c["case_seed"] + 4000)
    X = orthonormal_columns(rng, c["n"], 2)
    return X, X @ FIG3_BETA_STAR


def fig3_ode(ctx):
    """Gradient flow of the Fig. 3 setup for every delta, computed once (ctx.shared)."""
    c = ctx.config
    deltas = tuple(c["deltas"])

    def run():
        X, y = fig3_problem(c)
        t = np.arange(0, c["t_max"] + 1e-9, c["dt"])
        inits = [init_from_beta(FIG3_BETA0, dl) for dl in deltas]
        a, w, info = nm.gradient_flow(np.array([i[0] for i in inits]), np.stack([i[1] for i in inits]), X, y, t, full_output=True, **ODE_TOL)
        return dict(t=t, a=a, w=w, steps=int(np.sum(info["solver_steps"])), ok=bool(np.all(info["success"])))

    return ctx.shared("fig3_ode", run, per_seed=False, deltas=deltas, t_max=c["t_max"], dt=c["dt"], n=c["n"], case_seed=c["case_seed"], tol=ODE_TOL)


def _fig3_theory_curves(c, t):
    out = {}
    for dl in c["deltas"]:
        a0, w0 = init_from_beta(FIG3_BETA0, dl)
        a, w = th.whitened_trajectory(a0, w0, FIG3_BETA_STAR, t)
        mu, phi = th.reduced_variables(a, w, FIG3_BETA_STAR)
        out[dl] = dict(a=a, w=w, mu=mu, phi=phi, S=th.ntk_kernel_distance(a0, w0, a, w))
    return out


def kernel_fig3_theory(ctx):
    c = ctx.config
    tt = np.linspace(0, c["t_max"], 601)
    curves = _fig3_theory_curves(c, tt)
    S_T = [float(th.single_neuron_kernel_distance(*init_from_beta(FIG3_BETA0, dl), FIG3_BETA_STAR, np.array(c["t_eval"]))) for dl in c["deltas"]]
    raw = {"t": tt, "deltas": np.array(c["deltas"])}
    for k in ("mu", "phi", "S"):
        raw[k] = np.stack([curves[dl][k] for dl in c["deltas"]])
    return Prediction(value=np.array(S_T), raw=raw)


def _empirical_S(X, a0, w0, a, w):
    """S(0, t) from the n x n Gram matrices X M X^T (not the d x d closed form)."""
    M0 = a0**2 * np.eye(2) + np.outer(w0, w0)
    K0 = X @ M0 @ X.T
    M = a[:, None, None] ** 2 * np.eye(2) + w[:, :, None] * w[:, None, :]
    K = np.einsum("ij,tjk,lk->til", X, M, X)
    return th.kernel_distance(K0, K)


def kernel_fig3_practice(ctx):
    c = ctx.config
    r = fig3_ode(ctx)
    X, _ = fig3_problem(c)
    k = int(round(c["t_eval"] / c["dt"]))
    stride = max(1, int(round(0.5 / c["dt"])))
    S_T, raw = [], {"t": r["t"][::stride]}
    mus, phis, Ss = [], [], []
    for i, dl in enumerate(c["deltas"]):
        a0, w0 = r["a"][i, 0], r["w"][i, 0]
        S = _empirical_S(X, a0, w0, r["a"][i, ::stride], r["w"][i, ::stride])
        S_T.append(float(_empirical_S(X, a0, w0, r["a"][i, k:k + 1], r["w"][i, k:k + 1])[0]))
        mu, phi = th.reduced_variables(r["a"][i, ::stride], r["w"][i, ::stride], FIG3_BETA_STAR)
        mus.append(mu), phis.append(phi), Ss.append(S)
    raw.update(mu=np.stack(mus), phi=np.stack(phis), S=np.stack(Ss))
    return Measurement(value=np.array(S_T), raw=raw, counters={"solver_steps": r["steps"], "hit_max_steps": not r["ok"]})


def kernel_monotone_theory(ctx):
    return exact(np.zeros(len(ctx.config["deltas"]) - 1), reason="S(0,T) strictly decreasing in delta: a larger delta "
                 "makes the isotropic part (Sigma+delta)/2 of M dominate, so the kernel moves less")


def kernel_monotone_practice(ctx):
    m = kernel_fig3_practice(ctx)
    return Measurement(value=-np.diff(m.value), info={"S_T": m.value.tolist()}, counters=m.counters)


def _fig3_loss(a, w):
    return 0.5 * np.sum((a[..., None] * w - FIG3_BETA_STAR) ** 2, -1) / (0.5 * np.sum((FIG3_BETA0 - FIG3_BETA_STAR) ** 2))


def delayed_rich_theory(ctx):
    c = ctx.config
    out = []
    for dl in c["loss_deltas"]:
        a0, w0 = init_from_beta(FIG3_BETA0, dl)

        def f(t, a0=a0, w0=w0):
            a, w = th.whitened_trajectory(a0, w0, FIG3_BETA_STAR, np.array(t))
            return float(_fig3_loss(a, w)) - c["loss_fraction"]

        tg = np.linspace(0, c["t_max"], 2001)
        a, w = th.whitened_trajectory(a0, w0, FIG3_BETA_STAR, tg)
        i = int(np.argmax(_fig3_loss(a, w) < c["loss_fraction"]))
        out.append(brentq(f, tg[i - 1], tg[i], xtol=1e-13))
    return Prediction(value=np.array(out))


def delayed_rich_practice(ctx):
    c = ctx.config
    r = fig3_ode(ctx)
    out = []
    for dl in c["loss_deltas"]:
        i = list(c["deltas"]).index(dl)
        out.append(first_crossing(r["t"], _fig3_loss(r["a"][i], r["w"][i]), c["loss_fraction"], log=True))
    return Measurement(value=np.array(out), counters={"solver_steps": r["steps"]})


def dip_theory(ctx):
    c = ctx.config
    out = []
    for dl in c["dip_deltas"]:
        a0, w0 = init_from_beta(FIG3_BETA0, dl)
        mu = lambda t, a0=a0, w0=w0: float(th.reduced_variables(*th.whitened_trajectory(a0, w0, FIG3_BETA_STAR, np.array(t)), FIG3_BETA_STAR)[0])  # noqa: E731
        tg = np.linspace(0, c["t_max"], 3001)
        mg = th.reduced_variables(*th.whitened_trajectory(a0, w0, FIG3_BETA_STAR, tg), FIG3_BETA_STAR)[0]
        j = int(np.argmin(mg))
        res = minimize_scalar(mu, bounds=(tg[max(j - 1, 0)], tg[min(j + 1, len(tg) - 1)]), method="bounded", options={"xatol": 1e-12})
        out.append(res.fun)
    return Prediction(value=np.array(out))


def dip_practice(ctx):
    c = ctx.config
    r = fig3_ode(ctx)
    out = []
    for dl in c["dip_deltas"]:
        i = list(c["deltas"]).index(dl)
        mu, _ = th.reduced_variables(r["a"][i], r["w"][i], FIG3_BETA_STAR)
        out.append(grid_minimum(r["t"], mu))
    return Measurement(value=np.array(out), counters={"solver_steps": r["steps"]})


def dip_order_theory(ctx):
    return exact(np.zeros(len(ctx.config["dip_deltas"])), reason="downstream: beta is first projected onto the frozen "
                 "direction w0 (mu drops), more so as |delta| grows")


def dip_order_practice(ctx):
    c = ctx.config
    r = fig3_ode(ctx)
    mins = [float(v) for v in dip_practice(ctx).value]
    i = list(c["deltas"]).index(c["dip_deltas"][0])
    mu0 = float(th.reduced_variables(r["a"][i, 0], r["w"][i, 0], FIG3_BETA_STAR)[0])
    return Measurement(value=np.array([mu0 - mins[0]] + [mins[k] - mins[k + 1] for k in range(len(mins) - 1)]),
                       info={"mu0": mu0, "min_mu": mins})


# ---------------------------------------------------------------------------- 14b. alignment time ~ |delta|
def _align_setup(c):
    phi0 = c["phi0"]
    b0 = c["beta0_norm"] * np.array([phi0, np.sqrt(1 - phi0**2)])
    return np.array([1.0, 0.0]), b0


def align_scaling_theory(ctx):
    c = ctx.config
    G = lambda p: np.log(p / np.sqrt(1 - p * p))  # noqa: E731
    val = (G(c["phi1"]) - G(c["phi0"])) / 1.0**2
    return exact(np.full(len(c["align_deltas"]), val), reason="delta -> -inf: mu tracks s phi, and "
                 "phi' = (s^2/|delta|) phi (1 - phi^2), so t(phi0 -> phi1)/|delta| -> [G(phi1) - G(phi0)]/s^2, G = log(phi/sqrt(1-phi^2))")


def align_scaling_practice(ctx):
    c = ctx.config
    bs, b0 = _align_setup(c)
    rng = np.random.default_rng(c["case_seed"] + 5000)
    X, y = whitened_data(rng, c["n"], bs)
    out, steps = [], 0
    for mag in c["align_deltas"]:
        a0, w0 = init_from_beta(b0, -mag)
        t = np.linspace(0, 1.6 * mag, 4097)
        a, w, info = nm.gradient_flow(a0, w0, X, y, t, full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        _, phi = th.reduced_variables(a, w, bs)
        out.append(first_rise(t, phi, c["phi1"]) / mag)
    return Measurement(value=np.array(out), counters={"solver_steps": steps})


# ============================================================================ 16. silent alignment
def _silent_setup(c):
    phi0 = c["phi0"]
    return np.array([1.0, 0.0]), np.array([phi0, np.sqrt(1 - phi0**2)])


def silent_ode(ctx):
    c = ctx.config
    eps = tuple(c["eps"])

    def run():
        bs, u = _silent_setup(c)
        rng = np.random.default_rng(c["case_seed"] + 6000)
        X, y = whitened_data(rng, c["n"], bs)
        t = np.arange(0, c["t_max"] + 1e-9, c["dt"])
        inits = [init_from_beta(e * u, 0.0) for e in eps]
        a, w, info = nm.gradient_flow(np.array([i[0] for i in inits]), np.stack([i[1] for i in inits]), X, y, t, full_output=True, **ODE_TOL)
        return dict(t=t, a=a, w=w, steps=int(np.sum(info["solver_steps"])))

    return ctx.shared("silent_ode", run, per_seed=False, eps=eps, t_max=c["t_max"], dt=c["dt"], phi0=c["phi0"], n=c["n"], case_seed=c["case_seed"])


def silent_time_theory(ctx):
    c = ctx.config
    s = 1.0
    return exact(np.full(len(c["eps"]), (np.arctanh(c["phi_align"]) - np.arctanh(c["phi0"])) / s),
                 reason="balanced, a0 > 0: phi(t) = tanh(artanh(phi0) + s t), independent of the scale eps")


def silent_time_practice(ctx):
    c = ctx.config
    r = silent_ode(ctx)
    bs, _ = _silent_setup(c)
    out = []
    for i in range(len(c["eps"])):
        _, phi = th.reduced_variables(r["a"][i], r["w"][i], bs)
        out.append(first_rise(r["t"], phi, c["phi_align"]))
    return Measurement(value=np.array(out), counters={"solver_steps": r["steps"]})


def silent_delay_theory(ctx):
    c = ctx.config
    ratio = c["eps"][0] / c["eps"][1]
    return exact(np.full(len(c["eps"]) - 1, np.log(ratio) / (2 * 1.0)),
                 reason="after alignment, mu grows like eps * e^{2 s t}: each factor r smaller eps delays the loss drop by log(r)/(2s)")


def silent_delay_practice(ctx):
    c = ctx.config
    r = silent_ode(ctx)
    bs, _ = _silent_setup(c)
    times = []
    for i in range(len(c["eps"])):
        loss = 0.5 * np.sum((r["a"][i, :, None] * r["w"][i] - bs) ** 2, -1)
        times.append(first_crossing(r["t"], loss / loss[0], 0.9))
    return Measurement(value=np.diff(times), info={"loss_drop_10pct_times": times})


# ============================================================================ 17. geometry (sign of a)
def sign_invariant_theory(ctx):
    return exact(0, reason="delta > 0: eta_w a^2 = delta + eta_a |w|^2 >= delta > 0, so a never vanishes (two-sheeted hyperboloid)")


def sign_invariant_practice(ctx):
    c = ctx.config
    rng = ctx.rng("inits")
    X, y = _general_problem(rng, c["n"], c["d"])
    B = c["batch"]
    w0 = rng.normal(size=(B, c["d"])) * rng.uniform(0.3, 2.0, size=(B, 1))
    dl = np.exp(rng.uniform(np.log(1e-3), np.log(3.0), size=B))
    a0 = np.sqrt((dl + c["eta_a"] * np.sum(w0**2, -1)) / c["eta_w"]) * rng.choice([-1.0, 1.0], size=B)
    t = np.linspace(0, c["t_max"], 401)
    a, w, info = nm.gradient_flow(a0, w0, X, y, t, c["eta_a"], c["eta_w"], full_output=True)
    changes = int(np.sum(np.any(np.sign(a) != np.sign(a0)[:, None], axis=1)))
    return Measurement(value=changes, counters=_counters(info), info={"min_abs_a": float(np.abs(a).min()), "min_delta": float(dl.min())})


def sign_change_theory(ctx):
    c = ctx.config
    cs = [x for x in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"]) if x["kind"] == "sign_change"]
    return Prediction(value=np.array([x["t_zero"] for x in cs]))


def sign_change_practice(ctx):
    c = ctx.config
    out, beta_at, steps = [], [], 0
    for cs in whitened_cases(c["case_seed"], c["n_cases"], c["d"], c["n"], c["t_max"]):
        if cs["kind"] != "sign_change":
            continue
        t = np.arange(0, c["t_max"] + 1e-9, c["dt"])
        a, w, info = nm.gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], t, cs["eta_a"], cs["eta_w"], full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        sa = np.sign(cs["a0"]) * a
        tc = first_crossing(t, sa, 0.0)
        out.append(tc)
        j = int(np.argmin(np.abs(t - tc)))
        beta_at.append(float(np.linalg.norm(a[j] * w[j])))
    return Measurement(value=np.array(out), counters={"solver_steps": steps},
                       info={"norm_beta_nearest_grid_point": beta_at})


# ============================================================================ 18. mirror potential
def potential_theory(ctx):
    return exact(np.zeros(3), reason="grad Phi = sqrt((Sigma-delta)/2) bhat; Phi convex (radial, convex nondecreasing "
                 "profile); Phi_0 = (2/3)|b|^{3/2}")


def potential_practice(ctx):
    c = ctx.config
    rng = ctx.rng("points")
    d = c["d"]
    # (i) central finite differences of Phi against grad Phi
    h = 1e-5
    fd_err = 0.0
    for _ in range(c["n_points"]):
        b = rng.normal(size=d) * rng.uniform(0.2, 3.0)
        dl = rng.uniform(-4, 4)
        e = np.eye(d)
        fd = np.array([(th.potential(b + h * e[i], dl) - th.potential(b - h * e[i], dl)) / (2 * h) for i in range(d)])
        fd_err = max(fd_err, float(np.max(np.abs(fd - th.potential_grad(b, dl)))))
    # (ii) convexity along random chords
    viol = 0.0
    for _ in range(c["n_points"]):
        x, y = rng.normal(size=(2, d)) * 2
        dl = rng.uniform(-4, 4)
        lam = rng.uniform(size=16)[:, None]
        mid = th.potential(lam * x + (1 - lam) * y, dl)
        chord = lam[:, 0] * th.potential(x, dl) + (1 - lam[:, 0]) * th.potential(y, dl)
        viol = max(viol, float(np.max(mid - chord)))
    # (iii) balanced
    b = rng.normal(size=(c["n_points"], d))
    bal = float(np.max(np.abs(th.potential(b, 0.0) - 2 / 3 * np.linalg.norm(b, axis=-1) ** 1.5)))
    return Measurement(value=np.array([fd_err, max(viol, 0.0), bal]),
                       subgroups={"fd_gradient": fd_err, "convexity": max(viol, 0.0), "balanced": bal})


def _limit_radii(c):
    rng = np.random.default_rng(c["case_seed"] + 10_000)
    r = rng.uniform(0.5, 2.0, size=c["n_points"])
    u = rng.normal(size=(c["n_points"], c["d"]))
    return r, u / np.linalg.norm(u, axis=1, keepdims=True) * r[:, None]


def potential_limits_theory(ctx):
    r, _ = _limit_radii(ctx.config)
    return exact(np.stack([r**2, r]), reason="delta >> |b|: Phi - Phi(0) = |b|^2/(2 sqrt(delta)) (1 - |b|^2/(4 delta^2) + ...); "
                 "-delta >> |b|: Phi = sqrt(|delta|) |b| (1 + |b|^2/(6 delta^2) + ...)")


def potential_limits_practice(ctx):
    """2 sqrt(delta) (Phi(b) - Phi(0)) and Phi(b)/sqrt(|delta|) at |delta| = big_delta (compared with |b|^2 and |b|)."""
    c = ctx.config
    _, b = _limit_radii(c)
    big = c["big_delta"]
    up = (th.potential(b, big) - th.potential(np.zeros(c["d"]), big)) * 2 * np.sqrt(big)
    down = th.potential(b, -big) / np.sqrt(big)
    return Measurement(value=np.stack([up, down]))
