"""Plan claim runs, execute their cells, and turn the cells into verdicts.

The runner is the only place where a theory value meets a measured value: it calls the
claim's `theory` and `practice` in separate cells, aggregates the seeds, applies the
claim's comparison and tolerance, and computes the metric families. A claim cannot hand
in its own verdict.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from verify.core import metrics as M
from verify.core.claims import PROFILE_NAMES, Claim, Measurement, Prediction
from verify.core.context import RunContext, progress_enabled
from verify.core.executor import Executor
from verify.core.result import VERDICTS, ClaimResult  # noqa: F401 - VERDICTS re-exported
from verify.core.registry import Registry
from verify.core.seeding import THEORY_SEED
from verify.core.spec import CellSpec, ClaimRunSpec, RunEntry, canonical_json, check_overrides, code_version, select
from verify.core.store import RunStore, environment

__all__ = ["plan", "run_claims", "dispatch_order", "aggregate", "decide", "failing", "VERDICTS", "PlanItem"]


def failing(result: dict[str, Any]) -> bool:
    """Whether a result fails the run: an ERROR, or a FAIL that is not a declared known
    deviation. INCONCLUSIVE, SKIP and NOT RUN do not fail it."""
    v = result.get("verdict")
    return v == "ERROR" or (v == "FAIL" and not result.get("known_deviation"))



@dataclasses.dataclass
class PlanItem:
    """A claim run to execute, or a claim SKIPped at planning time (with its reason)."""

    claim: Claim | None
    spec: ClaimRunSpec | None
    skip_reason: str | None = None
    claim_id: str = ""
    error: str | None = None


def plan(
    registry: Registry,
    profile: str,
    patterns: Sequence[str] = (),
    entries: Sequence[RunEntry] = (),
    seed_base: int | None = None,
    device: str = "cpu",
) -> list[PlanItem]:
    """The claim runs of a suite: every selected claim (or every run entry's expansion)
    under `profile`. Raises `ValueError` for an entry that names no claim, an unknown
    parameter, or an override of the wrong type or a count set to zero
    (`verify.core.spec.check_overrides`), before any work."""
    if profile not in PROFILE_NAMES:
        raise ValueError(f"--profile must be one of {', '.join(PROFILE_NAMES)}, not {profile!r}")
    ids = select(list(registry), patterns)
    items: list[PlanItem] = []
    for paper, tb in sorted(registry.import_errors.items()):
        if not patterns or select([f"{paper}.import"], patterns) or any(p.split(".")[0].strip("*") == paper for p in patterns):
            items.append(PlanItem(None, None, claim_id=f"{paper}.import", error=f"module verify.{paper} failed to import:\n{tb}"))

    requests: list[tuple[str, dict[str, Any], int | None]] = []
    if entries:
        for e in entries:
            matched = [cid for cid in ids if e.matches(cid)]
            if not matched:
                raise ValueError(f"run entry {e.pattern!r} matches no claim")
            for cid in matched:
                for ov in e.overrides():
                    requests.append((cid, ov, e.seeds))
    else:
        requests = [(cid, {}, None) for cid in ids]

    seen: set[str] = set()
    for cid, overrides, n_seeds in requests:
        claim = registry[cid]
        prof = claim.profiles.get(profile)
        if prof is None:
            items.append(PlanItem(claim, None, skip_reason=f"no {profile} configuration", claim_id=cid))
            continue
        if prof.skip_reason is not None:
            items.append(PlanItem(claim, None, skip_reason=prof.skip_reason, claim_id=cid))
            continue
        unknown = sorted(set(overrides) - set(prof.config))
        if unknown:
            raise ValueError(
                f"claim {cid} has no parameter {unknown[0]!r} in profile {profile} (has: {', '.join(sorted(prof.config)) or 'none'})"
            )
        check_overrides(cid, profile, prof.config, overrides,
                        [pr.config for pr in claim.profiles.values() if pr is not None and pr.config])
        config = {**prof.config, **overrides}
        seeds = tuple(range(n_seeds)) if n_seeds else tuple(prof.seeds)
        if seed_base is not None:
            seeds = tuple(seed_base + i for i in range(len(seeds)))
        spec = ClaimRunSpec(
            claim_id=cid,
            profile=profile,
            config_json=canonical_json(config),
            seeds=seeds,
            perturbations_json=canonical_json(prof.perturbations),
            overrides_json=canonical_json(overrides),
            code_version=code_version(claim.paper),
            requires=prof.requires,
        )
        if spec.hash in seen:
            continue
        seen.add(spec.hash)
        if prof.requires == "cuda" and device != "cuda":
            items.append(PlanItem(claim, spec, skip_reason="needs a GPU (cuda), none is present", claim_id=cid))
            continue
        items.append(PlanItem(claim, spec, claim_id=cid))
    return items


# --------------------------------------------------------------------------- aggregation


def _agg(values: list[Any], how: str) -> Any:
    a = np.asarray(values)
    if how == "median":
        return np.median(a.astype(float), axis=0)
    if a.dtype.kind in "biu" and how == "mean" and len(values) == 1:
        return a[0]
    if a.dtype.kind not in "fcbiu":  # non-numeric (labels, masks of objects): all seeds must agree
        return values[0]
    if len(values) == 1:
        return a[0]
    return np.mean(a.astype(float), axis=0)


def _seed_stderr(values: list[Any], how: str) -> Any:
    a = np.asarray(values, dtype=float)
    se = np.std(a, axis=0, ddof=1) / math.sqrt(a.shape[0])
    return se * (math.sqrt(math.pi / 2) if how == "median" else 1.0)


def _summary(x: Any) -> Any:
    if x is None:
        return None
    a = np.asarray(x)
    if a.dtype == object:
        return repr(x)
    if a.ndim == 0:
        v = a.item()
        return float(v) if isinstance(v, float) else v
    if a.size <= 256:
        return a.tolist()
    return {"shape": list(a.shape), "min": float(np.min(a)), "max": float(np.max(a)), "mean": float(np.mean(a))}


def _is_numeric(x: Any) -> bool:
    try:
        np.asarray(x, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


def _compare(claim: Claim, pred: Prediction, values: list[Any], stderrs: list[Any]) -> tuple[float, Any, Any]:
    """(error, aggregated measured value, its stderr) for the claim's aggregate rule."""
    comp = claim.comparison
    if claim.aggregate == "worst" or claim.compare == "equal":  # an exact claim must hold for every seed
        errs = [comp.error_fn(pred.value, v, pred.stderr, s) for v, s in zip(values, stderrs)]
        worst = int(np.argmax(errs))
        return float(errs[worst]), values[worst], stderrs[worst]
    m = _agg(values, claim.aggregate)
    if len(values) > 1 and _is_numeric(values[0]) and claim.compare != "equal":
        # between-seed spread; with few seeds it can be far too small, so never below the
        # seeds' own (within-seed) standard errors when the measurements state them
        sm = _seed_stderr(values, claim.aggregate)
        if all(s is not None for s in stderrs):
            within = np.sqrt(np.sum(np.asarray(stderrs, dtype=float) ** 2, axis=0)) / len(stderrs)
            sm = np.maximum(sm, within)
    else:
        sm = stderrs[0]
    return float(comp.error_fn(pred.value, m, pred.stderr, sm)), m, sm


def _error_bootstrap(claim: Claim, pred: Prediction, values: list[Any], level: float = 0.95) -> tuple[float, float] | None:
    """Bootstrap interval over seeds of the claim's comparison error."""

    def err_stat(x):
        try:
            return float(_compare(claim, pred, list(x), [None] * len(x))[0])
        except ValueError:  # e.g. a resample of identical seeds has no spread for 'z'
            return math.nan

    return M.bootstrap_ci(np.asarray(values, dtype=float), err_stat, level=level)


def cell_payload(c: CellSpec, claim: Claim | None, store_root: str, suite: str, device: str, *, data_dir: str | None = None,
                 plugins: Sequence[str] = (), threads: int | None = None, sys_path: Sequence[str] = (),
                 refresh_shared: Any = None) -> dict[str, Any]:
    """What an executor hands `execute_cell` for one cell. The cell runs on `device` only
    when its claim needs a GPU (`Claim.need`); every other cell gets `"cpu"`. The need is
    not part of the cell's hash."""
    need = claim.need(c.profile, c.role) if claim is not None else "cpu"
    return {
        "cell": {f.name: getattr(c, f.name) for f in dataclasses.fields(c)},
        "store_root": store_root,
        "suite": suite,
        "need": need,
        "device": device if need == "gpu" else "cpu",
        "data_dir": data_dir,
        "plugins": list(plugins),
        "threads": threads,
        "sys_path": list(sys_path),
        "refresh_shared": refresh_shared,
    }


def _error_interval(claim: Claim, pred: Prediction, m_val: Any, m_se: Any, n: int, level: float) -> tuple[float, float] | None:
    """The comparison error over the measured value's interval `m ± q·se` (scalar values,
    mean/median aggregates): `q` is Student's t with n - 1 degrees of freedom (normal for a
    single seed with its own standard error). The error function is evaluated over the
    interval (endpoints, and the theory value itself where it lies inside), so the interval
    of the error is exact for the monotone and V-shaped comparisons."""
    if m_se is None or claim.compare in ("equal", "z", "r2") or claim.aggregate == "worst":
        return None
    try:
        m = float(np.asarray(m_val, dtype=float))
        se = float(np.asarray(m_se, dtype=float))
        t = np.asarray(pred.value, dtype=float)
    except (TypeError, ValueError):
        return None
    if t.ndim != 0 or not (math.isfinite(se) and se >= 0):
        return None
    from scipy import stats as _st

    q = float(_st.t.ppf(0.5 + level / 2, n - 1)) if n >= 2 else float(_st.norm.ppf(0.5 + level / 2))
    lo, hi = m - q * se, m + q * se
    pts = [lo, hi, m] + ([float(t)] if lo <= float(t) <= hi else [])
    errs = [claim.comparison.error_fn(pred.value, x, None, None) for x in pts]
    return float(min(errs)), float(max(errs))


def decide(claim: Claim, pred: Prediction, values: list[Any], stderrs: list[Any], m_val: Any, m_se: Any,
           error: float, per_seed_err: list[float]) -> dict[str, Any]:
    """The interval rule for a noisy comparison.

    A claim is *noisy* when its measured value has a standard error (between seeds, or the
    measurement's own). Its error gets an interval at the claim's `level` (Student-t on the
    measured value for scalar mean/median claims, else the bootstrap over seeds): PASS when
    the whole interval is inside the tolerance, FAIL when it is wholly outside, INCONCLUSIVE
    when it straddles, with the number of seeds that would decide it at the observed
    spread. Exact claims (`compare="equal"`, `kind="implementation"`), `z` comparisons
    (already in standard errors) and measurements without any spread keep the plain
    PASS/FAIL of the point estimate. The power check flags a tolerance below twice the
    comparison's standard error as underpowered.
    """
    out: dict[str, Any] = {"decided_by": "point estimate", "error_interval": None, "underpowered": False}
    if claim.compare in ("equal", "z") or claim.kind == "implementation":
        return out
    n = len(values)
    interval = _error_interval(claim, pred, m_val, m_se, n, claim.level)
    how = f"{claim.level:.0%} t-interval of the measured value" if n >= 2 else f"{claim.level:.0%} interval from the measurement's own standard error"
    if interval is None and n >= 2 and _is_numeric(values[0]) and np.ptp(np.asarray(per_seed_err, dtype=float)) > 0:
        interval = _error_bootstrap(claim, pred, values, level=claim.level)
        how = f"{claim.level:.0%} bootstrap over {n} seeds"
    if interval is None:
        return out
    lo, hi = interval
    if hi - lo <= 0:
        return out
    out.update(decided_by=how, error_interval=[lo, hi])
    tol = claim.tolerance
    se_err = (hi - lo) / (2 * 1.96)
    out["underpowered"] = bool(abs(tol) < 2 * se_err) if tol > 0 else False
    if hi <= tol:
        out["verdict"] = "PASS"
    elif lo > tol:
        out["verdict"] = "FAIL"
    else:
        gap = abs(error - tol)
        # seeds at which the same spread would put the interval on one side of the tolerance
        tiny_gap = gap <= 1e-9 * max(1.0, abs(tol), hi - lo)  # at the tolerance to rounding: no count of seeds decides it
        needed = math.inf if tiny_gap else math.ceil(max(n, 1) * ((hi - lo) / 2 / gap) ** 2)
        out.update(
            verdict="INCONCLUSIVE",
            seeds_needed=needed if math.isfinite(needed) else None,
            reason=(f"the {how} of the error, [{lo:.4g}, {hi:.4g}], straddles the tolerance {tol:.4g} "
                    f"(point estimate {error:.4g}); about {needed if math.isfinite(needed) else 'infinitely many'} seeds would decide it at this spread"),
        )
    return out


def _figure_png(claim: Claim, ctx: RunContext, pred: Prediction, meas: list[Measurement]) -> tuple[bytes | None, str | None]:
    if claim.figure is None:
        return None, None
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig = claim.figure(ctx, pred, meas)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        return buf.getvalue(), None
    except Exception as e:  # a broken figure never changes a verdict
        return None, f"{type(e).__name__}: {e}"


def aggregate(
    item: PlanItem,
    cells: dict[str, tuple[dict[str, Any], Any]],
    device: str,
    env: dict[str, Any],
    reused: int,
    computed: int,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any], bytes | None]:
    """Turn a claim run's cells into `(result, per_seed_rows, raw, figure_png)`."""
    claim, spec = item.claim, item.spec
    assert claim is not None and spec is not None
    comp = claim.comparison
    device = device if claim.need(spec.profile) == "gpu" else "cpu"  # where its practice cells ran (Claim.need)
    result: dict[str, Any] = base_result(claim, spec.profile, spec)
    result.update(env=env, device=device, cells={"reused": reused, "computed": computed})

    by_key = {(c.variant, c.role, c.seed): cells[c.hash] for c in spec.cells()}

    def cell(variant: str, role: str, seed: int | None = None):
        return by_key[(variant, role, THEORY_SEED if role == "theory" else seed)]

    t_out, pred = cell("clean", "theory")
    p_cells = [cell("clean", "practice", s) for s in spec.seeds]
    all_outcomes = [t_out] + [o for o, _ in p_cells]
    result["metrics"] = {
        "cost": M.cost(all_outcomes, device),
        "pathologies": M.pathologies([o for o, _ in p_cells]),
    }
    result["wall_s"] = result["metrics"]["cost"]["wall_s"]
    result["need"] = claim.need(spec.profile)
    result["timing"] = _timing(spec, cells)
    rows = [{"seed": s, "status": o.get("status"), "wall_s": o.get("wall_s"), "message": o.get("message", "")} for s, (o, _) in zip(spec.seeds, p_cells)]

    skips = [o for o in all_outcomes if o.get("status") == "skip"]
    errors = [o for o in all_outcomes if o.get("status") == "error"]
    if skips:
        result.update(verdict="SKIP", reason=skips[0].get("message", ""))
        return result, rows, {}, None
    if errors:
        o = errors[0]
        who = "theory" if o.get("role") == "theory" else f"practice (seed {o.get('seed')})"
        result.update(verdict="ERROR", reason=f"{who}: {o.get('message', '')}", traceback=o.get("traceback", ""))
        return result, rows, {}, None

    meas: list[Measurement] = [m for _, m in p_cells]
    values = [m.value for m in meas]
    stderrs = [m.stderr for m in meas]
    try:
        error, m_val, m_se = _compare(claim, pred, values, stderrs)
        per_seed_err = [float(comp.error_fn(pred.value, v, pred.stderr, s)) for v, s in zip(values, stderrs)]
    except Exception as e:  # shape mismatch, missing stderr for 'z', ...
        result.update(verdict="ERROR", reason=f"comparison failed: {type(e).__name__}: {e}")
        return result, rows, {}, None
    for r, e, v in zip(rows, per_seed_err, values):
        r["error"] = e
        r["value"] = json.dumps(_summary(v))
    if not math.isfinite(error):
        result.update(verdict="ERROR", reason=f"comparison error is {error}")
    else:
        passed = comp.pass_fn(error, claim.tolerance)
        result.update(verdict="PASS" if passed else "FAIL", reason="", point_verdict="PASS" if passed else "FAIL")
    result.update(
        theory=_summary(pred.value),
        theory_stderr=_summary(pred.stderr),
        measured=_summary(m_val),
        measured_stderr=_summary(m_se),
        error=error,
        per_seed_error=per_seed_err,
        theory_info=pred.info,
        measured_info=[m.info for m in meas],
    )

    # headline intervals (bootstrap over seeds; over instances for a single seed)
    numeric = all(_is_numeric(v) for v in values) and claim.compare != "equal"
    if numeric and len(values) >= 2:
        arr = np.asarray(values, dtype=float)
        result["error_ci"] = _error_bootstrap(claim, pred, values)
        if arr[0].ndim == 0:
            how = claim.aggregate if claim.aggregate in ("mean", "median") else "mean"
            result["measured_ci"] = M.bootstrap_ci(arr, lambda x: float(np.median(x) if how == "median" else np.mean(x)))
    elif len(meas) == 1 and meas[0].instances is not None:
        inst = np.asarray(meas[0].instances, dtype=float).ravel()
        result["measured_ci"] = M.bootstrap_ci(inst, lambda x: float(np.mean(x)))
    result.setdefault("error_ci", None)
    result.setdefault("measured_ci", None)
    if result["verdict"] in ("PASS", "FAIL"):
        result.update(decide(claim, pred, values, stderrs, m_val, m_se, error, per_seed_err))
    if claim.deviation:
        result["known_deviation"] = result["verdict"] == "FAIL"
        result["deviation_resolved"] = result["verdict"] == "PASS"

    # metric families
    result["metrics"]["agreement"] = {"error": error, **M.agreement(pred.value, m_val, claim.compare)}
    inst_vals = values
    inst_se = stderrs
    if len(meas) == 1 and meas[0].instances is not None and np.asarray(pred.value).ndim == 0:
        inst_vals = list(np.asarray(meas[0].instances, dtype=float).ravel())
        inst_se = [None] * len(inst_vals)
    result["metrics"]["calibration"] = M.calibration(pred.value, pred.stderr, inst_vals, inst_se, claim.compare)
    result["metrics"]["bias"] = M.bias(pred.value, m_val, claim.compare)
    result["metrics"]["robustness"] = _robustness(claim, spec, cell, error)
    result["metrics"]["uniformity"] = _uniformity(claim, pred, meas)

    # raw arrays of the claim run (the cells keep their own raw arrays)
    raw: dict[str, Any] = {"theory_value": np.asarray(pred.value) if _is_numeric(pred.value) else np.asarray(0)}
    if numeric:
        try:
            raw["measured_values"] = np.asarray(values, dtype=float)
        except ValueError:
            pass
    raw["per_seed_error"] = np.asarray(per_seed_err)
    result["_per_instance"] = _per_instance_rows(pred, spec.seeds, meas)
    for k, v in pred.raw.items():
        raw[f"theory/{k}"] = v

    ctx = RunContext(claim.id, spec.profile, spec.config, 0, "figure", device)
    png, fig_err = _figure_png(claim, ctx, pred, meas)
    result["figure"] = "figure.png" if png else None
    result["figure_error"] = fig_err
    return result, rows, raw, png


