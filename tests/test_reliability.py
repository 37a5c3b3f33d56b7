"""Reliability of the harness (issue 15, sections 2 and 3): the run store survives damage,
holds data and never code, heals and swaps atomically; workers never outlive their parent;
the command lines give one-line errors.

This module is also a claims plugin (`--plugins tests.test_reliability`): the `rel.*`
claims below read a `ctx.shared` experiment, or return what the store cannot hold.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from verify.core.claims import Claim, Measurement, Prediction, profiles
from verify.core.cli import main
from verify.core.store import DamagedEntry, RunStore, decode, encode, roundtrip

ROOT = Path(__file__).resolve().parents[1]
HARNESS = "tests._harness_claims"
HERE = "tests.test_reliability"
CALLS_ENV = "DLTHEORY_REL_CALLS"


# --------------------------------------------------------------------------- plugin claims


def _log(line: str) -> None:
    path = os.environ.get(CALLS_ENV)
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


def _third(ctx):
    return Prediction(value=1.0 / 3.0)


def _experiment(ctx):
    def run():
        _log(f"shared {ctx.seed}")
        x = ctx.rng("x").uniform(size=ctx["n"])
        return {"x": x, "n": ctx["n"], "tags": ("uniform", 1), 3: np.float32(0.5)}

    return ctx.shared("exp", run, n=ctx["n"])


def _from_shared(ctx):
    r = _experiment(ctx)
    assert r["tags"] == ("uniform", 1) and r[3].dtype == np.float32  # the store gives back what was put in
    _log(f"practice {ctx.claim_id} {ctx.seed}")
    return Measurement(value=float(np.mean(r["x"] ** 2)), raw={"x": r["x"][:5]})


@dataclasses.dataclass
class _Sweep:
    values: list


def _dataclass_shared(ctx):
    return ctx.shared("sweep", lambda: _Sweep([1.0]), n=1).values[0]


def _unstorable_info(ctx):
    return Measurement(value=1.0 / 3.0, info={"where": Path("somewhere")})


_TOL = "2000 uniform draws: the standard error of the mean of x^2 is 0.007"
CLAIMS = [
    Claim("rel.shared_a", "E[x^2] = 1/3 for x ~ U(0, 1), read off a shared experiment.", _third, _from_shared, "abs", 0.05,
          _TOL, profiles(quick=dict(n=2000), seeds=2)),
    Claim("rel.shared_b", "The same experiment, read by a second claim.", _third, _from_shared, "abs", 0.05, _TOL,
          profiles(quick=dict(n=2000), seeds=2)),
    Claim("rel.bad_shared", "A shared experiment returning a dataclass.", _third, _dataclass_shared, "abs", 1.0, "any",
          profiles(quick=dict(n=1), seeds=1)),
    Claim("rel.bad_info", "A measurement whose info holds a Path.", _third, _unstorable_info, "abs", 1.0, "any",
          profiles(quick=dict(n=1), seeds=1)),
]


# --------------------------------------------------------------------------- helpers


def _run(tmp_path, *extra, only="harness.curve", plugins=(HARNESS,)):
    argv = ["--only", only, "--store", str(tmp_path / "runs"), "--out", str(tmp_path / "rep"), "--no-progress"]
    for p in plugins:
        argv += ["--plugins", p]
    return main([*argv, *extra])


def _results(tmp_path) -> dict:
    return {r["label"]: r for r in json.loads((tmp_path / "rep" / "results.json").read_text())["results"]}


def _calls(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _cell_dirs(tmp_path, claim="harness.curve", suite="latest"):
    return sorted(p for p in (tmp_path / "runs" / suite / "cells" / claim).iterdir() if not p.name.startswith("."))


def _practice_cell(tmp_path, claim="harness.curve", seed=1) -> Path:
    for d in _cell_dirs(tmp_path, claim):
        spec = json.loads((d / "spec.json").read_text())
        if spec["role"] == "practice" and spec["seed"] == seed:
            return d
    raise AssertionError("no such cell")


def _curve_calls(tmp_path, monkeypatch):
    calls = tmp_path / "calls.txt"
    import tests._harness_claims as hc

    monkeypatch.setattr(hc, "CALLS_FILE", str(calls))
    return calls


def _one_line_error(capsys, message: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert message in err, err
    return err


# --------------------------------------------------------------------------- §2 the codec (no pickles)


def test_codec_round_trip_is_bit_exact_and_keeps_types():
    import torch

    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000) * 10.0 ** rng.integers(-300, 300, 1000)
    value = {
        "floats": x.tolist(),  # Python floats through JSON
        "array": x,
        "dtypes": [np.arange(4).astype(t) for t in (np.float32, np.int8, np.uint64, np.complex128, np.bool_)],
        "scalars": (np.float64(np.pi), np.float32(1 / 3), np.int64(-2**62), np.bool_(True)),
        "special": [float("nan"), float("inf"), -float("inf"), -0.0, 5e-324, 2**70, 1 + 2j, None, True, "é"],
        ("tuple", 1): {3: "int key", 2.5: "float key", None: {"__array__": "not a tag"}},
        "sets": ({1, 2}, frozenset({"a"})),
        "torch": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
        "torch64": torch.arange(3, dtype=torch.float64),
        "empty": (np.zeros((0, 3)), [], {}, ()),
    }
    tree, arrays = encode(value)
    text = json.dumps(tree, allow_nan=False)  # plain JSON: no NaN literals, no objects
    back = decode(json.loads(text), arrays)
    assert back.keys() == value.keys()
    assert np.array_equal(np.asarray(back["floats"]).view(np.int64), x.view(np.int64))  # bit for bit
    assert back["array"].dtype == np.float64 and np.array_equal(back["array"].view(np.int64), x.view(np.int64))
    assert [a.dtype for a in back["dtypes"]] == [a.dtype for a in value["dtypes"]]
    assert [type(s) for s in back["scalars"]] == [type(s) for s in value["scalars"]]
    assert back["scalars"][1] == np.float32(1 / 3)
    sp = back["special"]
    assert np.isnan(sp[0]) and sp[1:3] == [float("inf"), -float("inf")] and str(sp[3]) == "-0.0" and sp[4] == 5e-324
    assert sp[5:] == [2**70, 1 + 2j, None, True, "é"]
    assert back[("tuple", 1)] == {3: "int key", 2.5: "float key", None: {"__array__": "not a tag"}}
    assert back["sets"] == ({1, 2}, frozenset({"a"}))
    assert back["torch"].dtype == torch.bfloat16 and torch.equal(back["torch"], value["torch"])
    assert back["torch64"].dtype == torch.float64
    assert back["empty"][0].shape == (0, 3) and back["empty"][1:] == ([], {}, ())


def test_codec_refuses_what_it_cannot_hold_naming_it():
    @dataclasses.dataclass
    class Result:
        a: float

    for bad, what in [
        ({"sweep": [Result(1.0)]}, "value['sweep'][0]: type tests.test_reliability.Result"),
        ({"x": np.array([None, 1])}, "value['x']: an array of dtype object"),
        ({"f": lambda: 0}, "value['f']: type function"),
        ({"p": Path("x")}, "value['p']: type pathlib.PosixPath"),
    ]:
        if what.startswith("value['sweep']"):
            what = what.replace("tests.test_reliability", Result.__module__)
        with pytest.raises(TypeError, match=None) as exc:
            encode(bad)
        assert what.split(":")[0] in str(exc.value) and "cannot be stored" in str(exc.value), str(exc.value)


def test_prediction_and_measurement_round_trip():
    m = Measurement(value=np.array([0.1, 0.2]), stderr=np.float64(0.01), instances=np.arange(5.0), raw={"traj": np.eye(2)},
                    subgroups={"early": 0.1}, counters={"steps": 3, "diverged": False}, info={"note": "x", "k": [1, 2]})
    back = roundtrip(m)
    assert isinstance(back, Measurement)
    assert np.array_equal(back.value, m.value) and back.stderr == m.stderr and type(back.stderr) is np.float64
    assert back.counters == m.counters and back.info == m.info and np.array_equal(back.raw["traj"], np.eye(2))
    p = roundtrip(Prediction(value=(0.0, 1.0)))  # an interval stays a tuple
    assert isinstance(p, Prediction) and p.value == (0.0, 1.0)


def test_cell_store_round_trip(tmp_path):
    """A cell is stored and read back whole, NaN counters in its outcome summary included."""
    cell = next(c for c in _spec().cells() if c.role == "practice")
    store = RunStore(tmp_path, "s")
    m = Measurement(value=np.float64(0.1), counters={"loss": float("nan")}, raw={"x": np.arange(3)})
    store.write_cell(cell, {"status": "ok", "role": "practice", "seed": 0, "counters": {"loss": float("nan")}}, m)
    outcome, back = store.load_cell(cell)
    assert outcome["status"] == "ok" and np.isnan(outcome["counters"]["loss"])
    assert back.value == m.value and np.isnan(back.counters["loss"]) and np.array_equal(back.raw["x"], np.arange(3))
    assert np.array_equal(store.read_cell_raw(cell)["x"], np.arange(3))
    assert sorted(p.name for p in store.cell_dir(cell).iterdir()) == ["outcome.json", "outcome.npz", "spec.json"]


def test_store_holds_no_pickles_and_never_executes_a_planted_one(tmp_path, monkeypatch):
    """A store must be data: after a run it holds no .pkl and no object arrays, and a
    planted pickle (whose loading would run code) is ignored."""
    assert _run(tmp_path, only="rel.shared_a", plugins=(HERE,)) == 0
    suite = tmp_path / "runs" / "latest"
    assert not list(suite.rglob("*.pkl"))
    for npz in suite.rglob("*.npz"):
        with np.load(npz, allow_pickle=False) as z:
            for k in z.files:
                z[k]  # would raise for an object (pickled) array
    marker = tmp_path / "executed"

    class Planted:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for d in [*_cell_dirs(tmp_path, "rel.shared_a"), *(suite / "shared" / "rel").iterdir()]:
        if d.is_dir():
            (d / "outcome.pkl").write_bytes(pickle.dumps(Planted()))
    (suite / "shared" / "rel" / "exp-0000.pkl").write_bytes(pickle.dumps(Planted()))
    shutil_rm_claims(suite)
    assert _run(tmp_path, only="rel.shared_a", plugins=(HERE,)) == 0
    assert _run(tmp_path, "--force", only="rel.shared_a", plugins=(HERE,)) == 0
    assert not marker.exists()


def shutil_rm_claims(suite: Path) -> None:
    import shutil

    shutil.rmtree(suite / "claims")


def test_old_schema_entries_are_not_read_as_new(tmp_path, capsys):
    """The store's schema is bumped (JSON + npz, no pickles): an entry of another schema
    is damage, never read as a result."""
    from verify.core.spec import SCHEMA_VERSION

    assert SCHEMA_VERSION >= 2
    _run(tmp_path)
    d = _practice_cell(tmp_path)
    doc = json.loads((d / "outcome.json").read_text())
    doc["store_schema"] = 1
    (d / "outcome.json").write_text(json.dumps(doc))
    shutil_rm_claims(tmp_path / "runs" / "latest")
    capsys.readouterr()
    assert _run(tmp_path) == 0
    assert "damaged cell" in capsys.readouterr().err


# --------------------------------------------------------------------------- §2 damage


def _spec():
    from verify.core.spec import ClaimRunSpec

    return ClaimRunSpec(claim_id="harness.curve", profile="quick", config_json='{"noise":0.001}', seeds=(0,),
                        perturbations_json="{}", overrides_json="{}", code_version="test")


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _wrong_role(path: Path) -> None:
    doc = json.loads(path.read_text())
    doc["value"]["type"] = "Prediction"  # a practice cell holding a Prediction
    path.write_text(json.dumps(doc))


def _not_a_measurement(path: Path) -> None:
    doc = json.loads(path.read_text())
    doc["value"] = {"type": "Measurement", "fields": {"value": {"__array__": "nope"}}}
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(
    "target, damage, what",
    [
        ("cell", ("outcome.json", _truncate), "damaged cell"),
        ("cell", ("outcome.npz", _truncate), "damaged cell"),
        ("cell", ("outcome.json", _wrong_role), "damaged cell"),
        ("cell", ("outcome.json", _not_a_measurement), "damaged cell"),
        ("claim", ("result.json", _truncate), "damaged claim result"),
        ("claim", ("raw.npz", _truncate), "damaged claim result"),
    ],
)
def test_damaged_entry_is_moved_aside_named_and_recomputed(tmp_path, monkeypatch, capsys, target, damage, what):
    calls = _curve_calls(tmp_path, monkeypatch)
    assert _run(tmp_path) == 0
    before = _results(tmp_path)["harness.curve"]
    calls.unlink()
    suite = tmp_path / "runs" / "latest"
    if target == "cell":
        shutil_rm_claims(suite)  # the claim must be aggregated again from its cells
        entry = _practice_cell(tmp_path)
    else:
        entry = next(p for p in (suite / "claims" / "harness.curve").iterdir() if not p.name.startswith("."))
    name, fn = damage
    fn(entry / name)
    capsys.readouterr()
    assert _run(tmp_path) == 0  # no traceback
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "damaged" in ln]
    assert len(lines) == 1 and what in lines[0] and str(entry) in lines[0] and ".corrupt" in lines[0], err
    assert list((suite / ".corrupt").rglob(name))  # kept aside for inspection
    assert _results(tmp_path)["harness.curve"]["measured"] == before["measured"]
    if target == "cell":
        assert _calls(calls) == ["harness.curve practice 1"]  # only the damaged cell is recomputed
    else:
        assert _calls(calls) == []  # the cells were intact: only the claim is aggregated again
    capsys.readouterr()
    _run(tmp_path)  # healed: nothing more to say
    assert "damaged" not in capsys.readouterr().err


def test_damaged_shared_entry_is_recomputed(tmp_path, monkeypatch, capsys):
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv(CALLS_ENV, str(calls))
    assert _run(tmp_path, only="rel.shared_a", plugins=(HERE,)) == 0
    suite = tmp_path / "runs" / "latest"
    entries = sorted((suite / "shared" / "rel").glob("exp-*/value.npz"))
    assert len(entries) == 2  # one per seed
    damaged_seed = json.loads((entries[0].parent / "key.json").read_text())["seed"]  # hash order is not seed order
    _truncate(entries[0])
    shutil_rm_claims(suite)
    for d in _cell_dirs(tmp_path, "rel.shared_a"):
        import shutil

        shutil.rmtree(d)
    calls.unlink()
    capsys.readouterr()
    assert _run(tmp_path, only="rel.shared_a", plugins=(HERE,)) == 0
    err = capsys.readouterr().err
    assert "damaged shared experiment rel/exp" in err and ".corrupt" in err, err
    assert sorted(x for x in _calls(calls) if x.startswith("shared")) == [f"shared {damaged_seed}"]


def test_force_recomputes_shared_experiments_once_per_run(tmp_path, monkeypatch):
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv(CALLS_ENV, str(calls))
    only = "rel.shared_a,rel.shared_b"
    assert _run(tmp_path, only=only, plugins=(HERE,)) == 0
    assert sorted(x for x in _calls(calls) if x.startswith("shared")) == ["shared 0", "shared 1"]  # shared by both claims
    calls.unlink()
    assert _run(tmp_path, only=only, plugins=(HERE,)) == 0
    assert _calls(calls) == []
    assert _run(tmp_path, "--force", only=only, plugins=(HERE,)) == 0
    got = _calls(calls)
    assert sorted(x for x in got if x.startswith("shared")) == ["shared 0", "shared 1"]  # again, once per seed
    assert len([x for x in got if x.startswith("practice")]) == 4


def test_shared_value_the_store_cannot_hold_is_an_error_naming_it(tmp_path):
    assert _run(tmp_path, only="rel.bad_shared,rel.bad_info", plugins=(HERE,)) == 1
    r = _results(tmp_path)
    reason = r["rel.bad_shared"]["reason"]
    assert r["rel.bad_shared"]["verdict"] == "ERROR"
    assert "ctx.shared('sweep')" in reason and "_Sweep" in reason and "dataclass" in reason, reason
    reason = r["rel.bad_info"]["reason"]
    assert r["rel.bad_info"]["verdict"] == "ERROR" and "info" in reason and "PosixPath" in reason, reason


def test_incomplete_cell_heals(tmp_path, monkeypatch):
    """A cell folder that lost a file is recomputed once and replaced, not recomputed on
    every run ("keep theirs" kept the incomplete folder)."""
    calls = _curve_calls(tmp_path, monkeypatch)
    _run(tmp_path)
    d = _practice_cell(tmp_path)
    (d / "outcome.npz").unlink()
    shutil_rm_claims(tmp_path / "runs" / "latest")
    calls.unlink()
    _run(tmp_path)
    assert _calls(calls) == ["harness.curve practice 1"]
    assert (d / "outcome.npz").exists()
    calls.unlink()
    shutil_rm_claims(tmp_path / "runs" / "latest")
    _run(tmp_path)
    assert _calls(calls) == []


@pytest.mark.parametrize("swap", ["exchange", "rename_aside"])
def test_replacing_a_claim_result_is_atomic(tmp_path, monkeypatch, swap):
    """Writers replacing one claim result while readers read it: no FileNotFoundError, no
    ENOTEMPTY, and a reader always gets a whole result (rmtree-then-rename raced). Both
    ways of swapping: the atomic exchange (Linux), and renaming aside where there is none
    (readers wait for the new folder)."""
    import verify.core.store as store_module

    if swap == "rename_aside":
        monkeypatch.setattr(store_module, "_renameat2", lambda: None)
    spec = _spec()
    store = RunStore(tmp_path / "runs", "s")
    errors: list[BaseException] = []
    got: list[int] = []
    missing = [0]
    stop = threading.Event()
    raw = {"a": np.arange(1000.0)}

    def writer(k: int) -> None:
        try:
            for i in range(60):
                store.write_claim(spec, {"id": "harness.curve", "label": "harness.curve", "verdict": "PASS", "i": i, "k": k},
                                  [{"seed": 0}], raw)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def reader() -> None:
        try:
            while not stop.is_set():
                r = store.load_claim(spec)
                if r is None:
                    missing[0] += 1
                else:
                    got.append(r["i"])
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    store.write_claim(spec, {"id": "harness.curve", "label": "harness.curve", "verdict": "PASS", "i": -1}, [], raw)
    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors, errors
    assert got and missing[0] == 0
    assert store.load_claim(spec)["i"] == 59
    left = [p.name for p in store.claim_dir(spec).parent.iterdir()]
    assert left == [spec.hash]  # no temporary or swapped-out folder left behind
    assert not (store.path / ".corrupt").exists()


def test_report_names_a_damaged_result(tmp_path, capsys):
    from verify.report import main as report_main

    assert _run(tmp_path, only="harness.curve,harness.integral") == 0
    res = next((tmp_path / "runs" / "latest" / "claims" / "harness.integral").iterdir()) / "result.json"
    _truncate(res)
    capsys.readouterr()
    rc = report_main(["--store", str(tmp_path / "runs"), "--out", str(tmp_path / "rep2")])
    err = capsys.readouterr().err
    assert rc == 1
    assert "harness.integral" in err and "damaged" in err, err
    r = {x["label"]: x for x in json.loads((tmp_path / "rep2" / "results.json").read_text())["results"]}
    assert r["harness.integral"]["verdict"] == "ERROR" and "damaged" in r["harness.integral"]["reason"]
    assert r["harness.curve"]["verdict"] == "PASS"


def test_store_read_api_raises_damaged_entry_not_a_traceback(tmp_path):
    spec = _spec()
    store = RunStore(tmp_path, "s")
    with pytest.raises(DamagedEntry):
        store.read_claim(spec)
    assert store.load_claim(spec) is None
    cell = spec.cells()[0]
    with pytest.raises(DamagedEntry):
        store.read_cell(cell)
    assert store.load_cell(cell) is None


# --------------------------------------------------------------------------- §3 processes


def _children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(p.name))
    return out


def _workers(pid: int) -> list[int]:
    out = []
    for c in _children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes():
                out.append(c)
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _assert_children_exit(p: subprocess.Popen, ready) -> None:
    """Wait until `ready()`, SIGKILL `p`, and check that its children exit within 10 s."""
    children: list[int] = []
    try:
        deadline = time.time() + 120
        while not ready() and time.time() < deadline and p.poll() is None:
            time.sleep(0.2)
        assert ready(), "the workers never started"
        time.sleep(2.0)  # let them start up (and start their watchdogs)
        children = _children(p.pid)  # the workers and the resource tracker
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    deadline = time.time() + 10
    while any(_alive(c) for c in children) and time.time() < deadline:
        time.sleep(0.2)
    alive = [c for c in children if _alive(c)]
    for c in alive:  # do not leave them behind even when the test fails
        os.kill(c, signal.SIGKILL)
    assert not alive, f"orphaned processes still alive 10 s after the parent was killed: {alive}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_process_executor_workers_exit_when_the_parent_is_killed(tmp_path):
    code = (
        "import time\n"
        "from verify.core.executor import make_executor\n"
        "ex = make_executor(jobs=2, threads=1)\n"
        "futures = [ex.pool.submit(time.sleep, 120) for _ in range(2)]\n"
        "time.sleep(120)\n"
    )
    p = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    _assert_children_exit(p, lambda: len(_workers(p.pid)) == 2)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_parent_is_killed(tmp_path):
    env = dict(os.environ, DLTHEORY_PROGRESS="0", PYTHONPATH=str(ROOT))
    p = subprocess.Popen(
        [sys.executable, "-m", "verify.all", "--plugins", "tests._slow_claims", "--only", "slow*", "--store",
         str(tmp_path / "r"), "--out", str(tmp_path / "o"), "--jobs", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # killed while one worker sleeps in slow.sleeper (the other claim is finished and stored)
    done = tmp_path / "r" / "latest" / "claims" / "slow.fast_one"
    _assert_children_exit(p, lambda: done.exists() and len(_workers(p.pid)) == 2)


def test_worker_watchdog_exits_when_reparented():
    code = (
        "import os, sys, time\n"
        "from verify.core.executor import start_parent_watchdog\n"
        "start_parent_watchdog(os.getppid() + 10**6, interval=0.05)\n"  # not its parent: as if re-parented
        "print('watching', flush=True)\n"
        "time.sleep(10)\n"
        "sys.exit(0)\n"
    )
    t0 = time.time()
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60, capture_output=True, text=True)
    assert r.stdout == "watching\n", r.stderr
    assert r.returncode == 1 and time.time() - t0 < 9


# --------------------------------------------------------------------------- §3 command line


@pytest.mark.parametrize("where", ["file", "under_file"])
def test_out_is_checked_before_any_work(tmp_path, capsys, monkeypatch, where):
    calls = _curve_calls(tmp_path, monkeypatch)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    out = blocker if where == "file" else blocker / "rep"
    with pytest.raises(SystemExit) as exc:
        main(["--plugins", HARNESS, "--only", "harness.curve", "--store", str(tmp_path / "runs"), "--out", str(out),
              "--no-progress"])
    assert exc.value.code == 2
    _one_line_error(capsys, f"--out '{out}' cannot be written")
    assert _calls(calls) == []  # nothing ran


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_out_unwritable_folder(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(SystemExit) as exc:
            main(["--plugins", HARNESS, "--only", "harness.curve", "--store", str(tmp_path / "runs"), "--out", str(ro / "x")])
        assert exc.value.code == 2
        _one_line_error(capsys, "cannot be written")
    finally:
        ro.chmod(0o700)


CONFS = [
    ("entries = 5\n", "'entries' must be an array of tables"),
    ("[[entries]]\nrun = 5\n", "entry 1: 'run' must be a string"),
    ('[[entries]]\nrun = "harness.curve"\npriority = "high"\n', "entry 1: 'priority' must be an integer, not 'high'"),
    ('[[entries]]\npriority = 1\n', "entry 1 needs a 'run'"),
    ("profile = \n", "malformed TOML"),
    ('profil = "quick"\n', "unknown key 'profil'"),
    ('[[entries]]\nrun = "harness.curve:noise=[1,2"\n', "entry 1: run entry"),
]


@pytest.mark.parametrize("text, message", CONFS)
def test_conf_mistakes_are_one_line_naming_file_and_key(tmp_path, capsys, text, message):
    conf = tmp_path / "bad.toml"
    conf.write_text(text)
    with pytest.raises(SystemExit) as exc:
        main(["--plugins", HARNESS, "--conf", str(conf), "--list"])
    assert exc.value.code == 2
    err = _one_line_error(capsys, message)
    assert str(conf) in err


def test_conf_that_is_a_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--plugins", HARNESS, "--conf", str(tmp_path), "--list"])
    assert exc.value.code == 2
    _one_line_error(capsys, f"conf {tmp_path} is a folder")


def test_messages_keep_their_quotes(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--plugins", HARNESS, "--only", "harness.curve", "-r", "harness.curve:nope=1", "--list"])
    _one_line_error(capsys, "has no parameter 'nope' in profile quick (has: noise)")
    conf = tmp_path / "c.toml"
    conf.write_text('[[entries]]\npriority = 1\n')
    with pytest.raises(SystemExit):
        main(["--plugins", HARNESS, "--conf", str(conf), "--list"])
    assert capsys.readouterr().err.rstrip().endswith('(e.g. run = "lazy_rich.delta_conserved")')


def test_report_and_diff_errors_are_one_line(tmp_path, capsys):
    from verify.diff import main as diff_main
    from verify.report import main as report_main

    with pytest.raises(SystemExit) as exc:
        report_main(["--suite", "../x", "--store", str(tmp_path)])
    assert exc.value.code == 2
    _one_line_error(capsys, "--suite must be a plain folder name, not '../x'")
    for i, text in enumerate(['{"nothing": 1}', "[1, 2]", "{not json", '{"results": [{"verdict": "PASS"}]}']):
        bad = tmp_path / f"bad{i}.json"
        bad.write_text(text)
        with pytest.raises(SystemExit) as exc:
            diff_main([str(bad), str(bad)])
        assert exc.value.code == 2
        err = _one_line_error(capsys, str(bad))
        assert "Traceback" not in err


@pytest.mark.parametrize(
    "entry, message",
    [
        ("harness.integral:n=10**100000000", "operators are not evaluated"),
        ("harness.integral:n=[1,2", "'[' was never closed"),
        ("harness.integral:n=abc", "claim harness.integral: n='abc' is a str, but profile quick has n=20000 (expected int)"),
        ("harness.integral:n=2.5", "n=2.5 is a float"),
        ("harness.integral:n=0", "n=0 would measure nothing"),
        ("harness.integral:n=-3", "n=-3 would measure nothing"),
        ("harness.curve:noise=abc", "expected a number"),
        ("harness.curve:noise=" + "1" * 2000, "characters long"),
    ],
)
def test_run_entry_values_are_checked_literals(capsys, entry, message):
    t0 = time.time()
    with pytest.raises(SystemExit) as exc:
        main(["--plugins", HARNESS, "-r", entry, "--list"])
    assert exc.value.code == 2
    _one_line_error(capsys, message)
    assert time.time() - t0 < 30  # nothing is evaluated


def test_plan_checks_overrides_for_run_claim_too():
    """The override checks live in `plan()`, so `run_claim` (and any other caller) gets them,
    not only the CLI."""
    import importlib

    from verify.core.registry import Registry
    from verify.core.runner import plan
    from verify.core.spec import parse_run_entry

    claims = importlib.import_module(HARNESS).CLAIMS
    reg = Registry({c.id: c for c in claims}, {})
    with pytest.raises(ValueError, match="n=0 would measure nothing"):
        plan(reg, "quick", [], [parse_run_entry("harness.integral:n=0")])
    with pytest.raises(ValueError, match="is a str"):
        plan(reg, "quick", [], [parse_run_entry("harness.integral:n=abc")])


def test_run_entry_values_that_are_fine(capsys):
    assert main(["--plugins", HARNESS, "-r", "harness.curve:noise=1", "-r", "harness.integral:n=5", "--list"]) == 0
    out = capsys.readouterr().out
    assert "harness.curve:noise=1" in out and "harness.integral:n=5" in out


def test_parse_value_literals_only():
    from verify.core.spec import parse_value

    assert parse_value("relu") == "relu" and parse_value("cross-entropy") == "cross-entropy"
    assert parse_value("-2") == -2 and parse_value("1e-3") == 1e-3 and parse_value("[1, 2.5]") == [1, 2.5]
    assert parse_value("inf") == float("inf") and parse_value("'a b'") == "a b"
    for bad in ("2**-3", "1+1", "__import__('os')", "[1,2", "a b", "x.y()", "(", "{**a}"):
        with pytest.raises(ValueError):
            parse_value(bad)


def test_list_still_works(capsys):
    assert main(["--plugins", HARNESS, "--only", "harness*", "--list"]) == 0
    assert "harness.integral  seeds=[0, 1, 2]" in capsys.readouterr().out
