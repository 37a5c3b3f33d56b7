"""The derivations of `theory.semdedup`, in the order the docs render them."""

from __future__ import annotations

from theory._derivation import Derivation
from theory.semdedup._cost import COST
from theory.semdedup._split import SPLIT

__all__ = ["derivations"]


def derivations() -> list[Derivation]:
    """The sympy derivations of this module (cost model, split model), rendered by the docs."""
    return [COST, SPLIT]
