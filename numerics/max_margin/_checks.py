"""Eager argument checks for the JAX functions of `numerics.max_margin`.

The loss and model functions run inside the compiled integrator, where their arguments are
tracers whose values are unknown; there only shapes can be checked. Called directly with
concrete arrays they also check values, so a user gets a `ValueError` instead of a NaN.
"""

from __future__ import annotations

from typing import Any

import jax

from theory._checks import finite_array

__all__ = ["is_concrete", "require_finite"]


def is_concrete(*xs: Any) -> bool:
    """True when no argument is a JAX tracer (the values can be inspected)."""
    return not any(isinstance(x, jax.core.Tracer) for x in xs)


def require_finite(name: str, x: Any) -> None:
    """Raise `ValueError` when a concrete `x` holds NaN or inf (tracers pass; empty arrays pass)."""
    if is_concrete(x):
        finite_array(name, x, allow_empty=True)
