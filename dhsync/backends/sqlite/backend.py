"""The embedded backend: DigitalHub entities in one SQLite file (`.dhsync/state.db` by default).

Each method is one transaction, or part of the one a `batch()` block holds open. The entity rules
(server-owned fields, references, one task per function version and kind) come from backends.entities,
shared with the other backends; the modules beside this one hold the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from dhsync.backends import entities as ent
from dhsync.backends import locking
from dhsync.backends.base import DEFAULT_PAGE_SIZE, Batch, Versions
from dhsync.backends.entities import Clock, Stamp
from dhsync.backends.sqlite import bulk, functions, lock, projects, runs, tasks
from dhsync.backends.sqlite.connection import Database
from dhsync.model.state import ActualState, Entity, LockInfo, Page

# the default database (`.dhsync/state.db`) keeps its files straight in `.dhsync/`
DEFAULT_STEM = "state"


class SqliteBackend:
    """The whole Backend protocol over one SQLite file."""

    def __init__(self, path: Path, *, url: str | None = None, clock: Clock = ent.utc_now,
                 user: str | None = None, busy_timeout: float = 5.0, retry_for: float = 30.0,
                 create: bool = True) -> None:
        self.path = path
        self.url = url or f"sqlite:///{path}"
        self.db = Database(path, create=create, busy_timeout=busy_timeout, retry_for=retry_for)
        self._clock = clock
        self._user = user or ent.current_user()

    def _stamp(self) -> Stamp:
        return Stamp.take(self._clock, self._user)

    # --- projects ---------------------------------------------------------------------------------

    def get_project(self, name: str) -> dict[str, Any]:
        return self.db.read(lambda c: projects.get(c, name))

    def create_project(self, project: Entity) -> dict[str, Any]:
        return self.db.write(lambda c: projects.insert(c, ent.new_project(project, self._stamp())))

    def list_projects(self) -> list[dict[str, Any]]:
        return self.db.read(projects.list_all)

    def delete_project(self, name: str, *, cascade: bool = True) -> None:
        self.db.write(lambda c: projects.delete(c, name, cascade))

    # --- functions --------------------------------------------------------------------------------

    def list_functions(self, project: str, *, name: str | None = None, kind: str | None = None,
                       labels: Sequence[str] = (), versions: Versions = "latest",
                       page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page:
        return self.db.read(lambda c: functions.list_page(
            c, project, name=name, kind=kind, labels=labels, latest=versions != "all", page=page, size=size))

    def get_function(self, project: str, id: str) -> dict[str, Any]:
        return self.db.read(lambda c: functions.get(c, project, id))

    def create_function(self, project: str, function: Entity) -> dict[str, Any]:
        # Stamped inside the write transaction, so creation time follows commit order across processes.
        return self.db.write(lambda c: functions.insert(c, project, function, self._stamp()))

    def update_function(self, project: str, id: str, function: Entity) -> dict[str, Any]:
        return self.db.write(lambda c: functions.update(c, project, id, function, self._stamp()))

    def delete_function(self, project: str, id: str, *, cascade: bool = False) -> None:
        self.db.write(lambda c: functions.delete(c, project, id, cascade))

    def delete_function_versions(self, project: str, name: str) -> None:
        self.db.write(lambda c: functions.delete_versions(c, project, name))

    # --- tasks ------------------------------------------------------------------------------------

    def create_task(self, project: str, task: Entity) -> dict[str, Any]:
        return self.db.write(lambda c: tasks.insert(c, project, task, self._stamp()))

    def get_task(self, project: str, id: str) -> dict[str, Any]:
        return self.db.read(lambda c: tasks.get(c, project, id))

    def update_task(self, project: str, id: str, task: Entity) -> dict[str, Any]:
        return self.db.write(lambda c: tasks.update(c, project, id, task))

    def delete_task(self, project: str, id: str, *, cascade: bool = False) -> None:
        self.db.write(lambda c: tasks.delete(c, project, id, cascade))

    def list_tasks(self, project: str, *, function: str | None = None, kind: str | None = None,
                   page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page:
        return self.db.read(lambda c: tasks.list_page(c, project, function=function, kind=kind,
                                                      page=page, size=size))

    # --- runs -------------------------------------------------------------------------------------

    def create_run(self, project: str, run: Entity) -> dict[str, Any]:
        return self.db.write(lambda c: runs.insert(c, project, run, self._stamp()))

    def get_run(self, project: str, id: str) -> dict[str, Any]:
        return self.db.read(lambda c: runs.get(c, project, id))

    def update_run(self, project: str, id: str, run: Entity) -> dict[str, Any]:
        return self.db.write(lambda c: runs.update(c, project, id, run, self._stamp()))

    def list_runs(self, project: str, *, task: str | None = None, function: str | None = None,
                  state: str | None = None, page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page:
        return self.db.read(lambda c: runs.list_page(c, project, task=task, function=function, state=state,
                                                     page=page, size=size))

    def delete_run(self, project: str, id: str) -> None:
        self.db.write(lambda c: runs.delete(c, project, id))

    # --- bulk read --------------------------------------------------------------------------------

    def read_state(self, project: str) -> ActualState:
        return self.db.read(lambda c: bulk.read_state(c, project))

    # --- lock -------------------------------------------------------------------------------------

    def acquire_lock(self, project: str, owner: str, ttl_seconds: float) -> LockInfo:
        locking.check_ttl(ttl_seconds)

        def acquire(conn: Any) -> LockInfo:
            now = self._clock()
            current = lock.get(conn, project)
            if current is not None and not locking.may_acquire(current, now):
                raise locking.held_error(current)
            return lock.put(conn, locking.new_lock(project, owner, ttl_seconds, now))
        return self.db.write(acquire)

    def heartbeat_lock(self, mine: LockInfo, ttl_seconds: float) -> LockInfo:
        locking.check_ttl(ttl_seconds)

        def renew(conn: Any) -> LockInfo:
            current = lock.get(conn, mine.project)
            if current is None or not locking.is_holder(mine, current):
                raise locking.lost_error(mine, current)
            return lock.put(conn, locking.renewed(current, ttl_seconds, self._clock()))
        return self.db.write(renew)

    def release_lock(self, mine: LockInfo) -> None:
        def release(conn: Any) -> None:
            current = lock.get(conn, mine.project)
            if current is None:
                return  # already gone: releasing twice is harmless
            if not locking.is_holder(mine, current):
                raise locking.lost_error(mine, current)
            lock.delete(conn, mine.project)
        self.db.write(release)

    def lock_info(self, project: str) -> LockInfo | None:
        return self.db.read(lambda c: lock.get(c, project))

    def force_release_lock(self, project: str) -> LockInfo | None:
        def force(conn: Any) -> LockInfo | None:
            current = lock.get(conn, project)
            lock.delete(conn, project)
            return current
        return self.db.write(force)

    def batch(self) -> AbstractContextManager[Batch]:
        return self.db.batch()

    def data_dir(self) -> Path:
        return data_dir_of(self.path)

    def close(self) -> None:
        self.db.close()


def data_dir_of(path: Path) -> Path:
    """Run logs, artifacts and the apply journal of the database at `path` go into `.dhsync/` beside it
    (the database's own folder when that is `.dhsync/`, as for the default `.dhsync/state.db`); a database
    of another name gets a folder of its own in there (`.dhsync/prod/` for `.dhsync/prod.db`), so two
    databases side by side never share an apply journal."""
    parent = path.parent.resolve()  # absolute: runs work in folders of their own
    base = parent if parent.name == ".dhsync" else parent / ".dhsync"
    return base if path.stem == DEFAULT_STEM else base / path.stem
