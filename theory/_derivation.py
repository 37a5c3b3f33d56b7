"""Derivations as data: the sympy objects the code lambdifies, with their justifications.

A theory module builds its closed forms as `Derivation`s and lambdifies the very same
`result` expressions, so the docs (rendered by `docs/build.py`) show what the code runs.

```python
import sympy as sp
from theory._derivation import Derivation, Step

t, delta = sp.symbols("t delta", real=True)
...
DELTA = Derivation(
    id="lazy_rich.conservation",
    title="The conserved quantity delta",
    paper="lazy_rich",
    source="Kunin et al. 2024, Eq. (3)",
    assumptions="Gradient flow on the square loss, two-layer linear network, one hidden neuron.",
    steps=(
        Step(sp.Eq(a_dot, rhs_a), "gradient flow for a, scaled by eta_a"),
        Step(sp.Eq(sp.Derivative(delta_expr, t), 0), "substitute both flows and simplify",
             check=sp.simplify(ddelta_dt) == 0),
    ),
    result=delta_expr,
)

def derivations() -> list[Derivation]:
    return [DELTA, ...]
```

`Step.check` holds the *result* of a symbolic verification done at import time (a bool,
or `None` when the step is a definition or cites the paper); tests assert every check is
True and the docs mark checked steps.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

__all__ = ["Derivation", "Step", "latex", "tex_equation"]


class _Printer(LatexPrinter):
    """sympy's LaTeX printer, except for symbols used as labels in a derivation step:
    a name with a backslash, or with spaces and LaTeX markup (`^ _ { }`), is LaTeX already
    and is printed verbatim; a name with spaces and no markup is prose, printed as text."""

    def _print_Symbol(self, expr, style="plain"):
        name = expr.name
        if "\\" in name or (" " in name and any(c in name for c in "^_{}")):
            return name
        if " " in name or any(c in name for c in ",:;=<>|"):
            text = name
            for ch, rep in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("^", r"\^{}"), ("#", r"\#"), ("&", r"\&"),
                            ("%", r"\%"), ("$", r"\$"), ("{", r"\{"), ("}", r"\}")):
                text = text.replace(ch, rep)
            return r"\text{" + text + "}"
        return super()._print_Symbol(expr, style)


def latex(obj: Any) -> str:
    """LaTeX for a sympy object (or a raw LaTeX string, passed through)."""
    if isinstance(obj, str):
        return obj
    return _Printer().doprint(obj)


@dataclasses.dataclass(frozen=True)
class Step:
    """One step: a sympy expression or equation and why it holds.

    - `expr`: a sympy object (often `sp.Eq(lhs, rhs)`), or a raw LaTeX string.
    - `justification`: prose, one or two sentences.
    - `check`: the outcome of a symbolic check of this step (`True`), or `None` if the step
      is a definition or an assumption.
    """

    expr: Any
    justification: str
    check: bool | None = None

    def __post_init__(self) -> None:
        if self.check is not None:
            object.__setattr__(self, "check", bool(self.check))


@dataclasses.dataclass(frozen=True)
class Derivation:
    """A derivation: assumptions, steps, result, and where it comes from in the paper."""

    id: str
    title: str
    paper: str
    source: str
    assumptions: str
    steps: tuple[Step, ...]
    result: Any
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"derivation {self.id}: at least one step is needed")

    @property
    def failed_checks(self) -> list[int]:
        """Indices of steps whose symbolic check came out False."""
        return [i for i, s in enumerate(self.steps) if s.check is False]

    def to_markdown(self) -> str:
        """The derivation as a Markdown section (display math in `\\[ ... \\]` paragraphs)."""
        out = [f"## {self.title}", "", f"*Source:* {self.source}", "", f"**Assumptions.** {self.assumptions}", ""]
        for i, step in enumerate(self.steps, 1):
            mark = " (checked symbolically)" if step.check else ""
            out += [f"**Step {i}.** {step.justification}{mark}", "", "\\[", latex(step.expr), "\\]", ""]
        out += ["**Result.**", "", "\\[", latex(self.result), "\\]", ""]
        if self.notes:
            out += [self.notes, ""]
        out += [
            '??? info "sympy form (srepr)"',
            "    ```text",
            "    " + (sp.srepr(self.result) if not isinstance(self.result, str) else self.result),
            "    ```",
            "",
        ]
        return "\n".join(out)


def tex_equation(lhs_tex: str, rhs) -> str:
    """A displayed equation with a hand-written LaTeX left side (sympy would mangle the
    name): `tex_equation(r"\\varepsilon_2|_{0}", expr)` gives `"\\varepsilon_2|_{0} = <latex of expr>"`.
    A string `rhs` is used as written."""
    return f"{lhs_tex} = {rhs if isinstance(rhs, str) else sp.latex(rhs)}"
