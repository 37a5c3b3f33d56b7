r"""Column-blocked maximum similarity to earlier items, exact to float64.

For a cluster whose normalised rows \( \hat x_0, \dots, \hat x_{n-1} \) are already in keep
order, SemDeDup needs, for every \( j \),

\[
M_j = \max_{i < j} \langle \hat x_i, \hat x_j \rangle, \qquad a_j = \min \operatorname*{arg\,max}_{i<j} \langle \hat x_i, \hat x_j \rangle ,
\]

and removes \( j \) iff \( M_j > 1 - \varepsilon \) (official code, `semdedup.py`). The
similarity matrix is never formed: column blocks \( [s, e) \) of width `block` meet row
blocks of \( [0, e) \), so memory is \( O(R \cdot B) \) for any cluster size.

**Exactness.** Tiles are float32 GEMMs (fast, on any BLAS or GPU). Every float32 dot
product of unit vectors is within

\[
\delta_{32} = \gamma_d(u_{32}) = \frac{d\,u_{32}}{1 - d\,u_{32}}, \qquad u_{32} = 2^{-24},
\]

of the exact one, whatever the summation order (Higham, *Accuracy and Stability*, Eq. 3.5),
and the float64 dot we report is within \( \delta_{64} = \gamma_d(u_{64}) \). The tiles keep
the top two values per column; when they differ by more than \( 2(\delta_{32}+\delta_{64}) \) the
float32 arg-max is provably the exact (and the float64) arg-max, and \( M_j \) is its float64 dot.
Otherwise (ties, exact copies, near-ties) the column is recomputed in float64 against all
earlier rows. The float64 dot is a position-independent row sum, so \( (M_j, a_j) \) are the
same numbers for every block size, BLAS, device and engine: the keep-mask is canonical.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np

__all__ = ["PairwiseResult", "cluster_max_sim", "dot64", "screening_margin", "gemm_error_bound", "check_backend"]

U32 = 2.0**-24
U64 = 2.0**-53


def _integer(x, name: str, minimum: int) -> int:
    """An integer >= `minimum` (a float with an integer value is accepted)."""
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}") from err
    if not math.isfinite(v) or v != int(v) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(v)


def gemm_error_bound(dim: int, unit_roundoff: float = U32) -> float:
    r"""\( \gamma_d(u) = d u / (1 - d u) \), padded 1% for the norm of rounded unit vectors.

    **Raises:** `ValueError` unless `dim` is a positive integer and `unit_roundoff` is in (0, 1).
    """
    dim = _integer(dim, "dim", 1)
    if not (isinstance(unit_roundoff, (int, float, np.floating)) and 0.0 < float(unit_roundoff) < 1.0):
        raise ValueError(f"unit_roundoff must be in (0, 1), got {unit_roundoff!r}")
    du = dim * unit_roundoff
    if du >= 0.5:
        raise ValueError(f"dim={dim} is too large for a float32 error bound")
    return 1.01 * du / (1.0 - du)


def screening_margin(dim: int) -> float:
    """Gap between the top two float32 scores above which the arg-max is certain."""
    return 2.0 * (gemm_error_bound(dim, U32) + gemm_error_bound(dim, U64))


def dot64(rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Float64 dot products of each row of `rows` with `x` (or row-wise with `x` of the same
    shape), as a position-independent pairwise sum over the last axis.

    The same row gives the same float64 number wherever it sits in `rows`, so every
    engine that calls this gets identical values. A hot inner loop, so it checks nothing: NaN
    and inf entries propagate elementwise into the products that hold them.
    """
    a = np.array(rows, dtype=np.float64, order="C")  # a private copy: multiply in place
    np.multiply(a, np.asarray(x, dtype=np.float64), out=a)
    return a.sum(axis=-1)


