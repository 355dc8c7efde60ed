"""One apply's working state: what it writes to, what it has written so far, and the one way it writes.

Every backend write goes through `Session.write`: the lock is checked, a journal line is written
before the call and another after it, so an interrupted apply can be finished by the next one.

Inside `Session.chunk` the writes share one backend transaction where the backend has them (sqlite): the
lock is checked once before the chunk, and the journal holds the chunk's lines, written before and after
its commit (journal.Journal.hold). A backend that makes each write as it is called (Batch.atomic False)
is journaled write by write, as outside a chunk.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from dhsync.apply.journal import Journal
from dhsync.apply.lock import HeldLock
from dhsync.backends.base import Backend
from dhsync.model.entities import DesiredEntity
from dhsync.model.errors import DhsyncError, InvalidInputError
from dhsync.model.plan import Change
from dhsync.model.state import Entity
from dhsync.plan.actual import ActualIndex
from dhsync.plan.codec import address
from dhsync.plan.desired import Desired

T = TypeVar("T")

# A chunk ends after this many writes or this long, whichever comes first: one commit per few hundred
# writes costs nothing measurable, and a short chunk keeps the database's write lock, the heartbeat (which
# waits for the connection) and an interrupted apply's lost work small.
CHUNK_WRITES = 500
CHUNK_SECONDS = 0.1


@dataclass
class Chunk:
    """The writes made in one batch so far."""

    limit: int = CHUNK_WRITES
    writes: int = 0
    atomic: bool = False  # the backend commits the chunk's writes together
    started: float = field(default_factory=time.perf_counter)

    def full(self) -> bool:
        return self.writes >= self.limit or time.perf_counter() - self.started >= CHUNK_SECONDS


@dataclass(frozen=True)
class RunSettings:
    """How apply executes the declared runs it triggers."""

    repo_root: Path | None = None
    timeout: float | None = None


@dataclass
class Session:
    backend: Backend
    project: str
    desired: Desired
    index: ActualIndex
    journal: Journal
    lock: HeldLock | None = None
    runs: RunSettings = field(default_factory=RunSettings)
    chunk_writes: int = CHUNK_WRITES
    _chunk: Chunk | None = field(default=None, init=False, repr=False)
    # function name -> the version tasks and runs bind to (the new one once created)
    versions: dict[str, Entity] = field(default_factory=dict)
    # (function name, task kind) -> the task of that version
    tasks: dict[tuple[str, str], Entity] = field(default_factory=dict)

    def write(self, call: str, change: Change, id_: str, action: Callable[[], T]) -> T:
        chunk = self._chunk
        if chunk is not None:
            chunk.writes += 1
        if self.lock is not None and (chunk is None or not chunk.atomic):
            self.lock.check()
        where = address(change.identity)
        self.journal.begin(call, where, id_)
        try:
            result = action()
        except DhsyncError:
            self.journal.fail(call, where, id_)
            raise
        self.journal.end(call, where, id_)
        return result

    @contextlib.contextmanager
    def chunk(self) -> Iterator[Chunk]:
        """Writes made in the block are committed together (see the module's doc); the caller stops adding
        to it once `full()`. Leaving the block by an exception rolls every write of it back."""
        if self.lock is not None:
            self.lock.check()  # once for the chunk: a renewal inside its transaction would wait for its commit
        current = Chunk(self.chunk_writes)
        self._chunk = current
        try:
            with self.backend.batch() as batch:
                current.atomic = batch.atomic
                if current.atomic:
                    self.journal.hold()
                yield current
                self.journal.write_begun()
        except BaseException:
            self.journal.drop_held()
            raise
        finally:
            self._chunk = None
        self.journal.write_ended()

    def __post_init__(self) -> None:
        self._functions = {fn.name: fn for fn in self.desired.functions}
        self._runs = {run.name: run for run in self.desired.runs}

    def function(self, name: str) -> DesiredEntity:
        found = self._functions.get(name)
        if found is None:
            raise InvalidInputError(f"the plan names function `{name}`, which the repository does not declare")
        return found

    def version(self, name: str) -> Entity:
        """The version of function `name` that tasks and runs bind to."""
        found = self.versions.get(name) or self.index.latest(name)
        if found is None:
            raise InvalidInputError(f"function `{name}` is not in the backend; its create did not happen")
        return found

    def task(self, function: str, kind: str) -> Entity | None:
        key = (function, kind)
        if key not in self.tasks:
            current = self.index.tasks_of(self.version(function)).get(kind)
            if current is None:
                return None
            self.tasks[key] = current
        return self.tasks[key]

    def declared_task(self, function: str, kind: str) -> DesiredEntity:
        found = self.desired.task(function, kind)
        if found is None:
            raise InvalidInputError(f"the plan names task `{function}/{kind}`, which the repository does not declare")
        return found

    def declared_run(self, name: str) -> DesiredEntity:
        found = self._runs.get(name)
        if found is None:
            raise InvalidInputError(f"the plan names run `{name}`, which the repository does not declare")
        return found
