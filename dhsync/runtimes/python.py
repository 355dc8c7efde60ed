"""The python runtime: `python` functions, their `job`, `build` and `serve` actions.

A `job` run becomes a request to import the function's code and call its handler with the run's
parameters and inputs. The local executor runs `job` runs that ask for local execution
(`local_execution: true`); `build` and `serve`, and runs left to a remote executor, are stored and say
why they did not execute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.model.kinds import BUILTIN_ACTIONS
from dhsync.model.secret_values import secret_strings
from dhsync.runtimes.base import RunStore
from dhsync.runtimes.local.requirements import requirement_problem
from dhsync.runtimes.local.sources import handler_problem
from dhsync.runtimes.request import (
    ExecutionRequest,
    PythonCode,
    RequestError,
    a_mapping,
    built_spec,
    output_names,
    task_env,
    value_names,
)
from dhsync.runtimes.unsupported import LATER


class PythonRuntime:
    function_kind = "python"
    actions: tuple[str, ...] = BUILTIN_ACTIONS["python"]

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

    def request(self, store: RunStore, run: Mapping[str, Any]) -> ExecutionRequest:
        spec = built_spec(store, run)
        inputs = spec.get("inputs")
        if inputs is not None and not isinstance(inputs, Mapping):
            raise RequestError(f"inputs must map names to paths or store:// keys, got {type(inputs).__name__}")
        source = spec.get("source")
        code = PythonCode(source=dict(source) if isinstance(source, Mapping) else {},
                          requirements=tuple(str(r) for r in spec.get("requirements") or ()),
                          python_version=str(spec["python_version"]) if spec.get("python_version") else None)
        return ExecutionRequest(
            project=str(run["project"]), run_id=str(run["id"]), run_kind=str(run["kind"]), spec=spec, code=code,
            env=task_env(spec.get("envs")), parameters=a_mapping(spec.get("parameters"), "parameters"),
            init_parameters=a_mapping(spec.get("init_parameters"), "init_parameters"), inputs=dict(inputs or {}),
            outputs=output_names(spec.get("outputs")), values=value_names(spec.get("values")),
            resources=a_mapping(spec.get("resources"), "resources"), secrets=tuple(sorted(secret_strings(spec))))
