"""Handing a freshly created run to the runtime of its kind.

The runtimes (`dhsync.runtimes`, a later issue) are looked up lazily. The hook this module expects:
``dhsync.runtimes.get_runtime(run_kind: str)`` returning None when no runtime executes that run kind,
or an object with ``execute(backend, run: Mapping) -> Mapping`` that executes the run and returns it
as stored afterwards. Until such a runtime exists the run stays stored in CREATED, its
``status.message`` says why, and a ``NotExecutedWarning`` is issued.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from typing import Any, Protocol

from dhsync.backends.base import Backend

RUNTIMES_MODULE = "dhsync.runtimes"


class NotExecutedWarning(UserWarning):
    """A run was stored but no runtime could execute it."""


class RunExecutor(Protocol):
    def execute(self, backend: Backend, run: Mapping[str, Any]) -> Mapping[str, Any]: ...


def find_runtime(run_kind: str) -> RunExecutor | None:
    """The runtime that executes `run_kind` runs, or None when none is installed."""
    try:
        module = importlib.import_module(RUNTIMES_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in (RUNTIMES_MODULE, "dhsync"):
            return None
        raise
    lookup = getattr(module, "get_runtime", None)
    if lookup is None:
        return None
    runtime: RunExecutor | None = lookup(run_kind)
    return runtime


def not_executed_message(run: Mapping[str, Any]) -> str:
    task_kind = str(run["kind"]).removesuffix(":run")
    return (
        f"no runtime can execute {task_kind} runs yet (dhsync's runtimes are not part of this version); "
        f"run `{run['key']}` is stored in state CREATED and did not execute"
    )


def hand_off(backend: Backend, run: Mapping[str, Any]) -> dict[str, Any]:
    """Execute `run` with its runtime; without one, record why it did not execute and warn."""
    runtime = find_runtime(str(run["kind"]))
    if runtime is not None:
        return dict(runtime.execute(backend, run))
    message = not_executed_message(run)
    status = {**dict(run.get("status") or {}), "message": message}
    stored = backend.update_run(str(run["project"]), str(run["id"]), {**run, "status": status})
    warnings.warn(message, NotExecutedWarning, stacklevel=3)
    return stored
