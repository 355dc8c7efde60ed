"""Function versions: server-owned fields, versioning, latest, filters, paging, names, deletes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError

from ..helpers import PROJECT, Harness, Make, counts


def test_create_fills_server_owned_fields_like_dhcore(make: Make) -> None:
    fn = make.function("train", metadata={"description": "d", "labels": ["team-a"],
                                          "created": "2001-01-01T00:00:00+00:00"})
    assert re.fullmatch(r"[0-9a-f]{32}", fn["id"])
    assert fn["key"] == f"store://demo/function/python/train:{fn['id']}"
    assert fn["status"] == {"state": "CREATED"}
    assert fn["user"] == "alice"
    meta = fn["metadata"]
    assert (meta["project"], meta["name"], meta["created_by"], meta["updated_by"]) == ("demo", "train",
                                                                                       "alice", "alice")
    assert meta["created"] == "2026-01-01T12:00:00.000000+00:00", "a stale client `created` is replaced"
    assert re.fullmatch(r"[a-z]+-[a-z]+", meta["version"])
    assert (meta["description"], meta["labels"]) == ("d", ["team-a"])
    assert fn["spec"] == {"handler": "main"}


def test_given_id_is_kept_and_version_equal_to_id_is_replaced(make: Make) -> None:
    fn = make.function(id="abc123", metadata={"version": "abc123"})
    assert fn["id"] == "abc123"
    assert fn["metadata"]["version"] != "abc123"
    assert make.function(metadata={"version": "v1"})["metadata"]["version"] == "v1"


def test_duplicate_id_is_refused_before_anything_is_written(backend: Backend, make: Make) -> None:
    make.function(id="abc123")
    with pytest.raises(ConflictError, match=r"Duplicated entity function:abc123"):
        make.function("other", id="abc123")
    assert counts(backend) == (1, 0, 0)
    assert backend.list_functions(PROJECT, name="other").total == 0


def test_a_spec_change_is_a_new_version_and_the_newest_is_latest(backend: Backend, make: Make) -> None:
    v1 = make.function("train", spec={"handler": "a"})
    v2 = make.function("train", spec={"handler": "b"})
    latest = backend.list_functions(PROJECT, name="train")
    assert [f["id"] for f in latest.items] == [v2["id"]]
    every = backend.list_functions(PROJECT, name="train", versions="all")
    assert [f["id"] for f in every.items] == [v2["id"], v1["id"]]
    assert backend.get_function(PROJECT, v1["id"])["spec"] == {"handler": "a"}


def test_latest_is_the_newest_by_creation_time_not_by_insertion(harness: Harness, backend: Backend,
                                                                make: Make) -> None:
    harness.clock.advance(60)
    newer = make.function("train")
    harness.clock.advance(-30)  # a clock stepped back: this version is older by creation time
    make.function("train")
    assert backend.list_functions(PROJECT, name="train").items[0]["id"] == newer["id"]


def test_versions_created_within_one_clock_tick_keep_their_order(backend: Backend, make: Make) -> None:
    ids = [make.function("train", spec={"n": n})["id"] for n in range(5)]  # the fake clock is frozen
    every = backend.list_functions(PROJECT, name="train", versions="all")
    assert [f["id"] for f in every.items] == ids[::-1]
    assert backend.read_state(PROJECT).latest_functions()["train"]["id"] == ids[-1]


def test_update_changes_metadata_in_place_and_ignores_the_spec(harness: Harness, backend: Backend,
                                                               make: Make) -> None:
    fn = make.function("train", metadata={"description": "old", "labels": ["a"]})
    harness.clock.advance(5)
    body = {**fn, "spec": {"handler": "changed"}, "metadata": {**fn["metadata"], "description": "new"}}
    updated = backend.update_function(PROJECT, fn["id"], body)
    assert updated["id"] == fn["id"]
    assert updated["spec"] == {"handler": "main"}
    assert updated["metadata"]["description"] == "new"
    assert updated["metadata"]["version"] == fn["metadata"]["version"]
    assert updated["metadata"]["created"] == fn["metadata"]["created"]
    assert updated["metadata"]["updated"] > fn["metadata"]["updated"]
    assert backend.get_function(PROJECT, fn["id"]) == updated
    assert backend.list_functions(PROJECT, versions="all").total == 1


def test_update_without_metadata_keeps_labels(backend: Backend, make: Make) -> None:
    fn = make.function("train", metadata={"labels": ["keep"]})
    updated = backend.update_function(PROJECT, fn["id"], {"status": {"state": "READY"}})
    assert updated["metadata"]["labels"] == ["keep"]
    assert updated["status"] == {"state": "READY"}


def test_update_cannot_rename(backend: Backend, make: Make) -> None:
    fn = make.function("train")
    with pytest.raises(InvalidInputError, match="name cannot change"):
        backend.update_function(PROJECT, fn["id"], {**fn, "name": "other"})


@pytest.mark.parametrize("name", ["a/b", "a:b", "A=B", "with space", "", "x" * 257, "ünï"])
def test_names_outside_dhcores_pattern_are_refused(backend: Backend, make: Make, name: str) -> None:
    with pytest.raises(InvalidInputError, match="function name"):
        make.function(name)
    assert counts(backend) == (0, 0, 0)


def test_names_inside_the_pattern_are_accepted(make: Make) -> None:
    assert make.function("Az.09_+-x")["name"] == "Az.09_+-x"


@pytest.mark.parametrize("body", [
    {"name": "train"},
    {"name": "train", "kind": "py thon"},
    {"name": "train", "kind": "python", "id": "not/ok"},
    {"name": "train", "kind": "python", "spec": ["not", "a", "mapping"]},
    {"name": "train", "kind": "python", "spec": {"when": object()}},
])
def test_bad_bodies_are_refused_before_anything_is_written(backend: Backend, body: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        backend.create_function(PROJECT, body)
    assert counts(backend) == (0, 0, 0)


def test_returned_entities_are_copies(backend: Backend, make: Make) -> None:
    fn = make.function("train")
    fn["spec"]["handler"] = "mutated"
    backend.get_function(PROJECT, fn["id"])["metadata"]["labels"] = ["mutated"]
    again = backend.get_function(PROJECT, fn["id"])
    assert again["spec"] == {"handler": "main"}
    assert "labels" not in again["metadata"]


def test_unknown_ids_and_names_name_project_type_and_identifier(backend: Backend, make: Make) -> None:
    calls: list[Callable[[], object]] = [
        lambda: backend.get_function(PROJECT, "nope"),
        lambda: backend.update_function(PROJECT, "nope", {}),
        lambda: backend.delete_function(PROJECT, "nope"),
        lambda: backend.delete_function_versions(PROJECT, "nope"),
    ]
    for call in calls:
        with pytest.raises(NotFoundError, match=r"function `nope` not found in project `demo`; check"):
            call()


def test_a_version_of_another_project_is_not_found(backend: Backend, make: Make) -> None:
    backend.create_project({"name": "other"})
    fn = make.function("train")
    with pytest.raises(NotFoundError, match="project `other`"):
        backend.get_function("other", fn["id"])


def test_functions_need_an_existing_project(backend: Backend) -> None:
    with pytest.raises(NotFoundError, match=r"project `ghost` not found; create it first"):
        backend.create_function("ghost", {"name": "train", "kind": "python"})


def test_filters_by_name_kind_and_labels_anded(backend: Backend, make: Make) -> None:
    make.function("a", metadata={"labels": ["x", "y"]})
    make.function("b", metadata={"labels": ["x"]})
    make.function("c", kind="container", metadata={"labels": ["y"]})

    def names(**filters: object) -> list[str]:
        return [f["name"] for f in backend.list_functions(PROJECT, **filters).items]  # type: ignore[arg-type]

    assert names() == ["c", "b", "a"]
    assert names(kind="container") == ["c"]
    assert names(labels=["x"]) == ["b", "a"]
    assert names(labels=["x", "y"]) == ["a"]
    assert names(name="b", labels=["y"]) == []


def test_latest_filter_applies_to_the_latest_version(backend: Backend, make: Make) -> None:
    make.function("a", metadata={"labels": ["old"]})
    make.function("a", spec={"handler": "new"})
    assert backend.list_functions(PROJECT, labels=["old"]).total == 0
    assert backend.list_functions(PROJECT, labels=["old"], versions="all").total == 1


def test_paging_walks_every_item_once_newest_first(backend: Backend, make: Make) -> None:
    made = [make.function(f"f{n}")["id"] for n in range(7)]
    pages = [backend.list_functions(PROJECT, page=p, size=3) for p in range(4)]
    assert [len(p.items) for p in pages] == [3, 3, 1, 0]
    assert all(p.total == 7 for p in pages)
    assert [p.last for p in pages[:3]] == [False, False, True]
    assert [f["id"] for p in pages for f in p.items] == made[::-1]


@pytest.mark.parametrize(("page", "size"), [(-1, 10), (0, 0), (0, 1001)])
def test_bad_paging_is_refused(backend: Backend, page: int, size: int) -> None:
    with pytest.raises(InvalidInputError, match="page"):
        backend.list_functions(PROJECT, page=page, size=size)


def test_deleting_a_version_with_tasks_needs_cascade(backend: Backend, make: Make) -> None:
    fn, _task, _runs = make.chain("train", runs=2)
    with pytest.raises(ConflictError, match=r"still has 1 task and 2 runs; nothing was deleted.*cascade"):
        backend.delete_function(PROJECT, fn["id"])
    assert counts(backend) == (1, 1, 2)


def test_cascade_deletes_the_versions_tasks_and_runs_only(backend: Backend, make: Make) -> None:
    old, _t, _r = make.chain("train")
    new, new_task, new_runs = make.chain("train")
    backend.delete_function(PROJECT, new["id"], cascade=True)
    assert counts(backend) == (1, 1, 1)
    assert backend.list_functions(PROJECT, name="train").items[0]["id"] == old["id"]
    with pytest.raises(NotFoundError):
        backend.get_task(PROJECT, new_task["id"])
    with pytest.raises(NotFoundError):
        backend.get_run(PROJECT, new_runs[0]["id"])


def test_a_version_without_tasks_deletes_without_cascade(backend: Backend, make: Make) -> None:
    fn = make.function("train")
    backend.delete_function(PROJECT, fn["id"])
    assert counts(backend) == (0, 0, 0)


def test_delete_all_versions_always_cascades_and_spares_other_names(backend: Backend, make: Make) -> None:
    make.chain("train")
    make.chain("train")
    keep, _t, _r = make.chain("keep")
    backend.delete_function_versions(PROJECT, "train")
    state = backend.read_state(PROJECT)
    assert [f["id"] for f in state.functions] == [keep["id"]]
    assert (len(state.tasks), len(state.runs)) == (1, 1)
