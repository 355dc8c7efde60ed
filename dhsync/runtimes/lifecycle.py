"""Moving a run through its states (`dhsync.model.runstate`), with a timestamp per transition.

CREATED -BUILD-> BUILT -RUN-> READY -EXECUTE-> RUNNING -COMPLETE-> COMPLETED; any -ERROR-> ERROR;
RUNNING -STOP-> STOP -> STOPPED. Every write re-reads the run first, so a stop request recorded by
another process in the meantime is seen and never overwritten by a stale copy, and a final state
(COMPLETED, ERROR, STOPPED) is never left.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dhsync.model import signals
from dhsync.model.errors import RuntimeExecutionError
from dhsync.model.runstate import FINAL_STATES, RunState, state_of
from dhsync.runtimes.base import NotRunnableError, RunStore

_EVENTS: dict[str, str] = {RunState.BUILT: "BUILD", RunState.READY: "RUN", RunState.RUNNING: "EXECUTE",
                           RunState.COMPLETED: "COMPLETE", RunState.ERROR: "ERROR", RunState.STOP: "STOP",
                           RunState.STOPPED: "STOP"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def where(run: Mapping[str, Any]) -> tuple[str, str]:
    return str(run["project"]), str(run["id"])


def record(store: RunStore, run: Mapping[str, Any], state: str, *, message: str | None = None,
           spec: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """Move `run` to `state` (appending a transition), setting `message` and any other status fields.
    A run in a final state stays as it is (a late write of a supervisor never undoes a stop)."""
    project, id_ = where(run)
    current = store.get_run(project, id_)
    if state_of(current) in FINAL_STATES:
        return current
    status = dict(current.get("status") or {})
    transition: dict[str, Any] = {"status": state, "time": now_iso(), "event": _EVENTS.get(state, state)}
    if message is not None:
        transition["message"] = message
        status["message"] = message
    elif state != current.get("status", {}).get("state"):
        status.pop("message", None)
    earlier = status.get("transitions") or [_created(current)]
    status.update(fields, state=state, transitions=[*earlier, transition])
    body: dict[str, Any] = {"kind": current["kind"], "status": status}
    if spec is not None:
        body["spec"] = dict(spec)
    return store.update_run(project, id_, body)


def record_after_failure(store: RunStore, run: Mapping[str, Any], state: str, message: str) -> None:
    """Record `state` after something failed, if the backend lets us. Signals wait until it is done,
    and a failure of this write is swallowed: the caller re-raises the first failure, which says what
    went wrong (a run the write missed is ended later by `control.refresh`, its process being gone)."""
    with signals.ignored(), contextlib.suppress(Exception):
        record(store, run, state, message=message)


def _created(run: Mapping[str, Any]) -> dict[str, Any]:
    created = (run.get("metadata") or {}).get("created") or now_iso()
    return {"status": RunState.CREATED, "time": created, "event": "CREATE"}


def note(store: RunStore, run: Mapping[str, Any], message: str) -> dict[str, Any]:
    """Say in `status.message` why a run did not move, keeping its state."""
    project, id_ = where(run)
    current = store.get_run(project, id_)
    status = {**dict(current.get("status") or {}), "message": message}
    return store.update_run(project, id_, {"kind": current["kind"], "status": status})


def refuse(store: RunStore, run: Mapping[str, Any], message: str) -> NotRunnableError:
    """Record why `run` cannot execute here and return the error to raise."""
    note(store, run, message)
    return NotRunnableError(message)


def require_created(run: Mapping[str, Any]) -> None:
    state = state_of(run)
    if state != RunState.CREATED:
        raise RuntimeExecutionError(
            f"run `{run.get('key', run['id'])}` is {state}; only a CREATED run can be executed. "
            "Start a new run instead")


def duration(run: Mapping[str, Any]) -> float | None:
    """Seconds from RUNNING to the final state (or to now while running); None before it ran."""
    transitions = (run.get("status") or {}).get("transitions") or []
    started = next((t["time"] for t in transitions if t.get("status") == RunState.RUNNING), None)
    if started is None:
        return None
    ended = next((t["time"] for t in reversed(transitions) if t.get("status") in FINAL_STATES), None)
    end = datetime.fromisoformat(ended) if ended else datetime.now(UTC)
    return max(0.0, (end - datetime.fromisoformat(started)).total_seconds())
