"""The whole actual state of a project in three queries, whatever its size.

Only the JSON bodies are fetched and decoded: the indexed columns exist for filtering, and the
bodies already hold every field. The functions_by_name index delivers the DHCore order (per name,
newest first) without a sort step.
"""

from __future__ import annotations

import sqlite3

import orjson

from dhsync.backends.sqlite.rows import UndecodableRecord
from dhsync.model.gcpause import cyclic_gc_paused
from dhsync.model.state import ActualState

_FUNCTIONS = "SELECT body FROM functions WHERE project = ? ORDER BY name, created DESC, seq DESC"
_TASKS = "SELECT body FROM tasks WHERE project = ? ORDER BY seq"
_RUNS = "SELECT body FROM runs WHERE project = ? ORDER BY seq"


def read_state(conn: sqlite3.Connection, project: str) -> ActualState:
    try:
        return _read_state(conn, project)
    except orjson.JSONDecodeError as exc:
        raise UndecodableRecord(f"a stored entity of project `{project}` is not valid JSON: {exc}") from None


def _read_state(conn: sqlite3.Connection, project: str) -> ActualState:
    loads = orjson.loads  # not rows.loads: one call per row is the cost this function exists to avoid
    params = (project,)
    with cyclic_gc_paused():
        return ActualState(
            project=project,
            functions=tuple([loads(body) for (body,) in conn.execute(_FUNCTIONS, params).fetchall()]),
            tasks=tuple([loads(body) for (body,) in conn.execute(_TASKS, params).fetchall()]),
            runs=tuple([loads(body) for (body,) in conn.execute(_RUNS, params).fetchall()]),
        )
