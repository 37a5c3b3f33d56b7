r"""Random transformers of width d in torch (float64 option, batched over draws).

The block is the one of `theory.transformer_geometry` (brief A.4):
\( y = \beta_A x + \alpha_A W_V\sum_j A_{ij}N(x_j) \), \( z = \beta_M y + \alpha_M W_2\phi(W_1N(y)) \),
with fresh Gaussian weights in every layer. Tangent vectors (Jacobian probes) are pushed
forward with the primal pass, so one pass gives \( |J_l v|^2 \) at every layer \( l \).

Two samplers of the same random network:

- `"weights"`: explicit weight matrices \( W \in \mathbb R^{d_{out}\times d_{in}} \) per layer and draw.
- `"conditional"` (cheaper when \( n(1+P) \ll d \)): a layer applies each fresh matrix \( W \)
  to a finite set of \( m \) vectors only (tokens and tangents). Writing them as \( X = QR \)
  (thin QR, \( Q^\top Q = I \)), \( WX = (WQ)R \) and \( WQ \) has iid \( \mathcal N(0, s^2) \) entries,
  so \( WX \) is sampled exactly in distribution as \( ZR \) with \( Z \) iid. This is the same
  random transformer (weights are used once and never stored), at cost \( O(dm^2) \) instead of
  \( O(d^2m) \) random numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from theory.transformer_geometry._validate import check_int, check_real

__all__ = ["simplex_tokens", "normalize", "simulate", "block_forward", "sample_block_weights", "gram_stats", "branch_outputs"]


def simplex_tokens(
    n_tokens: int,
    d: int,
    *,
    rho0: float,
    q0: float = 1.0,
    n_draws: int = 1,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
    device: str = "cpu",
) -> torch.Tensor:
    r"""Tokens with an exact permutation-symmetric Gram matrix \( XX^\top/d = q_0[(1-\rho_0)I + \rho_0\mathbf 1\mathbf 1^\top] \).

    \( X = \sqrt d\,F O^\top \) with \( F = C^{1/2} \) (closed-form symmetric square root: eigenvalue
    \( q_0(1-\rho_0+n\rho_0) \) on \( \mathbf 1 \), \( q_0(1-\rho_0) \) on its complement; valid down to
    \( \rho_0 = -1/(n-1) \)) and \( O \in \mathbb R^{d\times n} \) with random orthonormal columns.

    **Arguments:**

    - `n_tokens`, `d`: \( n \le d \).
    - `rho0`, `q0`: the target cosine and squared norm per coordinate.
    - `n_draws`: independent draws (leading batch dimension).
    - `generator`, `dtype`, `device`: torch options.

    **Returns:** tensor `(n_draws, n_tokens, d)`.

    **Raises:** `ValueError` if `rho0` is outside \( [-1/(n-1), 1] \), `q0` is not finite and
    > 0, `n_tokens` is not an integer in \( [2, d] \), or `n_draws` is not an integer >= 1.
    """
    n_tokens = check_int("n_tokens", n_tokens, 2)
    d = check_int("d", d, 1)
    n_draws = check_int("n_draws", n_draws, 1)
    if n_tokens > d:
        raise ValueError(f"n_tokens ({n_tokens}) must be <= d ({d}) for an exact simplex")
    lo = -1.0 / (n_tokens - 1)
    if not (lo - 1e-12 <= rho0 <= 1.0):
        raise ValueError(f"rho0 must lie in [{lo:.4g}, 1], got {rho0!r}")
    check_real("q0", q0, 0.0, lo_open=True)
    lam_perp = max(q0 * (1.0 - rho0), 0.0)
    lam_one = max(q0 * (1.0 - rho0 + n_tokens * rho0), 0.0)
    eye = torch.eye(n_tokens, dtype=dtype, device=device)
    ones = torch.full((n_tokens, n_tokens), 1.0 / n_tokens, dtype=dtype, device=device)
    F = math.sqrt(lam_perp) * (eye - ones) + math.sqrt(lam_one) * ones
    G = torch.randn(n_draws, d, n_tokens, generator=generator, dtype=dtype, device=generator.device if generator else device)
    O, _ = torch.linalg.qr(G.to(device))  # (B, d, n), orthonormal columns
    return math.sqrt(d) * torch.einsum("ia,bda->bid", F, O)


def normalize(x: torch.Tensor, v: torch.Tensor | None = None):
    r"""\( N(x) = \sqrt d\,x/\|x\| \) over the last axis, and its tangent map applied to `v`
    (`v` has extra leading probe axes after the batch axis: `(B, P, n, d)`)."""
    d = x.shape[-1]
    nrm = x.norm(dim=-1, keepdim=True)
    xn = math.sqrt(d) * x / nrm
    if v is None:
        return xn, None
    xe, ne = x.unsqueeze(1), nrm.unsqueeze(1)
    dv = math.sqrt(d) * (v / ne - xe * (xe * v).sum(-1, keepdim=True) / ne**3)
    return xn, dv


def _phi(name: str):
    if name == "tanh":
        return torch.tanh, lambda h: 1.0 - torch.tanh(h) ** 2
    if name == "erf":
        return torch.erf, lambda h: (2.0 / math.sqrt(math.pi)) * torch.exp(-h * h)
    if name == "relu":
        return torch.relu, lambda h: (h > 0).to(h.dtype)
    raise ValueError(f"phi must be 'tanh', 'erf' or 'relu', got {name!r}")


Linear = Callable[[str, torch.Tensor], torch.Tensor]


def _stackers(B: int, P: int, n: int):
    def stack(a, da):  # (B, n, k), (B, P, n, k) -> (B, (1+P) n, k)
        return torch.cat([a.unsqueeze(1), da], 1).reshape(B, (1 + P) * n, a.shape[-1])

    def unstack(y):
        y = y.reshape(B, 1 + P, n, y.shape[-1])
        return y[:, 0], y[:, 1:]

    return stack, unstack


def _attention_branch(x, v, lin: Linear):
    r"""\( W_V\sum_j A_{ij} N(x_j) \) and its tangent."""
    B, n, d = x.shape
    stack, unstack = _stackers(B, v.shape[1], n)
    xn, dxn = normalize(x, v)
    s_in = stack(xn, dxn)
    qx, qv = unstack(lin("W_Q", s_in))
    kx, kv = unstack(lin("W_K", s_in))
    vx, vv = unstack(lin("W_V", s_in))
    scale = 1.0 / math.sqrt(d)
    logits = scale * qx @ kx.transpose(-1, -2)
    dlogits = scale * (qv @ kx.unsqueeze(1).transpose(-1, -2) + qx.unsqueeze(1) @ kv.transpose(-1, -2))
    a = torch.softmax(logits, dim=-1)
    ae = a.unsqueeze(1)
    da = ae * (dlogits - (ae * dlogits).sum(-1, keepdim=True))
    return a @ vx, da @ vx.unsqueeze(1) + ae @ vv


def _mlp_branch(y, dy, phi_name: str, lin: Linear):
    r"""\( W_2\phi(W_1 N(y_i)) \) and its tangent."""
    B, n, d = y.shape
    stack, unstack = _stackers(B, dy.shape[1], n)
    phi, dphi = _phi(phi_name)
    yn, dyn = normalize(y, dy)
    hx, hv = unstack(lin("W_1", stack(yn, dyn)))
    return unstack(lin("W_2", stack(phi(hx), dphi(hx).unsqueeze(1) * hv)))


def _block(x, v, prm, lin: Linear):
    """One block on primal `x` (B, n, d) and tangents `v` (B, P, n, d) with linear maps from `lin`."""
    attn, dattn = _attention_branch(x, v, lin)
    y = prm.beta_attn * x + prm.alpha_attn * attn
    dy = prm.beta_attn * v + prm.alpha_attn * dattn
    mx, mv = _mlp_branch(y, dy, prm.phi, lin)
    return prm.beta_mlp * y + prm.alpha_mlp * mx, prm.beta_mlp * dy + prm.alpha_mlp * mv


def _weight_shapes(prm, d: int, d_mlp: int) -> dict[str, tuple[int, int, float]]:
    """name -> (d_out, d_in, std)."""
    return {
        "W_Q": (d, d, math.sqrt(prm.sigma_attn / d)),
        "W_K": (d, d, math.sqrt(prm.sigma_attn / d)),
        "W_V": (d, d, prm.sigma_v / math.sqrt(d)),
        "W_1": (d_mlp, d, prm.sigma_w / math.sqrt(d)),
        "W_2": (d, d_mlp, prm.sigma_out / math.sqrt(d_mlp)),
    }


def sample_block_weights(prm, d: int, d_mlp: int, n_draws: int, *, generator=None, dtype=torch.float64, device="cpu"):
    """Explicit weights of one block for `n_draws` draws: dict name -> `(n_draws, d_out, d_in)`.

    **Raises:** `ValueError` unless `d`, `d_mlp` and `n_draws` are integers >= 1.
    """
    d, d_mlp = check_int("d", d, 1), check_int("d_mlp", d_mlp, 1)
    n_draws = check_int("n_draws", n_draws, 1)
    out = {}
    for name, (do, di, std) in _weight_shapes(prm, d, d_mlp).items():
        w = torch.randn(n_draws, do, di, generator=generator, dtype=dtype, device=generator.device if generator else device)
        out[name] = std * w.to(device)
    return out


def block_forward(x: torch.Tensor, weights: dict[str, torch.Tensor], prm) -> torch.Tensor:
    """The block with explicit weights (primal only); used to check the tangent code with
    `torch.func.jvp` and for backpropagation of random probes."""
    v = torch.zeros((x.shape[0], 0, *x.shape[1:]), dtype=x.dtype, device=x.device)
    z, _ = _block(x, v, prm, lambda name, s: s @ weights[name].transpose(-1, -2))
    return z


def _conditional_linear(shapes, generator, dtype, device):
    def lin(name: str, s: torch.Tensor) -> torch.Tensor:
        d_out, d_in, std = shapes[name]
        # s: (B, m, d_in) rows = vectors; W s^T = Z R with s^T = Q R
        Qm, R = torch.linalg.qr(s.transpose(-1, -2))  # Q: (B, d_in, k), R: (B, k, m)
        k = R.shape[-2]
        Z = torch.randn(s.shape[0], d_out, k, generator=generator, dtype=dtype,
                        device=generator.device if generator else device).to(device)  # fmt: skip
        return std * (Z @ R).transpose(-1, -2)

    return lin


def _weights_linear(shapes, generator, dtype, device):
    def lin(name: str, s: torch.Tensor) -> torch.Tensor:
        d_out, d_in, std = shapes[name]
        W = torch.randn(s.shape[0], d_out, d_in, generator=generator, dtype=dtype,
                        device=generator.device if generator else device).to(device)  # fmt: skip
        return std * (s @ W.transpose(-1, -2))

    return lin


def gram_stats(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per draw: \( q = \mathrm{mean}_i |x_i|^2/d \) and \( p = \mathrm{mean}_{i\ne j} x_i\cdot x_j/d \)."""
    n, d = x.shape[-2], x.shape[-1]
    g = x @ x.transpose(-1, -2) / d
    q = torch.diagonal(g, dim1=-2, dim2=-1).mean(-1)
    p = (g.sum((-1, -2)) - torch.diagonal(g, dim1=-2, dim2=-1).sum(-1)) / (n * (n - 1))
    return q, p


