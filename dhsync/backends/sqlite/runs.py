"""Runs: one execution of a task; the spec is sealed once the run leaves CREATED."""

from __future__ import annotations

import sqlite3
from typing import Any

from dhsync.backends import entities as ent
from dhsync.backends.checks import duplicated, not_found
from dhsync.backends.sqlite import projects
from dhsync.backends.sqlite.rows import Where, dumps, loads, one, page_of, prefix_match
from dhsync.model.refs import parse_function_ref
from dhsync.model.state import Page


def get(conn: sqlite3.Connection, project: str, id_: str) -> dict[str, Any]:
    found = one(conn, "SELECT body FROM runs WHERE id = ? AND project = ?", (id_, project))
    if found is None:
        raise not_found("run", id_, project)
    return found


def insert(conn: sqlite3.Connection, project: str, body: Any, stamp: ent.Stamp) -> dict[str, Any]:
    ref = ent.run_task_ref(project, body)
    projects.require(conn, project)
    row = conn.execute("SELECT body, function_ref FROM tasks WHERE id = ? AND project = ?",
                       (ref.id, project)).fetchone()
    if row is None:
        raise not_found("task", ref.id, project)
    ent.check_run_task(ref, loads(row[0]))
    built = ent.new_run(project, body, stamp)
    if conn.execute("SELECT 1 FROM runs WHERE id = ?", (built["id"],)).fetchone():
        raise duplicated("run", built["id"], project)
    conn.execute(
        "INSERT INTO runs (id, project, kind, task_id, task_ref, function_ref, state, created, body) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        (built["id"], project, built["kind"], ref.id, built["spec"]["task"], row[1],
         built["status"]["state"], built["metadata"]["created"], dumps(built)),
    )
    return built


def update(conn: sqlite3.Connection, project: str, id_: str, body: Any, stamp: ent.Stamp) -> dict[str, Any]:
    built = ent.updated_run(get(conn, project, id_), body, stamp)
    conn.execute("UPDATE runs SET state = ?, body = ? WHERE id = ?",
                 (built["status"].get("state", ""), dumps(built), id_))
    return built


def delete(conn: sqlite3.Connection, project: str, id_: str) -> None:
    get(conn, project, id_)
    conn.execute("DELETE FROM runs WHERE id = ?", (id_,))


def list_page(conn: sqlite3.Connection, project: str, *, task: str | None, function: str | None,
              state: str | None, page: int, size: int) -> Page:
    where = Where().add("project = ?", project).when(task, "task_ref = ?").when(state, "state = ?")
    ref = parse_function_ref(function) if function is not None else None
    prefix_match("function_ref", where, function, ref is None or ref.id is not None)
    return page_of(conn, "runs", where, "created DESC, seq DESC", page, size)
