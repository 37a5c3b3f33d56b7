r"""Class-manifold dimension by cutting planes: Gaussian width, Gordon's escape theorem and
exact hit probabilities of random affine cuts.

Fort, Cubuk, Ganguli, Schoenholz (2022), *What does a deep neural network confidently
perceive? The effective dimension of high certainty class manifolds and their low confidence
boundaries* (arXiv 2210.05546). The paper probes a set \( S \subset \mathbb{R}^D \) (a class
manifold) with random affine subspaces \( X_0 + \operatorname{span}(M) \) of dimension \( d \)
and calls \( d_\mathrm{eff} = D - d^*_{50\%} \) its effective dimension, where
\( d^*_{50\%} \) is the cut dimension at which the cut meets \( S \) with probability 1/2.

This package holds the theory side (implementation in `_derivations`, `_width`, `_hit`,
`_dstar`; this face only re-exports):

- the Gaussian width and the form of Gordon's escape theorem the paper uses
  (\( d^* \approx D - w(\tilde S)^2 \));
- exact hit probabilities \( P(d) \) of a uniformly random \( d \)-dimensional affine cut through
  an anchor for sets where the answer is known (brief B.6): an affine \( k \)-subspace, a tube
  around it, a ball (or sphere), a half-space reached with an input budget, intersections and
  unions of affine subspaces, and a ball probed with axis-aligned cuts;
- the predicted \( d^* \) of each case (the 50% crossing of \( P(d) \)).

All closed forms are built as sympy `Derivation`s (see `derivations()`); the numeric
functions evaluate the same formulas with `scipy.special.betainc`.

The one distributional fact behind the Beta cases: for the orthogonal projector \( P \) onto a
uniformly random \( d \)-dimensional subspace of \( \mathbb{R}^D \) and a fixed unit vector
\( u \),

\[
\|P u\|^2 \sim \mathrm{Beta}\!\left(\tfrac d2, \tfrac{D-d}2\right).
\]
"""

from __future__ import annotations

from theory.class_manifolds._derivations import derivations
from theory.class_manifolds._dstar import (
    d_star_affine_subspace,
    d_star_ball,
    d_star_ball_axis_aligned,
    d_star_crossing,
    d_star_halfspace_budget,
    d_star_intersection,
    d_star_sphere,
    d_star_tube,
    d_star_union,
)
from theory.class_manifolds._hit import (
    p_hit_affine_subspace,
    p_hit_ball,
    p_hit_ball_axis_aligned,
    p_hit_halfspace_budget,
    p_hit_intersection,
    p_hit_sphere,
    p_hit_tube,
    p_hit_union,
)
from theory.class_manifolds._width import (
    cap_support_function,
    cap_width,
    cap_width_mc,
    gaussian_width_mc,
    gordon_d_star,
    gordon_escape_probability_bound,
    mean_chi,
)

__all__ = [
    "mean_chi",
    "gordon_escape_probability_bound",
    "gordon_d_star",
    "cap_support_function",
    "cap_width",
    "cap_width_mc",
    "gaussian_width_mc",
    "p_hit_affine_subspace",
    "p_hit_tube",
    "p_hit_ball",
    "p_hit_sphere",
    "p_hit_halfspace_budget",
    "p_hit_intersection",
    "p_hit_union",
    "p_hit_ball_axis_aligned",
    "d_star_crossing",
    "d_star_affine_subspace",
    "d_star_tube",
    "d_star_ball",
    "d_star_sphere",
    "d_star_halfspace_budget",
    "d_star_intersection",
    "d_star_union",
    "d_star_ball_axis_aligned",
    "derivations",
]
