"""Device-aware scheduling: cells declare what they need (`Claim(device="gpu")`,
`profiles(device=...)`), GPU cells run in the GPU workers (one process per device locally,
workers with the `{"GPU": 1}` resource on Dask), `--jobs auto`, and the summariser of
`benchmarks/gpu_check.sh`.

This module is also the plugin of its own synthetic claims (`--plugins tests.test_scheduling`).
Everything here runs on a CPU: a "GPU worker" without a GPU is still its own process, so the
routing is checked by the worker each cell ran on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.core.claims import Claim, Measurement, Profile, profiles
from verify.core.executor import Executor, execute_cell, make_executor, resolve_workers
from verify.core.registry import Registry
from verify.core.runner import plan, run_claims
from verify.core.store import RunStore

PLUGIN = "tests.test_scheduling"
ROOT = Path(__file__).resolve().parents[1]


def _theory(ctx):
    return 1.0


def _practice(ctx):
    return Measurement(value=1.0, info={"pid": os.getpid(), "device": ctx.device, "tokens_per_s": 1000.0, "flops": 2e6,
                                        "train_s": 0.5})


def _die(ctx):
    if os.environ.get("DLTHEORY_WORKER", "").startswith("gpu"):
        os._exit(3)  # a local GPU worker dying (out of memory, a driver fault)
    raise RuntimeError("dies only in a local GPU worker")


_T = "exact"
MAIN = [
    Claim("sched.train", "A training: needs the GPU.", _theory, _practice, "abs", 0.0, _T, profiles(quick={}, seeds=2),
          device="gpu"),
    Claim("sched.ode", "A small ODE: needs a CPU.", _theory, _practice, "abs", 0.0, _T, profiles(quick={}, seeds=2)),
    Claim("sched.per_profile", "Needs the GPU at the gpu profile only.", _theory, _practice, "abs", 0.0, _T,
          profiles(quick={}, gpu={}, device={"gpu": "gpu"})),
]
def _slow_ensemble(ctx):
    """Every seed reads one batched "ensemble" that takes seconds to compute (as a claim's
    batched training does); the computing worker leaves a mark per computation in
    `$DLTHEORY_TEST_MARKS`."""
    import time

    marks = os.environ["DLTHEORY_TEST_MARKS"]

    def train():
        time.sleep(4.0)
        with open(os.path.join(marks, f"computed-{os.getpid()}-{time.time_ns()}"), "w"):
            pass
        return {"per_seed": [1.0] * 8}

    return Measurement(value=ctx.shared("ensemble", train, per_seed=False, marks=marks)["per_seed"][ctx.seed])


SHARES = [Claim("sched.shares", "Seeds read one batched ensemble.", _theory, _slow_ensemble, "abs", 0.0, _T,
                profiles(quick={}, seeds=3)),
          Claim("sched.other", "Independent cells.", _theory, _practice, "abs", 0.0, _T, profiles(quick={}, seeds=4))]
DYING = Claim("sched.dies", "Its GPU worker dies.", _theory, _die, "abs", 0.0, _T, profiles(quick={}), device="gpu")
CLAIMS = [*MAIN, DYING, *SHARES]


def _registry(*claims: Claim) -> Registry:
    return Registry({c.id: c for c in claims}, {})


# --------------------------------------------------------------------------- declaring needs


def test_needs_theory_cpu_practice_as_declared():
    train, ode, per = MAIN
    assert train.need("quick", "theory") == "cpu" and train.need("quick") == "gpu"
    assert ode.need("quick") == "cpu"
    assert per.need("quick") == "cpu" and per.need("gpu") == "gpu"
    # the profile's own need wins over the claim's; requires="cuda" implies the GPU
    c = Claim("x.y", "s", _theory, _practice, "abs", 0.0, _T, profiles(quick={}, gpu={}, device={"quick": "cpu"}), device="gpu")
    assert c.need("quick") == "cpu" and c.need("gpu") == "gpu"
    req = Claim("x.z", "s", _theory, _practice, "abs", 0.0, _T, profiles(gpu={}, gpu_requires_cuda=True))
    assert req.need("gpu") == "gpu" and req.need("tiny") == "cpu"


@pytest.mark.parametrize("build", [
    lambda: Claim("x.y", "s", _theory, _practice, "abs", 0.0, _T, profiles(quick={}), device="cuda"),
    lambda: profiles(quick={}, device="tpu"),
    lambda: profiles(quick={}, device={"quik": "gpu"}),
    lambda: Profile(device="GPU"),
])
def test_bad_need_is_a_value_error(build):
    with pytest.raises(ValueError, match="device|profile"):
        build()


def test_need_leaves_every_hash_unchanged():
    """Marking a claim gpu reuses its stored cells: the need is not part of any hash."""
    plain = Claim("sched.train", "s", _theory, _practice, "abs", 0.0, _T, profiles(quick={}, seeds=2))
    a = plan(_registry(plain), "quick")[0].spec
    b = plan(_registry(MAIN[0]), "quick")[0].spec
    assert a.hash == b.hash and [c.hash for c in a.cells()] == [c.hash for c in b.cells()]


class _Recorder(Executor):
    """Records the payloads; runs nothing."""

    name = "recorder"

    def __init__(self):
        self.payloads = []

    def map(self, payloads):
        self.payloads = list(payloads)
        for i, p in enumerate(payloads):
            yield i, {"status": "skip", "message": "recorded", "role": p["cell"]["role"], "seed": p["cell"]["seed"]}, None


def test_payloads_carry_need_and_ctx_device(tmp_path):
    """On a cuda run a GPU cell gets ctx.device 'cuda', every other cell 'cpu'."""
    rec = _Recorder()
    items = plan(_registry(*MAIN), "quick", device="cuda")
    run_claims(items, RunStore(tmp_path, "s"), rec, device="cuda")
    got = {(p["cell"]["claim_id"], p["cell"]["role"], p["cell"]["seed"]): (p["need"], p["device"]) for p in rec.payloads}
    assert all(v == ("cpu", "cpu") for k, v in got.items() if k[1] == "theory")
    assert got[("sched.train", "practice", 0)] == ("gpu", "cuda") == got[("sched.train", "practice", 1)]
    assert got[("sched.ode", "practice", 0)] == ("cpu", "cpu")
    assert got[("sched.per_profile", "practice", 0)] == ("cpu", "cpu")
    # a CPU run: every cell on the CPU, the need still recorded
    rec = _Recorder()
    run_claims(plan(_registry(*MAIN), "quick"), RunStore(tmp_path, "t"), rec, device="cpu")
    assert {p["device"] for p in rec.payloads} == {"cpu"}
    assert {p["need"] for p in rec.payloads} == {"cpu", "gpu"}


# --------------------------------------------------------------------------- workers


def test_resolve_workers(monkeypatch):
    import verify.core.device as dev

    monkeypatch.setattr(dev, "available_cores", lambda: 16)
    monkeypatch.setattr(dev, "cuda_device_count", lambda: 2)
    assert resolve_workers("auto", "cpu") == (16, 0)
    assert resolve_workers("auto", "cuda") == (16, 2)  # one per core plus one per device
    assert resolve_workers("4", "cuda") == (4, 2)
    assert resolve_workers(1, "cuda") == (1, 0)  # --jobs 1 stays inline
    assert resolve_workers(1, "cuda", gpu_workers=1) == (1, 1)
    assert resolve_workers(8, "cuda", gpu_workers=0) == (8, 0)
    assert resolve_workers("auto", "cuda", n_devices=1) == (16, 1)
    for bad in ("0", "two", -3, 0):
        with pytest.raises(ValueError, match="--jobs"):
            resolve_workers(bad, "cpu")
    with pytest.raises(ValueError, match="--gpu-workers"):
        resolve_workers(2, "cpu", gpu_workers=-1)
    ex = make_executor(1)
    assert type(ex) is Executor and ex.describe() == "inline"


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "0"], "--jobs must be >= 1"),
    (["--jobs", "many"], "--jobs must be 'auto' or an integer"),
    (["--gpu-workers", "-1"], "--gpu-workers must be >= 0"),
])
def test_bad_worker_flags_are_one_line_errors(tmp_path, capsys, argv, message):
    from verify.core.cli import main

    with pytest.raises(SystemExit) as e:
        main(["--plugins", PLUGIN, "--only", "sched.ode", "--store", str(tmp_path), *argv])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_list_marks_gpu_claims(tmp_path, capsys):
    from verify.core.cli import main

    assert main(["--plugins", PLUGIN, "--only", "sched.train,sched.ode", "--store", str(tmp_path), "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "sched.train  seeds=[0, 1]  [gpu]" in out and "sched.ode  seeds=[0, 1]" in out


def test_jobs_auto_is_the_default_and_env_overrides(monkeypatch):
    from verify.core.cli import build_parser

    monkeypatch.delenv("DLTHEORY_JOBS", raising=False)
    assert build_parser().parse_args([]).jobs == "auto"
    monkeypatch.setenv("DLTHEORY_JOBS", "1")
    assert build_parser().parse_args([]).jobs == "1"
    assert build_parser().parse_args(["--jobs", "3"]).jobs == "3"


def _cells(results):
    """(claim, role, seed) -> the timing row of that clean cell."""
    out = {}
    for r in results:
        for c in (r.get("timing") or {}).get("cells", []):
            out[(r["id"], c["role"], c["seed"])] = c
    return out


def test_local_gpu_worker_runs_the_gpu_cells(tmp_path):
    """One CPU worker and one GPU worker: the GPU cells all ran in the GPU worker (one
    process), the others in the CPU worker; a GPU worker that dies is an ERROR of its cell,
    and a fresh one runs the GPU cells after it."""
    reg = _registry(DYING, *MAIN)
    items = plan(reg, "quick")
    ex = make_executor(jobs=1, gpu_workers=1)
    assert ex.describe() == "processes: 1 CPU + 1 GPU workers"
    try:
        res = [r.to_record() for r in run_claims(items, RunStore(tmp_path, "s"), ex, plugins=(PLUGIN,))]
    finally:
        ex.close()
    by = {r["id"]: r for r in res}
    assert by["sched.dies"]["verdict"] == "ERROR" and "worker failed" in by["sched.dies"]["reason"]
    assert by["sched.train"]["verdict"] == "PASS" and by["sched.ode"]["verdict"] == "PASS"
    assert by["sched.train"]["need"] == "gpu" and by["sched.ode"]["need"] == "cpu"
    cells = _cells(res)
    gpu = [c for k, c in cells.items() if k[0] == "sched.train" and k[1] == "practice"]
    cpu = [c for k, c in cells.items() if k[0] != "sched.dies" and (k[1] == "theory" or k[0] != "sched.train")]
    assert {c["worker"] for c in gpu} == {"gpu0"} and len({c["pid"] for c in gpu}) == 1
    assert {c["worker"] for c in cpu} == {"cpu"}
    assert {c["pid"] for c in gpu}.isdisjoint({c["pid"] for c in cpu} | {os.getpid()})
    assert all(isinstance(c["wall_s"], float) and c["t_end"] >= c["t_start"] for c in gpu + cpu)
    assert by["sched.train"]["timing"]["gpu_s"] == 0.0  # a CPU machine: no cell ran on CUDA


def test_dask_gpu_cells_go_to_the_worker_with_the_gpu_resource(tmp_path):
    """A local Dask cluster whose one worker declares {"GPU": 1}: the GPU cells ran there
    (submitted with resources={"GPU": 1}), through the address path a dask-cuda cluster takes."""
    pytest.importorskip("distributed")
    from distributed import Client

    from verify.core.executor import DaskExecutor, _mixed_cluster

    cluster = _mixed_cluster(1, 1, [])
    try:
        with Client(cluster) as c:
            workers = c.scheduler_info(n_workers=-1)["workers"].values()
            assert sorted((w["name"], (w.get("resources") or {}).get("GPU", 0)) for w in workers) == [("cpu-0", 0), ("gpu-0", 1)]
        ex = DaskExecutor(cluster.scheduler_address, 1, 1)
        assert ex._gpu_resource()
        try:
            res = [r.to_record() for r in run_claims(plan(_registry(*MAIN), "quick"), RunStore(tmp_path, "s"), ex,
                                                     plugins=(PLUGIN,))]
        finally:
            ex.close()
    finally:
        cluster.close()
    assert {r["verdict"] for r in res} == {"PASS"}
    cells = _cells(res)
    assert {cells[("sched.train", "practice", s)]["worker"] for s in (0, 1)} == {"gpu-0"}


def test_execute_cell_records_worker_and_times(tmp_path):
    from dataclasses import fields

    spec = plan(_registry(*MAIN), "quick")[0].spec
    cell = spec.cells()[1]
    payload = {"cell": {f.name: getattr(cell, f.name) for f in fields(cell)}, "store_root": str(tmp_path), "suite": "s",
               "device": "cpu", "need": "gpu", "plugins": [PLUGIN], "sys_path": []}
    outcome, obj = execute_cell(payload)
    assert outcome["status"] == "ok" and outcome["need"] == "gpu" and outcome["worker"] == "main"
    assert outcome["pid"] == os.getpid() and outcome["t_end"] >= outcome["t_start"]
    assert obj.info["device"] == "cpu"


# --------------------------------------------------------------------------- the GPU check's summariser


@pytest.fixture(scope="module")
def harness_suite(tmp_path_factory):
    """A small suite of the harness's synthetic claims, run inline."""
    from verify.core.cli import main

    d = tmp_path_factory.mktemp("suite")
    main(["--plugins", "tests._harness_claims", "--only", "harness.integral,harness.curve,harness.crash", "--jobs", "1",
          "--store", str(d / "runs"), "--out", str(d / "rep"), "--no-progress", "--suite", "gpu"])
    return d


