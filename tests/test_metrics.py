"""The metric families and interval estimates (property-based where it helps)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.core import metrics as M


@given(st.integers(0, 200), st.integers(1, 200))
def test_wilson_interval_contains_estimate(k, n):
    k = min(k, n)
    lo, hi = M.wilson_interval(k, n)  # one copy: verify.core.stats, re-exported
    assert 0.0 <= lo <= k / n + 1e-12 and k / n - 1e-12 <= hi <= 1.0


def test_wilson_matches_closed_form_case():
    # 0 successes in n trials: upper bound z^2 / (n + z^2)
    z = 1.959963984540054
    lo, hi = M.wilson_interval(0, 50)
    assert lo == pytest.approx(0.0, abs=1e-12) and hi == pytest.approx(z * z / (50 + z * z))


def test_wilson_coverage_by_simulation():
    rng = np.random.default_rng(0)
    p, n, reps = 0.1, 80, 2000
    k = rng.binomial(n, p, size=reps)
    cover = np.mean([lo <= p <= hi for lo, hi in (M.wilson_interval(int(x), n) for x in k)])
    assert abs(cover - 0.95) < 0.03  # Wilson is close to nominal; 3 points ~ 6 MC standard errors


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30))
def test_bootstrap_ci_brackets_within_range(xs):
    lo, hi = M.bootstrap_ci(np.array(xs), np.mean)
    assert min(xs) - 1e-9 <= lo <= hi <= max(xs) + 1e-9


def test_bootstrap_ci_coverage_of_mean():
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(200):
        x = rng.normal(size=30)
        lo, hi = M.bootstrap_ci(x, np.mean, n=400)
        hits += lo <= 0.0 <= hi
    assert 0.88 <= hits / 200 <= 0.99  # percentile bootstrap at n=30 is slightly under nominal


def test_calibration_coverage_and_na():
    rng = np.random.default_rng(2)
    vals = list(rng.normal(loc=1.0, scale=0.1, size=400))
    c = M.calibration(1.0, 0.1, vals, [None] * len(vals))
    assert abs(c["coverage"] - 0.95) < 0.04
    assert M.calibration(1.0, None, [1.0], [None])["coverage"].startswith("n/a")
    assert "need >= 10" in M.calibration(1.0, 0.1, [1.0] * 3, [None] * 3)["coverage"]


def test_calibration_of_an_interval_theory_or_mismatched_shapes_is_na():
    """An `interval` claim's theory is (low, high); a vector stderr of another shape used to
    crash the aggregation."""
    interval = M.calibration(np.array([0.1, 0.3]), None, [0.2] * 12, [np.array([0.01, 0.02, 0.03])] * 12, "interval")
    assert "interval" in interval["coverage"]
    shapes = M.calibration(np.array([0.1, 0.3]), None, [0.2] * 12, [np.array([0.01, 0.02, 0.03])] * 12, "abs")
    assert "shape" in shapes["coverage"]


def test_agreement_bias_pathologies():
    a = M.agreement(np.array([1.0, 2.0, 3.0]), np.array([1.1, 2.0, 2.9]), "rel")
    assert a["max_deviation"] == pytest.approx(0.1)
    assert a["relative_error"] == pytest.approx(0.1 / 3)
    assert a["r2"] == pytest.approx(1 - 0.02 / 1.62)  # SS_tot of the measured values
    assert M.agreement(1.0, 1.0, "abs")["r2"].startswith("n/a")
    b = M.bias(np.array([1.0, 1.0]), np.array([1.5, 1.5]), "abs")
    assert b["signed_deviation"] == 0.5 and b["relative_signed_deviation"] == 0.5
    p = M.pathologies([{"status": "ok", "counters": {"diverged": True}}, {"status": "error"}, {"status": "ok"}, {"status": "ok", "counters": {"nan": False}}])
    assert p["pathology_rate"] == 0.5 and p["pathology_kinds"] == {"diverged": 1, "error": 1}


def test_schema_covers_every_family_and_headline():
    from verify.core.reporting.tables import HEADLINE

    s = M.schema()
    assert set(s["families"]) == set(M.FAMILIES)
    for fam, metric in HEADLINE.items():
        assert s["metrics"][metric]["family"] == fam
        assert s["metrics"][metric]["direction"]
    assert not math.isnan(M.Z95)
