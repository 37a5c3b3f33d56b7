r"""Detection of the rate matrix \( \Lambda \) of a quasi-homogeneous model.

A model \( f(\theta; x) \) is \( \Lambda \)-quasi-homogeneous (Kunin et al. 2023, Sec. 3) when

\[
f(e^{\alpha \Lambda} \theta; x) = e^{\alpha} f(\theta; x) \quad \text{for all } \alpha, \theta, x,
\]

with \( \Lambda = \mathrm{diag}(\lambda_1, \dots, \lambda_m) \), \( \lambda_i \ge 0 \). Differentiating
at \( \alpha = 0 \) gives the Euler identity \( \sum_i \lambda_i \theta_i \partial_i f = f \); conversely
the Euler identity at every point integrates along \( \alpha \mapsto e^{\alpha\Lambda}\theta \) back to the
definition. The Euler identity is *linear* in \( \lambda \), so detection is linear algebra:

- polynomial models (in the parameters): every monomial \( \theta^{e} \) with a non-zero coefficient
  must satisfy \( e \cdot \lambda = 1 \); solved exactly over the rationals;
- any other sympy model (ReLU, normalisation, square roots): the Euler identity is sampled at random
  points, solved by least squares, rationalised, and re-checked at fresh points in 50-digit arithmetic.

The solution set is an affine family \( \lambda_p + \mathrm{span}(N) \). Every direction
\( \mu \in N \) is a rescaling *symmetry* (\( \sum_i \mu_i \theta_i \partial_i f = 0 \)), hence a
conservation law \( \frac{d}{dt} \sum_i \mu_i \theta_i^2 = 0 \) of gradient flow. The canonical
("balanced") \( \Lambda \) is chosen so that parameters tied by a conservation law with opposite
signs (e.g. \( a^2 - \|v\|^2 \)) get equal rates, since such parameters must grow together.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from theory._jax import require_x64
from theory.max_margin._checks import as_int

__all__ = [
    "QuasiHomogeneity",
    "detect_rates",
    "euler_residual",
    "verify_rates",
]


@dataclasses.dataclass(frozen=True)
class QuasiHomogeneity:
    r"""Result of \( \Lambda \) detection for a model.

    **Arguments:**

    - `exists`: whether any admissible \( \Lambda \ge 0 \) exists.
    - `reason`: why none exists (empty when `exists`).
    - `params`: the parameter symbols, in the order of `rates`.
    - `rates`: the canonical (balanced) rates \( \lambda_i \) as sympy Rationals, or `None`.
    - `particular`: one exact solution of the Euler system (may have negative entries).
    - `symmetries`: a rational basis of the rescaling symmetries \( \mu \) (nullspace).
    - `method`: `"polynomial"` (exact), `"euler-numeric"` (sampled and re-checked) or `"given"`.
    - `verified`: `"exact"` or `"numeric-50-digits"`.
    """

    exists: bool
    reason: str
    params: tuple[sp.Symbol, ...]
    rates: tuple[sp.Rational, ...] | None
    particular: tuple[sp.Rational, ...] | None = None
    symmetries: tuple[tuple[sp.Rational, ...], ...] = ()
    method: str = "polynomial"
    verified: str = "exact"

    @property
    def unique(self) -> bool:
        """True when the Euler system has a single solution (no rescaling symmetry)."""
        return not self.symmetries

    @property
    def lambda_max(self) -> sp.Rational:
        r"""The largest rate \( \lambda_{\max} \)."""
        self._require()
        return max(self.rates)

    @property
    def max_rate_indices(self) -> tuple[int, ...]:
        r"""Indices of the max-rate set \( M = \{ i : \lambda_i = \lambda_{\max} \} \)."""
        self._require()
        lm = self.lambda_max
        return tuple(i for i, r in enumerate(self.rates) if r == lm)

    @property
    def max_rate_params(self) -> tuple[sp.Symbol, ...]:
        r"""Symbols of the max-rate set \( M \)."""
        return tuple(self.params[i] for i in self.max_rate_indices)

    @property
    def is_homogeneous(self) -> bool:
        r"""All rates equal: \( \Lambda = I/L \), i.e. homogeneous of degree \( L \)."""
        self._require()
        return len(set(self.rates)) == 1

    @property
    def degree(self) -> sp.Rational | None:
        r"""Homogeneity degree \( L = 1/\lambda \) when homogeneous, else `None`.

        The quasi-homogeneous degree is 1 by the normalisation \( f(e^{\alpha\Lambda}\theta) = e^\alpha f \).
        """
        if not self.is_homogeneous:
            return None
        return 1 / self.rates[0]

    def conserved_quantities(self) -> list[sp.Expr]:
        r"""\( \sum_i \mu_i \theta_i^2 \) for each symmetry \( \mu \): constants of gradient flow."""
        return [sum(m * p**2 for m, p in zip(mu, self.params)) for mu in self.symmetries]

    def rates_array(self) -> np.ndarray:
        """The canonical rates as a float64 array."""
        self._require()
        return np.array([float(r) for r in self.rates])

    def _require(self) -> None:
        if not self.exists or self.rates is None:
            raise ValueError(f"model is not quasi-homogeneous: {self.reason}")


def _exact_rates(rates: Sequence[Any], m: int, *, symbolic: bool = False) -> tuple[sp.Expr, ...]:
    """Rates as sympy numbers, checked: `m` of them, each a finite real (or, with `symbolic`, a
    sympy expression with free symbols)."""
    try:
        items = list(np.asarray(rates, dtype=object).ravel()) if not isinstance(rates, sp.MatrixBase) else list(rates)
        out = tuple(sp.sympify(r) for r in items)
    except (TypeError, ValueError, sp.SympifyError):
        raise ValueError(f"rates must be a sequence of real numbers, got {rates!r}") from None
    if len(out) != m:
        raise ValueError(f"rates has {len(out)} entries but params has {m}")
    for r in out:
        if symbolic and r.free_symbols:
            continue
        if not (r.is_real and r.is_finite):
            raise ValueError(f"rates must be finite real numbers, got {r}")
    return out


def _as_list(f: Any) -> list[sp.Expr]:
    if isinstance(f, (sp.MatrixBase,)):
        return [sp.sympify(e) for e in f]
    if isinstance(f, (list, tuple)):
        return [sp.sympify(e) for e in f]
    return [sp.sympify(f)]


def euler_residual(f: Any, params: Sequence[sp.Symbol], rates: Sequence[Any]) -> list[sp.Expr]:
    r"""The Euler residuals \( \sum_i \lambda_i \theta_i \partial_i f - f \) (one per output).

    **Arguments:**

    - `f`: a sympy expression, or a list/Matrix of them (multi-output model).
    - `params`: the parameter symbols.
    - `rates`: the rates \( \lambda_i \), same length as `params`.

    **Returns:** a list of sympy expressions, identically zero iff \( f \) is \( \Lambda \)-quasi-homogeneous.

    **Raises:** `ValueError` when `rates` and `params` differ in length or a rate is not a finite
    real number (symbolic rates are allowed).
    """
    rates = _exact_rates(rates, len(params), symbolic=True)
    out = []
    for e in _as_list(f):
        out.append(sum(r * p * sp.diff(e, p) for r, p in zip(rates, params)) - e)
    return out


def _random_points(symbols: Sequence[sp.Symbol], n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(size=(n, len(symbols))) * 1.3 + 0.1


def verify_rates(
    f: Any,
    params: Sequence[sp.Symbol],
    rates: Sequence[Any],
    *,
    inputs: Sequence[sp.Symbol] = (),
    points: int = 6,
    seed: int = 1,
) -> str | None:
    r"""Check \( f(e^{\alpha\Lambda}\theta) = e^\alpha f(\theta) \) for the given rates.

    Polynomial models are checked exactly (the expanded Euler residual is zero); others by the
    definition itself at random points and \( \alpha \in \{-1.3, 0.7, 2.1\} \) in 50-digit arithmetic
    (relative error below \( 10^{-30} \)).

    **Returns:** `"exact"`, `"numeric-50-digits"`, or `None` when the identity fails.

    **Raises:** `ValueError` when `rates` and `params` differ in length, a rate is not a finite real,
    `points < 1` or `seed < 0`.
    """
    rates = _exact_rates(rates, len(params))
    points = as_int("points", points, 1)
    seed = as_int("seed", seed, 0)
    exprs = _as_list(f)
    if all(e.is_polynomial(*params) for e in exprs):
        res = euler_residual(exprs, params, rates)
        return "exact" if all(sp.expand(r) == 0 for r in res) else None
    return "numeric-50-digits" if _check_definition(exprs, params, rates, inputs, points, seed, target=1) else None


def _check_definition(exprs, params, rates, inputs, points, seed, *, target: int) -> bool:
    r"""\( f(e^{\alpha\Lambda}\theta) = e^{\text{target}\,\alpha} f(\theta) \) at random points, 50 digits.

    Uses only \( f \) itself (no derivatives), so ReLU and normalisation layers stay cheap to print.
    """
    import mpmath

    syms = list(params) + _free_inputs(exprs, params, inputs)
    m = len(params)
    rng = np.random.default_rng(seed)
    pts = _random_points(syms, points, rng)
    alphas = (-1.3, 0.7, 2.1)
    fns = [sp.lambdify(syms, e, modules="mpmath") for e in exprs]
    with mpmath.workdps(50):
        lam = [mpmath.mpf(sp.Rational(r).p) / mpmath.mpf(sp.Rational(r).q) for r in rates]
        for pt in pts:
            args = [mpmath.mpf(float(v)) for v in pt]
            for al in alphas:
                alm = mpmath.mpf(al)
                scaled = [mpmath.exp(alm * lam[i]) * args[i] for i in range(m)] + args[m:]
                for fe in fns:
                    lhs = fe(*scaled)
                    rhs = mpmath.exp(target * alm) * fe(*args)
                    if abs(lhs - rhs) > mpmath.mpf(10) ** -30 * (abs(rhs) + 1):
                        return False
    return True


def _free_inputs(exprs, params, inputs) -> list[sp.Symbol]:
    free = set().union(*[e.free_symbols for e in exprs]) - set(params)
    ordered = [s for s in inputs if s in free]
    ordered += sorted(free - set(ordered), key=lambda s: s.name)
    return ordered


# --------------------------------------------------------------------------- exact algebra


def _polynomial_system(exprs: list[sp.Expr], params: Sequence[sp.Symbol]) -> list[tuple[int, ...]] | str:
    rows: set[tuple[int, ...]] = set()
    for e in exprs:
        poly = sp.Poly(sp.expand(e), *params)
        for monom, coeff in poly.terms():
            if coeff == 0:
                continue
            if sum(monom) == 0:
                return "f has a term that does not depend on the parameters (it cannot scale like e^alpha)"
            rows.add(tuple(int(k) for k in monom))
    if not rows:
        return "f does not depend on the parameters"
    return sorted(rows)


def _solve_affine(A: sp.Matrix, b: sp.Matrix) -> tuple[sp.Matrix, list[sp.Matrix]] | None:
    try:
        sol, free = A.gauss_jordan_solve(b)
    except ValueError:
        return None
    particular = sol.subs({t: 0 for t in free})
    return particular, A.nullspace()


def _coupled_pairs(null: list[sp.Matrix], m: int) -> list[tuple[int, int]]:
    r"""Pairs (i, j) with opposite signs inside one basis symmetry \( \mu \) (they must grow together).

    The basis is the fundamental (RREF) one, whose vectors are the sparse, per-neuron laws for
    layered architectures; combinations of independent laws are not used (they would couple e.g. a
    residual branch to the trunk).
    """
    pairs: set[tuple[int, int]] = set()
    for mu in null:
        pos = [i for i in range(m) if mu[i] > 0]
        neg = [i for i in range(m) if mu[i] < 0]
        pairs.update((min(i, j), max(i, j)) for i in pos for j in neg)
    return sorted(pairs)


def _balanced(particular: sp.Matrix, null: list[sp.Matrix], m: int) -> sp.Matrix | None:
    r"""Exact balanced choice over the family \( \lambda = \lambda_p + N c \), \( \lambda \ge 0 \).

    Stage 1 minimises \( \sum_{(i,j)\ \mathrm{coupled}} (\lambda_i - \lambda_j)^2 \); stage 2 picks the
    minimum-norm \( \lambda \) among the stage-1 minimisers. Negative entries are clamped to zero by an
    active-set loop (each pass adds \( \lambda_i = 0 \) for the negative ones).
    """
    if not null:
        return particular if all(v >= 0 for v in particular) else None
    Nm = sp.Matrix.hstack(*null)
    r = Nm.cols
    pairs = _coupled_pairs(null, m)
    c = sp.Matrix(sp.symbols(f"c0:{r}"))
    lam = particular + Nm * c
    zero: set[int] = set()
    for _ in range(m + 1):
        val = _two_stage(lam, list(c), pairs, sorted(zero))
        if val is None:
            return None
        neg = [i for i in range(m) if val[i] < 0]
        if not neg:
            return val
        zero.update(neg)
    return None


def _two_stage(lam: sp.Matrix, c: list[sp.Symbol], pairs, zero: list[int]) -> sp.Matrix | None:
    cons = [lam[i] for i in zero]
    sol = _min_quadratic(sum(((lam[i] - lam[j]) ** 2 for i, j in pairs), sp.Integer(0)), c, cons)
    if sol is None:
        return None
    lam1 = lam.subs(sol)
    rest = sorted(set().union(*[sp.sympify(v).free_symbols for v in lam1]) & set(c), key=lambda s: s.name)
    if rest:
        sol2 = _min_quadratic(sum((v**2 for v in lam1), sp.Integer(0)), rest, [])
        if sol2 is None:
            return None
        lam1 = lam1.subs(sol2)
    return lam1.applyfunc(sp.nsimplify)


def _min_quadratic(obj: sp.Expr, c: list[sp.Symbol], cons: list[sp.Expr]) -> dict | None:
    """Stationary points of a convex quadratic under linear equalities (parametric if not unique)."""
    nus = sp.symbols(f"nu0:{len(cons)}")
    lag = obj - sum((nu * e for nu, e in zip(nus, cons)), sp.Integer(0))
    system = [sp.expand(sp.diff(lag, v)) for v in c] + [sp.expand(e) for e in cons]
    res = sp.linsolve(system, list(c) + list(nus))
    if not res:
        return None
    (vals,) = list(res)
    return {v: e for v, e in zip(c, vals[: len(c)]) if e != v}


# --------------------------------------------------------------------------- numeric Euler path


def _rationalise(x: float, tol: float = 1e-7) -> sp.Rational:
    return sp.nsimplify(float(x), rational=True, tolerance=tol)


def _rref_rational(V: np.ndarray, tol: float = 1e-7) -> list[sp.Matrix]:
    """A rational basis of the row space of V (rows = basis vectors), via numeric RREF."""
    M = V.copy()
    rows, cols = M.shape
    piv_row = 0
    for col in range(cols):
        if piv_row >= rows:
            break
        p = piv_row + int(np.argmax(np.abs(M[piv_row:, col])))
        if abs(M[p, col]) < 1e-8:
            continue
        M[[piv_row, p]] = M[[p, piv_row]]
        M[piv_row] /= M[piv_row, col]
        for r in range(rows):
            if r != piv_row:
                M[r] -= M[r, col] * M[piv_row]
        piv_row += 1
    M = M[:piv_row]
    return [sp.Matrix([_rationalise(v, tol) for v in row]) for row in M]


def _numeric_family(exprs, params, inputs, samples, seed):
    import jax  # lazily: the polynomial path (most models) never needs JAX
    import jax.numpy as jnp

    require_x64("numeric rate detection (the Euler identity sampled in float64)")
    syms = list(params) + _free_inputs(exprs, params, inputs)
    m = len(params)
    rng = np.random.default_rng(seed)
    pts = _random_points(syms, samples, rng)
    blocks_phi, blocks_f = [], []
    for e in exprs:
        fe = sp.lambdify(syms, e, modules="jax")

        def f_point(th, xs, fe=fe):
            return jnp.asarray(fe(*th, *xs), dtype=jnp.float64)

        vals = jax.vmap(f_point)(jnp.asarray(pts[:, :m]), jnp.asarray(pts[:, m:]))
        grads = jax.vmap(jax.grad(f_point))(jnp.asarray(pts[:, :m]), jnp.asarray(pts[:, m:]))
        blocks_phi.append(np.asarray(grads) * pts[:, :m])
        blocks_f.append(np.asarray(vals))
    Phi = np.concatenate(blocks_phi)
    fv = np.concatenate(blocks_f)
    ok = np.all(np.isfinite(Phi), axis=1) & np.isfinite(fv)
    Phi, fv = Phi[ok], fv[ok]
    scale = np.linalg.norm(fv) + 1e-300
    lam, *_ = np.linalg.lstsq(Phi, fv, rcond=None)
    rel = np.linalg.norm(Phi @ lam - fv) / scale
    if rel > 1e-8:
        return f"no Lambda satisfies the Euler identity (least-squares relative residual {rel:.2e})"
    _, s, Vt = np.linalg.svd(Phi, full_matrices=True)
    tol = max(Phi.shape) * np.finfo(float).eps * 1e3 * (s[0] if s.size else 1.0)
    rank = int(np.sum(s > tol))
    V = Vt[rank:]
    null = _rref_rational(V) if V.shape[0] else []
    if V.shape[0]:
        lam = lam - V.T @ (V @ lam)
    particular = sp.Matrix([_rationalise(v) for v in lam])
    return particular, null, m


# --------------------------------------------------------------------------- entry point


def detect_rates(
    f: Any,
    params: Sequence[sp.Symbol],
    inputs: Sequence[sp.Symbol] = (),
    *,
    rates: Sequence[Any] | None = None,
    samples: int | None = None,
    seed: int = 0,
) -> QuasiHomogeneity:
    r"""Find the diagonal \( \Lambda \ge 0 \) with \( f(e^{\alpha\Lambda}\theta; x) = e^\alpha f(\theta; x) \).

    **Arguments:**

    - `f`: sympy expression of the model output (or a list/Matrix for several outputs, which must
      share one \( \Lambda \)).
    - `params`: parameter symbols \( \theta \); every other free symbol is an input.
    - `inputs`: the input symbols (optional; only fixes their order in numeric sampling).
    - `rates`: declared rates to check instead of detecting (e.g. the paper's balanced choice for
      a deep bias MLP); they must satisfy the Euler identity.
    - `samples`: number of random points of the numeric path (default `max(8 m, 40)`).
    - `seed`: seed of those points.

    **Returns:** a `QuasiHomogeneity`; `exists=False` with a `reason` when no admissible
    \( \Lambda \) exists.

    **Raises:** `ValueError` when `params` is empty, declared `rates` have the wrong length or are
    not finite and non-negative, `samples < 1` or `seed < 0`; `RuntimeError` on the numeric path
    (non-polynomial models) unless JAX computes in float64 (`theory.enable_x64()`).
    """
    params = tuple(params)
    if not params:
        raise ValueError("params must name at least one parameter symbol")
    seed = as_int("seed", seed, 0)
    if samples is not None:
        samples = as_int("samples", samples, 1)
    exprs = _as_list(f)
    m = len(params)
    if rates is not None:
        rr = tuple(sp.nsimplify(r, rational=True) for r in _exact_rates(rates, m))
        if any(r < 0 for r in rr):
            raise ValueError("rates must be non-negative")
        how = verify_rates(exprs, params, rr, inputs=inputs)
        if how is None:
            return QuasiHomogeneity(False, "the declared rates violate the Euler identity", params, None, method="given")
        fam = detect_rates(exprs, params, inputs, samples=samples, seed=seed)
        return dataclasses.replace(fam, rates=rr, method="given", verified=how) if fam.exists else QuasiHomogeneity(
            True, "", params, rr, method="given", verified=how
        )

    if all(e.is_polynomial(*params) for e in exprs):
        rows = _polynomial_system(exprs, params)
        if isinstance(rows, str):
            return QuasiHomogeneity(False, rows, params, None)
        A = sp.Matrix(rows)
        solved = _solve_affine(A, sp.ones(A.rows, 1))
        if solved is None:
            return QuasiHomogeneity(
                False, "the monomial exponents admit no common Lambda (inconsistent Euler system)", params, None
            )
        particular, null = solved
        method, verified = "polynomial", "exact"
    else:
        out = _numeric_family(exprs, params, inputs, samples or max(8 * m, 40), seed)
        if isinstance(out, str):
            return QuasiHomogeneity(False, out, params, None, method="euler-numeric")
        particular, null, _ = out
        method, verified = "euler-numeric", "numeric-50-digits"
    lam = _balanced(particular, null, m)
    if lam is None:
        return QuasiHomogeneity(
            False, "every solution of the Euler system has a negative rate", params, None,
            particular=tuple(particular), symmetries=tuple(tuple(v) for v in null), method=method,
        )
    rates_t = tuple(sp.nsimplify(v) for v in lam)
    if method == "euler-numeric":
        how = verify_rates(exprs, params, rates_t, inputs=inputs, seed=seed + 1)
        if how is None:
            return QuasiHomogeneity(
                False, "the rationalised Lambda failed the 50-digit Euler check", params, None, method=method
            )
    return QuasiHomogeneity(
        True, "", params, rates_t, particular=tuple(particular), symmetries=tuple(tuple(v) for v in null),
        method=method, verified=verified,
    )
