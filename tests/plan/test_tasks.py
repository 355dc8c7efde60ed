"""Tasks in a plan: create, update in place, recreate on the function's new version, delete when pruning."""

from __future__ import annotations

from typing import Any

import pytest

from dhsync.model.entities import DesiredEntity, Identity
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Blocked, Dependents, Reason
from dhsync.plan.desired import arrange

from .helpers import (
    PROJECT,
    PY_SPEC,
    applied,
    function,
    new_backend,
    plan,
    run,
    state,
    task,
    unmanaged_function,
    write_run,
)

JOB: dict[str, Any] = {"resources": {"cpu": "1"}, "envs": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
BASE = (function("train"), task("train", "python+job", JOB), task("train", "python+serve", {"replicas": 1}))
NEW_CODE = function("train", spec={**PY_SPEC, "python_version": "PYTHON3_12"})
FN = Identity(EntityType.FUNCTION, PROJECT, "train")


def _task_changes(entities: tuple[DesiredEntity, ...], **options: Any) -> list[tuple[str, str, str, list[str],
                                                                                        tuple[Identity, ...]]]:
    planned = plan(state(*entities), applied(state(*BASE)), **options)
    return [(str(c.action), c.identity.name, str(c.reason), [f.path for f in c.fields], c.requires)
            for c in planned.changes if c.identity.type is EntityType.TASK]


CASES: dict[str, tuple[tuple[DesiredEntity, ...], list[tuple[str, str, str, list[str], tuple[Identity, ...]]]]] = {
    "unchanged": (BASE, []),
    "envs in another order": ((BASE[0], task("train", "python+job", {**JOB, "envs": JOB["envs"][::-1]}), BASE[2]),
                              []),
    "spec changed": ((BASE[0], task("train", "python+job", {**JOB, "resources": {"cpu": "2"}}), BASE[2]),
                     [("update", "train/python+job", "spec-changed", ["spec.resources.cpu"], ())]),
    "env changed": ((BASE[0], task("train", "python+job", {**JOB, "envs": [{"name": "A", "value": "9"}]}), BASE[2]),
                    [("update", "train/python+job", "spec-changed", ["spec.envs[A].value", "spec.envs[B]"], ())]),
    "new task kind": ((*BASE, task("train", "python+build", {"instructions": ["make"]})),
                      [("create", "train/python+build", "not-in-backend", [], ())]),
    "function new version": ((NEW_CODE, *BASE[1:]),
                             [("recreate", "train/python+job", "function-new-version", [], (FN,)),
                              ("recreate", "train/python+serve", "function-new-version", [], (FN,))]),
    "function new version and task changed": (
        (NEW_CODE, task("train", "python+job", {**JOB, "profile": "large"}), BASE[2]),
        [("recreate", "train/python+job", "function-new-version", ["spec.profile"], (FN,)),
         ("recreate", "train/python+serve", "function-new-version", [], (FN,))]),
    "function new version and a new task kind": (
        (NEW_CODE, *BASE[1:], task("train", "python+build")),
        [("create", "train/python+build", "not-in-backend", [], (FN,)),
         ("recreate", "train/python+job", "function-new-version", [], (FN,)),
         ("recreate", "train/python+serve", "function-new-version", [], (FN,))]),
    "function only metadata": ((function("train", metadata={"description": "new"}), *BASE[1:]), []),
    "task removed, not pruning": (BASE[:2], []),
    "task removed, function new version": ((NEW_CODE, BASE[1]),
                                           [("recreate", "train/python+job", "function-new-version", [], (FN,))]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_tasks_of_a_stored_function(case: str) -> None:
    entities, expected = CASES[case]
    assert _task_changes(entities) == expected


def test_tasks_of_a_new_function_require_it() -> None:
    planned = plan(state(*BASE), new_backend())
    assert [(str(c.action), str(c.identity), c.requires) for c in planned.changes] == [
        ("create", "function/train", ()),
        ("create", "task/train/python+job", (FN,)),
        ("create", "task/train/python+serve", (FN,)),
    ]
    assert all(c.function == "train" for c in planned.changes[1:])


def test_a_run_implies_its_task_when_none_is_declared() -> None:
    planned = plan(state(function("train"), run("nightly", "train", "python+build:run")), new_backend())
    assert [str(c.identity) for c in planned.changes] == ["function/train", "task/train/python+build", "run/nightly"]


def test_a_task_no_longer_declared_is_deleted_only_when_pruning() -> None:
    backend = applied(state(*BASE))
    stored = backend.read_state(PROJECT)
    serve = next(t for t in stored.tasks if t["kind"] == "python+serve")
    fn = stored.functions[0]
    declared = run("s", "train", "python+serve:run")
    write_run(backend, arrange(state(*BASE, declared)), declared, fn, serve)
    kept = plan(state(*BASE[:2]), backend)
    assert kept.changes == () and [str(i) for i in kept.not_pruned] == ["task/train/python+serve"]
    (change,) = plan(state(*BASE[:2]), backend, prune=True).changes
    assert (change.action, str(change.identity), change.reason) == (Action.DELETE, "task/train/python+serve",
                                                                   Reason.NOT_DECLARED)
    assert change.dependents == Dependents(versions=0, tasks=1, runs=1)
    assert change.before == {"kind": "python+serve", "spec": {"replicas": 1}} and change.after is None


def test_tasks_of_a_function_dhsync_did_not_make_are_never_deleted() -> None:
    backend = new_backend()
    fn = unmanaged_function(backend, "train")
    backend.create_task(PROJECT, {"kind": "python+serve", "spec": {"function": f"python://{PROJECT}/train:{fn['id']}"}})
    backend.create_task(PROJECT, {"kind": "python+job", "spec": {"function": f"python://{PROJECT}/train:{fn['id']}"}})
    planned = plan(state(function("train"), task("train")), backend, prune=True)
    # declaring it plans taking it over (blocked without --adopt), never a delete of its tasks
    assert [(c.action, c.identity.name, c.blocked) for c in planned.changes] == [
        (Action.ADOPT, "train", Blocked.NOT_MANAGED)]
    assert planned.not_pruned == ()
    adopted = plan(state(function("train"), task("train")), backend, prune=True, adopt=True)
    assert [(c.action, c.blocked) for c in adopted.changes] == [(Action.ADOPT, None)]