SMI = """2026/01/01 10:00:00.000, 0, 97, 40, 380.5, 700.00, 20000, 143771, 1980, 50
2026/01/01 10:00:01.000, 0, 100, 45, 402.0, 700.00, 21000, 143771, 1980, 52
2026/01/01 10:00:02.000, 0, 0, 0, 90.0, 700.00, 21000, 143771, 345, 45
2026/01/01 10:00:03.000, 0, [N/A], 0, 91.0, 700.00, 21000, 143771, 345, 45
"""


def test_summariser_on_a_harness_suite(harness_suite, tmp_path):
    from benchmarks import _gpu_report as G

    d = harness_suite
    results = d / "rep" / "results.json"
    (tmp_path / "smi.csv").write_text(SMI)
    (tmp_path / "peak.json").write_text(json.dumps({"device": "cuda", "peak_bf16_flops": 8e14, "peak_fp32_flops": 5e13}))
    rc = G.main(["summarise", "--results", str(results), "--peak", str(tmp_path / "peak.json"), "--smi",
                 str(tmp_path / "smi.csv"), "--store", str(d / "runs" / "gpu"), "--out", str(tmp_path)])
    assert rc == 0
    s = json.loads((tmp_path / "time_report.json").read_text())
    md = (tmp_path / "time_report.md").read_text()
    ids = [r["id"] for r in s["claims"]]
    assert sorted(ids) == ["harness.crash", "harness.curve", "harness.integral"]
    assert [r["id"] for r in s["slowest"]] == sorted(ids, key=lambda i: -next(r["wall_s"] for r in s["claims"] if r["id"] == i))
    integral = s["claims"][0]
    assert integral["wall_s"] > 0 and integral["gpu_s"] == 0.0 and integral["computed"] == 8
    assert integral.get("mfu") is None and "n/a" in md  # no throughput recorded: n/a
    g = s["nvidia_smi"]["gpus"]["0"]
    assert g["samples"] == 4 and g["power_limit_w"] == 700.0 and g["idle_fraction"] == 0.25
    assert abs(g["utilization_pct"]["mean"] - 197 / 3) < 1e-9  # [N/A] is skipped
    assert "The ten slowest claims" in md and "| harness.integral | PASS | cpu |" in md


