"""Acting on a run from any process: read its log, stop it, notice that its supervisor is gone."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dhsync.model.errors import RuntimeExecutionError
from dhsync.model.runstate import ACTIVE_STATES, FINAL_STATES, RunState, state_of
from dhsync.runtimes.base import RunStore
from dhsync.runtimes.lifecycle import record
from dhsync.runtimes.local.files import RunFiles
from dhsync.runtimes.local.logsink import append_note

STOP_GRACE_SECONDS = 5.0
FOLLOW_POLL_SECONDS = 0.2
_POLL = 0.05
_FOLLOW_CHUNK = 65536
_LEGACY_HANDLE = ("host", "supervisor", "pid")


def log_path(store: RunStore, run: Mapping[str, Any]) -> Path:
    return RunFiles(store.data_dir(), str(run["id"])).log


def read_log(store: RunStore, run: Mapping[str, Any]) -> str:
    path = log_path(store, run)
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise _no_log(run, path) from None


def follow_log(store: RunStore, run: Mapping[str, Any], poll: float = FOLLOW_POLL_SECONDS) -> Iterator[bytes]:
    """The run's log as it grows, chunk by chunk, until the run has ended and all of it was read. A run
    whose supervisor died is ended on the way (see `refresh`), so following never waits forever."""
    path = log_path(store, run)
    offset = 0
    while True:
        current = refresh(store, run)
        ended = state_of(current) in FINAL_STATES
        never = offset == 0 and not path.exists() and not _log_may_come(current, ended)
        if state_of(current) == RunState.CREATED or never:
            raise _no_log(current, path)
        chunk = _read_from(path, offset)
        offset += len(chunk)
        if chunk:
            yield chunk
        elif ended:  # the supervisor closes the log before it records the final state
            return
        else:
            time.sleep(poll)


def _log_may_come(run: Mapping[str, Any], ended: bool) -> bool:
    host = handle_of(run).get("host")
    return not ended and host in (None, socket.gethostname())


def _no_log(run: Mapping[str, Any], path: Path) -> RuntimeExecutionError:
    if state_of(run) == RunState.CREATED:
        why = (run.get("status") or {}).get("message") or "it has not started"
        return RuntimeExecutionError(f"run `{run['id']}` has no logs: {why}")
    return RuntimeExecutionError(f"run `{run['id']}` has no log at {path}; logs stay on the machine and in the "
                                 "backend folder that executed the run")


def _read_from(path: Path, offset: int) -> bytes:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(_FOLLOW_CHUNK)
    except FileNotFoundError:
        return b""


def handle_of(run: Mapping[str, Any]) -> dict[str, Any]:
    """Where the run's processes are: `status.executor`, or, for a run stored before runs recorded one,
    the host and pids at the top of its status."""
    status: Mapping[str, Any] = run.get("status") or {}
    found = status.get("executor")
    if isinstance(found, Mapping):
        return dict(found)
    return {key: status[key] for key in _LEGACY_HANDLE if key in status}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):  # a zombie has ended; only its parent has not reaped it
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    return True


def refresh(store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    """The run as stored; a run that is going on this machine but whose supervisor (or, before the
    handler started, the process preparing it) has died is ended (ERROR, or STOPPED when a stop was
    asked) so that nobody waits for it forever."""
    current = store.get_run(str(run["project"]), str(run["id"]))
    handle = handle_of(current)
    if state_of(current) not in ACTIVE_STATES or handle.get("host") != socket.gethostname():
        return current
    supervisor = handle.get("supervisor")
    if not isinstance(supervisor, int) or alive(supervisor):
        return current
    _kill_group(handle.get("pid"), signal.SIGKILL)
    if state_of(current) == RunState.STOP:
        return record(store, current, RunState.STOPPED, message="stopped on request")
    if handle.get("pid"):
        message = (f"the process that supervised the run (pid {supervisor}) ended without recording how the run "
                   "ended; the handler's process was stopped")
    else:
        message = (f"the process that prepared the run (pid {supervisor}) ended before the handler started; "
                   "start a new run")
    append_note(log_path(store, current), message)
    return record(store, current, RunState.ERROR, message=message)


def stop_run(store: RunStore, run: Mapping[str, Any], grace: float = STOP_GRACE_SECONDS) -> dict[str, Any]:
    """Stop a run: ask (STOP), signal its process group, and return it once it is STOPPED."""
    current = refresh(store, run)
    state = state_of(current)
    if state in FINAL_STATES:
        return current
    if state == RunState.CREATED:
        why = (current.get("status") or {}).get("message") or "nothing executes it"
        raise RuntimeExecutionError(f"run `{current['id']}` is CREATED and not executing ({why}); there is nothing "
                                    "to stop")
    handle = handle_of(current)
    if not handle.get("pid"):
        return record(store, current, RunState.STOPPED, message="stopped on request before it started")
    if handle.get("host") != socket.gethostname():
        raise RuntimeExecutionError(f"run `{current['id']}` executes on host `{handle.get('host')}`; stop it "
                                    "there (`dhsync stop` signals local processes only)")
    if state != RunState.STOP:
        current = record(store, current, RunState.STOP, message="stop requested")
    append_note(log_path(store, current), "stop requested; sending SIGTERM to the handler's processes")
    _kill_group(handle["pid"], signal.SIGTERM)
    return _await_stopped(store, current, handle, grace)


def _await_stopped(store: RunStore, run: Mapping[str, Any], handle: Mapping[str, Any],
                   grace: float) -> dict[str, Any]:
    deadline = time.monotonic() + grace
    killed = False
    while True:
        current = refresh(store, run)
        if state_of(current) in FINAL_STATES:
            return current
        if time.monotonic() >= deadline and not killed:
            _kill_group(handle["pid"], signal.SIGKILL)  # the supervisor then records STOPPED
            killed, deadline = True, time.monotonic() + grace
        elif time.monotonic() >= deadline:
            return record(store, current, RunState.STOPPED, message="stopped on request; its processes were killed")
        time.sleep(_POLL)


def _kill_group(pid: Any, signum: int) -> None:
    if isinstance(pid, int) and pid > 0:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signum)
