"""Multiple outputs (brief claims 21-22): the singular-value dynamics of a delta-balanced linear network,
its hyperbolic-entropy mirror flow, and the limits of the potential."""

from __future__ import annotations

import numpy as np

from numerics.lazy_rich import deep_linear_flow
from theory.lazy_rich import delta_balanced_factors, hyperbolic_entropy, singular_value_trajectory
from verify.core.claims import Measurement, Prediction
from verify.lazy_rich._problems import ODE_TOL, exact, orthonormal_columns

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
    A, W = delta_balanced_factors(beta0, dl, c["eta_a"], c["eta_w"], rotation=O)
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
        out.append(singular_value_trajectory(s0, ss, dl, _multi_times(c), c["eta_a"], c["eta_w"]))
    return Prediction(value=np.stack(out))


def _multi_runs(ctx):
    c = ctx.config

    def run():
        res = []
        for dl in c["deltas"]:
            U, V, s0, ss, A, W, X, Y = _multi_setup(c, dl)
            (Wt, At), info = deep_linear_flow([W, A], X, Y, _multi_times(c), [c["eta_w"], c["eta_a"]], full_output=True, **ODE_TOL)
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
        sig = singular_value_trajectory(s0, ss, dl, _multi_times(c), c["eta_a"], c["eta_w"])
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
    psi0 = hyperbolic_entropy(0.0, d_big, c["eta_a"], c["eta_w"])
    quad = (hyperbolic_entropy(sig, d_big, c["eta_a"], c["eta_w"]) - psi0) * 4 * k * big / sig**2 - 1
    l1 = hyperbolic_entropy(sig, d_small, c["eta_a"], c["eta_w"]) - sig * (np.log(1 / small) + np.log(2 * sig) - 1) / (2 * k)
    ratio = hyperbolic_entropy(sig, d_small, c["eta_a"], c["eta_w"]) / abs(np.log(small)) / (sig / (2 * k))
    return Measurement(value=np.array([float(np.max(np.abs(quad))), float(np.max(np.abs(l1)))]),
                       info={"psi_over_abs_log_gamma_over_sigma_2k": [float(ratio.min()), float(ratio.max())]})
