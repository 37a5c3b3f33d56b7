"""Verdicts a scientist can trust: interval-based decisions, kinds, declared deviations."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from verify.core.claims import Claim, Prediction, profiles
from verify.core.cli import main
from verify.core.runner import decide, failing


def _claim(**kw):
    base = dict(id="t.x", statement="s", theory=lambda c: 0.0, practice=lambda c: 0.0, compare="abs", tolerance=1.0,
                tolerance_reason="r", profiles=profiles(quick={}), kind="prediction")
    base.update(kw)
    return Claim(**base)


def _decide(claim, values):
    vals = [float(v) for v in values]
    m = float(np.mean(vals))
    se = float(np.std(vals, ddof=1) / np.sqrt(len(vals)))
    pred = Prediction(value=0.0)
    err = claim.comparison.error_fn(0.0, m)
    per = [claim.comparison.error_fn(0.0, v) for v in vals]
    return decide(claim, pred, vals, [None] * len(vals), m, se, err, per)


def test_interval_inside_passes_outside_fails_straddling_is_inconclusive():
    c = _claim()
    assert _decide(c, [0.10, 0.11, 0.09, 0.10])["verdict"] == "PASS"
    assert _decide(c, [5.0, 5.1, 4.9, 5.0])["verdict"] == "FAIL"
    out = _decide(c, [0.4, 0.9, 1.4, 1.15])
    assert out["verdict"] == "INCONCLUSIVE"
    assert out["seeds_needed"] > 4 and "straddles" in out["reason"]
    lo, hi = out["error_interval"]
    assert lo < 1.0 < hi


def test_a_sign_claim_on_a_null_effect_is_not_decided_by_a_coin_flip():
    # at_least with tolerance 0: the measured effect must be >= 0; a null effect straddles
    c = _claim(compare="at_least", tolerance=0.0)
    assert _decide(c, [-0.5, 0.3, 0.1, 0.05])["verdict"] == "INCONCLUSIVE"
    assert _decide(c, [0.5, 0.6, 0.55, 0.52])["verdict"] == "PASS"
    assert _decide(c, [-0.5, -0.6, -0.55, -0.52])["verdict"] == "FAIL"


def test_exact_claims_and_claims_without_spread_keep_the_point_verdict():
    out = _decide(_claim(compare="equal", tolerance=0, kind="implementation"), [0, 0])
    assert "verdict" not in out and out["decided_by"] == "point estimate"
    out = _decide(_claim(), [0.3, 0.3, 0.3])
    assert "verdict" not in out


def test_underpowered_flag():
    out = _decide(_claim(tolerance=0.05), [0.0, 0.2, -0.2, 0.1])
    assert out["underpowered"]
    assert not _decide(_claim(tolerance=10.0), [0.0, 0.2, -0.2, 0.1])["underpowered"]


def test_declared_deviation_does_not_fail_the_run():
    assert failing({"verdict": "ERROR"})
    assert failing({"verdict": "FAIL"})
    assert not failing({"verdict": "FAIL", "known_deviation": True})
    assert not failing({"verdict": "INCONCLUSIVE"})
    assert not failing({"verdict": "NOT RUN"})


def test_kind_and_level_are_validated():
    with pytest.raises(ValueError, match="kind"):
        _claim(kind="guess")
    with pytest.raises(ValueError, match="level"):
        _claim(level=0.2)
    with pytest.raises(ValueError, match="deviation"):
        _claim(deviation="  ")


def test_end_to_end_verdicts_reports_and_exit_status(tmp_path, capsys):
    rc = main(["--plugins", "tests._verdict_claims", "--only", "verdicts*", "--store", str(tmp_path / "runs"),
               "--out", str(tmp_path / "rep"), "--no-progress"])
    out = capsys.readouterr().out
    res = {r["id"]: r for r in json.loads((tmp_path / "rep" / "results.json").read_text())["results"]}
    assert res["verdicts.inside"]["verdict"] == "PASS"
    assert res["verdicts.straddles"]["verdict"] == "INCONCLUSIVE" and res["verdicts.straddles"]["seeds_needed"]
    assert res["verdicts.straddles"]["point_verdict"] == "PASS"  # the point estimate alone would have passed
    assert res["verdicts.deviation"]["verdict"] == "FAIL" and res["verdicts.deviation"]["known_deviation"]
    assert res["verdicts.exact"]["verdict"] == "PASS" and res["verdicts.exact"]["kind"] == "implementation"
    assert rc == 0  # INCONCLUSIVE and a declared deviation do not fail the run
    assert "INCONCLUSIVE 1" in out and "known deviation" in out
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "FAIL (known deviation)" in md and "INCONCLUSIVE" in md
    assert md.index("predictions (3)") < md.index("implementation invariants (1)")
    rows = {r["label"]: r for r in csv.DictReader(open(tmp_path / "rep" / "claims.csv"))}
    assert rows["verdicts.straddles"]["verdict"] == "INCONCLUSIVE"
    assert rows["verdicts.exact"]["kind"] == "implementation"
    html = (tmp_path / "rep" / "report.html").read_text()
    assert html.index("<svg class='forest'") < html.index("<table")


def test_a_point_estimate_at_the_tolerance_up_to_rounding_needs_no_finite_seed_count():
    c = _claim(compare="at_least", tolerance=0.0)
    out = _decide(c, [0.1, -0.1, 0.1 + 1e-17, -0.1])  # mean is ~1e-18 from the threshold
    assert out["verdict"] == "INCONCLUSIVE"
    assert out["seeds_needed"] is None and "infinitely many" in out["reason"]
