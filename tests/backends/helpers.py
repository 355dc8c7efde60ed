"""Test helpers for backends: a hand-moved clock, harnesses per backend, body builders."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dhsync.backends.base import Backend
from dhsync.backends.memory import MemoryBackend
from dhsync.backends.sqlite import SqliteBackend

PROJECT = "demo"


class FakeClock:
    """A clock the test moves by hand: lock expiry without sleeping, and equal timestamps on demand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


QueryCounter = Callable[[], contextlib.AbstractContextManager[list[str]]]


@dataclass
class Harness:
    name: str
    backend: Backend
    clock: FakeClock
    # Counts the queries a block of code sends to the store; None where the store has no queries.
    count_queries: QueryCounter | None = None
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def _memory(tmp_path: Path, clock: FakeClock) -> Harness:
    return Harness("memory", MemoryBackend(clock=clock, user="alice"), clock)


def _sqlite(tmp_path: Path, clock: FakeClock) -> Harness:
    backend = SqliteBackend(tmp_path / "state.db", clock=clock, user="alice")

    @contextlib.contextmanager
    def count() -> Iterator[list[str]]:
        statements: list[str] = []
        backend.db.conn.set_trace_callback(statements.append)
        try:
            yield statements
        finally:
            backend.db.conn.set_trace_callback(None)

    return Harness("sqlite", backend, clock, count, [backend.close])


BACKEND_FACTORIES: dict[str, Callable[[Path, FakeClock], Harness]] = {
    "memory": _memory,
    "sqlite": _sqlite,
}


def fn_ref(function: dict[str, Any]) -> str:
    return f"{function['kind']}://{function['project']}/{function['name']}:{function['id']}"


def task_ref(task: dict[str, Any]) -> str:
    return f"{task['kind']}://{task['project']}/{task['id']}"


@dataclass
class Make:
    """Creates entities with just enough fields; tests override what they are about."""

    backend: Backend
    project: str = PROJECT

    def function(self, name: str = "train", kind: str = "python", **fields: Any) -> dict[str, Any]:
        body = {"name": name, "kind": kind, "spec": {"handler": "main"}, **fields}
        return self.backend.create_function(self.project, body)

    def task(self, function: dict[str, Any], action: str = "job", **spec: Any) -> dict[str, Any]:
        body = {"kind": f"{function['kind']}+{action}", "spec": {"function": fn_ref(function), **spec}}
        return self.backend.create_task(self.project, body)

    def run(self, task: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"kind": f"{task['kind']}:run", "spec": {"task": task_ref(task)}, **fields}
        return self.backend.create_run(self.project, body)

    def chain(self, name: str = "train", runs: int = 1) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
        """A function version with one task and `runs` runs of it."""
        function = self.function(name)
        task = self.task(function)
        return function, task, [self.run(task) for _ in range(runs)]


def counts(backend: Backend, project: str = PROJECT) -> tuple[int, int, int]:
    """(function versions, tasks, runs) of a project, as a user listing them would see."""
    state = backend.read_state(project)
    return len(state.functions), len(state.tasks), len(state.runs)
