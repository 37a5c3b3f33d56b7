"""One shape for every paper, checked statically (issue: one shape for every paper).

- `verify/<paper>/` is a package whose `__init__.py` holds only imports, a docstring and
  the `CLAIMS` list, with literal ids that a grep finds;
- `theory/<paper>` and `numerics/<paper>` are packages whose `__init__.py` is a face:
  docstring, imports and `__all__`, every listed name defined;
- no library module switches JAX's float64 at import (or anywhere but `theory/_jax.py`);
- each shared helper has one copy;
- every claim has a `kind` and a `tiny` profile; every test file runs its claims with
  `run_claim` and walks both public faces with the bad-input walker.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from verify.core.claims import KINDS
from verify.core.registry import paper_modules, paper_registry

ROOT = Path(__file__).resolve().parents[1]
PAPERS = paper_modules()
LIBRARY = [p for tree in ("theory", "numerics", "verify") for p in (ROOT / tree).rglob("*.py")]


def test_eight_papers_each_a_package_in_every_tree():
    assert len(PAPERS) == 8, PAPERS
    for paper in PAPERS:
        assert not (ROOT / "verify" / f"{paper}.py").exists(), f"flat verify/{paper}.py"
        for tree in ("verify", "theory", "numerics"):
            assert (ROOT / tree / paper / "__init__.py").exists(), f"{tree}/{paper} is not a package"
        assert (ROOT / "verify" / paper / "_profiles.py").exists(), f"verify/{paper}/_profiles.py"
        assert (ROOT / "tests" / f"test_{paper}.py").exists()
        assert (ROOT / "docs" / "papers" / f"{paper}.md").exists()


def _body(path: Path) -> list[ast.stmt]:
    return ast.parse(path.read_text()).body


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


@pytest.mark.parametrize("paper", PAPERS)
def test_verify_init_holds_only_claims_with_literal_ids(paper):
    path = ROOT / "verify" / paper / "__init__.py"
    ids = []
    for node in _body(path):
        if _is_docstring(node) or isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        assert isinstance(node, (ast.Assign, ast.AnnAssign)), f"{path}: line {node.lineno} is not an import or CLAIMS"
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        assert names in (["CLAIMS"], ["__all__"]), f"{path}: line {node.lineno} assigns {names}"
        for call in ast.walk(node.value):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Claim":
                kw = {k.arg: k.value for k in call.keywords}
                idnode = kw.get("id", call.args[0] if call.args else None)
                assert isinstance(idnode, ast.Constant) and isinstance(idnode.value, str), f"{path}:{call.lineno}: id is not a literal"
                ids.append(idnode.value)
    assert ids, f"{path} declares no Claim"
    assert all(i.startswith(f"{paper}.") for i in ids)
    registered = sorted(paper_registry(paper))
    assert sorted(ids) == registered, "every claim is declared with a literal id in __init__.py"
    text = path.read_text()
    for i in ids:  # a grep for the id finds the declaration
        assert f'"{i}"' in text or f"'{i}'" in text


@pytest.mark.parametrize("paper", PAPERS)
def test_no_built_ids_or_single_letter_aliases(paper):
    for p in (ROOT / "verify" / paper).glob("*.py"):
        text = p.read_text()
        assert 'f"{P}.' not in text and "f'{P}." not in text and 'f"{PAPER}.' not in text, p
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    assert not (a.asname and len(a.asname) == 1 and a.asname.isupper()), f"{p}: import ... as {a.asname}"


@pytest.mark.parametrize("tree", ["theory", "numerics"])
@pytest.mark.parametrize("paper", PAPERS)
def test_public_faces_only_reexport(tree, paper):
    path = ROOT / tree / paper / "__init__.py"
    has_all = False
    for node in _body(path):
        if _is_docstring(node) or isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            has_all = True
            continue
        pytest.fail(f"{path}: line {node.lineno} is implementation; a face only re-exports")
    assert has_all, f"{path} has no __all__"
    mod = importlib.import_module(f"{tree}.{paper}")
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{tree}.{paper}.__all__ names what it lacks: {missing}"
    assert len(set(mod.__all__)) == len(mod.__all__)


def test_no_module_switches_x64():
    offenders = [str(p.relative_to(ROOT)) for p in LIBRARY
                 if "jax_enable_x64" in p.read_text() and p.relative_to(ROOT).as_posix() != "theory/_jax.py"]
    assert not offenders, offenders


def test_importing_every_paper_leaves_jax_config_alone():
    code = ("import importlib, jax\n"
            + "".join(f"importlib.import_module('{t}.{p}')\n" for p in PAPERS for t in ("theory", "numerics"))
            + "print(jax.config.jax_enable_x64)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_each_shared_helper_has_one_copy():
    names = Counter()
    for p in LIBRARY:
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.FunctionDef) and node.col_offset == 0:
                names[node.name] += 1
    for helper in ("_wilson", "wilson_interval", "_mean_se", "mean_se", "_teq", "tex_equation", "_top2_rows", "top2_rows",
                   "_json_default", "digits_data", "synthetic_images", "load_cifar10", "bootstrap_ci", "zero_crossing"):
        assert names[helper] <= 1, f"{helper} is defined {names[helper]} times"


@pytest.mark.parametrize("paper", PAPERS)
def test_every_claim_has_a_kind_and_a_tiny_profile(paper):
    reg = paper_registry(paper)
    assert not reg.import_errors, reg.import_errors
    for c in reg.values():
        assert c.kind in KINDS, f"{c.id} has no kind"
        assert "tiny" in c.profiles, f"{c.id} has no tiny profile"


@pytest.mark.parametrize("paper", PAPERS)
def test_every_claim_states_what_is_the_papers(paper):
    """Issue 16 §5: every claim says what is the paper's and what is our reconstruction
    (`Provenance`), and a prediction whose `provenance.paper` cites a number shows it
    (`paper_value`, or `PaperValue.unreadable` where it could not be read)."""
    missing = [c.id for c in paper_registry(paper).values() if c.provenance is None]
    assert not missing, f"claims without provenance: {missing}"


@pytest.mark.parametrize("paper", PAPERS)
def test_tests_use_the_harness_and_walk_both_faces(paper):
    text = (ROOT / "tests" / f"test_{paper}.py").read_text()
    assert "run_claim(" in text, f"test_{paper}.py does not run its claims through run_claim"
    assert "20240617" not in text and "20_240_617" not in text, f"test_{paper}.py hard-codes the theory seed"
    assert "RunContext(" not in text, f"test_{paper}.py builds RunContexts by hand"
    assert text.count("check_bad_inputs(") >= 2, f"test_{paper}.py does not walk both public faces"
