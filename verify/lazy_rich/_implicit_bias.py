"""Low-rank inputs (brief claims 18-20): the mirror potential Phi_delta, the implicit bias of gradient
flow and its limits."""

from __future__ import annotations

import numpy as np

from numerics.lazy_rich import gradient_flow
from theory.lazy_rich import implicit_bias, potential, potential_grad
from verify.core.claims import Measurement, Prediction
from verify.lazy_rich._problems import FIG4B_BETA0, FIG4B_X, FIG4B_Y, ODE_TOL, exact, init_from_beta

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
        fd = np.array([(potential(b + h * e[i], dl) - potential(b - h * e[i], dl)) / (2 * h) for i in range(d)])
        fd_err = max(fd_err, float(np.max(np.abs(fd - potential_grad(b, dl)))))
    # (ii) convexity along random chords
    viol = 0.0
    for _ in range(c["n_points"]):
        x, y = rng.normal(size=(2, d)) * 2
        dl = rng.uniform(-4, 4)
        lam = rng.uniform(size=16)[:, None]
        mid = potential(lam * x + (1 - lam) * y, dl)
        chord = lam[:, 0] * potential(x, dl) + (1 - lam[:, 0]) * potential(y, dl)
        viol = max(viol, float(np.max(mid - chord)))
    # (iii) balanced
    b = rng.normal(size=(c["n_points"], d))
    bal = float(np.max(np.abs(potential(b, 0.0) - 2 / 3 * np.linalg.norm(b, axis=-1) ** 1.5)))
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
    up = (potential(b, big) - potential(np.zeros(c["d"]), big)) * 2 * np.sqrt(big)
    down = potential(b, -big) / np.sqrt(big)
    return Measurement(value=np.stack([up, down]))


# ============================================================================ 19. implicit bias
def bias_cases(c):
    """Fig. 4b (n = 1, d = 2) for every delta, and random low-rank problems (n = 2, d = 5)."""
    cases = [dict(X=FIG4B_X, y=FIG4B_Y, beta0=FIG4B_BETA0, delta=dl, name=f"fig4b_delta{dl:+g}") for dl in c["fig4b_deltas"]]
    rng = np.random.default_rng(c["case_seed"] + 7000)
    for i in range(c["n_random"]):
        X = rng.normal(size=(2, 5))
        y = rng.normal(size=2)
        b0 = rng.normal(size=5) * 0.5
        dl = c["random_deltas"][i % len(c["random_deltas"])]
        cases.append(dict(X=X, y=y, beta0=b0, delta=dl, name=f"random{i}_delta{dl:+g}"))
    return cases


def _gf_limit(cs, t_long, tol=ODE_TOL):
    a0, w0 = init_from_beta(cs["beta0"], cs["delta"])
    a, w, info = gradient_flow(a0, w0, cs["X"], cs["y"], np.array([0.0, t_long / 2, t_long]), full_output=True, **tol)
    beta = a[:, None] * w
    return beta[-1], float(np.max(np.abs(beta[-1] - beta[-2]))), info, bool(np.any(np.sign(a) != np.sign(a0)))


def implicit_bias_theory(ctx):
    c = ctx.config
    vals = [implicit_bias(cs["X"], cs["y"], cs["beta0"], cs["delta"]) for cs in bias_cases(c)]
    path_d = np.linspace(-8, 8, 161)
    path = np.stack([implicit_bias(FIG4B_X, FIG4B_Y, FIG4B_BETA0, dl) for dl in path_d])
    return Prediction(value=np.concatenate(vals), raw={"path_delta": path_d, "path_beta": path})


def implicit_bias_practice(ctx):
    c = ctx.config
    vals, unconv, steps, crossed = [], 0.0, 0, 0
    for cs in bias_cases(c):
        b, change, info, cr = _gf_limit(cs, c["t_long"])
        vals.append(b)
        unconv = max(unconv, change)
        steps += int(info["solver_steps"])
        crossed += int(cr)
    fig = np.stack(vals[: len(c["fig4b_deltas"])])
    return Measurement(value=np.concatenate(vals), counters={"solver_steps": steps, "a_changed_sign": crossed},
                       info={"max_change_last_half": unconv}, raw={"fig4b_deltas": np.array(c["fig4b_deltas"]), "fig4b_beta": fig})


# ============================================================================ 20. limits of the bias
def _limit_cases(c):
    rng = np.random.default_rng(c["case_seed"] + 8000)
    X = rng.normal(size=(2, 5))
    y = rng.normal(size=2)
    b0 = rng.normal(size=5) * 0.5
    u = b0 / np.linalg.norm(b0)
    return [
        dict(name="upstream_large_delta", X=X, y=y, beta0=b0, delta=c["up_delta"], t_long=c["t_long_up"]),
        dict(name="downstream_large_delta", X=FIG4B_X, y=FIG4B_Y, beta0=FIG4B_BETA0, delta=-c["down_delta"], t_long=c["t_long_down"]),
        dict(name="small_init_upstream", X=X, y=y, beta0=c["eps"] * u, delta=1.0, t_long=c["t_long_small"]),
    ]


def bias_limits_theory(ctx):
    c = ctx.config
    out = []
    for cs in _limit_cases(c):
        X, y, b0 = cs["X"], cs["y"], cs["beta0"]
        if cs["name"] == "upstream_large_delta":
            out.append(b0 + np.linalg.pinv(X) @ (y - X @ b0))  # lazy: closest interpolant to beta0
        elif cs["name"] == "downstream_large_delta":
            bh = b0 / np.linalg.norm(b0)
            out.append(bh * (y[0] / (X @ bh)[0]))  # the interpolant on the ray of beta0
        else:
            out.append(np.linalg.pinv(X) @ y)  # minimum-norm interpolant
    gaps = [float(np.max(np.abs(implicit_bias(cs["X"], cs["y"], cs["beta0"], cs["delta"]) - o))) for cs, o in zip(_limit_cases(c), out)]
    return Prediction(value=np.concatenate(out), info={"finite_parameter_gap_from_Phi_argmin": gaps})


def bias_limits_practice(ctx):
    c = ctx.config
    vals, steps = [], 0
    for cs in _limit_cases(c):
        b, _, info, _ = _gf_limit(cs, cs["t_long"])
        vals.append(b)
        steps += int(info["solver_steps"])
    return Measurement(value=np.concatenate(vals), counters={"solver_steps": steps})


def small_down_theory(ctx):
    c = ctx.config
    cs = _limit_cases(c)[2]
    # eps -> 0 limit of the Phi argmin: grad Phi(beta0) -> sqrt(|delta|) bhat0 (not 0): persistent directional bias
    beta = implicit_bias(cs["X"], cs["y"], cs["beta0"], -c["small_down_delta"])
    return exact(float(np.linalg.norm(beta - np.linalg.pinv(cs["X"]) @ cs["y"])))


def small_down_practice(ctx):
    c = ctx.config
    cs = dict(_limit_cases(c)[2], delta=-c["small_down_delta"])
    b, _, info, cr = _gf_limit(cs, cs["t_long"])
    return Measurement(value=float(np.linalg.norm(b - np.linalg.pinv(cs["X"]) @ cs["y"])),
                       counters={"solver_steps": int(info["solver_steps"]), "a_changed_sign": cr})


