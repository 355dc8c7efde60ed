"""The whole actual state of a project in three queries, whatever its size.

Only the JSON bodies are fetched and decoded: the indexed columns exist for filtering, and the
bodies already hold every field. The functions_by_name index delivers the DHCore order (per name,
newest first) without a sort step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import orjson

from dhsync.backends.sqlite.rows import UndecodableRecord
from dhsync.model.gcpause import cyclic_gc_paused
from dhsync.model.state import ActualState

_FUNCTIONS = "SELECT body FROM functions WHERE project = ? ORDER BY name, created DESC, seq DESC"
_TASKS = "SELECT body FROM tasks WHERE project = ? ORDER BY seq"
_RUNS = "SELECT body FROM runs WHERE project = ? ORDER BY seq"
_BATCH = 1000
# fields whose values repeat across documents (a name or id does not)
_TOP = ("kind", "project", "user")
_METADATA = ("project", "created_by", "updated_by")


def read_state(conn: sqlite3.Connection, project: str) -> ActualState:
    try:
        return _read_state(conn, project)
    except orjson.JSONDecodeError as exc:
        raise UndecodableRecord(f"a stored entity of project `{project}` is not valid JSON: {exc}") from None


def _read_state(conn: sqlite3.Connection, project: str) -> ActualState:
    params = (project,)
    with cyclic_gc_paused():
        return ActualState(
            project=project,
            functions=_decoded(conn.execute(_FUNCTIONS, params)),
            tasks=_decoded(conn.execute(_TASKS, params)),
            runs=_decoded(conn.execute(_RUNS, params)),
        )


def _decoded(cursor: sqlite3.Cursor) -> tuple[dict[str, Any], ...]:
    """The rows' bodies decoded a batch at a time (not fetchall: the raw bytes of every row would be held
    beside the documents), with the strings most documents repeat (kind, project, user, labels, a run's
    state …) made one object each: ~55 bytes apiece per document otherwise."""
    loads = orjson.loads  # not rows.loads: one call per row is the cost this function exists to avoid
    seen: dict[str, str] = {}
    share = seen.setdefault
    out: list[dict[str, Any]] = []
    while batch := cursor.fetchmany(_BATCH):
        for (body,) in batch:
            entity = loads(body)
            if type(entity) is dict:
                _share(entity, share)
            out.append(entity)
    return tuple(out)


def _share(entity: dict[str, Any], share: Callable[[str, str], str]) -> None:
    for key in _TOP:
        value = entity.get(key)
        if type(value) is str:
            entity[key] = share(value, value)
    ident = entity.get("id")
    if type(ident) is str and entity.get("name") == ident:  # a task's name is its id
        entity["name"] = ident
    metadata = entity.get("metadata")
    if type(metadata) is dict:
        for key in _METADATA:
            value = metadata.get(key)
            if type(value) is str:
                metadata[key] = share(value, value)
        labels = metadata.get("labels")
        if type(labels) is list:
            for index, label in enumerate(labels):
                if type(label) is str:
                    labels[index] = share(label, label)
        name = entity.get("name")
        if type(name) is str and metadata.get("name") == name:
            metadata["name"] = name
    status = entity.get("status")
    if type(status) is dict and type(status.get("state")) is str:
        status["state"] = share(status["state"], status["state"])
