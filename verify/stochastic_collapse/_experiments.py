"""Set-ups and experiments shared by several stochastic-collapse claims.

The data of a toy problem are part of its definition (a config `data_seed`), so theory and
practice rebuild them identically. The expensive runs (the teacher-student mode grid, the
two-phase schedules, the full-network batch sweep, the digits sweep) go through
`ctx.shared`, keyed by every config value they read, so the claims that are read off one run
compute it once.
"""

from __future__ import annotations

import math

import jax
import numpy as np

from numerics.stochastic_collapse import (
    DigitsConfig,
    diagonal_teacher_student_problem,
    mode_aligned_teacher_student_data,
    member_seeds,
    mode_test_mse,
    sgd_modes,
    single_neuron_data,
    train_digits,
    train_linear_networks,
)

__all__ = [
    "neuron_data",
    "sgd_points",
    "ts_sigma",
    "ts_problem",
    "mode_select",
    "mode_grid",
    "two_phase_runs",
    "full_network_zeta",
    "full_network_data",
    "full_network_runs",
    "digits_sweep",
    "collapsed",
    "digits_select",
]


# --------------------------------------------------------------------------- toy data


def neuron_data(ctx):
    """The single neuron's data `(x, y)` of the official Fig. 2 recipe."""
    return single_neuron_data(m=ctx["m"], seed=ctx["data_seed"])


def sgd_points(ctx):
    """The configured `(zeta, batch size, eta)` points."""
    return [tuple(p) for p in ctx["points"]]


# --------------------------------------------------------------------------- teacher-student


def ts_sigma(ctx, sigma_paper):
    """Noise level at the profile's learning rate with the same eta sigma^2 as the paper's."""
    return sigma_paper * math.sqrt(ctx["eta_paper"] / ctx["eta"])


def ts_problem(ctx):
    """The diagonal teacher-student problem of the config."""
    return diagonal_teacher_student_problem(N=ctx["N"], n=ctx["n"], m=ctx["n"], rank=ctx["rank"], seed=ctx["data_seed"])


def mode_select(ctx, s, thr):
    """Modes outside the excluded band around the threshold `thr`."""
    lo, hi = ctx["exclude_band"]
    return (s <= lo * thr) | (s >= hi * thr)


