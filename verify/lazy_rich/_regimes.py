"""Lazy and rich regimes of one neuron (brief claims 11-17): the delta -> +-inf limits, the Fig. 3
kernel distance and loss times, the downstream dip and slow alignment, silent alignment, and the sign
of the readout."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from numerics.lazy_rich import gradient_flow
from theory.lazy_rich import (
    kernel_distance,
    limit_trajectory,
    ntk_kernel_distance,
    reduced_variables,
    single_neuron_kernel_distance,
    whitened_trajectory,
)
from verify.core.claims import Measurement, Prediction
from verify.lazy_rich._exact_solution import whitened_cases
from verify.lazy_rich._problems import (
    FIG3_BETA0,
    FIG3_BETA_STAR,
    ODE_TOL,
    exact,
    first_crossing,
    first_rise,
    general_problem,
    grid_minimum,
    init_from_beta,
    orthonormal_columns,
    solver_counters,
    whitened_data,
)

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
        a, w, info = gradient_flow(a0, w0, X, y, t, full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        errs.append(float(np.max(np.abs(a[:, None] * w - limit_trajectory(b0, bs, t, dl)))))
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
        a, w, info = gradient_flow(np.array([i[0] for i in inits]), np.stack([i[1] for i in inits]), X, y, t, full_output=True, **ODE_TOL)
        return dict(t=t, a=a, w=w, steps=int(np.sum(info["solver_steps"])), ok=bool(np.all(info["success"])))

    return ctx.shared("fig3_ode", run, per_seed=False, deltas=deltas, t_max=c["t_max"], dt=c["dt"], n=c["n"], case_seed=c["case_seed"], tol=ODE_TOL)


def _fig3_theory_curves(c, t):
    out = {}
    for dl in c["deltas"]:
        a0, w0 = init_from_beta(FIG3_BETA0, dl)
        a, w = whitened_trajectory(a0, w0, FIG3_BETA_STAR, t)
        mu, phi = reduced_variables(a, w, FIG3_BETA_STAR)
        out[dl] = dict(a=a, w=w, mu=mu, phi=phi, S=ntk_kernel_distance(a0, w0, a, w))
    return out


def kernel_fig3_theory(ctx):
    c = ctx.config
    tt = np.linspace(0, c["t_max"], 601)
    curves = _fig3_theory_curves(c, tt)
    S_T = [float(single_neuron_kernel_distance(*init_from_beta(FIG3_BETA0, dl), FIG3_BETA_STAR, np.array(c["t_eval"]))) for dl in c["deltas"]]
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
    return kernel_distance(K0, K)


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
        mu, phi = reduced_variables(r["a"][i, ::stride], r["w"][i, ::stride], FIG3_BETA_STAR)
        mus.append(mu), phis.append(phi), Ss.append(S)
    raw.update(mu=np.stack(mus), phi=np.stack(phis), S=np.stack(Ss))
    return Measurement(value=np.array(S_T), raw=raw, counters={"solver_steps": r["steps"], "hit_max_steps": not r["ok"]})


def kernel_monotone_theory(ctx):
    return exact(np.zeros(len(ctx.config["deltas"]) - 1), reason="S(0,T) strictly decreasing in delta: a larger delta "
                 "makes the isotropic part (Sigma+delta)/2 of M dominate, so the kernel moves less")


def kernel_monotone_practice(ctx):
    m = kernel_fig3_practice(ctx)
    dec = -np.diff(m.value)
    i = int(np.argmin(dec))
    deltas = ctx.config["deltas"]
    return Measurement(value=dec, info={"S_T": m.value.tolist(), "smallest_decrease": float(dec[i]),
                                        "smallest_between_deltas": [float(deltas[i]), float(deltas[i + 1])]},
                       counters=m.counters)


def _fig3_loss(a, w):
    return 0.5 * np.sum((a[..., None] * w - FIG3_BETA_STAR) ** 2, -1) / (0.5 * np.sum((FIG3_BETA0 - FIG3_BETA_STAR) ** 2))


def delayed_rich_theory(ctx):
    c = ctx.config
    out = []
    for dl in c["loss_deltas"]:
        a0, w0 = init_from_beta(FIG3_BETA0, dl)

        def f(t, a0=a0, w0=w0):
            a, w = whitened_trajectory(a0, w0, FIG3_BETA_STAR, np.array(t))
            return float(_fig3_loss(a, w)) - c["loss_fraction"]

        tg = np.linspace(0, c["t_max"], 2001)
        a, w = whitened_trajectory(a0, w0, FIG3_BETA_STAR, tg)
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
        mu = lambda t, a0=a0, w0=w0: float(reduced_variables(*whitened_trajectory(a0, w0, FIG3_BETA_STAR, np.array(t)), FIG3_BETA_STAR)[0])  # noqa: E731
        tg = np.linspace(0, c["t_max"], 3001)
        mg = reduced_variables(*whitened_trajectory(a0, w0, FIG3_BETA_STAR, tg), FIG3_BETA_STAR)[0]
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
        mu, _ = reduced_variables(r["a"][i], r["w"][i], FIG3_BETA_STAR)
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
    mu0 = float(reduced_variables(r["a"][i, 0], r["w"][i, 0], FIG3_BETA_STAR)[0])
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
        a, w, info = gradient_flow(a0, w0, X, y, t, full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        _, phi = reduced_variables(a, w, bs)
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
        a, w, info = gradient_flow(np.array([i[0] for i in inits]), np.stack([i[1] for i in inits]), X, y, t, full_output=True, **ODE_TOL)
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
        _, phi = reduced_variables(r["a"][i], r["w"][i], bs)
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
    X, y = general_problem(rng, c["n"], c["d"])
    B = c["batch"]
    w0 = rng.normal(size=(B, c["d"])) * rng.uniform(0.3, 2.0, size=(B, 1))
    dl = np.exp(rng.uniform(np.log(1e-3), np.log(3.0), size=B))
    a0 = np.sqrt((dl + c["eta_a"] * np.sum(w0**2, -1)) / c["eta_w"]) * rng.choice([-1.0, 1.0], size=B)
    t = np.linspace(0, c["t_max"], 401)
    a, w, info = gradient_flow(a0, w0, X, y, t, c["eta_a"], c["eta_w"], full_output=True)
    changes = int(np.sum(np.any(np.sign(a) != np.sign(a0)[:, None], axis=1)))
    return Measurement(value=changes, counters=solver_counters(info), info={"min_abs_a": float(np.abs(a).min()), "min_delta": float(dl.min())})


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
        a, w, info = gradient_flow(cs["a0"], cs["w0"], cs["X"], cs["y"], t, cs["eta_a"], cs["eta_w"], full_output=True, **ODE_TOL)
        steps += int(info["solver_steps"])
        sa = np.sign(cs["a0"]) * a
        tc = first_crossing(t, sa, 0.0)
        out.append(tc)
        j = int(np.argmin(np.abs(t - tc)))
        beta_at.append(float(np.linalg.norm(a[j] * w[j])))
    return Measurement(value=np.array(out), counters={"solver_steps": steps},
                       info={"norm_beta_nearest_grid_point": beta_at})


