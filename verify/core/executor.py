"""Executing cells: inline, in local processes (spawn), or on a Dask cluster.

All backends call the same `execute_cell` and write to the same run store, so a sweep gives
identical results on every backend and resumes the same way. Local processes use the
*spawn* start method: JAX is multithreaded and must not be forked.

Cells are scheduled by need (`payload["need"]`, from `Claim.need`): a "gpu" cell runs in a
GPU worker, one process per CUDA device that owns its CUDA context (the local backend), or
on a Dask worker that declares the `{"GPU": 1}` resource (as dask-cuda's workers do); "cpu"
cells fill the CPU workers, which see no GPU when GPU workers exist. Without GPU workers
every cell runs in the CPU pool.
"""

from __future__ import annotations

import functools
import math
import os
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from verify.core.claims import Measurement, Prediction, SkipClaim
from verify.core.spec import CellSpec

__all__ = ["execute_cell", "Executor", "ProcessExecutor", "DaskExecutor", "make_executor", "resolve_workers", "worker_name",
           "CellPayload"]

CellPayload = dict[str, Any]

#: A cell is deferred (see `execute_cell`) only if it meets a busy shared experiment within
#: this many seconds of its start: work done before that is done again when it reruns.
DEFER_WITHIN_S = 5.0
#: How often one cell may be deferred; after that it waits on the lock as any other.
MAX_DEFERRALS = 5
#: While cells are parked, how often the executor looks whether their experiment is done.
POLL_S = 0.5


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


def worker_name() -> str:
    """The name of the worker running this cell: a Dask worker's name, a local worker's
    (`cpu`, `gpu0`, ...), or `main` (inline)."""
    if "distributed" in sys.modules:
        try:
            from distributed import get_worker

            return str(get_worker().name)
        except (ImportError, ValueError):
            pass
    return os.environ.get("DLTHEORY_WORKER", "main")


def _find_claim(claim_id: str, plugins: tuple[str, ...]):
    """The claim of a cell: a paper's claim from its own module only; a plugin's from the
    plugin modules first (a fresh worker then imports no paper), else `find_claim`."""
    import importlib

    from verify.core.claims import Claim
    from verify.core.registry import find_claim, paper_modules

    if claim_id.split(".", 1)[0] not in paper_modules():
        for name in plugins:
            try:
                mod = importlib.import_module(name)
            except Exception:  # noqa: BLE001 - find_claim reports it
                break
            for c in getattr(mod, "CLAIMS", ()):
                if isinstance(c, Claim) and c.id == claim_id:
                    return c
    return find_claim(claim_id, plugins)


