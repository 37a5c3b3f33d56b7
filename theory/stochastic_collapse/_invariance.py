"""Invariant sets of SGD in a two-layer network, listed and checked with sympy.

A set \\( A \\) of parameters is invariant for SGD when \\( \\theta_0 \\in A \\) implies
\\( \\theta_k \\in A \\) for every minibatch sequence (paper §3). For an affine set it
suffices that the per-sample gradient \\( \\nabla_\\theta \\ell(\\theta; x, y) \\) is tangent to
\\( A \\) at every \\( \\theta \\in A \\), for every sample: then every SGD step, with or
without momentum, weight decay (the decay term \\( -\\lambda\\theta \\) is tangent to a linear
set) or label noise (a change of \\( y \\)), stays in \\( A \\).

The two classes of the paper:

- **sign invariant set** of hidden neuron \\( i \\): incoming weights, bias and outgoing
  weights all zero. Tangency needs \\( \\sigma(0) = 0 \\): \\( \\partial\\ell/\\partial a_i \\propto
  \\sigma(0) \\) and \\( \\partial\\ell/\\partial w_i \\propto a_i = 0 \\).
- **permutation invariant set** of neurons \\( i, j \\): \\( (w_i, b_i, a_i) = (w_j, b_j, a_j) \\),
  for any activation.

`normal_gradient` returns the components of the per-sample gradient normal to a set,
evaluated on the set (symbolic in the data \\( x, y \\) and the remaining parameters);
`check_invariance` checks that they vanish identically.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools

import sympy as sp

from theory.stochastic_collapse._checks import positive_int

__all__ = ["TwoLayerNet", "InvariantSet", "invariant_sets", "check_invariance", "normal_gradient", "activation"]

_ACTIVATIONS = ("tanh", "gelu", "relu", "sigmoid", "softplus", "identity", "generic")


def activation(name: str, z: sp.Expr) -> sp.Expr:
    """The activation \\( \\sigma(z) \\) as a sympy expression.

    **Arguments:**

    - `name`: one of `tanh`, `gelu` (exact, \\( z\\,\\Phi(z) \\)), `relu`, `sigmoid`, `softplus`,
      `identity`, `generic` (an undefined function \\( \\sigma \\)).
    - `z`: the pre-activation.

    **Returns:** the sympy expression \\( \\sigma(z) \\).

    **Raises:** `ValueError` for an unknown `name`.
    """
    if name == "tanh":
        return sp.tanh(z)
    if name == "gelu":
        return z * (1 + sp.erf(z / sp.sqrt(2))) / 2
    if name == "relu":
        return sp.Max(0, z)
    if name == "sigmoid":
        return 1 / (1 + sp.exp(-z))
    if name == "softplus":
        return sp.log(1 + sp.exp(z))
    if name == "identity":
        return z
    if name == "generic":
        return sp.Function("sigma")(z)
    raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {name!r}")


@dataclasses.dataclass(frozen=True)
class TwoLayerNet:
    """A two-layer network \\( f(x) = A\\,\\sigma(Wx + b) \\) with the per-sample square loss
    \\( \\ell = \\tfrac12 \\lVert f(x) - y \\rVert^2 \\).

    **Arguments:**

    - `d_in`, `width`, `d_out`: layer sizes (small: the check is symbolic).
    - `activation`: a name accepted by `activation`.
    - `bias`: whether the hidden layer has a bias \\( b \\).

    **Raises:** `ValueError` unless `d_in`, `width`, `d_out` are integers >= 1 (and at most 4,
    6, 3) and `activation` is a known name.
    """

    d_in: int = 2
    width: int = 3
    d_out: int = 1
    activation: str = "tanh"
    bias: bool = True

    def __post_init__(self) -> None:
        for name in ("d_in", "width", "d_out"):
            object.__setattr__(self, name, positive_int(name, getattr(self, name)))
        if self.width > 6 or self.d_in > 4 or self.d_out > 3:
            raise ValueError("TwoLayerNet is for small symbolic checks: width <= 6, d_in <= 4, d_out <= 3")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {self.activation!r}")

    # symbols --------------------------------------------------------------
    @functools.cached_property
    def x(self) -> tuple[sp.Symbol, ...]:
        return sp.symbols(f"x0:{self.d_in}", real=True)

    @functools.cached_property
    def y(self) -> tuple[sp.Symbol, ...]:
        return sp.symbols(f"y0:{self.d_out}", real=True)

    @functools.cached_property
    def W(self) -> sp.Matrix:
        return sp.Matrix(self.width, self.d_in, lambda i, k: sp.Symbol(f"w_{i}{k}", real=True))

    @functools.cached_property
    def b(self) -> sp.Matrix:
        return sp.Matrix(self.width, 1, lambda i, _: sp.Symbol(f"b_{i}", real=True) if self.bias else sp.S.Zero)

    @functools.cached_property
    def A(self) -> sp.Matrix:
        return sp.Matrix(self.d_out, self.width, lambda o, i: sp.Symbol(f"a_{o}{i}", real=True))

    def neuron_parameters(self, i: int) -> list[sp.Symbol]:
        """Incoming weights, bias (if any) and outgoing weights of hidden neuron `i`."""
        params = list(self.W.row(i))
        if self.bias:
            params.append(self.b[i])
        params += list(self.A.col(i))
        return params

    @functools.cached_property
    def loss(self) -> sp.Expr:
        """Per-sample loss \\( \\tfrac12\\lVert A\\sigma(Wx+b) - y\\rVert^2 \\)."""
        pre = self.W * sp.Matrix(self.x) + self.b
        hidden = pre.applyfunc(lambda z: activation(self.activation, z))
        out = self.A * hidden
        return sum(((out[o] - self.y[o]) ** 2 for o in range(self.d_out)), sp.S.Zero) / 2

    def sigma_at_zero(self) -> sp.Expr:
        z = sp.Symbol("z", real=True)
        return sp.simplify(activation(self.activation, z).subs(z, 0))


@dataclasses.dataclass(frozen=True)
class InvariantSet:
    """A candidate invariant set: an affine subspace given by substitutions.

    - `kind`: `"sign"` (vanishing neuron) or `"perm"` (identical neurons).
    - `neurons`: the hidden neurons involved.
    - `substitutions`: parameter -> expression; the set is the image of this map.
    - `normal_forms`: linear forms (dict parameter -> coefficient) spanning the normal
      space; the gradient's components along them must vanish on the set.
    """

    kind: str
    neurons: tuple[int, ...]
    substitutions: tuple[tuple[sp.Symbol, sp.Expr], ...]
    normal_forms: tuple[tuple[tuple[sp.Symbol, int], ...], ...]

    def describe(self) -> str:
        if self.kind == "sign":
            return f"sign set: neuron {self.neurons[0]} vanishes (in, bias, out weights = 0)"
        return f"permutation set: neurons {self.neurons[0]} and {self.neurons[1]} identical"


def sign_set(net: TwoLayerNet, i: int) -> InvariantSet:
    """The sign (vanishing-neuron) set of neuron `i`."""
    if not 0 <= i < net.width:
        raise ValueError(f"neuron index i={i} out of range for width {net.width}")
    params = net.neuron_parameters(i)
    return InvariantSet(
        kind="sign",
        neurons=(i,),
        substitutions=tuple((p, sp.S.Zero) for p in params),
        normal_forms=tuple((((p, 1),)) for p in params),
    )


def perm_set(net: TwoLayerNet, i: int, j: int) -> InvariantSet:
    """The permutation (identical-neuron) set of neurons `i` and `j`."""
    if i == j or not (0 <= i < net.width and 0 <= j < net.width):
        raise ValueError(f"need two distinct neurons in range, got i={i}, j={j}")
    pi, pj = net.neuron_parameters(i), net.neuron_parameters(j)
    return InvariantSet(
        kind="perm",
        neurons=(i, j),
        substitutions=tuple((q, p) for p, q in zip(pi, pj)),
        normal_forms=tuple(((p, 1), (q, -1)) for p, q in zip(pi, pj)),
    )


def normal_gradient(net: TwoLayerNet, inv: InvariantSet) -> list[sp.Expr]:
    """Components of the per-sample gradient normal to `inv`, evaluated on `inv`.

    **Arguments:**

    - `net`: the model.
    - `inv`: a set from `sign_set`, `perm_set` or `invariant_sets`.

    **Returns:** one simplified sympy expression per normal form; the set is invariant
    iff all are identically zero (for every \\( x, y \\) and every point of the set).
    """
    grads = {}
    out = []
    subs = dict(inv.substitutions)
    for form in inv.normal_forms:
        comp = sp.S.Zero
        for p, c in form:
            if p not in grads:
                grads[p] = sp.diff(net.loss, p)
            comp += c * grads[p]
        out.append(sp.simplify(comp.subs(subs)))
    return out


def check_invariance(net: TwoLayerNet, inv: InvariantSet) -> bool:
    """`True` iff every normal gradient component vanishes identically on `inv`."""
    return all(sp.simplify(g) == 0 for g in normal_gradient(net, inv))


@functools.lru_cache(maxsize=32)
def invariant_sets(net: TwoLayerNet) -> tuple[tuple[InvariantSet, bool], ...]:
    """List the paper's candidate invariant sets of `net` and check each symbolically.

    Sign sets are listed for every neuron, permutation sets for every pair; each comes
    with the outcome of `check_invariance`. For activations with \\( \\sigma(0) \\neq 0 \\)
    (sigmoid, softplus) the sign sets come out not invariant; for a `generic` activation the
    normal gradient of a sign set is proportional to \\( \\sigma(0) \\).

    **Returns:** a tuple of `(InvariantSet, invariant: bool)`.
    """
    sets = [sign_set(net, i) for i in range(net.width)]
    sets += [perm_set(net, i, j) for i, j in itertools.combinations(range(net.width), 2)]
    return tuple((s, check_invariance(net, s)) for s in sets)
