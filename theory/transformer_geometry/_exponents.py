r"""The angle exponent \( \lambda_a \), the gradient exponent \( \lambda_g \), and phase diagrams.

**Angle exponent** (brief A.7, derived; the sympy derivation is `ANGLE_EXPONENT`). Linearise the
map at the collapsed line in \( \varepsilon = 1 - p/q \):

\[
\Lambda_a = \frac{\varepsilon'}{\varepsilon} = \frac{\beta_A^2 q}{q_1}\cdot\frac{\beta_M^2 q_1 + \alpha_M^2 K}{q_2},
\qquad \lambda_a = \log\Lambda_a,
\]

\( q_1 = \beta_A^2 q + \alpha_A^2\sigma_V^2 \), \( q_2 = \beta_M^2 q_1 + \alpha_M^2\sigma_2^2E\phi^2 \),
\( K = \sigma_2^2\sigma_w^2E\phi'^2 \). \( \varepsilon \) is a squared distance, so the exponent
of the angle itself is \( \lambda_a/2 \); the zero set (the edge of chaos) is the same.

**Gradient exponent** (brief A.8, derived). At collapse, perturbations split into \( (n-1)d \)
differential directions (attention passes none of them) and \( d \) common directions
(attention acts as \( W_V \)), with per-block squared-norm gains

\[
G_{\mathrm{diff}} = \beta_A^2\Big(\beta_M^2 + \frac{\alpha_M^2 K}{q_1}\Big),\qquad
G_{\mathrm{comm}} = \Big(\beta_A^2 + \frac{\alpha_A^2\sigma_V^2}{q}\Big)\Big(\beta_M^2 + \frac{\alpha_M^2 K}{q_1}\Big).
\]

Over \( L \) blocks with \( q_l \) following the collapsed norm map, the per-entry squared
Frobenius norm of the input-output Jacobian is \( \|J\|_F^2/(nd) = [(n-1)\prod_l G_{\mathrm{diff}} + \prod_l G_{\mathrm{comm}}]/n \), so

\[
\lambda_g(L; n) = \frac1L\log\frac{(n-1)\prod_{l<L} G_{\mathrm{diff}}(q_l) + \prod_{l<L} G_{\mathrm{comm}}(q_l)}{n}.
\]

As \( L\to\infty \) (under `"R2"`), \( \lambda_g \to \log G_{\mathrm{comm}}(q^*) \). The paper's own
definition (finite or infinite depth, normalisation) could not be read; the finite-\( L \)
form is the default because it is what a depth-\( L \) network measures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import optimize

from ._derivations import angle_multiplier_fn, g_comm_fn, g_diff_fn, q_next_fn
from ._kernels import mlp_gain, mlp_second_moment
from ._map import collapsed_norm_fixed_point
from ._params import BlockParams, make_params
from ._validate import check_int, check_layers, check_real

__all__ = [
    "angle_multiplier",
    "angle_exponent",
    "angle_exponent_small_alpha",
    "block_gains",
    "gradient_exponent",
    "phase_diagram",
    "critical_value",
    "PLANE_NAMES",
]


def _resolve_q(prm: BlockParams, q) -> float:
    if isinstance(q, str):
        if q != "stationary":
            raise ValueError(f"q must be a positive number or 'stationary', got {q!r}")
        if prm.residual == "R1":
            raise ValueError("q='stationary' needs residual='R2' (under 'R1' q grows without bound); pass a number, e.g. q=1.0")
        return collapsed_norm_fixed_point(prm)
    if not (q > 0 and math.isfinite(q)):
        raise ValueError(f"q must be a positive number or 'stationary', got {q!r}")
    return float(q)


def _sym_args(prm: BlockParams, q: float) -> tuple:
    """Arguments of the lambdified sympy expressions (q, alpha_A, alpha_M, beta_A, beta_M, sigma_V, sigma_2, E phi^2, sigma_w^2 E phi'^2)."""
    return (q, prm.alpha_attn, prm.alpha_mlp, prm.beta_attn, prm.beta_mlp, prm.sigma_v, prm.sigma_out,
            mlp_second_moment(prm.sigma_w, prm.phi), mlp_gain(prm.sigma_w, prm.phi))  # fmt: skip


def _angle_multiplier(prm: BlockParams, q: float) -> float:
    return float(angle_multiplier_fn(*_sym_args(prm, q)))


def angle_multiplier(*, q="stationary", **params) -> float:
    r"""\( \Lambda_a = \varepsilon_{l+1}/\varepsilon_l \) at the collapsed line (see module docstring).

    **Arguments:**

    - `q`: the input norm: `"stationary"` (\( q^* \), `"R2"` only) or a positive number (e.g.
      1.0: one block applied to unit-norm tokens, what a one-block estimator measures).
    - `**params`: the block's hyper-parameters (`n_tokens`, `sigma_attn` do not enter).

    **Returns:** a float.
    """
    prm = make_params(**params)
    return _angle_multiplier(prm, _resolve_q(prm, q))


def angle_exponent(*, q="stationary", **params) -> float:
    r"""The angle exponent \( \lambda_a = \log\Lambda_a \) at collapse.

    \( \lambda_a < 0 \): ordered (tokens collapse to a line); \( \lambda_a > 0 \): chaotic (tokens
    separate and approach a regular simplex).

    **Arguments:** as `angle_multiplier`.

    **Returns:** a float (per layer, for \( \varepsilon = 1-\rho \)).
    """
    return math.log(angle_multiplier(q=q, **params))


def angle_exponent_small_alpha(*, sigma_w: float, sigma_v: float = 1.0, sigma_out=1.0, phi: str = "tanh") -> float:
    r"""\( \lim_{\alpha\to0}\lambda_a/\alpha^2 = \sigma_2^2(\sigma_w^2E\phi'^2 - E\phi^2) - \sigma_V^2 \)
    at \( q = 1 \), \( \alpha_A = \alpha_M = \alpha \) (either residual convention).

    **Arguments:** `sigma_w` in \( (0, 100] \); `sigma_v`, `sigma_out` finite and \( \ge 0 \)
    (`sigma_out="sigma_w"` ties \( \sigma_2 \) to \( \sigma_w \)); `phi` as `mlp_kernel`.

    **Raises:** `ValueError` naming the argument out of range.
    """
    sigma_v = check_real("sigma_v", sigma_v, 0.0)
    s2 = sigma_w if sigma_out == "sigma_w" else check_real("sigma_out", sigma_out, 0.0)
    return s2**2 * (mlp_gain(sigma_w, phi) - mlp_second_moment(sigma_w, phi)) - sigma_v**2


def _block_gains(prm: BlockParams, q: float) -> tuple[float, float, float]:
    args = _sym_args(prm, q)
    return float(g_diff_fn(*args)), float(g_comm_fn(*args)), float(q_next_fn(*args))


def block_gains(*, q: float = 1.0, **params) -> dict[str, float]:
    """Per-block squared-norm gains of the Jacobian at collapse.

    **Arguments:**

    - `q`: input norm (number or `"stationary"`).
    - `**params`: the block's hyper-parameters.

    **Returns:** dict with `g_diff`, `g_comm` and `q_next` (the output norm).
    """
    prm = make_params(**params)
    g_d, g_c, q2 = _block_gains(prm, _resolve_q(prm, q))
    return dict(g_diff=g_d, g_comm=g_c, q_next=q2)


def _gradient_exponent(prm: BlockParams, n_layers, q0: float, per_layer: bool = False):
    if n_layers is None:
        if prm.residual == "R1" and prm.beta_attn * prm.beta_mlp >= 1.0:
            return 0.0  # q grows linearly; per-block gains -> 1 like 1/l: power law, zero exponent
        qs = collapsed_norm_fixed_point(prm)
        return math.log(_block_gains(prm, qs)[1])
    log_diff, log_comm, q = 0.0, 0.0, q0
    curve = []
    for _ in range(int(n_layers)):
        g_d, g_c, q = _block_gains(prm, q)
        log_diff += math.log(g_d)
        log_comm += math.log(g_c)
        n = prm.n_tokens
        m = max(log_diff, log_comm)
        tot = m + math.log((n - 1) * math.exp(log_diff - m) + math.exp(log_comm - m)) - math.log(n)
        curve.append(tot)
    if per_layer:
        return np.array(curve)
    return curve[-1] / n_layers


def gradient_exponent(*, n_layers: int | None = None, q0: float = 1.0, **params) -> float:
    r"""The gradient exponent \( \lambda_g \) (see the module docstring).

    **Arguments:**

    - `n_layers`: depth \( L \) for the finite-depth exponent \( \lambda_g(L; n) \) (default:
      `None`, the \( L\to\infty \) limit \( \log G_{\mathrm{comm}}(q^*) \) under `"R2"`, 0 under `"R1"`).
    - `q0`: the input norm per coordinate (finite \( L \) only).
    - `**params`: the block's hyper-parameters (`n_tokens` enters through the mode count).

    **Returns:** a float, per layer, for the per-entry squared Frobenius norm \( \|J\|_F^2/(nd) \).

    **Raises:** `ValueError` naming the argument out of range (`n_layers` an integer >= 1 or
    `None`, `q0` finite and > 0, the block's hyper-parameters).
    """
    n_layers, q0 = check_layers(n_layers, q0)
    return _gradient_exponent(make_params(**params), n_layers, q0)


def gradient_log_growth(*, n_layers: int, q0: float = 1.0, **params) -> np.ndarray:
    r"""\( \log(\|J_l\|_F^2/(nd)) \) for \( l = 1..L \) (mean-field, at collapse).

    **Arguments:** `n_layers` (an integer >= 1), `q0` (finite, > 0) and the block's
    hyper-parameters, as `gradient_exponent`.

    **Returns:** an array of length `n_layers`.

    **Raises:** `ValueError` naming the argument out of range.
    """
    n_layers, q0 = check_layers(check_int("n_layers", n_layers, 1), q0)
    return _gradient_exponent(make_params(**params), n_layers, q0, per_layer=True)


# --------------------------------------------------------------------------- phase diagrams

PLANE_NAMES = ("alpha", "alpha_attn", "alpha_mlp", "sigma_w", "sigma_attn", "sigma_v", "sigma_out")


def _params_at(fixed: dict, name_values: dict) -> BlockParams:
    kw = dict(fixed)
    for k, v in name_values.items():
        if k == "alpha":
            kw["alpha_attn"] = kw["alpha_mlp"] = float(v)
        else:
            kw[k] = float(v)
    return make_params(**kw)


def _exponents_at(prm: BlockParams, n_layers, q0, lambda_a_at) -> tuple[float, float]:
    la = math.log(_angle_multiplier(prm, _resolve_q(prm, lambda_a_at)))
    lg = _gradient_exponent(prm, n_layers, q0)
    return la, lg


def critical_value(
    which: str,
    name: str,
    bracket: tuple[float, float],
    *,
    n_layers: int | None = None,
    q0: float = 1.0,
    lambda_a_at="stationary",
    n_scan: int = 41,
    **fixed,
) -> float:
    r"""The value of hyper-parameter `name` at which \( \lambda_a = 0 \) or \( \lambda_g = 0 \).

    **Arguments:**

    - `which`: `"angle"` or `"gradient"`.
    - `name`: one of `PLANE_NAMES` (`"alpha"` sets \( \alpha_A = \alpha_M \)).
    - `bracket`: the search interval; scanned on `n_scan` points, the first sign change is
      refined with Brent's method.
    - `n_layers`, `q0`: for the gradient exponent (`None`: infinite depth).
    - `lambda_a_at`: `"stationary"` or a number (the input norm for \( \lambda_a \)).
    - `**fixed`: the other hyper-parameters.

    **Returns:** the root, or `nan` if the exponent does not change sign in `bracket` (a
    documented outcome, not an error: e.g. with a branch strength set to zero there may be
    no edge of chaos in the bracket; under `"R1"` there is no vanishing-gradient phase).

    **Raises:** `ValueError` naming the argument out of range (`bracket` two finite numbers,
    low < high; `n_scan` an integer >= 2; `n_layers`, `q0` as `gradient_exponent`).
    """
    if which not in ("angle", "gradient"):
        raise ValueError(f"which must be 'angle' or 'gradient', got {which!r}")
    if name not in PLANE_NAMES:
        raise ValueError(f"name must be one of {PLANE_NAMES}, got {name!r}")
    bracket = _check_bracket(bracket)
    n_layers, q0 = check_layers(n_layers, q0)
    n_scan = check_int("n_scan", n_scan, 2)

    def f(v):
        prm = _params_at(fixed, {name: v})
        if which == "angle":
            return math.log(_angle_multiplier(prm, _resolve_q(prm, lambda_a_at)))
        return _gradient_exponent(prm, n_layers, q0)

    xs = np.linspace(bracket[0], bracket[1], n_scan)
    vals = np.array([f(x) for x in xs])
    sign = np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0)[0]
    if len(sign) == 0:
        return float("nan")
    i = sign[0]
    if vals[i] == 0:
        return float(xs[i])
    return float(optimize.brentq(f, xs[i], xs[i + 1], xtol=1e-12))