def _mode_grid_run(ctx):
    c = ctx.config
    s = np.linspace(*c["s_range"], c["n_modes"])
    sigma = ts_sigma(ctx, c["sigma_paper"])
    out = sgd_modes(s, eta_steps=np.full(c["steps"], c["eta"]), sigma=sigma, n_seeds=c["n_seeds"], record_every=c["steps"] // 4,
                    key=ctx.jax_key("modes"), avg_from=c["steps"] // 2)
    return dict(s=s, p_final=out["snapshots"][-1], p_time_mean=out["p_time_mean"])


def _mode_key(ctx):
    c = ctx.config
    return dict(s_range=tuple(c["s_range"]), n_modes=c["n_modes"], steps=c["steps"], eta=c["eta"], sigma_paper=c["sigma_paper"],
                eta_paper=c["eta_paper"], n_seeds=c["n_seeds"])


def mode_grid(ctx):
    """SGD of a grid of modes at one noise level (shared by the two mode claims): targets
    `s`, final `p` and its time average over the second half, per seed."""
    return ctx.shared("mode_grid", lambda: _mode_grid_run(ctx), **_mode_key(ctx))


def _two_phase_run(ctx):
    c = ctx.config
    pr = ts_problem(ctx)
    sig = ts_sigma(ctx, c["sigma_paper"])
    key = ctx.jax_key("two_phase")
    res = []
    for t1 in c["phase1_steps"]:
        key, sub = jax.random.split(key)
        es = np.r_[np.full(t1, c["eta"]), np.full(c["phase2_steps"], c["eta"] / 10)]
        out = sgd_modes(pr["s_hat"], eta_steps=es, sigma=sig, n_seeds=c["n_seeds"], record_every=math.gcd(t1, c["phase2_steps"]), key=sub)
        rs = list(out["record_steps"])
        at_drop = out["snapshots"][rs.index(t1)]
        final = out["snapshots"][-1]
        res.append(dict(mse_final=mode_test_mse(final, pr["d"], pr["w_norm2"], pr["n"], pr["m"]),
                        collapsed_at_drop=(at_drop < c["eps"]).sum(1), revived=((at_drop < c["eps"]) & (final > 1e3 * c["eps"])).sum(1)))
    return res


def _two_phase_key(ctx):
    c = ctx.config
    return dict(phase1_steps=tuple(c["phase1_steps"]), phase2_steps=c["phase2_steps"], eta=c["eta"], sigma_paper=c["sigma_paper"], n_seeds=c["n_seeds"],
                N=c["N"], n=c["n"], rank=c["rank"], data_seed=c["data_seed"], eps=c["eps"])


def two_phase_runs(ctx):
    """One schedule per phase-1 length (eta, then eta/10): final test MSE per seed, modes
    collapsed at the drop and modes revived after it."""
    return ctx.shared("two_phase", lambda: _two_phase_run(ctx), **_two_phase_key(ctx))


# --------------------------------------------------------------------------- full network


def full_network_zeta(ctx):
    """The label spread \\( \\zeta \\) of the mode-aligned data: the batch noise at batch size
    `at_batch` (\\( \\sigma^2 = n\\zeta^2/B \\) per mode) has the same \\( \\eta\\sigma^2 \\) as the
    diagonal script's `sigma_paper` at its learning rate `eta_paper`."""
    return math.sqrt(ctx["sigma_paper"] ** 2 * ctx["eta_paper"] * ctx["at_batch"] / (ctx["eta"] * ctx["n"]))


def full_network_data(ctx):
    """The diagonal script's problem as a data set for the full network (see
    `numerics.stochastic_collapse.mode_aligned_teacher_student_data`); part of the set-up, so
    theory and practice build it identically from the config."""
    return mode_aligned_teacher_student_data(N_diag=ctx["N_diag"], n=ctx["n"], rank=ctx["rank"], label_noise=ctx["label_noise"], seed=ctx["data_seed"],
                                             samples_per_mode=ctx["samples_per_mode"], mode_noise=full_network_zeta(ctx))


def _full_network_run(ctx):
    c = ctx.config
    D = full_network_data(ctx)
    steps = c["steps"]
    lr = c["eta"] * np.minimum(1.0, np.arange(1, steps + 1) / c["warmup"])  # the script's linear warm-up, then constant
    # the modes of the data's X^T Y / N, computed here from the data (signs do not matter: p = a^T W b)
    A, s_data, Bt = np.linalg.svd(D["X"].T @ D["Y"] / D["X"].shape[0])
    out = train_linear_networks(D["X"], D["Y"], batch_sizes=c["batch_sizes"], lr_steps=lr, replicates=c["replicates"], seed=ctx.stream_seed("full_network") % 2**31,
                                init_scale=c["init_scale"], avg_from=c["avg_from"], avg_every=c["avg_every"], modes=(A, Bt.T), teacher=D["W"], device=ctx.device,
                                progress=ctx.progress)
    sv = np.linalg.svd(out["W_final"], compute_uv=False)
    return dict(p_time_mean=out["p_time_mean"], p_final=out["p_final"], test_mse_time_mean=out["test_mse_time_mean"], rank_final=(sv > c["eps"]).sum(-1),
                train_loss_final=out["train_loss_final"], s_data=s_data)


def full_network_runs(ctx):
    """One batched ensemble per seed: `replicates` full networks per batch size, trained with
    minibatch SGD on the mode-aligned data; time-averaged and final projections on the data's
    modes, time-averaged test error, final rank."""
    key = {k: (tuple(v) if isinstance(v, list) else v) for k, v in ctx.config.items() if k not in ("band", "near")}  # the comparison's bands do not change the run
    return ctx.shared("full_network", lambda: _full_network_run(ctx), **key)


# --------------------------------------------------------------------------- digits


def _digits_run(ctx):
    c = ctx.config
    cfg = DigitsConfig(hidden=tuple(c["hidden"]), steps=c["steps"], batch_size=c["batch_size"], label_noise=c["label_noise"], log_every=c["log_every"])
    sched, tags = [], []
    for lr in c["lrs"]:
        for r in range(c["replicates"]):
            sched.append(np.full(c["steps"], lr))
            tags.append(("lr", lr, r))
    # equal total steps for every drop time (issue 16 §3): the latest drop is followed by
    # `finetune_steps` at the small rate, and earlier drops fill the same total at the small rate
    # (the paper fine-tunes a fixed 10k steps after each drop, so its earlier drops train less)
    total = max(c["drops"]) + c["finetune_steps"]
    if total > c["steps"]:
        raise ValueError(f"the latest drop plus finetune_steps ({total}) exceeds steps ({c['steps']})")
    for drop in c["drops"]:
        for r in range(c["replicates"]):
            s = np.zeros(c["steps"])
            s[:drop] = c["lr_large"]
            s[drop:total] = c["lr_small"]
            sched.append(s)
            tags.append(("drop", drop, r))
    # one seed stream per replicate, shared by its models across the sweep (paired comparisons)
    seeds = member_seeds(ctx.stream_seed("digits") % 2**31, [t[2] for t in tags])
    out = train_digits(sched, cfg, seed=seeds, device=ctx.device, progress=ctx.progress)
    out["tags"] = tags
    return out


def _digits_key(ctx):
    c = ctx.config
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in c.items()}


def digits_sweep(ctx):
    """The digits sweep (shared by the four digits claims): one MLP per constant learning
    rate and per drop time, times replicates, with the metric logged over training."""
    return ctx.shared("digits", lambda: _digits_run(ctx), **_digits_key(ctx))


def collapsed(out, idx, t=-1):
    """Collapsed neurons (vanishing + duplicates) summed over layers, at log index t."""
    return (out["vanishing"][t, idx] + out["duplicates"][t, idx]).sum(-1)


def digits_select(out, kind, value):
    """Indices of the models tagged `(kind, value)` ("lr" or "drop")."""
    return [i for i, t in enumerate(out["tags"]) if t[0] == kind and t[1] == value]
