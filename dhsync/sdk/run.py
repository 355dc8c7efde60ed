"""The `Run` object: one execution of a task, as the backend holds it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from dhsync.backends.base import Backend
from dhsync.model.errors import RuntimeExecutionError
from dhsync.model.runstate import RunState
from dhsync.runtimes import FINAL_STATES, read_logs, refresh_run, stop_run
from dhsync.sdk.entity import EntityObject


class Run(EntityObject):
    """A run: `kind` is `<task-kind>:run`, `spec.task` and `spec.function` say what it executes."""

    def __init__(self, entity: Mapping[str, Any], backend: Backend) -> None:
        self._backend = backend
        self._load(entity)

    def refresh(self) -> Run:
        """Read the run again, as the executor it records knows it (its state moves while it executes)."""
        self._load(refresh_run(self._backend, self.to_dict()))
        return self

    def wait(self, timeout: float | None = None, interval: float = 1.0) -> Run:
        """Poll the backend until the run reaches COMPLETED, ERROR or STOPPED.

        A run that nothing executes (still CREATED, never handed to an executor) would never get
        there, so that case is an error at once, with the reason the run records.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.refresh().status.state not in FINAL_STATES:
            self._require_executing()
            if deadline is not None and time.monotonic() >= deadline:
                raise RuntimeExecutionError(
                    f"run `{self.key}` is still {self.status.state} after {timeout} s; call wait() again "
                    "or refresh() later")
            time.sleep(min(interval, max(0.01, deadline - time.monotonic())) if deadline else interval)
        return self

    def logs(self) -> str:
        """What the run's handler printed (stdout and stderr), also while it runs."""
        return read_logs(self._backend, self.to_dict())

    def stop(self) -> Run:
        """Stop the run through the executor it records and return it STOPPED; a run that has ended
        already is returned as it is."""
        self._load(stop_run(self._backend, self.to_dict()))
        return self

    def resume(self) -> Run:
        raise RuntimeExecutionError(
            f"run `{self.key}` cannot be resumed: the local executor does not resume runs; start a new run")

    def _require_executing(self) -> None:
        if self.status.state == RunState.CREATED and "executor" not in self.status:
            reason = self.status.message or "nothing executes it"
            raise RuntimeExecutionError(f"cannot wait for run `{self.key}`: {reason}")
