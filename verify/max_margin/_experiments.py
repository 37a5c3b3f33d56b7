r"""Shared experiments of the max_margin claims (each computed once per run via `ctx.shared`).

- `run_examples`: one batched diffrax integration of every toy example (brief Sec. A.4) to
  \( \ell = \log(1/L) = \ell_{\max} \), several initialisations each; returns normalised predictors,
  trajectories, smoothed margins, conservation drifts and KKT residuals along the way.
- `run_nc_flow`: gradient flow of the normalised unconstrained-features model (neural collapse).
- `run_digits_collapse`: a small feature-normalised MLP on scikit-learn digits trained past
  interpolation; collapse metrics along the terminal phase.
- `identity_errors`: float64 checks of the quasi-homogeneity identities on the example models.

`examples(ctx)`, `nc_flow(ctx)` and `digits(ctx)` are the claims' entry points: they compute each
experiment once per configuration through `ctx.shared`.

Practice code: it uses the models and their \( \Lambda \) (to normalise along characteristic curves
and to evaluate conserved quantities), never the predicted solutions.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from numerics.max_margin import (
    collapse_metrics,
    integrate_gradient_flow,
    make_problem,
    nc_log_loss,
    nc_problem,
    nc_unpack,
    stack_problems,
)
from theory.max_margin import (
    EXAMPLE_A1,
    EXAMPLE_A2,
    EXAMPLE_A3,
    MarginProblem,
    bias_mlp,
    kkt_residuals,
    layernorm_network,
    normalise_along_characteristic,
    normalised_network,
    paper_models,
    residual_network,
    smoothed_margin,
)

#: (key, model, dataset, loss, effective lambda_max for the time change, initial sign of the last param)
EXAMPLE_RUNS: tuple[tuple[str, str, str, str, float | None, int], ...] = (
    ("A3/M1", "M1", "A3", "exponential", None, 0),
    ("A3/M2", "M2", "A3", "exponential", None, 0),
    ("A3/M3", "M3", "A3", "exponential", None, 0),
    ("A3/M3/logistic", "M3", "A3", "logistic", None, 0),
    ("A3/H3", "H3", "A3", "exponential", None, 0),
    ("A2/M1", "M1", "A2", "exponential", None, 0),
    ("A2/M2", "M2", "A2", "exponential", None, 0),
    # the max-rate bias is unnecessary here, so the parameters that grow have rate 1/2: the speed
    # exponent uses 1/2 (a time change only; the orbit is the same)
    ("A2/M3", "M3", "A2", "exponential", 0.5, 0),
    ("A1/lin1d", "lin1d", "A1", "exponential", None, 0),
    ("A1/sq1d", "sq1d", "A1", "exponential", 0.5, 0),
    # the rate-1/3 bias is a fast variable whose stiffness grows like ell^(4/3): slow the time change
    # down with the smallest rate (kappa = 4/3), again without changing the orbit
    ("A1/cube1d+", "cube1d", "A1", "exponential", 1 / 3, +1),
    ("A1/cube1d-", "cube1d", "A1", "exponential", None, -1),
)
DATASETS = {"A1": EXAMPLE_A1, "A2": EXAMPLE_A2, "A3": EXAMPLE_A3}
PAD = dict(n_params=6, n_monomials=3, n_points=5, n_inputs=2)


def _subsample(ell: np.ndarray, n: int, lo: float = 1.0) -> np.ndarray:
    """Indices of about `n` steps log-spaced in ell over [lo, ell_final]."""
    idx = np.flatnonzero(np.isfinite(ell) & (ell >= lo))
    if idx.size <= n:
        return idx
    targets = np.geomspace(ell[idx[0]], ell[idx[-1]], n)
    pick = np.searchsorted(ell[idx], targets).clip(0, idx.size - 1)
    return np.unique(np.concatenate([idx[pick], idx[-1:]]))


def run_examples(
    *,
    ell_max: float,
    n_inits: int,
    seed: int,
    init_scale: float = 1.0,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    newton_rtol: float = 1e-6,
    max_steps: int = 12_000,
    traj_points: int = 120,
    kkt_points: int = 40,
) -> dict:
    """Integrate every `EXAMPLE_RUNS` entry from `n_inits` random initialisations (one diffrax call)."""
    t0 = time.process_time()
    models = paper_models()
    rng = np.random.default_rng(seed)
    problems, theta0, owner = [], [], []
    for key, mname, dname, loss, lam_eff, sign in EXAMPLE_RUNS:
        m, data = models[mname], DATASETS[dname]
        prob = make_problem(m, data.X_np, data.y_np, loss=loss, lambda_max=lam_eff, **PAD)
        for _ in range(n_inits):
            th = np.zeros(PAD["n_params"])
            th[: m.n_params] = rng.normal(size=m.n_params) * init_scale
            if sign:
                th[m.n_params - 1] = sign * max(abs(th[m.n_params - 1]), 0.3 * init_scale)
            problems.append(prob)
            theta0.append(th)
            owner.append(key)
    sol = integrate_gradient_flow(
        stack_problems(problems), np.array(theta0), ell_max=ell_max, rtol=rtol, atol=atol,
        newton_rtol=newton_rtol, max_steps=max_steps,
    )
    out: dict = {"cpu_integrate": time.process_time() - t0}
    for key, mname, dname, loss, _, _ in EXAMPLE_RUNS:
        m, data = models[mname], DATASETS[dname]
        qh = m.quasi_homogeneity
        rates = qh.rates_array()
        problem = MarginProblem.from_dataset(m, data)
        rows = [i for i, k in enumerate(owner) if k == key]
        mp = m.n_params
        pred, theta_hat, drift, worst_gamma_drop, kkt_final, euclid_final, mu_final = [], [], [], [], [], [], []
        for i in rows:
            th = sol.theta_final[i, :mp]
            q = problem.margins(th).min()
            pred.append(m.function_space(th)[0] / q)
            theta_hat.append(normalise_along_characteristic(th, rates, q))
            r = kkt_residuals(problem, th)
            kkt_final.append(r.combined)
            mu_final.append(r.mu)
            euclid_final.append(kkt_residuals(problem, th, penalised=range(mp)).combined)
            valid = sol.valid[i]
            traj = sol.theta[i, valid, :mp]
            ell = sol.ell[i, valid]
            # conservation laws sum_j mu_j theta_j^2 from the rescaling symmetries
            laws = [np.array([float(v) for v in mu]) for mu in qh.symmetries]
            if laws:
                d = 0.0
                for mu in laws:
                    c = traj**2 @ mu
                    scale = np.max(traj**2 @ np.abs(mu))
                    d = max(d, float(np.max(np.abs(c - c[0])) / max(scale, 1e-300)))
                drift.append(d)
            sel = ell > 0
            g = smoothed_margin(ell[sel], traj[sel], rates)
            worst_gamma_drop.append(float(np.min(np.diff(g) / g[:-1])) if g.size > 1 else 0.0)
        i0 = rows[0]
        valid = sol.valid[i0]
        ell0 = sol.ell[i0, valid]
        th0 = sol.theta[i0, valid, :mp]
        lt0 = sol.log1p_t[i0, valid]
        pick = _subsample(ell0, traj_points, lo=1e-3)
        qmins = np.array([problem.margins(t).min() for t in th0[pick]])
        ok = qmins > 0
        pick, qmins = pick[ok], qmins[ok]
        kpick = _subsample(ell0, kkt_points, lo=10.0)
        kkt_traj = np.array([kkt_residuals(problem, t).combined for t in th0[kpick]])
        out[key] = {
            "model": mname, "dataset": dname, "loss": loss,
            "pred": np.array(pred), "theta_hat": np.array(theta_hat),
            "ell_final": sol.ell_final[rows], "log10_t_final": sol.log1p_t_final[rows] / np.log(10),
            "steps": sol.steps[rows], "rejected": sol.rejected[rows], "hit_event": sol.hit_event[rows],
            "status": sol.status[rows],
            "conservation_drift": np.array(drift) if drift else None,
            "gamma_worst_relative_drop": np.array(worst_gamma_drop),
            "kkt_stationarity": np.array(kkt_final), "euclid_stationarity": np.array(euclid_final),
            "kkt_mu": np.array(mu_final),
            "traj_ell": ell0[pick], "traj_log10_t": lt0[pick] / np.log(10),
            "traj_pred": m.function_space(th0[pick]) / qmins[:, None],
            "traj_gamma": smoothed_margin(ell0[pick], th0[pick], rates),
            "traj_c_over_q": m.function_space(th0[pick])[:, -1] / qmins,
            "kkt_traj_ell": ell0[kpick], "kkt_traj": kkt_traj,
        }
    out["cpu_total"] = time.process_time() - t0
    return out


# --------------------------------------------------------------------------- neural collapse (flow)


def run_nc_flow(*, K: int, d: int, n_per_class: int, n_inits: int, ell_max: float, seed: int,
                max_steps: int = 12_000) -> dict:
    """Gradient flow of the normalised unconstrained-features model from random initialisations."""
    t0 = time.process_time()
    labels = np.repeat(np.arange(K), n_per_class)
    prob = nc_problem(labels, K, d)
    P = labels.size * d + K * d + K
    rng = np.random.default_rng(seed)
    th0 = rng.normal(size=(n_inits, P))
    th0[:, labels.size * d :] *= 0.1
    batch = jax.tree_util.tree_map(lambda a: jnp.stack([a] * n_inits), prob)
    sol = integrate_gradient_flow(batch, th0, ell_max=ell_max, log_loss=nc_log_loss, max_steps=max_steps)
    metrics = []
    for i in range(n_inits):
        Z, W, b = nc_unpack(prob, sol.theta_final[i])
        H = Z / np.linalg.norm(Z, axis=1, keepdims=True)
        F = H @ W.T + b
        q = np.array([F[n, labels[n]] - F[n, k] for n in range(labels.size) for k in range(K) if k != labels[n]])
        met = collapse_metrics(H, labels, W, b)
        met["w_norm_sq"] = float(np.sum(W**2) / q.min() ** 2)
        metrics.append(met)
    return {"metrics": metrics, "steps": sol.steps, "rejected": sol.rejected, "hit_event": sol.hit_event,
            "ell_final": sol.ell_final, "cpu": time.process_time() - t0}


# --------------------------------------------------------------------------- neural collapse (digits)


def run_digits_collapse(*, per_class: int | None, width: int, features: int, phase2_steps: int, checkpoints: int,
                        adam_lr: float, gd_lr: float, seed: int, device: str = "cpu", max_adam_steps: int = 3000) -> dict:
    r"""A feature-normalised MLP on digits: Adam to 100% train accuracy, then backtracking GD on log L.

    Architecture: Linear(64, w)-ReLU-Linear(w, w)-ReLU-Linear(w, features)-LayerNorm(no affine)-Linear(features, 10).
    Everything before the classifier is scale-invariant (rate 0), the classifier has rate 1. Phase 2 is
    the gradient-flow discretisation \( \theta \leftarrow \theta - \eta \nabla\log L \) (the tau-time of
    `numerics.max_margin`), with \( \eta \) halved on any loss increase and grown by 1.2 otherwise.
    """
    # lazily: torch and scikit-learn are heavy, and only this experiment needs them
    import torch
    from sklearn.datasets import load_digits

    t0 = time.process_time()
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    if per_class is not None:
        idx = np.concatenate([rng.permutation(np.flatnonzero(y == k))[:per_class] for k in range(10)])
        X, y = X[idx], y[idx]
    dev = torch.device(device)
    Xt = torch.tensor(X / 16.0, dtype=torch.float64, device=dev)
    yt = torch.tensor(y, device=dev)
    torch.manual_seed(int(rng.integers(2**31)))
    body = torch.nn.Sequential(
        torch.nn.Linear(64, width), torch.nn.ReLU(), torch.nn.Linear(width, width), torch.nn.ReLU(),
        torch.nn.Linear(width, features), torch.nn.LayerNorm(features, elementwise_affine=False),
    ).double().to(dev)
    head = torch.nn.Linear(features, 10).double().to(dev)
    params = list(body.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=adam_lr)
    adam_steps = 0
    for adam_steps in range(1, max_adam_steps + 1):
        opt.zero_grad()
        F = head(body(Xt))
        if bool((F.argmax(1) == yt).all()):
            break
        torch.nn.functional.cross_entropy(F, yt, reduction="sum").backward()
        opt.step()
    interpolated = bool((head(body(Xt)).argmax(1) == yt).all())

    def log_loss():
        return torch.log(torch.nn.functional.cross_entropy(head(body(Xt)), yt, reduction="sum"))

    ck = set(np.unique(np.geomspace(1, phase2_steps, checkpoints).astype(int)).tolist()) | {0}
    rows = []
    lr, rejections = gd_lr, 0
    cur = log_loss()
    for t in range(0, phase2_steps + 1):
        if t in ck:
            with torch.no_grad():
                H = body(Xt)
                acc = float((head(H).argmax(1) == yt).double().mean())
                met = collapse_metrics(H.cpu().numpy(), y, head.weight.cpu().numpy(), head.bias.cpu().numpy())
            rows.append({"step": t, "loss": float(np.exp(cur.item())), "acc": acc, **met})
        if t == phase2_steps:
            break
        for p in params:
            p.grad = None
        cur.backward()
        with torch.no_grad():
            old = [p.detach().clone() for p in params]
            for _ in range(60):
                for p, o in zip(params, old):
                    p.copy_(o - lr * p.grad)
                new = log_loss()
                if new.item() <= cur.item():
                    lr *= 1.2
                    break
                lr *= 0.5
                rejections += 1
        cur = log_loss()
    return {"rows": rows, "adam_steps": adam_steps, "interpolated": interpolated, "rejections": rejections,
            "n_train": int(len(y)), "cpu": time.process_time() - t0}


# --------------------------------------------------------------------------- identities


def identity_models() -> dict:
    """Example models for the identity checks: the toys plus ReLU-bias MLP, residual and normalised nets."""
    ms = dict(paper_models())
    ms["mlp2"] = bias_mlp((2, 3, 1))
    ms["resnet"] = residual_network(2, 2)
    ms["normnet"] = normalised_network(2, 3, 3)
    ms["lnnet"] = layernorm_network(2, 3)
    return ms


def identity_errors(*, n_points: int, seed: int) -> dict[str, np.ndarray]:
    r"""Relative float64 errors of the three identities, per model.

    (1) \( f(e^{\alpha\Lambda}\theta) = e^\alpha f(\theta) \), (2) \( \langle \Lambda\theta, \nabla f\rangle = f \),
    (3) \( \nabla f(e^{\alpha\Lambda}\theta) = e^\alpha e^{-\alpha\Lambda}\nabla f(\theta) \); errors are
    normalised by the largest magnitude of the reference side over the sampled points.
    """
    rng = np.random.default_rng(seed)
    out = {}
    for name, m in identity_models().items():
        rates = m.rates
        f, jac = m.numpy_functions
        e1 = e2 = e3 = 0.0
        for _ in range(n_points):
            th = rng.normal(size=m.n_params)
            X = rng.normal(size=(4, len(m.inputs)))
            alpha = rng.uniform(-3, 3)
            th_a = np.exp(alpha * rates) * th
            F, Fa = f(th, X), f(th_a, X)
            J, Ja = jac(th, X), jac(th_a, X)
            ref1 = np.exp(alpha) * F
            e1 = max(e1, float(np.max(np.abs(Fa - ref1)) / max(np.max(np.abs(ref1)), 1e-300)))
            euler = np.einsum("nki,i->nk", J, rates * th)
            e2 = max(e2, float(np.max(np.abs(euler - F)) / max(np.max(np.abs(F)), 1e-300)))
            ref3 = np.exp(alpha) * np.exp(-alpha * rates) * J
            e3 = max(e3, float(np.max(np.abs(Ja - ref3)) / max(np.max(np.abs(ref3)), 1e-300)))
        out[name] = np.array([e1, e2, e3])
    return out


# --------------------------------------------------------------------------- the claims' entry points


def examples(ctx) -> dict:
    """`run_examples` for the claim's `ell_max` and `n_inits`, computed once per run (`ctx.shared`)."""
    cfg = {k: ctx.config[k] for k in ("ell_max", "n_inits")}
    return ctx.shared("examples", lambda: run_examples(seed=ctx.stream_seed("init"), **cfg), **cfg)


