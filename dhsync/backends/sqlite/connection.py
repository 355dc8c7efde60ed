"""One connection to the state database: opening it safely, transactions, retries, error translation.

Every write runs in `BEGIN IMMEDIATE … COMMIT`, so a writer takes the lock before it reads what it
checks, and two processes cannot both pass the same duplicate check. SQLite's "database is locked"
never reaches a user: the busy timeout waits first, a bounded retry with jittered backoff follows,
and only then a BackendError says who to wait for. Other sqlite3 errors become dhsync errors here,
at the boundary, naming the file.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dhsync.backends.base import Batch, MissingBackendError
from dhsync.backends.entities import iso, utc_now
from dhsync.backends.sqlite import files, schema
from dhsync.backends.sqlite.rows import UndecodableRecord
from dhsync.model.errors import BackendError, ConflictError

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]

_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
# Files up to this size get `PRAGMA quick_check` before dhsync writes to them, unless dhsync closed them
# cleanly and nothing changed them since (files.closed_cleanly): a damaged page would otherwise only show
# when a statement touches it. Larger ones are checked as SQLite reads them; `dhsync doctor` checks any.
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class _Atomic:
    atomic: bool = True


ATOMIC = _Atomic()


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _is_busy(exc: sqlite3.Error) -> bool:
    return _code(exc) in _BUSY or "locked" in str(exc) or "busy" in str(exc)


class Database:
    """The state database file at `path`, checked, migrated and in WAL mode."""

    def __init__(self, path: Path, *, create: bool = True, busy_timeout: float = 5.0,
                 retry_for: float = 30.0) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._retry_for = retry_for
        self._mutex = threading.RLock()
        self._batch = False  # a batch's transaction is open (only ever seen by the thread holding _mutex)
        try:
            made = self._create_if_missing(create)
            schema.check_header(path)
            self._frozen = files.frozen(path)
            if not made:
                self._inspect_read_only()
        except OSError as exc:
            raise BackendError(f"cannot use `{path}` as the state database: {exc.strerror or exc}. Set "
                               "`backend:` in dhsync.yaml (or DHSYNC_BACKEND) to a file path dhsync can "
                               "create") from None
        self.conn = self._guard(self._connect)
        try:
            self._prepare()
        except BaseException:
            self.conn.close()
            raise

    def _create_if_missing(self, create: bool) -> bool:
        if self.path.exists():
            return False
        if not create:
            raise MissingBackendError(f"no state database at `{self.path}`: nothing was applied there yet, or the "
                                      "backend URL has a typo. Check `backend:` in dhsync.yaml (or DHSYNC_BACKEND, "
                                      "--backend); `dhsync apply` creates it", self.path)
        return self._guard(lambda: files.create(self.path, iso(utc_now())))

    def _uri(self, mode: str) -> str:
        # immutable: no locks, no -wal or -shm files; only for a database nobody may write (files.frozen)
        return f"{self.path.resolve().as_uri()}?{'immutable=1' if self._frozen else mode}"

    def _inspect_read_only(self) -> None:
        """Check the version through a read-only handle: a refused file is never written to."""
        def inspect() -> None:
            conn = sqlite3.connect(self._uri("mode=ro"), uri=True, timeout=self._busy_timeout,
                                   isolation_level=None)
            try:
                schema.check_version(schema.read_version(conn, self.path), self.path)
                if self.path.stat().st_size <= QUICK_CHECK_MAX_BYTES and not files.closed_cleanly(self.path):
                    schema.check_integrity(conn, self.path)
            finally:
                conn.close()
        self._guard(inspect, untouched=True)

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False: the backend object may be shared by threads; _mutex serialises use.
        conn = sqlite3.connect(self._uri("mode=rw"), uri=True, timeout=self._busy_timeout, isolation_level=None,
                               check_same_thread=False)
        try:
            if not self._frozen:
                # WAL: readers never block the writer nor each other. NORMAL sync in WAL keeps every
                # committed transaction through a process crash (only an OS crash may lose the last ones).
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self) -> None:
        version = self.read(lambda conn: schema.read_version(conn, self.path))
        schema.check_version(version, self.path)
        if version < schema.LATEST_VERSION:
            self.write(lambda conn: schema.migrate(conn, self.path, iso(utc_now())))

    def read(self, work: Work[T]) -> T:
        """`work` sees one consistent snapshot, however many statements it runs."""
        return self._transaction(work, "BEGIN")

    def write(self, work: Work[T]) -> T:
        """`work` runs in one transaction holding the write lock; any exception rolls it all back."""
        return self._transaction(work, "BEGIN IMMEDIATE")

    @contextlib.contextmanager
    def batch(self) -> Iterator[Batch]:
        """One transaction (BEGIN IMMEDIATE … COMMIT) for every read and write of the block: one commit
        instead of one per write. A write inside it that raises undoes only itself (a savepoint); the block
        raising rolls all of it back. The connection is this thread's until the block ends: keep it short."""
        with self._mutex:
            if self._batch:  # nested: the outer block commits
                yield ATOMIC
                return
            try:
                # inside the try: an interrupt landing right after BEGIN must still roll back
                self._guard(lambda: self.conn.execute("BEGIN IMMEDIATE"))
                self._batch = True
                yield ATOMIC
                self._guard(lambda: self.conn.execute("COMMIT"))
            except BaseException:
                self._rollback()
                raise
            finally:
                self._batch = False

    def _rollback(self, to: str = "") -> None:
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute(f"ROLLBACK TO {to}" if to else "ROLLBACK")

    def _in_batch(self, work: Work[T]) -> T:
        def attempt() -> T:
            self.conn.execute("SAVEPOINT one_write")
            try:
                result = work(self.conn)
            except BaseException:
                self._rollback("one_write")
                raise
            finally:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("RELEASE one_write")
            return result
        return self._guard(attempt)

    def _transaction(self, work: Work[T], begin: str) -> T:
        def attempt() -> T:
            try:
                # inside the try: an interrupt landing right after BEGIN must still roll back
                self.conn.execute(begin)
                result = work(self.conn)
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            return result
        with self._mutex:
            if self._batch:
                return self._in_batch(work)
            return self._guard(attempt)

    def _guard(self, attempt: Callable[[], T], *, untouched: bool = False) -> T:
        """Retry while the file is busy, then translate what sqlite3 raised into dhsync's errors."""
        deadline = time.monotonic() + self._retry_for
        delay = 0.005
        while True:
            try:
                return attempt()
            except sqlite3.Error as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise self._translate(exc, untouched) from exc
            except UndecodableRecord as exc:
                raise BackendError(f"the state database `{self.path}` holds a record dhsync cannot read: "
                                   f"{exc}. It was changed outside dhsync; restore it from a backup, or move "
                                   "it away to start from an empty state") from None
            # Jitter so that writers that collided once do not collide again in lock step.
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.25)

    def _translate(self, exc: sqlite3.Error, untouched: bool = False) -> Exception:
        if _is_busy(exc):
            return BackendError(
                f"the state database `{self.path}` stayed busy for more than {self._retry_for:.0f} s: "
                f"another process keeps writing to it. Retry when it has finished"
            )
        if _code(exc) in _DAMAGED or "malformed" in str(exc):
            return BackendError(
                f"the state database `{self.path}` is damaged ({exc}); "
                f"{'dhsync did not change it' if untouched else 'dhsync stopped at the first sign of it'}. "
                f"Restore it from a backup, or move it away to start from an empty state"
            )
        if isinstance(exc, sqlite3.IntegrityError):
            return ConflictError(
                f"the state database `{self.path}` refused the write ({exc}); nothing was changed"
            )
        unwritable = not os.access(self.path.parent, os.W_OK)
        if _code(exc) in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY) and unwritable:
            return BackendError(
                f"the state database `{self.path}` cannot be used: its folder `{self.path.parent}` is not writable, "
                "and SQLite writes its write-ahead log beside the database, for reading too. Use a writable copy "
                "(`backend:` in dhsync.yaml or DHSYNC_BACKEND) or make the folder writable")
        blocked = files.unwritable(self.path) if _code(exc) == sqlite3.SQLITE_READONLY else None
        if blocked is not None:
            return BackendError(
                f"the state database `{self.path}` cannot be written: `{blocked}` is read-only for this user "
                f"({exc}). Make it writable (`chmod u+w {blocked}`), or use a writable copy (`backend:` in "
                "dhsync.yaml or DHSYNC_BACKEND)")
        return BackendError(f"the state database `{self.path}` failed: {exc}")

    def close(self) -> None:
        with self._mutex:
            self.conn.close()
            if not self._frozen:  # an immutable read leaves no file behind, this mark included
                files.mark_closed(self.path)
