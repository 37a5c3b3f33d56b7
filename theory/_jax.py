"""JAX's float64 switch, in one place.

No module of dltheory changes JAX's global configuration when it is imported. Float64 is
switched on explicitly: by the command line (`python -m verify.all`), by the harness's
workers, by the test suite's conftest, and by users with `theory.enable_x64()`.
"""

from __future__ import annotations

__all__ = ["enable_x64", "require_x64", "x64_enabled"]


def enable_x64() -> None:
    """Switch JAX to float64 (`jax_enable_x64`), which the integrators and the exact
    theory need (tolerances down to 1e-12). Call it once, before creating JAX arrays:

    ```python
    import theory
    theory.enable_x64()
    ```
    """
    import jax

    jax.config.update("jax_enable_x64", True)


def x64_enabled() -> bool:
    """Whether JAX computes in float64 now."""
    import jax

    return bool(jax.config.jax_enable_x64)


def require_x64(what: str) -> None:
    """Raise `RuntimeError` unless float64 is on: `what` needs it (e.g. "diffrax integration
    at rtol 1e-10"). The message says how to switch it on."""
    if not x64_enabled():
        raise RuntimeError(f"{what} needs JAX in float64: call theory.enable_x64() first (the CLI and the tests do)")
