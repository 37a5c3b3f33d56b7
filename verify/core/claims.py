"""Claims: a statement of a paper with a theory side and a practice side.

A claim is declared once, in the paper's `verify/<paper>.py` module, as a `Claim` in the
module-level list `CLAIMS`. The harness (`verify.core.runner`) calls `theory` and
`practice` *separately*, compares their values with `compare` and the stated
`tolerance`, and writes the verdict. Neither function sees the other's output, so a
claim cannot hand in its own verdict.

```python
from verify.core.claims import Claim, Measurement, Prediction, profiles

def _theory(ctx):            # closed form / derivation, float64
    return Prediction(value=0.0)

def _practice(ctx):          # integrate / train / simulate, one seed
    a, w = ...               # uses ctx.config, ctx.seed, ctx.rng("init")
    return Measurement(value=drift, raw={"a": a, "w": w})

CLAIMS = [
    Claim(
        id="lazy_rich.delta_conserved",
        statement="delta = eta_w a^2 - eta_a |w|^2 is constant along gradient flow.",
        theory=_theory,
        practice=_practice,
        compare="abs",
        tolerance=1e-9,
        tolerance_reason="diffrax rtol=1e-10, atol=1e-12 over t in [0, 10]",
        profiles=profiles(quick=dict(d=5, t_max=10.0), gpu=dict(d=50, t_max=10.0), seeds=4),
    ),
]
```
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

__all__ = [
    "Claim",
    "Comparison",
    "Measurement",
    "PaperValue",
    "Provenance",
    "Prediction",
    "Profile",
    "SkipClaim",
    "Skip",
    "skip",
    "profiles",
    "KINDS",
    "COMPARISONS",
    "DEVICE_NEEDS",
]

ProfileName = Literal["tiny", "quick", "gpu", "paper"]
PROFILE_NAMES: tuple[str, ...] = ("tiny", "quick", "gpu", "paper")
#: The profiles a report shows by default; `tiny` is the CI-sized version of the same code
#: path, run by the tests (`verify.core.testing.run_claim`) and on request (`--profile tiny`).
REPORTED_PROFILES: tuple[str, ...] = ("quick", "gpu", "paper")

#: What a claim tests (see `Claim.kind`).
KINDS: tuple[str, ...] = ("prediction", "consistency", "implementation")

#: What a cell needs to run on (see `Claim.device`): "gpu" for trainings and large
#: simulations, "cpu" for theory, JAX ODEs and small numerics.
DEVICE_NEEDS: tuple[str, ...] = ("cpu", "gpu")


def _check_need(value: Any, where: str) -> None:
    if value is not None and value not in DEVICE_NEEDS:
        raise ValueError(f"{where}: device must be one of {', '.join(DEVICE_NEEDS)}, not {value!r}")


class SkipClaim(Exception):
    """Raise inside `theory` or `practice` to SKIP the claim with a reason.

    Example: `raise SkipClaim("CIFAR-10 not found under --data-dir")`.
    """


@dataclasses.dataclass
class Prediction:
    """The theory side of a claim.

    **Arguments:**

    - `value`: the predicted quantity: a float, or an array compared elementwise with the
      measured array (same shape).
    - `stderr`: the theory's own stated uncertainty on `value` (Monte-Carlo standard error,
      quadrature error, a finite-size band), same shape as `value`. `None` when the theory
      is exact. Used by `compare="z"` and by the calibration metric.
    - `raw`: named arrays kept in the run store (`raw.npz`) and available to figures,
      e.g. a theory curve on a fine grid.
    - `subgroups`: named predicted values for subgroups (regimes, layers, classes); when the
      measurement has the same keys the report computes the worst agreement over them.
    - `info`: JSON-serialisable extra numbers shown in the report.
    """

    value: Any
    stderr: Any = None
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)
    subgroups: dict[str, Any] = dataclasses.field(default_factory=dict)
    info: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Measurement:
    """The practice side of a claim for one seed.

    **Arguments:**

    - `value`: the measured quantity (float or array, same shape as the prediction).
    - `stderr`: the measurement's own standard error where it averages many instances
      within one seed (e.g. 400 SDE paths), same shape as `value`.
    - `instances`: optional 1-D array of per-instance values (per path, per test point)
      whose mean is `value`; used for bootstrap intervals and calibration.
    - `raw`: named arrays kept in the run store (trajectories, predictions, curves).
    - `subgroups`: named measured values, matching `Prediction.subgroups`.
    - `counters`: pathologies and cost: `diverged` (bool), `nan` (bool), `hit_max_steps`
      (bool), `solver_steps` (int), `flops` (float), `train_steps` (int), ...
    - `info`: JSON-serialisable extra numbers shown in the report.
    """

    value: Any
    stderr: Any = None
    instances: Any = None
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)
    subgroups: dict[str, Any] = dataclasses.field(default_factory=dict)
    counters: dict[str, Any] = dataclasses.field(default_factory=dict)
    info: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class PaperValue:
    """A number the paper itself reports: shown beside ours as a reference, never used as
    the theory value.

    `readable=False` (build it with `PaperValue.unreadable(source, note)`) says the paper
    reports a number at `source` that could not be read from the recovered text; the report
    says so instead of showing a value. A claim about which the paper states no number has
    `paper_value=None` and says so in its `Provenance`."""

    value: Any
    source: str  # "Fig. 3", "Table 1", "Sec. 4.2"
    note: str = ""
    readable: bool = True

    def __post_init__(self) -> None:
        if not str(self.source).strip():
            raise ValueError("PaperValue: source must name where in the paper the number is")
        if not self.readable and self.value is not None:
            raise ValueError("PaperValue: an unreadable number has value None")

    @classmethod
    def unreadable(cls, source: str, note: str) -> "PaperValue":
        """The paper reports a number at `source` that could not be read (`note`: why)."""
        if not str(note).strip():
            raise ValueError("PaperValue.unreadable: note must say why the number could not be read")
        return cls(None, source, note, readable=False)


@dataclasses.dataclass(frozen=True)
class Provenance:
    """What of a claim is the paper's and what is our reconstruction.

    - `paper`: what the paper states or did (set-up, statement, number, with its place:
      "Fig. 5b", "§6c", "brief B.5"), or "qualitative in the paper" / "not in the recovered text".
    - `ours`: what we reconstructed or chose (data stand-in, sizes, estimator, thresholds).

    `docs/build.py` lists both, per claim, on the paper's page."""

    paper: str
    ours: str

    def __post_init__(self) -> None:
        if not str(self.paper).strip() or not str(self.ours).strip():
            raise ValueError("Provenance: both paper and ours must be stated")


