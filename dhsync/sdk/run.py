"""The `Run` object: one execution of a task, as the backend holds it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from dhsync.backends.base import Backend
from dhsync.model.errors import RuntimeExecutionError
from dhsync.sdk.entity import EntityObject
from dhsync.sdk.execution import find_runtime, not_executed_message

FINAL_STATES: frozenset[str] = frozenset({"COMPLETED", "ERROR", "STOPPED", "DELETED"})


class Run(EntityObject):
    """A run: `kind` is `<task-kind>:run`, `spec.task` and `spec.function` say what it executes."""

    def __init__(self, entity: Mapping[str, Any], backend: Backend) -> None:
        self._backend = backend
        self._load(entity)

    def refresh(self) -> Run:
        """Read the run again from the backend (its state moves while a runtime executes it)."""
        self._load(self._backend.get_run(self.project, self.id))
        return self

    def wait(self, timeout: float | None = None, interval: float = 1.0) -> Run:
        """Poll the backend until the run reaches COMPLETED, ERROR or STOPPED.

        A run that no runtime can execute would never get there, so that case is an error at once.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.refresh().status.state not in FINAL_STATES:
            self._require_runtime("wait for")
            if deadline is not None and time.monotonic() >= deadline:
                raise RuntimeExecutionError(
                    f"run `{self.key}` is still {self.status.state} after {timeout} s; call wait() again "
                    "or refresh() later")
            time.sleep(interval)
        return self

    def logs(self) -> str:
        raise RuntimeExecutionError(
            f"logs of run `{self.key}` are not available until the runtimes land (no runtime keeps logs yet)")

    def stop(self) -> Run:
        raise RuntimeExecutionError(
            f"run `{self.key}` cannot be stopped: stopping is not available until the runtimes land")

    def resume(self) -> Run:
        raise RuntimeExecutionError(
            f"run `{self.key}` cannot be resumed: resuming is not available until the runtimes land")

    def _require_runtime(self, doing: str) -> None:
        if find_runtime(self.kind) is None:
            reason = not_executed_message(self.to_dict())
            raise RuntimeExecutionError(f"cannot {doing} run `{self.key}`: {reason}")
