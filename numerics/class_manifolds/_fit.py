r"""The estimator: a sigmoid in \( \ln d \) fitted to the sweep, its 50% crossing, intervals."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
from scipy import optimize

from theory.class_manifolds._checks import integer, real

__all__ = ["sigmoid_log", "fit_sigmoid_log", "fit_sigmoid_log_batched", "sigmoid_crossing", "DStarEstimate", "estimate_d_star"]


def sigmoid_log(d, a, b, c, s):
    r"""The notebook's fit family \( p(d) = a + b / (1 + e^{-(\ln d - \ln c)/s}) \) (brief B.3.7).

    **Arguments:** `d`: cut dimension(s), finite and \( > 0 \); `a`, `b` finite; `c`, `s`
    finite and \( > 0 \).
    """
    d = np.asarray(d, dtype=float)
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ValueError("d must be finite and > 0")
    a, b = real("a", a), real("b", b)
    c = real("c", c, low=0.0, low_open=True)
    s = real("s", s, low=0.0, low_open=True)
    return _sigmoid_log(d, a, b, c, s)


def _sigmoid_log(d, a, b, c, s):
    """`sigmoid_log` without argument checks (the fitters' model function)."""
    d = np.asarray(d, dtype=float)
    z = np.clip(-(np.log(d) - np.log(c)) / s, -700, 700)
    return a + b / (1.0 + np.exp(z))


def _sigmoid_log_jac(d, a, b, c, s):
    ln = np.log(np.asarray(d, dtype=float)) - np.log(c)
    sig = 1.0 / (1.0 + np.exp(np.clip(-ln / s, -700, 700)))
    ds = b * sig * (1 - sig)
    return np.stack([np.ones_like(sig), sig, -ds / (c * s), -ds * ln / s**2], axis=-1)


def _initial_guess(dims: np.ndarray, means: np.ndarray, level: float) -> list[float]:
    lo, hi = float(means.min()), float(means.max())
    above = np.nonzero(means >= level)[0]
    if above.size and above[0] > 0:
        j = int(above[0])
        c0 = math.sqrt(dims[j - 1] * dims[j])
    else:
        c0 = float(np.exp(np.mean(np.log(dims))))
    return [lo, max(hi - lo, 1e-2), c0, 0.2]


def fit_sigmoid_log(dims, values, *, p0=None, level: float = 0.5, aggregate: bool = False):
    r"""Least-squares fit of `sigmoid_log` to all `(d, value)` points (scipy `curve_fit`).

    Bounds keep the fit well posed on step-like data: \( a \in [-0.5, 1.5] \),
    \( b \in [0, 2] \), \( c \) within a factor 4 of the swept range, \( s \in [10^{-3}, 5] \)
    (\( s \to 10^{-3} \) is a step in \( \ln d \)).

    **Arguments:**

    - `dims`: `(n,)` cut dimensions of the points (repeats allowed).
    - `values`: `(n,)` per-run values (success indicators or maximal target probabilities).
    - `p0`: initial `(a, b, c, s)`; by default read off the per-`d` means.
    - `aggregate`: fit the per-`d` means weighted by their counts instead of all points: the same
      least-squares minimiser (the sum of squares splits into within-`d` and between-`d` parts),
      faster; only `pcov` differs (its residual scale then ignores within-`d` scatter).

    **Returns:** `(popt, pcov)`; `pcov` may contain `inf` when a parameter is not identified
    (e.g. values that are all zero, or constant: a flat curve has no crossing to locate).

    **Raises:** `ValueError` for non-finite or non-positive `dims`, non-finite `values`,
    lengths that differ or are below 4, or a failed fit.
    """
    dims = np.asarray(dims, dtype=float).ravel()
    values = np.asarray(values, dtype=float).ravel()
    if dims.shape != values.shape or dims.size < 4:
        raise ValueError("dims and values must have the same length >= 4")
    if not np.all(np.isfinite(dims)) or np.any(dims <= 0):
        raise ValueError("dims must be finite and positive")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite")
    level = real("level", level)
    if p0 is None:
        ud = np.unique(dims)
        means = np.array([values[dims == u].mean() for u in ud])
        p0 = _initial_guess(ud, means, level)
    sigma = None
    if aggregate:
        ud, inv, counts = np.unique(dims, return_inverse=True, return_counts=True)
        values = np.bincount(inv, weights=values) / counts
        dims, sigma = ud.astype(float), 1.0 / np.sqrt(counts)
        if dims.size < 4:
            raise ValueError("need at least 4 distinct dims to fit 4 parameters")
    lo = [-0.5, 0.0, dims.min() / 4, 1e-3]
    hi = [1.5, 2.0, dims.max() * 4, 5.0]
    p0 = np.clip(np.asarray(p0, dtype=float), np.array(lo) + 1e-9, np.array(hi) - 1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        popt, pcov = optimize.curve_fit(
            _sigmoid_log, dims, values, p0=p0, sigma=sigma, bounds=(lo, hi), method="trf", maxfev=4000,
            jac=_sigmoid_log_jac
        )
    return popt, pcov


def sigmoid_crossing(popt, level: float = 0.5) -> float:
    r"""The \( d \) where `sigmoid_log(d, *popt)` equals `level`:
    \( \ln d = \ln c + s\,\operatorname{logit}((\text{level} - a)/b) \).

    Returns `0.0` when the whole curve lies above `level` and `inf` when it never reaches it.

    **Arguments:** `popt`: four finite numbers `(a, b, c, s)` with \( c, s > 0 \); `level` in
    \( (0, 1) \).
    """
    p = np.asarray(popt, dtype=float)
    if p.shape != (4,) or not np.all(np.isfinite(p)) or p[2] <= 0 or p[3] <= 0:
        raise ValueError(f"popt must be four finite numbers (a, b, c, s) with c > 0 and s > 0, got {popt!r}")
    level = real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    return _crossing(popt, level)


def _crossing(popt, level: float = 0.5) -> float:
    """`sigmoid_crossing` without argument checks: `nan` when c or s is not positive."""
    a, b, c, s = (float(v) for v in popt)
    if not (c > 0 and s > 0):
        return math.nan
    if b <= 0:
        return 0.0 if a >= level else math.inf
    y = (level - a) / b
    if y <= 0:
        return 0.0
    if y >= 1:
        return math.inf
    z = math.log(c) + s * math.log(y / (1 - y))
    return math.inf if z > 700 else float(math.exp(z))


@dataclasses.dataclass
class DStarEstimate:
    r"""The 50% cut dimension of one sweep and its uncertainty.

    - `d_star`: crossing of the fitted sigmoid, clipped to the swept range
      (`censored="below"` when even the smallest swept \( d \) succeeds at least half the time,
      `"above"` when no swept \( d \) does; then `d_star` is `inf`).
    - `ci_low`, `ci_high`: bootstrap percentile interval (repetitions resampled within each
      \( d \), curve refitted).
    - `notebook_error`: the notebook's error bar: half the range of the crossings of parameter
      vectors drawn from \( N(\hat p, \hat\Sigma) \) (`nan` if the covariance is not finite).
    - `d_eff`, `d_eff_ci`: \( D - d^* \) and its interval.
    - `popt`: fitted `(a, b, c, s)`; `means`: success fraction per swept \( d \).
    """

    d_star: float
    ci_low: float
    ci_high: float
    notebook_error: float
    D: int
    level: float
    censored: str | None
    popt: np.ndarray
    dims: np.ndarray
    means: np.ndarray
    boot: np.ndarray

    @property
    def d_eff(self) -> float:
        return self.D - self.d_star

    @property
    def d_eff_ci(self) -> tuple[float, float]:
        return (self.D - self.ci_high, self.D - self.ci_low)

    @property
    def stderr(self) -> float:
        """Bootstrap standard deviation of the crossing (finite draws only)."""
        b = self.boot[np.isfinite(self.boot)]
        return float(b.std(ddof=1)) if b.size > 1 else math.nan

    @property
    def monotone(self) -> bool:
        """The fitted curve increases with \\( d \\) (\\( b > 0 \\)) and crosses `level` in range."""
        return bool(self.popt[1] > 0 and self.censored is None)


_LO = np.array([-0.5, 0.0])
_HI = np.array([1.5, 2.0])


def fit_sigmoid_log_batched(dims, means, weights, p0, *, iters: int = 80) -> np.ndarray:
    r"""Fit `sigmoid_log` to many curves at once (Levenberg-Marquardt, vectorised over curves).

    Minimises \( \sum_j w_j (y_{bj} - p(d_j))^2 \) for each row \( b \) of `means`, in the
    parameters \( (a, b, \ln c, \ln s) \) with the bounds of `fit_sigmoid_log` enforced by
    clipping. Used for the bootstrap refits; agrees with `fit_sigmoid_log` on the same data
    (tested).

    **Arguments:**

    - `dims`: `(n_d,)`. `means`: `(B, n_d)`. `weights`: `(n_d,)` (counts per \( d \)).
    - `p0`: `(4,)` or `(B, 4)` starting `(a, b, c, s)`.

    **Returns:** `(B, 4)` fitted `(a, b, c, s)`.
    """
    x = np.log(np.asarray(dims, dtype=float))
    Y = np.atleast_2d(np.asarray(means, dtype=float))
    B = Y.shape[0]
    sw = np.sqrt(np.asarray(weights, dtype=float))
    p0 = np.broadcast_to(np.asarray(p0, dtype=float), (B, 4))
    lo = np.array([-0.5, 0.0, np.log(np.exp(x.min()) / 4), np.log(1e-3)])
    hi = np.array([1.5, 2.0, np.log(np.exp(x.max()) * 4), np.log(5.0)])
    phi = np.clip(np.stack([p0[:, 0], p0[:, 1], np.log(p0[:, 2]), np.log(p0[:, 3])], axis=1), lo, hi)

    def resid_jac(ph):
        z = (x[None, :] - ph[:, 2:3]) / np.exp(ph[:, 3:4])
        sig = 1.0 / (1.0 + np.exp(np.clip(-z, -700, 700)))
        f = ph[:, 0:1] + ph[:, 1:2] * sig
        r = sw * (Y - f)
        g = ph[:, 1:2] * sig * (1 - sig)
        J = np.stack([np.ones_like(sig), sig, -g / np.exp(ph[:, 3:4]), -g * z], axis=-1) * sw[None, :, None]
        return r, J

    lam = np.full(B, 1e-2)
    r, J = resid_jac(phi)
    ssr = (r**2).sum(1)
    eye = np.eye(4)
    for _ in range(iters):
        JtJ = np.einsum("bni,bnj->bij", J, J)
        Jtr = np.einsum("bni,bn->bi", J, r)
        A = JtJ + lam[:, None, None] * (np.einsum("bii->bi", JtJ)[:, :, None] * eye + 1e-12 * eye)
        try:
            step = np.linalg.solve(A, Jtr[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.einsum("bij,bj->bi", np.linalg.pinv(A), Jtr)
        cand = np.clip(phi + step, lo, hi)
        r_c, J_c = resid_jac(cand)
        ssr_c = (r_c**2).sum(1)
        better = ssr_c < ssr
        phi = np.where(better[:, None], cand, phi)
        r = np.where(better[:, None], r_c, r)
        J = np.where(better[:, None, None], J_c, J)
        ssr = np.where(better, ssr_c, ssr)
        lam = np.where(better, lam / 3, lam * 3)
        lam = np.clip(lam, 1e-12, 1e12)
    return np.stack([phi[:, 0], phi[:, 1], np.exp(phi[:, 2]), np.exp(phi[:, 3])], axis=1)


def _crossing_of(dims, values, level, p0=None) -> tuple[float, np.ndarray | None]:
    ud = np.unique(dims)
    means = np.array([values[dims == u].mean() for u in ud])
    if means[0] >= level:
        return float(ud[0]), None
    if means.max() < level:
        return math.inf, None
    try:
        popt, _ = fit_sigmoid_log(dims, values, p0=p0, level=level, aggregate=True)
    except (RuntimeError, ValueError):
        return math.nan, None
    x = _crossing(popt, level)
    return float(np.clip(x, ud[0], np.inf) if x != math.inf else math.inf), popt


def estimate_d_star(
    dims,
    values,
    D: int,
    *,
    level: float = 0.5,
    n_boot: int = 100,
    ci: float = 0.9,
    n_notebook: int = 50,
    rng: np.random.Generator | None = None,
) -> DStarEstimate:
    r"""Estimate \( d^*_{\text{level}} \) from a sweep (brief B.3.7).

    **Arguments:**

    - `dims`: `(n_d,)` swept cut dimensions.
    - `values`: `(n_d, reps)` per-repetition values (success indicators for the success-probability
      estimator; maximal target probabilities for the notebook's estimator).
    - `D`: input dimension. `level`: crossing level (0.5 for \( d^*_{50\%} \)).
    - `n_boot`: bootstrap refits; `ci`: interval coverage; `n_notebook`: parameter draws for
      the notebook's half-range error bar. `rng`: numpy Generator.

    **Returns:** a `DStarEstimate`. Where nothing can be located its fields say so rather
    than raise: values that are all zero (no run succeeds at any \( d \)) give
    `d_star = inf` with `censored="above"`; `n_boot = 0` gives no interval (`ci_low`,
    `ci_high` are `nan`); an unidentified fit gives `notebook_error = nan`.

    **Raises:** `ValueError` naming the argument: `dims` not finite, positive and one per row
    of `values`; `values` not finite and in \( [0, 1] \); `D` not an integer \( \ge \max \)
    `dims`; `level` or `ci` outside \( (0, 1) \); `n_boot` < 0; `n_notebook` < 1.
    """
    dims = np.asarray(dims, dtype=float)
    values = np.asarray(values, dtype=float)
    if dims.ndim != 1 or dims.size < 1 or not np.all(np.isfinite(dims)) or np.any(dims <= 0):
        raise ValueError(f"dims must be a non-empty vector of finite, positive cut dimensions, got {dims}")
    if values.ndim != 2 or values.shape[0] != dims.shape[0] or values.shape[1] < 1:
        raise ValueError(f"values must be (n_d, reps) with n_d = {dims.shape[0]}, got {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values < -1e-6) or np.any(values > 1 + 1e-6):
        raise ValueError("values must be finite and lie in [0, 1] (success indicators or probabilities)")
    D = integer("D", D, low=max(1, int(np.ceil(dims.max()))))
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    ci = real("ci", ci, low=0.0, high=1.0, low_open=True, high_open=True)
    n_boot = integer("n_boot", n_boot, low=0)
    n_notebook = integer("n_notebook", n_notebook, low=1)
    rng = np.random.default_rng(0) if rng is None else rng
    order = np.argsort(dims)
    dims, values = dims[order], values[order]
    n_d, reps = values.shape
    flat_d = np.repeat(dims, reps)
    means = values.mean(axis=1)
    d_star, popt = _crossing_of(flat_d, values.ravel(), level)
    censored = None
    if popt is None:
        censored = "below" if d_star == dims[0] else ("above" if d_star == math.inf else "failed")
        popt_arr = np.array([means.min(), 0.0, dims[0], 1.0]) if censored != "below" else np.array([means.max(), 0.0, dims[0], 1.0])
    else:
        popt_arr = popt
        if d_star > dims[-1]:
            censored, d_star = "above", math.inf
        elif d_star <= dims[0]:
            censored, d_star = "below", float(dims[0])
    boot = np.full(n_boot, np.nan)
    if n_boot > 0:
        idx = rng.integers(0, reps, size=(n_boot, n_d, reps))
        bm = np.take_along_axis(np.broadcast_to(values, (n_boot, n_d, reps)), idx, axis=2).mean(axis=2)
        below = bm[:, 0] >= level
        never = bm.max(axis=1) < level
        boot[below] = dims[0]
        boot[never & ~below] = math.inf
        todo = np.nonzero(~below & ~never)[0]
        if todo.size:
            start = popt if popt is not None else _initial_guess(dims, means, level)
            fits = fit_sigmoid_log_batched(dims, bm[todo], np.full(n_d, reps), start)
            xs = np.array([_crossing(p, level) for p in fits])
            xs = np.where(xs > dims[-1], math.inf, np.maximum(xs, dims[0]))
            boot[todo] = xs
    fin = boot[~np.isnan(boot)]
    alpha = (1 - ci) / 2
    if fin.size:
        srt = np.sort(fin)  # inf-safe order-statistic quantiles
        ci_low = float(srt[int(np.floor(alpha * (srt.size - 1)))])
        ci_high = float(srt[int(np.ceil((1 - alpha) * (srt.size - 1)))])
    else:
        ci_low = ci_high = math.nan
    nb_err = math.nan
    if popt is not None:
        try:
            _, pcov = fit_sigmoid_log(flat_d, values.ravel(), p0=popt, level=level)
            if np.all(np.isfinite(pcov)):
                draws = rng.multivariate_normal(popt, pcov, size=n_notebook, check_valid="ignore")
                xs = np.array([_crossing(p, level) for p in draws])
                xs = xs[np.isfinite(xs) & (xs > 0)]
                if xs.size:
                    nb_err = float((xs.max() - xs.min()) / 2)
        except (RuntimeError, ValueError, np.linalg.LinAlgError):
            pass
    return DStarEstimate(
        d_star=float(d_star),
        ci_low=ci_low,
        ci_high=ci_high,
        notebook_error=nb_err,
        D=int(D),
        level=level,
        censored=censored,
        popt=np.asarray(popt_arr, dtype=float),
        dims=dims,
        means=means,
        boot=boot,
    )
