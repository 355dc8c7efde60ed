"""Runtimes: what each function kind can do, and executing runs.

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
    stop_run(backend, run) -> dict              stop a run going on this machine; returns it STOPPED
    refresh_run(backend, run) -> dict           the run as stored, ended if its supervisor (or the process
                                                preparing it) died
    log_file(backend, run) / artifact_file(backend, key) -> Path     where the files are

Where files live: see `dhsync.runtimes.local` (logs, artifacts and working folders under
`backend.data_dir()`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dhsync.runtimes.base import (
    DEFAULT_LOG_LIMIT,
    BackendLocator,
    ExecuteOptions,
    NotRunnableError,
    RunStore,
    Runtime,
)
from dhsync.runtimes.lifecycle import FINAL_STATES, duration, refuse, state_of
from dhsync.runtimes.local import control
from dhsync.runtimes.local.files import artifact_path
from dhsync.runtimes.registry import ENTRY_POINT_GROUP, forget_plugins, get_runtime, runtimes


def execute_run(backend: RunStore, run: Mapping[str, Any], *, repo_root: Path | None = None, wait: bool = True,
                timeout: float | None = None, reopen: BackendLocator | None = None,
                log_limit: int = DEFAULT_LOG_LIMIT) -> dict[str, Any]:
    """Execute `run` with the runtime of its kind (see the module docstring)."""
    runtime = get_runtime(str(run["kind"]))
    if runtime is None:
        task_kind = str(run["kind"]).removesuffix(":run")
        raise refuse(backend, run, f"no runtime is installed for `{task_kind}` runs (see `{ENTRY_POINT_GROUP}` "
                                   f"entry points); run `{run.get('key', run['id'])}` is stored and did not execute")
    options = ExecuteOptions(repo_root=repo_root, wait=wait, timeout=timeout, log_limit=log_limit, reopen=reopen)
    return runtime.execute(backend, run, options)


def cannot_execute(run_kind: str, spec: Mapping[str, Any]) -> str | None:
    """Why a run of `run_kind` with `spec` cannot execute on this machine (None when it can, or when its
    runtime does not say before trying), so that a caller can refuse before storing a run."""
    runtime = get_runtime(run_kind)
    if runtime is None:
        return f"no runtime is installed for `{run_kind.removesuffix(':run')}` runs (see `{ENTRY_POINT_GROUP}`)"
    check = getattr(runtime, "cannot_execute", None)  # optional for plugins
    reason = check(run_kind, spec) if callable(check) else None
    return str(reason) if reason is not None else None


def read_logs(backend: RunStore, run: Mapping[str, Any]) -> str:
    return control.read_log(backend, run)


def follow_logs(backend: RunStore, run: Mapping[str, Any]) -> Iterator[bytes]:
    return control.follow_log(backend, run)


def stop_run(backend: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    return control.stop_run(backend, run)


def refresh_run(backend: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    return control.refresh(backend, run)


def log_file(backend: RunStore, run: Mapping[str, Any]) -> Path:
    return control.log_path(backend, run)


def artifact_file(backend: RunStore, key: str) -> Path | None:
    return artifact_path(backend.data_dir(), key)


__all__ = [
    "ENTRY_POINT_GROUP",
    "FINAL_STATES",
    "BackendLocator",
    "ExecuteOptions",
    "NotRunnableError",
    "RunStore",
    "Runtime",
    "artifact_file",
    "cannot_execute",
    "duration",
    "execute_run",
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
