"""The state database as files: making a new one all at once, and recognising one nobody may write.

A new database is built and migrated under a temporary name beside its final one, then linked into
place: no process ever sees a half-made file, so a 0-byte `state.db` can only come from outside dhsync
(a failed copy, `touch`, a full disk) and is refused instead of being taken for an empty backend.

SQLite keeps two files beside a database in WAL mode, `-wal` and `-shm`, and creates them with the
database's own permissions, for readers too. A read of a database whose mode is 0444 therefore left
a read-only `-shm` behind, and the next writer, once the database was made writable, failed on it. A
database nobody may write and with no write-ahead log to replay is read as immutable instead: SQLite
then creates no file at all.

The integrity check is skipped for a database dhsync closed cleanly and nothing changed since: closing it
as the last connection (SQLite then folds the write-ahead log into it and removes the `-wal`) leaves
`.<name>.closed` beside it, recording the file's identity, size and change times. A process killed while
it had the database open leaves a `-wal` with content, another program writing to it or a restored
copy changes what the mark records: those are checked. The mark is trusted only when the file's last
change is older than the mark itself, as git does with its index: a change within the same tick of
the file system's clock could otherwise go unseen.
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


def closed_mark(path: Path) -> Path:
    return path.with_name(f".{path.name}.closed")


def _identity(found: os.stat_result) -> str:
    return f"{found.st_dev} {found.st_ino} {found.st_size} {found.st_mtime_ns} {found.st_ctime_ns}"


def mark_closed(path: Path) -> None:
    """After this process closed its connection: record the file as cleanly closed, if it was the last
    one (no `-wal` left). A mark that cannot be written only costs the next open a check."""
    try:
        if sidecar(path, "-wal").exists():
            return  # someone else has it open; they mark it when they close it
        closed_mark(path).write_text(_identity(path.stat()))
    except OSError:
        pass


def closed_cleanly(path: Path) -> bool:
    """Whether dhsync closed `path` cleanly and nothing changed it since (see the module's doc)."""
    try:
        mark = closed_mark(path)
        found, marked = path.stat(), mark.stat()
        recorded = mark.read_text()
        if pending(path):
            return False
    except OSError:
        return False
    return recorded == _identity(found) and found.st_ctime_ns < marked.st_mtime_ns


def pending(path: Path) -> bool:
    """A write-ahead log with content, or a rollback journal: what a process that did not finish left."""
    for suffix in ("-wal", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            if sidecar(path, suffix).stat().st_size > 0:
                return True
    return False


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
