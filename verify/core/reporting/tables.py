"""Tidy tables of results: per claim, per seed, and per metric family (leaderboards)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from verify.core.metrics import FAMILIES

__all__ = [
    "fmt", "slug", "claim_rows", "seed_rows", "family_table", "to_csv", "headline_metrics", "PAPER_TITLES",
    "KIND_ORDER", "VERDICT_ORDER", "verdict_label", "by_kind", "counts_text",
]

#: Verdicts in the order the summaries list them.
VERDICT_ORDER = ("PASS", "FAIL", "INCONCLUSIVE", "ERROR", "SKIP", "NOT RUN")
#: Claim kinds in report order: the headline counts are predictions.
KIND_ORDER = ("prediction", "consistency", "implementation")


def verdict_label(r: dict[str, Any]) -> str:
    """The verdict as a reader sees it: `FAIL (known deviation)`, `PASS (deviation
    resolved)`, `PASS (underpowered)`, ..."""
    v = str(r.get("verdict"))
    notes = []
    if r.get("known_deviation"):
        notes.append("known deviation")
    if r.get("deviation_resolved"):
        notes.append("deviation resolved")
    if r.get("underpowered"):
        notes.append("underpowered")
    return v + (f" ({', '.join(notes)})" if notes else "")


def by_kind(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results ordered predictions first, then consistency checks, then implementation
    invariants (stable within a kind)."""
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(results, key=lambda r: rank.get(r.get("kind") or "prediction", len(rank)))


def counts_text(results: Sequence[dict[str, Any]]) -> list[str]:
    """One line per kind, predictions first: `predictions (n): PASS a, FAIL b, ...`;
    verdicts with a zero count are left out, known deviations are counted apart."""
    out = []
    names = {"prediction": "predictions", "consistency": "consistency checks", "implementation": "implementation invariants"}
    for kind in KIND_ORDER:
        rs = [r for r in results if (r.get("kind") or "prediction") == kind]
        if not rs:
            continue
        parts = []
        for v in VERDICT_ORDER:
            n = sum(r.get("verdict") == v for r in rs)
            if n or v in ("PASS", "FAIL"):
                parts.append(f"{v} {n}")
        dev = sum(bool(r.get("known_deviation")) for r in rs)
        if dev:
            parts.append(f"of the FAILs {dev} known deviation{'s' if dev > 1 else ''}")
        out.append(f"{names[kind]} ({len(rs)}): " + ", ".join(parts))
    return out

PAPER_TITLES = {
    "lazy_rich": "Get rich quick: exact solutions reveal how unbalanced initializations promote rapid feature learning (Kunin et al., NeurIPS 2024)",
    "transformer_geometry": "Geometric dynamics of signal propagation predict trainability of transformers (Cowsik et al., 2024)",
    "icl": "Pretraining task diversity and the emergence of non-Bayesian in-context learning for regression (Raventós et al., NeurIPS 2023)",
    "stochastic_collapse": "Stochastic collapse: how gradient noise attracts SGD dynamics towards simpler subnetworks (Chen et al., NeurIPS 2023)",
    "semdedup": "SemDeDup: data-efficient learning at web-scale through semantic deduplication (Abbas et al., 2023)",
    "class_manifolds": "What does a deep neural network confidently perceive? The effective dimension of high certainty class manifolds (Fort et al., 2022)",
    "max_margin": "The asymmetric maximum margin bias of quasi-homogeneous neural networks (Kunin et al., ICLR 2023)",
    "lottery": "Unmasking the lottery ticket hypothesis: what's encoded in a winning ticket's mask? (Paul et al., ICLR 2023)",
}

#: The headline metric of each family, shown in the leaderboard tables.
HEADLINE = {
    "agreement": "error",
    "calibration": "coverage",
    "robustness": "worst_error",
    "uniformity": "worst_group_error",
    "bias": "signed_deviation",
    "pathologies": "pathology_rate",
    "cost": "wall_s",
}


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:120] or "claim"


def paper_value_text(pv: dict[str, Any] | None, note: bool = False) -> str:
    """The paper's number of a result record as text: "value (source)", "could not be read
    (source)" for `PaperValue.unreadable`, "" when the paper reports none."""
    if not pv:
        return ""
    if pv.get("readable", True) is False:
        text = f"could not be read ({pv.get('source', '')})"
    else:
        text = f"{fmt(pv.get('value'))} ({pv.get('source', '')})"
    if note and pv.get("note"):
        text += f" {pv['note']}"
    return text