def _probes(x, n_random, n_common, n_diff, generator):
    B, n, d = x.shape
    kw = dict(generator=generator, dtype=x.dtype, device=generator.device if generator else x.device)
    parts, kinds = [], []
    if n_random:
        parts.append(torch.randn(B, n_random, n, d, **kw).to(x.device))
        kinds += ["random"] * n_random
    if n_common:
        g = torch.randn(B, n_common, 1, d, **kw).to(x.device)
        parts.append(g.expand(B, n_common, n, d).clone())
        kinds += ["common"] * n_common
    if n_diff:
        g = torch.randn(B, n_diff, n, d, **kw).to(x.device)
        parts.append(g - g.mean(2, keepdim=True))
        kinds += ["diff"] * n_diff
    if not parts:
        return torch.zeros(B, 0, n, d, dtype=x.dtype, device=x.device), kinds
    return torch.cat(parts, 1), kinds


def simulate(
    x0: torch.Tensor,
    n_layers: int,
    prm,
    *,
    d_mlp: int | None = None,
    sampler: str = "conditional",
    n_random_probes: int = 0,
    n_common_probes: int = 0,
    n_diff_probes: int = 0,
    generator: torch.Generator | None = None,
    keep_final: bool = False,
    progress: Callable | None = None,
) -> dict[str, torch.Tensor]:
    r"""Propagate tokens (and Jacobian probes) through `n_layers` random blocks.

    **Arguments:**

    - `x0`: input tokens `(B, n, d)` (B independent draws of the network).
    - `n_layers`: depth \( L \).
    - `prm`: a `theory.transformer_geometry.BlockParams`.
    - `d_mlp`: hidden width of the MLP (default `d`).
    - `sampler`: `"conditional"` or `"weights"` (see the module docstring).
    - `n_random_probes`, `n_common_probes`, `n_diff_probes`: tangent probes per draw: iid
      Gaussian over all \( nd \) entries; the same Gaussian vector for every token; token-wise
      Gaussian with the token mean removed.
    - `generator`: torch generator (its device is used for sampling).
    - `keep_final`: also return the final tokens.
    - `progress`: optional wrapper for the layer loop (e.g. `ctx.progress`).

    **Returns:** dict with `q`, `p`, `rho` of shape `(B, L+1)`; for each probe kind present,
    `gain_<kind>` of shape `(B, L+1)`, averaged over that kind's probes: `gain_random` \( = |J_l v|^2/|v|^2 \)
    (so \( E[\text{gain\_random}] = \|J_l\|_F^2/(nd) \)); `gain_common` \( = |P_c J_l v|^2/|v|^2 \) and
    `gain_diff` \( = |P_d J_l v|^2/|v|^2 \) with \( P_c \) the projection on the token mean and
    \( P_d = I - P_c \) (mode-to-mode gains); `final` if asked.

    **Raises:** `ValueError` naming the argument: `n_layers` and the probe counts must be
    integers >= 0, `d_mlp` `None` or an integer >= 1, `x0` of shape `(B, n, d)` with `n = prm.n_tokens`.
    """
    n_layers = check_int("n_layers", n_layers, 0)
    n_random_probes = check_int("n_random_probes", n_random_probes, 0)
    n_common_probes = check_int("n_common_probes", n_common_probes, 0)
    n_diff_probes = check_int("n_diff_probes", n_diff_probes, 0)
    if d_mlp is not None:
        d_mlp = check_int("d_mlp", d_mlp, 1)
    if sampler not in ("conditional", "weights"):
        raise ValueError(f"sampler must be 'conditional' or 'weights', got {sampler!r}")
    if x0.ndim != 3:
        raise ValueError(f"x0 must have shape (B, n, d), got {tuple(x0.shape)}")
    B, n, d = x0.shape
    if n != prm.n_tokens:
        raise ValueError(f"x0 has {n} tokens but prm.n_tokens = {prm.n_tokens}")
    d_mlp = int(d_mlp or d)
    shapes = _weight_shapes(prm, d, d_mlp)
    make = _conditional_linear if sampler == "conditional" else _weights_linear
    lin = make(shapes, generator, x0.dtype, x0.device)
    v, kinds = _probes(x0, n_random_probes, n_common_probes, n_diff_probes, generator)
    v0 = v.pow(2).sum((-1, -2))  # (B, P)
    x = x0
    qs, ps, tots, coms = [], [], [], []

    def record(x, v):
        q, p = gram_stats(x)
        qs.append(q)
        ps.append(p)
        tots.append(v.pow(2).sum((-1, -2)))
        coms.append(n * v.mean(2).pow(2).sum(-1))  # squared norm of the common-mode component

    record(x, v)
    layers = range(int(n_layers))
    for _ in progress(layers) if progress else layers:
        x, v = _block(x, v, prm, lin)
        record(x, v)
    out = dict(q=torch.stack(qs, 1), p=torch.stack(ps, 1))
    out["rho"] = out["p"] / out["q"]
    if kinds:
        tot = torch.stack(tots, 1) / v0[:, None]  # (B, L+1, P)
        com = torch.stack(coms, 1) / v0[:, None]
        for kind, g in (("random", tot), ("common", com), ("diff", tot - com)):
            idx = [i for i, k in enumerate(kinds) if k == kind]
            if idx:
                out[f"gain_{kind}"] = g[..., idx].mean(-1)
    if keep_final:
        out["final"] = x
    return out


