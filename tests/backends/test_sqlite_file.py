"""The state file itself: persistence, migrations, and files dhsync must refuse without touching."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from dhsync.backends.sqlite import SqliteBackend, schema
from dhsync.model.errors import BackendError

from .helpers import PROJECT, Make


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _filled(path: Path) -> None:
    backend = SqliteBackend(path)
    backend.create_project({"name": PROJECT})
    Make(backend).chain("train", runs=2)
    backend.close()


def test_entities_survive_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.db"
    _filled(path)
    again = SqliteBackend(path)
    state = again.read_state(PROJECT)
    assert (len(state.functions), len(state.tasks), len(state.runs)) == (1, 1, 2)
    assert again.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_a_new_file_records_its_schema_version(tmp_path: Path) -> None:
    SqliteBackend(tmp_path / "state.db").close()
    with sqlite3.connect(tmp_path / "state.db") as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, schema.LATEST_VERSION + 1))


def test_a_pending_migration_runs_once_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.db"
    _filled(path)
    future = schema.LATEST_VERSION + 1
    monkeypatch.setitem(schema.MIGRATIONS, future, ("ALTER TABLE functions ADD COLUMN note TEXT",))
    monkeypatch.setattr(schema, "LATEST_VERSION", future)
    SqliteBackend(path).close()
    backend = SqliteBackend(path)  # a second open must not apply it again (it would fail: duplicate column)
    assert len(backend.read_state(PROJECT).functions) == 1
    columns = [row[1] for row in backend.db.conn.execute("PRAGMA table_info(functions)")]
    assert "note" in columns
    backend.close()


def _refused(path: Path, message: str) -> None:
    before = _digest(path)
    with pytest.raises(BackendError, match=message) as caught:
        SqliteBackend(path)
    assert "did not change" in str(caught.value)
    assert "database is locked" not in str(caught.value)
    assert _digest(path) == before


def test_random_bytes_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(os.urandom(8192))
    _refused(path, "not an SQLite file")


def test_a_damaged_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(schema.SQLITE_HEADER + os.urandom(8192 - len(schema.SQLITE_HEADER)))
    _refused(path, "damaged")


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    _filled(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (schema.LATEST_VERSION + 7,))
    conn.close()
    _refused(path, rf"schema version {schema.LATEST_VERSION + 7}, written by a newer dhsync.*Upgrade dhsync")


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    conn.close()
    _refused(path, r"SQLite database of something else \(tables: users\)")


def test_a_truncated_file_gives_a_backend_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    backend = SqliteBackend(path)
    backend.create_project({"name": PROJECT})
    make = Make(backend)
    for n in range(200):
        make.function(f"f{n}", spec={"padding": "x" * 500})
    backend.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backend.close()
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    before = _digest(path)
    with pytest.raises(BackendError, match=r"damaged|malformed"):
        SqliteBackend(path).read_state(PROJECT)
    assert _digest(path) == before


def test_a_busy_file_ends_in_a_clear_error_not_database_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    _filled(path)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer that never finishes
    try:
        backend = SqliteBackend(path, busy_timeout=0.05, retry_for=0.2)
        with pytest.raises(BackendError) as caught:
            Make(backend).function("blocked")
        assert "stayed busy" in str(caught.value) and "Retry when it has finished" in str(caught.value)
        assert "database is locked" not in str(caught.value)
        assert len(backend.read_state(PROJECT).functions) == 1, "readers are not blocked by a writer in WAL"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    Make(backend).function("unblocked")
    backend.close()
