r"""Hessians of the training loss restricted to the unpruned coordinates.

- `MaskedLoss`: the loss as a function of a flat vector \(\theta\) of the *kept* prunable
  weights (optionally also the biases and BatchNorm affine parameters); BatchNorm uses its
  running statistics (eval mode), so the loss is a fixed function of \(\theta\).
- `full_hessian`: the dense \(D\times D\) Hessian, column blocks by vmapped
  Hessian-vector products (small models).
- `lanczos_top_eigenvalues`: top eigenvalues by Lanczos with full reorthogonalisation on
  Hessian-vector products (large models, PyHessian style).
- `slq` / `slq_trace`: stochastic Lanczos quadrature for \(\operatorname{tr} f(H)\), which is
  exactly what \(p^*=\tfrac1D\sum_i f(\lambda_i)\) needs when the spectrum is too large to form.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import scipy.linalg
import torch
from torch import nn
from torch.func import functional_call, grad, jvp, vmap
from torch.nn import functional as F

from numerics.lottery._pruning import Mask
from theory.lottery._checks import check_int

__all__ = ["MaskedLoss", "full_hessian", "lanczos", "lanczos_top_eigenvalues", "slq", "slq_trace"]


class MaskedLoss:
    r"""Mean cross-entropy as a function of the free coordinates \(\theta\).

    **Arguments:**

    - `model`: the network (copied; the copy is put in eval mode and cast to `dtype`).
    - `x`, `y`: the data the loss averages over (e.g. the training set).
    - `mask`: prunable name -> bool tensor; the kept entries are free coordinates.
    - `free_other`: also free the non-prunable parameters (biases, BN affine). Default
      `False`: they are held at their current values.
    - `dtype`: `torch.float64` for exact small-model spectra.
    - `chunk`: data rows per forward pass (the loss is the size-weighted sum over chunks).
    """

    def __init__(
        self,
        model: nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        mask: Mask,
        *,
        free_other: bool = False,
        dtype: torch.dtype = torch.float64,
        chunk: int | None = None,
    ):
        self.model = copy.deepcopy(model).to(dtype).eval()
        dev = next(self.model.parameters()).device
        self.x, self.y = x.to(device=dev, dtype=dtype), y.to(dev)
        self.n = int(x.shape[0])
        self.chunk = self.n if chunk is None else int(chunk)
        self.dtype, self.device = dtype, dev
        base = {k: v.detach() for k, v in self.model.named_parameters()}
        self.buffers = {k: v.detach() for k, v in self.model.named_buffers()}
        self.fixed, self.slots = {}, []  # slots: (name, shape, positions or None)
        theta = []
        for name, v in base.items():
            if name in mask:
                pos = torch.nonzero(mask[name].reshape(-1).to(dev), as_tuple=False).reshape(-1)
                self.slots.append((name, v.shape, pos))
                theta.append(v.reshape(-1)[pos])
            elif free_other:
                self.slots.append((name, v.shape, None))
                theta.append(v.reshape(-1))
            else:
                self.fixed[name] = v
        self.theta0 = torch.cat(theta).detach().clone()
        self.dim = int(self.theta0.numel())

    def unflatten(self, theta: torch.Tensor) -> dict[str, torch.Tensor]:
        """Full parameter dict for a flat \\(\\theta\\) (pruned entries exactly 0)."""
        params = dict(self.fixed)
        off = 0
        for name, shape, pos in self.slots:
            numel = int(torch.Size(shape).numel()) if pos is None else int(pos.numel())
            seg = theta[off : off + numel]
            off += numel
            if pos is None:
                params[name] = seg.reshape(shape)
            else:
                full = torch.zeros(int(torch.Size(shape).numel()), dtype=theta.dtype, device=theta.device)
                params[name] = full.scatter(0, pos, seg).reshape(shape)
        return params

    def _loss_chunk(self, theta: torch.Tensor, i: int) -> torch.Tensor:
        xb, yb = self.x[i : i + self.chunk], self.y[i : i + self.chunk]
        out = functional_call(self.model, ({**self.unflatten(theta)}, self.buffers), (xb,))
        return F.cross_entropy(out, yb, reduction="sum") / self.n

    def loss(self, theta: torch.Tensor | None = None) -> float:
        theta = self.theta0 if theta is None else theta
        with torch.no_grad():
            return float(sum(self._loss_chunk(theta, i) for i in range(0, self.n, self.chunk)))

    def hvp(self, v: torch.Tensor, theta: torch.Tensor | None = None) -> torch.Tensor:
        r"""\(H v\) at \(\theta\) (default \(\theta_0\)) by forward-over-reverse."""
        theta = self.theta0 if theta is None else theta
        v = v.to(device=self.device, dtype=self.dtype)
        out = torch.zeros_like(theta)
        for i in range(0, self.n, self.chunk):
            g = grad(lambda th, i=i: self._loss_chunk(th, i))
            out = out + jvp(g, (theta,), (v,))[1]
        return out


def full_hessian(loss: MaskedLoss, block: int = 128) -> np.ndarray:
    """The dense Hessian (numpy, symmetrised) by blocks of `block` (an integer >= 1)
    Hessian-vector products."""
    block = check_int("block", block, 1)
    dim = loss.dim
    eye = torch.eye(dim, dtype=loss.dtype, device=loss.device)
    cols = []
    batched = vmap(loss.hvp)
    for j in range(0, dim, block):
        cols.append(batched(eye[j : j + block]).detach().cpu())
    H = torch.cat(cols).numpy().astype(np.float64)
    return 0.5 * (H + H.T)


def lanczos(
    matvec: Callable[[torch.Tensor], torch.Tensor],
    dim: int,
    n_iter: int,
    v0: torch.Tensor,
) -> tuple[np.ndarray, np.ndarray]:
    """Lanczos tridiagonalisation with full reorthogonalisation.

    **Returns:** `(alpha, beta)`, the diagonal and off-diagonal of the tridiagonal matrix
    (length `m` and `m - 1`, `m <= n_iter`; it stops early on an invariant subspace).
    `dim` and `n_iter` are integers >= 1; `v0` a non-zero finite start vector.
    """
    dim = check_int("dim", dim, 1)
    n_iter = min(check_int("n_iter", n_iter, 1), dim)
    norm = float(torch.linalg.vector_norm(v0))
    if not (norm > 0 and np.isfinite(norm)):
        raise ValueError("v0 must be a non-zero vector of finite numbers")
    q = v0 / torch.linalg.vector_norm(v0)
    Q = [q]
    alpha, beta = [], []
    for j in range(n_iter):
        w = matvec(Q[-1])
        a = float(torch.dot(w, Q[-1]))
        alpha.append(a)
        Qm = torch.stack(Q)
        w = w - Qm.T @ (Qm @ w)
        w = w - Qm.T @ (Qm @ w)  # twice is enough (Kahan-Parlett)
        b = float(torch.linalg.vector_norm(w))
        if j == n_iter - 1 or b < 1e-10 * max(1.0, abs(a)):
            break
        beta.append(b)
        Q.append(w / b)
    return np.asarray(alpha), np.asarray(beta[: len(alpha) - 1])


def _ritz(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if alpha.size == 1:
        return alpha.copy(), np.ones((1, 1))
    return scipy.linalg.eigh_tridiagonal(alpha, beta)


def lanczos_top_eigenvalues(loss: MaskedLoss, k: int, n_iter: int | None = None, seed: int = 0) -> np.ndarray:
    """The `k` largest Hessian eigenvalues (descending) from `n_iter` Lanczos steps
    (default `max(2k + 20, 40)`); `k` and `n_iter` integers >= 1, `seed` an integer >= 0."""
    k = check_int("k", k, 1)
    n_iter = max(2 * k + 20, 40) if n_iter is None else check_int("n_iter", n_iter, 1)
    g = torch.Generator().manual_seed(check_int("seed", seed, 0))
    v0 = torch.randn(loss.dim, generator=g, dtype=torch.float64).to(device=loss.device, dtype=loss.dtype)
    alpha, beta = lanczos(loss.hvp, loss.dim, n_iter, v0)
    vals, _ = _ritz(alpha, beta)
    return np.sort(vals)[::-1][:k]


def slq(loss: MaskedLoss, n_probes: int = 4, n_iter: int = 60, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stochastic Lanczos quadrature: per Rademacher probe, Ritz nodes and Gauss weights
    (`n_probes`, `n_iter` integers >= 1, `seed` an integer >= 0)."""
    n_probes = check_int("n_probes", n_probes, 1)
    n_iter = check_int("n_iter", n_iter, 1)
    g = torch.Generator().manual_seed(check_int("seed", seed, 0))
    out = []
    for _ in range(n_probes):
        v0 = (torch.randint(0, 2, (loss.dim,), generator=g) * 2 - 1).to(device=loss.device, dtype=loss.dtype)
        alpha, beta = lanczos(loss.hvp, loss.dim, n_iter, v0)
        nodes, vecs = _ritz(alpha, beta)
        out.append((nodes, vecs[0] ** 2))
    return out


def slq_trace(fn: Callable[[np.ndarray], np.ndarray], quad: list[tuple[np.ndarray, np.ndarray]], dim: int) -> tuple[float, float]:
    r"""\(\operatorname{tr} f(H)\approx \frac{D}{n}\sum_{\text{probes}}\sum_j \tau_j^2 f(\theta_j)\),
    with its Monte-Carlo standard error over probes (`dim` an integer >= 1, `quad` non-empty;
    the error is NaN for a single probe, where it is undefined)."""
    dim = check_int("dim", dim, 1)
    if len(quad) == 0:
        raise ValueError("quad must hold at least one probe")
    vals = np.asarray([dim * float(np.sum(w * fn(nodes))) for nodes, w in quad])
    se = float(vals.std(ddof=1) / np.sqrt(len(vals))) if len(vals) > 1 else float("nan")
    return float(vals.mean()), se
