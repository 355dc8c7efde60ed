"""dhsync's labels: what marks an entity as dhsync's, protected, or triggered by a declaration."""

from __future__ import annotations

from typing import Any

import pytest

from dhsync.diff.marks import (
    HASH_CHARS,
    MANAGED,
    PROTECTED,
    TriggerRecord,
    function_labels,
    is_managed,
    is_protected,
    trigger_record,
    user_labels,
)


@pytest.mark.parametrize(("user", "managed", "protect", "expected"), [
    (["a", "b"], True, False, ["a", "b", MANAGED]),
    (["a"], True, True, ["a", MANAGED, PROTECTED]),
    ([], False, False, []),
    (["a", MANAGED, PROTECTED], False, False, ["a"]),  # marks are dhsync's to set, never the user's
])
def test_function_labels(user: list[str], managed: bool, protect: bool, expected: list[str]) -> None:
    labels = function_labels(user, managed=managed, protect=protect)
    assert labels == expected
    assert user_labels(labels) == [label for label in user if not label.startswith("dhsync/")]
    entity = {"metadata": {"labels": labels}}
    assert (is_managed(entity), is_protected(entity)) == (managed, protect)


@pytest.mark.parametrize("entity", [{}, {"metadata": None}, {"metadata": {"labels": None}},
                                    {"metadata": {"labels": "solo"}}])
def test_entities_without_marks(entity: dict[str, Any]) -> None:
    assert not is_managed(entity) and not is_protected(entity) and trigger_record(entity) is None


def test_a_trigger_record_reads_back_from_its_labels() -> None:
    record = TriggerRecord.of("nightly", "a" * 64, "b" * 64)
    run = {"metadata": {"labels": ["team", *record.labels()]}}
    assert trigger_record(run) == record
    assert record.same_declaration("a" * 64) and not record.same_declaration("c" * 64)
    assert record.same_task("b" * 64) and not record.same_task("")
    assert all(len(label) < 64 and "," not in label for label in record.labels())  # DHCore joins labels with ","
    assert len(record.declaration_hash) == HASH_CHARS
    assert is_managed(run)


def test_a_run_not_triggered_by_dhsync_has_no_record() -> None:
    assert trigger_record({"metadata": {"labels": [MANAGED, "dhsync/task=abc"]}}) is None
