"""Synthetic claims for the interval verdicts (loaded with `--plugins tests._verdict_claims`).

Each practice seed returns `centre + spread * z_seed` with fixed standard-normal draws, so
the between-seed interval is known in advance:

- `verdicts.inside`: a small error, interval wholly inside the tolerance: PASS;
- `verdicts.straddles`: the interval straddles the tolerance: INCONCLUSIVE;
- `verdicts.deviation`: wholly outside, with a declared deviation: FAIL (known deviation);
- `verdicts.exact`: an implementation invariant compared exactly: plain PASS.
"""

from __future__ import annotations

from verify.core.claims import Claim, Measurement, profiles

_Z = (-1.0, 0.0, 1.0, 0.5)


def _zero(ctx):
    return 0.0


def _noisy(ctx):
    return Measurement(value=ctx["centre"] + ctx["spread"] * _Z[ctx.seed % len(_Z)])


def _exact(ctx):
    return 0.0


CLAIMS = [
    Claim(id="verdicts.inside", statement="A noisy measurement well inside the tolerance.", theory=_zero, practice=_noisy,
          compare="abs", tolerance=1.0, tolerance_reason="synthetic", kind="prediction",
          profiles=profiles(quick=dict(centre=0.1, spread=0.01), seeds=4)),
    Claim(id="verdicts.straddles", statement="A noisy measurement whose interval straddles the tolerance.", theory=_zero,
          practice=_noisy, compare="abs", tolerance=1.0, tolerance_reason="synthetic", kind="prediction",
          profiles=profiles(quick=dict(centre=0.9, spread=0.5), seeds=4)),
    Claim(id="verdicts.deviation", statement="A noisy measurement wholly outside the tolerance, declared.", theory=_zero,
          practice=_noisy, compare="abs", tolerance=1.0, tolerance_reason="synthetic", kind="prediction",
          deviation="synthetic: the measured 5.0 ± 0.1 is far from 0; a stand-in for a finding",
          profiles=profiles(quick=dict(centre=5.0, spread=0.1), seeds=4)),
    Claim(id="verdicts.exact", statement="An exact invariant.", theory=_zero, practice=_exact, compare="equal", tolerance=0,
          tolerance_reason="exact", kind="implementation", profiles=profiles(quick=dict(), seeds=2)),
]
