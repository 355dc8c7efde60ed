"""Running one declared run of a spec repository on demand (`dhsync run NAME`).

The run executes the function version the backend holds, so that version must be the one the
repository declares: when the plan for that function has a change, the run is refused (apply first).
The run carries the labels of a triggered run (which declaration, with which content, on which task),
so `dhsync apply` does not trigger the same declaration again for that version; with parameters
overridden, the recorded declaration is the one that ran, so apply still runs the declared one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from dhsync.apply import Flags, plan_now
from dhsync.apply.bodies import new_id, run_body
from dhsync.apply.lock import holding, lock_owner
from dhsync.backends.base import Backend
from dhsync.model.entities import DesiredEntity, DesiredState
from dhsync.model.errors import InvalidInputError, NotFoundError
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Change
from dhsync.plan.actual import ActualIndex
from dhsync.plan.desired import arrange
from dhsync.plan.runs import task_kind_of, trigger_record_for
from dhsync.specs.models.config import Config


def declared_run(desired: DesiredState, name: str) -> DesiredEntity:
    """The run document `name` of the repository (InvalidInputError listing the declared ones)."""
    runs = desired.by_type(EntityType.RUN)
    for run in runs:
        if run.name == name:
            return run
    declared = ", ".join(sorted(run.name for run in runs)) or "none"
    raise InvalidInputError(f"the repository declares no run `{name}` (declared runs: {declared}); for a run of a "
                            "stored function use `dhsync run --function NAME --action ACTION`")


def with_parameters(run: DesiredEntity, overrides: Mapping[str, Any]) -> DesiredEntity:
    if not overrides:
        return run
    parameters = {**dict(run.spec.get("parameters") or {}), **overrides}
    return replace(run, spec={**run.spec, "parameters": parameters})


def create_declared_run(backend: Backend, desired: DesiredState, config: Config, name: str,
                        overrides: Mapping[str, Any] | None = None, *, lock_timeout: float = 0.0,
                        say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Store a CREATED run of the declared run `name` (parameters overridden by `overrides`), on the
    function version and task the backend holds, once they match the repository. It holds the apply lock
    while it checks and stores, so an apply cannot trigger the same declaration at the same time (exit 4
    while an apply runs, after waiting `lock_timeout` seconds for it); `say` hears a lock taken over."""
    with holding(backend, desired.project, lock_owner("dhsync run"), timeout=lock_timeout, say=say):
        return _create(backend, desired, config, name, overrides)


def _create(backend: Backend, desired: DesiredState, config: Config, name: str,
            overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    declared = declared_run(desired, name)
    function_name = str(declared.function)
    planned = plan_now(backend, desired, config, Flags(select=(function_name,)))
    _require_in_sync(function_name, planned.plan.changes)
    index = ActualIndex.build(planned.actual)
    function = index.latest(function_name)
    task = index.tasks_of(function).get(task_kind_of(declared))
    if function is None or task is None:  # the plan would have said so; a concurrent delete might not
        raise NotFoundError("function", function_name, desired.project, hint="run `dhsync apply` first")
    effective = with_parameters(declared, overrides or {})
    record = trigger_record_for(arrange(desired), declared, ran=effective)
    return backend.create_run(desired.project, run_body(effective, task, function, record, new_id()))


def _require_in_sync(function_name: str, changes: tuple[Change, ...]) -> None:
    differing = [c for c in changes if (c.identity.type is EntityType.FUNCTION and c.identity.name == function_name)
                 or (c.identity.type is EntityType.TASK and c.function == function_name)]
    if any(c.identity.type is EntityType.FUNCTION and c.action is Action.CREATE for c in differing):
        raise InvalidInputError(f"function `{function_name}` is not in the backend yet; run `dhsync apply` first")
    if differing:
        count = f"{len(differing)} change{'s' if len(differing) != 1 else ''}"
        raise InvalidInputError(f"function `{function_name}` in the repository differs from the backend ({count}); "
                                f"run `dhsync apply` first (`dhsync plan --select {function_name}` shows them)")
