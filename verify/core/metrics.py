"""The seven metric families of the agreement report (HELM's families, turned to theory vs
practice), and the interval estimates behind every headline number.

| family | HELM's | what it says here |
| --- | --- | --- |
| agreement | accuracy | relative error, R², max deviation of measured vs theory |
| calibration | calibration | do the theory's stated error bars cover the measured seeds at the nominal rate? |
| robustness | robustness | worst agreement over perturbed assumptions, beside the clean value |
| uniformity | fairness | worst agreement across subgroups (regimes, layers, classes) |
| bias | bias | signed mean deviation: does the theory over- or under-predict? |
| pathologies | toxicity | fraction of runs that diverged, hit NaN or a step limit, or crashed |
| cost | efficiency | wall and CPU time, solver steps, FLOPs, device |

Every family is computed for every claim where it applies; where it does not, its value
is the string `"n/a (reason)"` (HELM #1781: no degenerate metrics).
The metric definitions (direction, unit, description) are in `verify/core/schema.toml`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "FAMILIES",
    "schema",
    "bootstrap_ci",
    "wilson_interval",
    "agreement",
    "calibration",
    "bias",
    "pathologies",
    "na",
]

FAMILIES = ("agreement", "calibration", "robustness", "uniformity", "bias", "pathologies", "cost")
NOMINAL_COVERAGE = 0.95
Z95 = 1.959963984540054
MIN_CALIBRATION_PAIRS = 10  # below this, an observed coverage says nothing (HELM warns likewise)
from verify.core.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, bootstrap_ci, wilson_interval  # noqa: F401 - re-exported


def na(reason: str) -> str:
    return f"n/a ({reason})"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The metric schema (`verify/core/schema.toml`)."""
    with open(Path(__file__).with_name("schema.toml"), "rb") as f:
        return tomllib.load(f)


def _numeric(x: Any) -> np.ndarray | None:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return None
    return a


def agreement(theory: Any, measured: Any, compare: str) -> dict[str, Any]:
    """Relative error (max-norm), R² (arrays of >= 3 elements) and max |deviation|."""
    t, m = _numeric(theory), _numeric(measured)
    if t is None or m is None:
        return {"relative_error": na("non-numeric values"), "r2": na("non-numeric values"), "max_deviation": na("non-numeric values")}
    if compare == "interval":
        centre = t[..., 0] * 0.5 + t[..., 1] * 0.5
        t = centre
    try:
        t_b, m_b = np.broadcast_arrays(t, m)
    except ValueError:
        return {k: na(f"shapes {t.shape} and {m.shape} differ") for k in ("relative_error", "r2", "max_deviation")}
    dev = np.abs(m_b - t_b)
    scale = float(np.max(np.abs(t_b))) if t_b.size else 0.0
    out: dict[str, Any] = {
        "max_deviation": float(np.max(dev)) if dev.size else 0.0,
        "relative_error": (float(np.max(dev)) / scale) if scale > 0 else na("theory value is zero"),
    }
    if t_b.size >= 3:
        ss_tot = float(np.sum((m_b - np.mean(m_b)) ** 2))
        out["r2"] = (1.0 - float(np.sum((m_b - t_b) ** 2)) / ss_tot) if ss_tot > 0 else na("measured values are constant")
    else:
        out["r2"] = na("scalar claim")
    return out