def test_throughput_and_mfu_from_measurement_info():
    from benchmarks._gpu_report import claim_rows, summarise_smi

    cells = [{"role": "practice", "variant": "clean", "wall_s": 4.0, "device": "cuda", "t_start": 0.0, "t_end": 4.0,
              "counters": {"flops": 8e12}},
             {"role": "practice", "variant": "clean", "wall_s": 4.0, "device": "cuda", "t_start": 4.0, "t_end": 8.0}]
    rec = {"id": "p.train", "verdict": "PASS", "need": "gpu", "cells": {"computed": 2, "reused": 0},
           "timing": {"wall_s": 8.0, "gpu_s": 8.0, "span_s": 8.0, "cells": cells},
           "measured_info": [{"tokens_per_s": 1e6, "train_s": 2.0}, {"tokens_per_s": 3e6, "flops": 4e12, "train_seconds": 2.0}]}
    peak = {"peak_bf16_flops": 1e15, "peak_fp32_flops": 1e14}
    row = claim_rows([rec], peak)[0]
    assert row["tokens_per_s"] == 2e6 and row["gpu_s"] == 8.0
    assert row["model_flops_per_s"] == pytest.approx((8e12 / 2.0 + 4e12 / 2.0) / 2)  # counters' flops / train_s; info's
    assert row["mfu"] == pytest.approx(row["model_flops_per_s"] / 1e15) and row["peak_name"] == "bf16"
    # a claim with only flops falls back to its cells' wall, and says so; fp32 picks its peak
    rec["measured_info"] = [{"flops": 4e12, "precision": "fp32"}, {}]
    rec["timing"]["cells"][0].pop("counters")
    row = claim_rows([rec], peak)[0]
    assert row["flops_basis"] == "cell wall" and row["mfu"] == pytest.approx(1e12 / 1e14) and "tokens_per_s" not in row
    assert not summarise_smi("/nonexistent.csv")["available"]


