"""Encoding of stored entities and the paged listing every entity table shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from dhsync.backends.checks import check_paging
from dhsync.model.state import Page


def dumps(entity: dict[str, Any]) -> bytes:
    return orjson.dumps(entity)


class UndecodableRecord(Exception):
    """A stored record that is not what dhsync wrote: the file was edited or damaged outside dhsync."""


def loads(body: bytes) -> dict[str, Any]:
    try:
        entity = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UndecodableRecord(f"a stored entity is not valid JSON: {exc}") from None
    if not isinstance(entity, dict):
        raise UndecodableRecord("a stored entity is not a JSON object")
    return entity


@dataclass
class Where:
    """AND-ed SQL conditions with their parameters, built from optional filters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> Where:
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def when(self, value: Any, clause: str) -> Where:
        return self.add(clause, value) if value is not None else self

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses) or "1"


def prefix_match(column: str, where: Where, wanted: str | None, versioned: bool) -> Where:
    """An exact function reference, or `kind://project/name` for every version of that name."""
    if wanted is None:
        return where
    if versioned:
        return where.add(f"{column} = ?", wanted)
    prefix = f"{wanted}:"
    return where.add(f"substr({column}, 1, ?) = ?", len(prefix), prefix)


def page_of(conn: sqlite3.Connection, table: str, where: Where, order: str, page: int, size: int) -> Page:
    check_paging(page, size)
    total = conn.execute(f"SELECT count(*) FROM {table} WHERE {where.sql}", where.params).fetchone()[0]
    cursor = conn.execute(
        f"SELECT body FROM {table} WHERE {where.sql} ORDER BY {order} LIMIT ? OFFSET ?",
        (*where.params, size, page * size),
    )
    return Page(tuple(loads(body) for (body,) in cursor), int(total), page, size)


def one(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    row = conn.execute(sql, params).fetchone()
    return loads(row[0]) if row is not None else None
