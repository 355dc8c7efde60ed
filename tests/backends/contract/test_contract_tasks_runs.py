"""Tasks bound to one function version, runs bound to one task."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError

from ..helpers import PROJECT, Make, counts, fn_ref, task_ref


def test_a_task_is_bound_to_one_function_version(make: Make) -> None:
    fn = make.function("train")
    task = make.task(fn, resources={"cpu": "1"})
    assert task["spec"] == {"function": fn_ref(fn), "resources": {"cpu": "1"}}
    assert task["name"] == task["id"]
    assert task["key"] == f"store://demo/task/python+job/{task['id']}"
    assert task["project"] == PROJECT


def test_one_task_per_function_version_and_kind(backend: Backend, make: Make) -> None:
    v1 = make.function("train")
    first = make.task(v1)
    with pytest.raises(ConflictError, match=rf"already has a `python\+job` task \(`{first['id']}`"):
        make.task(v1)
    assert counts(backend) == (1, 1, 0)
    make.task(v1, action="serve")
    v2 = make.function("train", spec={"handler": "other"})
    make.task(v2)  # a new version needs its tasks again, and may have them
    assert counts(backend) == (2, 3, 0)


def test_a_new_version_starts_without_tasks(backend: Backend, make: Make) -> None:
    make.task(make.function("train"))
    v2 = make.function("train", spec={"handler": "other"})
    assert backend.list_tasks(PROJECT, function=fn_ref(v2)).total == 0


@pytest.mark.parametrize(("spec_function", "error", "message"), [
    ("python://demo/train", InvalidInputError, "must reference one function version"),
    ("python://other/train:{id}", InvalidInputError, "of project `other`"),
    ("python://demo/renamed:{id}", InvalidInputError, "fix spec.function"),
    ("python://demo/train:missing", NotFoundError, "function `missing` not found in project `demo`"),
])
def test_a_task_must_reference_an_existing_version(backend: Backend, make: Make, spec_function: str,
                                                   error: type[Exception], message: str) -> None:
    fn = make.function("train")
    body = {"kind": "python+job", "spec": {"function": spec_function.format(id=fn["id"])}}
    with pytest.raises(error, match=message):
        backend.create_task(PROJECT, body)
    assert counts(backend) == (1, 0, 0)


def test_a_task_kind_must_belong_to_the_function_kind(backend: Backend, make: Make) -> None:
    fn = make.function("train")
    with pytest.raises(InvalidInputError, match=r"use `python\+<action>`"):
        backend.create_task(PROJECT, {"kind": "container+job", "spec": {"function": fn_ref(fn)}})


def test_task_update_replaces_the_spec_and_pins_the_function(backend: Backend, make: Make) -> None:
    v1 = make.function("train")
    v2 = make.function("train", spec={"handler": "b"})
    task = make.task(v1, profile="small")
    updated = backend.update_task(PROJECT, task["id"], {"spec": {"function": fn_ref(v2), "replicas": 2}})
    assert updated["spec"] == {"function": fn_ref(v1), "replicas": 2}
    assert backend.get_task(PROJECT, task["id"]) == updated
    assert backend.update_task(PROJECT, task["id"], {"metadata": {"note": "x"}})["spec"] == updated["spec"]


def test_list_tasks_by_version_by_name_and_by_kind(backend: Backend, make: Make) -> None:
    v1 = make.function("train")
    v2 = make.function("train", spec={"handler": "b"})
    t1, t2 = make.task(v1), make.task(v2)
    t3 = make.task(v2, action="serve")

    def ids(function: str | None = None, kind: str | None = None) -> set[str]:
        return {t["id"] for t in backend.list_tasks(PROJECT, function=function, kind=kind).items}

    assert ids(function=fn_ref(v1)) == {t1["id"]}
    assert ids(function="python://demo/train") == {t1["id"], t2["id"], t3["id"]}
    assert ids(kind="python+serve") == {t3["id"]}


def test_deleting_a_task_with_runs_needs_cascade(backend: Backend, make: Make) -> None:
    _fn, task, _runs = make.chain(runs=2)
    with pytest.raises(ConflictError, match=r"task `.*` in project `demo` still has 2 runs"):
        backend.delete_task(PROJECT, task["id"])
    assert counts(backend) == (1, 1, 2)
    backend.delete_task(PROJECT, task["id"], cascade=True)
    assert counts(backend) == (1, 0, 0)


def test_a_run_starts_created_and_references_its_task(make: Make) -> None:
    _fn, task, (run,) = make.chain()
    assert run["status"] == {"state": "CREATED"}
    assert run["spec"]["task"] == task_ref(task)
    assert run["key"] == f"store://demo/run/python+job:run/{run['id']}"
    assert run["metadata"]["created_by"] == "alice"


def test_a_run_needs_an_existing_task_of_its_kind(backend: Backend, make: Make) -> None:
    task = make.task(make.function())
    with pytest.raises(NotFoundError, match="task `missing` not found in project `demo`"):
        backend.create_run(PROJECT, {"kind": "python+job:run", "spec": {"task": "python+job://demo/missing"}})
    with pytest.raises(InvalidInputError, match=r"fix spec\.task"):
        backend.create_run(PROJECT, {"kind": "x:run", "spec": {"task": f"python+serve://demo/{task['id']}"}})
    with pytest.raises(InvalidInputError, match="must reference a task"):
        backend.create_run(PROJECT, {"kind": "python+job:run", "spec": {}})
    assert counts(backend) == (1, 1, 0)


def test_run_status_updates_and_its_spec_is_sealed_after_created(backend: Backend, make: Make) -> None:
    _fn, _task, (run,) = make.chain()
    edited = backend.update_run(PROJECT, run["id"], {"spec": {**run["spec"], "parameters": {"a": 1}}})
    assert edited["spec"]["parameters"] == {"a": 1}
    status = {"state": "RUNNING", "message": "started", "transitions": [{"status": "RUNNING"}]}
    running = backend.update_run(PROJECT, run["id"], {"status": status})
    assert running["status"] == status
    with pytest.raises(ConflictError, match=r"is RUNNING; its spec can change only while CREATED"):
        backend.update_run(PROJECT, run["id"], {"spec": {**run["spec"], "parameters": {"a": 2}}})
    done = backend.update_run(PROJECT, run["id"], {"status": {"state": "COMPLETED", "results": {"x": 42}}})
    assert backend.get_run(PROJECT, run["id"]) == done
    assert done["spec"]["parameters"] == {"a": 1}


def test_an_unknown_run_state_is_refused(backend: Backend, make: Make) -> None:
    _fn, _task, (run,) = make.chain()
    with pytest.raises(InvalidInputError, match="not a DigitalHub state"):
        backend.update_run(PROJECT, run["id"], {"status": {"state": "DANCING"}})
    assert backend.get_run(PROJECT, run["id"])["status"] == {"state": "CREATED"}


def test_list_runs_by_task_function_and_state(backend: Backend, make: Make) -> None:
    fn, task, (r1, r2) = make.chain(runs=2)
    _fn2, _t2, (other,) = make.chain("other")
    backend.update_run(PROJECT, r2["id"], {"status": {"state": "RUNNING"}})

    def ids(task: str | None = None, function: str | None = None, state: str | None = None) -> list[str]:
        return [r["id"] for r in backend.list_runs(PROJECT, task=task, function=function, state=state).items]

    assert ids() == [other["id"], r2["id"], r1["id"]]
    assert ids(task=task_ref(task)) == [r2["id"], r1["id"]]
    assert ids(function=fn_ref(fn)) == [r2["id"], r1["id"]]
    assert ids(function="python://demo/other") == [other["id"]]
    assert ids(state="RUNNING") == [r2["id"]]


def test_delete_run_and_unknown_ids(backend: Backend, make: Make) -> None:
    _fn, _task, (run,) = make.chain()
    backend.delete_run(PROJECT, run["id"])
    assert counts(backend) == (1, 1, 0)
    calls: list[tuple[Callable[[], object], str]] = [(lambda: backend.get_run(PROJECT, run["id"]), "run"),
                       (lambda: backend.delete_run(PROJECT, run["id"]), "run"),
                       (lambda: backend.update_run(PROJECT, "nope", {}), "run"),
                       (lambda: backend.get_task(PROJECT, "nope"), "task"),
                       (lambda: backend.update_task(PROJECT, "nope", {}), "task"),
                       (lambda: backend.delete_task(PROJECT, "nope"), "task")]
    for call, kind in calls:
        with pytest.raises(NotFoundError, match=rf"^{kind} `.+` not found in project `demo`; check"):
            call()
