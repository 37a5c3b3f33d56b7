r"""Ready-made quasi-homogeneous models and the paper-style toy datasets.

Every model is a sympy expression in named parameter and input symbols. The affine classifiers
\( u(\theta) \cdot x + c(\theta) \) of the brief's Sec. A.4 are polynomial in \( \theta \) and affine in
\( x \); they also expose a `polynomial_form` (monomial exponents and input coefficients) that the
gradient-flow integrator compiles once for all of them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from theory._jax import require_x64
from theory.max_margin._checks import as_int
from theory.max_margin._rates import QuasiHomogeneity, detect_rates

__all__ = [
    "Model",
    "Dataset",
    "affine_linear",
    "affine_product_bias",
    "affine_factored_slope",
    "affine_homogeneous_factored",
    "square_slope_1d",
    "cube_bias_1d",
    "linear_1d",
    "bias_mlp",
    "residual_network",
    "normalised_network",
    "layernorm_network",
    "EXAMPLE_A1",
    "EXAMPLE_A2",
    "EXAMPLE_A3",
    "paper_models",
]


@dataclasses.dataclass(frozen=True)
class Model:
    r"""A model \( f(\theta; x) \) given by sympy expressions.

    **Arguments:**

    - `name`: short identifier.
    - `outputs`: one sympy expression per output (one for a binary classifier).
    - `params`: parameter symbols \( \theta \) (the order of every parameter vector).
    - `inputs`: input symbols \( x \).
    - `declared_rates`: rates stated by the paper/brief (checked against the Euler identity), or
      `None` to detect them.
    - `description`: one line for reports.
    """

    name: str
    outputs: tuple[sp.Expr, ...]
    params: tuple[sp.Symbol, ...]
    inputs: tuple[sp.Symbol, ...]
    declared_rates: tuple[sp.Rational, ...] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.params:
            raise ValueError("params must not be empty")
        if not self.outputs:
            raise ValueError("outputs must not be empty")

    @property
    def expr(self) -> sp.Expr:
        """The single output expression (binary models)."""
        if len(self.outputs) != 1:
            raise ValueError(f"model {self.name} has {len(self.outputs)} outputs; use .outputs")
        return self.outputs[0]

    @property
    def n_params(self) -> int:
        return len(self.params)

    @functools.cached_property
    def quasi_homogeneity(self) -> QuasiHomogeneity:
        r"""\( \Lambda \) of this model (declared rates are verified, otherwise detected)."""
        return detect_rates(list(self.outputs), self.params, self.inputs, rates=self.declared_rates)

    @property
    def rates(self) -> np.ndarray:
        """Canonical rates as float64."""
        return self.quasi_homogeneity.rates_array()

    @functools.cached_property
    def numpy_functions(self) -> tuple[Callable, Callable]:
        """`(f, jac)`: `f(theta, X) -> (N, n_out)`, `jac(theta, X) -> (N, n_out, m)` in float64.

        Built from one JAX lambdification of the outputs (autodiff for the Jacobian, so ReLU and
        normalisation layers do not blow up symbolic differentiation).

        **Raises:** `RuntimeError` unless JAX computes in float64 (`theory.enable_x64()`).
        """
        import jax  # lazily: sympy-only users of the models never load JAX
        import jax.numpy as jnp

        require_x64("Model.numpy_functions (float64 margins and Jacobians)")
        syms = list(self.params) + list(self.inputs)
        fs = [sp.lambdify(syms, e, modules="jax") for e in self.outputs]
        m = len(self.params)

        def point(theta, x):
            return jnp.stack([jnp.asarray(fe(*[theta[i] for i in range(m)], *[x[j] for j in range(x.shape[0])]),
                                          dtype=jnp.float64) for fe in fs])

        fwd = jax.jit(jax.vmap(point, in_axes=(None, 0)))
        jac = jax.jit(jax.vmap(jax.jacfwd(point), in_axes=(None, 0)))

        def f_np(theta, X):
            require_x64("Model.numpy_functions")
            X = np.atleast_2d(np.asarray(X, dtype=float))
            return np.asarray(fwd(jnp.asarray(theta, dtype=jnp.float64), jnp.asarray(X)))

        def jac_np(theta, X):
            require_x64("Model.numpy_functions")
            X = np.atleast_2d(np.asarray(X, dtype=float))
            return np.asarray(jac(jnp.asarray(theta, dtype=jnp.float64), jnp.asarray(X)))

        return f_np, jac_np

    def polynomial_form(self) -> tuple[np.ndarray, np.ndarray]:
        r"""Exponents and input coefficients of a polynomial, input-affine, single-output model.

        \[
        f(\theta; x) = \sum_k (C_{k0} + \textstyle\sum_j C_{kj} x_j) \prod_i \theta_i^{E_{ki}}.
        \]

        **Returns:** `(E, C)` with `E` of shape `(K, m)` (int) and `C` of shape `(K, 1 + d)`.

        **Raises:** `ValueError` if the model is not of that form.
        """
        e = self.expr
        if not e.is_polynomial(*self.params):
            raise ValueError(f"model {self.name} is not polynomial in its parameters")
        poly = sp.Poly(sp.expand(e), *self.params)
        E, C = [], []
        for monom, coeff in poly.terms():
            cp = sp.Poly(coeff, *self.inputs) if self.inputs else None
            row = np.zeros(1 + len(self.inputs))
            if cp is None:
                row[0] = float(coeff)
            else:
                if cp.total_degree() > 1:
                    raise ValueError(f"model {self.name}: coefficient {coeff} is not affine in the inputs")
                row[0] = float(cp.coeff_monomial(1))
                for j, x in enumerate(self.inputs):
                    row[1 + j] = float(cp.coeff_monomial(x))
            E.append(monom)
            C.append(row)
        return np.array(E, dtype=np.int64), np.array(C)

    def function_space(self, theta: np.ndarray) -> np.ndarray:
        r"""\( (u_1, \dots, u_d, c) \) of an input-affine model \( f = u \cdot x + c \), one row per `theta` row."""
        E, C = self.polynomial_form()
        theta = np.atleast_2d(np.asarray(theta, float))
        mono = np.prod(theta[:, None, :] ** E[None], axis=-1)
        cu = mono @ C
        return np.concatenate([cu[:, 1:], cu[:, :1]], axis=1)


@dataclasses.dataclass(frozen=True)
class Dataset:
    r"""A small labelled dataset with exact (rational) coordinates.

    - `X`: sympy Matrix `(N, d)`; `y`: labels (\( \pm 1 \) for binary, or class indices).
    """

    name: str
    X: sp.Matrix
    y: tuple[int, ...]
    description: str = ""

    @property
    def X_np(self) -> np.ndarray:
        return np.array(self.X.tolist(), dtype=float)

    @property
    def y_np(self) -> np.ndarray:
        return np.array(self.y, dtype=float)


def _R(v) -> sp.Rational:
    return sp.nsimplify(v, rational=True)


EXAMPLE_A1 = Dataset("A1", sp.Matrix([[1], [-3]]), (1, -1), "1-D: (x=+1, y=+1), (x=-3, y=-1)")
EXAMPLE_A2 = Dataset(
    "A2",
    sp.Matrix([[2, 2], [3, _R(0.5)], [_R(0.5), -1], [-1, 0]]),
    (1, 1, -1, -1),
    "2-D, separable through the origin (bias unnecessary)",
)
EXAMPLE_A3 = Dataset(
    "A3",
    sp.Matrix([[3, 2], [_R(-0.5), 4], [1, _R(1.5)], [3, 4], [0, _R(-0.5)]]),
    (1, -1, -1, 1, -1),
    "2-D, bias necessary; unique asymmetric solution",
)


def _x(d: int) -> tuple[sp.Symbol, ...]:
    d = as_int("d", d, 1)
    return sp.symbols(f"x1:{d + 1}", real=True)


def affine_linear(d: int = 2) -> Model:
    r"""M1: \( f = w \cdot x + c \), rates all 1 (homogeneous of degree 1; bias penalised)."""
    x = _x(d)
    d = len(x)
    w = sp.symbols(f"w1:{d + 1}", real=True)
    c = sp.Symbol("c", real=True)
    return Model("M1", (sum(wi * xi for wi, xi in zip(w, x)) + c,), (*w, c), x, None, "w.x + c")


def affine_product_bias(d: int = 2) -> Model:
    r"""M2: \( f = w \cdot x + b_1 b_2 \); rates w: 1, b: 1/2 (free-bias SVM)."""
    x = _x(d)
    d = len(x)
    w = sp.symbols(f"w1:{d + 1}", real=True)
    b1, b2 = sp.symbols("b1 b2", real=True)
    return Model("M2", (sum(wi * xi for wi, xi in zip(w, x)) + b1 * b2,), (*w, b1, b2), x, None, "w.x + b1 b2")


def affine_factored_slope(d: int = 2) -> Model:
    r"""M3: \( f = a (v \cdot x) + c \); rates a, v: 1/2, c: 1 (asymmetric: only c is penalised)."""
    x = _x(d)
    d = len(x)
    a = sp.Symbol("a", real=True)
    v = sp.symbols(f"v1:{d + 1}", real=True)
    c = sp.Symbol("c", real=True)
    return Model("M3", (a * sum(vi * xi for vi, xi in zip(v, x)) + c,), (a, *v, c), x, None, "a (v.x) + c")


def affine_homogeneous_factored(d: int = 2) -> Model:
    r"""H3: \( f = a (v \cdot x) + b_1 b_2 \); homogeneous of degree 2 (Lyu-Li), the homogeneous twin of M3."""
    x = _x(d)
    d = len(x)
    a = sp.Symbol("a", real=True)
    v = sp.symbols(f"v1:{d + 1}", real=True)
    b1, b2 = sp.symbols("b1 b2", real=True)
    return Model(
        "H3", (a * sum(vi * xi for vi, xi in zip(v, x)) + b1 * b2,), (a, *v, b1, b2), x, None, "a (v.x) + b1 b2"
    )


def linear_1d() -> Model:
    r"""\( f = w x + b \) on 1-D inputs (rates 1, 1)."""
    (x,) = _x(1)
    w, b = sp.symbols("w b", real=True)
    return Model("lin1d", (w * x + b,), (w, b), (x,), None, "w x + b")


def square_slope_1d() -> Model:
    r"""\( f = w^2 x + b \) (rates 1/2, 1: bias is the max-rate parameter)."""
    (x,) = _x(1)
    w, b = sp.symbols("w b", real=True)
    return Model("sq1d", (w**2 * x + b,), (w, b), (x,), None, "w^2 x + b")


def cube_bias_1d() -> Model:
    r"""\( f = w x + b^3 \) (rates 1, 1/3: free-bias SVM)."""
    (x,) = _x(1)
    w, b = sp.symbols("w b", real=True)
    return Model("cube1d", (w * x + b**3,), (w, b), (x,), None, "w x + b^3")


def _relu(z):
    return sp.Max(0, z)


def bias_mlp(widths: Sequence[int] = (2, 3, 1), declare_balanced: bool = True) -> Model:
    r"""ReLU MLP with biases \( W_L \sigma(\dots \sigma(W_1 x + b_1) \dots) + b_L \).

    With `declare_balanced`, the brief's balanced rates \( W_l: 1/L \), \( b_l: l/L \) (Sec. A.3) are
    declared and verified; otherwise \( \Lambda \) is detected (balanced heuristic).
    """
    widths = tuple(as_int("widths", w, 1) for w in np.asarray(widths, dtype=object).ravel())
    if len(widths) < 2 or widths[-1] != 1:
        raise ValueError(f"widths must be (d_in, ..., 1) with at least one layer and positive entries, got {widths}")
    L = len(widths) - 1
    x = _x(widths[0])
    h = sp.Matrix(x)
    params: list[sp.Symbol] = []
    rates: list[sp.Rational] = []
    for layer in range(1, L + 1):
        W = sp.Matrix(widths[layer], widths[layer - 1], sp.symbols(f"W{layer}_0:{widths[layer] * widths[layer - 1]}"))
        b = sp.Matrix(sp.symbols(f"b{layer}_0:{widths[layer]}"))
        params += list(W) + list(b)
        rates += [sp.Rational(1, L)] * len(W) + [sp.Rational(layer, L)] * len(b)
        z = W * h + b
        h = z.applyfunc(_relu) if layer < L else z
    return Model(
        f"mlp{L}", (h[0],), tuple(params), x, tuple(rates) if declare_balanced else None, f"ReLU MLP {widths} with biases"
    )


def residual_network(d: int = 2, hidden: int = 2) -> Model:
    r"""\( f = a \cdot (h + U \sigma(V h)) + c \), \( h = W x + b \): a ReLU residual block.

    The branch must scale like the skip connection, so \( U, V \) get rate 0 (they carry the
    conserved \( \|V_{j\cdot}\|^2 - \|U_{\cdot j}\|^2 \)), \( W, b, a \) rate 1/2 and \( c \) rate 1.
    These rates are declared (and verified): the stream also has per-coordinate rescaling laws that
    overlap the per-unit ones, where the automatic balanced choice is not reliable.

    **Raises:** `ValueError` unless `d` and `hidden` are integers \( \ge 1 \).
    """
    x = _x(d)
    d = len(x)
    hidden = as_int("hidden", hidden, 1)
    W = sp.Matrix(d, d, sp.symbols(f"Wr0:{d * d}"))
    b = sp.Matrix(sp.symbols(f"br0:{d}"))
    V = sp.Matrix(hidden, d, sp.symbols(f"V0:{hidden * d}"))
    U = sp.Matrix(d, hidden, sp.symbols(f"U0:{hidden * d}"))
    a = sp.Matrix(sp.symbols(f"a0:{d}"))
    c = sp.Symbol("c")
    h = W * sp.Matrix(x) + b
    r = h + U * (V * h).applyfunc(_relu)
    out = (a.T * r)[0] + c
    params = tuple(W) + tuple(b) + tuple(V) + tuple(U) + tuple(a) + (c,)
    half, zero = sp.Rational(1, 2), sp.Integer(0)
    rates = (half,) * (len(W) + len(b)) + (zero,) * (len(V) + len(U)) + (half,) * len(a) + (sp.Integer(1),)
    return Model("resnet", (out,), params, x, rates, "a.(h + U relu(V h)) + c, h = W x + b")


def normalised_network(d: int = 2, features: int = 2, classes: int = 1) -> Model:
    r"""\( f_k = W_k \cdot \frac{z}{\|z\|} + b_k \), \( z = V x \): a feature-normalised network.

    Everything feeding the normalisation is scale-invariant (rate 0); only the classifier \( (W, b) \)
    has rate 1 (the mechanism of the paper's Sec. 6).

    **Raises:** `ValueError` unless `d`, `features` and `classes` are integers \( \ge 1 \).
    """
    x = _x(d)
    d = len(x)
    features = as_int("features", features, 1)
    classes = as_int("classes", classes, 1)
    V = sp.Matrix(features, d, sp.symbols(f"V0:{features * d}"))
    W = sp.Matrix(classes, features, sp.symbols(f"W0:{classes * features}"))
    b = sp.Matrix(sp.symbols(f"bc0:{classes}"))
    z = V * sp.Matrix(x)
    h = z / sp.sqrt(z.dot(z))
    out = W * h + b
    return Model("normnet", tuple(out), tuple(V) + tuple(W) + tuple(b), x, None, "W z/|z| + b, z = V x")


def layernorm_network(d: int = 2, features: int = 3) -> Model:
    r"""\( f = w \cdot \mathrm{LN}(V x) + c \) with LayerNorm without affine (centre, then scale).

    **Raises:** `ValueError` unless `d >= 1` and `features >= 2` (one centred feature is identically 0).
    """
    x = _x(d)
    d = len(x)
    features = as_int("features", features, 2)
    V = sp.Matrix(features, d, sp.symbols(f"V0:{features * d}"))
    w = sp.Matrix(sp.symbols(f"w0:{features}"))
    c = sp.Symbol("c")
    z = V * sp.Matrix(x)
    zc = z - sp.ones(features, 1) * (sum(z) / features)
    h = zc / sp.sqrt(zc.dot(zc) / features)
    return Model("lnnet", ((w.T * h)[0] + c,), tuple(V) + tuple(w) + (c,), x, None, "w.LN(V x) + c")


def paper_models() -> dict[str, Model]:
    """The brief's three parameterisations of the affine classifier plus the homogeneous twin and 1-D models."""
    return {
        "M1": affine_linear(2),
        "M2": affine_product_bias(2),
        "M3": affine_factored_slope(2),
        "H3": affine_homogeneous_factored(2),
        "lin1d": linear_1d(),
        "sq1d": square_slope_1d(),
        "cube1d": cube_bias_1d(),
    }
