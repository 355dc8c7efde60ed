"""Apply as it goes and when it is done: a progress bar on a terminal, one line per change otherwise,
then a result summary and what the triggered runs produced."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from dhsync.apply.outcome import ApplyResult, Outcome, Status
from dhsync.model.plan import Action
from dhsync.model.runstate import RunState
from dhsync.plan.codec import address
from dhsync.render.plan_text import SYMBOLS
from dhsync.render.values import one_line, paint, plural

Write = Callable[[str], None]
_STATUS_COLORS = {Status.DONE: "green", Status.FAILED: "red", Status.SKIPPED: "yellow", Status.STOPPED: "yellow"}
BAR_WIDTH = 24


def outcome_line(outcome: Outcome, done: int, total: int, color: bool = False) -> str:
    change = outcome.change
    symbol = "!" if outcome.status is Status.FAILED else SYMBOLS.get(str(change.action), "?")
    status = paint(str(outcome.status), _STATUS_COLORS[outcome.status], color)
    width = len(str(total))
    return f"[{done:>{width}}/{total}] {symbol:>3} {address(change.identity)}: {status}, {outcome.message}"


class LineReporter:
    """One line per change (logs, CI); with `bar`, a progress bar kept at the bottom of a terminal.

    Without a bar the lines are handed to `write` in bunches, joined (the same text as one at a time): a
    `write` per line (click.echo: a stream lookup, a tty check and a flush each) cost more than a tenth of
    an apply's writes. A bunch waits at most FLUSH_SECONDS; `finish` and `interrupted_line` write the rest."""

    FLUSH_LINES = 256
    FLUSH_SECONDS = 0.1

    def __init__(self, write: Write, *, color: bool = False, bar: Write | None = None, quiet: bool = False) -> None:
        self.write = write
        self.color = color
        self.bar = bar
        self.quiet = quiet  # only what went wrong
        self.done: int | None = None  # None until the writes start
        self.total = 0
        self._pending: list[str] = []
        self._since = time.monotonic()

    def start(self, total: int) -> None:
        self.done, self.total = 0, total
        self._draw(0, total)

    def outcome(self, outcome: Outcome, done: int, total: int) -> None:
        self.done = done
        if not self.quiet or outcome.status in (Status.FAILED, Status.SKIPPED):
            self._pending.append(outcome_line(outcome, done, total, self.color))
        # on a terminal each line at once, under the bar; elsewhere when a bunch is full or old enough
        if self.bar is not None or len(self._pending) >= self.FLUSH_LINES or \
                time.monotonic() - self._since >= self.FLUSH_SECONDS:
            self._clear()
            self.flush()
            self._draw(done, total)

    def flush(self) -> None:
        """Write the lines held back."""
        if self._pending:
            self.write("\n".join(self._pending))
            self._pending.clear()
        self._since = time.monotonic()

    def finish(self, result: ApplyResult) -> None:
        self.flush()
        self._clear()

    def _draw(self, done: int, total: int) -> None:
        if self.bar is not None and total:
            filled = BAR_WIDTH * done // total
            self.bar(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}")

    def _clear(self) -> None:
        if self.bar is not None:
            self.bar("\r\x1b[K")


_DONE_WORDS = {Action.CREATE: "created", Action.RECREATE: "created", Action.NEW_VERSION: "new version",
               Action.UPDATE: "updated", Action.DELETE: "deleted", Action.TRIGGER: "run triggered",
               Action.ADOPT: "adopted"}


def _triggered(outcome: Outcome) -> bool:
    """A run was made for this change, whatever became of it (completed, failed, stopped)."""
    return outcome.change.action is Action.TRIGGER and (outcome.status is Status.DONE
                                                        or bool(outcome.details.get("state")))


def done_counts(result: ApplyResult) -> Counter[str]:
    counts = Counter(_DONE_WORDS[o.change.action] for o in result.outcomes
                     if o.status is Status.DONE and o.change.action is not Action.TRIGGER)
    counts["run triggered"] = sum(1 for o in result.outcomes if _triggered(o))
    return counts


def result_line(result: ApplyResult) -> str:
    done = done_counts(result)
    parts = [f"{done['created']} created", plural(done["new version"], "new version"), f"{done['updated']} updated",
             f"{done['deleted']} deleted", plural(done["run triggered"], "run") + " triggered"]
    if done["adopted"]:
        parts.insert(3, f"{done['adopted']} adopted")
    stopped = result.count(Status.STOPPED)
    if stopped:
        parts.append(f"{stopped} stopped on request")
    failed, skipped = result.count(Status.FAILED), result.count(Status.SKIPPED)
    if not failed and not skipped:
        return "Apply complete: " + ", ".join(parts) + "."
    return (f"Apply finished with errors: {failed} failed, {skipped} skipped; " + ", ".join(parts) +
            ". " + _next_step(result))


def _next_step(result: ApplyResult) -> str:
    ended = [o for o in result.outcomes if o.status is Status.FAILED and o.details.get("state")]
    if len(ended) == result.count(Status.FAILED) and not result.count(Status.SKIPPED):
        # only runs that ran and failed: apply does not trigger them again for the same version
        names = sorted({o.change.identity.name for o in ended})
        how = f"`dhsync run {names[0]}`" if len(names) == 1 else f"`dhsync run NAME` for {', '.join(names)}"
        return ("What succeeded is kept. A failed run is not triggered again for the same version: fix the "
                f"cause, then {how}.")
    return "What succeeded is kept; fix the cause and run `dhsync apply` again to finish."


class Progress(Protocol):
    done: int | None
    total: int


def interrupted_line(reporter: Progress) -> str | None:
    """What an interrupted apply had done, when it had started writing (the lines of what was done, held
    back by a LineReporter, are written first)."""
    if isinstance(reporter, LineReporter):
        reporter.flush()
    if reporter.done is None:
        return None
    return (f"apply stopped after {reporter.done} of {reporter.total} changes: what was done is kept, the lock "
            "is released, and `dhsync apply` finishes the job")


def _shown_path(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows): as it is
        return path


def _produced(details: Mapping[str, Any]) -> list[str]:
    lines = []
    if details.get("results"):
        lines.append("results: " + ", ".join(f"{k}={one_line(v, 60)}" for k, v in details["results"].items()))
    files = details.get("files") or {}
    for name, key in (details.get("outputs") or {}).items():
        lines.append(f"output {name}: {_shown_path(files[name]) if name in files else key}")
    if details.get("state") not in (RunState.COMPLETED, None) and details.get("message"):
        lines.append(f"message: {details['message']}")
    return lines


def run_lines(result: ApplyResult) -> list[str]:
    """What each triggered run produced."""
    lines = []
    for outcome in result.outcomes:
        if outcome.change.action is not Action.TRIGGER or not outcome.details.get("state"):
            continue
        lines.append(f"  {outcome.change.identity.name}: {outcome.details['state']} (run {outcome.entity_id})")
        lines += [f"    {line}" for line in _produced(outcome.details)]
    return ["Runs:", *lines] if lines else []
