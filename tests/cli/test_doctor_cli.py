"""`dhsync doctor [PATH] [--backend URL]`: SQLite's full integrity check of the state database, as a user runs
it: exit 0 and a summary for an intact file, exit 1 naming the file and the fix for a damaged one, and the
file left byte for byte as it was either way."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from dhsync.backends.sqlite import SqliteBackend
from tests.conftest import RunCli, run_process
from tests.specrepo import python_function, write_repo

FIX = "Restore it from a backup, or move it away to start from an empty state"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def applied(tmp_path: Path, run_cli: RunCli) -> Path:
    repo = write_repo(tmp_path / "repo", {"functions/alpha.yaml": python_function("alpha")})
    assert run_cli("apply", "--auto-approve", str(repo)).exit_code == 0
    return repo


def _filled(path: Path) -> Path:
    backend = SqliteBackend(path)
    backend.create_project({"name": "demo", "kind": "project"})
    for i in range(300):  # several data pages
        backend.create_function("demo", {"kind": "python", "name": f"fn-{i}", "project": "demo",
                                         "spec": {"padding": "x" * 200}})
    backend.close()
    return path


def test_doctor_on_an_intact_database_says_ok_and_exits_0(applied: Path, run_cli: RunCli) -> None:
    db = applied / ".dhsync" / "state.db"
    before = _digest(db)
    result = run_cli("doctor", str(applied))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"`{db}`: ok (integrity_check passed, ")
    assert _digest(db) == before
    assert sorted(p.name for p in db.parent.iterdir() if p.is_file()) == [".state.db.closed", "state.db"], \
        "no -wal or -shm left behind"


def test_doctor_names_a_damaged_database_and_the_fix_exits_1_and_changes_nothing(tmp_path: Path) -> None:
    db = _filled(tmp_path / "state.db")
    data = bytearray(db.read_bytes())
    data[4096 * 3:4096 * 3 + 512] = b"\xff" * 512  # a table page of the functions
    db.write_bytes(bytes(data))
    before = _digest(db)
    result = run_process("doctor", "--backend", "sqlite:///state.db", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith(f"error: the state database `{db}` is damaged (")
    assert FIX in result.stderr
    assert _digest(db) == before


def test_doctor_finds_an_index_out_of_step_with_its_table_which_opening_does_not_check(tmp_path: Path,
                                                                                     run_cli: RunCli) -> None:
    """quick_check (what opening runs after an unclean close) does not compare indexes with their tables;
    integrity_check does."""
    db = _filled(tmp_path / "state.db")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA writable_schema = ON")  # the index now claims to be on another column
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'functions(project, name,', 'functions(project, kind,') "
                 "WHERE name = 'functions_by_name'")
    conn.commit()
    conn.close()
    SqliteBackend(db).close()  # opening (and checking) accepts it
    before = _digest(db)
    result = run_cli("doctor", "--backend", f"sqlite:///{db}", str(tmp_path))
    assert result.exit_code == 1
    assert f"the state database `{db}` is damaged (" in result.stderr and "functions_by_name" in result.stderr
    assert _digest(db) == before


def test_doctor_without_a_database_names_where_it_looked(tmp_path: Path, run_cli: RunCli) -> None:
    repo = write_repo(tmp_path / "repo", {"functions/alpha.yaml": python_function("alpha")})
    result = run_cli("doctor", str(repo))
    assert result.exit_code == 1
    assert f"error: no state database at `{repo / '.dhsync' / 'state.db'}`: nothing to check" in result.stderr
    assert not (repo / ".dhsync").exists(), "doctor creates nothing"
