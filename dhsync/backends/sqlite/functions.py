"""Function versions: one row per version, the latest being the newest by creation."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from dhsync.backends import entities as ent
from dhsync.backends.checks import duplicated, not_found, orphan_conflict
from dhsync.backends.sqlite import projects
from dhsync.backends.sqlite.rows import Where, dumps, one, page_of
from dhsync.model.state import Page

# A version is the latest of its name when no other version of that name is newer; the
# functions_by_name index answers this per row without sorting the whole table.
_IS_LATEST = """NOT EXISTS (SELECT 1 FROM functions AS g WHERE g.project = functions.project
    AND g.name = functions.name
    AND (g.created > functions.created OR (g.created = functions.created AND g.seq > functions.seq)))"""
NEWEST_FIRST = "created DESC, seq DESC"


def get(conn: sqlite3.Connection, project: str, id_: str) -> dict[str, Any]:
    found = one(conn, "SELECT body FROM functions WHERE id = ? AND project = ?", (id_, project))
    if found is None:
        raise not_found("function", id_, project)
    return found


def _labels(entity: dict[str, Any]) -> str:
    labels = entity["metadata"].get("labels") or []
    return orjson.dumps(labels if isinstance(labels, list) else [labels]).decode()


def insert(conn: sqlite3.Connection, project: str, body: Any, stamp: ent.Stamp) -> dict[str, Any]:
    built = ent.new_function(project, body, stamp)
    projects.require(conn, project)
    if conn.execute("SELECT 1 FROM functions WHERE id = ?", (built["id"],)).fetchone():
        raise duplicated("function", built["id"], project)
    conn.execute(
        "INSERT INTO functions (id, project, name, kind, created, ref, labels, body) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (built["id"], project, built["name"], built["kind"], built["metadata"]["created"],
         ent.function_ref_of(built), _labels(built), dumps(built)),
    )
    return built


def update(conn: sqlite3.Connection, project: str, id_: str, body: Any, stamp: ent.Stamp) -> dict[str, Any]:
    built = ent.updated_function(get(conn, project, id_), body, stamp)
    conn.execute("UPDATE functions SET labels = ?, body = ? WHERE id = ?",
                 (_labels(built), dumps(built), id_))
    return built


def list_page(conn: sqlite3.Connection, project: str, *, name: str | None, kind: str | None,
              labels: Sequence[str], latest: bool, page: int, size: int) -> Page:
    where = Where().add("project = ?", project).when(name, "name = ?").when(kind, "kind = ?")
    for label in labels:
        where.add("EXISTS (SELECT 1 FROM json_each(functions.labels) WHERE value = ?)", label)
    if latest:
        where.add(_IS_LATEST)
    return page_of(conn, "functions", where, NEWEST_FIRST, page, size)


def _dependents(conn: sqlite3.Connection, condition: str, params: Sequence[Any]) -> tuple[int, int]:
    tasks = conn.execute(f"SELECT count(*) FROM tasks WHERE function_id IN ({condition})",
                         params).fetchone()[0]
    runs = conn.execute(
        f"SELECT count(*) FROM runs WHERE task_id IN "
        f"(SELECT id FROM tasks WHERE function_id IN ({condition}))", params,
    ).fetchone()[0]
    return int(tasks), int(runs)


def delete(conn: sqlite3.Connection, project: str, id_: str, cascade: bool) -> None:
    found = get(conn, project, id_)
    if not cascade:
        tasks, runs = _dependents(conn, "?", (id_,))
        if tasks or runs:
            raise orphan_conflict(f"function `{found['name']}` version `{id_}`", project, tasks, runs)
    # The foreign keys delete the version's tasks and their runs in this same transaction.
    conn.execute("DELETE FROM functions WHERE id = ?", (id_,))


def delete_versions(conn: sqlite3.Connection, project: str, name: str) -> None:
    deleted = conn.execute("DELETE FROM functions WHERE project = ? AND name = ?", (project, name)).rowcount
    if not deleted:
        raise not_found("function", name, project)
