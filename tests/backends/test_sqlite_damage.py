"""A state file damaged or edited outside dhsync: a clear BackendError, never a raw exception, and a
file that is refused before any write stays byte for byte as it was (review findings)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from dhsync.backends.sqlite import SqliteBackend
from dhsync.model.errors import BackendError


def _populated(path: Path) -> None:
    backend = SqliteBackend(path)
    backend.create_project({"name": "demo", "kind": "project"})
    for i in range(300):  # enough rows to fill several data pages
        backend.create_function("demo", {"kind": "python", "name": f"fn-{i}", "project": "demo",
                                         "spec": {"python_version": "PYTHON3_11", "padding": "x" * 200}})
    backend.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_data_page_is_refused_before_any_write(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    _populated(db)
    data = bytearray(db.read_bytes())
    page = 4096 * 3
    data[page:page + 512] = b"\xff" * 512
    db.write_bytes(bytes(data))
    before = _digest(db)
    with pytest.raises(BackendError, match=r"is damaged .*dhsync did not change"):
        SqliteBackend(db)
    assert _digest(db) == before


def test_a_record_edited_outside_dhsync_is_a_backend_error(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    _populated(db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE functions SET body = ? WHERE name = 'fn-7'", (b"{not json",))
    conn.commit()
    conn.close()
    backend = SqliteBackend(db)
    with pytest.raises(BackendError, match="holds a record dhsync cannot read"):
        backend.read_state("demo")
    with pytest.raises(BackendError, match="restore it from a backup"):
        backend.list_functions("demo", name="fn-7")
    backend.close()


def test_an_unreadable_lock_row_names_the_way_out(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    backend = SqliteBackend(db)
    backend.create_project({"name": "demo", "kind": "project"})
    backend.acquire_lock("demo", "alice", 60)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE locks SET expires = 'someday'")
    conn.commit()
    conn.close()
    with pytest.raises(BackendError, match="dhsync lock release --force"):
        backend.lock_info("demo")
    backend.close()


@pytest.mark.parametrize("make", ["folder", "parent-is-a-file"])
def test_a_path_that_cannot_be_a_database_is_a_backend_error(tmp_path: Path, make: str) -> None:
    if make == "folder":
        target = tmp_path / "state.db"
        target.mkdir()
    else:
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "state.db"
    with pytest.raises(BackendError, match=r"cannot use .* as the state database"):
        SqliteBackend(target)
