"""Real processes against one state file: concurrent writers, and writers killed mid-write."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from dhsync.backends.sqlite import SqliteBackend
from dhsync.model.refs import parse_function_ref, parse_task_ref

WRITER = Path(__file__).with_name("process_writer.py")
PROJECT = "demo"


def _start(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(WRITER), *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _out, err = proc.communicate()
        pytest.fail(f"writer did not start: {line!r}\n{err}")
    return proc


@pytest.mark.slow
def test_two_processes_creating_500_versions_each_keep_all_1000(tmp_path: Path) -> None:
    db = tmp_path / "state.db"  # does not exist yet: both processes race to create the schema too
    writers = [_start("create", str(db), label, "500") for label in ("a", "b")]
    for proc in writers:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [proc.communicate(timeout=120) for proc in writers]
    for proc, (_out, err) in zip(writers, results, strict=True):
        assert "database is locked" not in err
        assert proc.returncode == 0, err
    created = {id_ for out, _err in results for id_ in json.loads(out)}
    backend = SqliteBackend(db)
    stored = backend.read_state(PROJECT).functions
    backend.close()
    assert len(created) == 1000
    assert {f["id"] for f in stored} == created


def _check_consistent(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], "a task or run lost its parent"
        for id_, name, ref, body in conn.execute("SELECT id, name, ref, body FROM functions"):
            entity = orjson.loads(body)
            assert (entity["id"], entity["name"]) == (id_, name)
            assert parse_function_ref(ref) is not None
        for id_, function_id, body in conn.execute("SELECT id, function_id, body FROM tasks"):
            ref = parse_function_ref(orjson.loads(body)["spec"]["function"])
            assert ref is not None and ref.id == function_id, f"task {id_} disagrees with its row"
        for id_, task_id, body in conn.execute("SELECT id, task_id, body FROM runs"):
            task = parse_task_ref(orjson.loads(body)["spec"]["task"])
            assert task is not None and task.id == task_id, f"run {id_} disagrees with its row"
    finally:
        conn.close()
    backend = SqliteBackend(db)
    state = backend.read_state(PROJECT)
    backend.close()
    function_ids = {f["id"] for f in state.functions}
    task_ids = {t["id"] for t in state.tasks}
    assert all(parse_function_ref(t["spec"]["function"]).id in function_ids for t in state.tasks)  # type: ignore[union-attr]
    assert all(parse_task_ref(r["spec"]["task"]).id in task_ids for r in state.runs)  # type: ignore[union-attr]
    return len(state.functions), len(state.tasks), len(state.runs)


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_a_consistent_database(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    rng = random.Random()
    seen_progress = 0
    for round_ in range(5):
        proc = _start("churn", str(db), str(round_))
        time.sleep(rng.uniform(0.05, 0.4))  # where the kill lands, not an assertion on timing
        proc.send_signal(signal.SIGKILL)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        functions, _tasks, _runs = _check_consistent(db)
        seen_progress = max(seen_progress, functions)
    assert seen_progress > 0, "the writers never got to write: the kills proved nothing"