def counters(run: dict, keys) -> dict:
    """Solver counters of the example runs `keys` (steps, rejections, budget hits, NaN)."""
    steps = int(sum(int(np.sum(run[k]["steps"])) for k in keys))
    return {
        "solver_steps": steps,
        "rejected_steps": int(sum(int(np.sum(run[k]["rejected"])) for k in keys)),
        "hit_max_steps": bool(any(not np.all(run[k]["hit_event"]) for k in keys)),
        "nan": bool(any(not np.all(np.isfinite(run[k]["pred"])) for k in keys)),
    }


def nc_flow(ctx) -> dict:
    """`run_nc_flow` for the claim's config, computed once per run (`ctx.shared`)."""
    cfg = {k: ctx.config[k] for k in ("K", "d", "n_per_class", "n_inits", "ell_max")}
    return ctx.shared("nc_flow", lambda: run_nc_flow(seed=ctx.stream_seed("init"), **cfg), **cfg)


def digits(ctx) -> dict:
    """`run_digits_collapse` for the claim's config and device, computed once per run (`ctx.shared`)."""
    keys = ("per_class", "width", "features", "phase2_steps", "checkpoints", "adam_lr", "gd_lr")
    cfg = {k: ctx.config[k] for k in keys}
    return ctx.shared("digits", lambda: run_digits_collapse(seed=ctx.stream_seed("digits"), device=ctx.device, **cfg),
                      device=ctx.device, **cfg)
