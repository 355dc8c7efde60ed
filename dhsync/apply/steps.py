"""The writes of functions and tasks, one function per kind of change; each returns its Outcome.

A failure raises (DhsyncError); the caller records it and skips what depends on the change.
"""

from __future__ import annotations

from collections.abc import Callable

from dhsync.apply.bodies import (
    function_body,
    function_update_body,
    managed_mark_body,
    new_id,
    task_body,
    task_update_body,
)
from dhsync.apply.outcome import Outcome, Status
from dhsync.apply.session import Session
from dhsync.diff.marks import is_managed
from dhsync.model.errors import InvalidInputError
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Change
from dhsync.model.state import Entity

Step = Callable[[Session, Change], Outcome]


def _version_words(stored: Entity) -> str:
    version = (stored.get("metadata") or {}).get("version")
    return f"version {version} (id {stored['id']})" if version else f"id {stored['id']}"


def create_function(session: Session, change: Change) -> Outcome:
    fn = session.function(change.identity.name)
    id_ = new_id()
    call = "create-function" if change.action is Action.CREATE else "new-version"
    stored = session.write(call, change, id_,
                           lambda: session.backend.create_function(session.project, function_body(fn, id_)))
    session.versions[fn.name] = stored
    for task in session.desired.tasks.get(fn.name, ()):  # the new version has none of them yet
        session.tasks.pop((fn.name, task.kind), None)
    verb = "created" if change.action is Action.CREATE else "new"
    return Outcome(change, Status.DONE, f"{verb} {_version_words(stored)}", str(stored["id"]),
                   {"version": (stored.get("metadata") or {}).get("version")})


def update_function(session: Session, change: Change) -> Outcome:
    fn = session.function(change.identity.name)
    stored = session.version(fn.name)
    # The repository declares it, so it is dhsync's, as a new version of it would be: a version whose labels
    # were replaced by hand (the SDK's update_function) gets the mark back, and a later prune finds it.
    body = function_update_body(fn, stored, managed=True)
    updated = session.write("update-function", change, str(stored["id"]),
                            lambda: session.backend.update_function(session.project, str(stored["id"]), body))
    session.versions[fn.name] = updated
    return Outcome(change, Status.DONE, f"updated in place, {_version_words(updated)}", str(updated["id"]))


def adopt_function(session: Session, change: Change) -> Outcome:
    """Take over a function made outside dhsync: every stored version gets dhsync's mark (so a later prune
    or delete treats the function as one), and the declaration is applied to it like to any of dhsync's."""
    name = change.identity.name
    # updated in place below, with the mark, unless the declaration makes a new version
    kept = None if change.builds_version else str(session.version(name)["id"])
    # the stored versions first: once any version is marked, the next plan takes the function for dhsync's
    # and plans no adopt, so an apply killed in between must not leave versions unmarked
    for stored in session.index.versions.get(name, ()):
        if str(stored["id"]) != kept and not is_managed(stored):
            mark_managed(session, change, stored)
    done = create_function(session, change) if change.builds_version else update_function(session, change)
    return Outcome(change, Status.DONE, f"adopted: {done.message}", done.entity_id, done.details)


def mark_managed(session: Session, change: Change, stored: Entity) -> Entity:
    id_ = str(stored["id"])
    return session.write("update-function", change, id_, lambda: session.backend.update_function(
        session.project, id_, managed_mark_body(stored)))


def _function_of(change: Change) -> str:
    if change.function is None:
        raise InvalidInputError(f"the plan's change of `{change.identity}` names no function")
    return change.function


def create_task(session: Session, change: Change) -> Outcome:
    function = _function_of(change)
    declared = session.declared_task(function, change.kind)
    version = session.version(function)
    id_ = new_id()
    stored = session.write("create-task", change, id_,
                           lambda: session.backend.create_task(session.project, task_body(declared, version, id_)))
    session.tasks[(function, change.kind)] = stored
    verb = "created"  # on the new version too: the old version keeps its own task
    on = (version.get("metadata") or {}).get("version") or version["id"]
    return Outcome(change, Status.DONE, f"{verb} (id {stored['id']}) on version {on}", str(stored["id"]))


def update_task(session: Session, change: Change) -> Outcome:
    function = _function_of(change)
    current = _existing_task(session, function, change.kind)
    body = task_update_body(session.declared_task(function, change.kind), current)
    updated = session.write("update-task", change, str(current["id"]),
                            lambda: session.backend.update_task(session.project, str(current["id"]), body))
    session.tasks[(function, change.kind)] = updated
    return Outcome(change, Status.DONE, "updated in place", str(updated["id"]))


def delete_task(session: Session, change: Change) -> Outcome:
    current = _existing_task(session, _function_of(change), change.kind)
    id_ = str(current["id"])
    # The guards refused a delete that takes runs without --cascade before anything was written.
    session.write("delete-task", change, id_, lambda: session.backend.delete_task(session.project, id_, cascade=True))
    return Outcome(change, Status.DONE, _taken(change, "deleted"), id_)


def delete_function(session: Session, change: Change) -> Outcome:
    versions = session.index.managed_versions(change.identity.name)
    for version in versions:
        _delete_version(session, change, str(version["id"]))
    return Outcome(change, Status.DONE, _taken(change, "deleted"), ",".join(str(v["id"]) for v in versions))


def _delete_version(session: Session, change: Change, id_: str) -> None:
    session.write("delete-function", change, id_,
                  lambda: session.backend.delete_function(session.project, id_, cascade=True))


def _existing_task(session: Session, function: str, kind: str) -> Entity:
    current = session.task(function, kind)
    if current is None:
        raise InvalidInputError(f"task `{function}/{kind}` is not in the backend any more; plan again")
    return current


def _taken(change: Change, verb: str) -> str:
    deps = change.dependents
    if deps is None:
        return verb
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in
             ((deps.versions, "version"), (deps.tasks, "task"), (deps.runs, "run")) if n]
    return f"{verb} with {', '.join(parts)}" if parts else verb


STEPS: dict[tuple[EntityType, Action], Step] = {
    (EntityType.FUNCTION, Action.CREATE): create_function,
    (EntityType.FUNCTION, Action.NEW_VERSION): create_function,
    (EntityType.FUNCTION, Action.UPDATE): update_function,
    (EntityType.FUNCTION, Action.DELETE): delete_function,
    (EntityType.FUNCTION, Action.ADOPT): adopt_function,
    (EntityType.TASK, Action.CREATE): create_task,
    (EntityType.TASK, Action.RECREATE): create_task,
    (EntityType.TASK, Action.UPDATE): update_task,
    (EntityType.TASK, Action.DELETE): delete_task,
}