def fmt(x: Any, digits: int = 3) -> str:
    """A compact human-readable rendering of a number, array summary or n/a string."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if x != x:
            return "nan"
        if x == 0:
            return "0"
        if abs(x) >= 1e4 or abs(x) < 1e-3:
            return f"{x:.{digits - 1}e}"
        return f"{x:.{digits}g}"
    if isinstance(x, (list, tuple)):
        if len(x) == 2 and all(isinstance(v, (int, float)) for v in x):
            return f"[{fmt(x[0], digits)}, {fmt(x[1], digits)}]"
        flat = []
        stack = list(x)
        while stack and len(flat) < 7:
            v = stack.pop(0)
            if isinstance(v, (list, tuple)):
                stack = list(v) + stack
            else:
                flat.append(v)
        more = "…" if stack or len(flat) >= 7 else ""
        return "[" + ", ".join(fmt(v, digits) for v in flat[:6]) + (", …" if more else "") + "]"
    if isinstance(x, dict):
        if {"shape", "min", "max"} <= set(x):
            return f"array{tuple(x['shape'])} in [{fmt(x['min'])}, {fmt(x['max'])}]"
        return json.dumps(x, default=str)[:80]
    return str(x)


def headline_metrics(r: dict[str, Any]) -> dict[str, Any]:
    m = r.get("metrics") or {}
    out = {}
    for fam in FAMILIES:
        key = HEADLINE[fam]
        out[fam] = (m.get(fam) or {}).get(key, "n/a (not computed)")
    return out


def claim_rows(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per claim run."""
    rows = []
    for r in results:
        pv = r.get("paper_value") or {}
        row = {
            "label": r.get("label"),
            "paper": r.get("paper"),
            "kind": r.get("kind") or "prediction",
            "verdict": r.get("verdict"),
            "point_verdict": r.get("point_verdict"),
            "known_deviation": bool(r.get("known_deviation")),
            "deviation_resolved": bool(r.get("deviation_resolved")),
            "decided_by": r.get("decided_by"),
            "error_interval_low": (r.get("error_interval") or [None, None])[0],
            "error_interval_high": (r.get("error_interval") or [None, None])[1],
            "seeds_needed": r.get("seeds_needed"),
            "underpowered": bool(r.get("underpowered")),
            "reason": r.get("reason", ""),
            "theory": json.dumps(r.get("theory")),
            "measured": json.dumps(r.get("measured")),
            "error": r.get("error"),
            "error_ci_low": (r.get("error_ci") or [None, None])[0],
            "error_ci_high": (r.get("error_ci") or [None, None])[1],
            "tolerance": r.get("tolerance"),
            "compare": r.get("compare"),
            "paper_value": (json.dumps(pv.get("value")) if pv.get("readable", True) else "could not be read") if pv else "",
            "paper_value_source": pv.get("source", "") if pv else "",
            "n_seeds": len(r.get("seeds") or []),
            "profile": r.get("profile"),
            "spec_hash": r.get("spec_hash"),
            "code_version": r.get("code_version"),
            "git_commit": (r.get("env") or {}).get("git_commit"),
            "device": r.get("device"),
            "wall_s": r.get("wall_s"),
        }
        for fam, v in headline_metrics(r).items():
            row[f"{fam}.{HEADLINE[fam]}"] = v
        rows.append(row)
    return rows


def seed_rows(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tidy: one row per claim and seed (claims without seeds get one row)."""
    rows = []
    for r in results:
        seeds = r.get("seeds") or [None]
        errs = r.get("per_seed_error") or [None] * len(seeds)
        infos = r.get("measured_info") or [None] * len(seeds)
        for s, e, info in zip(seeds, errs, infos):
            rows.append(
                {
                    "label": r.get("label"),
                    "paper": r.get("paper"),
                    "seed": s,
                    "verdict": r.get("verdict"),
                    "theory": json.dumps(r.get("theory")),
                    "seed_error": e,
                    "claim_error": r.get("error"),
                    "tolerance": r.get("tolerance"),
                    "info": json.dumps(info, default=str) if info else "",
                    "profile": r.get("profile"),
                    "spec_hash": r.get("spec_hash"),
                }
            )
    return rows


def family_table(results: Sequence[dict[str, Any]], family: str) -> list[dict[str, Any]]:
    """Claims × metrics of one family (the leaderboard tab of that family)."""
    rows = []
    for r in results:
        m = (r.get("metrics") or {}).get(family) or {}
        row = {"label": r.get("label"), "paper": r.get("paper"), "verdict": r.get("verdict")}
        for k, v in m.items():
            if isinstance(v, (dict, list)):
                v = json.dumps(v, default=str)
            row[k] = v
        rows.append(row)
    return rows


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    fields: list[str] = []
    for r in rows:
        for k in r:
            if k not in fields:
                fields.append(k)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields or ["label"])
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()
