"""`python -m verify.report --suite NAME`: rebuild a suite's report from every claim result
in its run store (e.g. after running papers one by one with `python -m verify.<paper>`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verify.core.reporting import print_summary, write_report
from verify.core.store import RunStore


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m verify.report", description=__doc__)
    p.add_argument("--suite", default="latest")
    p.add_argument("--store", default="runs")
    p.add_argument("--profile", default=None, help="only results of this profile")
    p.add_argument("--out", default=None, help="report folder (default: reports/<suite>)")
    args = p.parse_args(argv)
    store = RunStore(args.store, args.suite)
    latest: dict[str, dict] = {}
    for r in sorted(store.all_claim_results(), key=lambda r: r.get("timestamp", "")):
        if args.profile and r.get("profile") != args.profile:
            continue
        r["result_dir"] = str(store.path / "claims" / r["id"] / r["spec_hash"])
        latest[r["label"]] = r
    if not latest:
        p.exit(2, f"{p.prog}: error: no stored results in {store.path}\n")
    results = sorted(latest.values(), key=lambda r: r["label"])
    out = Path(args.out) if args.out else Path("reports") / args.suite
    meta = {"suite": args.suite, "profile": args.profile or "mixed", "device": "see claims", "backend": "store", "jobs": "-",
            "wall_s": sum(r.get("wall_s") or 0 for r in results), "command": "python -m verify.report " + " ".join(argv or sys.argv[1:])}
    write_report(results, out, meta)
    print_summary(results, out, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
