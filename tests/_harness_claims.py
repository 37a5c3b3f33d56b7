"""Synthetic claims for testing the harness itself (loaded with `--plugins tests._harness_claims`).

`harness.integral` is a true claim: the integral of x^2 on [0, 1] is 1/3 (theory: exact;
practice: Monte Carlo with its standard error). `harness.wrong` has a deliberately wrong
theory (1/2) and must FAIL. `harness.crash` raises, `harness.nan` returns NaN, and
`harness.skip` SKIPs itself.
"""

from __future__ import annotations

import os

import numpy as np

from verify.core.claims import Claim, Measurement, PaperValue, Prediction, SkipClaim, profiles

CALLS_FILE = os.environ.get("DLTHEORY_TEST_CALLS")


def _log_call(ctx) -> None:
    if CALLS_FILE:
        with open(CALLS_FILE, "a") as f:
            f.write(f"{ctx.claim_id} {ctx.role} {ctx.seed}\n")


def _exact(ctx):
    _log_call(ctx)
    return Prediction(value=1.0 / 3.0)


def _half(ctx):
    _log_call(ctx)
    return Prediction(value=0.5)


def _mc(ctx):
    _log_call(ctx)
    x = ctx.rng("mc").uniform(size=ctx["n"])
    y = x**2
    return Measurement(value=float(y.mean()), stderr=float(y.std(ddof=1) / np.sqrt(y.size)), instances=y[:200],
                       counters={"solver_steps": 0}, raw={"x": x[:10]})


def _crash(ctx):
    raise RuntimeError("boom")


def _nan(ctx):
    return float("nan")


def _skip(ctx):
    raise SkipClaim("dataset absent")


def _curve_theory(ctx):
    _log_call(ctx)
    t = np.linspace(0, 1, 5)
    return Prediction(value=np.exp(-t), subgroups={"early": np.exp(-t[:2]), "late": np.exp(-t[2:])})


def _curve_practice(ctx):
    _log_call(ctx)
    t = np.linspace(0, 1, 5)
    noise = ctx.rng("noise").normal(scale=ctx["noise"], size=t.size)
    v = np.exp(-t) + noise
    return Measurement(value=v, subgroups={"early": v[:2], "late": v[2:]})


def _figure(ctx, pred, meas):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(pred.value, "k-")
    for m in meas:
        ax.plot(m.value, "o")
    return fig


_TOL = "6 standard errors of the Monte-Carlo mean (n samples): false-alarm rate ~2e-9"

CLAIMS = [
    Claim("harness.integral", "The integral of x^2 over [0, 1] is 1/3.", _exact, _mc, "z", 6.0, _TOL,
          profiles(quick=dict(n=20_000), gpu=dict(n=100_000), seeds=3, perturbations={"small_n": {"n": 5_000}}),
          paper_value=PaperValue(1 / 3, "calculus")),
    Claim("harness.wrong", "A deliberately wrong theory: the integral is 1/2.", _half, _mc, "z", 6.0, _TOL,
          profiles(quick=dict(n=20_000), seeds=2)),
    Claim("harness.crash", "A claim whose practice crashes.", _exact, _crash, "abs", 1e-3, "exact arithmetic",
          profiles(quick=dict(), seeds=1)),
    Claim("harness.nan", "A claim whose practice returns NaN.", _exact, _nan, "abs", 1e-3, "exact arithmetic",
          profiles(quick=dict(), seeds=1)),
    Claim("harness.skip", "A claim that skips itself.", _exact, _skip, "abs", 1e-3, "exact arithmetic",
          profiles(quick=dict(), seeds=1)),
    Claim("harness.curve", "exp(-t) on a grid, measured with small noise.", _curve_theory, _curve_practice, "rel", 0.05,
          "noise scale 1e-3 is far below the 5% tolerance", profiles(quick=dict(noise=1e-3), seeds=4), figure=_figure),
]
