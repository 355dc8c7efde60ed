"""Hashes, the hash fast path of compare, ignore_changes, and the field paths a plan lists."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from dhsync.diff.compare import compare
from dhsync.diff.hashing import content_hash
from dhsync.model.plan import FieldChange, FieldChangeKind

ADDED, REMOVED, CHANGED = FieldChangeKind.ADDED, FieldChangeKind.REMOVED, FieldChangeKind.CHANGED


@pytest.mark.parametrize(("a", "b"), [
    ({"kind": "python", "spec": {"a": 1, "b": 2}}, {"spec": {"b": 2, "a": 1}, "kind": "python"}),
    ({"spec": {"resources": {"cpu": "1", "mem": "1Gi"}}}, {"spec": {"resources": {"mem": "1Gi", "cpu": "1"}}}),
    ({1: "integer keys", "a": None}, {"a": None, 1: "integer keys"}),
])
def test_key_order_does_not_change_the_hash(a: dict[Any, Any], b: dict[Any, Any]) -> None:
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) == content_hash(a)  # stable from call to call


@pytest.mark.parametrize(("a", "b"), [
    ({"spec": {"a": 1}}, {"spec": {"a": 2}}),
    ({"spec": {"a": 1}}, {"spec": {"a": "1"}}),
    ({"spec": {"args": ["x", "y"]}}, {"spec": {"args": ["y", "x"]}}),
    ({"spec": {}}, {"spec": {"a": None}}),
])
def test_different_content_has_a_different_hash(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert content_hash(a) != content_hash(b)


def test_equal_content_is_decided_by_the_hash_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """deepdiff costs ~200x a hash: it must not run when nothing changed."""
    def no_diff(*args: object) -> tuple[FieldChange, ...]:
        raise AssertionError("field diff computed for equal documents")

    # the module, not the function of the same name that dhsync.diff exports
    monkeypatch.setattr(sys.modules["dhsync.diff.compare"], "field_changes", no_diff)
    result = compare({"kind": "python", "spec": {"b": 1, "a": [1, 2]}},
                     {"spec": {"a": [1, 2], "b": 1}, "kind": "python"})
    assert result.same and result.fields == ()


FIELD_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], list[tuple[str, FieldChangeKind, Any, Any]]]] = {
    "env value by name": (
        {"spec": {"envs": [{"name": "A", "value": "1"}, {"name": "MODE", "value": "batch"}]}},
        {"spec": {"envs": [{"name": "A", "value": "1"}, {"name": "MODE", "value": "stream"}]}},
        [("spec.envs[MODE].value", CHANGED, "batch", "stream")]),
    "env added": (
        {"spec": {"envs": [{"name": "A", "value": "1"}]}},
        {"spec": {"envs": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}},
        [("spec.envs[B]", ADDED, None, {"name": "B", "value": "2"})]),
    "env removed": (
        {"spec": {"envs": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}},
        {"spec": {"envs": [{"name": "A", "value": "1"}]}},
        [("spec.envs[B]", REMOVED, {"name": "B", "value": "2"}, None)]),
    "node selector by key": (
        {"spec": {"node_selector": [{"key": "disk", "value": "ssd"}]}},
        {"spec": {"node_selector": [{"key": "disk", "value": "hdd"}]}},
        [("spec.node_selector[disk].value", CHANGED, "ssd", "hdd")]),
    "label added: the whole list": (
        {"metadata": {"labels": ["a"]}}, {"metadata": {"labels": ["a", "b"]}},
        [("metadata.labels", CHANGED, ["a"], ["a", "b"])]),
    "first label": (
        {"metadata": {}}, {"metadata": {"labels": ["a"]}},
        [("metadata.labels", ADDED, None, ["a"])]),
    "field removed": (
        {"spec": {"image": "i", "command": "c"}}, {"spec": {"image": "i"}},
        [("spec.command", REMOVED, "c", None)]),
    "nested field": (
        {"spec": {"resources": {"cpu": "1", "mem": "1Gi"}}}, {"spec": {"resources": {"cpu": "2", "mem": "1Gi"}}},
        [("spec.resources.cpu", CHANGED, "1", "2")]),
    "type change": (
        {"spec": {"replicas": 1}}, {"spec": {"replicas": "1"}},
        [("spec.replicas", CHANGED, 1, "1")]),
    "args: the whole list, never an index": (
        {"spec": {"args": ["a", "b"]}}, {"spec": {"args": ["b", "a"]}},
        [("spec.args", CHANGED, ["a", "b"], ["b", "a"])]),
    "envs with a repeated name: the whole list": (
        {"spec": {"envs": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}},
        {"spec": {"envs": [{"name": "A", "value": "1"}]}},
        [("spec.envs", CHANGED, [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
          [{"name": "A", "value": "1"}])]),
    "two fields, sorted": (
        {"kind": "python", "spec": {"b": 1, "a": 1}}, {"kind": "python", "spec": {"b": 2, "a": 2}},
        [("spec.a", CHANGED, 1, 2), ("spec.b", CHANGED, 1, 2)]),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_field_changes_read_like_paths(case: str) -> None:
    before, after, expected = FIELD_CASES[case]
    result = compare(before, after)
    assert not result.same
    assert [(f.path, f.change, f.before, f.after) for f in result.fields] == expected
    assert not any(f.secret for f in result.fields)


IGNORE_CASES: dict[str, tuple[list[str], dict[str, Any], dict[str, Any], bool]] = {
    "ignored field": (["spec.image"], {"spec": {"image": "a", "x": 1}}, {"spec": {"image": "b", "x": 1}}, True),
    "ignored mapping": (["spec.resources"], {"spec": {"resources": {"cpu": "1"}}}, {"spec": {}}, True),
    "ignored nested field": (["spec.resources.cpu"], {"spec": {"resources": {"cpu": "1", "mem": "m"}}},
                             {"spec": {"resources": {"cpu": "2", "mem": "m"}}}, True),
    "other fields still count": (["spec.image"], {"spec": {"image": "a", "x": 1}},
                                 {"spec": {"image": "b", "x": 2}}, False),
    "a path that is not there": (["spec.nothing.here"], {"spec": {"x": 1}}, {"spec": {"x": 1}}, True),
    "metadata": (["metadata.description"], {"metadata": {"description": "a"}}, {"metadata": {"description": "b"}},
                 True),
}


@pytest.mark.parametrize("case", sorted(IGNORE_CASES))
def test_ignore_changes(case: str) -> None:
    ignore, before, after, same = IGNORE_CASES[case]
    result = compare(before, after, ignore)
    assert result.same is same
    assert all(not f.path.startswith(tuple(ignore)) for f in result.fields)
    assert before == IGNORE_CASES[case][1]  # the documents given are not changed
