"""apply: the only effectful loop of the reconciler (lock, journal, backend writes, triggered runs).

Its names are imported on first use: `dhsync plan` needs the planning part only, not the write loop, the
runtimes and the executors behind it. The loop itself is `dhsync.apply.reconcile.reconcile` (a package
attribute of that name would be replaced by the submodule as soon as it is imported).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dhsync.apply.outcome import ApplyResult, Outcome, Reporter, SilentReporter, Status
    from dhsync.apply.planning import Flags, Planned, plan_now, with_source
    from dhsync.apply.reconcile import Cancelled, Request, Review
    from dhsync.apply.session import RunSettings

_WHERE = {
    "ApplyResult": "outcome", "Outcome": "outcome", "Reporter": "outcome", "SilentReporter": "outcome",
    "Status": "outcome", "Flags": "planning", "Planned": "planning", "plan_now": "planning",
    "with_source": "planning", "Cancelled": "reconcile", "Request": "reconcile", "Review": "reconcile",
    "RunSettings": "session",
}

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
    "with_source",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dhsync.apply' has no attribute {name!r}")
    return getattr(importlib.import_module(f"dhsync.apply.{module}"), name)
