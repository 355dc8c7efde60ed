"""The plan file: a round trip keeps every change; what is not a readable plan says how to fix it."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from dhsync.model.errors import InvalidInputError
from dhsync.model.plan import FORMAT_VERSION, Action, Blocked, Change, Plan
from dhsync.plan.codec import from_dict, summary, to_dict

from .helpers import PY_SPEC, applied, function, plan, run, state, task, unmanaged_function

STORED = state(function("a"), task("a"), function("b"), task("b"), function("gone"), function("kept", protect=True))
DESIRED = state(function("a", spec={**PY_SPEC, "python_version": "PYTHON3_12"}), task("a"),
                function("b", metadata={"description": "d"}), task("b", "python+job", {"profile": "p"}),
                function("new"), task("new", "python+serve"), run("r", "new"), function("theirs"))


@cache  # one backend, so one fingerprint and one set of ids
def every_kind_of_change() -> Plan:
    backend = applied(STORED)
    unmanaged_function(backend, "theirs")  # made with the SDK: declaring it plans an adopt
    made = plan(DESIRED, backend, prune=True, select=("*",), resumed_triggers=frozenset({"x"}))
    return replace(made, source={"root": "/repo", "backend": "memory://"})


def test_a_plan_survives_its_file_form() -> None:
    original = every_kind_of_change()
    assert {c.action for c in original.changes} == set(Action)  # the round trip sees every action
    text = json.dumps(to_dict(original))
    assert from_dict(json.loads(text)) == original
    assert to_dict(from_dict(json.loads(text))) == to_dict(original)


def test_the_summary_counts_what_a_user_reads_in_the_summary_line() -> None:
    data = to_dict(every_kind_of_change())
    assert data["summary"] == {"create": 4, "new-version": 1, "update": 2, "delete": 1, "trigger": 1, "adopt": 0,
                               "blocked": 2}
    assert data["format_version"] == FORMAT_VERSION
    assert [c["address"] for c in data["changes"] if c["blocked"]] == ["function/theirs", "function/kept"]


def test_recreated_tasks_count_as_creates() -> None:
    changes = every_kind_of_change().changes
    recreated = [c for c in changes if c.action is Action.RECREATE]
    assert len(recreated) == 1
    assert summary(recreated)["create"] == 1


def test_the_file_form_names_every_part_of_a_change() -> None:
    (delete,) = [c for c in to_dict(every_kind_of_change())["changes"] if c["address"] == "function/kept"]
    assert delete == {
        "address": "function/kept", "type": "function", "name": "kept", "kind": "python", "action": "delete",
        "reason": "not-declared", "function": None, "before": delete["before"], "after": None, "fields": [],
        "dependents": {"versions": 1, "tasks": 0, "runs": 0}, "blocked": "protected", "requires": [],
    }


def _valid() -> dict[str, Any]:
    return to_dict(every_kind_of_change())


def _damage(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = _valid()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()
DAMAGED: dict[str, tuple[Any, str]] = {
    "not an object": ([1, 2], "not a dhsync plan file of format 1"),
    "no format_version": (_damage(("format_version",), _DELETE), "format_version: None"),
    "a newer format": (_damage(("format_version",), 2), "format_version: 2"),
    "format_version true": (_damage(("format_version",), True), "format_version: True"),
    "no changes": (_damage(("changes",), _DELETE), "missing 'changes'"),
    "changes not a list": (_damage(("changes",), {"a": 1}), "expected a list"),
    "a change not an object": (_damage(("changes", 0), "x"), "change 1 of the plan file is damaged"),
    "an unknown action": (_damage(("changes", 1, "action"), "explode"), "change 2 of the plan file is damaged"),
    "a bad address": (_damage(("changes", 0, "address"), "functiona"), "not an address like `function/<name>`"),
    "fields not a list": (_damage(("changes", 0, "fields"), "spec"), "change 1 of the plan file is damaged"),
    "dependents not an object": (_damage(("changes", 0, "dependents"), [1]), "dependents is list"),
    "options not an object": (_damage(("options",), []), "options is list"),
    "not_pruned not a list": (_damage(("not_pruned",), "function/a"), "expected a list"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_what_is_not_a_readable_plan_says_how_to_fix_it(case: str) -> None:
    data, message = DAMAGED[case]
    with pytest.raises(InvalidInputError, match="dhsync plan --out FILE") as caught:
        from_dict(data)
    assert message in str(caught.value)


def test_a_plan_from_a_file_with_fields_added_later_still_reads() -> None:
    """Additive changes within one format_version: unknown keys are ignored."""
    data = _valid()
    data["made_by"] = "dhsync 9"
    data["changes"][0]["note"] = "new"
    assert from_dict(data) == every_kind_of_change()


def test_empty_plan_round_trip() -> None:
    empty = plan(STORED, applied(STORED))
    assert empty.empty and from_dict(to_dict(empty)) == empty
    assert all(count == 0 for count in to_dict(empty)["summary"].values())


def test_blocked_is_counted_apart() -> None:
    change = every_kind_of_change().changes[0]
    blocked = replace(change, action=Action.DELETE, blocked=Blocked.EMPTY_DESIRED)
    counts: dict[str, int] = summary([blocked, change])
    assert (counts["blocked"], counts["delete"]) == (1, 0)
    assert isinstance(change, Change)
