"""What an interrupted apply left behind, read from its journal and the backend, without writing: runs it
created and did not execute (`pending`: the next apply executes them) and runs it was executing that have
not ended (`unfinished`: degraded until the next apply ends them). `plan` and `drift` read these too, so
this module needs nothing of the write loop or the runtimes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dhsync.apply.journal import CREATE_RUN, EXECUTE_RUN, Entry, Journal
from dhsync.backends.base import Backend
from dhsync.diff.marks import trigger_record
from dhsync.model.entities import Identity
from dhsync.model.errors import NotFoundError
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Change, Degraded, Reason
from dhsync.model.refs import parse_function_ref
from dhsync.model.runstate import FINAL_STATES, RunState, state_of


def _unexecuted(backend: Backend, project: str, journal: Journal, begun: str) -> Iterator[tuple[Entry, dict[str, Any]]]:
    """(journal line, run) for each run whose `begun` call (create or execute) an interrupted apply recorded and
    whose execution it never recorded as ended, and that the backend holds (a create that never reached it
    is triggered again by the plan)."""
    for entry in journal.begun(begun):
        if not entry.id or journal.ended(EXECUTE_RUN, entry.id):
            continue
        try:
            yield entry, backend.get_run(project, entry.id)
        except NotFoundError:
            continue


def pending(backend: Backend, project: str, journal: Journal) -> list[Change]:
    """The runs an interrupted apply created and never executed (still CREATED), as changes to apply
    (reason RESUMED, `before.run` the run's id)."""
    found = []
    for entry, run in _unexecuted(backend, project, journal, CREATE_RUN):
        if state_of(run) != RunState.CREATED:
            continue
        record = trigger_record(run)
        name = record.declaration if record is not None else entry.address.partition("/")[2]
        identity = Identity(EntityType.RUN, project, name)
        ref = parse_function_ref(str((run.get("spec") or {}).get("function", "")))
        before = {"run": entry.id, "function_version": ref.id if ref is not None else None}
        found.append(Change(Action.TRIGGER, identity, str(run["kind"]), Reason.RESUMED, before=before,
                            function=ref.name if ref is not None else None))
    return found


def left_executing(backend: Backend, project: str, journal: Journal) -> Iterator[tuple[str, dict[str, Any]]]:
    """(declared run name, run) for each run an interrupted apply began executing and never finished, past
    CREATED (a CREATED one is executed again as pending)."""
    for entry, run in _unexecuted(backend, project, journal, EXECUTE_RUN):
        if state_of(run) != RunState.CREATED:
            yield entry.address.partition("/")[2], run


_LEFT_RUNNING = ("the apply that was executing it was interrupted; the next `dhsync apply` ends it if nothing runs "
                 "it any more")


def unfinished(backend: Backend, project: str, journal: Journal) -> list[Degraded]:
    """Runs an interrupted apply was executing that have not ended, as degraded runs; read only (the next
    apply ends those nothing supervises any more). An ERROR one is degraded by the plan itself."""
    return [Degraded(name, str(run["id"]), state_of(run), _LEFT_RUNNING)
            for name, run in left_executing(backend, project, journal) if state_of(run) not in FINAL_STATES]


