"""The state database as files: making a new one all at once, and recognising one nobody may write.

A new database is built and migrated under a temporary name beside its final one, then linked into
place: no process ever sees a half-made file, so a 0-byte `state.db` can only come from outside dhsync
(a failed copy, `touch`, a full disk) and is refused instead of being taken for an empty backend.

SQLite keeps two files beside a database in WAL mode, `-wal` and `-shm`, and creates them with the
database's own permissions, for readers too. A read of a database whose mode is 0444 therefore left
a read-only `-shm` behind, and the next writer, once the database was made writable, failed on it. A
database nobody may write and with no write-ahead log to replay is read as immutable instead: SQLite
then creates no file at all.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import uuid
from pathlib import Path

from dhsync.backends.sqlite import schema

SIDECARS = ("-wal", "-shm")


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def create(path: Path, now: str) -> bool:
    """Make an empty, migrated state database at `path` unless one appeared meanwhile; True if this
    process made it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # not mkstemp: SQLite creates the file with the usual permissions (0644 less the umask), as it always did
    building = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.new")
    try:
        _build(building, now)
        return _place(building, path)
    finally:
        for leftover in (building, *(sidecar(building, s) for s in SIDECARS)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _build(building: Path, now: str) -> None:
    conn = sqlite3.connect(str(building), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("BEGIN IMMEDIATE")
        schema.migrate(conn, building, now)
        conn.execute("COMMIT")
    finally:
        conn.close()  # the only connection: SQLite checkpoints and removes its -wal and -shm


def _place(building: Path, path: Path) -> bool:
    try:
        os.link(building, path)  # fails if `path` exists: two first runs cannot replace each other's file
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # a filesystem without hard links: the small race between the check and the rename is all that is left
        if path.exists():
            return False
        os.replace(building, path)
    return True


def frozen(path: Path) -> bool:
    """No one may write `path` (no write permission bit; this process cannot write it either) and no
    write-ahead log waits to be replayed: reading it as immutable is safe and leaves no file behind."""
    if path.stat().st_mode & 0o222 or os.access(path, os.W_OK):
        return False
    try:
        return sidecar(path, "-wal").stat().st_size == 0
    except FileNotFoundError:
        return True


def unwritable(path: Path) -> Path | None:
    """The first of the database and its sidecars that exists and this process cannot write."""
    for candidate in (path, *(sidecar(path, s) for s in SIDECARS)):
        if candidate.exists() and not os.access(candidate, os.W_OK):
            return candidate
    return None
