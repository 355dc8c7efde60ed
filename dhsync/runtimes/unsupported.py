"""Function kinds whose runs the local executor does not execute yet (container, dbt).

Their functions and tasks are stored, planned and applied like any other; a run of them is stored
and says, in `status.message`, that it waits for an executor that can run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.lifecycle import refuse

LATER = "they come with the kubernetes executor (and run on DHCore when the backend is dhcore)"


class UnsupportedRuntime:
    """A kind dhsync knows the actions of but does not execute on this machine."""

    def __init__(self, function_kind: str, actions: tuple[str, ...]) -> None:
        self.function_kind = function_kind
        self.actions = actions

    def check_function(self, spec: Mapping[str, Any]) -> list[str]:
        return []

    def cannot_execute(self, run_kind: str, spec: Mapping[str, Any]) -> str | None:
        return f"the local executor does not run `{run_kind.removesuffix(':run')}` runs yet; {LATER}"

    def execute(self, backend: RunStore, run: Mapping[str, Any],
                options: ExecuteOptions | None = None) -> dict[str, Any]:
        why = self.cannot_execute(str(run["kind"]), run.get("spec") or {})
        raise refuse(backend, run, f"{why}. Run `{run.get('key', run['id'])}` is stored and did not execute")
