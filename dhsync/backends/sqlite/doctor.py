"""`dhsync doctor`: the full integrity check of a state database, read only.

Opening the backend checks a database only when dhsync did not close it cleanly (files.closed_cleanly),
and then with `PRAGMA quick_check`. The doctor runs `PRAGMA integrity_check` (indexes against their
tables too) on demand, through a connection that only queries: it never writes to the file, so a damaged file
stays as it is for whoever restores or recovers it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from dhsync.backends.base import MissingBackendError
from dhsync.backends.sqlite import files, schema
from dhsync.model.errors import BackendError

SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class Health:
    path: Path
    problems: tuple[str, ...]  # empty when the check found nothing
    pages: int = 0
    page_size: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        size = self.pages * self.page_size
        return f"`{self.path}`: ok (integrity_check passed, {self.pages:,} pages, {size / 1e6:,.1f} MB)"

    def damage(self) -> str:
        """What a damaged file is told: the problems SQLite found, and the way out."""
        shown = "; ".join(self.problems[:SHOWN_PROBLEMS])
        more = len(self.problems) - SHOWN_PROBLEMS
        return (f"the state database `{self.path}` is damaged ({shown}{f'; and {more} more' if more > 0 else ''}); "
                "dhsync did not change it. Restore it from a backup, or move it away to start from an empty state "
                f"(`sqlite3 {self.path} .recover | sqlite3 recovered.db` may save what is still readable)")


def examine(path: Path) -> Health:
    """The integrity check of the database at `path`. MissingBackendError when there is none, BackendError
    when the file is no dhsync state database at all (what opening it would say)."""
    if not path.exists():
        raise MissingBackendError(f"no state database at `{path}`: nothing to check", path)
    schema.check_header(path)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{_mode(path)}", uri=True, isolation_level=None)
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error as exc:
        raise BackendError(f"cannot open the state database `{path}` to check it: {exc}") from None
    try:
        return _check(conn, path)
    finally:
        conn.close()


def _mode(path: Path) -> str:
    """How to open `path` for the check. Read-write but only querying (query_only), so that closing it
    removes the `-wal` and `-shm` it made, unless a write-ahead log with content waits to be replayed: then
    read only, never folding that log into a file that may be damaged. Immutable when nobody may write."""
    if files.frozen(path):
        return "immutable=1"
    return "mode=ro" if files.pending(path) else "mode=rw"


def _check(conn: sqlite3.Connection, path: Path) -> Health:
    try:
        schema.check_version(schema.read_version(conn, path), path)
        problems = [" ".join(str(row[0]).split()) for row in conn.execute("PRAGMA integrity_check")]
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    except sqlite3.DatabaseError as exc:  # so damaged that SQLite cannot even run the check
        return Health(path, (str(exc),))
    return Health(path, () if problems == ["ok"] else tuple(problems), pages, page_size)
