"""The python runtime: `python` functions, their `job`, `build` and `serve` actions.

The local executor runs `job` runs that ask for local execution (`local_execution: true`); `build` and
`serve`, and runs left to a remote executor, are stored and say why they did not execute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.lifecycle import refuse
from dhsync.runtimes.local.requirements import requirement_problem
from dhsync.runtimes.local.sources import handler_problem
from dhsync.runtimes.unsupported import LATER


class PythonRuntime:
    function_kind = "python"
    actions: tuple[str, ...] = ("job", "build", "serve")

    def check_function(self, spec: Mapping[str, Any]) -> list[str]:
        source = spec.get("source")
        problems = [handler_problem(source.get("handler"))] if isinstance(source, Mapping) else []
        problems += [requirement_problem(str(r)) for r in spec.get("requirements") or []]
        return [p for p in problems if p is not None]

    def cannot_execute(self, run_kind: str, spec: Mapping[str, Any]) -> str | None:
        """Why a run of `run_kind` with `spec` cannot execute on this machine, or None when it can."""
        action = run_kind.removesuffix(":run").partition("+")[2]
        if action != "job":
            return f"the local executor does not run `python+{action}` runs yet; {LATER}"
        if not spec.get("local_execution", False):
            return ("the run has local_execution: false, so it waits for a remote executor, and there is none here "
                    "(DHCore executes remote runs; the kubernetes executor is not part of this version); set "
                    "local_execution: true to run it on this machine")
        return None

    def execute(self, backend: RunStore, run: Mapping[str, Any],
                options: ExecuteOptions | None = None) -> dict[str, Any]:
        why = self.cannot_execute(str(run["kind"]), run.get("spec") or {})
        if why is not None:
            raise refuse(backend, run, f"{why}. Run `{run.get('key', run['id'])}` is stored in state CREATED and "
                                       "did not execute")
        from dhsync.runtimes.local.job import execute_job  # the executor's modules load on first use

        return execute_job(backend, run, options or ExecuteOptions())
