"""Where the time of a GPU check went: the summariser behind `benchmarks/gpu_check.sh`.

    python -m benchmarks._gpu_report peak --device cuda --out peak.json
    python -m benchmarks._gpu_report summarise --results report/results.json [--peak peak.json]
        [--smi nvidia_smi.csv] [--store runs/gpu] [--out DIR]

`peak` measures the matmul peak of the device (square matmuls; bf16, TF32 and fp32 on CUDA,
fp32 on the CPU) in the same run as the suite, as the reference of MFU.

`summarise` reads the suite's `results.json` (each claim's `timing`: every cell's wall
seconds, device, need and worker, written by the runner) and prints, and writes as
`time_report.md` and `time_report.json`:

- the run: device, workers, wall, verdict counts, claims not run (interrupted);
- the GPU as nvidia-smi sampled it through the run (utilisation, power against its limit,
  memory), when `--smi` is given;
- per claim: wall seconds (the sum over its cells), GPU-seconds (the wall of its cells that
  ran on a CUDA device), its span, and for trainings the throughput and MFU;
- the ten slowest claims;
- with `--store`, the cells that finished for claims that did not (their seconds are
  otherwise lost from the per-claim table).

Throughput and MFU come from what a claim records in `Measurement.info` (or its
`counters`), per seed: `tokens_per_s` / `images_per_s` (or `tokens` / `images` over the
training seconds), and `flops_per_s`, or `flops` over the training seconds (`train_s` or
`train_seconds`), else over the wall of its GPU cells (marked "cell wall": a claim that read
a shared experiment computed by another claim's cell has no training time of its own).
`precision` ("bf16", "tf32", "fp32") picks the peak; the default is the bf16 peak on CUDA
and the fp32 peak on the CPU. A claim without these keys shows n/a.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

SMI_FIELDS = ("timestamp", "index", "utilization.gpu", "utilization.memory", "power.draw", "power.limit",
              "memory.used", "memory.total", "clocks.sm", "temperature.gpu")


# --------------------------------------------------------------------------- peak


def matmul_peak(device: str, dtype_name: str, n: int, reps: int) -> float:
    """Best FLOP/s of an n x n matmul over `reps` repetitions."""
    import torch

    dtype = {"bf16": torch.bfloat16, "fp32": torch.float32, "tf32": torch.float32}[dtype_name]
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = dtype_name == "tf32"
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    for _ in range(2):
        a @ b
    sync()
    best = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        sync()
        best = max(best, 2 * n**3 / max(time.perf_counter() - t, 1e-12))
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = False
    return best


def measure_peak(device: str, threads: int | None = None) -> dict[str, Any]:
    import torch

    if threads:
        torch.set_num_threads(threads)
    out: dict[str, Any] = {"device": device, "threads": torch.get_num_threads()}
    if device.startswith("cuda"):
        out["name"] = torch.cuda.get_device_name(0)
        for name in ("bf16", "tf32", "fp32"):
            out[f"peak_{name}_flops"] = matmul_peak(device, name, 8192, 10)
    else:
        out["name"] = "cpu"
        out["peak_fp32_flops"] = matmul_peak("cpu", "fp32", 1024, 5)
    return out


# --------------------------------------------------------------------------- nvidia-smi


def _num(x: Any) -> float:
    try:
        v = float(str(x).strip().split()[0])
    except (ValueError, IndexError):
        return math.nan
    return v


def _stats(vals: list[float]) -> dict[str, float] | None:
    v = sorted(x for x in vals if math.isfinite(x))
    if not v:
        return None

    def q(p):
        return v[min(len(v) - 1, max(0, round(p * (len(v) - 1))))]

    return {"mean": statistics.fmean(v), "median": statistics.median(v), "p10": q(0.1), "p90": q(0.9), "min": v[0], "max": v[-1]}


def summarise_smi(path: str | Path) -> dict[str, Any]:
    """Per GPU: samples, utilisation, memory utilisation, power against its limit, memory
    used, SM clock, from a CSV of `nvidia-smi --query-gpu=<SMI_FIELDS> --format=csv,noheader,nounits
    -lms 1000` (a header line naming the fields is allowed)."""
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0:
        return {"available": False, "reason": f"no samples ({p.name} missing or empty: nvidia-smi absent or not started)"}
    rows: list[dict[str, str]] = []
    fields: tuple[str, ...] = SMI_FIELDS
    with open(p, newline="") as f:
        for rec in csv.reader(f):
            rec = [x.strip() for x in rec]
            if rec and rec[0].lower().startswith("timestamp"):  # a header: "utilization.gpu [%]", ...
                fields = tuple(x.split(" [", 1)[0].strip() for x in rec)
                continue
            if len(rec) < len(fields):
                continue
            rows.append(dict(zip(fields, rec)))
    if not rows:
        return {"available": False, "reason": f"no parsable samples in {p.name}"}
    out: dict[str, Any] = {"available": True, "gpus": {}}
    for r in rows:
        for k in SMI_FIELDS:
            r.setdefault(k, "nan")
        r.setdefault("index", "0")
    for idx in sorted({r["index"] for r in rows}):
        rs = [r for r in rows if r["index"] == idx]
        util = [_num(r["utilization.gpu"]) for r in rs]
        power = [_num(r["power.draw"]) for r in rs]
        limit = _stats([_num(r["power.limit"]) for r in rs])
        g = {
            "samples": len(rs),
            "first": rs[0]["timestamp"],
            "last": rs[-1]["timestamp"],
            "utilization_pct": _stats(util),
            "memory_utilization_pct": _stats([_num(r["utilization.memory"]) for r in rs]),
            "power_w": _stats(power),
            "power_limit_w": limit["max"] if limit else None,
            "memory_used_mib": _stats([_num(r["memory.used"]) for r in rs]),
            "memory_total_mib": _num(rs[0]["memory.total"]),
            "sm_clock_mhz": _stats([_num(r["clocks.sm"]) for r in rs]),
            "idle_fraction": sum(1 for u in util if math.isfinite(u) and u < 5) / len(rs),
        }
        if g["power_w"] and g["power_limit_w"]:
            g["power_fraction_of_limit"] = g["power_w"]["mean"] / g["power_limit_w"]
        out["gpus"][idx] = g
    return out


# --------------------------------------------------------------------------- claims


def _fnum(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(float(x)) else None


def _per_seed(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per seed, the measurement's info merged with its cell's scalar counters."""
    infos = result.get("measured_info") or []
    counters = [c.get("counters") or {} for c in (result.get("timing") or {}).get("cells", [])
                if c.get("role") == "practice" and c.get("variant") == "clean"]
    out = []
    for i in range(max(len(infos), len(counters))):
        d: dict[str, Any] = dict(counters[i]) if i < len(counters) else {}
        info = infos[i] if i < len(infos) and isinstance(infos[i], dict) else {}
        d.update(info)
        out.append(d)
    return out


