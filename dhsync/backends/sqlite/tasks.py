"""Tasks: bound to one function version, at most one per (function version, task kind)."""

from __future__ import annotations

import sqlite3
from typing import Any

from dhsync.backends import entities as ent
from dhsync.backends.checks import duplicated, not_found, orphan_conflict
from dhsync.backends.sqlite import functions, projects
from dhsync.backends.sqlite.rows import Where, dumps, one, page_of, prefix_match
from dhsync.model.errors import ConflictError
from dhsync.model.refs import parse_function_ref
from dhsync.model.state import Page


def get(conn: sqlite3.Connection, project: str, id_: str) -> dict[str, Any]:
    found = one(conn, "SELECT body FROM tasks WHERE id = ? AND project = ?", (id_, project))
    if found is None:
        raise not_found("task", id_, project)
    return found


def insert(conn: sqlite3.Connection, project: str, body: Any, stamp: ent.Stamp) -> dict[str, Any]:
    ref = ent.task_function_ref(project, body)
    projects.require(conn, project)
    function = functions.get(conn, project, str(ref.id))
    ent.check_task_function(str(body["kind"]), ref, function)
    built = ent.new_task(project, body, function, stamp)
    _check_new(conn, project, built)
    conn.execute(
        "INSERT INTO tasks (id, project, kind, function_id, function_ref, created, body) "
        "VALUES (?,?,?,?,?,?,?)",
        (built["id"], project, built["kind"], function["id"], built["spec"]["function"], stamp.now,
         dumps(built)),
    )
    return built


def _check_new(conn: sqlite3.Connection, project: str, built: dict[str, Any]) -> None:
    if conn.execute("SELECT 1 FROM tasks WHERE id = ?", (built["id"],)).fetchone():
        raise duplicated("task", built["id"], project)
    existing = conn.execute("SELECT id FROM tasks WHERE function_ref = ? AND kind = ?",
                            (built["spec"]["function"], built["kind"])).fetchone()
    if existing is not None:
        raise ConflictError(
            f"function `{built['spec']['function']}` already has a `{built['kind']}` task (`{existing[0]}`, "
            f"project `{project}`); update that task instead of creating another"
        )


def update(conn: sqlite3.Connection, project: str, id_: str, body: Any) -> dict[str, Any]:
    built = ent.updated_task(get(conn, project, id_), body)
    conn.execute("UPDATE tasks SET body = ? WHERE id = ?", (dumps(built), id_))
    return built


def delete(conn: sqlite3.Connection, project: str, id_: str, cascade: bool) -> None:
    get(conn, project, id_)
    if not cascade:
        runs = conn.execute("SELECT count(*) FROM runs WHERE task_id = ?", (id_,)).fetchone()[0]
        if runs:
            raise orphan_conflict(f"task `{id_}`", project, 0, int(runs))
    conn.execute("DELETE FROM tasks WHERE id = ?", (id_,))  # runs follow by foreign key


def list_page(conn: sqlite3.Connection, project: str, *, function: str | None, kind: str | None,
              page: int, size: int) -> Page:
    where = Where().add("project = ?", project).when(kind, "kind = ?")
    ref = parse_function_ref(function) if function is not None else None
    prefix_match("function_ref", where, function, ref is None or ref.id is not None)
    return page_of(conn, "tasks", where, "seq DESC", page, size)