def phase_diagram(
    x_name: str,
    x_values: Sequence[float],
    y_name: str,
    y_values: Sequence[float],
    *,
    n_layers: int | None = None,
    q0: float = 1.0,
    lambda_a_at="stationary",
    **fixed,
) -> dict[str, np.ndarray]:
    r"""\( \lambda_a \) and \( \lambda_g \) over a plane of two hyper-parameters, with both boundaries.

    **Arguments:**

    - `x_name`, `x_values`, `y_name`, `y_values`: the plane (names from `PLANE_NAMES`).
    - `n_layers`, `q0`, `lambda_a_at`: as `critical_value`.
    - `**fixed`: the remaining hyper-parameters.

    **Returns:** dict with `x`, `y`, `lambda_a` and `lambda_g` (shape `(len(x), len(y))`),
    `angle_boundary` and `gradient_boundary` (for each x, the root in y of the exponent, `nan`
    where it has none in the y-range), and `crossing` (x, y) where the two boundaries meet
    (`nan` if they do not cross in the x-range). A `nan` boundary or crossing is a documented
    outcome, not an error: e.g. with \( \sigma_A \) set to zero the boundaries need not meet.

    **Raises:** `ValueError` naming the argument out of range (`x_values`, `y_values`: at least
    2 finite, strictly increasing values; `n_layers`, `q0` as `gradient_exponent`).
    """
    for nm in (x_name, y_name):
        if nm not in PLANE_NAMES:
            raise ValueError(f"plane names must be in {PLANE_NAMES}, got {nm!r}")
    if x_name == y_name:
        raise ValueError("x_name and y_name must differ")
    xs = _check_grid("x_values", x_values)
    ys = _check_grid("y_values", y_values)
    n_layers, q0 = check_layers(n_layers, q0)
    la = np.empty((len(xs), len(ys)))
    lg = np.empty_like(la)
    for i, xv in enumerate(xs):
        for j, yv in enumerate(ys):
            la[i, j], lg[i, j] = _exponents_at(_params_at(fixed, {x_name: xv, y_name: yv}), n_layers, q0, lambda_a_at)
    bracket = (float(ys.min()), float(ys.max()))
    kw = dict(n_layers=n_layers, q0=q0, lambda_a_at=lambda_a_at, n_scan=max(len(ys), 11))
    ab = np.array([critical_value("angle", y_name, bracket, **kw, **{**fixed, **_name_kw(x_name, xv)}) for xv in xs])
    gb = np.array([critical_value("gradient", y_name, bracket, **kw, **{**fixed, **_name_kw(x_name, xv)}) for xv in xs])
    crossing = _crossing(xs, ab, gb)
    return dict(x=xs, y=ys, lambda_a=la, lambda_g=lg, angle_boundary=ab, gradient_boundary=gb, crossing=crossing)


def _check_bracket(bracket) -> tuple[float, float]:
    try:
        lo, hi = (float(b) for b in bracket)
    except (TypeError, ValueError):
        raise ValueError(f"bracket must be two numbers (low, high), got {bracket!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"bracket must be two finite numbers with low < high, got {bracket!r}")
    return lo, hi


def _check_grid(name: str, values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size < 2 or not np.all(np.isfinite(v)) or not np.all(np.diff(v) > 0):
        raise ValueError(f"{name} must be at least 2 finite, strictly increasing values, got {values!r}")
    return v


def _name_kw(name: str, v: float) -> dict:
    return {"alpha_attn": float(v), "alpha_mlp": float(v)} if name == "alpha" else {name: float(v)}


def _crossing(xs, a, b) -> np.ndarray:
    diff = b - a
    ok = np.isfinite(diff)
    for i in range(len(xs) - 1):
        if ok[i] and ok[i + 1] and diff[i] * diff[i + 1] <= 0 and diff[i] != diff[i + 1]:
            t = diff[i] / (diff[i] - diff[i + 1])
            return np.array([xs[i] + t * (xs[i + 1] - xs[i]), a[i] + t * (a[i + 1] - a[i])])
    return np.array([np.nan, np.nan])
