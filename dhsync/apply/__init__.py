"""apply: the only effectful loop of the reconciler (lock, journal, backend writes, triggered runs)."""

from __future__ import annotations

from dhsync.apply.outcome import ApplyResult, Outcome, Reporter, SilentReporter, Status
from dhsync.apply.planning import Flags, Planned, plan_now, with_source
from dhsync.apply.reconcile import Cancelled, Request, Review, reconcile
from dhsync.apply.session import RunSettings

__all__ = [
    "ApplyResult",
    "Cancelled",
    "Flags",
    "Outcome",
    "Planned",
    "Reporter",
    "Request",
    "Review",
    "RunSettings",
    "SilentReporter",
    "Status",
    "plan_now",
    "reconcile",
    "with_source",
]
