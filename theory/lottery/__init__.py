r"""Theory of IMP's per-iteration prune fraction (Paul et al., ICLR 2023, Sec. 3.3).

The trained level-\(L\) solution \(w^*\) is pruned by zeroing a fraction \(p\) of its
\(D_L\) surviving weights (the projection \(\Delta\), of length \(r = \|\Delta\|\)), and
retraining then happens inside the axial subspace of the \((1-p)D_L\) kept weights. The
question is whether that subspace still meets the \(\varepsilon\)-sublevel set
\(S(\varepsilon)=\{E \le E(w^*)+\varepsilon\}\).

- **Local model.** \(E(w)\approx E(w^*)+\tfrac12 (w-w^*)^\top H (w-w^*)\): \(S(\varepsilon)\)
  is an ellipsoid with semi-axes \(r_i=\sqrt{2\varepsilon/\lambda_i}\).
- **Gaussian width seen from distance \(r\)** (Larsen et al. 2022, quadratic well):
  \(w^2(r)\approx\sum_i r_i^2/(r_i^2+r^2)\).
- **Gordon's escape theorem** for a subspace treated as random:
  \((1-p)D_L + w^2(r)\ge D_L\), i.e.

\[
p \le p^*(r) = \frac{1}{D_L}\sum_i \frac{1}{1+\lambda_i r^2/(2\varepsilon)} .
\]

- **Self-consistency.** \(r\) depends on \(p\): random pruning \(r(p)^2 = p\,\|w^*\|^2\)
  (in expectation), magnitude pruning \(r(p)^2=\) the sum of the smallest \(p\)-fraction of
  \(w_i^2\). The predicted largest ratio solves \(p = p^*(r(p))\).
- **Exact quadratic feasibility.** With the pruned set \(P\) fixed at \(z_P=-w^*_P\) and the
  kept set \(K\) free, \(\min E - E(w^*) = \tfrac12 z_P^\top (H_{PP}-H_{PK}H_{KK}^{-1}H_{KP}) z_P\)
  (a Schur complement); pruning succeeds iff this is \(\le\varepsilon\).

The IMP bookkeeping (how many weights survive each level) is also here, as integer
arithmetic independent of the pruning code in `numerics.lottery`.

Which parts are checked against the paper is stated in `docs/papers/lottery.md`: the
bound's *form* (inputs: projection length and prune ratio; output governed by the Hessian
spectrum; flatter allows more) is the paper's; the exact expression is the brief's
reconstruction from Larsen et al.'s quadratic-well width, which we could not compare with
the paper's equation.
"""

from theory.lottery._bookkeeping import imp_counts, prune_count
from theory.lottery._derivations import derivations
from theory.lottery._projection import (
    r2_magnitude_empirical,
    r2_magnitude_gaussian,
    r2_random,
    rho_oneshot_gaussian,
    rho_retrained_gaussian,
)
from theory.lottery._schur import exact_feasible, exact_threshold, schur_increase
from theory.lottery._width import (
    axis_length,
    gaussian_width_sq,
    pstar,
    pstar_isotropic,
    pstar_isotropic_random_selfconsistent,
    self_consistent_pstar,
)

__all__ = [
    "axis_length",
    "gaussian_width_sq",
    "pstar",
    "pstar_isotropic",
    "pstar_isotropic_random_selfconsistent",
    "self_consistent_pstar",
    "r2_random",
    "r2_magnitude_gaussian",
    "r2_magnitude_empirical",
    "rho_oneshot_gaussian",
    "rho_retrained_gaussian",
    "schur_increase",
    "exact_feasible",
    "exact_threshold",
    "imp_counts",
    "prune_count",
    "derivations",
]
