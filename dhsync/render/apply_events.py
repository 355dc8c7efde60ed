"""apply as JSON lines, for CI: one object per event (the plan, each change as it is done, each note) and a
final summary object. Every line is a complete JSON object; values come from the plan file's masked form
and from outcomes, so no secret reaches them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson

from dhsync.apply.outcome import ApplyResult, Outcome, Status
from dhsync.plan.codec import address, to_dict
from dhsync.render.apply_text import done_counts

Write = Callable[[str], None]


def line(event: str, **fields: Any) -> str:
    return orjson.dumps({"event": event, **fields}, default=str).decode()


def plan_event(plan: Mapping[str, Any]) -> str:
    return line("plan", plan=plan)


def outcome_event(outcome: Outcome, done: int, total: int) -> str:
    change = outcome.change
    return line("change", index=done, total=total, address=address(change.identity), action=str(change.action),
                reason=str(change.reason), status=str(outcome.status), message=outcome.message,
                id=outcome.entity_id or None, details=dict(outcome.details))


def summary_event(result: ApplyResult) -> str:
    counts = done_counts(result)
    return line("summary", ok=result.ok, project=result.plan.project,
                created=counts["created"], new_versions=counts["new version"], updated=counts["updated"],
                adopted=counts["adopted"], deleted=counts["deleted"], runs_triggered=counts["run triggered"],
                failed=result.count(Status.FAILED), skipped=result.count(Status.SKIPPED),
                stopped=result.count(Status.STOPPED), notes=list(result.notes),
                degraded=to_dict(result.plan)["degraded"])


class JsonReporter:
    """The Reporter of `apply --format json`: a `change` line as each change is done."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.done: int | None = None
        self.total = 0

    def start(self, total: int) -> None:
        self.done, self.total = 0, total

    def outcome(self, outcome: Outcome, done: int, total: int) -> None:
        self.done = done
        self.write(outcome_event(outcome, done, total))

    def finish(self, result: ApplyResult) -> None:
        pass