@dataclasses.dataclass(frozen=True)
class Profile:
    """Configuration of a claim for one profile (quick / gpu / paper).

    - `config`: parameters passed to both theory and practice as `ctx.config`.
    - `seeds`: the practice seeds; the theory runs once (with its own seed stream).
    - `perturbations`: name -> config overrides; each perturbed config is run (theory and
      practice) and the report gives the worst agreement over them (robustness).
    - `requires`: "cuda" to SKIP when no GPU is present.
    - `skip_reason`: set (by `skip("...")`) when the claim deliberately has no run at this
      profile; planning SKIPs it with this reason, and `--list` and the report show it.
    - `device`: what the practice cells of this profile need, "gpu" or "cpu" (`None`: the
      claim's `device`, else "cpu"); see `Claim.device`. Not part of any hash.
    """

    config: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    seeds: tuple[int, ...] = (0,)
    perturbations: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    requires: str | None = None
    skip_reason: str | None = None
    device: str | None = None

    def __post_init__(self) -> None:
        _check_need(self.device, "Profile")


@dataclasses.dataclass(frozen=True)
class Skip:
    """A profile the claim deliberately does not run, with the reason (see `skip`)."""

    reason: str

    def __post_init__(self) -> None:
        if not str(self.reason).strip():
            raise ValueError("skip() needs a reason")


def skip(reason: str) -> Skip:
    """Mark a profile as not run, with its reason: `profiles(quick=..., paper=skip("needs
    CIFAR-10 under --data-dir"))`. The one way to leave a profile out on purpose."""
    return Skip(str(reason))


