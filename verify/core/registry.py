"""The claim registry: every `CLAIMS` list of the paper modules under `verify/`.

A paper module is any `verify/<name>.py` (or package) whose name does not start with an
underscore and is not `core` or `all`. A module that fails to import does not stop the
others: it is reported as an ERROR claim `<paper>.import` with the traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from collections.abc import Mapping

from verify.core.claims import Claim

__all__ = ["discover", "find_claim", "paper_registry", "paper_modules", "Registry"]

_NOT_PAPERS = {"core", "all", "report", "diff"}


def paper_modules() -> list[str]:
    """Names of the paper modules under `verify/`, sorted."""
    import verify

    return sorted(
        m.name for m in pkgutil.iter_modules(verify.__path__) if not m.name.startswith("_") and m.name not in _NOT_PAPERS
    )


class Registry(Mapping[str, Claim]):
    """Claims by id, plus the import errors of paper modules that failed."""

    def __init__(self, claims: dict[str, Claim], import_errors: dict[str, str]):
        self._claims = claims
        self.import_errors = import_errors

    def __getitem__(self, key: str) -> Claim:
        try:
            return self._claims[key]
        except KeyError:
            raise KeyError(f"no claim {key!r}") from None

    def __iter__(self):
        return iter(self._claims)

    def __len__(self) -> int:
        return len(self._claims)

    def papers(self) -> list[str]:
        return sorted({c.paper for c in self._claims.values()} | set(self.import_errors))


_CACHE: Registry | None = None


def discover(extra_modules: tuple[str, ...] = (), refresh: bool = False) -> Registry:
    """Import every paper module (and `extra_modules`, dotted names, for plugins and tests)
    and collect their claims."""
    global _CACHE
    if _CACHE is not None and not refresh and not extra_modules:
        return _CACHE
    claims: dict[str, Claim] = {}
    errors: dict[str, str] = {}
    names = [f"verify.{m}" for m in paper_modules()] + list(extra_modules)
    for modname in names:
        paper = modname.rsplit(".", 1)[-1]
        try:
            mod = importlib.import_module(modname)
        except Exception:
            errors[paper] = traceback.format_exc()
            continue
        for claim in getattr(mod, "CLAIMS", []):
            if not isinstance(claim, Claim):
                errors[paper] = f"{modname}.CLAIMS holds a {type(claim).__name__}, not a Claim"
                continue
            if claim.id in claims:
                errors[paper] = f"duplicate claim id {claim.id!r} in {modname}"
                continue
            claims[claim.id] = claim
    reg = Registry(claims, errors)
    if not extra_modules:
        _CACHE = reg
    return reg


_PAPER_CACHE: dict[str, Registry] = {}


def paper_registry(paper: str) -> Registry:
    """The claims of one paper module only (`verify.<paper>`): what a cell or a test needs,
    without importing every other paper."""
    if paper not in _PAPER_CACHE:
        if paper not in paper_modules():
            raise KeyError(f"no paper module verify.{paper}")
        claims: dict[str, Claim] = {}
        errors: dict[str, str] = {}
        try:
            mod = importlib.import_module(f"verify.{paper}")
            for claim in getattr(mod, "CLAIMS", []):
                if isinstance(claim, Claim):
                    claims[claim.id] = claim
        except Exception:
            errors[paper] = traceback.format_exc()
        _PAPER_CACHE[paper] = Registry(claims, errors)
    return _PAPER_CACHE[paper]


def find_claim(claim_id: str, extra_modules: tuple[str, ...] = ()) -> Claim:
    """The claim with this id, importing only its own paper module when it is one (plugins
    and other modules are searched through `discover(extra_modules)`)."""
    paper = claim_id.split(".", 1)[0]
    if paper in paper_modules():
        reg = paper_registry(paper)
        if claim_id in reg:
            return reg[claim_id]
        if paper in reg.import_errors:
            raise ImportError(f"module verify.{paper} failed to import:\n{reg.import_errors[paper]}")
    return discover(extra_modules)[claim_id]
