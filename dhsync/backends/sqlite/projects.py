"""Projects: the container every function, task and run belongs to (deleting one cascades)."""

from __future__ import annotations

import sqlite3
from typing import Any

from dhsync.backends.checks import duplicated, not_found, project_not_empty
from dhsync.backends.sqlite.rows import dumps, loads, one


def get(conn: sqlite3.Connection, name: str) -> dict[str, Any]:
    found = one(conn, "SELECT body FROM projects WHERE name = ?", (name,))
    if found is None:
        raise not_found("project", name)
    return found


def require(conn: sqlite3.Connection, name: str) -> None:
    if conn.execute("SELECT 1 FROM projects WHERE name = ?", (name,)).fetchone() is None:
        raise not_found("project", name)


def insert(conn: sqlite3.Connection, built: dict[str, Any]) -> dict[str, Any]:
    if conn.execute("SELECT 1 FROM projects WHERE name = ?", (built["name"],)).fetchone():
        raise duplicated("project", built["name"], built["name"])
    conn.execute("INSERT INTO projects (name, created, body) VALUES (?, ?, ?)",
                 (built["name"], built["metadata"]["created"], dumps(built)))
    return built


def list_all(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT body FROM projects ORDER BY created DESC, seq DESC")
    return [loads(body) for (body,) in cursor]


def delete(conn: sqlite3.Connection, name: str, cascade: bool) -> None:
    require(conn, name)
    if not cascade:
        counts = [conn.execute(f"SELECT count(*) FROM {table} WHERE project = ?", (name,)).fetchone()[0]
                  for table in ("functions", "tasks", "runs")]
        if any(counts):
            raise project_not_empty(name, *counts)
    # The foreign keys cascade to functions, tasks and runs in this same transaction.
    conn.execute("DELETE FROM projects WHERE name = ?", (name,))
