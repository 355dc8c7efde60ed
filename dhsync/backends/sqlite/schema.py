"""The state database's tables, its schema version and the migrations between versions.

Before anything is written, a file is inspected through a read-only connection: a file that is not
SQLite, is damaged, belongs to something else or was written by a newer dhsync is refused with a
BackendError and left byte-for-byte as it was. Damage is looked for (`PRAGMA quick_check`) when dhsync
did not close the file cleanly or something changed it since (files.closed_cleanly); `dhsync doctor`
runs the full `integrity_check` on demand. Only then are migrations applied, each in the same
transaction as the version row that records it, so a crash leaves either the old or the new schema.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dhsync.model.errors import BackendError

SQLITE_HEADER = b"SQLite format 3\x00"

_V1 = (
    """CREATE TABLE projects (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        body BLOB NOT NULL)""",
    # seq is the rowid: monotonic (AUTOINCREMENT never reuses), so it orders creates that share a
    # timestamp, and bulk reads walk the table in insertion order.
    """CREATE TABLE functions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        created TEXT NOT NULL,
        ref TEXT NOT NULL,
        labels TEXT NOT NULL,
        body BLOB NOT NULL)""",
    "CREATE INDEX functions_by_name ON functions(project, name, created DESC, seq DESC)",
    "CREATE INDEX functions_by_age ON functions(project, created DESC, seq DESC)",
    """CREATE TABLE tasks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        function_id TEXT NOT NULL REFERENCES functions(id) ON DELETE CASCADE,
        function_ref TEXT NOT NULL,
        created TEXT NOT NULL,
        body BLOB NOT NULL,
        UNIQUE (function_id, kind))""",
    "CREATE INDEX tasks_by_project ON tasks(project, seq)",
    "CREATE INDEX tasks_by_function_ref ON tasks(function_ref)",
    """CREATE TABLE runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        task_ref TEXT NOT NULL,
        function_ref TEXT NOT NULL,
        state TEXT NOT NULL,
        created TEXT NOT NULL,
        body BLOB NOT NULL)""",
    "CREATE INDEX runs_by_project ON runs(project, created DESC, seq DESC)",
    "CREATE INDEX runs_by_task ON runs(task_id)",
    "CREATE INDEX runs_by_function_ref ON runs(function_ref)",
    """CREATE TABLE locks (
        project TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        token TEXT NOT NULL,
        acquired TEXT NOT NULL,
        heartbeat TEXT NOT NULL,
        expires TEXT NOT NULL,
        extra BLOB NOT NULL)""",
)

# version -> statements. Append only: a released version's statements never change.
MIGRATIONS: dict[int, tuple[str, ...]] = {1: _V1}
LATEST_VERSION = max(MIGRATIONS)

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    applied TEXT NOT NULL)"""


def _untouched(path: Path) -> str:
    return f"dhsync did not change `{path}`"


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite without letting SQLite near it. A 0-byte file too: SQLite would
    take it for a new database, and dhsync never leaves one (files.create), so it is someone else's."""
    if not path.exists():
        return
    if path.stat().st_size == 0:
        raise BackendError(
            f"`{path}` is an empty file (0 bytes), not a dhsync state database; {_untouched(path)}. If nothing "
            f"should be in it, remove it (`rm {path}`) and `dhsync apply` starts afresh; otherwise restore it "
            "from a backup"
        )
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise BackendError(
            f"`{path}` is not a dhsync state database (not an SQLite file); {_untouched(path)}. "
            f"Move it away or set `backend:` in dhsync.yaml to another path"
        )


def read_version(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of an existing file: 0 when empty, else what schema_version records."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables.discard("sqlite_sequence")
    if not tables:
        return 0
    if "schema_version" not in tables:
        shown = ", ".join(sorted(tables)[:5])
        raise BackendError(
            f"`{path}` is an SQLite database of something else (tables: {shown}), not a dhsync state "
            f"database; {_untouched(path)}. Point `backend:` at another path"
        )
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a damaged file before anything is written to it."""
    problems = [" ".join(str(row[0]).split()) for row in conn.execute("PRAGMA quick_check(3)").fetchall()]
    if problems != ["ok"]:
        raise BackendError(
            f"the state database `{path}` is damaged ({'; '.join(problems)}); {_untouched(path)}. "
            "Restore it from a backup, or move it away to start from an empty state"
        )


def check_version(version: int, path: Path) -> None:
    if version > LATEST_VERSION:
        raise BackendError(
            f"`{path}` has state schema version {version}, written by a newer dhsync; this one knows up "
            f"to version {LATEST_VERSION}. Upgrade dhsync to use it; {_untouched(path)}"
        )


def migrate(conn: sqlite3.Connection, path: Path, now: str) -> None:
    """Bring the schema to LATEST_VERSION; the caller holds a write transaction."""
    version = read_version(conn, path)  # again: another process may have migrated meanwhile
    check_version(version, path)
    conn.execute(_VERSION_TABLE)
    for target in range(version + 1, LATEST_VERSION + 1):
        for statement in MIGRATIONS[target]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version, applied) VALUES (?, ?)", (target, now))
