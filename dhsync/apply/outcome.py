"""What apply did, change by change: values for the reporters and the summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from dhsync.model.plan import Change, Plan


class Status(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    # a triggered run someone stopped on purpose (`dhsync stop`): not a failure to fix
    STOPPED = "stopped"


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    message: str = ""
    # the id of the entity written (function version, task or run)
    entity_id: str = ""
    # what a reader wants to see of the result: a function's version, a run's state, results, outputs
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    outcomes: tuple[Outcome, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def count(self, status: Status) -> int:
        return Counter(o.status for o in self.outcomes)[status]

    @property
    def ok(self) -> bool:
        return all(o.status in (Status.DONE, Status.STOPPED) for o in self.outcomes)


class Reporter(Protocol):
    """Progress as apply goes: a bar on a terminal, one line per change otherwise (see dhsync.render)."""

    def start(self, total: int) -> None: ...
    def outcome(self, outcome: Outcome, done: int, total: int) -> None: ...
    def finish(self, result: ApplyResult) -> None: ...


class SilentReporter:
    def start(self, total: int) -> None:
        pass

    def outcome(self, outcome: Outcome, done: int, total: int) -> None:
        pass

    def finish(self, result: ApplyResult) -> None:
        pass
