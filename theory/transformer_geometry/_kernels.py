r"""MLP kernels: \( E\,\phi(u)\phi(v) \) for \( (u,v)\sim\mathcal N\big(0,\sigma_w^2\begin{psmallmatrix}1&\rho\\\rho&1\end{psmallmatrix}\big) \).

- erf: closed form derived here in sympy with Price's theorem (`ERF_KERNEL`).
- ReLU: the arc-cosine kernel, checked in sympy against its Price's-theorem derivative (`RELU_KERNEL`).
- tanh: no closed form; 1-D moments by adaptive quadrature (scipy `quad`), the 2-D kernel by
  composite Gauss-Legendre quadrature on a grid whose panels are one tanh width wide (error
  below 1e-10; checked against `dblquad` in the tests).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from scipy import integrate

from theory._derivation import Derivation, Step, tex_equation

from ._validate import SIGMA_W_MAX, check_real, check_rho

__all__ = [
    "mlp_kernel",
    "mlp_second_moment",
    "mlp_gain",
    "ERF_KERNEL",
    "RELU_KERNEL",
    "kernel_derivations",
]

# --------------------------------------------------------------------------- sympy: erf

_s = sp.Symbol("sigma_w", positive=True)
_rho = sp.Symbol("rho", real=True)
_c = sp.Symbol("c", real=True)  # Cov(u, v) = sigma_w^2 rho
_x = sp.Symbol("x", real=True)


def _erf_derivation() -> tuple[Derivation, sp.Expr, sp.Expr, sp.Expr]:
    Sigma = sp.Matrix([[_s**2, _c], [_c, _s**2]])
    # E[phi'(u) phi'(v)] with phi' = 2/sqrt(pi) exp(-x^2): (4/pi) E exp(-u^2-v^2) = (4/pi) det(I + 2 Sigma)^(-1/2)
    det_form = (sp.eye(2) + 2 * Sigma).det()
    # identity det(Sigma) det(Sigma^-1 + 2I) = det(I + 2 Sigma): the Gaussian integral in matrix form
    ident = sp.simplify(Sigma.det() * (Sigma.inv() + 2 * sp.eye(2)).det() - det_form) == 0
    dphi_dphi = 4 / sp.pi / sp.sqrt(sp.expand(det_form))
    # integrate Price's theorem from c = 0 (where E erf(u) erf(v) = (E erf u)^2 = 0)
    kernel_c = 2 / sp.pi * sp.asin(2 * _c / (1 + 2 * _s**2))
    check_int = sp.simplify(sp.diff(kernel_c, _c) - dphi_dphi) == 0
    check_zero = kernel_c.subs(_c, 0) == 0
    kernel = kernel_c.subs(_c, _s**2 * _rho)
    second = sp.simplify(kernel.subs(_rho, 1))
    gain = sp.simplify(_s**2 * dphi_dphi.subs(_c, _s**2))
    check_gain = sp.simplify(gain - _s**2 * 4 / sp.pi / sp.sqrt(1 + 4 * _s**2)) == 0
    # Price's theorem once more: d/drho E phi phi at rho = 1 equals the gain sigma_w^2 E phi'^2
    check_slope = sp.simplify(sp.diff(kernel, _rho).subs(_rho, 1) - gain) == 0
    # 1-D check of the Gaussian integral behind E phi'^2 at c = sigma^2 (u = v): E exp(-2u^2)
    z = sp.Symbol("z", real=True)
    one_d = sp.integrate(sp.exp(-2 * _s**2 * z**2) * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi), (z, -sp.oo, sp.oo))
    check_1d = sp.simplify(4 / sp.pi * one_d - dphi_dphi.subs(_c, _s**2)) == 0
    d = Derivation(
        id="transformer_geometry.erf_kernel",
        title="MLP kernel for phi = erf (closed form)",
        paper="transformer_geometry",
        source="Derived here (Price's theorem); the standard arcsine kernel (Williams 1997). "
        "Brief part A.5, 'Kernels'.",
        assumptions="(u, v) centred Gaussian with Var u = Var v = sigma_w^2 and Cov(u, v) = c = sigma_w^2 rho.",
        steps=(
            Step(
                tex_equation(r"\partial_c E[\phi(u)\phi(v)]", r"E[\phi'(u)\phi'(v)]"),
                "Price's theorem for a bivariate Gaussian (definition; cited).",
            ),
            Step(
                tex_equation(r"E[\phi'(u)\phi'(v)]", dphi_dphi),
                "With phi'(x) = (2/sqrt(pi)) exp(-x^2) the expectation is a Gaussian integral, "
                "(4/pi) det(I + 2 Sigma)^(-1/2); the matrix identity det(Sigma) det(Sigma^-1 + 2I) = det(I + 2Sigma) "
                "and the 1-D case c = sigma_w^2 are checked by sympy.",
                check=ident and check_1d,
            ),
            Step(
                tex_equation(r"E[\phi(u)\phi(v)]", kernel_c),
                "Integrate in c from 0, where the kernel vanishes because erf is odd; sympy checks that the "
                "c-derivative of the result is the previous step and that it is 0 at c = 0.",
                check=check_int and check_zero,
            ),
            Step(
                tex_equation(r"\sigma_w^2 E[\phi'(u)^2]", gain),
                "The MLP gain K/sigma_2^2 at collapse (c = sigma_w^2); equals the rho-slope of the kernel at rho = 1.",
                check=check_gain and check_slope,
            ),
        ),
        result=kernel,
        notes=f"Second moment E erf(u)^2 = {sp.sstr(second)}.",
    )
    return d, kernel, second, gain


def _relu_derivation() -> tuple[Derivation, sp.Expr, sp.Expr, sp.Expr]:
    kernel = _s**2 / (2 * sp.pi) * (sp.sqrt(1 - _rho**2) + (sp.pi - sp.acos(_rho)) * _rho)
    # Price: d/dc E relu relu = E[1(u>0) 1(v>0)] = (pi - arccos rho)/(2 pi) (orthant probability)
    orthant = (sp.pi - sp.acos(_rho)) / (2 * sp.pi)
    check_price = sp.simplify(sp.diff(kernel, _rho) / _s**2 - orthant) == 0
    # boundary value at rho = 0: (E relu u)^2 = sigma^2 / (2 pi)
    z = sp.Symbol("z", real=True)
    mean = sp.integrate(_s * z * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi), (z, 0, sp.oo))
    check_zero = sp.simplify(kernel.subs(_rho, 0) - mean**2) == 0
    second = sp.simplify(kernel.subs(_rho, 1))
    gain = _s**2 * sp.Rational(1, 2)  # sigma_w^2 E[1(u>0)]
    check_second = sp.simplify(second - _s**2 / 2) == 0
    check_neutral = sp.simplify(gain - second) == 0
    d = Derivation(
        id="transformer_geometry.relu_kernel",
        title="MLP kernel for phi = ReLU (arc-cosine) and why ReLU is neutral at collapse",
        paper="transformer_geometry",
        source="Cho & Saul 2009 arc-cosine kernel of degree 1; brief A.5 and A.7 ('ReLU is neutral').",
        assumptions="(u, v) centred Gaussian, Var = sigma_w^2, correlation rho.",
        steps=(
            Step(
                tex_equation(r"\partial_\rho E[\mathrm{relu}(u)\mathrm{relu}(v)]", _s**2 * orthant),
                "Price's theorem: the derivative is sigma_w^2 times the orthant probability "
                "P(u > 0, v > 0) = (pi - arccos rho)/(2 pi); sympy checks the closed form's derivative.",
                check=check_price,
            ),
            Step(
                tex_equation(r"E[\mathrm{relu}(u)\mathrm{relu}(v)]|_{\rho=0}", mean**2),
                "At rho = 0 the kernel is (E relu u)^2 = sigma_w^2/(2 pi) (integral done by sympy).",
                check=check_zero,
            ),
            Step(
                tex_equation(r"\sigma_w^2 E[\mathrm{relu}'(u)^2]", second),
                "The gain sigma_w^2 E relu'^2 = sigma_w^2/2 equals the second moment E relu^2 = K(1): the MLP "
                "factor of the angle multiplier is exactly 1, so ReLU cannot make the collapsed point unstable.",
                check=check_second and check_neutral,
            ),
        ),
        result=kernel,
    )
    return d, kernel, second, gain


ERF_KERNEL, _erf_k, _erf_q, _erf_g = _erf_derivation()
RELU_KERNEL, _relu_k, _relu_q, _relu_g = _relu_derivation()

_erf_kernel_fn = sp.lambdify((_rho, _s), _erf_k, "numpy")
_erf_second_fn = sp.lambdify((_s,), _erf_q, "numpy")
_erf_gain_fn = sp.lambdify((_s,), _erf_g, "numpy")
_relu_kernel_fn = sp.lambdify((_rho, _s), _relu_k, "numpy")


def kernel_derivations() -> list[Derivation]:
    return [ERF_KERNEL, RELU_KERNEL]


# --------------------------------------------------------------------------- tanh by quadrature

_SQRT2PI = math.sqrt(2 * math.pi)


def _gauss(z):
    return np.exp(-0.5 * z * z) / _SQRT2PI


@functools.lru_cache(maxsize=8192)
def _tanh_moments(sigma_w: float) -> tuple[float, float]:
    """(E tanh(u)^2, sigma_w^2 E sech(u)^4) for u ~ N(0, sigma_w^2), adaptive quadrature."""
    s = sigma_w
    pts = [min(x / s, 39.0) for x in (0.5, 2.0, 8.0, 30.0)]
    f2 = lambda z: math.tanh(s * z) ** 2 * math.exp(-0.5 * z * z) / _SQRT2PI  # noqa: E731
    g2 = lambda z: (1.0 / math.cosh(min(s * z, 350.0))) ** 4 * math.exp(-0.5 * z * z) / _SQRT2PI  # noqa: E731
    kw = dict(points=sorted(set(pts)), limit=400, epsabs=1e-14, epsrel=1e-12)
    m2 = 2 * integrate.quad(f2, 0.0, 40.0, **kw)[0]
    gd = 2 * integrate.quad(g2, 0.0, 40.0, **kw)[0]
    return m2, s * s * gd


@functools.lru_cache(maxsize=64)
def _gl(n: int):
    return np.polynomial.legendre.leggauss(n)


def _composite_nodes(half_range: float, panel_width: float, order: int = 8):
    """Gauss-Legendre nodes/weights on [0, half_range] in panels of about `panel_width`."""
    n_pan = max(4, int(math.ceil(half_range / panel_width)))
    x, w = _gl(order)
    edges = np.linspace(0.0, half_range, n_pan + 1)
    mid = 0.5 * (edges[1:] + edges[:-1])[:, None]
    half = 0.5 * (edges[1:] - edges[:-1])[:, None]
    return (mid + half * x[None, :]).ravel(), (half * w[None, :]).ravel()


_Z_MAX = 9.0  # Gaussian tail beyond 9 sd is < 1e-18


def _tanh_kernel_scalar(rho: float, sigma_w: float) -> float:
    if rho >= 1.0:
        return _tanh_moments(sigma_w)[0]
    if rho <= -1.0:
        return -_tanh_moments(sigma_w)[0]
    c = math.sqrt((1.0 + rho) / 2.0)  # u = s(c a + e b), v = s(c a - e b), a, b iid N(0,1)
    e = math.sqrt((1.0 - rho) / 2.0)
    # panels one tanh width wide (poles of tanh at pi/(2 s c) off the real a-axis): GL error < 1e-10
    a, wa = _composite_nodes(_Z_MAX, 1.0 / max(sigma_w * c, 0.7))
    b, wb = _composite_nodes(_Z_MAX, 1.0 / max(sigma_w * e, 0.7))
    A = a[:, None]
    B = b[None, :]
    f = np.tanh(sigma_w * (c * A + e * B)) * np.tanh(sigma_w * (c * A - e * B))
    # integrand even in a and in b: integrate the positive quadrant and multiply by 4
    return float(4.0 * np.einsum("i,ij,j->", wa * _gauss(a), f, wb * _gauss(b)))


# --------------------------------------------------------------------------- public kernels


def _check_sigma(sigma_w) -> float:
    return check_real("sigma_w", sigma_w, 0.0, SIGMA_W_MAX, lo_open=True)


def _check_phi(phi):
    if phi not in ("tanh", "erf", "relu"):
        raise ValueError(f"phi must be 'tanh', 'erf' or 'relu', got {phi!r}")


def mlp_second_moment(sigma_w: float, phi: str = "tanh") -> float:
    r"""\( E\,\phi(u)^2 \) for \( u \sim \mathcal N(0, \sigma_w^2) \).

    **Arguments:**

    - `sigma_w`: the pre-activation standard deviation, in \( (0, 100] \) (`SIGMA_W_MAX`).
    - `phi`: `"tanh"` (quadrature), `"erf"` or `"relu"` (closed forms).

    **Returns:** a float.

    **Raises:** `ValueError` naming `sigma_w` or `phi` when out of range.
    """
    s = _check_sigma(sigma_w)
    _check_phi(phi)
    if phi == "tanh":
        return _tanh_moments(s)[0]
    if phi == "erf":
        return float(_erf_second_fn(s))
    return s * s / 2.0


def mlp_gain(sigma_w: float, phi: str = "tanh") -> float:
    r"""\( \sigma_w^2\,E\,\phi'(u)^2 \) for \( u\sim\mathcal N(0,\sigma_w^2) \): the squared-norm gain
    of the MLP branch on directions orthogonal to the token (before \( \sigma_2^2 \)).

    **Arguments:** as `mlp_second_moment`.

    **Returns:** a float.

    **Raises:** `ValueError` naming `sigma_w` or `phi` when out of range.
    """
    s = _check_sigma(sigma_w)
    _check_phi(phi)
    if phi == "tanh":
        return _tanh_moments(s)[1]
    if phi == "erf":
        return float(_erf_gain_fn(s))
    return s * s / 2.0


def mlp_kernel(rho, sigma_w: float, phi: str = "tanh"):
    r"""\( E\,\phi(u)\phi(v) \) with \( (u, v) \) centred Gaussian, variances \( \sigma_w^2 \),
    correlation \( \rho \).

    **Arguments:**

    - `rho`: correlation(s) in \( [-1, 1] \) (float or non-empty array).
    - `sigma_w`: pre-activation standard deviation, in \( (0, 100] \) (`SIGMA_W_MAX`).
    - `phi`: `"tanh"`, `"erf"` or `"relu"`.

    **Returns:** a float or an array shaped like `rho`.

    **Raises:** `ValueError` if `rho` is not finite or leaves \( [-1, 1] \) (beyond 1e-12), or
    if `sigma_w` or `phi` is out of range.
    """
    s = _check_sigma(sigma_w)
    _check_phi(phi)
    r = check_rho("rho", rho, -1.0)
    if phi == "erf":
        out = np.asarray(_erf_kernel_fn(r, s), dtype=float)
    elif phi == "relu":
        out = np.asarray(_relu_kernel_fn(r, s), dtype=float)
    else:
        out = np.vectorize(lambda x: _tanh_kernel_scalar(float(x), s), otypes=[float])(r)
    return float(out) if np.ndim(rho) == 0 else out
