"""When opening a state database checks it: only when dhsync did not close it cleanly, or something changed
it since (issue 9: `PRAGMA quick_check` on every open cost 0.05 s at 10,000 functions). A damaged file is
refused before anything is written to it either way (test_sqlite_damage.py)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dhsync.backends.sqlite import SqliteBackend, schema

WRITER = Path(__file__).with_name("process_writer.py")


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files opening checked, in order."""
    seen: list[Path] = []
    real = schema.check_integrity

    def counted(conn: sqlite3.Connection, path: Path) -> None:
        seen.append(path)
        real(conn, path)
    monkeypatch.setattr(schema, "check_integrity", counted)
    return seen


def _made(path: Path) -> Path:
    backend = SqliteBackend(path)
    backend.create_project({"name": "demo", "kind": "project"})
    backend.create_function("demo", {"kind": "python", "name": "fn", "project": "demo", "spec": {}})
    backend.close()
    return path


def _open_close(path: Path) -> None:
    SqliteBackend(path, create=False).close()


def test_a_database_dhsync_closed_cleanly_is_checked_at_most_once_more(tmp_path: Path, checks: list[Path]) -> None:
    db = _made(tmp_path / "state.db")
    for _ in range(4):
        _open_close(db)
    # the close right after writes may share a tick of the file clock with them: then the next open checks
    assert len(checks) <= 1, checks


@pytest.mark.parametrize("how", ["sqlite3 shell", "copied over", "mark removed"])
def test_a_database_changed_outside_dhsync_after_a_clean_close_is_checked(tmp_path: Path, checks: list[Path],
                                                                          how: str) -> None:
    db = _made(tmp_path / "state.db")
    _open_close(db)
    _open_close(db)
    checks.clear()
    if how == "sqlite3 shell":
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE functions SET labels = '[\"edited by hand\"]'")
        conn.close()
    elif how == "copied over":
        other = _made(tmp_path / "other.db")
        db.write_bytes(other.read_bytes())
    else:
        (tmp_path / ".state.db.closed").unlink()
    _open_close(db)
    assert checks == [db]


def test_a_database_whose_writer_was_killed_is_checked_when_opened_again(tmp_path: Path, checks: list[Path]) -> None:
    db = _made(tmp_path / "state.db")
    _open_close(db)
    _open_close(db)
    checks.clear()
    writer = subprocess.Popen([sys.executable, str(WRITER), "churn", str(db), "1"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    wal = tmp_path / "state.db-wal"
    deadline = time.monotonic() + 30
    while wal.stat().st_size == 0 and time.monotonic() < deadline:  # killed once it has written something
        time.sleep(0.01)
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=30)
    assert wal.stat().st_size > 0, "the killed writer left its write-ahead log"
    _open_close(db)
    assert checks == [db]
