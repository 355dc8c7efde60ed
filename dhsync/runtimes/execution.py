"""Executing a run: its runtime makes the request, an executor runs it; later calls go to that executor.

The seam between what a kind means (runtime) and where a run executes (executor): this module is the
one place that looks both up. Stop, logs and refresh dispatch on the executor the run records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dhsync.model.errors import DhsyncError
from dhsync.model.runstate import RunState
from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.executor import executor_of, new_run_executor
from dhsync.runtimes.lifecycle import record, refuse, require_created
from dhsync.runtimes.plugins import PluginRuntime
from dhsync.runtimes.registry import ENTRY_POINT_GROUP, get_runtime


def execute(store: RunStore, run: Mapping[str, Any], options: ExecuteOptions) -> dict[str, Any]:
    """Execute `run` with the runtime of its kind on the executor new runs go to (see `dhsync.runtimes`)."""
    kind, key = str(run["kind"]), run.get("key", run["id"])
    runtime = get_runtime(kind)
    if runtime is None:
        raise refuse(store, run, f"no runtime is installed for `{kind.removesuffix(':run')}` runs (see "
                                 f"`{ENTRY_POINT_GROUP}` entry points); run `{key}` is stored and did not execute")
    why = runtime.cannot_execute(kind, run.get("spec") or {})
    if why is not None:
        raise refuse(store, run, f"{why}. Run `{key}` is stored in state CREATED and did not execute")
    if isinstance(runtime, PluginRuntime) and runtime.executes_itself:
        return runtime.execute(store, run, options)
    require_created(run)
    executor = new_run_executor()
    try:
        request = runtime.request(store, run)
    except DhsyncError as exc:
        return record(store, run, RunState.ERROR, message=f"cannot build the run: {exc}")
    return executor.execute(store, run, request, options)


def cannot_execute(run_kind: str, spec: Mapping[str, Any]) -> str | None:
    """Why a run of `run_kind` with `spec` cannot execute here (None when it can, or when its runtime
    does not say before trying), so that a caller can refuse before storing a run."""
    runtime = get_runtime(run_kind)
    if runtime is None:
        return f"no runtime is installed for `{run_kind.removesuffix(':run')}` runs (see `{ENTRY_POINT_GROUP}`)"
    return runtime.cannot_execute(run_kind, spec)


def read_logs(store: RunStore, run: Mapping[str, Any]) -> str:
    return executor_of(run).logs(store, run)


def follow_logs(store: RunStore, run: Mapping[str, Any]) -> Iterator[bytes]:
    return executor_of(run).follow(store, run)


def stop_run(store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    current = _stored(store, run)
    return executor_of(current).stop(store, current)


def refresh_run(store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    current = _stored(store, run)
    return executor_of(current).refresh(store, current)


def _stored(store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    # The caller's copy may predate the hand-over to an executor (an SDK Run made before it executed).
    return store.get_run(str(run["project"]), str(run["id"]))
