"""read_state shares repeated strings between documents (issue 9, memory) without changing any document:
equal values only, no key added, no type changed."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from dhsync.backends.sqlite.bulk import _share


def _shared(doc: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, str] = {}
    before = orjson.loads(orjson.dumps(doc))
    _share(doc, seen.setdefault)
    assert doc == before and orjson.dumps(doc) == orjson.dumps(before)
    return doc


def test_sharing_adds_no_key_and_keeps_types() -> None:
    _shared({"kind": "k"})
    _shared({"metadata": {}, "status": {}})
    _shared({"name": 1, "id": 1.0, "metadata": {"name": True, "labels": [1, "a", None]}})
    _shared({"name": None, "metadata": {"labels": "not a list"}, "status": {"state": 3}, "user": ["x"]})


def test_equal_strings_become_one_object() -> None:
    seen: dict[str, str] = {}
    docs = [orjson.loads(orjson.dumps({"kind": "python", "name": "abc", "id": "abc", "user": "root",
                                       "metadata": {"name": "abc", "labels": ["bench"], "created_by": "root"},
                                       "status": {"state": "CREATED"}})) for _ in range(2)]
    for doc in docs:
        _share(doc, seen.setdefault)
    first, second = docs
    assert first["kind"] is second["kind"] and first["user"] is second["user"] is first["metadata"]["created_by"]
    assert first["metadata"]["labels"][0] is second["metadata"]["labels"][0]
    assert first["status"]["state"] is second["status"]["state"]
    assert first["name"] is first["id"] and first["metadata"]["name"] is first["name"]


def test_rows_are_read_in_batches(tmp_path: Any) -> None:
    from dhsync.backends.sqlite import bulk
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t (body BLOB)")
    conn.executemany("INSERT INTO t VALUES (?)", [(orjson.dumps({"n": i}),) for i in range(bulk._BATCH * 2 + 3)])
    got = bulk._decoded(conn.execute("SELECT body FROM t ORDER BY rowid"))
    assert [d["n"] for d in got] == list(range(bulk._BATCH * 2 + 3))
