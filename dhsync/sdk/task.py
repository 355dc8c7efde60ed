"""Tasks: the execution settings of one action of one function version (one task per version and kind)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.backends.base import Backend
from dhsync.model.errors import InvalidInputError
from dhsync.model.kinds import task_kind
from dhsync.runtimes import runtimes
from dhsync.sdk.checks import drop_none, refuse_unknown, schema_fields, validate_model, validate_schema
from dhsync.sdk.entity import EntityObject
from dhsync.specs.models.tasks import TASK_SPECS

# Task fields of every built-in task kind; the fields dhsync accepts for a kind it has no model of.
ANY_TASK_FIELDS: frozenset[str] = frozenset(
    field for model in TASK_SPECS.values() for field in model.model_fields if field != "function"
)


class Task(EntityObject):
    """A task: `kind` is `<function-kind>+<action>`, `spec.function` pins one function version."""

    def __init__(self, entity: Mapping[str, Any], backend: Backend) -> None:
        self._backend = backend
        self._load(entity)

    def refresh(self) -> Task:
        self._load(self._backend.get_task(self.project, self.id))
        return self


def task_kind_of(function_kind: str, action: str) -> str:
    """`python` + `job` -> `python+job`, refusing actions the function kind's runtime does not have (a kind
    without a runtime takes any action)."""
    runtime = runtimes().get(function_kind)
    actions = runtime.actions if runtime is not None else None
    if not isinstance(action, str) or not action:
        raise InvalidInputError(f"action must be a non-empty string, got {action!r}")
    if actions is not None and action not in actions:
        raise InvalidInputError(
            f"`{action}` is not an action of `{function_kind}` functions; use one of {', '.join(actions)}")
    return task_kind(function_kind, action)


def task_fields(kind: str) -> frozenset[str]:
    """Fields of a task kind: dhsync's model, else DHCore's schema, else those of any built-in task."""
    model = TASK_SPECS.get(kind)
    fields = frozenset(model.model_fields) if model is not None else schema_fields(kind)
    return (fields or ANY_TASK_FIELDS) - {"function"}


def build_task_spec(kind: str, function_ref: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """`{function: <ref>, **fields}`, checked against dhsync's model of the task kind."""
    given = drop_none(fields)
    refuse_unknown(given, task_fields(kind), f"a `{kind}` task")
    spec = {"function": function_ref, **given}
    model = TASK_SPECS.get(kind)
    if model is not None:
        validate_model(model, spec, f"the spec of a `{kind}` task")
    else:
        validate_schema(kind, spec, f"the spec of a `{kind}` task")
    return spec


def find_task(backend: Backend, project: str, function_ref: str, kind: str) -> dict[str, Any] | None:
    """The task of one function version and kind (the first, should a foreign writer have made two)."""
    page = backend.list_tasks(project, function=function_ref, kind=kind, page=0, size=1)
    return dict(page.items[0]) if page.items else None


def user_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A task spec without its (pinned) function reference."""
    return {k: v for k, v in spec.items() if k != "function"}
