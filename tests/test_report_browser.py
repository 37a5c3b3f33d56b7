"""The static report opens in a real browser: every page loads and every figure decodes.

A report is made from the synthetic harness claims, served on loopback, and a checker
page (same origin) loads each site page in an iframe and records, for each, whether it
loaded and whether every <img> decoded (`complete && naturalWidth > 0`). Headless Chromium
runs the checker and dumps the DOM. Skipped where Chromium is not installed.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from verify.core.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")]

CHECKER = """<!doctype html><html><body><pre id="out">running</pre><script>
const pages = %s;
const results = {};
let i = 0;
function next() {
  if (i >= pages.length) { document.getElementById('out').textContent = 'RESULT ' + JSON.stringify(results); return; }
  const url = pages[i++];
  const f = document.createElement('iframe');
  f.style.width = '1200px'; f.style.height = '800px';
  const timer = setTimeout(() => { results[url] = {loaded: false}; f.remove(); next(); }, 5000);
  f.onload = () => {
    const doc = f.contentDocument;
    const imgs = Array.from(doc.images);
    const wait = imgs.map(im => im.complete ? Promise.resolve() : new Promise(r => { im.onload = r; im.onerror = r; }));
    Promise.all(wait).then(() => {
      clearTimeout(timer);
      results[url] = {loaded: true, title: doc.title, h1: !!doc.querySelector('h1, h3'),
                      images: imgs.length, decoded: imgs.filter(im => im.naturalWidth > 0).length,
                      forest: Array.from(doc.querySelectorAll('svg.forest g.row')).filter(g => g.getBoundingClientRect().width > 0).length,
                      forestFirst: (() => { const f = doc.querySelector('svg.forest'); const t = doc.querySelector('table');
                                            return !!f && (!t || !!(f.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)); })()};
      f.remove(); next();
    });
  };
  f.src = url;
  document.body.appendChild(f);
}
next();
</script></body></html>"""


@pytest.fixture()
def report(tmp_path):
    main(["--plugins", "tests._harness_claims", "--only", "harness*", "--store", str(tmp_path / "runs"), "--out",
          str(tmp_path / "rep"), "--no-progress"])
    return tmp_path / "rep"


def test_every_page_loads_and_every_figure_is_present(report):
    site = report / "site"
    pages = sorted(str(p.relative_to(report)) for p in site.rglob("*.html"))
    pages.append("report.html")
    assert len(pages) >= 9  # index + paper page + 6 claim pages + report.html
    (report / "check.html").write_text(CHECKER % json.dumps(pages))

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(report))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/check.html"
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={report / '.chrome'}", "--virtual-time-budget=60000", "--dump-dom", url],
            capture_output=True, text=True, timeout=180,
        )
    finally:
        server.shutdown()
    dom = proc.stdout
    assert "RESULT " in dom, (proc.returncode, proc.stderr[-2000:])
    payload = dom.split("RESULT ", 1)[1].split("</pre>", 1)[0]
    results = json.loads(payload.replace("&quot;", '"').replace("&amp;", "&"))
    assert set(results) == set(pages)
    for page, r in results.items():
        assert r["loaded"], page
        assert r["h1"], page
        assert r["decoded"] == r["images"], page
    # the figure of harness.curve is present on its claim page, its paper page and in report.html
    assert results["site/claims/harness.curve.html"]["images"] == 1
    assert results["site/papers/harness.html"]["images"] == 1
    assert results["report.html"]["images"] >= 1

    # the forest plot opens the report, the index and every paper page, and it renders:
    # one drawn row per claim with a numeric error, before any table
    def finite(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool) and abs(x) < float("inf")

    n_numeric = sum(finite(r.get("error")) and finite(r.get("tolerance")) for r in json.loads((report / "results.json").read_text())["results"])
    for page in ("report.html", "site/index.html", "site/papers/harness.html"):
        assert results[page]["forest"] >= 1, page
        assert results[page]["forestFirst"], page
    assert results["site/index.html"]["forest"] == n_numeric
