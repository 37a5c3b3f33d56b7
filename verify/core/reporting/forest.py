"""The forest plot that opens the report: every claim's error against its tolerance.

One row per claim, grouped by paper, predictions first. The x axis puts the tolerance at
0 and the passing side on the left: for a positive tolerance it is
`log10(error / tolerance)`; for a sign claim (tolerance 0) it is the error in units of its
interval's half-width (or of |error| when there is no interval), clipped to ±3. The bar is
the error's interval where the verdict was decided by one. Colour is the verdict. An
inline SVG, so it renders without scripts or images and can be read by a test.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from verify.core.reporting.tables import KIND_ORDER, fmt, slug, verdict_label

__all__ = ["forest_svg", "forest_x"]

COLOURS = {"PASS": "#2e7d32", "FAIL": "#c62828", "INCONCLUSIVE": "#f9a825", "ERROR": "#ef6c00", "SKIP": "#9e9e9e", "NOT RUN": "#9e9e9e"}
_LIM = 3.0


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None


def forest_x(error: float, tolerance: float, scale: float | None = None) -> float:
    """The plotted position: 0 at the tolerance, negative on the passing side."""
    if tolerance > 0:
        return max(-_LIM, min(_LIM, math.log10(max(error, tolerance * 10**-_LIM) / tolerance)))
    s = scale if scale and scale > 0 else (abs(error) or 1.0)
    return max(-_LIM, min(_LIM, (error - tolerance) / s))


def forest_svg(results: Sequence[dict[str, Any]], link=None, width: int = 760) -> str:
    """The forest plot of `results` as an inline `<svg class="forest">` (empty string when
    no result has a numeric error). `link(result)` gives a row's href, if any."""
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    rows = [r for r in results if _num(r.get("error")) is not None and _num(r.get("tolerance")) is not None]
    if not rows:
        return ""
    rows.sort(key=lambda r: (str(r.get("paper")), rank.get(r.get("kind") or "prediction", 9)))
    label_w, pad, row_h = 330, 12, 15
    plot_w = width - label_w - 2 * pad
    x0 = label_w + pad

    def px(v: float) -> float:
        return x0 + (v + _LIM) / (2 * _LIM) * plot_w

    items, y, paper = [], 34, None
    for r in rows:
        if r.get("paper") != paper:
            paper = r.get("paper")
            y += 6
            items.append(f"<text x='4' y='{y + 10}' font-weight='600' font-size='12'>{html.escape(str(paper))}</text>")
            y += row_h
        err, tol = float(r["error"]), float(r["tolerance"])
        ci = r.get("error_interval") or r.get("error_ci")
        lo = hi = None
        if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(_num(v) is not None for v in ci):
            lo, hi = float(ci[0]), float(ci[1])
        scale = (hi - lo) / 2 if lo is not None and hi > lo else None
        x = forest_x(err, tol, scale)
        colour = COLOURS.get(str(r.get("verdict")), "#555")
        kind = r.get("kind") or "prediction"
        tip = (f"{r.get('label')} — {verdict_label(r)} ({kind}); error {fmt(err)}"
               + (f" in [{fmt(lo)}, {fmt(hi)}]" if lo is not None else "") + f", tolerance {fmt(tol)}")
        label = str(r.get("label"))
        label = label if len(label) <= 46 else label[:45] + "…"
        text = html.escape(label) + ("" if kind == "prediction" else f" <tspan fill='#777'>({kind[:4]}.)</tspan>")
        href = link(r) if link else None
        t = f"<text x='14' y='{y + 10}' font-size='11'>{text}</text>"
        items.append(f"<a href='{html.escape(href)}'>{t}</a>" if href else t)
        g = [f"<g class='row' data-verdict='{html.escape(str(r.get('verdict')))}' data-kind='{kind}'><title>{html.escape(tip)}</title>"]
        if lo is not None:
            a, b = forest_x(lo, tol, scale), forest_x(hi, tol, scale)
            g.append(f"<line x1='{px(a):.1f}' x2='{px(b):.1f}' y1='{y + 6}' y2='{y + 6}' stroke='{colour}' stroke-width='2'/>")
        g.append(f"<circle cx='{px(x):.1f}' cy='{y + 6}' r='4' fill='{colour}'/></g>")
        items.append("".join(g))
        y += row_h
    height = y + 30
    axis = [f"<line x1='{px(0):.1f}' x2='{px(0):.1f}' y1='30' y2='{y}' stroke='#333' stroke-dasharray='4 3'/>",
            f"<text x='{px(0) + 4:.1f}' y='28' font-size='11'>tolerance</text>",
            f"<line x1='{x0}' x2='{x0 + plot_w}' y1='{y + 2}' y2='{y + 2}' stroke='#999'/>"]
    for v in range(-3, 4):
        axis.append(f"<text x='{px(v):.1f}' y='{y + 16}' font-size='10' text-anchor='middle'>{'1' if v == 0 else f'1e{v}'}</text>")
    axis.append(f"<text x='{x0}' y='{y + 28}' font-size='10' fill='#555'>error / tolerance (log; sign claims: error in interval half-widths); left of the line passes</text>")
    legend = "".join(
        f"<circle cx='{x0 + 90 * i + 6}' cy='8' r='4' fill='{c}'/><text x='{x0 + 90 * i + 14}' y='12' font-size='10'>{v}</text>"
        for i, (v, c) in enumerate([(k, COLOURS[k]) for k in ("PASS", "FAIL", "INCONCLUSIVE", "ERROR")])
    )
    return (f"<svg class='forest' id='forest-{slug(str(rows[0].get('paper')))}' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}' role='img' aria-label='forest plot of claim errors against tolerances'>"
            + legend + "".join(axis) + "".join(items) + "</svg>")
