"""`ClaimResult`: the verdict of one claim run, as the runner hands it around.

The run store and the reports keep its JSON record (`ClaimResult.to_record()`, the
`result.json` of a claim run); `ClaimResult.from_record` reads one back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["ClaimResult", "VERDICTS"]

#: Every verdict a claim run can have. INCONCLUSIVE: a noisy comparison whose interval
#: straddles the tolerance; NOT RUN: interrupted before its cells finished.
VERDICTS = ("PASS", "FAIL", "INCONCLUSIVE", "ERROR", "SKIP", "NOT RUN")


@dataclasses.dataclass(frozen=True)
class ClaimResult:
    """One claim run's verdict and the numbers behind it.

    - `id`, `label`, `paper`, `profile`: what ran (`label` adds run-entry overrides).
    - `verdict`: one of `VERDICTS`; `reason`: why (for SKIP, ERROR, INCONCLUSIVE, NOT RUN).
    - `kind`: `prediction`, `consistency` or `implementation`.
    - `error`, `tolerance`, `error_ci`: the comparison's error, its threshold, and the
      error's interval over seeds (where the measurement is noisy).
    - `theory`, `measured`: JSON summaries of the two sides.
    - `record`: the full JSON record (metrics, config, seeds, environment, ...).
    - `prediction`, `measurements`, `figure_png`: the objects themselves, only where the
      result was computed in this process (`verify.core.testing.run_claim`).
    """

    id: str
    verdict: str
    reason: str = ""
    label: str = ""
    paper: str = ""
    profile: str = ""
    kind: str | None = None
    error: float | None = None
    tolerance: float | None = None
    error_ci: Any = None
    theory: Any = None
    measured: Any = None
    record: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    prediction: Any = dataclasses.field(default=None, repr=False, compare=False)
    measurements: Any = dataclasses.field(default=(), repr=False, compare=False)
    figure_png: bytes | None = dataclasses.field(default=None, repr=False, compare=False)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "ClaimResult":
        """Build from a `result.json` record (unknown keys stay in `record`)."""
        if not isinstance(record, dict) or "id" not in record or "verdict" not in record:
            raise ValueError("a claim result record needs at least 'id' and 'verdict'")
        return cls(
            id=record["id"],
            verdict=record["verdict"],
            reason=record.get("reason", "") or "",
            label=record.get("label", record["id"]),
            paper=record.get("paper", record["id"].split(".", 1)[0]),
            profile=record.get("profile", ""),
            kind=record.get("kind"),
            error=record.get("error"),
            tolerance=record.get("tolerance"),
            error_ci=record.get("error_ci"),
            theory=record.get("theory"),
            measured=record.get("measured"),
            record=dict(record),
        )

    def to_record(self) -> dict[str, Any]:
        """The JSON record (the fields above override those of `record`)."""
        r = dict(self.record)
        for f in ("id", "verdict", "reason", "label", "paper", "profile", "kind", "error", "tolerance", "error_ci", "theory", "measured"):
            r[f] = getattr(self, f)
        return r

    @property
    def passed(self) -> bool:
        return self.verdict == "PASS"

    def __getitem__(self, key: str) -> Any:
        """`result["verdict"]`: read a field of the JSON record."""
        return self.to_record()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """`result.get("measured_ci")`: a field of the JSON record, or `default`."""
        return self.to_record().get(key, default)
