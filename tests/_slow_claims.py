"""A slow synthetic claim for the interruption test (`--plugins tests._slow_claims`)."""

from __future__ import annotations

import time

from verify.core.claims import Claim, profiles


def _theory(ctx):
    return 1.0


def _practice(ctx):
    time.sleep(ctx["sleep"] if ctx.seed > 0 else 0.0)
    return 1.0


CLAIMS = [
    Claim("slow.fast_one", "Finishes at once.", _theory, _practice, "abs", 0.0, "exact", profiles(quick=dict(sleep=0.0))),
    Claim("slow.sleeper", "Its second seed sleeps.", _theory, _practice, "abs", 0.0, "exact", profiles(quick=dict(sleep=60.0), seeds=2)),
]