@pytest.mark.slow
def test_gpu_check_dry_run_on_cpu(tmp_path):
    """benchmarks/gpu_check.sh end to end with DEVICE=cpu on the harness claims."""
    env = dict(os.environ, DEVICE="cpu", TOTAL="240", BENCH="0", OUT=str(tmp_path / "out"), STORE=str(tmp_path / "runs"),
               VERIFY_ARGS="--plugins tests._harness_claims --only harness.integral,harness.curve --profile quick",
               PYTHONPATH=str(ROOT), DLTHEORY_PROGRESS="0")
    p = subprocess.run(["bash", "benchmarks/gpu_check.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "out"
    for f in ("time_report.md", "time_report.json", "results.json", "peak.json", "reports.tgz", "machine.txt"):
        assert (out / f).exists(), f
    s = json.loads((out / "time_report.json").read_text())
    assert {r["id"] for r in s["claims"]} == {"harness.integral", "harness.curve"}
    assert "gpu_check:" in p.stdout and sys.executable


def test_dispatch_order_spreads_a_claims_seeds_and_starts_long_cells():
    """Seeds of one claim go out in rounds (the first seed's cell trains a shared batched
    ensemble under a lock; the others then only read it), GPU-need cells lead each round,
    papers are interleaved; every cell is dispatched exactly once."""
    from verify.core.runner import dispatch_order
    from verify.core.spec import CellSpec

    def cell(cid, role, seed):
        return CellSpec(cid, "quick", "{}", role, seed, "clean", "v")

    cells, needs = [], []
    for cid, need in [("a.train", "gpu"), ("a.ode", "cpu"), ("b.train", "gpu"), ("b.sim", "cpu")]:
        cells.append(cell(cid, "theory", 0)); needs.append("cpu")
        for s in (0, 1, 2):
            cells.append(cell(cid, "practice", s)); needs.append(need)
    seeds = {c.claim_id: [0, 1, 2] for c in cells}
    order = dispatch_order(cells, needs, seeds)
    assert sorted(order) == list(range(len(cells)))
    got = [(cells[j].claim_id, cells[j].role, cells[j].seed) for j in order]
    # round 0: the GPU cells first, papers alternating; then the CPU cells of round 0
    assert got[:2] == [("a.train", "practice", 0), ("b.train", "practice", 0)]
    round0 = got[:8]
    assert all(r == "theory" or s == 0 for _, r, s in round0)
    # a claim's seeds are never handed out back to back
    for a, b in zip(got, got[1:]):
        assert not (a[0] == b[0] and a[1] == b[1] == "practice")
    # the last round holds the seeds 2, the GPU ones first
    assert [g[2] for g in got[-4:]] == [2, 2, 2, 2] and {g[0] for g in got[-4:-2]} == {"a.train", "b.train"}
    with pytest.raises(ValueError, match="needs"):
        dispatch_order(cells, needs[:-1], seeds)


def test_a_cell_meeting_a_busy_shared_experiment_is_deferred_not_parked(tmp_path, monkeypatch):
    """Two CPU workers; three seeds read one slow batched ensemble. The worker that finds
    it being computed does not wait on the lock: its cell comes back deferred, the worker
    runs the independent cells meanwhile, and the deferred cell runs again later and reads
    the stored ensemble. The ensemble is computed once, every verdict is as inline, and the
    deferrals are recorded in the cells' timing."""
    from verify.core.executor import ProcessExecutor

    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("DLTHEORY_TEST_MARKS", str(marks))  # the spawned workers inherit it
    items = plan(_registry(*SHARES), "quick")
    ex = ProcessExecutor(jobs=2, threads=1)
    try:
        res = [r.to_record() for r in run_claims(items, RunStore(tmp_path / "runs", "s"), ex, plugins=(PLUGIN,))]
    finally:
        ex.close()
    by = {r["id"]: r for r in res}
    assert by["sched.shares"]["verdict"] == "PASS" and by["sched.other"]["verdict"] == "PASS"
    assert len(list(marks.iterdir())) == 1  # computed once
    cells = by["sched.shares"]["timing"]["cells"]
    assert sum(c.get("deferrals", 0) for c in cells) >= 1
    # a parked cell goes back when the experiment's lock is free, not whenever any cell ends
    assert max(c.get("deferrals", 0) for c in cells) <= 2
    assert all(c["status"] == "ok" for c in cells)
    # a cell deferred: none of the three waited out the 4-second computation on the lock
    waited = [c for c in cells if c.get("deferrals", 0) == 0 and c["wall_s"] - c["cpu_s"] > 3.0]
    assert len(waited) <= 1  # only the one that computed it (sleeping) spent that long