def profiles(
    *,
    tiny: Mapping[str, Any] | Skip | None = None,
    quick: Mapping[str, Any] | Skip | None = None,
    gpu: Mapping[str, Any] | Skip | None = None,
    paper: Mapping[str, Any] | Skip | None = None,
    seeds: int | Sequence[int] | Mapping[str, int | Sequence[int]] = 1,
    perturbations: Mapping[str, Mapping[str, Any]] | None = None,
    gpu_requires_cuda: bool = False,
    device: str | Mapping[str, str] | None = None,
) -> dict[str, Profile]:
    """Build the `profiles` mapping of a claim from plain config dicts.

    A profile is a config dict, `skip("reason")` (deliberately not run; SKIP with the
    reason), or `None` (absent). `tiny` is the CI-sized version of the same code path that
    the tests run (`verify.core.testing.run_claim`); it takes 1 seed unless `seeds` gives it
    more (a count applies to every profile, a mapping may name `"tiny"`).

    `seeds` is a count (seeds `0..n-1`), an explicit sequence, or a per-profile mapping of
    either, e.g. `seeds={"quick": 4, "gpu": 8}`. Perturbations apply to every profile given.

    `device` is what the practice cells need, "gpu" or "cpu", for every profile or per
    profile (`device={"gpu": "gpu", "paper": "gpu"}`; profiles not named take the claim's
    `device`, else "cpu"). See `Claim.device`.
    """
    if isinstance(device, Mapping):
        for k, v in device.items():
            if k not in PROFILE_NAMES:
                raise ValueError(f"profiles(device=...): unknown profile {k!r}")
            _check_need(v, f"profiles(device={{{k!r}: ...}})")
    else:
        _check_need(device, "profiles()")

    def _seeds(name: str) -> tuple[int, ...]:
        if isinstance(seeds, Mapping) and name == "tiny" and "tiny" not in seeds:
            return (0,)
        s = seeds[name] if isinstance(seeds, Mapping) else seeds
        if isinstance(s, Mapping):  # pragma: no cover - defensive
            raise TypeError("seeds mapping values must be int or sequence")
        if s is None:
            return (0,)
        if isinstance(s, int):
            if s < 1:
                raise ValueError("seeds must be >= 1")
            return tuple(range(s))
        return tuple(int(x) for x in s)

    out: dict[str, Profile] = {}
    for name, cfg in (("tiny", tiny), ("quick", quick), ("gpu", gpu), ("paper", paper)):
        if cfg is None:
            continue
        if isinstance(cfg, Skip):
            out[name] = Profile(config={}, seeds=(0,), skip_reason=cfg.reason)
            continue
        if isinstance(seeds, Mapping) and name not in seeds and name != "tiny":
            raise ValueError(f"seeds mapping lacks profile {name!r}")
        out[name] = Profile(
            config=dict(cfg),
            seeds=_seeds(name),
            perturbations=dict(perturbations or {}),
            requires="cuda" if (gpu_requires_cuda and name == "gpu") else None,
            device=device.get(name) if isinstance(device, Mapping) else device,
        )
    return out


# --------------------------------------------------------------------------- comparisons


