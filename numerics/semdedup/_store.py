"""Cluster stores: the rows of each cluster, normalised and in keep order.

`MemoryStore` gathers from an in-memory array. `FileStore` is the out-of-core shuffle by
cluster (the brief's stage 4): one streaming pass over the source writes every membership's
normalised row to its slot of a temporary file laid out cluster by cluster, with `pwrite`;
a cluster is then one contiguous range, read with `pread` (or row block by row block for
clusters larger than `max_cluster_bytes`). Neither keeps more than a block in memory.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from ._source import EmbeddingSource, normalize_rows

__all__ = ["MemoryStore", "FileStore", "RowFile"]


class MemoryStore:
    """Clusters gathered from an in-memory source on demand."""

    def __init__(self, source: EmbeddingSource, items_sorted: np.ndarray, offsets: np.ndarray):
        self.source, self.items, self.offsets = source, items_sorted, offsets

    def cluster(self, c: int, stop: int | None = None) -> np.ndarray:
        lo, hi = int(self.offsets[c]), int(self.offsets[c + 1])
        if stop is not None:
            hi = lo + stop
        return normalize_rows(self.source.take(self.items[lo:hi]))

    def close(self) -> None:
        pass


class RowFile:
    """Rows `[lo, hi)` of a float32 row file, sliceable like an array, read with `pread`."""

    def __init__(self, path: str, dim: int, lo: int, hi: int):
        self.path, self.dim, self.lo, self.hi = path, dim, lo, hi

    def __len__(self) -> int:
        return self.hi - self.lo

    def __getitem__(self, sl: slice) -> np.ndarray:
        if not isinstance(sl, slice) or sl.step not in (None, 1):
            raise TypeError("RowFile supports contiguous slices only")
        a, b, _ = sl.indices(len(self))
        b = max(a, b)
        return _pread_rows(self.path, self.dim, self.lo + a, self.lo + b)


def _pread_rows(path: str, dim: int, lo: int, hi: int) -> np.ndarray:
    out = np.empty((hi - lo, dim), dtype=np.float32)
    buf = memoryview(out).cast("B")
    fd = os.open(path, os.O_RDONLY)
    try:
        pos, want = 0, len(buf)
        while pos < want:
            got = os.preadv(fd, [buf[pos:]], lo * dim * 4 + pos)
            if got <= 0:
                raise OSError(f"short read from {path}")
            pos += got
    finally:
        os.close(fd)
    return out


class FileStore:
    """Out-of-core shuffle of memberships into a cluster-ordered temporary row file."""

    def __init__(
        self,
        source: EmbeddingSource,
        member_items: np.ndarray,
        member_pos: np.ndarray,
        offsets: np.ndarray,
        *,
        workdir: str | None = None,
        read_block: int = 16384,
        max_cluster_bytes: int = 512 << 20,
        progress=None,
    ):
        self.dim = source.dim
        self.offsets = offsets
        self.max_cluster_bytes = max_cluster_bytes
        fd, self.path = tempfile.mkstemp(prefix="semdedup-", suffix=".f32", dir=workdir)
        row_bytes = self.dim * 4
        try:
            os.ftruncate(fd, len(member_items) * row_bytes)
            # memberships sorted by item: for each source block, the slots of its rows
            by_item = np.argsort(member_items, kind="stable")
            items_sorted = member_items[by_item]
            pos_sorted = member_pos[by_item]
            bar = progress(total=source.n_rows, desc="semdedup: shuffle") if progress else None
            for start, raw in source.iter_blocks(read_block):
                X = normalize_rows(raw, first_row=start)
                lo = int(np.searchsorted(items_sorted, start, side="left"))
                hi = int(np.searchsorted(items_sorted, start + len(X), side="left"))
                rows = items_sorted[lo:hi] - start
                slots = pos_sorted[lo:hi]
                order = np.argsort(slots)
                rows, slots = rows[order], slots[order]
                # coalesce runs of consecutive slots into one write each
                breaks = np.flatnonzero(np.diff(slots) != 1) + 1
                for r_run, s_run in zip(np.split(rows, breaks), np.split(slots, breaks)):
                    if len(r_run) == 0:
                        continue
                    os.pwrite(fd, np.ascontiguousarray(X[r_run]).tobytes(), int(s_run[0]) * row_bytes)
                if bar is not None:
                    bar.update(len(X))
            if bar is not None:
                bar.close()
        finally:
            os.close(fd)

    def cluster(self, c: int, stop: int | None = None):
        lo, hi = int(self.offsets[c]), int(self.offsets[c + 1])
        if stop is not None:
            hi = lo + stop
        rf = RowFile(self.path, self.dim, lo, hi)
        if (hi - lo) * self.dim * 4 <= self.max_cluster_bytes:
            return rf[0 : hi - lo]
        return rf

    def close(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
