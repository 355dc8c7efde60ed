"""The snapshot is updated per file: after an edit only the changed files are checked again, and the
result is always what a load without any cache gives (entities, digest, diagnostics, runtime findings)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

import dhsync.specs.loader as loader_module
from dhsync.cli.repo import load_checked
from dhsync.model.entities import desired_digest
from dhsync.specs.loader import LoadResult


@pytest.fixture
def rechecked(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every document checked again from now on."""
    seen: list[Any] = []
    real = loader_module.check_document
    monkeypatch.setattr(loader_module, "check_document", lambda *a: seen.append(a[0]) or real(*a))
    return seen


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    later = time.time() - 1800  # another mtime than the hour-old one, and in the past: trusted
    os.utime(path, (later, later))


def _same_as_uncached(result: LoadResult, root: Path) -> None:
    expected = load_checked(root, use_cache=False)
    assert result.diagnostics == expected.diagnostics
    assert (result.state is None) == (expected.state is None)
    if result.state is not None and expected.state is not None:
        assert result.state.entities == expected.state.entities
        assert desired_digest(result.state) == desired_digest(expected.state)


def test_one_edited_file_is_checked_again_alone(warm: Path, rechecked: list[Any]) -> None:
    train = warm / "functions" / "train.yaml"
    _edit(train, "mem: 2Gi", "mem: 4Gi")
    result = load_checked(warm)
    kinds = [line.split(": ")[1] for line in train.read_text().splitlines() if line.startswith("kind: ")]
    assert [doc["kind"] for doc in rechecked] == kinds  # train.yaml's documents only
    _same_as_uncached(result, warm)
    rechecked.clear()
    again = load_checked(warm)
    assert rechecked == []  # the updated snapshot answers the next load
    _same_as_uncached(again, warm)


def test_a_changed_code_file_checks_no_document(warm: Path, rechecked: list[Any]) -> None:
    _edit(warm / "src" / "train.py", "def ", "def  ")
    result = load_checked(warm)
    assert rechecked == []
    _same_as_uncached(result, warm)
    assert load_checked(warm).state == result.state


def test_a_function_that_goes_away_is_missed_where_it_was_named(warm: Path) -> None:
    _edit(warm / "functions" / "train.yaml", "name: train-forecast", "name: train-forecast-2")
    result = load_checked(warm)
    assert not result.ok
    _same_as_uncached(result, warm)


def test_a_new_file_that_repeats_a_function_is_a_duplicate(warm: Path) -> None:
    (warm / "functions" / "again.yaml").write_text((warm / "functions" / "train.yaml").read_text())
    result = load_checked(warm)
    assert any(d.code == "duplicate-entity" for d in result.diagnostics)
    _same_as_uncached(result, warm)


def test_a_removed_file_takes_its_entities_along(warm: Path) -> None:
    (warm / "functions" / "model-api.yaml").unlink()
    result = load_checked(warm)
    assert result.ok and result.state is not None
    assert "model-api" not in {e.name for e in result.state.entities}
    _same_as_uncached(result, warm)


def test_runtime_findings_come_back_with_the_snapshot(warm: Path, rechecked: list[Any]) -> None:
    _edit(warm / "functions" / "train.yaml", "handler: train:fit", "handler: 'not a name!'")
    first = load_checked(warm)
    assert [d.code for d in first.diagnostics] == ["runtime-check"]
    _same_as_uncached(first, warm)
    rechecked.clear()
    again = load_checked(warm)
    assert rechecked == [] and again.diagnostics == first.diagnostics


def test_a_damaged_row_is_a_miss(warm: Path) -> None:
    snapshot = warm / ".dhsync" / "cache" / "snapshot.json"
    snapshot.write_bytes(snapshot.read_bytes().replace(b'"functions/train.yaml"', b'"functions/nowhere.yaml"', 1))
    _edit(warm / "functions" / "train.yaml", "mem: 2Gi", "mem: 4Gi")
    _same_as_uncached(load_checked(warm), warm)
