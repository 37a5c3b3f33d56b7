"""Report writers: Markdown, self-contained HTML, static site, tidy CSV/JSON, leaderboards.

```
<out>/report.md  report.html  results.json  results.csv  claims.csv
      leaderboard.csv  leaderboard.json  tables/<family>.csv
      site/index.html  site/papers/<paper>.html  site/claims/<claim>.html  site/figures/*.png
```
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verify.core.metrics import FAMILIES
from verify.core.reporting.html import render_report_html, write_site
from verify.core.reporting.markdown import render_markdown, summary_lines
from verify.core.reporting.tables import claim_rows, family_table, seed_rows, to_csv
from verify.core.store import _json_default  # one copy: the store's JSON fallback

__all__ = ["write_report", "print_summary"]


def write_report(results: Sequence[dict[str, Any]], out: str | Path, meta: dict[str, Any]) -> Path:
    """Write every report file under `out`; returns `out`."""
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(render_markdown(results, meta))
    (out / "report.html").write_text(render_report_html(results, meta))
    (out / "results.json").write_text(json.dumps({"meta": meta, "results": list(results)}, indent=1, default=_json_default))
    (out / "results.csv").write_text(to_csv(seed_rows(results)))
    crow = claim_rows(results)
    (out / "claims.csv").write_text(to_csv(crow))
    (out / "leaderboard.csv").write_text(to_csv(crow))
    board = {fam: family_table(results, fam) for fam in FAMILIES}
    (out / "leaderboard.json").write_text(json.dumps({"meta": meta, "families": board}, indent=1, default=_json_default))
    for fam, rows in board.items():
        (out / "tables" / f"{fam}.csv").write_text(to_csv(rows))
    write_site(results, meta, out / "site")
    return out


def print_summary(results: Sequence[dict[str, Any]], out: str | Path, meta: dict[str, Any], file=None) -> None:
    f = file or sys.stdout
    for line in summary_lines(results):
        print(line, file=f)
    print(f"report: {Path(out) / 'report.html'} (site: {Path(out) / 'site' / 'index.html'})", file=f)
