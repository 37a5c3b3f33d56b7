"""`python -m verify.report --suite NAME`: rebuild a suite's report from every claim result
in its run store (e.g. after running papers one by one with `python -m verify.<paper>`).

A stored result that cannot be read (a truncated or edited `result.json`) is not dropped:
it is named on stderr and reported as an ERROR, and the exit status is 1. Rerunning the
claim (`python -m verify.all --suite NAME --only CLAIM`) moves it aside and recomputes it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from verify.core.reporting import print_summary, write_report
from verify.core.store import RunStore


def _damaged_result(x: dict[str, str]) -> dict:
    """An ERROR result for a stored result that cannot be read."""
    profile = ""
    try:
        spec = json.loads((Path(x["path"]) / "spec.json").read_text())
        profile = str(spec.get("profile") or "")
    except Exception:  # noqa: BLE001 - the spec may be damaged too
        pass
    cid = x["claim_id"]
    return {
        "id": cid,
        "label": x["label"],
        "paper": cid.split(".", 1)[0],
        "profile": profile,
        "statement": "(stored result is damaged)",
        "verdict": "ERROR",
        "reason": f"stored result {x['path']} is damaged ({x['reason']}); rerun the claim to recompute it",
        "metrics": {},
        "result_dir": x["path"],
        "damaged": True,
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m verify.report", description=__doc__)
    p.add_argument("--suite", default="latest")
    p.add_argument("--store", default="runs")
    p.add_argument("--profile", default=None, help="only results of this profile")
    p.add_argument("--out", default=None, help="report folder (default: reports/<suite>)")
    args = p.parse_args(argv)
    try:
        store = RunStore(args.store, args.suite)
    except ValueError as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    try:
        found, damaged = store.scan_claim_results()
    except OSError as e:
        p.exit(2, f"{p.prog}: error: cannot read the run store {str(store.path)!r}: {e.strerror or e}\n")
    latest: dict[str, dict] = {}
    for r in sorted(found, key=lambda r: str(r.get("timestamp", ""))):
        if args.profile and r.get("profile") != args.profile:
            continue
        latest[r["label"]] = r
    bad = []
    for x in damaged:
        r = _damaged_result(x)
        if args.profile and r["profile"] and r["profile"] != args.profile:
            continue
        print(f"{p.prog}: warning: the stored result of {x['label']} is damaged ({x['reason']}): {x['path']}",
              file=sys.stderr)
        bad.append(r)
        latest.setdefault(r["label"], r)  # a readable result of the same label wins
    if not latest:
        p.exit(2, f"{p.prog}: error: no stored results in {store.path}\n")
    results = sorted(latest.values(), key=lambda r: r["label"])
    out = Path(args.out) if args.out else Path("reports") / args.suite
    from verify.core.cli import check_writable

    try:
        check_writable(out, "--out")
    except ValueError as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    meta = {"suite": args.suite, "profile": args.profile or "mixed", "device": "see claims", "backend": "store", "jobs": "-",
            "wall_s": sum(r.get("wall_s") or 0 for r in results if isinstance(r.get("wall_s"), (int, float))),
            "command": "python -m verify.report " + " ".join(argv if argv is not None else sys.argv[1:])}
    write_report(results, out, meta)
    print_summary(results, out, meta)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