def _as_array(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """How a measured value is compared with the predicted one.

    `error(theory, measured, theory_stderr, measured_stderr)` returns a non-negative error
    (or, for `min`/`max`, the signed shortfall), and `passed(error, tolerance)` the verdict.
    """

    name: str
    description: str
    error_fn: Callable[..., float]
    pass_fn: Callable[[float, float], bool]
    error_label: str


def _abs(t, m, st=None, sm=None):
    t, m = _as_array(t), _as_array(m)
    return float(np.max(np.abs(m - t))) if m.size else 0.0


def _rel(t, m, st=None, sm=None):
    t, m = _as_array(t), _as_array(m)
    scale = float(np.max(np.abs(t))) if t.size else 0.0
    if scale == 0.0:
        return math.inf if np.any(m != t) else 0.0
    return float(np.max(np.abs(m - t))) / scale


def _rel_l2(t, m, st=None, sm=None):
    t, m = _as_array(t), _as_array(m)
    scale = float(np.linalg.norm(t.ravel()))
    if scale == 0.0:
        return math.inf if np.any(m != t) else 0.0
    return float(np.linalg.norm((m - t).ravel())) / scale


def _z(t, m, st=None, sm=None):
    t, m = _as_array(t), _as_array(m)
    var = np.zeros(np.broadcast(t, m).shape)
    if st is not None:
        var = var + _as_array(st) ** 2
    if sm is not None:
        var = var + _as_array(sm) ** 2
    if not np.all(var > 0):
        raise ValueError("compare='z' needs a positive stderr from theory or practice")
    return float(np.max(np.abs(m - t) / np.sqrt(var)))


def _at_least(t, m, st=None, sm=None):
    # shortfall below the predicted bound; <= tolerance passes
    t, m = _as_array(t), _as_array(m)
    return float(np.max(t - m))


def _at_most(t, m, st=None, sm=None):
    t, m = _as_array(t), _as_array(m)
    return float(np.max(m - t))


def _equal(t, m, st=None, sm=None):
    t, m = np.asarray(t), np.asarray(m)
    if t.shape != m.shape:
        raise ValueError(f"compare='equal' needs equal shapes, got {t.shape} vs {m.shape}")
    return float(np.count_nonzero(t != m))


def _r2(t, m, st=None, sm=None):
    t, m = _as_array(t).ravel(), _as_array(m).ravel()
    ss_res = float(np.sum((m - t) ** 2))
    ss_tot = float(np.sum((m - np.mean(m)) ** 2))
    if ss_tot == 0.0:
        return 0.0 if ss_res == 0.0 else math.inf
    return ss_res / ss_tot  # = 1 - R^2, so smaller is better like every other error


def _interval(t, m, st=None, sm=None):
    t, m = _as_array(t), _as_array(m)
    if t.shape[-1:] != (2,):
        raise ValueError("compare='interval' needs the theory value to be (low, high)")
    lo, hi = t[..., 0], t[..., 1]
    return float(np.max(np.maximum(lo - m, m - hi)))


COMPARISONS: dict[str, Comparison] = {
    c.name: c
    for c in [
        Comparison("abs", "max |measured - theory| <= tolerance", _abs, lambda e, tol: e <= tol, "max abs error"),
        Comparison(
            "rel",
            "max |measured - theory| / max |theory| <= tolerance",
            _rel,
            lambda e, tol: e <= tol,
            "relative error (max-norm)",
        ),
        Comparison(
            "rel_l2",
            "||measured - theory||_2 / ||theory||_2 <= tolerance",
            _rel_l2,
            lambda e, tol: e <= tol,
            "relative error (L2)",
        ),
        Comparison(
            "z",
            "max |measured - theory| / sqrt(se_theory^2 + se_measured^2) <= tolerance (in standard errors)",
            _z,
            lambda e, tol: e <= tol,
            "z-score",
        ),
        Comparison(
            "at_least",
            "measured >= theory - tolerance (theory is a lower bound or a threshold)",
            _at_least,
            lambda e, tol: e <= tol,
            "shortfall below bound",
        ),
        Comparison(
            "at_most",
            "measured <= theory + tolerance (theory is an upper bound)",
            _at_most,
            lambda e, tol: e <= tol,
            "excess over bound",
        ),
        Comparison(
            "equal",
            "number of differing elements <= tolerance (exact, discrete)",
            _equal,
            lambda e, tol: e <= tol,
            "differing elements",
        ),
        Comparison(
            "r2",
            "1 - R^2 of measured against theory <= tolerance",
            _r2,
            lambda e, tol: e <= tol,
            "1 - R^2",
        ),
        Comparison(
            "interval",
            "measured inside the theory interval (low, high), widened by tolerance",
            _interval,
            lambda e, tol: e <= tol,
            "distance outside interval",
        ),
    ]
}


# --------------------------------------------------------------------------- the claim


@dataclasses.dataclass(frozen=True)
class Claim:
    """One checkable claim of a paper.

    **Arguments:**

    - `id`: `"<paper>.<name>"`, e.g. `"lazy_rich.delta_conserved"`; the paper part must be
      the module name under `verify/`.
    - `statement`: one sentence, what the paper claims.
    - `theory`: `ctx -> Prediction | value`; computed from theory alone (sympy closed
      forms, quadrature, theory-side Monte Carlo with `ctx.rng`). It never sees the
      measurement.
    - `practice`: `ctx -> Measurement | value`; one seed of integration, simulation or
      training (`ctx.seed`). It never sees the prediction.
    - `compare`: a key of `COMPARISONS` (`abs`, `rel`, `rel_l2`, `z`, `at_least`, `at_most`,
      `equal`, `r2`, `interval`).
    - `tolerance`: the pass threshold of the comparison's error.
    - `tolerance_reason`: where the tolerance comes from (ODE tolerance, Monte-Carlo
      standard error, number of seeds); shown in the report.
    - `profiles`: profile name -> `Profile` (use `profiles(...)`); a profile not listed is
      SKIPped with a reason.
    - `aggregate`: how per-seed measurements are combined before comparing: `"mean"`,
      `"median"`, or `"worst"` (each seed is compared; the largest error counts).
      `compare="equal"` always compares every seed (exact claims hold seed by seed).
    - `paper_value`: the paper's own number, shown beside ours (`PaperValue.unreadable`
      where the paper reports one that could not be read; `None` where it reports none).
    - `provenance`: what is the paper's and what is our reconstruction (`Provenance`).
    - `figure`: optional `(ctx, prediction, measurements) -> matplotlib.figure.Figure`.
    - `tags`: groups for the report (phenomenon, regime, architecture).
    - `kind`: what the claim tests. `"prediction"`: theory against an independent route
      (integration, simulation, training, data); the headline counts are predictions.
      `"consistency"`: two theory routes (a derivation against quadrature or a numeric
      solve, a formula against its limits). `"implementation"`: an algorithm's invariants.
    - `deviation`: a declared known deviation, set only after the set-up was checked
      against the paper's: the measured effect with its interval, the paper's number where
      there is one, and what differs from the paper's set-up. A FAIL of such a claim is
      reported as "FAIL (known deviation)" and does not fail the run.
    - `level`: the confidence level of the interval that decides a noisy comparison
      (PASS inside the tolerance, FAIL outside, INCONCLUSIVE when it straddles).
    - `device`: what the practice cells need: `"gpu"` for trainings and large simulations,
      `"cpu"` (the default) for theory, JAX ODEs and small numerics. On a `--device cuda`
      run a "gpu" cell runs in a GPU worker (the one process per device that owns its CUDA
      context) with `ctx.device == "cuda"`; a "cpu" cell runs in a CPU worker with
      `ctx.device == "cpu"`. Theory cells always need the CPU. A profile's own `device`
      (`profiles(device=...)`) wins over this one; `requires="cuda"` implies "gpu". Not
      part of any hash: marking a claim reuses its stored cells.
    """

    id: str
    statement: str
    theory: Callable[..., Any]
    practice: Callable[..., Any]
    compare: str
    tolerance: float
    tolerance_reason: str
    profiles: Mapping[str, Profile]
    aggregate: Literal["mean", "median", "worst"] = "mean"
    paper_value: PaperValue | None = None
    provenance: Provenance | None = None
    figure: Callable[..., Any] | None = None
    tags: tuple[str, ...] = ()
    kind: str | None = None
    deviation: str | None = None
    level: float = 0.95
    device: str | None = None

    def __post_init__(self) -> None:
        _check_need(self.device, f"claim {self.id}")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not 0.5 < self.level < 1.0:
            raise ValueError(f"claim {self.id}: level must be in (0.5, 1), got {self.level}")
        if self.deviation is not None and not str(self.deviation).strip():
            raise ValueError(f"claim {self.id}: a deviation must state its reason")
        if "." not in self.id:
            raise ValueError(f"claim id {self.id!r} must be '<paper>.<name>'")
        if self.compare not in COMPARISONS:
            raise ValueError(f"claim {self.id}: unknown compare {self.compare!r}; choose from {sorted(COMPARISONS)}")
        if not self.tolerance_reason.strip():
            raise ValueError(f"claim {self.id}: tolerance_reason must say where the tolerance comes from")
        if not (isinstance(self.tolerance, (int, float)) and math.isfinite(self.tolerance)):
            raise ValueError(f"claim {self.id}: tolerance must be a finite number")
        for name, prof in self.profiles.items():
            if name not in PROFILE_NAMES:
                raise ValueError(f"claim {self.id}: unknown profile {name!r}")
            if not isinstance(prof, Profile):
                raise TypeError(f"claim {self.id}: profiles values must be Profile (use profiles(...))")
        if self.aggregate not in ("mean", "median", "worst"):
            raise ValueError(f"claim {self.id}: aggregate must be mean, median or worst")

    @property
    def paper(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def comparison(self) -> Comparison:
        return COMPARISONS[self.compare]

    def need(self, profile: str, role: str = "practice") -> str:
        """What a cell of this claim needs, "gpu" or "cpu": theory cells the CPU; practice
        cells the profile's `device`, else the claim's, else "gpu" when the profile
        `requires="cuda"`, else "cpu"."""
        if role == "theory":
            return "cpu"
        prof = self.profiles.get(profile)
        if prof is not None and prof.device is not None:
            return prof.device
        if self.device is not None:
            return self.device
        if prof is not None and prof.requires == "cuda":
            return "gpu"
        return "cpu"
