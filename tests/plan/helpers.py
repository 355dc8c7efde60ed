"""Plain-value builders for desired entities, and a small stand-in for apply built on apply's bodies.

`write_plan` makes each change the way apply does (same bodies, same backend calls), so "plan after
apply is empty" is checked against what a backend really stores, server-owned fields and all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.apply.bodies import function_body, function_update_body, new_id, run_body, task_body, task_update_body
from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.model.diagnostics import Location
from dhsync.model.entities import DesiredEntity, DesiredState, Identity, TriggerPolicy, task_identity_name
from dhsync.model.kinds import EntityType, split_task_kind
from dhsync.model.plan import Action, Change, Plan, PlanOptions
from dhsync.model.state import ActualState, Entity
from dhsync.plan import make_plan
from dhsync.plan.actual import ActualIndex
from dhsync.plan.desired import Desired, arrange
from dhsync.plan.runs import task_kind_of, trigger_record_for

PROJECT = "demo"
ORIGIN = Location("functions/x.yaml", 1, 1)
CODE = "def main():\n    return 1\n"
PY_SPEC: dict[str, Any] = {"python_version": "PYTHON3_11", "source": {"code": CODE, "handler": "main"}}


def function(name: str, kind: str = "python", spec: Mapping[str, Any] | None = None, *,
             metadata: Mapping[str, Any] | None = None, protect: bool = False) -> DesiredEntity:
    return DesiredEntity(Identity(EntityType.FUNCTION, PROJECT, name), kind, dict(metadata or {}),
                         dict(PY_SPEC if spec is None else spec), ORIGIN, protect=protect)


def task(fn: str, kind: str = "python+job", spec: Mapping[str, Any] | None = None) -> DesiredEntity:
    parts = split_task_kind(kind)
    return DesiredEntity(Identity(EntityType.TASK, PROJECT, task_identity_name(fn, kind)), kind, {},
                         {**(spec or {}), "function": fn}, ORIGIN, function=fn,
                         action=parts[1] if parts else None)


def run(name: str, fn: str, kind: str = "python+job:run", spec: Mapping[str, Any] | None = None,
        trigger: TriggerPolicy = TriggerPolicy.ON_CHANGE) -> DesiredEntity:
    parts = split_task_kind(kind.removesuffix(":run"))
    return DesiredEntity(Identity(EntityType.RUN, PROJECT, name), kind, {}, {**(spec or {}), "function": fn},
                         ORIGIN, function=fn, action=parts[1] if parts else None, trigger=trigger)


def state(*entities: DesiredEntity) -> DesiredState:
    return DesiredState(PROJECT, entities)


def plan(desired: DesiredState, backend: Backend, **options: Any) -> Plan:
    return make_plan(desired, backend.read_state(desired.project), PlanOptions(**options))


def actions(p: Plan) -> list[tuple[str, str, str]]:
    """What a user reads in a plan: one (action, address, reason) per line."""
    return [(str(c.action), str(c.identity), str(c.reason)) for c in p.changes]


def new_backend(url: str = "memory://", project: str = PROJECT) -> Backend:
    backend = open_backend(url)
    backend.create_project({"name": project})
    return backend


class _Writer:
    """Apply's writes, one method per kind of change, tracking the versions and tasks it made."""

    def __init__(self, backend: Backend, desired: DesiredState, actual: ActualState) -> None:
        self.backend, self.desired, self.arranged = backend, desired, arrange(desired)
        self.project = desired.project
        self.index = ActualIndex.build(actual)
        self.versions: dict[str, Entity] = {n: v[0] for n, v in self.index.versions.items()}
        self.tasks = {(n, k): t for n, v in self.versions.items() for k, t in self.index.tasks_of(v).items()}

    def function(self, change: Change) -> None:
        if change.action is Action.DELETE:
            for version in self.index.managed_versions(change.identity.name):
                self.backend.delete_function(self.project, str(version["id"]), cascade=True)
            return
        fn = _declared(self.desired, change.identity)
        if change.action is Action.UPDATE:
            stored = self.versions[fn.name]
            self.backend.update_function(self.project, str(stored["id"]), function_update_body(fn, stored))
        else:
            self.versions[fn.name] = self.backend.create_function(self.project, function_body(fn, new_id()))

    def task(self, change: Change) -> None:
        fn, kind = str(change.function), change.kind
        if change.action is Action.DELETE:
            self.backend.delete_task(self.project, str(self.tasks[(fn, kind)]["id"]), cascade=True)
            return
        declared = self.arranged.task(fn, kind)
        assert declared is not None
        if change.action is Action.UPDATE:
            stored = self.tasks[(fn, kind)]
            self.backend.update_task(self.project, str(stored["id"]), task_update_body(declared, stored))
        else:
            body = task_body(declared, self.versions[fn], new_id())
            self.tasks[(fn, kind)] = self.backend.create_task(self.project, body)

    def run(self, change: Change) -> None:
        declared = _declared(self.desired, change.identity)
        write_run(self.backend, self.arranged, declared, self.versions[str(declared.function)],
                  self.tasks[(str(declared.function), task_kind_of(declared))])


def _declared(desired: DesiredState, identity: Identity) -> DesiredEntity:
    found = desired.get(identity)
    assert found is not None, identity
    return found


def write_run(backend: Backend, arranged: Desired, declared: DesiredEntity, function: Entity,
              task: Entity) -> dict[str, Any]:
    record = trigger_record_for(arranged, declared)
    return backend.create_run(declared.project, run_body(declared, task, function, record, new_id()))


def write_plan(backend: Backend, desired: DesiredState, p: Plan) -> None:
    """Make every change of `p` as apply would."""
    writer = _Writer(backend, desired, backend.read_state(desired.project))
    steps = {EntityType.FUNCTION: writer.function, EntityType.TASK: writer.task, EntityType.RUN: writer.run}
    for change in p.changes:
        steps[change.identity.type](change)


def applied(desired: DesiredState, url: str = "memory://", **options: Any) -> Backend:
    """A backend holding `desired` after one apply."""
    backend = new_backend(url, desired.project)
    write_plan(backend, desired, plan(desired, backend, **options))
    return backend


def unmanaged_function(backend: Backend, name: str, kind: str = "python") -> dict[str, Any]:
    """A function someone made with the SDK: no dhsync mark."""
    return backend.create_function(PROJECT, {"name": name, "kind": kind, "spec": dict(PY_SPEC)})
