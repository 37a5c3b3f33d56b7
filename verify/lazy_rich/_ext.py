"""Claims 3-4 and 19-22 of the brief: deep/wide/ReLU conservation, implicit bias, multiple outputs."""

from __future__ import annotations

import numpy as np

import theory.lazy_rich as th
from numerics import lazy_rich as nm
from verify.core.claims import Measurement, Prediction
from verify.lazy_rich._common import FIG4B_BETA0, FIG4B_X, FIG4B_Y, exact, init_from_beta, orthonormal_columns

ODE_TOL = dict(rtol=1e-12, atol=1e-14)


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
            traj, info = nm.deep_linear_flow(Ws, X, Y, t, etas, full_output=True, rtol=1e-12, atol=1e-13)
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
        D = [th.conserved_matrices([r["traj"][l][k] for l in range(L)], r["etas"]) for k in range(T)]
        U = [th.conserved_matrices([r["traj"][l][k] for l in range(L)]) for k in range(T)]
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
    X, y, _, _ = nm.teacher_student(c["d"], c["n"], rng)
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
        A, W, info = nm.relu_flow(a0, W0, X, y, t, c["eta_a"], c["eta_w"], full_output=True, rtol=1e-12, atol=1e-13, max_steps=100_000)
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
    dk = th.relu_deltas(r["A"], r["W"], c["eta_a"], c["eta_w"])
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
        A, W = nm.relu_gd(a0, W0, X, y, h, (0, steps), c["eta_a"], c["eta_w"])
        dk = th.relu_deltas(A, W, c["eta_a"], c["eta_w"])
        drifts.append(float(np.max(np.abs(dk[-1] - dk[0]))))
    return Measurement(value=drifts[1] / drifts[0], info={"drift_h": drifts[0], "drift_h_half": drifts[1]},
                       counters={"train_steps": int(3 * c["t_max"] / c["h"])})


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
    a, w, info = nm.gradient_flow(a0, w0, cs["X"], cs["y"], np.array([0.0, t_long / 2, t_long]), full_output=True, **tol)
    beta = a[:, None] * w
    return beta[-1], float(np.max(np.abs(beta[-1] - beta[-2]))), info, bool(np.any(np.sign(a) != np.sign(a0)))


def implicit_bias_theory(ctx):
    c = ctx.config
    vals = [th.implicit_bias(cs["X"], cs["y"], cs["beta0"], cs["delta"]) for cs in bias_cases(c)]
    path_d = np.linspace(-8, 8, 161)
    path = np.stack([th.implicit_bias(FIG4B_X, FIG4B_Y, FIG4B_BETA0, dl) for dl in path_d])
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
    gaps = [float(np.max(np.abs(th.implicit_bias(cs["X"], cs["y"], cs["beta0"], cs["delta"]) - o))) for cs, o in zip(_limit_cases(c), out)]
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
    beta = th.implicit_bias(cs["X"], cs["y"], cs["beta0"], -c["small_down_delta"])
    return exact(float(np.linalg.norm(beta - np.linalg.pinv(cs["X"]) @ cs["y"])))


def small_down_practice(ctx):
    c = ctx.config
    cs = dict(_limit_cases(c)[2], delta=-c["small_down_delta"])
    b, _, info, cr = _gf_limit(cs, cs["t_long"])
    return Measurement(value=float(np.linalg.norm(b - np.linalg.pinv(cs["X"]) @ cs["y"])),
                       counters={"solver_steps": int(info["solver_steps"]), "a_changed_sign": cr})


# ============================================================================ 21. multiple outputs
def _multi_setup(c, dl):
    rng = np.random.default_rng(c["case_seed"] + 9000 + int(1000 * dl))
    k = c["c"]
    U = orthonormal_columns(rng, k, k)
    V = orthonormal_columns(rng, k, k)
    s0 = rng.uniform(0.2, 1.5, size=k)
    ss = rng.uniform(0.3, 2.0, size=k)
    beta0 = U @ np.diag(s0) @ V.T
    beta_star = U @ np.diag(ss) @ V.T
    O = orthonormal_columns(rng, k, k)
    A, W = th.delta_balanced_factors(beta0, dl, c["eta_a"], c["eta_w"], rotation=O)
    X = orthonormal_columns(rng, c["n"], k)
    Y = X @ beta_star.T
    return U, V, s0, ss, A, W, X, Y


def _multi_times(c):
    return np.linspace(0, c["t_max"], 41)


def multi_sv_theory(ctx):
    c = ctx.config
    out = []
    for dl in c["deltas"]:
        _, _, s0, ss, *_ = _multi_setup(c, dl)
        out.append(th.singular_value_trajectory(s0, ss, dl, _multi_times(c), c["eta_a"], c["eta_w"]))
    return Prediction(value=np.stack(out))


