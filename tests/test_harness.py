"""Tests of the harness itself: verdicts, the run store, resumption, backends, CLI errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from verify.core.cli import main
from verify.core.executor import make_executor
from verify.core.registry import discover
from verify.core.runner import plan, run_claims
from verify.core.spec import parse_run_entry
from verify.core.store import RunStore

PLUGIN = "tests._harness_claims"
ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, *extra, only="harness*"):
    return main(["--plugins", PLUGIN, "--only", only, "--store", str(tmp_path / "runs"), "--out", str(tmp_path / "rep"), "--no-progress", *extra])


def _results(tmp_path):
    return {r["label"]: r for r in json.loads((tmp_path / "rep" / "results.json").read_text())["results"]}


def _calls(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_verdicts_and_exit_status(tmp_path, capsys):
    rc = _run(tmp_path)
    assert rc == 1  # a FAIL and two ERRORs
    r = _results(tmp_path)
    assert r["harness.integral"]["verdict"] == "PASS"
    assert r["harness.wrong"]["verdict"] == "FAIL"  # deliberately wrong theory
    assert r["harness.crash"]["verdict"] == "ERROR" and "boom" in r["harness.crash"]["reason"]
    assert r["harness.nan"]["verdict"] == "ERROR" and "not finite" in r["harness.nan"]["reason"]
    assert r["harness.skip"]["verdict"] == "SKIP" and "dataset absent" in r["harness.skip"]["reason"]
    assert r["harness.curve"]["verdict"] == "PASS"  # the others still ran after the crash
    out = capsys.readouterr().out
    assert "PASS 2, FAIL 1, ERROR 2, SKIP 1" in out


def test_only_passing_claims_exit_zero(tmp_path):
    assert _run(tmp_path, only="harness.integral,harness.curve") == 0


def test_result_records_everything(tmp_path):
    _run(tmp_path, only="harness.integral")
    r = _results(tmp_path)["harness.integral"]
    for key in ("theory", "measured", "error", "tolerance", "tolerance_reason", "error_ci", "paper_value", "wall_s",
                "device", "env", "spec_hash", "code_version", "seeds"):
        assert key in r, key
    assert r["paper_value"]["source"] == "calculus"
    assert r["env"]["packages"]["numpy"]
    assert r["env"]["git_commit"]
    lo, hi = r["error_ci"]
    assert lo <= hi
    assert set(r["metrics"]) == {"agreement", "calibration", "robustness", "uniformity", "bias", "pathologies", "cost"}
    # the run folder holds the spec, totals, per-seed and per-instance stats and raw arrays
    d = Path(r["result_dir"])
    for f in ("spec.json", "result.json", "per_seed.csv", "per_instance.csv", "raw.npz"):
        assert (d / f).exists(), f
    assert len((d / "per_instance.csv").read_text().splitlines()) == 1 + 3 * 200  # header + 3 seeds x 200 instances
    # the declared perturbation ran and is reported beside the clean value
    assert r["metrics"]["robustness"]["worst_perturbation"] == "small_n"


def test_report_files(tmp_path):
    _run(tmp_path)
    rep = tmp_path / "rep"
    for f in ("report.md", "report.html", "results.json", "results.csv", "claims.csv", "leaderboard.csv", "leaderboard.json",
              "tables/agreement.csv", "site/index.html", "site/papers/harness.html", "site/claims/harness.curve.html",
              "site/figures/harness.curve.png"):
        assert (rep / f).exists(), f
    html = (rep / "report.html").read_text()
    assert "data:image/png;base64," in html  # self-contained
    csv_lines = (rep / "results.csv").read_text().splitlines()
    assert sum(line.startswith("harness.integral,") for line in csv_lines) == 3  # one row per seed


def test_rerun_reuses_and_resume_recomputes_only_missing(tmp_path, monkeypatch):
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("DLTHEORY_TEST_CALLS", str(calls))
    import tests._harness_claims as hc

    monkeypatch.setattr(hc, "CALLS_FILE", str(calls))
    _run(tmp_path, only="harness.integral,harness.curve")
    first = _calls(calls)
    # integral: (theory + 3 seeds) x (clean + small_n) = 8; curve: 1 + 4 = 5
    assert len(first) == 13
    calls.unlink()
    _run(tmp_path, only="harness.integral,harness.curve")
    assert _calls(calls) == []  # everything reused
    r = _results(tmp_path)
    assert r["harness.integral"]["reused"] is True

    # simulate an interrupted sweep: lose the claim results and two practice cells
    store = RunStore(tmp_path / "runs", "latest")
    shutil.rmtree(store.path / "claims")
    cells = sorted((store.path / "cells" / "harness.curve").iterdir())
    removed = 0
    for d in cells:
        spec = json.loads((d / "spec.json").read_text())
        if spec["role"] == "practice" and spec["seed"] in (1, 3):
            shutil.rmtree(d)
            removed += 1
    assert removed == 2
    _run(tmp_path, only="harness.integral,harness.curve")
    again = sorted(_calls(calls))
    assert again == ["harness.curve practice 1", "harness.curve practice 3"]
    # and the result is identical to the uninterrupted one
    assert _results(tmp_path)["harness.curve"]["measured"] == r["harness.curve"]["measured"]


def test_force_recomputes(tmp_path, monkeypatch):
    calls = tmp_path / "calls.txt"
    import tests._harness_claims as hc

    monkeypatch.setattr(hc, "CALLS_FILE", str(calls))
    _run(tmp_path, only="harness.curve")
    _run(tmp_path, "--force", only="harness.curve")
    assert len(_calls(calls)) == 10


def _run_backend(tmp_path, name, **kw):
    registry = discover((PLUGIN,))
    items = plan(registry, "quick", ["harness.integral", "harness.curve", "harness.crash"])
    store = RunStore(tmp_path / name, "s")
    ex = make_executor(**kw)
    try:
        res = run_claims(items, store, ex, plugins=(PLUGIN,))
    finally:
        ex.close()
    return {r["label"]: (r["verdict"], r.get("measured"), r.get("error")) for r in res}


@pytest.mark.slow
def test_backends_identical(tmp_path):
    inline = _run_backend(tmp_path, "inline", jobs=1)
    procs = _run_backend(tmp_path, "procs", jobs=2)
    dask = _run_backend(tmp_path, "dask", jobs=2, backend="dask")
    assert inline == procs == dask
    assert inline["harness.crash"][0] == "ERROR"


def test_seed_and_run_entries(tmp_path):
    rc = _run(tmp_path, "-r", "harness.curve:noise=0.001|0.5,seeds=2", only="harness.curve")
    r = _results(tmp_path)
    assert set(r) == {'harness.curve:noise=0.001', 'harness.curve:noise=0.5'}
    assert r['harness.curve:noise=0.001']["verdict"] == "PASS"
    assert r['harness.curve:noise=0.5']["verdict"] == "FAIL"  # noise 0.5 >> 5% tolerance
    assert r['harness.curve:noise=0.001']["seeds"] == [0, 1]
    assert rc == 1


def test_seed_base_changes_seeds(tmp_path):
    _run(tmp_path, "--seed", "100", only="harness.curve")
    assert _results(tmp_path)["harness.curve"]["seeds"] == [100, 101, 102, 103]


def test_run_entry_parsing():
    e = parse_run_entry("lazy_rich.closed_form:delta=-2|0|2,eta=0.125,seeds=5")  # literals only: 2**-3 is refused
    assert e.seeds == 5
    assert e.overrides() == [{"delta": -2, "eta": 0.125}, {"delta": 0, "eta": 0.125}, {"delta": 2, "eta": 0.125}]
    assert parse_run_entry("icl:M=inf").overrides() == [{"M": float("inf")}]
    assert parse_run_entry("x.y:dims=[1,2,4]").overrides() == [{"dims": [1, 2, 4]}]
    for bad in ("", ":a=1", "x.y:a", "x.y:seeds=0"):
        with pytest.raises(ValueError):
            parse_run_entry(bad)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--profile", "huge"], "invalid choice"),
        (["--only", "nosuchclaim"], "no claim matches"),
        (["-r", "harness.curve:nope=1"], "has no parameter 'nope'"),
        (["-r", "nosuch.claim:a=1"], "matches no claim"),
        (["--jobs", "0"], "--jobs must be >= 1"),
        (["--device", "tpu"], "--device must be auto, cpu or cuda"),
        (["--suite", "../x"], "--suite must be a plain folder name"),
    ],
)
def test_bad_cli_input_is_one_line_error(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(["--plugins", PLUGIN, "--store", str(tmp_path), "--out", str(tmp_path / "r"), *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1


def test_list(tmp_path, capsys):
    assert _run(tmp_path, "--list") == 0
    out = capsys.readouterr().out
    assert "harness.integral  seeds=[0, 1, 2]" in out


def test_profile_without_config_is_skip(tmp_path):
    _run(tmp_path, "--profile", "gpu", only="harness.wrong,harness.integral")
    r = _results(tmp_path)
    assert r["harness.wrong"]["verdict"] == "SKIP" and "no gpu configuration" in r["harness.wrong"]["reason"]
    assert r["harness.integral"]["verdict"] == "PASS"


def test_diff_between_suites(tmp_path, capsys):
    base = ["--plugins", PLUGIN, "--store", str(tmp_path / "runs"), "--no-progress"]
    main(base + ["--suite", "a", "--out", str(tmp_path / "a"), "-r", "harness.curve:noise=0.001"])
    main(base + ["--suite", "b", "--out", str(tmp_path / "b"), "-r", "harness.curve:noise=0.001", "-r", "harness.integral"])
    from verify.diff import main as diff_main

    assert diff_main([str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "d.md")]) == 0
    text = (tmp_path / "d.md").read_text()
    assert "1 added" in text and "harness.integral" in text


def test_python_m_verify_all_subprocess(tmp_path):
    env = dict(os.environ, DLTHEORY_PROGRESS="0", PYTHONPATH=str(ROOT))
    p = subprocess.run(
        [sys.executable, "-m", "verify.all", "--plugins", PLUGIN, "--only", "harness.integral", "--store", str(tmp_path / "r"),
         "--out", str(tmp_path / "o")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert "PASS 1" in p.stdout


def test_claim_validation():
    from verify.core.claims import Claim, profiles

    ok = dict(statement="s", theory=lambda c: 0, practice=lambda c: 0, compare="abs", tolerance=1.0,
              tolerance_reason="r", profiles=profiles(quick={}))
    with pytest.raises(ValueError, match="<paper>.<name>"):
        Claim(id="nodot", **ok)
    with pytest.raises(ValueError, match="unknown compare"):
        Claim(id="a.b", **{**ok, "compare": "close"})
    with pytest.raises(ValueError, match="tolerance_reason"):
        Claim(id="a.b", **{**ok, "tolerance_reason": " "})


def test_comparisons():
    from verify.core.claims import COMPARISONS as C

    assert C["abs"].error_fn(1.0, 1.5) == 0.5
    assert C["rel"].error_fn(2.0, 2.2) == pytest.approx(0.1)
    assert C["z"].error_fn(0.0, 0.3, 0.1, None) == pytest.approx(3.0)
    assert C["at_least"].error_fn(1.0, 1.5) == -0.5  # above the lower bound: passes
    assert C["at_most"].error_fn(1.0, 1.5) == 0.5
    assert C["equal"].error_fn(np.array([1, 2, 3]), np.array([1, 0, 3])) == 1
    assert C["r2"].error_fn(np.arange(5.0), np.arange(5.0)) == 0.0
    assert C["interval"].error_fn((0.0, 1.0), 1.5) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        C["z"].error_fn(0.0, 1.0, None, None)


def test_conf_files_select_by_priority(capsys):
    assert main(["--conf", "smoke", "--priority", "1", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    papers = {ln.split(".")[0] for ln in lines}
    assert len(lines) == 8 and len(papers) == 8  # one claim per paper
    assert main(["--conf", "smoke", "--list"]) == 0  # no --priority: every entry
    assert len(capsys.readouterr().out.strip().splitlines()) > 8
    from verify.core.cli import load_conf

    for name in ("ci", "smoke", "gpu"):
        entries, profile = load_conf(name, None)
        assert entries and profile in ("quick", "gpu")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_keeps_finished_claims_and_writes_report(tmp_path, jobs):
    import signal
    import time

    env = dict(os.environ, DLTHEORY_PROGRESS="0", PYTHONPATH=str(ROOT))
    p = subprocess.Popen(
        [sys.executable, "-m", "verify.all", "--plugins", "tests._slow_claims", "--only", "slow*", "--store",
         str(tmp_path / "r"), "--out", str(tmp_path / "o"), "--jobs", jobs],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    cells = tmp_path / "r" / "latest" / "claims" / "slow.fast_one"
    deadline = time.time() + 120
    while not cells.exists() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "interrupted" in err
    res = {r["label"]: r for r in json.loads((tmp_path / "o" / "results.json").read_text())["results"]}
    assert res["slow.fast_one"]["verdict"] == "PASS"
    assert res["slow.sleeper"]["verdict"] == "NOT RUN" and "interrupted" in res["slow.sleeper"]["reason"]
