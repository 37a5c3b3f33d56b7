"""Build the documentation site, offline: `python docs/build.py`.

1. Collects the hand-written pages (`docs/*.md`, `docs/papers/*.md`) and the vendored
   KaTeX into `docs/_build/src/`.
2. Generates one derivation page per theory module from its `derivations()` — the same
   sympy objects the code lambdifies — with the latest agreement table of the paper (from
   `reports/latest/results.json`, or `--report DIR`).
3. Generates one API page per module of `theory/`, `numerics/`, `verify/` (mkdocstrings).
4. Runs `mkdocs build --strict` into `docs/_site/` (skip with `--no-site`).

Everything generated is git-ignored.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BUILD = DOCS / "_build"
SRC = BUILD / "src"
SITE = DOCS / "_site"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def paper_modules(tree: str) -> list[str]:
    pkg = importlib.import_module(tree)
    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def agreement_table(paper: str, report: Path | None) -> str:
    if report is None or not (report / "results.json").exists():
        return "*No agreement report found: run `python -m verify.all --profile quick` and rebuild.*\n"
    from verify.core.reporting.tables import fmt

    data = json.loads((report / "results.json").read_text())
    rows = [r for r in data["results"] if r.get("paper") == paper]
    if not rows:
        return f"*The report at `{report}` has no claims of `{paper}`.*\n"
    meta = data.get("meta", {})
    out = [f"From suite `{meta.get('suite')}`, profile `{meta.get('profile')}`, device `{meta.get('device')}`.", "",
           "| claim | verdict | theory | measured | error | tolerance |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [r.get("label"), r.get("verdict"), fmt(r.get("theory")), fmt(r.get("measured")), fmt(r.get("error")),
                 f"{r.get('compare', '')} ≤ {fmt(r.get('tolerance'))}"]
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"


def provenance_section(paper: str) -> str:
    """Markdown list, per claim of `verify.<paper>`, of what is the paper's (its statement,
    set-up and number) and what is our reconstruction, from the claims' `Provenance` and
    `PaperValue` (the objects the harness runs)."""
    from verify.core.reporting.tables import paper_value_text
    from verify.core.registry import paper_registry

    try:
        reg = paper_registry(paper)
    except KeyError:
        return ""
    if reg.import_errors:
        raise RuntimeError(f"verify.{paper} failed to import:\n{reg.import_errors[paper]}")
    claims = list(reg.values())
    out = ["## Claims: what is the paper's and what is ours", "",
           "Generated from each claim's `provenance` and `paper_value` in `verify/" + paper + "/__init__.py`.", ""]
    for c in claims:
        pv = paper_value_text(dataclasses.asdict(c.paper_value), note=True) if c.paper_value else "none reported for this claim"
        prov = c.provenance
        out += [f"### `{c.id}`", "", f"*{c.kind or 'prediction'}* — {c.statement}", "",
                f"- **Paper's number:** {pv}",
                f"- **The paper's:** {prov.paper if prov else '*not yet stated*'}",
                f"- **Our reconstruction:** {prov.ours if prov else '*not yet stated*'}"]
        if c.deviation:
            out.append(f"- **Known deviation:** {c.deviation}")
        out.append("")
    return "\n".join(out)


def derivation_pages(report: Path | None) -> dict[str, str]:
    """Markdown of each theory module's derivation page, by paper. Raises if a symbolic
    check of a step came out False."""
    pages = {}
    for name in paper_modules("theory"):
        mod = importlib.import_module(f"theory.{name}")
        fn = getattr(mod, "derivations", None)
        if fn is None:
            continue
        ders = fn()
        bad = [(d.id, i) for d in ders for i in d.failed_checks]
        if bad:
            raise RuntimeError(f"theory.{name}: symbolic checks failed at {bad}")
        title = (mod.__doc__ or name).strip().splitlines()[0]
        body = [f"# Derivations: `{name}`", "", title, ""]
        body += [d.to_markdown() for d in ders]
        body += ["## Agreement with practice", "", agreement_table(name, report)]
        pages[name] = "\n".join(body)
    return pages


def api_pages() -> dict[str, str]:
    pages = {}
    for tree in ("theory", "numerics", "verify"):
        for name in paper_modules(tree):
            if tree == "verify" and name in ("all", "core"):
                continue
            pages[f"{tree}.{name}"] = f"# `{tree}.{name}`\n\n::: {tree}.{name}\n"
    pages["verify.core.claims"] = "# `verify.core.claims`\n\n::: verify.core.claims\n"
    pages["verify.core.context"] = "# `verify.core.context`\n\n::: verify.core.context\n"
    pages["theory._derivation"] = "# `theory._derivation`\n\n::: theory._derivation\n"
    return pages


def mkdocs_config(nav: list) -> dict:
    return {
        "site_name": "dltheory",
        "site_description": "Deep-learning theory papers: derived, integrated, verified.",
        "docs_dir": "src",
        "site_dir": str(SITE),
        "strict": True,
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "features": ["navigation.sections"]},
        "markdown_extensions": [
            {"pymdownx.arithmatex": {"generic": True}},
            "admonition",
            "pymdownx.details",
            "pymdownx.superfences",
            "tables",
            {"toc": {"permalink": True}},
        ],
        "extra_javascript": ["assets/katex/katex.min.js", "assets/katex/contrib/auto-render.min.js", "assets/katex-init.js"],
        "extra_css": ["assets/katex/katex.min.css"],
        "plugins": [
            "search",
            {
                "mkdocstrings": {
                    "handlers": {
                        "python": {
                            "paths": [str(ROOT)],
                            "options": {
                                "docstring_style": None,
                                "show_source": False,
                                "members_order": "source",
                                "filters": ["!^_"],
                                "heading_level": 2,
                                "show_root_heading": False,
                            },
                        }
                    }
                }
            },
        ],
        "nav": nav,
    }


def generate(report: Path | None) -> Path:
    """Write the full Markdown source tree to docs/_build/src; returns the mkdocs.yml path."""
    import yaml

    if BUILD.exists():
        shutil.rmtree(BUILD)
    SRC.mkdir(parents=True)
    shutil.copytree(DOCS / "assets", SRC / "assets")
    hand = [p for p in sorted(DOCS.glob("*.md"))]
    for p in hand:
        shutil.copy(p, SRC / p.name)
    papers_nav = []
    if (DOCS / "papers").exists():
        (SRC / "papers").mkdir()
        for p in sorted((DOCS / "papers").glob("*.md")):
            text = p.read_text().rstrip() + "\n\n" + provenance_section(p.stem)
            (SRC / "papers" / p.name).write_text(text)
            papers_nav.append({p.stem: f"papers/{p.name}"})
    (SRC / "derivations").mkdir()
    der_nav = []
    for name, text in derivation_pages(report).items():
        (SRC / "derivations" / f"{name}.md").write_text(text)
        der_nav.append({name: f"derivations/{name}.md"})
    (SRC / "api").mkdir()
    api_nav = []
    for name, text in api_pages().items():
        (SRC / "api" / f"{name}.md").write_text(text)
        api_nav.append({name: f"api/{name}.md"})
    nav = [{"Home": "index.md"}, {"Architecture": "architecture.md"}]
    nav += [{p.stem.replace("_", " ").capitalize(): p.name} for p in hand if p.name not in ("index.md", "architecture.md")]
    if papers_nav:
        nav.append({"Papers": papers_nav})
    nav.append({"Derivations": der_nav or [{"(none yet)": "index.md"}]})
    nav.append({"API": api_nav})
    cfg = BUILD / "mkdocs.yml"
    cfg.write_text(yaml.safe_dump(mkdocs_config(nav), sort_keys=False))
    return cfg


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python docs/build.py", description=__doc__.splitlines()[0])
    p.add_argument("--report", default=str(ROOT / "reports" / "latest"), help="report folder for the agreement tables")
    p.add_argument("--no-site", action="store_true", help="only generate the Markdown sources")
    args = p.parse_args(argv)
    report = Path(args.report) if args.report else None
    cfg = generate(report)
    print(f"generated {SRC}")
    if args.no_site:
        return 0
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true", PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(cfg)], cwd=BUILD, env=env)
    if r.returncode == 0:
        print(f"site: {SITE / 'index.html'}")
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
