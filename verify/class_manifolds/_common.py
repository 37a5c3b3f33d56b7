"""What the trained-model claims share: the reference model's run and summaries of sweeps."""

from __future__ import annotations

import numpy as np

from numerics.class_manifolds import fit_sigmoid_log
from verify.class_manifolds._experiments import interval, main_experiment
from verify.class_manifolds._profiles import RESOLUTION


def main_run(ctx) -> dict:
    """The reference model's experiment (`main_experiment`), computed once per config."""
    # keyed on what the experiment reads, so every claim using the reference model shares one run
    cfg = {k: v for k, v in ctx.config.items() if k != "with_softmax"}
    return ctx.shared("main", lambda: main_experiment(cfg, ctx.seed, ctx.device, ctx.data_dir), cfg=cfg)


def deff_interval(boot_a, boot_b=None, ci=0.9):
    """Percentile interval of bootstrap draws, or of the difference of two aligned draws."""
    s = np.asarray(boot_a) if boot_b is None else np.asarray(boot_a) - np.asarray(boot_b)
    return interval(s, ci)


def boot_sd(samples) -> float:
    """Standard deviation of the finite bootstrap draws (nan when fewer than two)."""
    s = np.asarray(samples, dtype=float)
    s = s[np.isfinite(s)]
    return float(np.std(s, ddof=1)) if s.size >= 2 else float("nan")


def difference_stderr(boot_diff, resolution: float = RESOLUTION) -> float:
    """A seed's standard error of a difference of class-mean d_eff: the bootstrap SD of the
    difference and the estimator's resolution `r` on the d grid (a +-r bound, so r/2 in
    quadrature). Without a finite bootstrap the resolution alone is returned."""
    sd = boot_sd(boot_diff)
    return float(np.hypot(sd if np.isfinite(sd) else 0.0, resolution / 2))


def sweep_info(sw):
    """The JSON summary of one sweep for the report."""
    return {
        "d_star": np.round(sw["d_star"], 2).tolist(),
        "ci": np.round(sw["ci"], 2).tolist(),
        "censored": sw["censored"],
        "mean_d_eff": round(sw["mean_deff"], 3),
        "mean_d_eff_ci90": deff_interval(sw["mean_deff_boot"]),
    }


def relation_raw(pairs):
    """Class-averaged success curves, each with a sigmoid-in-ln-d fit for the figure."""
    raw = {}
    for name, sw in pairs:
        raw["dims"] = sw["dims"]
        rate = sw["rate"].mean(axis=0)
        raw[f"rate_{name}"] = rate
        if 0.0 < rate.max() and rate.min() < 1.0 and np.unique(sw["dims"]).size >= 4:
            try:
                raw[f"popt_{name}"] = fit_sigmoid_log(sw["dims"], rate)[0]
            except (RuntimeError, ValueError):
                pass
    return raw
