"""Shared machinery of `verify`: claims, run specs, run store, executors, metrics, reports."""

from verify.core.claims import (
    COMPARISONS as COMPARISONS,
    Claim as Claim,
    Measurement as Measurement,
    PaperValue as PaperValue,
    Provenance as Provenance,
    Prediction as Prediction,
    Profile as Profile,
    SkipClaim as SkipClaim,
    profiles as profiles,
)
from verify.core.context import RunContext as RunContext
