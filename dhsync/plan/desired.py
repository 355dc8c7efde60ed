"""The desired state as the planner reads it: grouped by function, with implied tasks added."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from dhsync.model.entities import DesiredEntity, DesiredState, Identity, desired_digest, task_identity_name
from dhsync.model.kinds import EntityType


@dataclass(frozen=True)
class Desired:
    functions: tuple[DesiredEntity, ...]
    tasks: dict[str, list[DesiredEntity]]  # function name -> its tasks
    runs: tuple[DesiredEntity, ...]

    def task(self, function: str, kind: str) -> DesiredEntity | None:
        return next((t for t in self.tasks.get(function, ()) if t.kind == kind), None)


def _implied_task(run: DesiredEntity) -> DesiredEntity:
    """A declared run whose task is not declared runs on a task with no settings, the way the SDK's
    `function.run(action)` creates one; dhsync declares it on the run's behalf."""
    kind = run.kind.removesuffix(":run")
    identity = Identity(EntityType.TASK, run.project, task_identity_name(str(run.function), kind))
    return DesiredEntity(identity, kind, {}, {"function": run.function}, run.origin, function=run.function,
                         action=run.action)


def arrange(state: DesiredState) -> Desired:
    functions = tuple(sorted(state.by_type(EntityType.FUNCTION), key=lambda e: e.name))
    tasks: dict[str, list[DesiredEntity]] = defaultdict(list)
    for task in state.by_type(EntityType.TASK):
        tasks[str(task.function)].append(task)
    runs = tuple(sorted(state.by_type(EntityType.RUN), key=lambda e: e.name))
    desired = Desired(functions, tasks, runs)
    for run in runs:
        if desired.task(str(run.function), run.kind.removesuffix(":run")) is None:
            tasks[str(run.function)].append(_implied_task(run))
    for declared in tasks.values():
        declared.sort(key=lambda t: t.kind)
    return desired


def desired_hash(state: DesiredState) -> str:
    """A hash of everything the repository declares (see model.entities.desired_digest)."""
    return desired_digest(state)
