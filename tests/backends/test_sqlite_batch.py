"""`backend.batch()` on the sqlite backend: several writes in one transaction (apply's chunks, issue 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dhsync.backends.memory import MemoryBackend
from dhsync.backends.sqlite import SqliteBackend
from dhsync.model.errors import ConflictError

PROJECT = "demo"


def _function(name: str) -> dict[str, Any]:
    return {"kind": "python", "name": name, "project": PROJECT, "spec": {}}


def _names(backend: SqliteBackend | MemoryBackend) -> list[str]:
    return sorted(str(f["name"]) for f in backend.read_state(PROJECT).functions)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[SqliteBackend, SqliteBackend]:
    """The writer and another process's view of the same file."""
    writer = SqliteBackend(tmp_path / "state.db")
    writer.create_project({"name": PROJECT})
    return writer, SqliteBackend(tmp_path / "state.db")


def test_a_batch_commits_its_writes_together_at_its_end(pair: tuple[SqliteBackend, SqliteBackend]) -> None:
    writer, other = pair
    with writer.batch() as batch:
        assert batch.atomic
        made = writer.create_function(PROJECT, _function("alpha"))
        writer.create_task(PROJECT, {"kind": "python+job", "spec": {
            "function": f"python://{PROJECT}/alpha:{made['id']}"}})
        assert _names(writer) == ["alpha"], "the batch reads its own writes"
        assert _names(other) == [], "nothing is visible before the commit"
    assert _names(other) == ["alpha"] and len(other.read_state(PROJECT).tasks) == 1


def test_a_write_that_fails_in_a_batch_undoes_only_itself(pair: tuple[SqliteBackend, SqliteBackend]) -> None:
    writer, other = pair

    def half_then_refused(conn: Any) -> None:
        conn.execute("UPDATE projects SET created = 'x'")  # a first statement of the failing write
        raise ConflictError("refused half-way")
    with writer.batch():
        writer.create_function(PROJECT, _function("alpha"))
        with pytest.raises(ConflictError):
            writer.db.write(half_then_refused)
        writer.create_function(PROJECT, _function("beta"))
    assert _names(other) == ["alpha", "beta"]
    assert other.db.read(lambda c: c.execute("SELECT created FROM projects").fetchone()[0]) != "x"


def test_leaving_a_batch_by_an_exception_rolls_all_of_it_back(pair: tuple[SqliteBackend, SqliteBackend]) -> None:
    writer, other = pair
    with pytest.raises(KeyboardInterrupt), writer.batch():
        writer.create_function(PROJECT, _function("alpha"))
        raise KeyboardInterrupt
    assert _names(other) == [] and _names(writer) == []
    writer.create_function(PROJECT, _function("beta"))  # and the connection writes on as before
    assert _names(other) == ["beta"]


def test_the_memory_backend_writes_one_by_one_in_a_batch() -> None:
    backend = MemoryBackend()
    backend.create_project({"name": PROJECT})
    with backend.batch() as batch:
        assert not batch.atomic
        backend.create_function(PROJECT, _function("alpha"))
        assert _names(backend) == ["alpha"]
