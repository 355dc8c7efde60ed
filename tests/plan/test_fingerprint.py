"""The actual-state fingerprint and desired-state hash a saved plan carries: what makes it stale and what
does not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from dhsync.backends.base import Backend
from dhsync.model.entities import DesiredEntity, TriggerPolicy
from dhsync.model.state import ActualState
from dhsync.plan.actual import fingerprint
from dhsync.plan.desired import arrange, desired_hash

from .helpers import PROJECT, applied, function, plan, run, state, task, unmanaged_function, write_run

DESIRED = state(function("f"), task("f"), run("nightly", "f"))


def _run_id(backend: Backend) -> str:
    return str(backend.read_state(PROJECT).runs[0]["id"])


def _progress(backend: Backend) -> None:
    run_id = _run_id(backend)
    for state_ in ("BUILT", "READY", "RUNNING", "COMPLETED"):
        backend.update_run(PROJECT, run_id, {"status": {"state": state_, "results": {"n": 1}}})


def _new_run(backend: Backend) -> None:
    stored = backend.read_state(PROJECT)
    write_run(backend, arrange(DESIRED), DESIRED.entities[2], stored.functions[0], stored.tasks[0])


def _new_version(backend: Backend) -> None:
    backend.create_function(PROJECT, {"name": "f", "kind": "python", "spec": {"image": "x"}})


def _description(backend: Backend) -> None:
    fn = backend.read_state(PROJECT).functions[0]
    backend.update_function(PROJECT, fn["id"], {"metadata": {**fn["metadata"], "description": "changed"}})


def _task_spec(backend: Backend) -> None:
    stored = backend.read_state(PROJECT).tasks[0]
    backend.update_task(PROJECT, stored["id"], {"spec": {"profile": "large"}})


def _other_function(backend: Backend) -> None:
    unmanaged_function(backend, "other")


EVENTS: dict[str, tuple[Callable[[Backend], None], bool]] = {
    "a run progresses to COMPLETED": (_progress, False),
    "a run is created": (_new_run, True),
    "a function version is created": (_new_version, True),
    "a description changes in place": (_description, True),
    "a task changes": (_task_spec, True),
    "someone adds a function": (_other_function, True),
}


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_what_makes_a_saved_plan_stale(event: str) -> None:
    backend = applied(DESIRED)
    before = plan(DESIRED, backend).actual_fingerprint
    assert before == fingerprint(backend.read_state(PROJECT))  # stable from read to read
    change, stale = EVENTS[event]
    change(backend)
    assert (plan(DESIRED, backend).actual_fingerprint != before) is stale


def test_the_fingerprint_is_of_this_project() -> None:
    assert fingerprint(ActualState("a")) != fingerprint(ActualState("b"))


def _respelled(entity: DesiredEntity) -> DesiredEntity:
    return replace(entity, spec=dict(reversed(list(entity.spec.items()))))


HASH_EDITS: dict[str, tuple[Callable[[tuple[DesiredEntity, ...]], tuple[DesiredEntity, ...]], bool]] = {
    "entities in another order": (lambda es: tuple(reversed(es)), False),
    "keys in another order": (lambda es: tuple(_respelled(e) for e in es), False),
    "a trigger policy": (lambda es: (*es[:2], replace(es[2], trigger=TriggerPolicy.ALWAYS)), True),
    "protection": (lambda es: (replace(es[0], protect=True), *es[1:]), True),
    "a description": (lambda es: (replace(es[0], metadata={"description": "d"}), *es[1:]), True),
    "a task spec": (lambda es: (es[0], replace(es[1], spec={**es[1].spec, "profile": "p"}), es[2]), True),
}


@pytest.mark.parametrize("edit", sorted(HASH_EDITS))
def test_what_makes_a_saved_plan_stale_in_the_repository(edit: str) -> None:
    change, stale = HASH_EDITS[edit]
    assert (desired_hash(state(*change(DESIRED.entities))) != desired_hash(DESIRED)) is stale
