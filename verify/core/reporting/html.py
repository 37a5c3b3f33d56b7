"""HTML reports: one self-contained `report.html`, and a static site (`site/`) with an index,
a page per paper and a page per claim (spec, raw numbers, metric families, figure).

No JavaScript and no network: figures are PNG files (inlined as base64 in `report.html`),
tooltips are `title` attributes generated from the metric schema.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verify.core.metrics import FAMILIES, schema
from verify.core.reporting.forest import forest_svg
from verify.core.reporting.tables import HEADLINE, PAPER_TITLES, VERDICT_ORDER, by_kind, counts_text, fmt, headline_metrics, paper_value_text, slug, verdict_label

__all__ = ["render_report_html", "write_site", "CSS"]

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f5f5f7}.PASS{background:#d9f2d9}.FAIL{background:#f9d6d5}.ERROR{background:#f6c89f}.SKIP{background:#e8e8e8}.INCONCLUSIVE{background:#fff3c4}.NOT.RUN{background:#e8e8e8}
.verdict{font-weight:600}code,pre{font-family:ui-monospace,Menlo,monospace;font-size:.85rem}pre{background:#f5f5f7;padding:.5rem;overflow-x:auto}
img.figure{max-width:100%;border:1px solid #eee;margin:.5rem 0}.muted{color:#666}.na{color:#888;font-style:italic}
nav a{margin-right:1rem}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _metric_title(name: str) -> str:
    m = schema().get("metrics", {}).get(name)
    if not m:
        return ""
    return f"{m['description']} ({m['direction'].replace('_', ' ')}; unit: {m['unit']})"


def _val(x: Any) -> str:
    s = fmt(x)
    cls = ' class="na"' if isinstance(x, str) and x.startswith("n/a") else ""
    return f"<span{cls}>{_e(s)}</span>"


def _summary_table(results: Sequence[dict[str, Any]], link) -> str:
    rows = [
        "<table><tr><th>claim</th><th>kind</th><th>verdict</th><th>theory</th><th>measured</th>"
        "<th title='the claim&#39;s comparison error; 95% bootstrap CI over seeds'>error [95% CI]</th>"
        "<th>tolerance</th><th title='the paper&#39;s own number, a reference only'>paper</th></tr>"
    ]
    for r in by_kind(results):
        pv = r.get("paper_value")
        ci = r.get("error_interval") or r.get("error_ci")
        label = _e(r.get("label"))
        href = link(r)
        name = f"<a href='{href}'>{label}</a>" if href else label
        tol = f"{_e(r.get('compare', ''))} ≤ {_e(fmt(r.get('tolerance')))}" if r.get("compare") else ""
        rows.append(
            f"<tr><td>{name}</td><td>{_e(r.get('kind') or 'prediction')}</td><td class='verdict {_e(r.get('verdict'))}' title='{_e(r.get('reason', ''))}'>{_e(verdict_label(r))}</td>"
            f"<td>{_val(r.get('theory'))}</td><td>{_val(r.get('measured'))}</td>"
            f"<td>{_val(r.get('error'))}{(' ' + _e(fmt(ci))) if ci else ''}</td><td>{tol}</td>"
            f"<td title='{_e((pv or {}).get('note', ''))}'>{_e(paper_value_text(pv))}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _na(x: Any) -> bool:
    return x is None or (isinstance(x, str) and x.startswith("n/a"))


def _families_table(results: Sequence[dict[str, Any]], link) -> str:
    """The metric families that apply to at least one row; an n/a cell shows a dash with
    its reason as a tooltip."""
    hms = [headline_metrics(r) for r in results]
    fams = [f for f in FAMILIES if any(not _na(hm[f]) for hm in hms)]
    if not fams:
        return "<p class=muted>No metric family applies to these claims.</p>"
    head = "".join(
        f"<th title='{_e(schema()['families'][f]['description'])}'>{_e(f)}<br><span class=muted title='{_e(_metric_title(HEADLINE[f]))}'>{_e(HEADLINE[f])}</span></th>"
        for f in fams
    )
    rows = [f"<table class='families'><tr><th>claim</th>{head}</tr>"]
    for r, hm in zip(results, hms):
        href = link(r)
        label = f"<a href='{href}'>{_e(r.get('label'))}</a>" if href else _e(r.get("label"))
        cells = "".join(
            f"<td class=na title='{_e(hm[f] or 'n/a')}'>–</td>" if _na(hm[f]) else f"<td>{_val(hm[f])}</td>" for f in fams
        )
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    rows.append("</table>")
    left = [f for f in FAMILIES if f not in fams]
    if left:
        rows.append(f"<p class=muted>Not applicable to any claim here: {_e(', '.join(left))}. A dash's tooltip gives its reason.</p>")
    return "\n".join(rows)


def _claim_detail(r: dict[str, Any], figure_src: str | None) -> str:
    parts = [f"<h3 id='{_e(slug(str(r.get('label'))))}'>{_e(r.get('label'))} — <span class='verdict {_e(r.get('verdict'))}'>{_e(verdict_label(r))}</span></h3>"]
    parts.append(f"<p>{_e(r.get('statement', ''))}</p>")
    if r.get("reason"):
        parts.append(f"<p><b>{_e(r.get('verdict'))}:</b> {_e(r['reason'])}</p>")
    if r.get("deviation"):
        parts.append(f"<p><b>known deviation:</b> {_e(r['deviation'])}</p>")
    if r.get("traceback"):
        parts.append(f"<details><summary>traceback</summary><pre>{_e(r['traceback'])}</pre></details>")
    rows = [
        ("theory", fmt(r.get("theory"))),
        ("theory stderr", fmt(r.get("theory_stderr"))),
        ("measured", fmt(r.get("measured")) + (f" (95% CI {fmt(r['measured_ci'])})" if r.get("measured_ci") else "")),
        ("measured stderr", fmt(r.get("measured_stderr"))),
        ("error", f"{fmt(r.get('error'))} ({r.get('error_label', '')})" + (f", 95% CI {fmt(r['error_ci'])}" if r.get("error_ci") else "")),
        ("rule", f"{r.get('compare_description', '')}; tolerance {fmt(r.get('tolerance'))}"),
        ("kind", r.get("kind") or "prediction"),
        ("decided by", f"{r.get('decided_by', 'point estimate')}" + (f": error in {fmt(r['error_interval'])}" if r.get("error_interval") else "")
         + (" — underpowered: the tolerance is below twice the comparison's standard error" if r.get("underpowered") else "")),
        ("tolerance reason", r.get("tolerance_reason", "")),
        ("seeds", r.get("seeds")),
        ("per-seed error", fmt(r.get("per_seed_error"))),
        ("paper's number", paper_value_text(r.get("paper_value"), note=True) or "— (the paper states no number for this claim)"),
        ("what is the paper's", (r.get("provenance") or {}).get("paper", "—")),
        ("what is our reconstruction", (r.get("provenance") or {}).get("ours", "—")),
        ("spec hash / code version", f"{r.get('spec_hash')} / {r.get('code_version')}"),
        ("git commit / device", f"{(r.get('env') or {}).get('git_commit')} / {(r.get('env') or {}).get('device', r.get('device'))}"),
    ]
    parts.append("<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>")
    if figure_src:
        parts.append(f"<img class='figure' alt='figure for {_e(r.get('label'))}' src='{figure_src}'>")
    elif r.get("figure_error"):
        parts.append(f"<p class=muted>figure failed: {_e(r['figure_error'])}</p>")
    m = r.get("metrics") or {}
    if m:
        fam_rows = []
        for fam in FAMILIES:
            vals = m.get(fam) or {}
            cells = ", ".join(f"<span title='{_e(_metric_title(k))}'>{_e(k)}</span> = {_val(v)}" for k, v in vals.items())
            fam_rows.append(f"<tr><th title='{_e(schema()['families'][fam]['description'])}'>{_e(fam)}</th><td>{cells}</td></tr>")
        parts.append("<table>" + "".join(fam_rows) + "</table>")
    info = {"theory_info": r.get("theory_info"), "measured_info": r.get("measured_info"), "config": r.get("config"), "overrides": r.get("overrides")}
    parts.append(f"<details><summary>spec and raw numbers</summary><pre>{_e(json.dumps(info, indent=1, default=str))}</pre></details>")
    return "\n".join(parts)


def _page(title: str, body: str, css_href: str | None = None) -> str:
    style = f"<link rel='stylesheet' href='{css_href}'>" if css_href else f"<style>{CSS}</style>"
    return f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>{style}</head><body>\n{body}\n</body></html>\n"


def _figure_bytes(r: dict[str, Any]) -> bytes | None:
    d = r.get("result_dir")
    if not d or not r.get("figure"):
        return None
    p = Path(d) / r["figure"]
    return p.read_bytes() if p.exists() else None


def _counts(results) -> str:
    return "<br>".join(_e(line) for line in counts_text(results))


def render_report_html(results: Sequence[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The single-file report: figures inlined, one section per paper."""
    body = [f"<h1>Agreement report — suite {_e(meta.get('suite'))}, profile {_e(meta.get('profile'))}</h1>",
            f"<p>{_counts(results)}</p>",
            f"<p class=muted>device {_e(meta.get('device'))}, backend {_e(meta.get('backend'))} × {_e(meta.get('jobs'))}, "
            f"{_e(fmt(meta.get('wall_s')))} s wall; <code>{_e(meta.get('command', ''))}</code></p>"]
    anchor = lambda r: "#" + slug(str(r.get("label")))  # noqa: E731
    body.insert(1, forest_svg(results, anchor))
    for paper in sorted({r["paper"] for r in results}):
        rs = [r for r in results if r["paper"] == paper]
        body.append(f"<h2 id='paper-{_e(paper)}'>{_e(paper)}</h2><p class=muted>{_e(PAPER_TITLES.get(paper, ''))}</p>")
        body.append(_summary_table(rs, anchor))
        for r in rs:
            png = _figure_bytes(r)
            src = "data:image/png;base64," + base64.b64encode(png).decode() if png else None
            body.append(_claim_detail(r, src))
    body.append("<h2>Metric families</h2>")
    body.append(_families_table(results, anchor))
    return _page(f"dltheory report — {meta.get('suite')}", "\n".join(body))