def calibration(
    theory: Any, theory_stderr: Any, per_seed_values: Sequence[Any], per_seed_stderr: Sequence[Any | None],
    compare: str | None = None,
) -> dict[str, Any]:
    """Coverage of the measured (seed, element) values by the nominal 95% band
    `theory ± 1.96 sqrt(se_theory² + se_measurement²)`; the gap is |coverage − 0.95|.

    An exact theory (no stderr) is checked against the measurements' own error bars. Not
    applicable to `compare="interval"` (the theory is a range, not a value with an error
    bar) or when the theory, measurement and error bars do not share a shape."""
    if compare == "interval":
        reason = "the theory is an interval (low, high), not a value with an error bar"
        return {"coverage": na(reason), "coverage_gap": na(reason)}
    if theory_stderr is None and all(se is None for se in per_seed_stderr):
        reason = "neither theory nor measurement states an uncertainty"
        return {"coverage": na(reason), "coverage_gap": na(reason)}
    t, st = _numeric(theory), _numeric(0.0 if theory_stderr is None else theory_stderr)
    if t is None or st is None:
        return {"coverage": na("non-numeric values"), "coverage_gap": na("non-numeric values")}
    inside, total = 0, 0
    for v, se in zip(per_seed_values, per_seed_stderr):
        m = _numeric(v)
        if m is None:
            continue
        try:
            var = np.broadcast_to(st, np.broadcast(t, m).shape) ** 2
            if se is not None:
                var = var + np.asarray(se, dtype=float) ** 2
            var = np.broadcast_to(var, np.broadcast(t, m).shape)
        except ValueError:
            reason = "theory, measurement and error bars differ in shape"
            return {"coverage": na(reason), "coverage_gap": na(reason)}
        half = Z95 * np.sqrt(var)
        ok = np.abs(m - t) <= half
        valid = half > 0
        inside += int(np.sum(ok & valid))
        total += int(np.sum(valid))
    if total < MIN_CALIBRATION_PAIRS:
        reason = f"{total} measured values; need >= {MIN_CALIBRATION_PAIRS}"
        return {"coverage": na(reason), "coverage_gap": na(reason)}
    cov = inside / total
    lo, hi = (float(v) for v in wilson_interval(inside, total))
    return {"coverage": cov, "coverage_ci": [lo, hi], "coverage_n": total, "coverage_gap": abs(cov - NOMINAL_COVERAGE)}


def bias(theory: Any, measured: Any, compare: str) -> dict[str, Any]:
    """Signed mean deviation `mean(measured − theory)`, and relative to `mean |theory|`."""
    if compare == "equal":
        return {"signed_deviation": na("discrete comparison"), "relative_signed_deviation": na("discrete comparison")}
    t, m = _numeric(theory), _numeric(measured)
    if t is None or m is None:
        return {"signed_deviation": na("non-numeric values"), "relative_signed_deviation": na("non-numeric values")}
    if compare == "interval":
        t = 0.5 * (t[..., 0] + t[..., 1])
    try:
        d = np.broadcast_arrays(m, t)
    except ValueError:
        return {"signed_deviation": na("shapes differ"), "relative_signed_deviation": na("shapes differ")}
    signed = float(np.mean(d[0] - d[1]))
    scale = float(np.mean(np.abs(d[1])))
    return {"signed_deviation": signed, "relative_signed_deviation": signed / scale if scale > 0 else na("theory value is zero")}


def pathologies(outcomes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Fraction of practice cells that crashed, produced NaN, diverged or hit a step limit."""
    n = len(outcomes)
    if n == 0:
        return {"pathology_rate": na("no practice runs"), "pathology_kinds": {}}
    kinds: dict[str, int] = {}
    bad = 0
    for o in outcomes:
        flagged = []
        if o.get("status") == "error":
            flagged.append("error")
        c = o.get("counters") or {}
        for k in ("diverged", "nan", "hit_max_steps"):
            v = c.get(k)
            if isinstance(v, (bool, int, float)) and bool(v):
                flagged.append(k)
        for k in flagged:
            kinds[k] = kinds.get(k, 0) + 1
        bad += bool(flagged)
    return {"pathology_rate": bad / n, "pathology_kinds": kinds, "runs": n}


def cost(outcomes: Sequence[dict[str, Any]], device: str) -> dict[str, Any]:
    """Wall and CPU seconds (sums over cells), solver/train steps and FLOPs where counted."""
    out: dict[str, Any] = {
        "wall_s": float(sum(o.get("wall_s", 0.0) for o in outcomes)),
        "cpu_s": float(sum(o.get("cpu_s", 0.0) for o in outcomes)),
        "device": device,
    }
    for key in ("solver_steps", "train_steps", "flops"):
        vals = [o.get("counters", {}).get(key) for o in outcomes]
        vals = [v for v in vals if isinstance(v, (int, float))]
        out[key] = float(sum(vals)) if vals else na(f"no {key} counted")
    return out
