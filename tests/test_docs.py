"""The docs generator: every theory module with derivations gets a page, every display
block parses as LaTeX, every symbolic check holds."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))

import build as docs_build  # noqa: E402

DISPLAY = re.compile(r"^\\\[\n(.*?)\n\\\]$", re.S | re.M)


def _theory_modules_with_derivations():
    out = []
    for name in docs_build.paper_modules("theory"):
        mod = importlib.import_module(f"theory.{name}")
        if hasattr(mod, "derivations"):
            out.append(name)
    return out


def test_generated_tree(tmp_path):
    cfg = docs_build.generate(report=None)
    src = cfg.parent / "src"
    assert (src / "index.md").exists() and (src / "architecture.md").exists()
    assert (src / "assets" / "katex" / "katex.min.js").exists()
    for name in _theory_modules_with_derivations():
        assert (src / "derivations" / f"{name}.md").exists(), name
    assert (src / "api" / "verify.core.claims.md").exists()


@pytest.mark.parametrize("name", _theory_modules_with_derivations())
def test_derivation_pages_parse_and_checks_hold(name):
    latex2mathml = pytest.importorskip("latex2mathml.converter")
    mod = importlib.import_module(f"theory.{name}")
    ders = mod.derivations()
    assert ders, f"theory.{name}.derivations() is empty"
    assert any(s.check for d in ders for s in d.steps), f"theory.{name}: no step is checked symbolically"
    for d in ders:
        assert not d.failed_checks, (d.id, d.failed_checks)
        md = d.to_markdown()
        blocks = DISPLAY.findall(md)
        assert blocks, d.id
        for b in blocks:
            latex2mathml.convert(b)


def test_derivation_markdown_shape():
    import sympy as sp

    from theory._derivation import Derivation, Step

    x = sp.symbols("x")
    d = Derivation("t.x", "Title", "t", "Eq. (1)", "none", (Step(sp.Eq(sp.diff(x**2, x), 2 * x), "power rule", check=True),), 2 * x)
    md = d.to_markdown()
    assert "\\[\n2 x = 2 x\n\\]" in md or "\\[\n" in md
    assert "(checked symbolically)" in md
    assert d.failed_checks == []
    bad = Derivation("t.y", "T", "t", "s", "a", (Step(x, "wrong", check=False),), x)
    assert bad.failed_checks == [0]
