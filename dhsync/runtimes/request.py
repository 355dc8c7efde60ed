"""What a runtime hands an executor: one run, turned into what to execute and with what.

A runtime reads the run's function and task and merges their specs (function ∪ task ∪ run, the run's
own fields winning, as the SDK's local build does); the request carries that built spec, recorded as the
run's spec once it is BUILT, and the fields every executor needs, already parsed. Anything that depends
on *where* the run executes (code written to disk or a ConfigMap, inputs found in a local folder or an
object store, requirements checked or installed) is the executor's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dhsync.model.errors import RuntimeExecutionError
from dhsync.model.refs import parse_function_ref, parse_task_ref
from dhsync.runtimes.base import RunStore


class RequestError(RuntimeExecutionError):
    """The run cannot be turned into an execution request (a broken reference, a malformed field); the
    message becomes the run's ERROR message."""


@dataclass(frozen=True)
class PythonCode:
    """Python code to import and call: `source` as the function spec holds it (handler, source, code,
    base64, init_function), what it needs installed, and the interpreter it asks for."""

    source: Mapping[str, Any]
    requirements: tuple[str, ...] = ()
    python_version: str | None = None


@dataclass(frozen=True)
class ExecutionRequest:
    """One run, ready for an executor. `inputs` are still as written (a path or a `store://` key): each
    executor resolves them where the run executes."""

    project: str
    run_id: str
    run_kind: str
    spec: Mapping[str, Any]
    code: PythonCode | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    init_parameters: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)  # returned name -> artifact name
    values: tuple[str, ...] = ()
    resources: Mapping[str, Any] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()  # values of the spec to mask in the run's log


def built_spec(store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    """function spec ∪ task spec ∪ run spec of `run`, read from `store`."""
    spec = dict(run.get("spec") or {})
    project = str(run["project"])
    function_ref = parse_function_ref(str(spec.get("function", "")))
    task_ref = parse_task_ref(str(spec.get("task", "")))
    if task_ref is None:
        raise RequestError(f"spec.task {spec.get('task')!r} is not a task reference")
    task = store.get_task(project, task_ref.id)
    if function_ref is None or function_ref.id is None:
        function_ref = parse_function_ref(str(task["spec"].get("function", "")))
    if function_ref is None or function_ref.id is None:
        raise RequestError(f"the run names no function version (spec.function {spec.get('function')!r})")
    function = store.get_function(project, function_ref.id)
    return {**dict(function.get("spec") or {}), **dict(task.get("spec") or {}), **spec}


def output_names(outputs: Any) -> dict[str, str]:
    """Returned name -> artifact name (`[a, b]` or `{a: name-of-a}`)."""
    if outputs is None:
        return {}
    if isinstance(outputs, Mapping):
        return {str(k): str(v) for k, v in outputs.items()}
    if isinstance(outputs, list):
        return {str(name): str(name) for name in outputs}
    raise RequestError(f"outputs must be a list of names or a mapping of names, got {type(outputs).__name__}")


def value_names(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise RequestError(f"values must be a list of names, got {type(values).__name__}")
    return tuple(str(name) for name in values)


def task_env(envs: Any) -> dict[str, str]:
    if not envs:
        return {}
    if not isinstance(envs, list) or not all(isinstance(e, Mapping) and "name" in e for e in envs):
        raise RequestError("envs must be a list of {name, value}")
    return {str(e["name"]): str(e.get("value", "")) for e in envs}


def a_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RequestError(f"{what} must be a mapping of names to values, got {type(value).__name__}")
    return value
