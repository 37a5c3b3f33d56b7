"""`python -m verify.diff A B`: what changed between two report folders (or suite names
under `reports/`): flipped verdicts, changed errors, added and removed claims."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verify.core.reporting.diff import diff_results, load_results, render_diff


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m verify.diff", description=__doc__)
    p.add_argument("before", help="report folder or suite name under --reports")
    p.add_argument("after", help="report folder or suite name under --reports")
    p.add_argument("--reports", default="reports", help="root of the report folders (default: reports)")
    p.add_argument("--out", default=None, help="write the diff as Markdown to this file")
    p.add_argument("--point", action="store_true",
                   help="compare the point-estimate verdicts (error <= tolerance) instead of the interval verdicts, "
                        "e.g. across a change of verdict rule")
    args = p.parse_args(argv)

    def resolve(x: str) -> Path:
        q = Path(x)
        return q if q.exists() else Path(args.reports) / x

    try:
        a, b = load_results(resolve(args.before)), load_results(resolve(args.after))
    except ValueError as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    text = render_diff(diff_results(a, b, point=args.point), args.before, args.after)
    if args.out:
        try:
            Path(args.out).write_text(text)
        except OSError as e:
            p.exit(2, f"{p.prog}: error: --out {args.out!r} cannot be written: {e.strerror or e}\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
