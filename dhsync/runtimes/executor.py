"""Where a run executes: the Executor protocol, the executors by name, and finding a run's executor.

An executor runs an execution request (`dhsync.runtimes.request`) and answers for the run afterwards. It
records `status.executor` on the run: `name` (its key in EXECUTORS) beside the handle it needs to find
the run again (the local executor: host, supervisor and pid). Every later call (stop, logs, refresh)
goes to the executor that name says, so only that executor reads its handle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from dhsync.model.errors import RuntimeExecutionError
from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.local.executor import LocalExecutor
from dhsync.runtimes.request import ExecutionRequest

LOCAL = "local"


class Executor(Protocol):
    """Runs execution requests somewhere and answers for the runs it started."""

    def execute(self, store: RunStore, run: Mapping[str, Any], request: ExecutionRequest,
                options: ExecuteOptions) -> dict[str, Any]:
        """Execute a CREATED run as `request` says, recording its states and `status.executor`; return
        the run as stored afterwards (ended when `options.wait`, else once it is handed over)."""
        ...

    def stop(self, store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
        """Stop the run and return it as stored once it has ended."""
        ...

    def logs(self, store: RunStore, run: Mapping[str, Any]) -> str:
        """What the run printed so far."""
        ...

    def follow(self, store: RunStore, run: Mapping[str, Any]) -> Iterator[bytes]:
        """The run's log as it grows, until the run has ended."""
        ...

    def refresh(self, store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
        """The run as stored, brought up to date with what the executor knows of it (ended when what
        executed it is gone)."""
        ...


# The executors by the name runs record; the kubernetes executor joins here.
EXECUTORS: dict[str, Executor] = {LOCAL: LocalExecutor()}

# Where a new run executes. One executor today; choosing per dhsync.yaml, task and run comes later.
NEW_RUNS = LOCAL


class UnknownExecutorError(RuntimeExecutionError):
    """A run names an executor this dhsync does not have."""


def executor_name(run: Mapping[str, Any]) -> str:
    """The executor a run records; a run without one is local (stored by a dhsync that had only the
    local executor, or never handed to an executor)."""
    found = (run.get("status") or {}).get("executor")
    name = found.get("name") if isinstance(found, Mapping) else None
    return str(name) if name else LOCAL


def executor_of(run: Mapping[str, Any]) -> Executor:
    name = executor_name(run)
    found = EXECUTORS.get(name)
    if found is None:
        known = ", ".join(sorted(EXECUTORS))
        raise UnknownExecutorError(
            f"run `{run.get('id')}` was executed by the `{name}` executor, which this dhsync does not have "
            f"(it has: {known}); use the dhsync (version, extras) that started the run to act on it")
    return found


def new_run_executor() -> Executor:
    """The executor a new run goes to."""
    found = EXECUTORS.get(NEW_RUNS)
    if found is None:
        raise UnknownExecutorError(f"no `{NEW_RUNS}` executor is installed (it has: {', '.join(sorted(EXECUTORS))})")
    return found
