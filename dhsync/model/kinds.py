"""The built-in function kinds, their actions, task kinds and run kinds (plain data, no behaviour)."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class EntityType(StrEnum):
    PROJECT = "project"
    FUNCTION = "function"
    TASK = "task"
    RUN = "run"


# function kind -> the actions DHCore 0.15 defines for it (each action is one task kind).
BUILTIN_ACTIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "python": ("job", "build", "serve"),
    "container": ("job", "build", "deploy", "serve"),
    "dbt": ("transform",),
})

RUN_SUFFIX = ":run"


def task_kind(function_kind: str, action: str) -> str:
    return f"{function_kind}+{action}"


def run_kind(task_kind_: str) -> str:
    return f"{task_kind_}{RUN_SUFFIX}"


def split_task_kind(kind: str) -> tuple[str, str] | None:
    """`python+job` -> (`python`, `job`); None when the kind is not a task kind."""
    if RUN_SUFFIX in kind or "+" not in kind:
        return None
    function_kind, _, action = kind.rpartition("+")
    return (function_kind, action) if function_kind and action else None


def entity_type_of_kind(kind: str) -> EntityType:
    """Run kinds end in `:run`, task kinds are `<function>+<action>`, project is `project`."""
    if kind == "project":
        return EntityType.PROJECT
    if kind.endswith(RUN_SUFFIX):
        return EntityType.RUN
    if split_task_kind(kind) is not None:
        return EntityType.TASK
    return EntityType.FUNCTION


BUILTIN_FUNCTION_KINDS: tuple[str, ...] = tuple(BUILTIN_ACTIONS)
BUILTIN_TASK_KINDS: tuple[str, ...] = tuple(
    task_kind(fn, action) for fn, actions in BUILTIN_ACTIONS.items() for action in actions
)
BUILTIN_RUN_KINDS: tuple[str, ...] = tuple(run_kind(t) for t in BUILTIN_TASK_KINDS)
