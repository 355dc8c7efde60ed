"""No secret value reaches a plan or its file, whatever the change; a changed secret still shows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dhsync.backends.base import Backend
from dhsync.diff.secrets import MASK
from dhsync.model.entities import DesiredEntity
from dhsync.model.plan import Plan
from dhsync.plan.actual import function_ref
from dhsync.plan.codec import to_dict

from .helpers import PROJECT, PY_SPEC, applied, function, new_backend, plan, run, state, task

OLD, NEW = "old-s3cr3t", "new-s3cr3t"


def entities(value: str, *, code: str = "1") -> tuple[DesiredEntity, ...]:
    return (
        function("f", spec={**PY_SPEC, "python_version": f"PYTHON3_1{code}"}),
        task("f", "python+job", {"secrets": [f"db-{value}"], "profile": "small",
                                 "envs": [{"name": "MODE", "value": "batch"},
                                          {"name": "TOKEN", "value": value, "secret": True}]}),
        run("nightly", "f", spec={"parameters": {"password": value, "n": 1}}),
    )


def dumped(p: Plan) -> str:
    return json.dumps(to_dict(p))


SCENARIOS: dict[str, tuple[tuple[DesiredEntity, ...] | None, tuple[DesiredEntity, ...], dict[str, Any]]] = {
    "create": (None, entities(OLD), {}),
    "secrets changed in place": (entities(OLD), entities(NEW), {}),
    "function new version": (entities(OLD), entities(NEW, code="2"), {}),
    "task pruned": (entities(OLD), entities(OLD)[:1], {"prune": True}),
    "function pruned": (entities(OLD), (function("other"),), {"prune": True}),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_secret_value_in_the_plan_file(scenario: str) -> None:
    stored, desired, options = SCENARIOS[scenario]
    backend = applied(state(*stored)) if stored is not None else new_backend()
    text = dumped(plan(state(*desired), backend, **options))
    assert OLD not in text and NEW not in text
    assert (MASK in text) is (scenario != "function pruned")  # a function delete shows the function alone


def test_a_changed_secret_shows_as_a_secret_field() -> None:
    planned = plan(state(*entities(NEW)), applied(state(*entities(OLD))))
    task_change = next(c for c in planned.changes if str(c.identity) == "task/f/python+job")
    assert [(f.path, f.before, f.after, f.secret) for f in task_change.fields] == [
        ("spec.envs[TOKEN].value", MASK, MASK, True),
        ("spec.secrets", [MASK], [MASK], True),
    ]
    run_change = next(c for c in planned.changes if str(c.identity) == "run/nightly")
    assert run_change.after is not None and run_change.after["spec"]["parameters"] == {"password": MASK, "n": 1}


def _stored_without_the_flag(backend: Backend) -> None:
    fn = backend.create_function(PROJECT, {"name": "f", "kind": "python", "spec": PY_SPEC,
                                           "metadata": {"labels": ["dhsync/managed"]}})
    backend.create_task(PROJECT, {"kind": "python+job", "spec": {
        "function": function_ref(fn), "envs": [{"name": "TOKEN", "value": OLD}]}})


def test_a_backend_that_dropped_the_secret_flag_does_not_leak_the_stored_value() -> None:
    backend = new_backend()
    _stored_without_the_flag(backend)
    desired = state(function("f"), task("f", "python+job", {"envs": [{"name": "TOKEN", "value": NEW,
                                                                        "secret": True}]}))
    text = dumped(plan(desired, backend))
    assert OLD not in text and NEW not in text
