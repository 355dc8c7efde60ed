"""Handing a run to the runtimes, and starting a run of a stored function.

`hand_off` is what `Function.run` calls: ``dhsync.runtimes.execute_run`` has the runtime of the run's
kind make the execution request and an executor run it where it can (python `job` runs with
`local_execution: true`, in a child process, waiting for the end). A run that cannot execute here
(another kind or action, left to a remote executor, or a kind no runtime is installed for) stays stored
in CREATED, its ``status.message`` says why, and a ``NotExecutedWarning`` is issued.

`start_run` is what `dhsync run` calls: find or create the task of an action, create the run, and
execute it with the options of the command line (repository root, waiting or not, timeout).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dhsync.backends import open_backend, shareable
from dhsync.backends.base import Backend
from dhsync.model.refs import FunctionRef
from dhsync.runtimes import BackendLocator, NotRunnableError, execute_run
from dhsync.sdk.run_spec import run_body, split_run_args
from dhsync.sdk.task import build_task_spec, find_task, task_kind_of


class NotExecutedWarning(UserWarning):
    """A run was stored but no runtime could execute it."""


def hand_off(backend: Backend, run: Mapping[str, Any]) -> dict[str, Any]:
    """Execute `run`, waiting for it; when it cannot execute here, it says why and a warning is issued."""
    try:
        return execute_run(backend, run)
    except NotRunnableError as exc:
        warnings.warn(str(exc), NotExecutedWarning, stacklevel=3)
        return backend.get_run(str(run["project"]), str(run["id"]))


def locator(url: str, base_dir: Path) -> BackendLocator | None:
    """How a detached supervisor reopens the backend at `url`; None when another process cannot open it."""
    if not shareable(url):
        return None
    return BackendLocator(f"{open_backend.__module__}:{open_backend.__name__}", url, str(base_dir))


def create_run(backend: Backend, function: Mapping[str, Any], action: str, fields: Mapping[str, Any],
               *, name: str | None = None) -> dict[str, Any]:
    """Store a run of `action` of a stored function version (its task found, or created with an empty
    spec as the SDK does); `fields` are run fields (parameters, inputs, outputs, values, …)."""
    project, kind = str(function["project"]), str(function["kind"])
    task_kind = task_kind_of(kind, action)
    _, run_fields = split_run_args(kind, action, task_kind, fields)
    ref = str(FunctionRef(kind, project, str(function["name"]), str(function["id"])))
    run_body(function, {"kind": task_kind, "project": project, "id": "pending"}, run_fields, ref)  # check first
    task = find_task(backend, project, ref, task_kind)
    if task is None:
        spec = build_task_spec(task_kind, ref, {})
        task = backend.create_task(project, {"kind": task_kind, "project": project, "spec": spec})
    body = run_body(function, task, run_fields, ref)
    if name is not None:
        body["name"] = name
    return backend.create_run(project, body)


def start_run(backend: Backend, function: Mapping[str, Any], action: str, fields: Mapping[str, Any], *,
              name: str | None = None, repo_root: Path | None = None, wait: bool = True,
              timeout: float | None = None, reopen: BackendLocator | None = None) -> dict[str, Any]:
    """Create a run (see create_run) and execute it here; returns it as stored afterwards. A run that
    cannot execute here raises NotRunnableError (it stays stored, CREATED, saying why)."""
    run = create_run(backend, function, action, {"local_execution": True, **fields}, name=name)
    return execute_run(backend, run, repo_root=repo_root, wait=wait, timeout=timeout, reopen=reopen)
