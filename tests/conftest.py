"""Test configuration: float64 JAX, hypothesis profiles, quiet progress bars.

Hypothesis profiles: `ci` (default; few examples, no deadline since JIT compiles break
per-example deadlines) and `thorough` (`HYPOTHESIS_PROFILE=thorough pytest`).
"""

from __future__ import annotations

import os

os.environ.setdefault("DLTHEORY_PROGRESS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("DLTHEORY_THREADS", "1")
# `--jobs` defaults to auto (a worker per core); tests that call the CLI run inline unless they ask
os.environ.setdefault("DLTHEORY_JOBS", "1")

from verify.core.device import limit_threads  # noqa: E402

# one thread per test process (pytest -n 2 runs two): small workloads are fastest so, and
# the XLA flags must be set before JAX is imported
limit_threads(int(os.environ["DLTHEORY_THREADS"]))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
