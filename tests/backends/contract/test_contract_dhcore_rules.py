"""DHCore rules found missing in review: sealed runs stay sealed, tasks carry no metadata or status,
an update without metadata keeps it."""

from __future__ import annotations

import pytest

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError

from ..helpers import PROJECT, Make


def _status(backend: Backend, run: dict, state: str) -> dict:  # type: ignore[type-arg]
    return backend.update_run(PROJECT, run["id"], {**run, "status": {"state": state}})


@pytest.mark.parametrize("path", [
    ["BUILT", "READY", "RUNNING", "COMPLETED"],
    ["BUILT", "READY", "RUNNING", "ERROR"],
    ["BUILT", "READY", "RUNNING", "STOP", "STOPPED", "RESUME", "RUNNING", "COMPLETED"],
    ["BUILT", "READY", "PENDING", "RUNNING", "COMPLETED"],
    ["ERROR"],
])
def test_runs_move_forward_through_dhcore_states(backend: Backend, make: Make, path: list[str]) -> None:
    _, _, (run,) = make.chain()
    for state in path:
        run = _status(backend, run, state)
    assert backend.get_run(PROJECT, run["id"])["status"]["state"] == path[-1]


@pytest.mark.parametrize(("path", "refused"), [
    (["BUILT"], "CREATED"),
    (["BUILT", "READY", "RUNNING", "COMPLETED"], "RUNNING"),
    (["BUILT", "READY", "RUNNING", "COMPLETED"], "CREATED"),
    (["ERROR"], "READY"),
    (["BUILT"], "RESUME"),
])
def test_an_ended_or_built_run_cannot_go_back(backend: Backend, make: Make, path: list[str], refused: str) -> None:
    _, _, (run,) = make.chain()
    for state in path:
        run = _status(backend, run, state)
    with pytest.raises(ConflictError, match=f"is {path[-1]}; it cannot become {refused}"):
        _status(backend, run, refused)
    stored = backend.get_run(PROJECT, run["id"])
    assert stored["status"]["state"] == path[-1]
    with pytest.raises(ConflictError, match="its spec can change only while CREATED"):
        backend.update_run(PROJECT, run["id"], {**stored, "spec": {**stored["spec"], "parameters": {"x": 1}}})


def test_a_completed_run_can_record_more_status_without_changing_state(backend: Backend, make: Make) -> None:
    _, _, (run,) = make.chain()
    for state in ["BUILT", "READY", "RUNNING", "COMPLETED"]:
        run = _status(backend, run, state)
    updated = backend.update_run(PROJECT, run["id"], {**run, "status": {"state": "COMPLETED", "results": {"a": 1}}})
    assert updated["status"] == {"state": "COMPLETED", "results": {"a": 1}}


def test_tasks_keep_no_metadata_or_status_like_dhcore(backend: Backend, make: Make) -> None:
    fn = make.function()
    body = {"kind": "python+job", "spec": {"function": f"python://demo/train:{fn['id']}"},
            "metadata": {"created": "2001-01-01", "created_by": "mallory"}, "status": {"state": "WHATEVER"}}
    task = backend.create_task(PROJECT, body)
    assert "metadata" not in task and "status" not in task
    updated = backend.update_task(PROJECT, task["id"], {**task, "metadata": {"labels": ["x"]}, "status": {"a": 1}})
    assert "metadata" not in updated and "status" not in updated
    assert backend.get_task(PROJECT, task["id"]) == updated


def test_an_update_with_null_metadata_keeps_labels_and_description(backend: Backend, make: Make) -> None:
    fn = make.function(metadata={"description": "keep me", "labels": ["a"]})
    updated = backend.update_function(PROJECT, fn["id"], {**fn, "metadata": None})
    assert (updated["metadata"]["description"], updated["metadata"]["labels"]) == ("keep me", ["a"])
