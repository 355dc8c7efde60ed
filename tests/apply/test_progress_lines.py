"""apply's line per change (logs, CI): the same text however the lines are bunched into writes."""

from __future__ import annotations

from dhsync.apply.outcome import ApplyResult, Outcome, Status
from dhsync.model.entities import Identity
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Change, Plan, Reason
from dhsync.render.apply_text import LineReporter, interrupted_line, outcome_line


def _outcomes(n: int) -> list[Outcome]:
    return [Outcome(Change(Action.CREATE, Identity(EntityType.FUNCTION, "demo", f"fn-{i}"), "python",
                           Reason.NOT_IN_BACKEND), Status.DONE, f"created version v{i}") for i in range(n)]


def _echoed(writes: list[str]) -> str:
    return "".join(f"{text}\n" for text in writes)  # what click.echo prints for each write


def test_the_lines_of_an_apply_are_the_same_text_whether_bunched_or_not() -> None:
    outcomes = _outcomes(700)
    writes: list[str] = []
    reporter = LineReporter(writes.append)
    reporter.start(len(outcomes))
    for done, outcome in enumerate(outcomes, 1):
        reporter.outcome(outcome, done, len(outcomes))
    reporter.finish(ApplyResult(Plan("demo", (), "", "")))
    assert _echoed(writes) == _echoed([outcome_line(o, i, 700) for i, o in enumerate(outcomes, 1)])
    assert len(writes) < 10, "bunched, not one write per line"


def test_an_interrupted_apply_shows_every_line_of_what_was_done_before_saying_so() -> None:
    writes: list[str] = []
    reporter = LineReporter(writes.append)
    reporter.start(10)
    for done, outcome in enumerate(_outcomes(3), 1):
        reporter.outcome(outcome, done, 10)
    said = interrupted_line(reporter)
    assert _echoed(writes).count("\n") == 3
    assert said is not None and said.startswith("apply stopped after 3 of 10 changes")
