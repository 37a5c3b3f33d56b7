"""`python -m verify.all`: run every paper's claims and write the agreement report.

Options: `--profile quick|gpu|paper`, `--only GLOB`, `-r ENTRY`, `--conf FILE --priority N`,
`--list`, `--device auto|cpu|cuda`, `--jobs N`, `--address tcp://host:port`, `--suite NAME`,
`--out DIR`, `--store DIR`, `--force`, `--seed S`, `--data-dir DIR`, `--plugins MODULE`.
The exit status is 0 only if no claim FAILed or ERRORed.
"""

from __future__ import annotations

import sys

from verify.core.cli import main

if __name__ == "__main__":
    sys.exit(main())