def write_site(results: Sequence[dict[str, Any]], meta: dict[str, Any], site: Path) -> list[Path]:
    """The static site: `index.html`, `papers/<paper>.html`, `claims/<claim>.html`,
    `figures/<claim>.png`, `style.css`. Returns the pages written."""
    (site / "papers").mkdir(parents=True, exist_ok=True)
    (site / "claims").mkdir(parents=True, exist_ok=True)
    (site / "figures").mkdir(parents=True, exist_ok=True)
    (site / "style.css").write_text(CSS)
    pages: list[Path] = []
    papers = sorted({r["paper"] for r in results})
    nav_root = "<nav><a href='index.html'>index</a>" + "".join(f"<a href='papers/{_e(p)}.html'>{_e(p)}</a>" for p in papers) + "</nav>"
    nav_sub = "<nav><a href='../index.html'>index</a>" + "".join(f"<a href='../papers/{_e(p)}.html'>{_e(p)}</a>" for p in papers) + "</nav>"

    # index
    rows = ["<table><tr><th>paper</th><th>predictions</th>" + "".join(f"<th>{v}</th>" for v in VERDICT_ORDER) + "<th>other kinds</th></tr>"]
    for p in papers:
        rs = [r for r in results if r["paper"] == p]
        preds = [r for r in rs if (r.get("kind") or "prediction") == "prediction"]
        cnt = {v: sum(r.get("verdict") == v for r in preds) for v in VERDICT_ORDER}
        status = "PASS" if cnt["FAIL"] == cnt["ERROR"] == 0 and cnt["PASS"] else ("ERROR" if cnt["ERROR"] else ("FAIL" if cnt["FAIL"] else "SKIP"))
        others = [r for r in rs if (r.get("kind") or "prediction") != "prediction"]
        other_txt = f"{sum(r.get('verdict') == 'PASS' for r in others)}/{len(others)} PASS" if others else "—"
        rows.append(
            f"<tr><td class='{status}'><a href='papers/{_e(p)}.html'>{_e(p)}</a><br><span class=muted>{_e(PAPER_TITLES.get(p, ''))}</span></td>"
            f"<td>{len(preds)}</td>" + "".join(f"<td>{cnt[v]}</td>" for v in VERDICT_ORDER) + f"<td>{other_txt}</td></tr>"
        )
    rows.append("</table>")
    claim_link_root = lambda r: f"claims/{slug(str(r.get('label')))}.html"  # noqa: E731
    index = [
        nav_root,
        f"<h1>dltheory agreement report — suite {_e(meta.get('suite'))}</h1>",
        forest_svg(results, claim_link_root),
        f"<p>profile {_e(meta.get('profile'))}; {_counts(results)}</p>",
        f"<p class=muted>device {_e(meta.get('device'))}, backend {_e(meta.get('backend'))} × {_e(meta.get('jobs'))}, {_e(fmt(meta.get('wall_s')))} s wall; "
        "downloads: <a href='../results.csv'>results.csv</a>, <a href='../results.json'>results.json</a>, "
        "<a href='../leaderboard.csv'>leaderboard.csv</a>, <a href='../leaderboard.json'>leaderboard.json</a></p>",
        "\n".join(rows),
        "<h2>Metric families</h2>",
        _families_table(results, claim_link_root),
    ]
    pages.append(site / "index.html")
    (site / "index.html").write_text(_page("dltheory report", "\n".join(index), "style.css"))

    for p in papers:
        rs = [r for r in results if r["paper"] == p]
        body = [nav_sub, f"<h1>{_e(p)}</h1><p class=muted>{_e(PAPER_TITLES.get(p, ''))}</p>",
                forest_svg(rs, lambda r: f"../claims/{slug(str(r.get('label')))}.html"), f"<p>{_counts(rs)}</p>",
                _summary_table(rs, lambda r: f"../claims/{slug(str(r.get('label')))}.html")]
        for r in rs:
            if r.get("figure") and _figure_bytes(r):
                body.append(f"<h3>{_e(r.get('label'))}</h3><img class='figure' alt='figure for {_e(r.get('label'))}' src='../figures/{slug(str(r.get('label')))}.png'>")
        body.append("<h2>Metric families</h2>")
        body.append(_families_table(rs, lambda r: f"../claims/{slug(str(r.get('label')))}.html"))
        path = site / "papers" / f"{p}.html"
        path.write_text(_page(f"{p} — dltheory", "\n".join(body), "../style.css"))
        pages.append(path)

    for r in results:
        s = slug(str(r.get("label")))
        png = _figure_bytes(r)
        src = None
        if png:
            (site / "figures" / f"{s}.png").write_bytes(png)
            src = f"../figures/{s}.png"
        body = [nav_sub, f"<p><a href='../papers/{_e(r['paper'])}.html'>← {_e(r['paper'])}</a></p>", _claim_detail(r, src)]
        path = site / "claims" / f"{s}.html"
        path.write_text(_page(f"{r.get('label')} — dltheory", "\n".join(body), "../style.css"))
        pages.append(path)
    return pages
