"""Executing cells: inline, in local processes (spawn), or on a Dask cluster.

All backends call the same `execute_cell` and write to the same run store, so a sweep gives
identical results on every backend and resumes the same way. Local processes use the
*spawn* start method: JAX is multithreaded and must not be forked.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

import numpy as np

from verify.core.claims import Measurement, Prediction, SkipClaim
from verify.core.spec import CellSpec

__all__ = ["execute_cell", "Executor", "make_executor", "CellPayload"]

CellPayload = dict[str, Any]


def _finite(x: Any) -> bool:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return True  # non-numeric values (e.g. labels) are compared with 'equal'
    return bool(np.all(np.isfinite(a)))


def _summary(x: Any) -> Any:
    a = np.asarray(x)
    if a.dtype == object:
        return repr(x)
    if a.ndim == 0:
        return a.item()
    if a.size <= 64:
        return a.tolist()
    return {"shape": list(a.shape), "min": float(np.min(a)), "max": float(np.max(a)), "mean": float(np.mean(a))}


def execute_cell(payload: CellPayload) -> tuple[dict[str, Any], Any]:
    """Run one cell and store it. Returns `(outcome, prediction_or_measurement_or_None)`.

    `payload` keys: `cell` (CellSpec fields), `store_root`, `suite`, `device`, `data_dir`,
    `plugins`, `threads`, `sys_path`, and `refresh_shared` (a token per `--force` run:
    `ctx.shared` experiments computed by another run are recomputed, once per run).

    The returned object is the one the store gives back (what a rerun will see); a result
    the store cannot hold is an ERROR naming the field and its type.
    """
    for p in payload.get("sys_path", []):
        if p not in sys.path:
            sys.path.insert(0, p)
    threads = payload.get("threads")
    if threads:
        from verify.core.device import limit_threads

        limit_threads(threads)
    from theory import enable_x64
    from verify.core import seeding
    from verify.core.context import RunContext

    enable_x64()  # claims compute in float64; no module switches it on at import
    from verify.core.registry import find_claim
    from verify.core.store import RunStore, roundtrip

    spec = CellSpec(**payload["cell"])
    store = RunStore(payload["store_root"], payload["suite"])
    t0, c0 = time.perf_counter(), time.process_time()
    outcome: dict[str, Any] = {"status": "ok", "message": "", "role": spec.role, "seed": spec.seed, "variant": spec.variant}
    obj: Any = None
    try:
        claim = find_claim(spec.claim_id, tuple(payload.get("plugins", ())))
        ctx = RunContext(
            claim_id=spec.claim_id,
            profile=spec.profile,
            config=spec.config,
            seed=spec.seed,
            role=spec.role,
            device=payload.get("device", "cpu"),
            data_dir=payload.get("data_dir"),
            _shared=functools.partial(store.shared, refresh=payload.get("refresh_shared")),
        )
        seeding.seed_everything(spec.seed)
        fn = claim.theory if spec.role == "theory" else claim.practice
        obj = fn(ctx)
        wrapper = Prediction if spec.role == "theory" else Measurement
        if not isinstance(obj, wrapper):
            if isinstance(obj, (Prediction, Measurement)):
                raise TypeError(f"{spec.role} returned a {type(obj).__name__}; expected {wrapper.__name__}")
            obj = wrapper(value=obj)
        if not _finite(obj.value):
            outcome.update(status="error", message=f"{spec.role} value is not finite (NaN or inf)")
        elif obj.stderr is not None and not _finite(obj.stderr):
            outcome.update(status="error", message=f"{spec.role} stderr is not finite")
    except SkipClaim as e:
        outcome.update(status="skip", message=str(e) or "skipped")
        obj = None
    except Exception as e:  # noqa: BLE001 - a crashing claim is an ERROR, the others go on
        outcome.update(status="error", message=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        obj = None
    outcome["wall_s"] = time.perf_counter() - t0
    outcome["cpu_s"] = time.process_time() - c0
    outcome["device"] = payload.get("device", "cpu")
    if obj is not None:
        outcome["value"] = _summary(obj.value)
        if isinstance(obj, Measurement):
            outcome["counters"] = {k: _summary(v) for k, v in obj.counters.items()}
    if outcome["status"] == "ok":
        try:
            obj = roundtrip(obj)  # what the store gives back; raises TypeError if it cannot hold it
            store.write_cell(spec, outcome, obj)
        except TypeError as e:
            outcome.update(status="error", message=f"{spec.role} result cannot be stored: {e}")
            obj = None
        except OSError as e:
            outcome.update(status="error", message=f"cannot write the {spec.role} cell to the run store: {e}")
    return outcome, obj


class Executor:
    """Map `execute_cell` over payloads; yields `(index, outcome, obj)` as cells finish."""

    name = "inline"

    def map(self, payloads: list[CellPayload]) -> Iterator[tuple[int, dict[str, Any], Any]]:
        for i, p in enumerate(payloads):
            outcome, obj = execute_cell(p)
            yield i, outcome, obj

    def close(self, wait: bool = True) -> None:  # pragma: no cover - trivial
        pass


#: seconds between a worker's checks that its parent is alive
WATCHDOG_INTERVAL = 0.5


def _watch_parent(parent_pid: int, interval: float = WATCHDOG_INTERVAL) -> None:
    """Exit this process as soon as `parent_pid` is no longer its parent (the parent was
    killed, even with SIGKILL, and this process was re-parented): an orphaned worker must
    not stay alive, idle and holding memory, forever."""
    while True:
        time.sleep(interval)
        if os.getppid() != parent_pid:
            os._exit(1)


def start_parent_watchdog(parent_pid: int, interval: float = WATCHDOG_INTERVAL) -> threading.Thread:
    """Start the daemon thread of `_watch_parent`."""
    t = threading.Thread(target=_watch_parent, args=(parent_pid, interval), name="dltheory-parent-watchdog", daemon=True)
    t.start()
    return t


def _worker_init(threads: int, sys_path: list[str], parent_pid: int | None = None) -> None:
    if parent_pid is not None:
        start_parent_watchdog(parent_pid)
    for p in sys_path:
        if p not in sys.path:
            sys.path.insert(0, p)
    os.environ.setdefault("DLTHEORY_PROGRESS", "0")
    from verify.core.device import limit_threads

    limit_threads(threads)


class ProcessExecutor(Executor):
    """Local worker processes (spawn start method)."""

    name = "processes"

    def __init__(self, jobs: int, threads: int):
        import multiprocessing as mp

        self.jobs = jobs
        self.pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=mp.get_context("spawn"), initializer=_worker_init,
            initargs=(threads, list(sys.path), os.getpid()),
        )

    def map(self, payloads):
        futures: dict[Future, int] = {self.pool.submit(execute_cell, p): i for i, p in enumerate(payloads)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                i = futures[f]
                try:
                    outcome, obj = f.result()
                except Exception as e:  # a worker died (e.g. out of memory)
                    outcome, obj = {"status": "error", "message": f"worker failed: {type(e).__name__}: {e}"}, None
                yield i, outcome, obj

    def close(self, wait: bool = True) -> None:
        if not wait:  # interrupted: stop the workers now rather than let them finish
            for proc in list(getattr(self.pool, "_processes", {}).values()):
                proc.terminate()
        self.pool.shutdown(wait=wait, cancel_futures=True)


class DaskExecutor(Executor):
    """A Dask cluster: `address` connects to a running scheduler, else a LocalCluster."""

    name = "dask"

    def __init__(self, address: str | None, jobs: int, threads: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:  # HELM #1944: say which extra to install
            raise RuntimeError("the Dask backend needs the 'dask' extra: pip install 'dltheory[dask]'") from e
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])
        self.cluster = None
        if address:
            self.client = Client(address)
        else:
            self.cluster = LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self.cluster)
        self.threads = threads

    def map(self, payloads):
        from distributed import as_completed

        futs = {}
        for i, p in enumerate(payloads):
            p = dict(p, threads=p.get("threads") or self.threads)
            futs[self.client.submit(execute_cell, p, pure=False, key=f"cell-{i}-{p['cell']['claim_id']}-{time.time_ns()}")] = i
        for f in as_completed(list(futs)):
            i = futs[f]
            try:
                outcome, obj = f.result()
            except Exception as e:
                outcome, obj = {"status": "error", "message": f"dask task failed: {type(e).__name__}: {e}"}, None
            yield i, outcome, obj

    def close(self, wait: bool = True) -> None:
        if not wait:
            self.client.cancel(list(self.client.futures.values()) if hasattr(self.client, "futures") else [])
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(jobs: int = 1, address: str | None = None, backend: str | None = None, threads: int | None = None) -> Executor:
    """`jobs=1` runs inline; `jobs>1` uses spawned local processes; an `address` (or
    `backend="dask"`) uses Dask. Threads per worker: `threads`, else `$DLTHEORY_THREADS`,
    else cores // workers."""
    if jobs < 1:
        raise ValueError("--jobs must be >= 1")
    if threads is None:
        env = os.environ.get("DLTHEORY_THREADS")
        threads = int(env) if env else max(1, math.floor((os.cpu_count() or 1) / jobs))
    if address or backend == "dask":
        return DaskExecutor(address, jobs, threads)
    if jobs == 1:
        return Executor()
    return ProcessExecutor(jobs, threads)