@dataclasses.dataclass
class PairwiseResult:
    """Per column of a cluster (in keep order): `max_sim` (float64, `-inf` when no earlier
    item), `argmax` (local index of the earlier item, `-1` when none), and the cost."""

    max_sim: np.ndarray
    argmax: np.ndarray
    flops: float
    n_refined: int


def top2_rows(T: np.ndarray):
    """Top two values per row of `T` and the arg-max of each row (the first one on ties), reducing
    along the contiguous axis: `(v1, argmax, v2)`, with `v2 = -inf` when `T` has one column.

    Used by the pairwise tiles and by the nearest-centroid screen of `_kmeans.assign`. Overwrites
    the arg-max entries of `T` with `-inf` (callers pass a scratch matrix)."""
    rows = np.arange(T.shape[0])
    a = T.argmax(axis=1)
    v1 = T[rows, a].copy()
    if T.shape[1] > 1:
        T[rows, a] = -np.inf
        v2 = T.max(axis=1)
    else:
        v2 = np.full_like(v1, -np.inf)
    return v1, a, v2


@functools.lru_cache(maxsize=8)
def _triu_mask(n: int) -> np.ndarray:
    """Upper triangle with the diagonal (`i >= j`), cached per size."""
    m = np.triu(np.ones((n, n), dtype=bool))
    m.setflags(write=False)
    return m


class _NumpyTiles:
    def __init__(self):
        self.xp = np

    def load(self, arr):
        return np.ascontiguousarray(arr, dtype=np.float32)

    def tile(self, rows, cols, r0, c0):
        # T[j, i] = <x_{c0+j}, x_{r0+i}>: columns as rows so every reduction is contiguous
        T = cols @ rows.T
        nc, nr = T.shape
        o = c0 - r0
        if r0 + nr > c0:  # rows reaching the diagonal: keep only r0 + i < c0 + j
            if o >= 0:  # rows [c0, r0 + nr) form the square part: mask i' >= j there
                sub = T[:, o:]
                size = 1 << int(max(nc, sub.shape[1], 1) - 1).bit_length()  # cache by power of two
                np.copyto(sub, -np.inf, where=_triu_mask(size)[:nc, : sub.shape[1]])
            else:
                np.copyto(T, -np.inf, where=~np.tri(nc, nr, o - 1, dtype=bool))
        return top2_rows(T)

    def full(self, n, fill, dtype):
        return np.full(n, fill, dtype=dtype)

    def merge(self, m1, m2, arg, v1, a, v2, r0):
        better = v1 > m1
        new_m2 = np.where(better, np.maximum(m1, v2), np.maximum(m2, v1))
        return np.where(better, v1, m1), new_m2, np.where(better, a + r0, arg)

    def to_numpy(self, x):
        return x


class _TorchTiles:
    def __init__(self, device: str):
        import torch

        self.torch = torch
        self.device = torch.device(device)

    def load(self, arr):
        return self.torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32)).to(self.device)

    def tile(self, rows, cols, r0, c0):
        torch = self.torch
        T = cols @ rows.T
        nc, nr = T.shape
        if r0 + nr > c0:
            cj = torch.arange(c0, c0 + nc, device=self.device)[:, None]
            ri = torch.arange(r0, r0 + nr, device=self.device)[None, :]
            T = T.masked_fill(ri >= cj, -math.inf)
        if nr >= 2:
            vals, idx = torch.topk(T, 2, dim=1)
            return vals[:, 0], idx[:, 0], vals[:, 1]
        return T[:, 0], torch.zeros(nc, dtype=torch.long, device=self.device), torch.full_like(T[:, 0], -math.inf)

    def full(self, n, fill, dtype):
        tdt = {np.float32: self.torch.float32, np.int64: self.torch.long}[dtype]
        return self.torch.full((n,), fill, dtype=tdt, device=self.device)

    def merge(self, m1, m2, arg, v1, a, v2, r0):
        torch = self.torch
        better = v1 > m1
        new_m2 = torch.where(better, torch.maximum(m1, v2), torch.maximum(m2, v1))
        return torch.where(better, v1, m1), new_m2, torch.where(better, a + r0, arg)

    def to_numpy(self, x):
        return x.cpu().numpy()


