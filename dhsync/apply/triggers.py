"""Declared runs: create the run a trigger asks for, then execute it through its runtime.

The run records which declaration, task content and function version triggered it (labels and
`spec.function`), so the next plan does not trigger it again. It is journaled as `create-run` and
`execute-run`: a run an interrupted apply created and did not execute is executed by the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.apply.bodies import new_id, run_body
from dhsync.apply.journal import CREATE_RUN, EXECUTE_RUN, Journal
from dhsync.apply.leftover import left_executing
from dhsync.apply.outcome import Outcome, Status
from dhsync.apply.session import Session
from dhsync.backends.base import Backend
from dhsync.model.errors import InvalidInputError
from dhsync.model.plan import Change
from dhsync.model.redact import redact_text
from dhsync.model.runstate import RunState
from dhsync.model.secret_values import hide
from dhsync.plan.runs import task_kind_of, trigger_record_for
from dhsync.runtimes import NotRunnableError, artifact_file, duration, execute_run, lifecycle, refresh_run, state_of


def trigger_run(session: Session, change: Change) -> Outcome:
    declared = session.declared_run(change.identity.name)
    function_name = str(declared.function)
    function = session.version(function_name)
    task = session.task(function_name, task_kind_of(declared))
    if task is None:
        raise InvalidInputError(f"run `{declared.name}` has no `{task_kind_of(declared)}` task on function "
                                f"`{function_name}`; plan again")
    record = trigger_record_for(session.desired, declared)
    id_ = new_id()
    body = run_body(declared, task, function, record, id_)
    run = session.write(CREATE_RUN, change, id_, lambda: session.backend.create_run(session.project, body))
    return execute(session, change, run)


def execute(session: Session, change: Change, run: Mapping[str, Any]) -> Outcome:
    id_ = str(run["id"])
    ended = session.write(EXECUTE_RUN, change, id_, lambda: _execute(session, run))
    return _outcome(change, ended, session.backend)


def _execute(session: Session, run: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return execute_run(session.backend, run, repo_root=session.runs.repo_root, wait=True,
                           timeout=session.runs.timeout)
    except NotRunnableError:  # stored, with status.message saying why it cannot execute here
        return session.backend.get_run(str(run["project"]), str(run["id"]))


def _details(run: Mapping[str, Any], backend: Backend) -> dict[str, Any]:
    status: Mapping[str, Any] = run.get("status") or {}
    outputs: Mapping[str, Any] = status.get("outputs") or {}
    files = {name: str(path) for name, key in outputs.items() if (path := artifact_file(backend, str(key)))}
    # what apply shows of a run: results under credential names and messages quoting a token masked
    message = status.get("message")
    return {"state": state_of(run), "duration": duration(run), "results": hide(status.get("results") or {}),
            "outputs": outputs, "files": files, "message": None if message is None else redact_text(str(message))}


def _outcome(change: Change, run: Mapping[str, Any], backend: Backend) -> Outcome:
    details, id_ = _details(run, backend), str(run["id"])
    state = details["state"]
    if state == RunState.COMPLETED:
        took = f" in {details['duration']:.1f} s" if details["duration"] is not None else ""
        return Outcome(change, Status.DONE, f"run {id_[:8]} COMPLETED{took}", id_, details)
    if state == RunState.CREATED:
        return Outcome(change, Status.DONE, f"run {id_[:8]} stored, not executed: {details['message']}", id_, details)
    if state == RunState.STOPPED:
        return Outcome(change, Status.STOPPED, f"run {id_[:8]} STOPPED on request", id_, details)
    message = str(details["message"] or "no reason recorded")
    if "dhsync logs" not in message:
        message += f"; see `dhsync logs {id_}`"
    return Outcome(change, Status.FAILED, f"run {id_[:8]} ended {state}: {message}", id_, details)


def resume(session: Session, change: Change) -> Outcome:
    """Execute a run an interrupted apply created, unless something else started it meanwhile."""
    id_ = str((change.before or {}).get("run"))
    run = session.backend.get_run(session.project, id_)
    if state_of(run) != RunState.CREATED:
        return Outcome(change, Status.DONE, f"run {id_[:8]} is {state_of(run)} already; nothing to resume", id_,
                       _details(run, session.backend))
    return execute(session, change, run)


_STARTING = frozenset({RunState.BUILT, RunState.READY})
_NEVER_STARTED = "the apply that was executing the run was interrupted before its handler started"


def interrupted(backend: Backend, project: str, journal: Journal) -> list[str]:
    """Runs an interrupted apply was executing: ended now (ERROR) if nothing supervises them any more,
    and said, since apply does not trigger the same declaration again."""
    notes = []
    for name, left in left_executing(backend, project, journal):
        run = refresh_run(backend, left)
        if state_of(run) in _STARTING:
            # Between CREATED and RUNNING the apply itself executes the run; it is gone (we hold its lock),
            # so nothing ever will: end it, or it stays BUILT or READY for good.
            run = lifecycle.record(backend, run, RunState.ERROR, message=_NEVER_STARTED)
        state = state_of(run)
        again = "" if state == RunState.COMPLETED else f". `dhsync run {name}` runs it again"
        notes.append(f"run {run['id']} of `{name}` was being executed by an apply that was interrupted; it is "
                     f"{state} now{again}")
    return notes
