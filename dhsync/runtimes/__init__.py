"""Runtimes: what each function kind means, and executors: where its runs execute.

A runtime (`Runtime`, by function kind: `get_runtime`, `runtimes()`) turns a run into an
`ExecutionRequest`; an executor (`Executor`, by name in the plain dict `EXECUTORS`; today `local`) runs
it and records `status.executor` (its name and the handle it needs). Stop, logs and refresh go to the
executor the run records; a run without one is local. A run naming an executor this dhsync does not
have raises UnknownExecutorError naming it.

The API (what `apply`, the SDK and the CLI call; `backend` is any object with the methods of
`RunStore`, which every `dhsync.backends` Backend has):

    execute_run(backend, run, *, repo_root=None, wait=True, timeout=None, reopen=None) -> dict
        Execute a stored CREATED run and return it as stored afterwards. With wait=True (the default)
        it returns when the run is COMPLETED (status.results, status.outputs), ERROR (status.message
        names the cause; the traceback is in the run's log) or STOPPED. With wait=False it returns the
        run READY while a detached process supervises it; `reopen` says how that process opens the
        backend. Raises NotRunnableError, after recording why in status.message (state unchanged),
        for a run this machine cannot execute (container/dbt kinds, build/serve actions,
        local_execution: false); RuntimeExecutionError for a run that is not CREATED; and lets
        KeyboardInterrupt through after recording STOPPED. Any other failure once the run left CREATED
        (the backend refusing a write, say) stops the run's process, ends the run in ERROR when the
        backend lets that be recorded, and is raised as it came.
    get_runtime(run_kind) -> Runtime | None     the runtime of a run, task or function kind
    read_logs(backend, run) -> str              stdout and stderr of a run, also while it runs
    follow_logs(backend, run) -> Iterator[bytes] the log as it grows, until the run has ended
    stop_run(backend, run) -> dict              stop a run; returns it once it has ended (STOPPED)
    refresh_run(backend, run) -> dict           the run as stored, ended if what executed it is gone
    log_file(backend, run) / artifact_file(backend, key) -> Path     where the local executor keeps them

Where files live: see `dhsync.runtimes.local` (logs, artifacts and working folders under
`backend.data_dir()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dhsync.model.runstate import FINAL_STATES, state_of
from dhsync.runtimes.base import (
    DEFAULT_LOG_LIMIT,
    BackendLocator,
    ExecuteOptions,
    NotRunnableError,
    RunStore,
    Runtime,
)
from dhsync.runtimes.execution import cannot_execute, follow_logs, read_logs, refresh_run, stop_run
from dhsync.runtimes.execution import execute as _execute
from dhsync.runtimes.executor import EXECUTORS, Executor, UnknownExecutorError, executor_name
from dhsync.runtimes.lifecycle import duration
from dhsync.runtimes.local import control
from dhsync.runtimes.local.files import artifact_path
from dhsync.runtimes.registry import ENTRY_POINT_GROUP, forget_plugins, get_runtime, runtimes
from dhsync.runtimes.request import ExecutionRequest


def execute_run(backend: RunStore, run: Mapping[str, Any], *, repo_root: Path | None = None, wait: bool = True,
                timeout: float | None = None, reopen: BackendLocator | None = None,
                log_limit: int = DEFAULT_LOG_LIMIT) -> dict[str, Any]:
    """Execute `run` with the runtime of its kind (see the module docstring)."""
    options = ExecuteOptions(repo_root=repo_root, wait=wait, timeout=timeout, log_limit=log_limit, reopen=reopen)
    return _execute(backend, run, options)


def log_file(backend: RunStore, run: Mapping[str, Any]) -> Path:
    """Where the local executor keeps the run's log."""
    return control.log_path(backend, run)


def artifact_file(backend: RunStore, key: str) -> Path | None:
    return artifact_path(backend.data_dir(), key)


__all__ = [
    "ENTRY_POINT_GROUP",
    "EXECUTORS",
    "FINAL_STATES",
    "BackendLocator",
    "ExecuteOptions",
    "ExecutionRequest",
    "Executor",
    "NotRunnableError",
    "RunStore",
    "Runtime",
    "UnknownExecutorError",
    "artifact_file",
    "cannot_execute",
    "duration",
    "execute_run",
    "executor_name",
    "follow_logs",
    "forget_plugins",
    "get_runtime",
    "log_file",
    "read_logs",
    "refresh_run",
    "runtimes",
    "state_of",
    "stop_run",
]
