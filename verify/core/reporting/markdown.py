"""The Markdown report (`report.md`) and the console summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from verify.core.metrics import FAMILIES
from verify.core.reporting.tables import HEADLINE, PAPER_TITLES, VERDICT_ORDER, by_kind, counts_text, fmt, headline_metrics, paper_value_text, verdict_label

__all__ = ["render_markdown", "summary_lines", "verdict_counts"]


def verdict_counts(results: Sequence[dict[str, Any]]) -> Counter:
    return Counter(r.get("verdict") for r in results)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(results: Sequence[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"# Agreement report — suite `{meta.get('suite')}`, profile `{meta.get('profile')}`",
        "",
        f"Device `{meta.get('device')}`, backend `{meta.get('backend')}` × {meta.get('jobs')}, "
        f"{fmt(meta.get('wall_s'))} s wall. Command: `{meta.get('command', '')}`",
        "",
        *[f"- **{line}**" if i == 0 else f"- {line}" for i, line in enumerate(counts_text(results))],
        "",
        "Theory and practice are computed in separate runs; the verdict is the claim's comparison "
        "error against its stated tolerance. A noisy comparison is decided by its interval: PASS "
        "inside the tolerance, FAIL outside, INCONCLUSIVE when it straddles. *Predictions* test theory "
        "against integration, simulation, training or data; *consistency* checks compare two theory "
        "routes; *implementation* invariants check an algorithm. *Paper* is the paper's own number, shown "
        "as a reference only.",
        "",
    ]
    papers = sorted({r["paper"] for r in results})
    for paper in papers:
        rs = by_kind([r for r in results if r["paper"] == paper])
        lines += [f"## {paper}", "", f"*{PAPER_TITLES.get(paper, paper)}*", ""]
        lines += ["| claim | kind | verdict | theory | measured | error [95% CI] | tolerance | paper |", "|---|---|---|---|---|---|---|---|"]
        for r in rs:
            pv = r.get("paper_value")
            ci = r.get("error_interval") or r.get("error_ci")
            err = fmt(r.get("error")) + (f" {fmt(ci)}" if ci else "")
            lines.append(
                "| "
                + " | ".join(
                    _cell(x)
                    for x in (
                        r.get("label"),
                        r.get("kind") or "prediction",
                        verdict_label(r),
                        fmt(r.get("theory")),
                        fmt(r.get("measured")),
                        err,
                        f"{r.get('compare', '')} ≤ {fmt(r.get('tolerance'))}" if r.get("compare") else "",
                        paper_value_text(pv),
                    )
                )
                + " |"
            )
        lines.append("")
        for r in rs:
            lines.append(f"- **{r.get('label')}** — {r.get('statement', '')}")
            if r.get("reason"):
                lines.append(f"  - {r['verdict']}: {r['reason']}")
            if r.get("deviation"):
                lines.append(f"  - known deviation: {r['deviation']}")
            if r.get("tolerance_reason"):
                lines.append(f"  - tolerance: {r['tolerance_reason']}")
        lines.append("")
    lines += ["## Metric families", "", "| claim | " + " | ".join(f"{f} ({HEADLINE[f]})" for f in FAMILIES) + " |",
              "|---|" + "---|" * len(FAMILIES)]
    for r in results:
        hm = headline_metrics(r)
        lines.append("| " + _cell(r.get("label")) + " | " + " | ".join(_cell(fmt(hm[f])) for f in FAMILIES) + " |")
    lines.append("")
    return "\n".join(lines)


def summary_lines(results: Sequence[dict[str, Any]]) -> list[str]:
    width = min(64, max([len(str(r.get("label"))) for r in results] + [5]))
    out = [f"{'claim':<{width}}  {'verdict':<12}  {'error':>10}  {'tolerance':>10}  {'wall s':>7}"]
    out.append("-" * len(out[0]))
    for r in results:
        label = str(r.get("label"))
        label = label if len(label) <= width else label[: width - 1] + "…"
        out.append(
            f"{label:<{width}}  {_short_verdict(r):<12}  {fmt(r.get('error')):>10}  {fmt(r.get('tolerance')):>10}  {fmt(r.get('wall_s')):>7}"
        )
    out.append("-" * len(out[0]))
    out += counts_text(results)
    not_run = sum(r.get("verdict") == "NOT RUN" for r in results)
    if not_run:
        out.append(f"{not_run} claim run{'s' if not_run > 1 else ''} NOT RUN (interrupted); rerun the same command to finish them")
    return out


def _short_verdict(r: dict[str, Any]) -> str:
    v = str(r.get("verdict"))
    return v + ("*" if r.get("known_deviation") else "")
