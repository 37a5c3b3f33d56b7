"""Diff of two reports (suites): which claims flipped verdict, whose error changed, which
appeared or disappeared."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from verify.core.reporting.tables import fmt

__all__ = ["load_results", "diff_results", "render_diff"]


def load_results(path: str | Path) -> dict[str, dict[str, Any]]:
    """Results of a report folder (or its results.json), by claim label."""
    p = Path(path)
    if p.is_dir():
        p = p / "results.json"
    if not p.exists():
        raise ValueError(f"no results.json at {path}")
    try:
        data = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{p}: cannot read it: {getattr(e, 'strerror', None) or e}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{p}: not valid JSON ({e.msg} at line {e.lineno})") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise ValueError(f"{p}: not a report's results.json (it has no 'results' list)")
    out: dict[str, dict[str, Any]] = {}
    for i, r in enumerate(results):
        if not isinstance(r, dict) or not isinstance(r.get("label"), str):
            raise ValueError(f"{p}: results[{i}] is not a claim result with a 'label'")
        out[r["label"]] = r
    return out


def _verdict(r: dict[str, Any], point: bool) -> Any:
    return (r.get("point_verdict") or r.get("verdict")) if point else r.get("verdict")


def diff_results(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]], rel_change: float = 0.1, point: bool = False) -> dict[str, Any]:
    """Compare suite `a` (before) with `b` (after). `point=True` compares the point-estimate
    verdicts (error <= tolerance) instead of the interval verdicts, e.g. to check that a
    refactor changed no result across the change of verdict rule."""
    flipped, changed, same = [], [], []
    for label in sorted(set(a) & set(b)):
        ra, rb = a[label], b[label]
        if _verdict(ra, point) != _verdict(rb, point):
            flipped.append({"label": label, "before": _verdict(ra, point), "after": _verdict(rb, point), "error_before": ra.get("error"), "error_after": rb.get("error")})
            continue
        ea, eb = ra.get("error"), rb.get("error")
        if isinstance(ea, (int, float)) and isinstance(eb, (int, float)):
            scale = max(abs(ea), abs(eb), 1e-300)
            if abs(ea - eb) / scale > rel_change and not (math.isnan(ea) and math.isnan(eb)):
                changed.append({"label": label, "verdict": rb.get("verdict"), "error_before": ea, "error_after": eb})
                continue
        same.append(label)
    return {
        "flipped": flipped,
        "changed": changed,
        "unchanged": same,
        "added": sorted(set(b) - set(a)),
        "removed": sorted(set(a) - set(b)),
    }


def render_diff(d: dict[str, Any], name_a: str, name_b: str) -> str:
    lines = [f"# Report diff: `{name_a}` → `{name_b}`", ""]
    lines.append(f"{len(d['flipped'])} flipped, {len(d['changed'])} changed error, {len(d['unchanged'])} unchanged, "
                 f"{len(d['added'])} added, {len(d['removed'])} removed.")
    lines.append("")
    if d["flipped"]:
        lines += ["## Verdict flipped", "", "| claim | before | after | error before | error after |", "|---|---|---|---|---|"]
        lines += [f"| {x['label']} | {x['before']} | {x['after']} | {fmt(x['error_before'])} | {fmt(x['error_after'])} |" for x in d["flipped"]]
        lines.append("")
    if d["changed"]:
        lines += ["## Error changed by more than 10%", "", "| claim | verdict | error before | error after |", "|---|---|---|---|"]
        lines += [f"| {x['label']} | {x['verdict']} | {fmt(x['error_before'])} | {fmt(x['error_after'])} |" for x in d["changed"]]
        lines.append("")
    for key, title in (("added", "Added"), ("removed", "Removed")):
        if d[key]:
            lines += [f"## {title}", ""] + [f"- {x}" for x in d[key]] + [""]
    return "\n".join(lines)