def branch_outputs(
    x: torch.Tensor, prm, *, which: str = "both", d_mlp: int | None = None, sampler: str = "conditional", generator=None
):
    r"""The attention branch \( W_V\sum_j A_{ij}N(x_j) \) and the MLP branch \( W_2\phi(W_1N(x_i)) \),
    each applied to the same tokens `x` `(B, n, d)` with fresh weights: the sub-layer outputs
    whose Gram entries are \( (q_A, p_A) \) and \( (q_M, p_M) \) of the mean-field map.

    **Arguments:**

    - `x`: tokens `(B, n, d)`; `prm`: `BlockParams`; `which`: `"attn"`, `"mlp"` or `"both"`.
    - `d_mlp`, `sampler`, `generator`: as `simulate`.

    **Returns:** `(attn, mlp)`, each `(B, n, d)` (`None` for a branch not asked for).

    **Raises:** `ValueError` for a bad `which` or `sampler`, or a `d_mlp` that is not `None`
    or an integer >= 1.
    """
    if d_mlp is not None:
        d_mlp = check_int("d_mlp", d_mlp, 1)
    if which not in ("attn", "mlp", "both"):
        raise ValueError(f"which must be 'attn', 'mlp' or 'both', got {which!r}")
    if sampler not in ("conditional", "weights"):
        raise ValueError(f"sampler must be 'conditional' or 'weights', got {sampler!r}")
    B, n, d = x.shape
    shapes = _weight_shapes(prm, d, int(d_mlp or d))
    make = _conditional_linear if sampler == "conditional" else _weights_linear
    lin = make(shapes, generator, x.dtype, x.device)
    v = torch.zeros(B, 0, n, d, dtype=x.dtype, device=x.device)
    attn = _attention_branch(x, v, lin)[0] if which != "mlp" else None
    mlp = _mlp_branch(x, v, prm.phi, lin)[0] if which != "attn" else None
    return attn, mlp
