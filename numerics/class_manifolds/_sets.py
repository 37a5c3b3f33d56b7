r"""Sets with known answers, as classifiers for the optimiser and as exact geometric oracles.

Each classifier is a two-class `torch.nn.Module` with logits \( (0, z(x)) \): the target class 1
has probability \( \ge 1/2 \) exactly on the set, so the cutting-plane method aimed at class 1
with threshold 1/2 measures the hit probability of the set (brief B.6).
"""

from __future__ import annotations

import numpy as np
import torch

from theory.class_manifolds._checks import real

__all__ = [
    "BallClassifier",
    "TubeClassifier",
    "ShellClassifier",
    "HalfSpaceClassifier",
    "affine_cut_distance",
    "affine_intersection",
]


def _vector(name: str, x) -> torch.Tensor:
    """A non-empty, finite vector (flattened), as a tensor of its own dtype."""
    t = torch.as_tensor(x).reshape(-1)
    if t.numel() == 0 or not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be a non-empty vector of finite values")
    return t


def _shape_params(radius, sharpness) -> tuple[float, float]:
    return (real("radius", radius, low=0.0, low_open=True), real("sharpness", sharpness, low=0.0, low_open=True))


class _TwoClass(torch.nn.Module):
    def score(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.score(x.reshape(x.shape[0], -1))
        return torch.stack([torch.zeros_like(z), z], dim=-1)


class BallClassifier(_TwoClass):
    r"""Class 1 on the ball \( \|x - c\| \le r \): \( z = \kappa (1 - \|x - c\|^2/r^2) \)."""

    def __init__(self, center, radius: float, sharpness: float = 10.0):
        super().__init__()
        radius, sharpness = _shape_params(radius, sharpness)
        self.register_buffer("center", _vector("center", center))
        self.radius, self.sharpness = radius, sharpness

    def score(self, x):
        d2 = ((x - self.center) ** 2).sum(-1)
        return self.sharpness * (1 - d2 / self.radius**2)


class ShellClassifier(_TwoClass):
    r"""Class 1 within `width` of the sphere \( \|x - c\| = r \):
    \( z = \kappa (1 - (\|x - c\| - r)^2/\text{width}^2) \)."""

    def __init__(self, center, radius: float, width: float, sharpness: float = 10.0):
        super().__init__()
        radius, sharpness = _shape_params(radius, sharpness)
        width = real("width", width, low=0.0, low_open=True)
        self.register_buffer("center", _vector("center", center))
        self.radius, self.width, self.sharpness = radius, width, sharpness

    def score(self, x):
        dist = (x - self.center).norm(dim=-1)
        return self.sharpness * (1 - (dist - self.radius) ** 2 / self.width**2)


class TubeClassifier(_TwoClass):
    r"""Class 1 within \( \rho \) of the affine subspace \( a + \operatorname{span}(U) \)
    (\( U \): `(k, D)` with orthonormal rows): \( z = \kappa(1 - \operatorname{dist}^2/\rho^2) \)."""

    def __init__(self, point, directions, radius: float, sharpness: float = 10.0):
        super().__init__()
        U = torch.as_tensor(directions)
        if U.ndim != 2:
            raise ValueError("directions must be a (k, D) matrix")
        if not bool(torch.isfinite(U).all()):
            raise ValueError("directions must be finite")
        eye = torch.eye(U.shape[0], dtype=U.dtype)
        if not torch.allclose(U @ U.T, eye, atol=1e-5):
            raise ValueError("directions must have orthonormal rows")
        radius, sharpness = _shape_params(radius, sharpness)
        point = _vector("point", point)
        if point.numel() != U.shape[1]:
            raise ValueError(f"point has {point.numel()} entries but directions are {tuple(U.shape)} (k, D)")
        self.register_buffer("point", point)
        self.register_buffer("U", U)
        self.radius, self.sharpness = radius, sharpness

    def score(self, x):
        y = x - self.point
        perp = y - (y @ self.U.T) @ self.U
        return self.sharpness * (1 - (perp**2).sum(-1) / self.radius**2)


class HalfSpaceClassifier(_TwoClass):
    r"""Logistic classifier, class 1 on \( w^\top x \ge b \): \( z = \kappa (w^\top x - b)/\|w\| \)."""

    def __init__(self, w, b: float, sharpness: float = 10.0):
        super().__init__()
        w = _vector("w", w)
        if float(w.norm()) == 0.0:
            raise ValueError("w must be non-zero (the half-space normal)")
        b = real("b", b)
        sharpness = real("sharpness", sharpness, low=0.0, low_open=True)
        self.register_buffer("w", w / w.norm())
        self.b = b / float(w.norm())
        self.sharpness = sharpness

    def score(self, x):
        return self.sharpness * (x @ self.w - self.b)


def affine_cut_distance(anchor, bases: torch.Tensor, point, directions) -> torch.Tensor:
    r"""Exact distance between each cut \( X_0 + \operatorname{span}(M_i) \) and the affine
    subspace \( a + \operatorname{span}(U) \):
    \( \| (I - Q Q^\top)(a - X_0) \| \) with \( Q \) an orthonormal basis of the columns of
    \( [M_i^\top, U^\top] \) (zero when \( d + k \ge D \), generically).

    **Arguments:**

    - `anchor`: `(D,)`. `bases`: `(n, d, D)`. `point`: `(D,)`. `directions`: `(k, D)` (`k` may be 0).

    **Returns:** `(n,)` distances (float64).

    **Raises:** `ValueError` for non-finite inputs, zero rows of `bases` or `directions` (not a
    basis), or shapes that disagree on \( D \).
    """
    M = torch.as_tensor(bases, dtype=torch.float64)
    if M.ndim != 3 or M.shape[1] < 1 or M.shape[2] < 1:
        raise ValueError(f"bases must be (n, d, D) with d, D >= 1, got shape {tuple(M.shape)}")
    n, d, D = M.shape
    U = torch.as_tensor(directions, dtype=torch.float64)
    if U.numel() % D or (U.ndim == 2 and U.shape[1] != D):
        raise ValueError(f"directions must be (k, D={D}), got shape {tuple(U.shape)}")
    U = U.reshape(-1, D)
    a = torch.as_tensor(anchor, dtype=torch.float64)
    p = torch.as_tensor(point, dtype=torch.float64)
    for name, t in (("anchor", a), ("point", p)):
        if t.numel() != D:
            raise ValueError(f"{name} must have D = {D} entries, got shape {tuple(t.shape)}")
    for name, t in (("anchor", a), ("point", p), ("bases", M), ("directions", U)):
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} must be finite")
    if n and bool((M.norm(dim=2) == 0).any()):
        raise ValueError("bases must have non-zero rows")
    if U.shape[0] and bool((U.norm(dim=1) == 0).any()):
        raise ValueError("directions must have non-zero rows")
    b = p.reshape(D) - a.reshape(D)
    A = torch.cat([M, U.expand(n, -1, -1)], dim=1).transpose(1, 2)  # (n, D, d + k)
    Q, _ = torch.linalg.qr(A)
    res = b - (Q @ (Q.transpose(1, 2) @ b.unsqueeze(-1))).squeeze(-1)
    return res.norm(dim=1)