def throughput(result: dict[str, Any], peak: dict[str, Any] | None) -> dict[str, Any]:
    """Tokens or images per second and MFU of a claim's trainings (see the module doc)."""
    seeds = _per_seed(result)
    timing = result.get("timing") or {}
    clean_practice = [c for c in timing.get("cells", []) if c.get("role") == "practice" and c.get("variant") == "clean"]
    out: dict[str, Any] = {}

    def train_s(d):
        return _fnum(d.get("train_s")) or _fnum(d.get("train_seconds"))

    for kind in ("tokens", "images"):
        rates = []
        for d in seeds:
            r = _fnum(d.get(f"{kind}_per_s"))
            if r is None and _fnum(d.get(kind)) and train_s(d):
                r = _fnum(d.get(kind)) / train_s(d)
            if r is not None:
                rates.append(r)
        if rates:
            out[f"{kind}_per_s"] = statistics.fmean(rates)
    flops_rates, basis = [], None
    for i, d in enumerate(seeds):
        r = _fnum(d.get("flops_per_s"))
        if r is not None:
            flops_rates.append(r)
            basis = basis or "flops_per_s"
            continue
        fl = _fnum(d.get("flops"))
        if fl is None:
            continue
        ts = train_s(d)
        if ts:
            flops_rates.append(fl / ts)
            basis = basis or "training seconds"
        elif i < len(clean_practice) and _fnum(clean_practice[i].get("wall_s")):
            flops_rates.append(fl / clean_practice[i]["wall_s"])
            basis = basis or "cell wall"
    if flops_rates:
        out["model_flops_per_s"] = statistics.fmean(flops_rates)
        out["flops_basis"] = basis
        precision = next((str(d["precision"]) for d in seeds if d.get("precision")), None)
        on_gpu = any(str(c.get("device") or "").startswith("cuda") for c in clean_practice)
        ref = None
        if peak:
            name = precision if precision in ("bf16", "tf32", "fp32") else ("bf16" if on_gpu else "fp32")
            ref = _fnum(peak.get(f"peak_{name}_flops")) or _fnum(peak.get("peak_fp32_flops"))
            out["peak_name"] = name if _fnum(peak.get(f"peak_{name}_flops")) else "fp32"
        if ref:
            out["mfu"] = out["model_flops_per_s"] / ref
    return out


