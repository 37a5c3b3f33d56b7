"""Closed forms of the papers, derived with sympy and lambdified for numpy and JAX.

One module per paper (`theory.lazy_rich`, ...). Each keeps its derivations as
`theory._derivation.Derivation` objects (returned by the module's `derivations()`), which
`docs/build.py` renders into the documentation: the pages show the same sympy objects the
code evaluates.
"""
