"""From `Function.run(action, **kwargs)` to a task spec and a run body.

The keyword arguments of `run()` are task fields (resources, envs, volumes, node_selector, …, which
configure the task of that action) or run fields (inputs, outputs, parameters, values,
local_execution, …); anything else is refused with the name of the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.model.errors import InvalidInputError
from dhsync.model.kinds import run_kind
from dhsync.model.refs import TaskRef
from dhsync.sdk.checks import drop_none, refuse_unknown, schema_fields, validate_model, validate_schema
from dhsync.sdk.task import task_fields
from dhsync.specs.models.runs import RUN_SPECS

_NOT_RUN_ARGS = frozenset({"function", "task"})
ANY_RUN_FIELDS: frozenset[str] = frozenset(
    field for model in RUN_SPECS.values() for field in model.model_fields if field not in _NOT_RUN_ARGS
)
# Run fields the DigitalHub documentation of older SDKs passes as a list of one-entry mappings.
_MAPPING_FIELDS = ("inputs", "outputs", "parameters", "init_parameters")


def run_fields(function_kind: str, task_kind: str) -> frozenset[str]:
    """Fields of a run: dhsync's model, else DHCore's schema, else those of any built-in run."""
    model = RUN_SPECS.get(function_kind)
    fields = frozenset(model.model_fields) if model is not None else schema_fields(run_kind(task_kind))
    return (fields or ANY_RUN_FIELDS) - _NOT_RUN_ARGS


def split_run_args(function_kind: str, action: str, task_kind: str,
                   kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(task fields, run fields) of `run()`'s keyword arguments; unknown ones are refused."""
    given = drop_none(kwargs)
    for_task, for_run = task_fields(task_kind), run_fields(function_kind, task_kind)
    refuse_unknown(given, for_task | for_run, f"`{action}` runs of a `{function_kind}` function "
                                              f"(task and run arguments of run())")
    task = {k: v for k, v in given.items() if k in for_task}
    run = {k: _as_mapping(k, v) if k in _MAPPING_FIELDS else v for k, v in given.items() if k in for_run}
    return task, run


def _as_mapping(field: str, value: Any) -> Any:
    """`[{"a": x}, {"b": y}]` (the documentation's older form) -> `{"a": x, "b": y}`."""
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        return value
    merged: dict[str, Any] = {}
    for item in value:
        for key, entry in item.items():
            if key in merged:
                raise InvalidInputError(f"`{field}` names `{key}` twice; give each name once")
            merged[key] = entry
    return merged


def run_body(function: Mapping[str, Any], task: Mapping[str, Any], fields: Mapping[str, Any],
             function_ref: str) -> dict[str, Any]:
    """The run to create: `<task-kind>:run`, bound to the task and (run_of) the function version."""
    spec = {"task": str(TaskRef(str(task["kind"]), str(task["project"]), str(task["id"]))),
            "function": function_ref, "local_execution": bool(fields.get("local_execution", False)),
            **{k: v for k, v in fields.items() if k != "local_execution"}}
    check_run_spec(str(function["kind"]), str(task["kind"]), spec)
    return {
        "kind": run_kind(str(task["kind"])),
        "project": function["project"],
        "metadata": {"relationships": [{"type": "run_of", "dest": function["key"]}]},
        "spec": spec,
    }


def check_run_spec(function_kind: str, task_kind: str, spec: Mapping[str, Any]) -> None:
    model = RUN_SPECS.get(function_kind)
    if model is not None:
        validate_model(model, spec, f"the spec of a `{function_kind}` run")
    else:
        validate_schema(run_kind(task_kind), spec, f"the spec of a `{run_kind(task_kind)}` run")