def execute_cell(payload: CellPayload) -> tuple[dict[str, Any], Any]:
    """Run one cell and store it. Returns `(outcome, prediction_or_measurement_or_None)`.

    `payload` keys: `cell` (CellSpec fields), `store_root`, `suite`, `device` (the cell's
    `ctx.device`), `need` ("gpu" or "cpu": where the executor runs it), `data_dir`,
    `plugins`, `threads`, `sys_path`, `refresh_shared` (a token per `--force` run:
    `ctx.shared` experiments computed by another run are recomputed, once per run), and
    `may_defer`: when true, a cell that asks within its first `DEFER_WITHIN_S` seconds
    for a shared experiment another worker is computing returns at once with status
    "deferred" (nothing stored) instead of waiting on the lock; the executor runs it again
    later (see `ProcessExecutor.map`).

    The outcome records the cell's wall and CPU seconds, its device and need, the worker
    (`worker`, `pid`, `host`) and its start and end (`t_start`, `t_end`, epoch seconds).

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
    from verify.core.store import RunStore, SharedBusy, roundtrip

    spec = CellSpec(**payload["cell"])
    store = RunStore(payload["store_root"], payload["suite"])
    t_start = time.time()
    t0, c0 = time.perf_counter(), time.process_time()
    outcome: dict[str, Any] = {"status": "ok", "message": "", "role": spec.role, "seed": spec.seed, "variant": spec.variant}
    obj: Any = None

    def may_defer() -> bool:
        return bool(payload.get("may_defer")) and time.perf_counter() - t0 < DEFER_WITHIN_S

    try:
        claim = _find_claim(spec.claim_id, tuple(payload.get("plugins", ())))
        ctx = RunContext(
            claim_id=spec.claim_id,
            profile=spec.profile,
            config=spec.config,
            seed=spec.seed,
            role=spec.role,
            device=payload.get("device", "cpu"),
            data_dir=payload.get("data_dir"),
            _shared=functools.partial(store.shared, refresh=payload.get("refresh_shared"), may_defer=may_defer),
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
    except SharedBusy as e:
        outcome.update(status="deferred", message=f"shared experiment {e} is being computed by another worker",
                       busy_lock=e.lock)
        obj = None
    except Exception as e:  # noqa: BLE001 - a crashing claim is an ERROR, the others go on
        outcome.update(status="error", message=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        obj = None
    outcome["wall_s"] = time.perf_counter() - t0
    outcome["cpu_s"] = time.process_time() - c0
    outcome["device"] = payload.get("device", "cpu")
    outcome.update(need=payload.get("need", "cpu"), worker=worker_name(), pid=os.getpid(), host=socket.gethostname(),
                   t_start=t_start, t_end=time.time())
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
    """Map `execute_cell` over payloads; yields `(index, outcome, obj)` as cells finish.

    The base class runs every cell inline, in this process, in order."""

    name = "inline"
    cpu_workers = 1
    gpu_workers = 0

    def __init__(self, threads: int | None = None):
        #: intra-op threads for the inline cells (`--threads`, `$DLTHEORY_THREADS`, else
        #: every core); None leaves this process's settings alone
        self.threads = threads

    def map(self, payloads: list[CellPayload]) -> Iterator[tuple[int, dict[str, Any], Any]]:
        for i, p in enumerate(payloads):
            if self.threads and not p.get("threads"):
                p = dict(p, threads=self.threads)
            outcome, obj = execute_cell(p)
            yield i, outcome, obj

    def describe(self) -> str:
        """One line for the report: backend and workers."""
        if self.name == "inline":
            return "inline"
        gpu = f" + {self.gpu_workers} GPU" if self.gpu_workers else ""
        return f"{self.name}: {self.cpu_workers} CPU{gpu} worker{'s' if self.cpu_workers + self.gpu_workers > 1 else ''}"

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


def _worker_init(threads: int, sys_path: list[str], parent_pid: int | None = None, name: str = "cpu",
                 cuda_visible: str | None = None) -> None:
    # before anything touches CUDA: a GPU worker sees its one device, a CPU worker none
    if cuda_visible is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = cuda_visible
    os.environ["DLTHEORY_WORKER"] = name
    if parent_pid is not None:
        start_parent_watchdog(parent_pid)
    for p in sys_path:
        if p not in sys.path:
            sys.path.insert(0, p)
    os.environ.setdefault("DLTHEORY_PROGRESS", "0")
    from verify.core.device import limit_threads

    limit_threads(threads)


def _visible_devices(n_devices: int) -> list[str]:
    """The CUDA device ids this process may hand out (its own CUDA_VISIBLE_DEVICES, else
    0..n-1)."""
    parent = os.environ.get("CUDA_VISIBLE_DEVICES")
    if parent is not None and parent.strip():
        ids = [x.strip() for x in parent.split(",") if x.strip()]
        return ids[:n_devices] if n_devices > 0 else ids
    return [str(i) for i in range(max(0, n_devices))]


def _is_gpu(payload: CellPayload) -> bool:
    return payload.get("need") == "gpu"


def _failed(payload: CellPayload, message: str, worker: str) -> dict[str, Any]:
    cell = payload.get("cell", {})
    return {"status": "error", "message": message, "role": cell.get("role"), "seed": cell.get("seed"),
            "variant": cell.get("variant"), "need": payload.get("need", "cpu"), "device": payload.get("device", "cpu"),
            "worker": worker}


class ProcessExecutor(Executor):
    """Local worker processes (spawn start method): a pool of `cpu_workers` CPU workers and
    `gpu_workers` GPU workers, each GPU worker a process of its own pinned to one device
    (`CUDA_VISIBLE_DEVICES`; workers beyond the device count share devices round robin).
    GPU cells go to the GPU workers one at a time each, in the order given; CPU cells, and
    every cell when there is no GPU worker, to the CPU pool. When GPU workers exist, the
    CPU workers see no GPU, so the GPU workers own the CUDA contexts."""

    name = "processes"

    def __init__(self, jobs: int, threads: int, gpu_workers: int = 0, n_devices: int = 0):
        import multiprocessing as mp

        if jobs < 1:
            raise ValueError("--jobs must be >= 1")
        if gpu_workers < 0:
            raise ValueError("--gpu-workers must be >= 0")
        self.jobs = self.cpu_workers = jobs
        self.gpu_workers = gpu_workers
        self.threads = threads
        self._ctx = mp.get_context("spawn")
        cpu_visible = "" if gpu_workers > 0 and n_devices > 0 else None
        self.pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=self._ctx, initializer=_worker_init,
            initargs=(threads, list(sys.path), os.getpid(), "cpu", cpu_visible),
        )
        ids = _visible_devices(n_devices)
        self._gpu_visible = [ids[k % len(ids)] if ids else None for k in range(gpu_workers)]
        self.gpu_pools: list[ProcessPoolExecutor] = [self._new_gpu_pool(k) for k in range(gpu_workers)]

    def _new_gpu_pool(self, k: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1, mp_context=self._ctx, initializer=_worker_init,
            initargs=(self.threads, list(sys.path), os.getpid(), f"gpu{k}", self._gpu_visible[k]),
        )

    def _restart_gpu_pool(self, k: int) -> None:
        """A GPU worker died (out of memory, a driver fault): start a fresh one for the
        cells still to come."""
        old = self.gpu_pools[k]
        for proc in list(getattr(old, "_processes", {}).values()):
            proc.terminate()
        old.shutdown(wait=False, cancel_futures=True)
        self.gpu_pools[k] = self._new_gpu_pool(k)

    def map(self, payloads):
        """Run the cells in the order given, `cpu_workers` CPU cells and one GPU cell per GPU
        worker in flight. A cell that meets a shared experiment another worker is computing
        comes back "deferred" (see `execute_cell`): it is parked, the worker takes the next
        cell, and the parked cell goes back to the front of its queue as soon as the
        experiment's lock is free (checked whenever a cell finishes, and every
        `POLL_S` seconds while cells are parked), at most `MAX_DEFERRALS` times; its outcome
        then counts `deferrals` and the `deferred_s` spent. Parked cells with nothing else in
        flight run at once, without deferral."""
        from verify.core.store import lock_is_free

        futures: dict[Future, tuple[int, int | None]] = {}
        cpu_queue: deque[int] = deque()
        gpu_queue: deque[int] = deque()

        def queue_of(i: int) -> deque[int]:
            return gpu_queue if self.gpu_pools and _is_gpu(payloads[i]) else cpu_queue

        for i in range(len(payloads)):
            queue_of(i).append(i)
        busy = [False] * len(self.gpu_pools)
        deferrals = [0] * len(payloads)
        deferred_s = [0.0] * len(payloads)
        parked: list[tuple[int, str | None]] = []
        cpu_in_flight = 0

        def payload(i: int) -> CellPayload:
            return dict(payloads[i], may_defer=deferrals[i] < MAX_DEFERRALS and bool(futures))

        def release(everything: bool = False) -> None:
            """Parked cells whose experiment is computed go back to the front of their queues."""
            free = [(i, lock) for i, lock in parked if everything or lock is None or lock_is_free(lock)]
            for i, _lock in reversed(free):
                queue_of(i).appendleft(i)
            parked[:] = [x for x in parked if x not in free]

        def feed() -> None:
            nonlocal cpu_in_flight
            while cpu_queue and cpu_in_flight < self.cpu_workers:
                i = cpu_queue.popleft()
                futures[self.pool.submit(execute_cell, payload(i))] = (i, None)
                cpu_in_flight += 1
            for k in range(len(self.gpu_pools)):  # one GPU cell in flight per GPU worker
                if busy[k] or not gpu_queue:
                    continue
                i = gpu_queue.popleft()
                p = payload(i)
                try:
                    f = self.gpu_pools[k].submit(execute_cell, p)
                except (BrokenProcessPool, RuntimeError):
                    self._restart_gpu_pool(k)
                    f = self.gpu_pools[k].submit(execute_cell, p)
                futures[f] = (i, k)
                busy[k] = True

        feed()
        while futures:
            done, _ = wait(list(futures), timeout=POLL_S if parked else None, return_when=FIRST_COMPLETED)
            finished = []
            for f in done:
                i, k = futures.pop(f)
                try:
                    outcome, obj = f.result()
                except Exception as e:  # a worker died (e.g. out of memory)
                    who = f"gpu{k}" if k is not None else "cpu"
                    outcome, obj = _failed(payloads[i], f"worker failed: {type(e).__name__}: {e}", who), None
                    if k is not None:
                        self._restart_gpu_pool(k)
                if k is not None:
                    busy[k] = False
                else:
                    cpu_in_flight -= 1
                if outcome.get("status") == "deferred":
                    deferrals[i] += 1
                    deferred_s[i] += float(outcome.get("wall_s") or 0.0)
                    parked.append((i, outcome.get("busy_lock")))
                    continue
                if deferrals[i]:
                    outcome.update(deferrals=deferrals[i], deferred_s=deferred_s[i])
                finished.append((i, outcome, obj))
            if parked:
                release(everything=not futures and not cpu_queue and not gpu_queue)
            feed()
            yield from finished

    def close(self, wait: bool = True) -> None:
        for pool in [self.pool, *self.gpu_pools]:
            if not wait:  # interrupted: stop the workers now rather than let them finish
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.terminate()
            pool.shutdown(wait=wait, cancel_futures=True)


class DaskExecutor(Executor):
    """A Dask cluster: `address` connects to a running scheduler, else a local cluster of
    `jobs` CPU workers plus `gpu_workers` workers that declare the `{"GPU": 1}` resource.

    GPU cells are submitted with `resources={"GPU": 1}` (and a higher priority), so a
    cluster with GPU workers (dask-cuda's declare the resource) runs them there; a cluster
    without any runs them on any worker."""

    name = "dask"

    def __init__(self, address: str | None, jobs: int, threads: int, gpu_workers: int = 0, n_devices: int = 0):
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:  # HELM #1944: say which extra to install
            raise RuntimeError("the Dask backend needs the 'dask' extra: pip install 'dltheory[dask]'") from e
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])
        self.cluster = None
        self.cpu_workers, self.gpu_workers = max(1, jobs), max(0, gpu_workers)
        if address:
            self.client = Client(address)
        elif self.gpu_workers:
            self.cluster = _mixed_cluster(self.cpu_workers, self.gpu_workers, _visible_devices(n_devices))
            self.client = Client(self.cluster)
        else:
            self.cluster = LocalCluster(
                n_workers=self.cpu_workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self.cluster)
        self.threads = threads

    def _gpu_resource(self) -> bool:
        """Whether a worker of the cluster declares the GPU resource."""
        try:
            workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        except TypeError:  # older distributed: no n_workers argument
            workers = self.client.scheduler_info().get("workers", {})
        return any((w.get("resources") or {}).get("GPU", 0) >= 1 for w in workers.values())

    def describe(self) -> str:
        if self.cluster is None:
            return "dask: remote cluster"
        return super().describe()

    def map(self, payloads):
        from distributed import as_completed

        routed = self._gpu_resource()
        futs = {}
        for i, p in enumerate(payloads):
            p = dict(p, threads=p.get("threads") or self.threads)
            extra = {"resources": {"GPU": 1}, "priority": 1} if routed and _is_gpu(p) else {}
            key = f"cell-{i}-{p['cell']['claim_id']}-{time.time_ns()}"
            futs[self.client.submit(execute_cell, p, pure=False, key=key, **extra)] = i
        for f in as_completed(list(futs)):
            i = futs[f]
            try:
                outcome, obj = f.result()
            except Exception as e:
                outcome, obj = _failed(payloads[i], f"dask task failed: {type(e).__name__}: {e}", "dask"), None
            yield i, outcome, obj

    def close(self, wait: bool = True) -> None:
        if not wait:
            self.client.cancel(list(self.client.futures.values()) if hasattr(self.client, "futures") else [])
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _mixed_cluster(cpu_workers: int, gpu_workers: int, device_ids: list[str]):
    """A local Dask cluster of `cpu_workers` workers (named cpu-0, ...) and `gpu_workers`
    workers with the `{"GPU": 1}` resource (gpu-0, ...; each pinned to one device where
    there are devices, the CPU workers then seeing none)."""
    import logging

    from distributed import Nanny, Scheduler, SpecCluster

    def spec(resources=None, env=None):
        opts: dict[str, Any] = {"nthreads": 1, "silence_logs": logging.WARN}
        if resources:
            opts["resources"] = resources
        if env:
            opts["env"] = env
        return {"cls": Nanny, "options": opts}

    hide = {"CUDA_VISIBLE_DEVICES": ""} if device_ids else None
    workers = {f"cpu-{i}": spec(env=hide) for i in range(cpu_workers)}
    for k in range(gpu_workers):
        env = {"CUDA_VISIBLE_DEVICES": device_ids[k % len(device_ids)]} if device_ids else None
        workers[f"gpu-{k}"] = spec(resources={"GPU": 1}, env=env)
    scheduler = {"cls": Scheduler, "options": {"dashboard_address": None}}
    return SpecCluster(workers=workers, scheduler=scheduler, silence_logs=logging.WARN)


def resolve_workers(jobs: int | str = 1, device: str = "cpu", gpu_workers: int | None = None,
                    n_devices: int | None = None) -> tuple[int, int]:
    """`(cpu_workers, gpu_workers)` for `--jobs` and `--gpu-workers`.

    `jobs="auto"`: one CPU worker per core (`available_cores()`); an integer is the number
    of CPU workers. `gpu_workers=None`: one per CUDA device when `device == "cuda"` (none
    with `--jobs 1`, which stays inline), else 0 (GPU cells then run in the CPU pool)."""
    from verify.core.device import available_cores, cuda_device_count

    if isinstance(jobs, str):
        if jobs.strip().lower() != "auto":
            try:
                jobs = int(jobs)
            except ValueError:
                raise ValueError(f"--jobs must be 'auto' or an integer >= 1, not {jobs!r}") from None
        else:
            jobs = -1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or (jobs < 1 and jobs != -1):
        raise ValueError("--jobs must be >= 1")
    if gpu_workers is not None and (isinstance(gpu_workers, bool) or not isinstance(gpu_workers, int) or gpu_workers < 0):
        raise ValueError("--gpu-workers must be >= 0")
    auto = jobs == -1
    cpu = available_cores() if auto else jobs
    if gpu_workers is None:
        if device == "cuda" and (auto or jobs > 1):
            gpu_workers = cuda_device_count() if n_devices is None else n_devices
        else:
            gpu_workers = 0
    return cpu, gpu_workers


def make_executor(jobs: int | str = 1, address: str | None = None, backend: str | None = None, threads: int | None = None,
                  gpu_workers: int | None = None, device: str = "cpu") -> Executor:
    """The executor for `--jobs`, `--gpu-workers`, `--address` and `--backend`.

    One CPU worker and no GPU worker runs inline; more uses spawned local processes (see
    `ProcessExecutor`); an `address` (or `backend="dask"`) uses Dask. `jobs` is an integer
    or `"auto"` (see `resolve_workers`). Threads per worker: `threads`, else
    `$DLTHEORY_THREADS`, else cores // workers."""
    n_devices = None
    if device == "cuda":
        from verify.core.device import cuda_device_count

        n_devices = cuda_device_count()
    cpu, gpu = resolve_workers(jobs, device, gpu_workers, n_devices)
    if threads is None:
        env = os.environ.get("DLTHEORY_THREADS")
        threads = int(env) if env else max(1, math.floor((os.cpu_count() or 1) / (cpu + gpu)))
    if address or backend == "dask":
        return DaskExecutor(address, cpu, threads, gpu, n_devices or 0)
    if cpu == 1 and gpu == 0:
        return Executor(threads)
    return ProcessExecutor(cpu, threads, gpu, n_devices or 0)
