"""Run one claim end to end, as the harness does, for tests.

```python
from verify.core.testing import run_claim

res = run_claim("lazy_rich.delta_conserved")          # the claim's `tiny` profile
assert res.verdict == "PASS", res.reason
res = run_claim("lazy_rich.delta_conserved", profile="quick", t_max=1.0)  # overrides
```

`run_claim` plans the claim like `python -m verify.all` (overrides are checked against
the profile's config), executes every theory and practice cell with the executor's own
`execute_cell` (which wraps plain return values in `Prediction` / `Measurement`, seeds
everything, and uses the harness's theory seed), in a throw-away run store so that
`ctx.shared` works, and aggregates them with the runner. The verdict it returns is the one
the report would show.
"""

from __future__ import annotations

import dataclasses
import tempfile
from typing import Any

from verify.core.result import ClaimResult

__all__ = ["run_claim"]


def run_claim(
    claim_id: str,
    profile: str = "tiny",
    *,
    seeds: int | None = None,
    device: str = "cpu",
    data_dir: str | None = None,
    store_root: str | None = None,
    **overrides: Any,
) -> ClaimResult:
    """Plan, execute and aggregate one claim run; returns its `ClaimResult` with the
    `prediction` and the per-seed `measurements` attached.

    **Arguments:**

    - `claim_id`: the literal id (`"lazy_rich.delta_conserved"`).
    - `profile`: `"tiny"` (default), `"quick"`, `"gpu"` or `"paper"`.
    - `seeds`: run seeds `0..seeds-1` instead of the profile's seeds.
    - `overrides`: config values to replace; each must be a key of the profile's config.

    Raises `ValueError` for an unknown claim or parameter, or a profile the claim lacks.
    """
    from verify.core.executor import execute_cell
    from verify.core.registry import Registry, find_claim
    from verify.core.runner import aggregate, cell_payload, plan
    from verify.core.spec import RunEntry
    from verify.core.store import environment

    try:
        claim = find_claim(claim_id)
    except KeyError:
        raise ValueError(f"no claim {claim_id!r}") from None
    registry = Registry({claim_id: claim}, {})  # only the claim's own paper is imported
    grid = (tuple(sorted(overrides.items())),)
    items = plan(registry, profile, [claim_id], [RunEntry(pattern=claim_id, grid=grid, seeds=seeds)], device=device)
    if len(items) != 1:  # pragma: no cover - one id, one grid point
        raise RuntimeError(f"planning {claim_id} gave {len(items)} runs")
    item = items[0]
    if item.skip_reason is not None or item.spec is None:
        raise ValueError(f"claim {claim_id} has no runnable {profile} profile: {item.skip_reason}")

    with tempfile.TemporaryDirectory(prefix="dltheory-test-", dir=store_root) as root:
        cells: dict[str, tuple[dict[str, Any], Any]] = {}
        for c in item.spec.cells():
            cells[c.hash] = execute_cell(cell_payload(c, claim, root, "test", device, data_dir=data_dir))
        result, _rows, _raw, png = aggregate(item, cells, device, environment(device), 0, len(cells))
    result.pop("_per_instance", None)
    clean = [c for c in item.spec.cells() if c.variant == "clean"]
    pred = next((cells[c.hash][1] for c in clean if c.role == "theory"), None)
    meas = [cells[c.hash][1] for c in clean if c.role == "practice"]
    out = ClaimResult.from_record(result)
    return dataclasses.replace(out, prediction=pred, measurements=meas, figure_png=png)