def _multi_runs(ctx):
    c = ctx.config

    def run():
        res = []
        for dl in c["deltas"]:
            U, V, s0, ss, A, W, X, Y = _multi_setup(c, dl)
            (Wt, At), info = nm.deep_linear_flow([W, A], X, Y, _multi_times(c), [c["eta_w"], c["eta_a"]], full_output=True, **ODE_TOL)
            res.append(dict(At=At, Wt=Wt, steps=info["solver_steps"]))
        return res

    return ctx.shared("multi_runs", run, deltas=tuple(c["deltas"]), c=c["c"], n=c["n"], eta_a=c["eta_a"], eta_w=c["eta_w"], t_max=c["t_max"], case_seed=c["case_seed"])


def multi_sv_practice(ctx):
    c = ctx.config
    out, offdiag, steps = [], 0.0, 0
    for dl, r in zip(c["deltas"], _multi_runs(ctx)):
        U, V, *_ = _multi_setup(c, dl)
        beta = np.einsum("tij,tjk->tik", r["At"], r["Wt"])
        proj = np.einsum("ia,tij,jb->tab", U, beta, V)
        out.append(np.einsum("taa->at", proj))
        offdiag = max(offdiag, float(np.max(np.abs(proj - np.einsum("taa->ta", proj)[:, :, None] * np.eye(c["c"])))))
        steps += r["steps"]
    return Measurement(value=np.stack(out), counters={"solver_steps": steps}, info={"max_offdiagonal_UT_beta_V": offdiag})


def multi_mirror_theory(ctx):
    c = ctx.config
    out = []
    for dl in c["deltas"]:
        if dl == 0:
            continue
        _, _, s0, ss, *_ = _multi_setup(c, dl)
        sig = th.singular_value_trajectory(s0, ss, dl, _multi_times(c), c["eta_a"], c["eta_w"])
        out.append(-(sig - ss[:, None]))
    return Prediction(value=np.stack(out))


def multi_mirror_practice(ctx):
    """d/dt psi'(sigma_i) measured from the network's own gradient at the integrated states."""
    c = ctx.config
    out = []
    for dl, r in zip(c["deltas"], _multi_runs(ctx)):
        if dl == 0:
            continue
        U, V, s0, ss, A, W, X, Y = _multi_setup(c, dl)
        At, Wt = r["At"], r["Wt"]
        beta = np.einsum("tij,tjk->tik", At, Wt)
        G = beta @ (X.T @ X) - Y.T @ X
        Adot = -c["eta_a"] * G @ np.transpose(Wt, (0, 2, 1))
        Wdot = -c["eta_w"] * np.transpose(At, (0, 2, 1)) @ G
        bdot = Adot @ Wt + At @ Wdot
        sig = np.einsum("ia,tij,ja->at", U, beta, V)
        sdot = np.einsum("ia,tij,ja->at", U, bdot, V)
        k = np.sqrt(c["eta_a"] * c["eta_w"])
        out.append(sdot / np.sqrt(dl**2 + 4 * k**2 * sig**2))  # = d/dt arcsinh(2k sigma/|delta|)/(2k)
    return Measurement(value=np.stack(out))


# ============================================================================ 22. hyperbolic entropy limits
def entropy_theory(ctx):
    return exact(np.zeros(2), reason="psi - psi(0) = sigma^2/(4k gamma) (1 - sigma^2/(12 gamma^2) + ...); "
                 "psi = sigma (log(1/gamma) + log(2 sigma) - 1)/(2k) + O(gamma^2/sigma)")


def entropy_practice(ctx):
    c = ctx.config
    rng = ctx.rng("sigma")
    sig = rng.uniform(0.2, 2.0, size=16)
    k = np.sqrt(c["eta_a"] * c["eta_w"])
    big, small = c["gamma_big"], c["gamma_small"]
    d_big, d_small = 2 * k * big, 2 * k * small
    psi0 = th.hyperbolic_entropy(0.0, d_big, c["eta_a"], c["eta_w"])
    quad = (th.hyperbolic_entropy(sig, d_big, c["eta_a"], c["eta_w"]) - psi0) * 4 * k * big / sig**2 - 1
    l1 = th.hyperbolic_entropy(sig, d_small, c["eta_a"], c["eta_w"]) - sig * (np.log(1 / small) + np.log(2 * sig) - 1) / (2 * k)
    ratio = th.hyperbolic_entropy(sig, d_small, c["eta_a"], c["eta_w"]) / abs(np.log(small)) / (sig / (2 * k))
    return Measurement(value=np.array([float(np.max(np.abs(quad))), float(np.max(np.abs(l1)))]),
                       info={"psi_over_abs_log_gamma_over_sigma_2k": [float(ratio.min()), float(ratio.max())]})
