"""Closed forms of the papers, derived with sympy and lambdified for numpy and JAX.

One module per paper (`theory.lazy_rich`, ...). Each keeps its derivations as
`theory._derivation.Derivation` objects (returned by the module's `derivations()`), which
`docs/build.py` renders into the documentation: the pages show the same sympy objects the
code evaluates.

Importing a module changes no global state. JAX float64, which the exact theory and the
integrators need, is switched on with `theory.enable_x64()` (the CLI and the tests do it).
"""

from theory._jax import enable_x64, x64_enabled

__all__ = ["enable_x64", "x64_enabled"]
