"""Small helpers shared by the max_margin claim modules (theory side of the toy examples)."""

from __future__ import annotations

import numpy as np

from numerics.max_margin import fit_power_law
from theory.max_margin import (
    EXAMPLE_A3,
    AffineMaxMargin,
    MarginProblem,
    affine_max_margin,
    geometric_margin,
    paper_models,
    solve_max_margin,
)
from verify.max_margin._experiments import DATASETS

__all__ = ["PENALISE", "exact", "h3_lyu_li", "unit", "margin_of", "decay_exponent"]

#: The penalised part of (u, c) in each model's (P_Lambda), in function space.
PENALISE = {"M1": "all", "M2": "slope", "M3": "bias", "lin1d": "all", "cube1d+": "slope"}


def exact(data: str, penalise: str, **kw) -> AffineMaxMargin:
    """The exact (P_Lambda) solution in function space on dataset `data` ("A1", "A2", "A3")."""
    return affine_max_margin(DATASETS[data], penalise, **kw)


def h3_lyu_li() -> np.ndarray:
    """(u, c) of the Lyu-Li (Euclidean) max-margin point of the homogeneous H3 on A-3, by SLSQP."""
    m = paper_models()["H3"]
    sol = solve_max_margin(MarginProblem.from_dataset(m, EXAMPLE_A3), restarts=8, seed=3)
    return m.function_space(sol.theta)[0]


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def margin_of(v: np.ndarray, data: str) -> float:
    """Geometric margin of the predictor (u, c) = (v[:-1], v[-1]) on dataset `data`."""
    d = DATASETS[data]
    return geometric_margin(v[:-1], v[-1], d.X_np, d.y_np)


def decay_exponent(x: np.ndarray, y: np.ndarray) -> float:
    """Power-law exponent of y against x over the last two decades of x (NaN, for the report's info
    only, when fewer than 3 points are usable)."""
    if len(x) == 0:
        return float("nan")
    try:
        return fit_power_law(x, y, x[-1] / 100, x[-1])
    except ValueError:
        return float("nan")