def check_backend(backend: str, device: str) -> None:
    """Raise `ValueError` (before any work) unless `backend` can run on `device`: `"numpy"` on
    `"cpu"`, or `"torch"` on a torch device that exists here (`"cpu"`, `"cuda"`, `"cuda:1"`, `"mps"`)."""
    if backend == "numpy":
        if device != "cpu":
            raise ValueError(f"backend='numpy' runs on the CPU only, got device={device!r} (use backend='torch')")
        return
    if backend != "torch":
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    try:
        import torch  # lazily: only the torch backend needs it
    except ImportError as err:  # pragma: no cover - torch is a dependency
        raise ImportError("backend='torch' needs torch") from err
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as err:
        raise ValueError(f"device must be 'cpu' or a torch device such as 'cuda' or 'cuda:0', got {device!r}") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: CUDA is not available on this machine (use device='cpu')")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(f"device {device!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device {device!r}: MPS is not available on this machine (use device='cpu')")
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device {device!r}: only 'cpu', 'cuda' and 'mps' devices are supported")


def _tiles(backend: str, device: str):
    if backend == "numpy":
        if device != "cpu":
            raise ValueError(f"backend='numpy' runs on the CPU only, got device={device!r}")
        return _NumpyTiles()
    if backend == "torch":
        tiles = _TorchTiles(device)
        if tiles.device.type == "cuda":
            # TF32 would break the float32 error bound that makes the result exact
            tiles.torch.backends.cuda.matmul.allow_tf32 = False
        return tiles
    raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")


def cluster_max_sim(
    E: Any,
    *,
    block: int = 1024,
    row_block: int | None = None,
    start: int = 0,
    stop: int | None = None,
    backend: str = "numpy",
    device: str = "cpu",
) -> PairwiseResult:
    r"""\( (M_j, a_j) \) for the columns \( j \in [\text{start}, \text{stop}) \) of one cluster.

    **Arguments:**

    - `E`: the cluster's L2-normalised float32 rows in keep order, `(n, d)`; any object
      whose slices `E[a:b]` give arrays (an array, or an out-of-core row reader). Columns
      \( [s, e) \) need rows \( [0, e) \) only.
    - `block`: column-block width \( B \) (memory \( O(R B) \); results do not depend on it).
    - `row_block`: row-block height \( R \) (default: rows up to a 16 MiB float32 tile).
    - `start`, `stop`: the column range to compute (a huge cluster can be split over workers).
    - `backend`: `"numpy"` (BLAS) or `"torch"`; `device`: torch device (`"cuda"` for GPU).

    **Returns:** a `PairwiseResult` for the columns `start..stop-1`. `max_sim` is `-inf` (and
    `argmax` -1) for column 0, which has no earlier row, for every input, negative, zero or any
    shape: a sentinel, not an overflow.

    **Raises:** `ValueError` on a bad block size or column range, or rows holding NaN or inf
    (checked for in-memory arrays).
    """
    n = len(E)
    stop = n if stop is None else int(stop)
    if not (isinstance(block, (int, np.integer)) and block >= 1):
        raise ValueError(f"block must be a positive integer, got {block!r}")
    if not (0 <= start <= stop <= n):
        raise ValueError(f"start/stop must satisfy 0 <= start <= stop <= {n}, got {start}, {stop}")
    width = stop - start
    max_sim = np.full(width, -np.inf, dtype=np.float64)
    argmax = np.full(width, -1, dtype=np.int64)
    if width == 0 or stop <= 1:
        return PairwiseResult(max_sim, argmax, 0.0, 0)
    t = _tiles(backend, device)
    dim = int(np.shape(E[0:1])[1])
    if row_block is None:
        row_block = max(block, (16 << 20) // (4 * block))
    # rows [0, stop) once if they are in memory or small; else read per row block
    if isinstance(E, np.ndarray) and not np.all(np.isfinite(E[0:stop])):
        raise ValueError("E: the cluster's rows must be finite (L2-normalised embeddings), got NaN or inf")
    if isinstance(E, np.ndarray) or stop * dim * 4 <= (256 << 20):
        E = np.ascontiguousarray(E[0:stop], dtype=np.float32)
        rows_all = t.load(E)
    else:
        rows_all = None

    m1_parts, m2_parts, a_parts = [], [], []
    flops = 0.0
    for s in range(start, stop, block):
        e = min(s + block, stop)
        cols = rows_all[s:e] if rows_all is not None else t.load(E[s:e])
        m1 = t.full(e - s, -np.inf, np.float32)
        m2 = t.full(e - s, -np.inf, np.float32)
        arg = t.full(e - s, -1, np.int64)
        for r in range(0, e - 1, row_block):
            re = min(r + row_block, e - 1)  # row e-1 only ever meets later columns
            rows = rows_all[r:re] if rows_all is not None else t.load(E[r:re])
            v1, a, v2 = t.tile(rows, cols, r, s)
            m1, m2, arg = t.merge(m1, m2, arg, v1, a, v2, r)
            flops += 2.0 * (re - r) * (e - s) * dim
        m1_parts.append(t.to_numpy(m1))
        m2_parts.append(t.to_numpy(m2))
        a_parts.append(t.to_numpy(arg))
    m1 = np.concatenate(m1_parts).astype(np.float64)
    m2 = np.concatenate(m2_parts).astype(np.float64)
    arg = np.concatenate(a_parts).astype(np.int64)

    j = np.arange(start, stop)
    has_prev = j > 0
    margin = screening_margin(dim)
    with np.errstate(invalid="ignore"):
        certain = has_prev & ((m1 - m2) > margin)
    refine = has_prev & ~certain
    # certain columns: float64 dot with the (provably exact) float32 arg-max
    idx = np.flatnonzero(certain)
    for lo in range(0, len(idx), 65536):
        sel = idx[lo : lo + 65536]
        max_sim[sel] = dot64(_gather(E, arg[sel]), _gather(E, j[sel]))
        argmax[sel] = arg[sel]
    # uncertain columns: exact float64 scan over all earlier rows (same products and
    # pairwise row sums as `dot64`, on a float64 copy of the rows made once)
    todo = np.flatnonzero(refine)
    E64 = None
    if len(todo) and isinstance(E, np.ndarray):
        E64 = np.asarray(E[: int(j[todo[-1]]) + 1], dtype=np.float64)
    for k in todo:
        jj = int(j[k])
        best, besti = -np.inf, -1
        for r in range(0, jj, 65536):
            re = min(r + 65536, jj)
            if E64 is not None:
                sims = np.multiply(E64[r:re], E64[jj]).sum(axis=-1)
            else:
                sims = dot64(np.asarray(E[r:re], dtype=np.float32), np.asarray(E[jj : jj + 1])[0])
            i = int(np.argmax(sims))
            if sims[i] > best:
                best, besti = float(sims[i]), r + i
        max_sim[k], argmax[k] = best, besti
        flops += 2.0 * jj * dim
    return PairwiseResult(max_sim, argmax, flops, int(refine.sum()))


def _gather(E: Any, idx: np.ndarray) -> np.ndarray:
    if isinstance(E, np.ndarray):
        return E[idx]
    order = np.argsort(idx, kind="stable")
    out = np.empty((len(idx), int(np.shape(E[0:1])[1])), dtype=np.float32)
    for k in order:  # out-of-core rows: one read each (only for huge, non-resident clusters)
        out[k] = np.asarray(E[int(idx[k]) : int(idx[k]) + 1])[0]
    return out
