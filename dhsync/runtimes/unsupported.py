"""Function kinds whose runs no executor here executes yet (container, dbt).

Their functions and tasks are stored, planned and applied like any other; a run of them is stored
and says, in `status.message`, that it waits for an executor that can run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.runtimes.base import NotRunnableError, RunStore
from dhsync.runtimes.request import ExecutionRequest

LATER = "they come with the kubernetes executor (and run on DHCore when the backend is dhcore)"


class UnsupportedRuntime:
    """A kind dhsync knows the actions of but does not turn into execution requests yet."""

    def __init__(self, function_kind: str, actions: tuple[str, ...]) -> None:
        self.function_kind = function_kind
        self.actions = actions

    def check_function(self, spec: Mapping[str, Any]) -> list[str]:
        return []

    def cannot_execute(self, run_kind: str, spec: Mapping[str, Any]) -> str | None:
        return f"the local executor does not run `{run_kind.removesuffix(':run')}` runs yet; {LATER}"

    def request(self, store: RunStore, run: Mapping[str, Any]) -> ExecutionRequest:
        raise NotRunnableError(str(self.cannot_execute(str(run["kind"]), run.get("spec") or {})))
