"""The run context handed to a claim's `theory` and `practice` functions."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from verify.core import seeding

__all__ = ["RunContext", "progress_enabled"]


def progress_enabled() -> bool:
    """Progress bars are on unless `DLTHEORY_PROGRESS=0` (tests and CI set it)."""
    return os.environ.get("DLTHEORY_PROGRESS", "1") not in ("0", "false", "no")


@dataclasses.dataclass
class RunContext:
    """What a theory or practice function may use.

    - `config`: the profile's parameters (with any run-entry overrides applied).
    - `seed`: the practice seed; for the theory side it is `seeding.THEORY_SEED`.
    - `role`: `"theory"` or `"practice"`.
    - `profile`: `"quick"`, `"gpu"` or `"paper"`.
    - `device`: `"cpu"` or `"cuda"` (resolved by `--device`).
    - `data_dir`: `--data-dir` (for the paper profile's datasets), or `None`.
    """

    claim_id: str
    profile: str
    config: Mapping[str, Any]
    seed: int
    role: str
    device: str = "cpu"
    data_dir: str | None = None
    _shared: Callable[..., Any] | None = None

    @property
    def paper(self) -> str:
        return self.claim_id.split(".", 1)[0]

    def __getitem__(self, key: str) -> Any:
        try:
            return self.config[key]
        except KeyError:
            raise KeyError(f"claim {self.claim_id}: config has no parameter {key!r}") from None

    # ---------------------------------------------------------------- randomness
    def rng(self, stream: str = "default"):
        """numpy Generator for a named stream of this run's seed."""
        return seeding.rng(self.seed, stream)

    def torch_generator(self, stream: str = "default", device: str | None = None):
        return seeding.torch_generator(self.seed, stream, device or "cpu")

    def jax_key(self, stream: str = "default"):
        return seeding.jax_key(self.seed, stream)

    def stream_seed(self, stream: str = "default") -> int:
        return seeding.stream_seed(self.seed, stream)

    # ---------------------------------------------------------------- progress
    def progress(self, iterable: Iterable | None = None, *, total: int | None = None, desc: str | None = None, **kw):
        """A tqdm progress bar (silent when `DLTHEORY_PROGRESS=0`)."""
        from tqdm.auto import tqdm

        return tqdm(
            iterable,
            total=total,
            desc=desc or self.claim_id,
            leave=False,
            disable=not progress_enabled(),
            file=sys.stderr,
            dynamic_ncols=True,
            **kw,
        )

    # ---------------------------------------------------------------- shared work
    def shared(self, name: str, fn: Callable[[], Any], /, *, per_seed: bool = True, **key: Any) -> Any:
        """Compute `fn()` once and share it between claims of the same paper.

        Several claims are often read off one expensive experiment (one trained sweep,
        one batch of integrated paths). `ctx.shared("sweep", lambda: train(...), M=..., steps=...)`
        stores the result in the run store under a hash of
        `(paper, name, key, seed if per_seed, code version)`, with a lock so that parallel
        workers compute it once. Everything `fn` depends on must be in `key`.

        The store keeps data, not code (no pickles): the result must be built of dicts,
        lists, tuples, sets, str, numbers, bools, None, numpy arrays and scalars, and torch
        tensors (returned as CPU tensors; JAX arrays come back as numpy). Anything else (a
        dataclass, a named tuple, a model) raises a `TypeError` naming the experiment and
        the type: return `dataclasses.asdict(...)` or the arrays instead. Every call, the
        first included, returns the value as the store gives it back. `--force`
        recomputes it (once per run).
        """
        if self._shared is None:
            return fn()
        return self._shared(self.paper, name, fn, key, self.seed if per_seed else None)