def claim_rows(results: list[dict[str, Any]], peak: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        t = r.get("timing") or {}
        cells = r.get("cells") or {}
        row = {
            "id": r.get("label") or r.get("id"),
            "verdict": r.get("verdict"),
            "need": r.get("need", "cpu"),
            "computed": cells.get("computed"),
            "reused_cells": cells.get("reused"),
            "reused_result": bool(r.get("reused")),
            "wall_s": _fnum(t.get("wall_s")) if t else _fnum(r.get("wall_s")),
            "gpu_s": _fnum(t.get("gpu_s")) if t else None,
            "span_s": _fnum(t.get("span_s")) if t else None,
            "workers": sorted({str(c.get("worker")) for c in t.get("cells", []) if c.get("worker")}) if t else [],
        }
        row.update(throughput(r, peak))
        rows.append(row)
    return rows


def _busy(results: list[dict[str, Any]], gpu: bool) -> tuple[float, float | None, float | None]:
    """(seconds of cells, union of their intervals, first start) of GPU or CPU cells."""
    iv, total = [], 0.0
    for r in results:
        for c in (r.get("timing") or {}).get("cells", []):
            if str(c.get("device") or "").startswith("cuda") != gpu:
                continue
            total += _fnum(c.get("wall_s")) or 0.0
            a, b = _fnum(c.get("t_start")), _fnum(c.get("t_end"))
            if a is not None and b is not None:
                iv.append((a, b))
    if not iv:
        return total, None, None
    iv.sort()
    union, (cur_a, cur_b) = 0.0, iv[0]
    for a, b in iv[1:]:
        if a > cur_b:
            union += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    union += cur_b - cur_a
    return total, union, iv[0][0]


def unfinished_cells(store: str | Path, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each claim NOT RUN (interrupted), the cells of it the store holds, with their
    seconds (a fresh store holds only this run's)."""
    store = Path(store)
    out = []
    for r in results:
        if r.get("verdict") != "NOT RUN":
            continue
        d = store / "cells" / str(r.get("id"))
        walls, gpu = [], 0.0
        for oc in sorted(d.glob("*/outcome.json")) if d.is_dir() else []:
            try:
                o = json.loads(oc.read_text()).get("outcome") or {}
            except (OSError, ValueError):
                continue
            w = _fnum(o.get("wall_s")) or 0.0
            walls.append(w)
            if str(o.get("device") or "").startswith("cuda"):
                gpu += w
        out.append({"id": r.get("label") or r.get("id"), "cells_done": len(walls), "wall_s": sum(walls), "gpu_s": gpu})
    return out


def summarise(results_path: str | Path, peak_path: str | Path | None = None, smi_path: str | Path | None = None,
              store: str | Path | None = None) -> dict[str, Any]:
    doc = json.loads(Path(results_path).read_text())
    results = doc.get("results", []) if isinstance(doc, dict) else list(doc)
    meta = doc.get("meta", {}) if isinstance(doc, dict) else {}
    peak = None
    if peak_path and Path(peak_path).exists():
        try:
            peak = json.loads(Path(peak_path).read_text())
        except ValueError:
            peak = None
    rows = claim_rows(results, peak)
    counts: dict[str, int] = {}
    for r in results:
        counts[str(r.get("verdict"))] = counts.get(str(r.get("verdict")), 0) + 1
    gpu_total, gpu_union, _ = _busy(results, gpu=True)
    cpu_total, cpu_union, _ = _busy(results, gpu=False)
    run_wall = _fnum(meta.get("wall_s"))
    out: dict[str, Any] = {
        "meta": {k: meta.get(k) for k in ("suite", "profile", "device", "workers", "jobs", "gpu_workers", "backend", "wall_s", "command")},
        "verdicts": counts,
        "not_run": counts.get("NOT RUN", 0),
        "peak": peak,
        "gpu_cells_s": gpu_total,
        "gpu_busy_s": gpu_union,
        "gpu_busy_fraction": (gpu_union / run_wall) if gpu_union and run_wall else None,
        "cpu_cells_s": cpu_total,
        "cpu_busy_s": cpu_union,
        "claims": rows,
        "slowest": sorted((r for r in rows if r["wall_s"] is not None), key=lambda r: -r["wall_s"])[:10],
    }
    out["nvidia_smi"] = summarise_smi(smi_path) if smi_path else {"available": False, "reason": "no --smi given"}
    if store:
        out["unfinished"] = unfinished_cells(store, results)
    return out


def _f(x: Any, spec: str = ".1f") -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float) and not math.isfinite(x):
        return "n/a"
    return format(x, spec) if isinstance(x, (int, float)) else str(x)


def _sec(x: Any) -> str:
    x = _fnum(x)
    if x is None:
        return "n/a"
    return f"{x:.0f}" if x >= 100 else (f"{x:.1f}" if x >= 1 else f"{x:.3f}")


def _rate(x: float | None) -> str:
    if x is None:
        return "n/a"
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= scale:
            return f"{x / scale:.3g}{unit}"
    return f"{x:.3g}"


def to_markdown(s: dict[str, Any]) -> str:
    m = s["meta"]
    lines = ["# Where the time went", ""]
    lines.append(f"Suite `{m.get('suite')}`, profile `{m.get('profile')}`, device `{m.get('device')}`, "
                 f"{m.get('workers') or m.get('backend')}, {_sec(m.get('wall_s'))} s wall.")
    lines.append("Verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(s["verdicts"].items())) +
                 (f"; **{s['not_run']} claims NOT RUN (interrupted)**" if s["not_run"] else ""))
    if s.get("gpu_busy_s") is None:
        gpu_line = "no cell ran on a GPU"
    else:
        gpu_line = (f"GPU cells: {_sec(s['gpu_cells_s'])} GPU-seconds, a GPU cell running during {_sec(s['gpu_busy_s'])} s"
                    + (f" ({s['gpu_busy_fraction']:.0%} of the run's wall)" if s.get("gpu_busy_fraction") else ""))
    lines.append(f"{gpu_line}; CPU cells: {_sec(s['cpu_cells_s'])} s (sum over cells).")
    pk = s.get("peak") or {}
    peaks = ", ".join(f"{k[5:-6]} {_rate(v)}FLOP/s" for k, v in pk.items() if k.startswith("peak_") and isinstance(v, (int, float)))
    lines.append(f"Matmul peak measured in this run: {peaks or 'n/a (no peak.json)'}.")
    lines += ["", "## GPU, sampled by nvidia-smi every second", ""]
    smi = s.get("nvidia_smi") or {}
    if not smi.get("available"):
        lines.append(f"n/a: {smi.get('reason', 'no samples')}")
    else:
        lines.append("| GPU | samples | util % mean / median / p10 | idle (<5%) | power W mean / max / limit | mem used MiB max | SM MHz median |")
        lines.append("|---|---|---|---|---|---|---|")
        for idx, g in smi["gpus"].items():
            u, pw, mu, clk = g["utilization_pct"] or {}, g["power_w"] or {}, g["memory_used_mib"] or {}, g["sm_clock_mhz"] or {}
            lines.append(f"| {idx} | {g['samples']} | {_f(u.get('mean'))} / {_f(u.get('median'))} / {_f(u.get('p10'))} | "
                         f"{g['idle_fraction']:.0%} | {_f(pw.get('mean'))} / {_f(pw.get('max'))} / {_f(g.get('power_limit_w'))} | "
                         f"{_f(mu.get('max'), '.0f')} | {_f(clk.get('median'), '.0f')} |")

    def table(rows):
        out = ["| claim | verdict | need | cells run / reused | wall s | GPU s | span s | tokens/s | images/s | model FLOP/s | MFU |",
               "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            mfu = "n/a" if r.get("mfu") is None else f"{r['mfu']:.1%} of {r.get('peak_name')}" + (
                f" ({r.get('flops_basis')})" if r.get("flops_basis") != "flops_per_s" else "")
            cells = "reused" if r["reused_result"] else f"{_f(r['computed'], 'd')} / {_f(r['reused_cells'], 'd')}"
            out.append(f"| {r['id']} | {r['verdict']} | {r['need']} | {cells} | {_sec(r['wall_s'])} | {_sec(r['gpu_s'])} | "
                       f"{_sec(r['span_s'])} | {_rate(r.get('tokens_per_s'))} | {_rate(r.get('images_per_s'))} | "
                       f"{_rate(r.get('model_flops_per_s'))} | {mfu} |")
        return out

    lines += ["", "## The ten slowest claims", ""] + table(s["slowest"])
    lines += ["", "## Every claim", ""] + table(s["claims"])
    if s.get("unfinished"):
        lines += ["", "## Claims NOT RUN: the cells they finished", "", "| claim | cells done | wall s | GPU s |", "|---|---|---|---|"]
        lines += [f"| {u['id']} | {u['cells_done']} | {_sec(u['wall_s'])} | {_sec(u['gpu_s'])} |" for u in s["unfinished"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks._gpu_report", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("peak", help="measure the matmul peak of a device")
    a.add_argument("--device", default="cuda")
    a.add_argument("--threads", type=int, default=None)
    a.add_argument("--out", required=True)
    b = sub.add_parser("summarise", help="per-claim time, GPU-seconds, throughput and MFU of a suite's results.json")
    b.add_argument("--results", required=True)
    b.add_argument("--peak", default=None)
    b.add_argument("--smi", default=None)
    b.add_argument("--store", default=None, help="the suite's run store folder (<store>/<suite>), for NOT RUN claims' cells")
    b.add_argument("--out", default=None, help="folder for time_report.md and time_report.json")
    args = ap.parse_args(argv)
    if args.cmd == "peak":
        res = measure_peak(args.device, args.threads)
        Path(args.out).write_text(json.dumps(res, indent=1))
        print(json.dumps(res))
        return 0
    if not Path(args.results).exists():
        print(f"no results file {args.results}: the suite wrote no report", file=sys.stderr)
        return 1
    s = summarise(args.results, args.peak, args.smi, args.store)
    md = to_markdown(s)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "time_report.md").write_text(md)
        (Path(args.out) / "time_report.json").write_text(json.dumps(s, indent=1, default=str))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
