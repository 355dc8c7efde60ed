"""Tasks of one function: create, update in place, create again on the function's new version, delete.

A task is identified by `<function>/<task-kind>` and compared with the task of that kind on the
function's latest version. Its `spec.function` is the binding to that version, not content.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dhsync.diff.compare import compare
from dhsync.diff.normalise import desired_content, task_content
from dhsync.diff.secrets import NO_RULES, mask, mask_pair
from dhsync.model.entities import DesiredEntity, Identity, task_identity_name
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Blocked, Change, Dependents, Reason, SecretRules
from dhsync.model.state import Entity
from dhsync.plan.actual import ActualIndex


def actual_task_content(task: Mapping[str, Any]) -> dict[str, Any]:
    return task_content(str(task["kind"]), task.get("spec") or {})


def _without_binding(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k != "function"}


def _same_as_stored(desired: DesiredEntity, actual: Mapping[str, Any]) -> bool:
    return _without_binding(desired.spec) == _without_binding(actual.get("spec") or {})


def plan_task(desired: DesiredEntity, function_change: Change | None, current: Entity | None,
              ignore: Sequence[str], secrets: SecretRules = NO_RULES) -> Change | None:
    """`current` is the task of this kind on the function's latest version (None when there is none);
    `secrets` are the repository's own secret rules, for what the change shows."""
    needs: tuple[Identity, ...] = ()
    if function_change is not None and function_change.builds_version:
        needs = (function_change.identity,)
        if function_change.action is not Action.CREATE and current is not None:
            return _recreate(desired, current, desired_content(desired), needs, ignore, secrets)
        current = None  # a new function, or a task the old version never had: created on the new one
    if current is None:
        return Change(Action.CREATE, desired.identity, desired.kind, Reason.NOT_IN_BACKEND,
                      after=mask(desired_content(desired), rules=secrets), requires=needs, function=desired.function)
    if _same_as_stored(desired, current):
        return None  # before any normalisation: this is the common case and must stay cheap
    before, after = actual_task_content(current), desired_content(desired)
    diff = compare(before, after, ignore, rules=secrets)
    if diff.same:
        return None
    return Change(Action.UPDATE, desired.identity, desired.kind, Reason.SPEC_CHANGED,
                  *mask_pair(before, after, secrets), diff.fields, function=desired.function)


def _recreate(desired: DesiredEntity, current: Entity, after: dict[str, Any],
              needs: tuple[Identity, ...], ignore: Sequence[str], secrets: SecretRules) -> Change:
    """The task created on the function's new version. The old version keeps its own task, as DigitalHub
    does, so people read it as a create (render shows `+ … create`); the plan file keeps the action
    `recreate` it always had (a public format: additive only), with `before` the old version's task."""
    if _same_as_stored(desired, current):  # the usual case: same settings on the new version
        shown = mask(after, rules=secrets)
        return Change(Action.RECREATE, desired.identity, desired.kind, Reason.FUNCTION_NEW_VERSION,
                      shown, shown, (), requires=needs, function=desired.function)
    before = actual_task_content(current)
    fields = compare(before, after, ignore, rules=secrets).fields
    return Change(Action.RECREATE, desired.identity, desired.kind, Reason.FUNCTION_NEW_VERSION,
                  *mask_pair(before, after, secrets), fields, requires=needs, function=desired.function)


def plan_task_deletes(function: str, project: str, declared_kinds: set[str], current: Mapping[str, Entity],
                      index: ActualIndex, cascade: bool = False, secrets: SecretRules = NO_RULES) -> list[Change]:
    """Tasks on the latest version of a function dhsync manages (`current`, by kind) whose kind is no longer
    declared; one that has runs is blocked unless `cascade` (its runs would go with it)."""
    changes = []
    for kind, task in sorted(current.items()):
        if kind in declared_kinds:
            continue
        identity = Identity(EntityType.TASK, project, task_identity_name(function, kind))
        runs = index.runs_by_task.get(str(task["id"]), 0)
        changes.append(Change(Action.DELETE, identity, kind, Reason.NOT_DECLARED,
                              before=mask(actual_task_content(task), rules=secrets), dependents=Dependents(0, 1, runs),
                              blocked=Blocked.RUN_HISTORY if runs and not cascade else None, function=function))
    return changes
