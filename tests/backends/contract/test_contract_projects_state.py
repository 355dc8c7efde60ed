"""Projects and the bulk read of a project's whole state."""

from __future__ import annotations

import pytest

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError

from ..helpers import PROJECT, Harness, Make, counts


def test_a_project_is_created_with_dhcores_fields(harness: Harness) -> None:
    project = harness.backend.create_project({"name": "p1", "spec": {"source": "./"}})
    assert (project["id"], project["name"], project["key"], project["kind"]) == ("p1", "p1", "store://p1", "project")
    assert project["status"] == {"state": "CREATED"}
    assert project["spec"] == {"source": "./"}
    assert harness.backend.get_project("p1") == project
    assert [p["name"] for p in harness.backend.list_projects()] == ["p1"]


def test_duplicate_and_invalid_projects_are_refused(harness: Harness) -> None:
    harness.backend.create_project({"name": "p1"})
    with pytest.raises(ConflictError, match="Duplicated entity project:p1"):
        harness.backend.create_project({"name": "p1"})
    with pytest.raises(InvalidInputError, match="project name"):
        harness.backend.create_project({"name": "bad/name"})
    assert [p["name"] for p in harness.backend.list_projects()] == ["p1"]


def test_unknown_project(harness: Harness) -> None:
    with pytest.raises(NotFoundError, match="project `ghost` not found"):
        harness.backend.get_project("ghost")
    with pytest.raises(NotFoundError, match="project `ghost` not found"):
        harness.backend.delete_project("ghost")


def test_deleting_a_project_cascades_or_is_refused(backend: Backend, make: Make) -> None:
    backend.create_project({"name": "other"})
    Make(backend, "other").chain()
    make.chain()
    with pytest.raises(ConflictError, match="project `demo` still has 1 function versions, 1 tasks and 1 runs"):
        backend.delete_project(PROJECT, cascade=False)
    assert counts(backend) == (1, 1, 1)
    backend.delete_project(PROJECT)
    assert counts(backend) == (0, 0, 0)
    assert counts(backend, "other") == (1, 1, 1)
    assert [p["name"] for p in backend.list_projects()] == ["other"]


def test_read_state_holds_every_version_task_and_run(backend: Backend, make: Make) -> None:
    a1, ta1, _ = make.chain("a")
    a2, ta2, ra2 = make.chain("a", runs=2)
    b1 = make.function("b")
    state = backend.read_state(PROJECT)
    assert state.project == PROJECT
    assert [f["id"] for f in state.functions] == [a2["id"], a1["id"], b1["id"]]
    assert {n: f["id"] for n, f in state.latest_functions().items()} == {"a": a2["id"], "b": b1["id"]}
    assert {t["id"] for t in state.tasks} == {ta1["id"], ta2["id"]}
    assert len(state.runs) == 3
    assert backend.get_run(PROJECT, ra2[0]["id"]) in state.runs


def test_read_state_of_a_project_without_entities_is_empty(harness: Harness) -> None:
    state = harness.backend.read_state("nothing-here")
    assert (state.functions, state.tasks, state.runs) == ((), (), ())


def test_read_state_sends_the_same_number_of_queries_for_any_size(harness: Harness, backend: Backend,
                                                                  make: Make) -> None:
    if harness.count_queries is None:
        pytest.skip(f"{harness.name} sends no queries")

    def queries_for_read() -> int:
        assert harness.count_queries is not None
        with harness.count_queries() as statements:
            backend.read_state(PROJECT)
        return len(statements)

    make.chain("f0")
    small = queries_for_read()
    for n in range(1, 40):
        make.chain(f"f{n % 13}", runs=n % 3)
    assert counts(backend)[0] == 40
    assert queries_for_read() == small
    assert small <= 5
