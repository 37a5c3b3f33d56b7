"""Command line of `python -m verify.all` and `python -m verify.<paper>`."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "main_for_paper", "build_parser", "load_conf", "check_writable"]

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(prog: str = "python -m verify.all") -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description="Run the papers' claims, theory vs practice, and write the agreement report.")
    p.add_argument("--profile", default="quick", choices=["tiny", "quick", "gpu", "paper"], help="experiment scale (default: quick; tiny is the tests' CI-sized profile)")
    p.add_argument("--only", action="append", default=[], metavar="GLOB",
                   help="claim ids or paper names to run, e.g. 'lazy_rich*' or 'icl' (repeat or comma-separate)")
    p.add_argument("-r", "--run-entry", action="append", default=[], metavar="ENTRY",
                   help="run entry 'claim_glob:key=value,...'; 'key=a|b' expands a grid, 'seeds=N' sets the seeds")
    p.add_argument("--conf", action="append", default=[], metavar="FILE", help="conf file (TOML) listing run entries with priorities")
    p.add_argument("--priority", type=int, default=None, help="with --conf: run only entries with priority <= N")
    p.add_argument("--list", action="store_true", help="list the selected claims and exit")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default: auto)")
    p.add_argument("--jobs", default=os.environ.get("DLTHEORY_JOBS", "auto"),
                   help="CPU worker processes: 'auto' (default; $DLTHEORY_JOBS overrides it) is one per core; "
                        "1 runs inline")
    p.add_argument("--gpu-workers", type=int, default=None, metavar="N",
                   help="GPU worker processes, one per device, each owning its CUDA context; the cells of claims "
                        "marked device='gpu' run there (default: one per CUDA device with --device cuda and "
                        "--jobs other than 1, else 0: every cell runs in the CPU pool)")
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS/torch/XLA threads per worker (default: $DLTHEORY_THREADS or 1; the claims' small "
                        "workloads run fastest single-threaded, and --jobs spreads claims over cores)")
    p.add_argument("--address", default=None, help="Dask scheduler address tcp://host:port (needs the 'dask' extra)")
    p.add_argument("--backend", default=None, choices=["local", "dask"], help="executor backend (default: local; dask if --address)")
    p.add_argument("--suite", default="latest", help="named report version; runs go to <store>/<suite> (default: latest)")
    p.add_argument("--out", default=None, help="report folder (default: reports/<suite>)")
    p.add_argument("--store", default="runs", help="run store root (default: runs)")
    p.add_argument("--force", action="store_true", help="recompute even what the store already holds")
    p.add_argument("--skip-completed", action="store_true",
                   help="reuse completed runs (the default; kept for HELM users; --force overrides)")
    p.add_argument("--seed", type=int, default=None, help="base seed: practice seeds become SEED, SEED+1, ...")
    p.add_argument("--data-dir", default=None, help="folder with datasets for the paper profile (e.g. CIFAR-10)")
    p.add_argument("--plugins", action="append", default=[], metavar="MODULE", help="extra module(s) defining CLAIMS")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p


CONF_KEYS = ("profile", "entries")
ENTRY_KEYS = ("run", "priority")


def load_conf(path: str | os.PathLike, priority: int | None) -> tuple[list, str | None]:
    """Run entries of a TOML conf file: `profile = "quick"` (optional) and
    `[[entries]] run = "claim_glob:key=v" priority = 1`.

    Raises `ValueError` with one line naming the file (and the entry and key) for a file
    that is missing, a folder, unreadable or malformed TOML, and for a key of the wrong
    type or an unknown key."""
    from verify.core.spec import parse_run_entry

    p = Path(path)
    if not p.exists():
        candidate = Path(__file__).resolve().parents[1] / "conf" / (p.name if p.suffix else p.name + ".toml")
        if candidate.exists():
            p = candidate
        else:
            raise ValueError(f"conf file {str(path)!r} not found")
    if p.is_dir():
        raise ValueError(f"conf {p} is a folder, not a TOML file")
    try:
        with open(p, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"conf {p}: malformed TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"conf {p}: cannot read it: {getattr(e, 'strerror', None) or e}") from None
    unknown = sorted(set(data) - set(CONF_KEYS))
    if unknown:
        raise ValueError(f"conf {p}: unknown key {unknown[0]!r} (a conf has: {', '.join(CONF_KEYS)})")
    profile = data.get("profile")
    if profile is not None and not isinstance(profile, str):
        raise ValueError(f"conf {p}: 'profile' must be a string such as \"quick\", not {profile!r}")
    raw_entries = data.get("entries", [])
    if not isinstance(raw_entries, list):
        raise ValueError(f"conf {p}: 'entries' must be an array of tables ([[entries]] with run = ...), "
                         f"not {type(raw_entries).__name__} {raw_entries!r}")
    entries = []
    for i, e in enumerate(raw_entries, 1):
        where = f"conf {p}: entry {i}"
        if not isinstance(e, dict):
            raise ValueError(f"{where} must be a table ([[entries]] with run = ...), not {e!r}")
        bad = sorted(set(e) - set(ENTRY_KEYS))
        if bad:
            raise ValueError(f"{where}: unknown key {bad[0]!r} (an entry has: {', '.join(ENTRY_KEYS)})")
        if "run" not in e:
            raise ValueError(f"{where} needs a 'run' (e.g. run = \"lazy_rich.delta_conserved\")")
        if not isinstance(e["run"], str):
            raise ValueError(f"{where}: 'run' must be a string such as \"claim_glob:key=value\", not {e['run']!r}")
        prio = e.get("priority", 1)
        if isinstance(prio, bool) or not isinstance(prio, int):
            raise ValueError(f"{where}: 'priority' must be an integer, not {prio!r}")
        try:
            entry = parse_run_entry(e["run"], priority=prio)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
        if priority is None or prio <= priority:
            entries.append(entry)
    return entries, profile


def _message(e: BaseException) -> str:
    """The one-line text of an error, quotes kept (a KeyError's str() adds its own)."""
    if isinstance(e, KeyError) and e.args:
        return str(e.args[0])
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def check_writable(path: Path, what: str) -> None:
    """Make sure `path` is (or can be made) a writable folder, before any work: raises
    `ValueError` with one line naming it."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder")
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        why = e.strerror or str(e)
        if isinstance(e, (FileExistsError, NotADirectoryError)):
            why = "a file is in the way" if not isinstance(e, NotADirectoryError) else "a path component is a file, not a folder"
        raise ValueError(f"{what} {str(path)!r} cannot be written: {why}") from None


def _split(values: Sequence[str]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def main(argv: Sequence[str] | None = None, prog: str = "python -m verify.all", default_only: Sequence[str] = ()) -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.no_progress:
        os.environ["DLTHEORY_PROGRESS"] = "0"
    threads = args.threads if args.threads is not None else int(os.environ.get("DLTHEORY_THREADS", "1"))
    if threads < 1:
        parser.error("--threads must be >= 1")
    os.environ["DLTHEORY_THREADS"] = str(threads)
    from verify.core.device import limit_threads

    limit_threads(threads)  # before any paper module imports JAX or torch
    from theory import enable_x64

    enable_x64()  # the documented switch: no library module changes JAX's config at import

    from verify.core.executor import resolve_workers

    try:
        resolve_workers(args.jobs, "cpu", args.gpu_workers)  # the syntax only; devices are counted later
    except ValueError as e:
        parser.error(_message(e))

    from verify.core.device import select_device
    from verify.core.executor import make_executor
    from verify.core.registry import discover
    from verify.core.reporting import print_summary, write_report
    from verify.core.runner import plan, run_claims
    from verify.core.spec import parse_run_entry
    from verify.core.store import RunStore

    try:
        device = select_device(args.device)
        entries = [parse_run_entry(e) for e in args.run_entry]
        profile = args.profile
        for c in args.conf:
            conf_entries, conf_profile = load_conf(c, args.priority)
            entries += conf_entries
            if conf_profile and "--profile" not in (argv if argv is not None else sys.argv):
                profile = conf_profile
        store = RunStore(args.store, args.suite)
        registry = discover(tuple(args.plugins))
        only = _split(args.only) or list(default_only)
        items = plan(registry, profile, only, entries, seed_base=args.seed, device=device)  # checks overrides
    except (ValueError, KeyError, OSError) as e:
        parser.error(_message(e))
    if not items:
        parser.error(f"no claim matches {', '.join(only) or 'the selection'}")

    if args.list:
        for it in items:
            label = it.spec.label if it.spec else it.claim_id
            extra = f"  [SKIP: {it.skip_reason}]" if it.skip_reason else ("  [ERROR: import]" if it.error else "")
            seeds = f"  seeds={list(it.spec.seeds)}" if it.spec else ""
            gpu = "  [gpu]" if it.spec and it.claim and it.claim.need(it.spec.profile) == "gpu" else ""
            print(f"{label}{seeds}{gpu}{extra}")
        return 0

    out = Path(args.out) if args.out else Path("reports") / args.suite
    try:  # before any work: a run whose report cannot be written is lost
        check_writable(out, "--out")
        check_writable(store.path, "--store")
    except ValueError as e:
        parser.error(_message(e))
    try:
        executor = make_executor(args.jobs, args.address, args.backend, gpu_workers=args.gpu_workers, device=device)
    except (RuntimeError, ValueError) as e:
        parser.error(_message(e))
    t0 = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)  # `timeout` and schedulers send SIGTERM
    interrupted = True
    try:
        claim_results = run_claims(items, store, executor, device=device, force=args.force, data_dir=args.data_dir, plugins=args.plugins)
        results = [r.to_record() for r in claim_results]  # the reports read the JSON records
        interrupted = any(r.get("interrupted") for r in results)
    finally:
        signal.signal(signal.SIGTERM, previous)
        executor.close(wait=not interrupted)
    meta = {
        "suite": args.suite,
        "profile": profile,
        "device": device,
        "jobs": executor.cpu_workers,
        "gpu_workers": executor.gpu_workers,
        "workers": executor.describe(),
        "backend": executor.name,
        "wall_s": time.perf_counter() - t0,
        "command": " ".join([prog, *(argv if argv is not None else sys.argv[1:])]),
        "store": str(store.path),
    }
    write_report(results, out, meta)
    print_summary(results, out, meta)
    if interrupted:
        print(f"interrupted: finished claims are reported and stored under {store.path}; rerun the same command to resume",
              file=sys.stderr)
        return 130
    from verify.core.runner import failing

    bad = [r for r in results if failing(r)]
    return 1 if bad else 0


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main_for_paper(paper: str, argv: Sequence[str] | None = None) -> int:
    """`python -m verify.<paper>`: the same options, restricted to one paper's claims."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return main(argv, prog=f"python -m verify.{paper}", default_only=(f"{paper}.*",))

