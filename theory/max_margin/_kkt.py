r"""The asymmetric norm, normalisation along characteristic curves, and the KKT problem \( (P_\Lambda) \).

Reconstructed main theorem (brief Sec. A.2; the paper's body was not reachable, see
`docs/papers/max_margin.md`): for a \( \Lambda \)-quasi-homogeneous model trained by gradient flow on
the exponential loss past separability, every limit point of the margin-normalised trajectory
\( \hat\theta = e^{-\alpha\Lambda}\theta \), \( \alpha = \log q_{\min}(\theta) \), is a KKT point of

\[
(P_\Lambda) \qquad \min_\theta \tfrac12 \sum_{i \in M} \theta_i^2 \quad \text{s.t.} \quad q_n(\theta) \ge 1,
\]

where \( M \) is the max-rate set. KKT: \( \mu_n \ge 0 \), \( \mu_n (q_n - 1) = 0 \),
\( \theta_i = \sum_n \mu_n \partial_i q_n \) for \( i \in M \) and \( 0 = \sum_n \mu_n \partial_i q_n \) otherwise.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import numpy as np
import scipy.optimize as so
import sympy as sp

from theory.max_margin._checks import as_int, as_real, binary_labels, finite_array, rates_array
from theory.max_margin._models import Dataset, Model

__all__ = [
    "lambda_seminorm",
    "asymmetric_norm",
    "characteristic_flow",
    "normalise_along_characteristic",
    "smoothed_margin",
    "smoothed_margin_limit",
    "MarginProblem",
    "KKTResiduals",
    "KKTSolution",
    "kkt_residuals",
    "solve_max_margin",
    "AffineMaxMargin",
    "affine_max_margin",
    "geometric_margin",
    "balanced_parameters",
]


def _theta_and_rates(theta, rates, *, positive_max: bool) -> tuple[np.ndarray, np.ndarray]:
    theta = finite_array("theta", theta, min_ndim=1, nonempty=False)
    lam = rates_array(rates, theta.shape[-1], positive_max=positive_max)
    return theta, lam


def lambda_seminorm(theta: np.ndarray, rates: np.ndarray) -> np.ndarray:
    r"""\( \|\theta\|_\Lambda = (\sum_i \lambda_i \theta_i^2)^{1/2} \) over the last axis.

    **Raises:** `ValueError` for non-finite entries, negative rates, or `rates` whose length is
    not the last axis of `theta`.
    """
    theta, lam = _theta_and_rates(theta, rates, positive_max=False)
    return np.sqrt(np.sum(lam * theta**2, axis=-1))


def asymmetric_norm(theta: np.ndarray, rates: np.ndarray) -> np.ndarray:
    r"""\( \|\theta\|_{\Lambda_{\max}} = (\sum_{i \in M} \theta_i^2)^{1/2} \): only max-rate parameters count.

    **Raises:** `ValueError` for non-finite entries, negative or all-zero rates, or `rates` whose
    length is not the last axis of `theta` (mismatched shapes).
    """
    theta, lam = _theta_and_rates(theta, rates, positive_max=True)
    mask = lam == lam.max()
    return np.sqrt(np.sum(theta[..., mask] ** 2, axis=-1))


def characteristic_flow(theta: np.ndarray, rates: np.ndarray, alpha) -> np.ndarray:
    r"""\( \psi_\alpha(\theta) = e^{\alpha\Lambda}\theta \) (`alpha` broadcasts over leading axes).

    **Raises:** `ValueError` for non-finite input, negative rates, mismatched shapes, or an
    `alpha` so large that \( e^{\alpha\lambda_i} \) overflows.
    """
    theta, lam = _theta_and_rates(theta, rates, positive_max=False)
    alpha = finite_array("alpha", alpha, nonempty=False)[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(alpha * lam) * theta
    if not np.all(np.isfinite(out)):
        raise ValueError("alpha is too large: e^{alpha lambda_i} theta_i overflows float64")
    return out


def normalise_along_characteristic(theta: np.ndarray, rates: np.ndarray, q_min) -> np.ndarray:
    r"""\( \hat\theta = \psi_{-\log q_{\min}}(\theta) \), so that \( q_{\min}(\hat\theta) = 1 \).

    **Raises:** `ValueError` if some `q_min` is not positive and finite (not yet separable).
    """
    q_min = np.asarray(q_min, float)
    if not np.all(np.isfinite(q_min)) or np.any(q_min <= 0):
        raise ValueError("q_min must be positive and finite (the data must be separated)")
    return characteristic_flow(theta, rates, -np.log(q_min))


def smoothed_margin(ell, theta: np.ndarray, rates: np.ndarray) -> np.ndarray:
    r"""\( \tilde\gamma = \log(1/L) / \|\theta\|_\Lambda^{1/\lambda_{\max}} \) (brief Sec. A.1).

    **Raises:** `ValueError` for non-finite input, mismatched shapes, all-zero rates, or a
    `theta` with zero \( \Lambda \)-seminorm.
    """
    theta, lam = _theta_and_rates(theta, rates, positive_max=True)
    ell = finite_array("ell", ell, nonempty=False)
    norm = lambda_seminorm(theta, lam)
    if np.any(norm == 0):
        raise ValueError("theta must have a positive Lambda-seminorm (got theta with sum_i lambda_i theta_i^2 = 0)")
    return ell / norm ** (1.0 / lam.max())


def smoothed_margin_limit(theta_hat: np.ndarray, rates: np.ndarray) -> float:
    r"""Limit of \( \tilde\gamma \) at a margin-normalised point: \( (\sqrt{\lambda_{\max}}\|\hat\theta_M\|)^{-1/\lambda_{\max}} \).

    **Raises:** `ValueError` for non-finite input, mismatched shapes, all-zero rates, or a
    `theta_hat` whose max-rate part is zero.
    """
    theta_hat = finite_array("theta_hat", theta_hat, ndim=1)
    lam = rates_array(rates, theta_hat.shape[0])
    lm = lam.max()
    norm = asymmetric_norm(theta_hat, lam)
    if not norm > 0:
        raise ValueError("theta_hat must have a non-zero max-rate part")
    return float((np.sqrt(lm) * norm) ** (-1.0 / lm))


# --------------------------------------------------------------------------- the problem


@dataclasses.dataclass
class MarginProblem:
    r"""Margins \( q(\theta) \) of a model on a dataset, in float64.

    Binary (one output, labels \( \pm 1 \)): \( q_n = y_n f(\theta; x_n) \). Multiclass (K outputs,
    integer labels): \( q_{n,k} = f_{y_n} - f_k \) for \( k \ne y_n \), flattened.

    **Raises:** `ValueError` when `X` is empty or not finite, its shape does not match `y` and the
    model's inputs, or a label is outside \( \{-1, +1\} \) (binary) or \( \{0, \dots, K-1\} \)
    (multiclass).
    """

    model: Model
    X: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        self.X = np.atleast_2d(finite_array("X", self.X))
        self.y = np.asarray(self.y)
        if self.y.ndim != 1 or self.X.shape[0] != self.y.shape[0]:
            raise ValueError(f"X has {self.X.shape[0]} rows but y has shape {self.y.shape}")
        if self.X.shape[1] != len(self.model.inputs):
            raise ValueError(f"X has {self.X.shape[1]} columns but the model has {len(self.model.inputs)} inputs")
        self._multi = len(self.model.outputs) > 1
        if self._multi:
            K = len(self.model.outputs)
            yf = finite_array("y", self.y, ndim=1)
            if not np.all((yf == np.round(yf)) & (yf >= 0) & (yf < K)):
                raise ValueError(f"y must hold class indices in 0..{K - 1} for a {K}-output model")
        else:
            binary_labels("y", self.y)
        self._f, self._jac = self.model.numpy_functions

    def _check(self) -> None:
        """Re-check the data (the dataclass is mutable) before handing it to compiled solvers."""
        if not (np.all(np.isfinite(self.X)) and np.all(np.isfinite(np.asarray(self.y, float)))):
            raise ValueError("problem.X and problem.y must be finite")

    def _theta(self, theta: np.ndarray, name: str = "theta") -> np.ndarray:
        theta = finite_array(name, theta, ndim=1)
        if theta.shape[0] != self.model.n_params:
            raise ValueError(f"{name} has {theta.shape[0]} entries but the model has {self.model.n_params} parameters")
        return theta

    @classmethod
    def from_dataset(cls, model: Model, data: Dataset) -> "MarginProblem":
        return cls(model, data.X_np, np.array(data.y))

    def _pairs(self):
        K = len(self.model.outputs)
        n = np.repeat(np.arange(len(self.y)), K - 1)
        k = np.array([j for yy in self.y.astype(int) for j in range(K) if j != yy])
        return n, k

    def margins(self, theta: np.ndarray) -> np.ndarray:
        F = self._f(theta, self.X)
        if not self._multi:
            return self.y.astype(float) * F[:, 0]
        n, k = self._pairs()
        return F[n, self.y.astype(int)[n]] - F[n, k]

    def margins_jac(self, theta: np.ndarray) -> np.ndarray:
        J = self._jac(theta, self.X)
        if not self._multi:
            return self.y.astype(float)[:, None] * J[:, 0, :]
        n, k = self._pairs()
        return J[n, self.y.astype(int)[n], :] - J[n, k, :]


@dataclasses.dataclass(frozen=True)
class KKTResiduals:
    r"""Approximate-KKT residuals at a point (Lyu-Li style).

    - `stationarity`: \( \min_{\mu \ge 0} \| P_M\theta - J_A^\top \mu \| / \|P_M\theta\| \) over the
      near-active set \( A \) (absolute when \( P_M\theta = 0 \)).
    - `primal`: \( \max(0, 1 - q_{\min}) \).
    - `complementary`: \( \sum_n \mu_n (q_n - 1) \) over \( A \).
    - `combined`: \( \min_{\mu \ge 0} \big(\|P_M\theta - J^\top\mu\|^2 + \sum_n \mu_n^2 \|\nabla q_n\|^2 (q_n - 1)^2\big)^{1/2} / \|P_M\theta\| \)
      over *all* constraints: stationarity and complementary slackness in one scale-consistent number
      (zero exactly at a KKT point; no active-set threshold).
    - `mu`: multipliers (zeros off \( A \)); `active`: indices of \( A \).
    """

    stationarity: float
    primal: float
    complementary: float
    combined: float
    mu: np.ndarray
    active: np.ndarray
    theta: np.ndarray


def kkt_residuals(
    problem: MarginProblem,
    theta: np.ndarray,
    *,
    penalised: Sequence[int] | None = None,
    normalise: bool = True,
    active_tol: float = 1e-2,
) -> KKTResiduals:
    r"""KKT residuals of \( (P_\Lambda) \) (or of any penalised set) at `theta`.

    **Arguments:**

    - `problem`: the margins.
    - `theta`: a parameter vector.
    - `penalised`: indices in the objective; default the max-rate set \( M \). Pass all indices for
      the Euclidean (Lyu-Li) problem.
    - `normalise`: first move along the characteristic curve to \( q_{\min} = 1 \) (with the model's
      \( \Lambda \)).
    - `active_tol`: constraints with \( q_n \le q_{\min} + \text{active\_tol}\,|q_{\min}| \) count as
      active (the minimal constraint always does, also when \( q_{\min} \le 0 \)).

    **Raises:** `ValueError` for a `theta` that is not finite or does not match the model, a negative
    or non-finite `active_tol`, `penalised` indices out of range, `normalise=True` at a point whose
    minimum margin is not positive, or margins that are not finite at `theta`.
    """
    problem._check()
    theta = problem._theta(theta)
    active_tol = as_real("active_tol", active_tol, nonnegative=True)
    qh = problem.model.quasi_homogeneity
    pen = _penalised(penalised, qh, theta.shape[0])
    if normalise:
        theta = normalise_along_characteristic(theta, qh.rates_array(), problem.margins(theta).min())
    q = problem.margins(theta)
    J = problem.margins_jac(theta)
    if not (np.all(np.isfinite(q)) and np.all(np.isfinite(J))):
        raise ValueError("the margins or their gradients are not finite at theta")
    mask = np.zeros(theta.shape[0])
    mask[pen] = 1.0
    target = mask * theta
    qmin = q.min()
    # q <= q_min (1 + tol) for q_min >= 0; the same distance below for q_min < 0 (never empty)
    active = np.flatnonzero(q <= (qmin * (1 + active_tol) if qmin >= 0 else qmin * (1 - active_tol)))
    mu_a, res = _nnls(J[active].T, target)
    mu = np.zeros(q.shape[0])
    mu[active] = mu_a
    scale = np.linalg.norm(target)
    gnorm = np.linalg.norm(J, axis=1)
    _, res_c = _nnls(np.vstack([J.T, np.diag((q - 1.0) * gnorm)]), np.concatenate([target, np.zeros(q.shape[0])]))
    return KKTResiduals(
        stationarity=float(res / scale if scale > 1e-12 else res),
        primal=float(max(0.0, 1.0 - q.min())),
        complementary=float(np.sum(mu_a * (q[active] - 1.0))),
        combined=float(res_c / scale if scale > 1e-12 else res_c),
        mu=mu,
        active=active,
        theta=theta,
    )


def _nnls(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float]:
    """`scipy.optimize.nnls`, guarded: scipy 1.17 double-frees (SIGABRT) on a matrix with no columns,
    so that case is answered here (no unknowns: the residual is |b|), and non-finite input is refused."""
    A = np.asarray(A, float)
    b = np.asarray(b, float)
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(b))):
        raise ValueError("NNLS input must be finite")
    if A.ndim != 2 or A.shape[0] != b.shape[0]:
        raise ValueError(f"NNLS shapes do not match: A {A.shape}, b {b.shape}")
    if A.shape[1] == 0 or A.shape[0] == 0:
        return np.zeros(A.shape[1]), float(np.linalg.norm(b))
    x, res = so.nnls(A, b)
    return x, float(res)


def _penalised(penalised, qh, m: int) -> list[int]:
    if penalised is None:
        return list(qh.max_rate_indices)
    out = [as_int("penalised", i) for i in penalised]
    if any(i < 0 or i >= m for i in out):
        raise ValueError(f"penalised indices must lie in 0..{m - 1}, got {out}")
    return out


@dataclasses.dataclass(frozen=True)
class KKTSolution:
    r"""A numerical solution of \( (P_\Lambda) \): the point, objective, residuals, restarts that converged."""

    theta: np.ndarray
    value: float
    residuals: KKTResiduals
    converged_restarts: int
    degenerate: bool


def solve_max_margin(
    problem: MarginProblem,
    *,
    penalised: Sequence[int] | None = None,
    restarts: int = 8,
    seed: int = 0,
    init_scale: float = 1.0,
    ftol: float = 1e-12,
) -> KKTSolution:
    r"""Solve \( \min \frac12 \sum_{i \in P} \theta_i^2 \) s.t. \( q_n(\theta) \ge 1 \) with SLSQP and restarts.

    **Arguments:**

    - `problem`: margins of a model on data.
    - `penalised`: the penalised index set \( P \) (default: the max-rate set, i.e. \( (P_\Lambda) \)).
    - `restarts`: random initialisations; the best feasible result is kept.
    - `seed`, `init_scale`: initialisation stream and scale.
    - `ftol`: SLSQP tolerance.

    **Returns:** a `KKTSolution`; `degenerate=True` when the optimal value is (numerically) zero, i.e.
    the penalised parameters are unnecessary and \( (P_\Lambda) \) does not pin the rest.

    **Raises:** `ValueError` for `restarts < 1`, a negative `seed`, a non-positive `init_scale` or
    `ftol`, out-of-range `penalised` indices, or non-finite data; `RuntimeError` if no restart
    reaches a feasible point.
    """
    problem._check()
    restarts = as_int("restarts", restarts, 1)
    seed = as_int("seed", seed, 0)
    init_scale = as_real("init_scale", init_scale, positive=True)
    ftol = as_real("ftol", ftol, positive=True)
    qh = problem.model.quasi_homogeneity
    m = problem.model.n_params
    pen = _penalised(penalised, qh, m)
    mask = np.zeros(m)
    mask[pen] = 1.0
    rng = np.random.default_rng(seed)
    best = None
    ok = 0
    for _ in range(restarts):
        x0 = rng.normal(size=m) * init_scale
        res = so.minimize(
            lambda t: 0.5 * np.sum(mask * t**2),
            x0,
            jac=lambda t: mask * t,
            constraints=[{"type": "ineq", "fun": lambda t: problem.margins(t) - 1.0, "jac": problem.margins_jac}],
            method="SLSQP",
            options={"ftol": ftol, "maxiter": 2000},
        )
        if not np.all(np.isfinite(res.x)) or not problem.margins(res.x).min() >= 1 - 1e-6:
            continue
        ok += 1
        if best is None or res.fun < best.fun - 1e-12:
            best = res
    if best is None:
        raise RuntimeError("no restart reached a feasible point; increase restarts or init_scale")
    resid = kkt_residuals(problem, best.x, penalised=pen, normalise=False)
    return KKTSolution(best.x, float(best.fun), resid, ok, degenerate=bool(best.fun < 1e-6))


# --------------------------------------------------------------------------- exact affine QP


@dataclasses.dataclass(frozen=True)
class AffineMaxMargin:
    r"""Exact solution of the function-space problem of an affine classifier \( u \cdot x + c \).

    - `u`, `c`: the minimiser with margin 1 (sympy Rationals/radicals).
    - `mu`: multipliers, one per data point (zero off the active set).
    - `value`: \( \frac12 \) (penalised squared norm).
    - `active`: indices with \( y_n (u \cdot x_n + c) = 1 \).
    - `degenerate`: the optimal value is 0 (penalised part unnecessary); then `u, c` solve the
      lexicographic secondary problem (brief's conjecture, Nacson et al. 2019).
    - `penalise`: `"all"` (M1), `"slope"` (M2) or `"bias"` (M3).
    """

    u: tuple[sp.Expr, ...]
    c: sp.Expr
    mu: tuple[sp.Expr, ...]
    value: sp.Expr
    active: tuple[int, ...]
    degenerate: bool
    penalise: str

    @property
    def vector(self) -> np.ndarray:
        r"""\( (u_1, \dots, u_d, c) \) as float64."""
        return np.array([float(v) for v in (*self.u, self.c)])


def _exact_qp(A: sp.Matrix, pen: list[int]) -> tuple[sp.Matrix, sp.Matrix, tuple[int, ...]] | None:
    """min 1/2 sum_{i in pen} z_i^2 s.t. A z >= 1, by exact active-set enumeration."""
    N, n = A.shape
    Q = sp.diag(*[1 if i in pen else 0 for i in range(n)])
    z = sp.Matrix(sp.symbols(f"z0:{n}"))
    for size in range(1, min(N, n) + 1):
        for S in itertools.combinations(range(N), size):
            mu = sp.Matrix(sp.symbols(f"m0:{size}"))
            AS = A.extract(list(S), list(range(n)))
            eqs = list(Q * z - AS.T * mu) + list(AS * z - sp.ones(size, 1))
            sol = sp.linsolve(eqs, list(z) + list(mu))
            if not sol:
                continue
            (vals,) = list(sol)
            if any(sp.sympify(v).free_symbols for v in vals):
                continue  # not a vertex solution; a larger active set pins it
            zs = sp.Matrix(vals[:n])
            ms = sp.Matrix(vals[n:])
            if any(m < 0 for m in ms) or any(v < 1 for v in A * zs):
                continue
            full = sp.zeros(N, 1)
            for k, i in enumerate(S):
                full[i] = ms[k]
            return zs, full, tuple(S)
    return None


def affine_max_margin(
    data: Dataset, penalise: str = "all", *, lexicographic: bool = True, bias: bool = True
) -> AffineMaxMargin:
    r"""Exact \( (P_\Lambda) \) of the affine parameterisations in function space \( (u, c) \).

    M1 (\( f = w\cdot x + c \)) penalises all of \( (u, c) \); M2 (\( w \cdot x + b_1 b_2 \)) only \( u \)
    (free-bias SVM); M3 (\( a (v \cdot x) + c \)) only \( c \). Each is a convex QP; it is solved by
    enumerating active sets over the rationals.

    **Arguments:**

    - `data`: a binary `Dataset` with rational coordinates.
    - `penalise`: `"all"`, `"slope"` or `"bias"`.
    - `lexicographic`: when the optimal value is 0, return the secondary problem's solution with the
      unnecessary penalised part set to 0 (otherwise raise).
    - `bias`: `False` fixes \( c = 0 \) (the KKT point of \( f = w x + b^3 \) reached from \( b_0 < 0 \):
      \( b = 0 \) is invariant and satisfies stationarity trivially since \( \partial_b f = 3b^2 \)).

    **Raises:** `ValueError` for an unknown `penalise` or infeasible data.
    """
    if not bias:
        y = sp.Matrix(data.y)
        A = sp.diag(*y) * data.X
        out = _exact_qp(A, list(range(data.X.cols)))
        if out is None:
            raise ValueError("no KKT point found: the data are not separable through the origin")
        z, mu, S = out
        return AffineMaxMargin(tuple(z), sp.Integer(0), tuple(mu), sp.Rational(1, 2) * sum(v**2 for v in z), S, False,
                               "slope")
    d = data.X.cols
    if penalise == "all":
        pen = list(range(d + 1))
    elif penalise == "slope":
        pen = list(range(d))
    elif penalise == "bias":
        pen = [d]
    else:
        raise ValueError(f"penalise must be 'all', 'slope' or 'bias', got {penalise!r}")
    y = sp.Matrix(data.y)
    A = sp.Matrix.hstack(sp.diag(*y) * data.X, y)
    if len(pen) < d + 1:
        # degenerate if the constraints can be met with the penalised coordinates at zero
        keep = [i for i in range(d + 1) if i not in pen]
        sub = _exact_qp(A.extract(list(range(A.rows)), keep), list(range(len(keep))))
        if sub is not None:
            if not lexicographic:
                raise ValueError("optimal value is 0 (degenerate); pass lexicographic=True")
            zs, mu, S = sub
            z = sp.zeros(d + 1, 1)
            for k, i in enumerate(keep):
                z[i] = zs[k]
            return AffineMaxMargin(tuple(z[:d]), z[d], tuple(mu), sp.Integer(0), S, True, penalise)
    out = _exact_qp(A, pen)
    if out is None:
        raise ValueError("no KKT point found: the data are not separable by an affine classifier")
    z, mu, S = out
    value = sp.Rational(1, 2) * sum(z[i] ** 2 for i in pen)
    return AffineMaxMargin(tuple(z[:d]), z[d], tuple(mu), sp.nsimplify(value), S, False, penalise)


def geometric_margin(u: np.ndarray, c, X: np.ndarray, y: np.ndarray) -> float:
    r"""\( \min_n y_n (u \cdot x_n + c) / \|u\| \): distance of the closest point to the boundary.

    **Raises:** `ValueError` for non-finite or empty input, a zero `u`, shapes that do not match
    (`X` is `(N, d)`, `u` has `d` entries, `y` has `N`), or labels outside \( \{-1, +1\} \).
    """
    u = finite_array("u", u, ndim=1)
    c = as_real("c", c)
    X = np.atleast_2d(finite_array("X", X))
    if X.ndim != 2 or X.shape[1] != u.shape[0]:
        raise ValueError(f"X must have shape (N, {u.shape[0]}) to match u, got {X.shape}")
    y = binary_labels("y", y, X.shape[0])
    nu = np.linalg.norm(u)
    if not nu > 0:
        raise ValueError("u must be non-zero (the boundary u.x + c = 0 is undefined)")
    return float(np.min(y * (X @ u + c)) / nu)


def balanced_parameters(model_name: str, u: Sequence, c) -> list:
    r"""A balanced parameter vector of M1/M2/M3/H3 representing \( (u, c) \) (sympy-exact).

    Balanced means equal magnitudes within each conservation law at the limit
    (\( b_1^2 = b_2^2 = |c| \), \( a^2 = \|v\|^2 = \|u\| \)), as gradient flow's normalised limit has.

    **Raises:** `ValueError` for an unknown model, an empty `u`, or entries that are not finite reals
    (or, for M3/H3, a zero `u`).
    """
    u = [sp.sympify(v) for v in np.asarray(u, dtype=object).ravel()]
    c = sp.sympify(c)
    if not u:
        raise ValueError("u must have at least one entry")
    if not all(v.is_real and v.is_finite for v in (*u, c)):
        raise ValueError("u and c must be finite real numbers")
    nu = sp.sqrt(sum(v**2 for v in u))
    sc = sp.sqrt(sp.Abs(c))
    sgn = sp.sign(c) if c != 0 else 1
    if model_name == "M1":
        return [*u, c]
    if model_name == "M2":
        return [*u, sc, sgn * sc]
    if model_name in ("M3", "H3") and nu == 0:
        raise ValueError(f"u must be non-zero for {model_name} (a = sqrt|u| divides v)")
    if model_name == "M3":
        a = sp.sqrt(nu)
        return [a, *[v / a for v in u], c]
    if model_name == "H3":
        a = sp.sqrt(nu)
        return [a, *[v / a for v in u], sc, sgn * sc]
    raise ValueError(f"unknown model {model_name!r}; expected M1, M2, M3 or H3")
