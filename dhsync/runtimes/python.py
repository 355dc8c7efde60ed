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

    def execute(self, backend: RunStore, run: Mapping[str, Any],
                options: ExecuteOptions | None = None) -> dict[str, Any]:
        key = run.get("key", run["id"])
        action = str(run["kind"]).removesuffix(":run").partition("+")[2]
        if action != "job":
            raise refuse(backend, run, f"the local executor does not run `python+{action}` runs yet; {LATER}. "
                                       f"Run `{key}` is stored and did not execute")
        if not (run.get("spec") or {}).get("local_execution", False):
            raise refuse(backend, run, (
                f"run `{key}` has local_execution: false, so it waits for a remote executor, and backend "
                f"`{backend.url}` has none (DHCore executes remote runs; the kubernetes executor is not part of "
                "this version). It is stored in state CREATED and did not execute; set local_execution: true "
                "to run it on this machine"))
        from dhsync.runtimes.local.job import execute_job  # the executor's modules load on first use

        return execute_job(backend, run, options or ExecuteOptions())
