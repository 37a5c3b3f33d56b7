"""Embedding sources: in-memory arrays, `.npy` files and memmaps read with `pread`, folders
of `.npy` / `.parquet` shards.

Out-of-core sources never map the whole file into the process: a `.npy` file or a
`numpy.memmap` is read block by block with explicit file reads, so the resident set stays
at one block however large the file is (page cache is the kernel's, not ours).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EmbeddingSource",
    "ArraySource",
    "NpyFileSource",
    "ParquetSource",
    "ShardedSource",
    "as_source",
    "normalize_rows",
]


def normalize_rows(block: np.ndarray, *, first_row: int = 0) -> np.ndarray:
    r"""L2-normalise the rows of `block`, canonically.

    Each row is divided by its norm computed in float64 (a position-independent pairwise
    sum over the row), then rounded to float32, so the same input row gives the same
    float32 row in every process, block layout and engine:

    \[
    \hat x_i = \mathrm{fl}_{32}\!\left(x_i / \lVert x_i \rVert_2\right).
    \]

    **Arguments:**

    - `block`: `(n, d)` array of any float dtype.
    - `first_row`: global index of the first row (for error messages).

    **Returns:** a C-contiguous `(n, d)` float32 array.

    **Raises:** `ValueError` naming the first row that is zero or not finite.
    """
    x = np.ascontiguousarray(block, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"embeddings must be 2-D (n, d), got shape {x.shape}")
    norms = np.sqrt((x * x).sum(axis=1))
    bad = ~(np.isfinite(norms) & (norms > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"embeddings: row {first_row + i} is zero or not finite; cannot L2-normalise it")
    return np.ascontiguousarray((x / norms[:, None]).astype(np.float32))


class EmbeddingSource:
    """Rows of an `(n_rows, dim)` embedding matrix, read in blocks.

    Subclasses set `n_rows`, `dim`, `in_memory` and implement `read(start, stop)`.
    """

    n_rows: int
    dim: int
    in_memory: bool = False

    def read(self, start: int, stop: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def iter_blocks(self, block_rows: int) -> Iterator[tuple[int, np.ndarray]]:
        """Yield `(start, rows[start:start + block_rows])` over the whole source."""
        for start in range(0, self.n_rows, block_rows):
            yield start, self.read(start, min(start + block_rows, self.n_rows))

    def take(self, indices: np.ndarray, block_rows: int = 16384) -> np.ndarray:
        """Rows at sorted, unique `indices` (streams the source once when out of core)."""
        indices = np.asarray(indices, dtype=np.int64)
        out = np.empty((len(indices), self.dim), dtype=np.float32)
        if len(indices) == 0:
            return out
        pos = 0
        for start, blk in self.iter_blocks(block_rows):
            stop = start + len(blk)
            hi = int(np.searchsorted(indices, stop, side="left"))
            if hi > pos:
                out[pos:hi] = blk[indices[pos:hi] - start]
                pos = hi
            if pos == len(indices):
                break
        return out


class ArraySource(EmbeddingSource):
    """An in-memory array (gathers by fancy indexing)."""

    in_memory = True

    def __init__(self, array: np.ndarray):
        if array.ndim != 2:
            raise ValueError(f"embeddings must be 2-D (n, d), got shape {array.shape}")
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"embeddings must be a float array, got dtype {array.dtype}")
        self.array = array
        self.n_rows, self.dim = (int(s) for s in array.shape)

    def read(self, start: int, stop: int) -> np.ndarray:
        return self.array[start:stop]

    def take(self, indices: np.ndarray, block_rows: int = 16384) -> np.ndarray:
        return self.array[np.asarray(indices, dtype=np.int64)]


class NpyFileSource(EmbeddingSource):
    """A C-ordered 2-D array stored in a file at a byte offset (a `.npy` file or a memmap).

    Rows are read with `os.pread`, never mapped, so memory stays at one block.
    """

    def __init__(self, path: str | os.PathLike, offset: int, shape: tuple[int, int], dtype: Any):
        self.path = str(path)
        self.offset = int(offset)
        self.dtype = np.dtype(dtype)
        if len(shape) != 2:
            raise ValueError(f"embeddings file {self.path}: must hold a 2-D array, got shape {shape}")
        if not np.issubdtype(self.dtype, np.floating):
            raise ValueError(f"embeddings file {self.path}: must hold floats, got dtype {self.dtype}")
        self.n_rows, self.dim = int(shape[0]), int(shape[1])
        self.row_bytes = self.dim * self.dtype.itemsize

    @classmethod
    def from_npy(cls, path: str | os.PathLike) -> NpyFileSource:
        """Open a `.npy` file; `ValueError` naming the file when it is not a readable 2-D float
        `.npy` array or is shorter than its header says."""
        try:
            with open(path, "rb") as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                else:
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                offset = f.tell()
        except (ValueError, EOFError, OSError, SyntaxError, TypeError) as err:
            raise ValueError(f"embeddings file {path}: not a readable .npy file ({type(err).__name__}: {err})") from err
        if fortran:
            raise ValueError(f"embeddings file {path}: Fortran-ordered .npy is not supported; save it C-ordered")
        src = cls(path, offset, shape, dtype)
        size = os.path.getsize(path)
        if size < offset + src.n_rows * src.row_bytes:
            raise ValueError(
                f"embeddings file {path}: truncated: its header says {src.n_rows} rows of {src.dim} "
                f"{src.dtype} ({offset + src.n_rows * src.row_bytes} bytes) but the file has {size} bytes"
            )
        return src

    @classmethod
    def from_memmap(cls, mm: np.memmap) -> NpyFileSource:
        if mm.filename is None or not mm.flags.c_contiguous or mm.ndim != 2:
            raise ValueError("embeddings memmap must be a 2-D, C-contiguous view of a file")
        import mmap

        # only the memmap itself knows its file offset; a slice of it inherits the parent's
        if not isinstance(mm.base, mmap.mmap):
            raise ValueError("embeddings memmap: pass the memmap itself, not a slice or view of it")
        base_offset = int(getattr(mm, "offset", 0))
        return cls(mm.filename, base_offset, tuple(mm.shape), mm.dtype)

    def read(self, start: int, stop: int) -> np.ndarray:
        n = stop - start
        out = np.empty((n, self.dim), dtype=self.dtype)
        buf = memoryview(out).cast("B")
        fd = os.open(self.path, os.O_RDONLY)
        try:
            pos, want = 0, n * self.row_bytes
            while pos < want:
                got = os.preadv(fd, [buf[pos:]], self.offset + start * self.row_bytes + pos)
                if got <= 0:
                    raise ValueError(f"embeddings file {self.path}: truncated at row {start + pos // self.row_bytes}")
                pos += got
        finally:
            os.close(fd)
        return out


class ParquetSource(EmbeddingSource):
    """A Parquet file with one list / fixed-size-list column of floats (default `embedding`)."""

    def __init__(self, path: str | os.PathLike, column: str | None = None):
        try:
            import pyarrow.parquet as pq
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("reading .parquet embeddings needs pyarrow: pip install 'dltheory[semdedup]'") from err
        self.path = str(path)
        try:
            self._pf = pq.ParquetFile(self.path)
        except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
            raise ValueError(f"embeddings file {self.path}: not a readable Parquet file ({type(err).__name__}: {err})") from err
        names = self._pf.schema_arrow.names
        if column is None:
            for cand in ("embedding", "embeddings", "emb", "vector"):
                if cand in names:
                    column = cand
                    break
            else:
                raise ValueError(f"embeddings file {self.path}: no column named embedding/emb/vector; pass column=")
        if column not in names:
            raise ValueError(f"embeddings file {self.path}: column {column!r} not found (have {names})")
        self.column = column
        self.n_rows = int(self._pf.metadata.num_rows)
        first = next(self._pf.iter_batches(batch_size=1, columns=[column]), None)
        if first is None:
            raise ValueError(f"embeddings file {self.path}: empty")
        self.dim = int(self._to_numpy(first.column(0)).shape[1])

    @staticmethod
    def _to_numpy(col) -> np.ndarray:
        flat = col.flatten().to_numpy(zero_copy_only=False)
        n = len(col)
        return flat.reshape(n, -1) if n else flat.reshape(0, 0)

    def iter_blocks(self, block_rows: int) -> Iterator[tuple[int, np.ndarray]]:
        start = 0
        for batch in self._pf.iter_batches(batch_size=block_rows, columns=[self.column]):
            arr = self._to_numpy(batch.column(0))
            if arr.shape[1] != self.dim:
                raise ValueError(f"embeddings file {self.path}: ragged embedding lengths near row {start}")
            yield start, arr
            start += len(arr)

    def read(self, start: int, stop: int) -> np.ndarray:
        out = []
        for s, blk in self.iter_blocks(65536):
            e = s + len(blk)
            if e <= start:
                continue
            if s >= stop:
                break
            out.append(blk[max(start - s, 0) : min(stop, e) - s])
        return np.concatenate(out) if out else np.empty((0, self.dim), np.float32)


class ShardedSource(EmbeddingSource):
    """Several sources stacked in order (a folder of shards)."""

    def __init__(self, shards: Sequence[EmbeddingSource]):
        if not shards:
            raise ValueError("embeddings: no shards found")
        dims = {s.dim for s in shards}
        if len(dims) != 1:
            raise ValueError(f"embeddings shards disagree on the dimension: {sorted(dims)}")
        self.shards = list(shards)
        self.dim = dims.pop()
        self.starts = np.cumsum([0] + [s.n_rows for s in self.shards])
        self.n_rows = int(self.starts[-1])

    def iter_blocks(self, block_rows: int) -> Iterator[tuple[int, np.ndarray]]:
        for base, shard in zip(self.starts[:-1], self.shards):
            for s, blk in shard.iter_blocks(block_rows):
                yield int(base) + s, blk

    def read(self, start: int, stop: int) -> np.ndarray:
        out = []
        for i, shard in enumerate(self.shards):
            lo, hi = int(self.starts[i]), int(self.starts[i + 1])
            if hi <= start or lo >= stop:
                continue
            out.append(shard.read(max(start, lo) - lo, min(stop, hi) - lo))
        return np.concatenate(out) if out else np.empty((0, self.dim), np.float32)


def _file_source(path: Path, column: str | None) -> EmbeddingSource:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return NpyFileSource.from_npy(path)
    if suffix == ".parquet":
        return ParquetSource(path, column)
    raise ValueError(f"embeddings: unsupported file type {path.name!r} (use .npy or .parquet)")


def shard_files(folder: str | os.PathLike) -> list[Path]:
    """The shards of a folder: its `.npy` and `.parquet` files, in name order.

    Hidden entries (names starting with `.`) are ignored. Anything else (other files,
    subfolders) makes it refuse with `ValueError` listing what it would have skipped, so a
    folder is never read in part silently.
    """
    path = Path(folder)
    files, other = [], []
    for p in sorted(path.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_file() and p.suffix.lower() in (".npy", ".parquet"):
            files.append(p)
        else:
            other.append(p.name + ("/" if p.is_dir() else ""))
    if other:
        shown = ", ".join(other[:10]) + (f", ... ({len(other)} in all)" if len(other) > 10 else "")
        raise ValueError(
            f"embeddings: folder {path} holds entries that are not .npy or .parquet shards: {shown}; "
            "move them out (or pass the shard paths as a list) so that no rows are skipped silently"
        )
    if not files:
        raise ValueError(f"embeddings: folder {path} holds no .npy or .parquet shards")
    return files


def as_source(embeddings: Any, column: str | None = None) -> EmbeddingSource:
    """Turn what the user passed into an `EmbeddingSource`.

    Accepted: a 2-D float array (in memory), a `numpy.memmap` (read with `pread`), a path
    to a `.npy` or `.parquet` file, a folder of such shards (taken in name order; a folder
    holding anything else is refused, see `shard_files`), a list of shard paths, or an
    `EmbeddingSource`.

    **Raises:** `ValueError` for anything else, naming the argument.
    """
    if isinstance(embeddings, EmbeddingSource):
        return embeddings
    if isinstance(embeddings, np.memmap) and embeddings.filename is not None:
        try:
            return NpyFileSource.from_memmap(embeddings)
        except ValueError:
            return ArraySource(np.asarray(embeddings))
    if isinstance(embeddings, np.ndarray):
        return ArraySource(embeddings)
    if isinstance(embeddings, (str, os.PathLike)):
        path = Path(embeddings)
        if path.is_dir():
            return ShardedSource([_file_source(p, column) for p in shard_files(path)])
        if not path.exists():
            raise ValueError(f"embeddings: {path} does not exist")
        return _file_source(path, column)
    if isinstance(embeddings, (list, tuple)) and embeddings and all(isinstance(p, (str, os.PathLike)) for p in embeddings):
        return ShardedSource([_file_source(Path(p), column) for p in embeddings])
    raise ValueError(
        "embeddings must be a 2-D float array, a numpy memmap, a .npy/.parquet path, a folder of shards, "
        f"or a list of shard paths; got {type(embeddings).__name__}"
    )
