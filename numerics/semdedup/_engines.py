"""Engines for the per-cluster stage: in-process, or Dask (clusters are the unit of work).

Every engine runs the same `cluster_max_sim` on the same normalised rows, whose output is
canonical (see `_pairwise`), so the keep-mask is identical across engines by construction;
the tests and `verify/semdedup/` check it.

Dask: tasks carry their rows (scattered to the workers), so no shared filesystem is
needed. Small clusters are bin-packed into one task; a cluster larger than `split_rows` is
split into column ranges \\([s, e)\\), each task holding rows \\([0, e)\\) (the brief's
skew handling). At most `4 x workers` tasks are in flight, which bounds driver memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._pairwise import cluster_max_sim

__all__ = ["run_pairwise", "plan_tasks", "resolve_client"]


def plan_tasks(sizes: np.ndarray, *, target_rows: int, split_rows: int) -> Iterator[list[tuple[int, int, int]]]:
    """Group clusters into tasks of about `target_rows` rows: lists of `(cluster, start, stop)`."""
    task: list[tuple[int, int, int]] = []
    rows = 0
    for c, n in enumerate(np.asarray(sizes, dtype=np.int64)):
        n = int(n)
        if n == 0:
            continue
        if n > split_rows:
            if task:
                yield task
                task, rows = [], 0
            # equal-work column ranges: column j costs ~j, so cut at sqrt-spaced points
            pieces = int(np.ceil(n / split_rows)) ** 2
            cuts = np.unique(np.round(n * np.sqrt(np.arange(pieces + 1) / pieces)).astype(np.int64))
            for s, e in zip(cuts[:-1], cuts[1:]):
                yield [(c, int(s), int(e))]
            continue
        task.append((c, 0, n))
        rows += n
        if rows >= target_rows:
            yield task
            task, rows = [], 0
    if task:
        yield task


def _task(parts: list[tuple[int, int, int, np.ndarray]], block: int, backend: str, device: str):
    out = []
    for c, s, e, E in parts:
        r = cluster_max_sim(E, block=block, start=s, stop=e, backend=backend, device=device)
        out.append((c, s, e, r.max_sim, r.argmax, r.flops, r.n_refined))
    return out


_ADDRESS = re.compile(r"^([a-z][a-z0-9+.-]*://)?[^\s/:]+(:\d+)?$", re.IGNORECASE)


def check_engine(engine: Any) -> None:
    """Raise `ValueError` (before any work) unless `engine` is `"local"`, `None`, `"dask"`, a Dask
    scheduler address (`"tcp://host:8786"`, `"host:8786"`) or a `distributed.Client`."""
    if engine is None or engine in ("local", "dask"):
        return
    if isinstance(engine, str):
        if ":" in engine and _ADDRESS.match(engine):
            return
        raise ValueError(
            f"engine must be 'local', 'dask' or a Dask scheduler address such as 'tcp://host:8786', got {engine!r}"
        )
    try:
        import distributed
    except ImportError:
        distributed = None
    if distributed is not None and isinstance(engine, distributed.Client):
        return
    raise ValueError(f"engine must be 'local', 'dask', a scheduler address or a distributed.Client, got {engine!r}")


def resolve_client(engine: Any, workers: int | None):
    """`(client, owned)` for `engine` = `"dask"` (a new LocalCluster), an address, or a Client."""
    try:
        import distributed
    except ImportError as err:
        raise ImportError(
            "engine='dask' needs dask.distributed; install it with: pip install 'dltheory[dask]'"
        ) from err
    if isinstance(engine, distributed.Client):
        return engine, False
    if engine == "dask":
        cluster = distributed.LocalCluster(
            n_workers=int(workers or 2), threads_per_worker=1, processes=True, dashboard_address=None
        )
        return distributed.Client(cluster), True
    if isinstance(engine, str):
        check_engine(engine)
        try:
            return distributed.Client(engine), True
        except (OSError, TimeoutError) as err:
            raise ValueError(f"engine: cannot reach the Dask scheduler at {engine!r}: {err}") from err
    raise ValueError(f"engine must be 'local', 'dask', a scheduler address or a distributed.Client, got {engine!r}")


def run_pairwise(
    store,
    sizes: np.ndarray,
    *,
    engine: Any = "local",
    workers: int | None = None,
    block: int = 1024,
    backend: str = "numpy",
    device: str = "cpu",
    target_rows: int = 32768,
    split_rows: int = 65536,
    progress=None,
) -> dict[int, list[tuple[int, int, np.ndarray, np.ndarray]]]:
    """Run `cluster_max_sim` over every cluster; return `{cluster: [(start, stop, max_sim, argmax)]}`
    plus totals under the key `-1`: `[(flops, n_refined)]`."""
    results: dict[int, list] = {}
    flops, refined = 0.0, 0
    total = int(np.sum(sizes))
    bar = progress(total=total, desc="semdedup: pairwise") if progress else None

    def _collect(out):
        nonlocal flops, refined
        for c, s, e, ms, am, fl, nr in out:
            results.setdefault(c, []).append((s, e, ms, am))
            flops += fl
            refined += nr
            if bar is not None:
                bar.update(e - s)

    if engine == "local" or engine is None:
        for c, n in enumerate(np.asarray(sizes)):
            if n == 0:
                continue
            E = store.cluster(c)
            r = cluster_max_sim(E, block=block, backend=backend, device=device)
            _collect([(c, 0, int(n), r.max_sim, r.argmax, r.flops, r.n_refined)])
    else:
        client, owned = resolve_client(engine, workers)
        try:
            from distributed import as_completed

            n_workers = max(1, len(client.scheduler_info().get("workers", {})) or int(workers or 1))
            window = 4 * n_workers
            pending = as_completed()
            in_flight = 0
            for task in plan_tasks(sizes, target_rows=target_rows, split_rows=split_rows):
                parts = []
                for c, s, e in task:
                    E = store.cluster(c, stop=e)
                    parts.append((c, s, e, E if isinstance(E, np.ndarray) else E[0 : len(E)]))
                data = client.scatter(parts, direct=False) if sum(p[3].nbytes for p in parts) > (1 << 20) else parts
                pending.add(client.submit(_task, data, block, backend, device, pure=False))
                in_flight += 1
                while in_flight >= window:
                    fut = next(pending)
                    _collect(fut.result())
                    in_flight -= 1
            for fut in pending:
                _collect(fut.result())
        finally:
            if owned:
                cluster = getattr(client, "cluster", None)
                client.close()
                if cluster is not None:
                    cluster.close()
    if bar is not None:
        bar.close()
    results[-1] = [(flops, refined)]
    return results
