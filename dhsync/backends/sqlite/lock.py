"""The per-project lock row; the rules (who may take, renew, release) live in backends.locking."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import orjson

from dhsync.backends.entities import iso
from dhsync.backends.sqlite.rows import UndecodableRecord
from dhsync.model.state import LockInfo

_COLUMNS = "project, owner, host, pid, token, acquired, heartbeat, expires, extra"


def get(conn: sqlite3.Connection, project: str) -> LockInfo | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM locks WHERE project = ?", (project,)).fetchone()
    if row is None:
        return None
    try:
        return LockInfo(
            project=row[0], owner=row[1], host=row[2], pid=int(row[3]), token=row[4],
            acquired_at=datetime.fromisoformat(row[5]), heartbeat_at=datetime.fromisoformat(row[6]),
            expires_at=datetime.fromisoformat(row[7]), extra=orjson.loads(row[8]),
        )
    except (ValueError, TypeError) as exc:
        raise UndecodableRecord(f"the lock of project `{project}` cannot be read ({exc}); "
                                "`dhsync lock release --force` removes it") from None


def put(conn: sqlite3.Connection, lock: LockInfo) -> LockInfo:
    conn.execute(
        f"INSERT OR REPLACE INTO locks ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
        (lock.project, lock.owner, lock.host, lock.pid, lock.token, iso(lock.acquired_at),
         iso(lock.heartbeat_at), iso(lock.expires_at), orjson.dumps(dict(lock.extra))),
    )
    return lock


def delete(conn: sqlite3.Connection, project: str) -> None:
    conn.execute("DELETE FROM locks WHERE project = ?", (project,))