def affine_intersection(point1, directions1, point2, directions2, *, tol: float = 1e-10):
    r"""The intersection of two affine subspaces \( a_i + \operatorname{span}(U_i) \).

    Solves \( a_1 + U_1^\top s = a_2 + U_2^\top t \) by least squares; the directions are an
    orthonormal basis of \( \operatorname{span}(U_1) \cap \operatorname{span}(U_2) \).

    **Arguments:** `point1`, `point2`: `(D,)`; `directions1`, `directions2`: `(k_i, D)` with
    non-zero rows, \( k_i \ge 1 \); all finite. `tol`: relative tolerance (finite, > 0).

    **Returns:** `(point, directions)` as float64 numpy arrays, or `None` if they do not meet.
    """
    tol = real("tol", tol, low=0.0, low_open=True)
    a1, a2 = np.asarray(point1, float), np.asarray(point2, float)
    U1, U2 = np.atleast_2d(np.asarray(directions1, float)), np.atleast_2d(np.asarray(directions2, float))
    if a1.ndim != 1 or a1.size < 1 or a2.shape != a1.shape:
        raise ValueError(f"point1 and point2 must be vectors of one length D, got shapes {a1.shape}, {a2.shape}")
    for name, U in (("directions1", U1), ("directions2", U2)):
        if U.ndim != 2 or U.shape[0] < 1 or U.shape[1] != a1.size:
            raise ValueError(f"{name} must be (k, D={a1.size}) with k >= 1, got shape {U.shape}")
    for name, x in (("point1", a1), ("point2", a2), ("directions1", U1), ("directions2", U2)):
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} must be finite")
    for name, U in (("directions1", U1), ("directions2", U2)):
        if np.any(np.linalg.norm(U, axis=1) == 0):
            raise ValueError(f"{name} must have non-zero rows")
    A = np.concatenate([U1.T, -U2.T], axis=1)
    sol, *_ = np.linalg.lstsq(A, a2 - a1, rcond=None)
    if np.linalg.norm(A @ sol - (a2 - a1)) > tol * max(1.0, np.linalg.norm(a2 - a1)):
        return None
    point = a1 + U1.T @ sol[: U1.shape[0]]
    # null space of A gives s with U1^T s in both spans
    _, sv, vt = np.linalg.svd(A)
    rank = int(np.sum(sv > tol * sv.max()))
    null = vt[rank:].T
    dirs = (U1.T @ null[: U1.shape[0]]).T
    if dirs.size:
        q, _ = np.linalg.qr(dirs.T)
        dirs = q.T
    return point, dirs.reshape(-1, a1.size)