def _timing(spec: ClaimRunSpec, cells: dict[str, tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    """Where a claim run's time went: every cell's wall and CPU seconds, device, need and
    worker (clean and perturbed variants), the sums, the GPU-seconds (wall of the cells
    that ran on a CUDA device) and the span from the first cell's start to the last one's
    end (cells reused from the store keep their original times). A cell that was deferred
    (it met a shared experiment another worker was computing, see `execute_cell`) records
    how often (`deferrals`) and the seconds its deferred starts took (`deferred_s`)."""
    rows = []
    for c in spec.cells():
        o = cells[c.hash][0] if c.hash in cells else {}
        counters = {k: v for k, v in (o.get("counters") or {}).items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool)}  # flops, train_seconds, ...
        rows.append({"role": c.role, "seed": c.seed, "variant": c.variant, "status": o.get("status"),
                     **{k: o.get(k) for k in ("wall_s", "cpu_s", "device", "need", "worker", "pid", "t_start", "t_end")},
                     **({"counters": counters} if counters else {}),
                     **({"deferrals": o["deferrals"], "deferred_s": o.get("deferred_s")} if o.get("deferrals") else {})})

    def total(rs):
        return float(sum(float(r["wall_s"]) for r in rs if isinstance(r["wall_s"], (int, float))))

    gpu = [r for r in rows if str(r.get("device") or "").startswith("cuda")]
    starts = [r["t_start"] for r in rows if isinstance(r["t_start"], (int, float))]
    ends = [r["t_end"] for r in rows if isinstance(r["t_end"], (int, float))]
    return {"wall_s": total(rows), "gpu_s": total(gpu), "cpu_cells_s": total(rows) - total(gpu),
            "span_s": float(max(ends) - min(starts)) if starts and ends else None, "cells": rows}


MAX_INSTANCE_ROWS = 100_000


def _per_instance_rows(pred: Prediction, seeds: Sequence[int], meas: list[Measurement]) -> list[dict[str, Any]]:
    """HELM's per-instance stats: one row per (seed, instance) — the measurement's own
    instances (paths, test points) when it gives them, else the elements of its value."""
    rows: list[dict[str, Any]] = []
    t = np.asarray(pred.value) if _is_numeric(pred.value) else None
    for s, m in zip(seeds, meas):
        if m.instances is not None:
            for i, v in enumerate(np.asarray(m.instances, dtype=float).ravel()):
                rows.append({"seed": s, "instance": i, "value": float(v)})
        elif _is_numeric(m.value):
            v = np.asarray(m.value, dtype=float)
            tb = np.broadcast_to(np.asarray(t, dtype=float), v.shape) if t is not None and t.shape in ((), v.shape) else None
            for i, x in enumerate(v.ravel()):
                row = {"seed": s, "instance": i, "value": float(x)}
                if tb is not None:
                    row["theory"] = float(tb.ravel()[i])
                    row["deviation"] = float(x - tb.ravel()[i])
                rows.append(row)
        if len(rows) >= MAX_INSTANCE_ROWS:
            break
    return rows[:MAX_INSTANCE_ROWS]


def _robustness(claim: Claim, spec: ClaimRunSpec, cell, clean_error: float) -> dict[str, Any]:
    if not spec.perturbations:
        return {"clean_error": clean_error, "worst_error": M.na("no perturbations declared")}
    per: dict[str, Any] = {}
    for name in sorted(spec.perturbations):
        t_out, pred = cell(name, "theory")
        p = [cell(name, "practice", s) for s in spec.seeds]
        bad = [o for o in [t_out] + [o for o, _ in p] if o.get("status") != "ok"]
        if bad:
            per[name] = f"{bad[0].get('status')}: {bad[0].get('message', '')}"
            continue
        try:
            per[name] = _compare(claim, pred, [m.value for _, m in p], [m.stderr for _, m in p])[0]
        except Exception as e:
            per[name] = f"error: {e}"
    numeric = {k: v for k, v in per.items() if isinstance(v, float)}
    out: dict[str, Any] = {"clean_error": clean_error, "per_perturbation": per}
    if numeric:
        worst = max(numeric, key=numeric.get)
        out.update(worst_error=numeric[worst], worst_perturbation=worst,
                   all_pass=all(claim.comparison.pass_fn(v, claim.tolerance) for v in numeric.values()) and len(numeric) == len(per))
    else:
        out["worst_error"] = M.na("every perturbed run failed")
    return out


def _uniformity(claim: Claim, pred: Prediction, meas: list[Measurement]) -> dict[str, Any]:
    keys = set(pred.subgroups)
    for m in meas:
        keys &= set(m.subgroups)
    if not keys:
        return {"worst_group_error": M.na("no subgroups")}
    per = {}
    for k in sorted(keys):
        sub_pred = Prediction(value=pred.subgroups[k])
        try:
            per[k] = _compare(claim, sub_pred, [m.subgroups[k] for m in meas], [None] * len(meas))[0]
        except Exception as e:
            per[k] = f"error: {e}"
    numeric = {k: v for k, v in per.items() if isinstance(v, float)}
    if not numeric:
        return {"worst_group_error": M.na("subgroup comparisons failed"), "per_group": per}
    worst = max(numeric, key=numeric.get)
    return {"worst_group_error": numeric[worst], "worst_group": worst, "per_group": per}


def base_result(claim: Claim | None, profile: str, spec: ClaimRunSpec | None, claim_id: str = "") -> dict[str, Any]:
    """The fields every result has, whatever its verdict."""
    cid = claim.id if claim else claim_id
    r: dict[str, Any] = {
        "id": cid,
        "label": spec.label if spec else cid,
        "paper": cid.split(".", 1)[0],
        "profile": profile,
        "timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "verdict": None,
        "reason": "",
        "metrics": {},
    }
    if claim is not None:
        r.update(
            statement=claim.statement,
            compare=claim.compare,
            compare_description=claim.comparison.description,
            error_label=claim.comparison.error_label,
            tolerance=claim.tolerance,
            tolerance_reason=claim.tolerance_reason,
            aggregate=claim.aggregate,
            tags=list(claim.tags),
            paper_value=dataclasses.asdict(claim.paper_value) if claim.paper_value else None,
            provenance=dataclasses.asdict(claim.provenance) if claim.provenance else None,
            kind=claim.kind or "prediction",
            deviation=claim.deviation,
            level=claim.level,
        )
    if spec is not None:
        r.update(
            config=spec.config,
            overrides=spec.overrides,
            seeds=list(spec.seeds),
            perturbations=spec.perturbations,
            spec_hash=spec.hash,
            code_version=spec.code_version,
        )
    return r


# --------------------------------------------------------------------------- running


def dispatch_order(cells: Sequence[CellSpec], needs: Sequence[str], seeds: Mapping[str, Sequence[int]]) -> list[int]:
    """The order in which a parallel executor gets the cells (indices into `cells`).

    Three rules, in order of priority:

    1. **Seed rounds.** A claim's k-th practice seed (in every variant) goes in round k, its
       theory cells in round 0. Many claims read all their seeds off one batched ensemble
       (`ctx.shared(..., per_seed=False)`) that the first seed's cell trains under the store's
       lock; handing a claim's seeds out back to back parks the other workers on that lock.
       One round later the ensemble is in the store and the later seeds' cells only read it.
       Rounds alone do not stop two claims that read one experiment (icl's sweep) from
       meeting on its lock; the local executor defers such a cell (`execute_cell`). Measured
       at quick, `--jobs 2`, 2 cores, worker-seconds parked on locks / wall: claim order
       165 s / 668 s; rounds 228 s / 765 s; rounds with deferral 8 s / 657 s.
    2. **Long cells first** within a round: cells that need a GPU (`Claim.need`: trainings and
       large simulations) before the others, so that a run does not end on one long cell with
       the other workers idle.
    3. **Papers interleaved** (round robin) within those groups: the claims of one paper often
       read one shared experiment per seed.

    `needs` holds each cell's need ("gpu" or "cpu"); `seeds` maps a claim id to its seeds.
    """
    if len(needs) != len(cells):
        raise ValueError(f"dispatch_order: {len(cells)} cells but {len(needs)} needs")
    keys = []
    seen: dict[tuple[int, bool, str], int] = {}
    for j, (c, need) in enumerate(zip(cells, needs)):
        claim_seeds = list(seeds.get(c.claim_id, []))
        rnd = claim_seeds.index(c.seed) if c.role != "theory" and c.seed in claim_seeds else 0
        light = need != "gpu"
        paper = c.claim_id.split(".", 1)[0]
        k = (rnd, light, paper)
        keys.append((rnd, light, seen.get(k, 0), paper, j))
        seen[k] = seen.get(k, 0) + 1
    return [k[-1] for k in sorted(keys)]


def run_claims(
    items: Sequence[PlanItem],
    store: RunStore,
    executor: Executor,
    device: str = "cpu",
    force: bool = False,
    data_dir: str | None = None,
    plugins: Sequence[str] = (),
) -> list[ClaimResult]:
    """Execute the planned claim runs; returns one `ClaimResult` per plan item, in order
    (its `record` is the JSON of `result.json` and of the reports).

    Completed cells (and completed claim results) are reused unless `force`; only missing
    cells are computed, so an interrupted sweep resumes where it stopped.
    """
    from tqdm.auto import tqdm

    env = environment(device)
    results: list[dict[str, Any] | None] = [None] * len(items)
    payloads: list[dict[str, Any]] = []
    payload_cells: list[CellSpec] = []
    reuse_counts: dict[int, int] = {}
    needed: dict[int, list[CellSpec]] = {}
    items_seeds: dict[str, list[int]] = {}
    done_cells: dict[str, tuple[dict[str, Any], Any]] = {}
    queued: set[str] = set()
    threads_env = os.environ.get("DLTHEORY_THREADS")
    refresh_shared = os.urandom(8).hex() if force else None  # --force recomputes each ctx.shared once per run

    for i, it in enumerate(items):
        if it.error is not None:
            r = base_result(None, "", None, it.claim_id)
            r.update(verdict="ERROR", reason=it.error.splitlines()[0], traceback=it.error, statement="(module import)")
            results[i] = r
            continue
        if it.skip_reason is not None:
            r = base_result(it.claim, it.spec.profile if it.spec else "", it.spec)
            r.update(verdict="SKIP", reason=it.skip_reason)
            results[i] = r
            continue
        assert it.spec is not None
        r = None if force else store.load_claim(it.spec)  # None if missing or damaged (moved aside): recomputed
        if r is not None:
            r["reused"] = True
            r["result_dir"] = str(store.claim_dir(it.spec))
            results[i] = r
            continue
        cells = it.spec.cells()
        known = items_seeds.setdefault(it.spec.claim_id, [])
        known += [int(s) for s in it.spec.seeds if int(s) not in known]
        needed[i] = cells
        reuse_counts[i] = 0
        for c in cells:
            if c.hash in queued or c.hash in done_cells:
                continue
            cached = None if force else store.load_cell(c)  # None if missing or damaged (moved aside): recomputed
            if cached is not None:
                done_cells[c.hash] = cached
                reuse_counts[i] += 1
                continue
            queued.add(c.hash)
            payloads.append(
                cell_payload(c, it.claim, str(store.root), store.suite, device, data_dir=data_dir, plugins=plugins,
                             threads=int(threads_env) if threads_env else None, sys_path=list(sys.path),
                             refresh_shared=refresh_shared)
            )
            payload_cells.append(c)

    if executor.name != "inline":
        order = dispatch_order(payload_cells, [p["need"] for p in payloads], items_seeds)
        payloads = [payloads[j] for j in order]
        payload_cells = [payload_cells[j] for j in order]

    # a claim run is aggregated (and stored) as soon as its last cell is in
    waiting: dict[int, set[str]] = {i: {c.hash for c in cells if c.hash in queued} for i, cells in needed.items()}
    users: dict[str, list[int]] = {}
    for i, hashes in waiting.items():
        for h in hashes:
            users.setdefault(h, []).append(i)

    bar = tqdm(total=len(payloads), desc="cells", unit="cell", disable=not progress_enabled() or not payloads, file=sys.stderr)

    def finalize(i: int) -> None:
        it, cells = items[i], needed[i]
        computed = sum(1 for c in cells if c.hash in queued)
        result, rows, raw, png = aggregate(it, {c.hash: done_cells[c.hash] for c in cells}, device, env, reuse_counts[i], computed)
        if result["verdict"] in ("PASS", "FAIL", "INCONCLUSIVE"):
            result["result_dir"] = str(store.claim_dir(it.spec))
            per_instance = result.pop("_per_instance", [])
            store.write_claim(it.spec, result, rows, raw, png, per_instance)
        result.pop("_per_instance", None)
        results[i] = result
        if progress_enabled():
            bar.write(f"{result['verdict']:<5} {result['label']}", file=sys.stderr)

    interrupted = False
    try:
        for i in [i for i, hashes in waiting.items() if not hashes]:
            finalize(i)
        for j, outcome, obj in executor.map(payloads):
            c = payload_cells[j]
            done_cells[c.hash] = (outcome, obj)
            bar.set_postfix_str(f"{c.claim_id} [{c.role}{'' if c.role == 'theory' else ' seed ' + str(c.seed)}] {outcome.get('status')}")
            bar.update(1)
            for i in users.get(c.hash, []):
                waiting[i].discard(c.hash)
                if not waiting[i]:
                    finalize(i)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: keep what finished, report the rest
        interrupted = True
    finally:
        bar.close()
    if interrupted:
        for i, it in enumerate(items):
            if results[i] is None:
                r = base_result(it.claim, it.spec.profile if it.spec else "", it.spec, it.claim_id)
                r.update(verdict="NOT RUN", reason="interrupted before its cells finished (completed cells are kept in the store)",
                         interrupted=True)
                results[i] = r
    return [ClaimResult.from_record(r) for r in results if r is not None]
