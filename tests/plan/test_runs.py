"""Declared runs: why a run is triggered, and when it is not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from dhsync.apply.bodies import function_body, new_id, task_update_body
from dhsync.backends.base import Backend
from dhsync.model.entities import DesiredEntity, Identity, TriggerPolicy
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Reason
from dhsync.plan.actual import function_ref

from .helpers import PROJECT, PY_SPEC, applied, function, new_backend, plan, run, state, task

FN = Identity(EntityType.FUNCTION, PROJECT, "train")
TASK = Identity(EntityType.TASK, PROJECT, "train/python+job")
BASE = (function("train"), task("train", "python+job", {"profile": "small"}),
        run("nightly", "train", spec={"parameters": {"n": 1}}))
NEW_CODE = function("train", spec={**PY_SPEC, "python_version": "PYTHON3_12"})
NEW_TASK = task("train", "python+job", {"profile": "large"})


def _nightly(**changes: object) -> DesiredEntity:
    return replace(BASE[2], **changes)


def _new_version_elsewhere(backend: Backend) -> None:
    """Someone else made a version with the same content (no tasks on it yet)."""
    backend.create_function(PROJECT, function_body(BASE[0], new_id()))


def _task_updated_by_an_interrupted_apply(backend: Backend) -> None:
    stored = backend.read_state(PROJECT).tasks[0]
    backend.update_task(PROJECT, stored["id"], task_update_body(NEW_TASK, stored))


def _nothing(backend: Backend) -> None:
    pass


Mutation = Callable[[Backend], None]
# desired entities, what else happened in the backend, options -> (reason, requires) or None (no trigger)
CASES: dict[str, tuple[tuple[DesiredEntity, ...], Mutation, dict[str, object],
                       tuple[Reason, tuple[Identity, ...]] | None]] = {
    "already triggered for this version": (BASE, _nothing, {}, None),
    "function metadata changed": ((function("train", metadata={"description": "x"}), *BASE[1:]), _nothing, {}, None),
    "function got a new version": ((NEW_CODE, *BASE[1:]), _nothing, {},
                                   (Reason.FUNCTION_VERSION_CHANGED, (FN, TASK))),
    "a new version made elsewhere": (BASE, _new_version_elsewhere, {}, (Reason.FUNCTION_VERSION_CHANGED, (TASK,))),
    "task changed": ((BASE[0], NEW_TASK, BASE[2]), _nothing, {}, (Reason.TASK_CHANGED, (TASK,))),
    "task changed by an interrupted apply": ((BASE[0], NEW_TASK, BASE[2]), _task_updated_by_an_interrupted_apply, {},
                                             (Reason.TASK_CHANGED, ())),
    "declaration changed": ((*BASE[:2], _nightly(spec={"function": "train", "parameters": {"n": 2}})), _nothing,
                            {}, (Reason.DECLARATION_CHANGED, ())),
    "always": ((*BASE[:2], _nightly(trigger=TriggerPolicy.ALWAYS)), _nothing, {}, (Reason.ALWAYS, ())),
    "always, already fired in this apply": ((*BASE[:2], _nightly(trigger=TriggerPolicy.ALWAYS)), _nothing,
                                            {"resumed_triggers": frozenset({"nightly"})}, None),
    "always, resumed, function changed": ((NEW_CODE, BASE[1], _nightly(trigger=TriggerPolicy.ALWAYS)), _nothing,
                                          {"resumed_triggers": frozenset({"nightly"})},
                                          (Reason.FUNCTION_VERSION_CHANGED, (FN, TASK))),
    "manual, even when changed": ((NEW_CODE, BASE[1], _nightly(trigger=TriggerPolicy.MANUAL)), _nothing, {}, None),
    "never run before": ((*BASE, run("weekly", "train")), _nothing, {}, (Reason.NEVER_RUN, ())),
    "task spelled differently": ((BASE[0], task("train", "python+job", {"profile": "small", "secrets": []}), BASE[2]),
                                 _nothing, {}, None),
    "declaration spelled differently": ((*BASE[:2], _nightly(spec={"parameters": {"n": 1}, "inputs": {},
                                                                   "function": "train"})), _nothing, {}, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_trigger_decisions(case: str) -> None:
    entities, mutate, options, expected = CASES[case]
    backend = applied(state(*BASE))
    mutate(backend)
    runs = [c for c in plan(state(*entities), backend, **options).changes if c.identity.type is EntityType.RUN]
    if expected is None:
        assert runs == []
        return
    (change,) = runs
    assert (change.action, change.reason, change.requires) == (Action.TRIGGER, *expected)
    assert change.function == "train" and change.after is not None


def test_the_first_apply_triggers_after_the_function_and_task_exist() -> None:
    planned = plan(state(*BASE, run("by-hand", "train", trigger=TriggerPolicy.MANUAL)), new_backend())
    (trigger,) = [c for c in planned.changes if c.action is Action.TRIGGER]
    assert (str(trigger.identity), trigger.reason, trigger.requires) == ("run/nightly", Reason.NEVER_RUN, (FN, TASK))
    assert trigger.before is None


def test_a_trigger_shows_the_last_run() -> None:
    backend = applied(state(*BASE))
    stored = backend.read_state(PROJECT)
    (change,) = plan(state(NEW_CODE, *BASE[1:]), backend).changes[-1:]
    # not the run's state: a run finishing must not make a saved plan stale
    assert change.before == {"run": stored.runs[0]["id"], "function_version": stored.functions[0]["id"]}


def test_runs_someone_else_made_do_not_count() -> None:
    backend = applied(state(*BASE[:2]))
    stored = backend.read_state(PROJECT)
    fn, tsk = stored.functions[0], stored.tasks[0]
    backend.create_run(PROJECT, {"kind": "python+job:run", "spec": {
        "task": f"python+job://{PROJECT}/{tsk['id']}", "function": function_ref(fn)}})
    runs = [c for c in plan(state(*BASE), backend).changes if c.identity.type is EntityType.RUN]
    assert [(str(c.identity), c.reason) for c in runs] == [("run/nightly", Reason.NEVER_RUN)]
