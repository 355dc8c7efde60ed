"""The in-memory backend: DHCore's semantics in plain dicts, for tests and `memory://` URLs.

A `MemoryStore` holds the data; `memory://name` URLs share one store per name within a process, so
two backends opened on the same name see the same entities. Every entity goes in and comes out as a
deep copy: callers can never change what is stored by mutating a returned dict.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from dhsync.backends import entities as ent
from dhsync.backends import locking
from dhsync.backends.base import DEFAULT_PAGE_SIZE, Batch, Versions, one_by_one
from dhsync.backends.checks import check_paging, duplicated, not_found, orphan_conflict, project_not_empty
from dhsync.backends.entities import Clock, Stamp
from dhsync.model.errors import ConflictError
from dhsync.model.refs import parse_function_ref
from dhsync.model.state import ActualState, Entity, LockInfo, Page


@dataclass
class _Row:
    entity: dict[str, Any]
    seq: int
    # tasks: the function version they belong to; runs: the task, and that task's function.
    function_ref: str = ""
    task_id: str = ""

    @property
    def order(self) -> tuple[str, int]:
        return (self.entity["metadata"]["created"] if "metadata" in self.entity else "", self.seq)


@dataclass
class MemoryStore:
    projects: dict[str, _Row] = field(default_factory=dict)
    functions: dict[str, _Row] = field(default_factory=dict)
    tasks: dict[str, _Row] = field(default_factory=dict)
    runs: dict[str, _Row] = field(default_factory=dict)
    locks: dict[str, LockInfo] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    mutex: threading.RLock = field(default_factory=threading.RLock)
    files: Path | None = field(default=None, repr=False)

    def folder(self) -> Path:
        """A temporary folder for the files of this store's runs, removed when the store is dropped."""
        with self.mutex:
            if self.files is None:
                self.files = Path(tempfile.mkdtemp(prefix="dhsync-memory-"))
                weakref.finalize(self, shutil.rmtree, self.files, True)
            return self.files


def _copy(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = orjson.loads(orjson.dumps(entity))
    return out


def _newest_first(rows: Iterable[_Row]) -> list[_Row]:
    return sorted(rows, key=lambda row: row.order, reverse=True)


def _page(rows: Sequence[_Row], page: int, size: int) -> Page:
    check_paging(page, size)
    chosen = rows[page * size:(page + 1) * size]
    return Page(tuple(_copy(row.entity) for row in chosen), len(rows), page, size)


def _matches_function(row_ref: str, wanted: str | None) -> bool:
    """An exact version reference, or `kind://project/name` for every version of that name."""
    if wanted is None:
        return True
    ref = parse_function_ref(wanted)
    if ref is not None and ref.id is None:
        return row_ref.startswith(f"{wanted}:")
    return row_ref == wanted


class MemoryBackend:
    """The whole Backend protocol over a MemoryStore."""

    def __init__(self, store: MemoryStore | None = None, *, url: str = "memory://",
                 clock: Clock = ent.utc_now, user: str | None = None) -> None:
        self.url = url
        self.store = store if store is not None else MemoryStore()
        self._clock = clock
        self._user = user or ent.current_user()

    def _stamp(self) -> Stamp:
        return Stamp.take(self._clock, self._user)

    def _next(self) -> int:
        return next(self.store.counter)

    # --- projects ---------------------------------------------------------------------------------

    def get_project(self, name: str) -> dict[str, Any]:
        with self.store.mutex:
            return _copy(self._project_row(name).entity)

    def _project_row(self, name: str) -> _Row:
        row = self.store.projects.get(name)
        if row is None:
            raise not_found("project", name)
        return row

    def create_project(self, project: Entity) -> dict[str, Any]:
        built = ent.new_project(project, self._stamp())
        with self.store.mutex:
            if built["name"] in self.store.projects:
                raise duplicated("project", built["name"], built["name"])
            self.store.projects[built["name"]] = _Row(built, self._next())
            return _copy(built)

    def list_projects(self) -> list[dict[str, Any]]:
        with self.store.mutex:
            return [_copy(row.entity) for row in _newest_first(self.store.projects.values())]

    def delete_project(self, name: str, *, cascade: bool = True) -> None:
        with self.store.mutex:
            self._project_row(name)
            fns = [r for r in self.store.functions.values() if r.entity["project"] == name]
            tasks = [r for r in self.store.tasks.values() if r.entity["project"] == name]
            runs = [r for r in self.store.runs.values() if r.entity["project"] == name]
            if not cascade and (fns or tasks or runs):
                raise project_not_empty(name, len(fns), len(tasks), len(runs))
            self._drop(fns, tasks, runs)
            del self.store.projects[name]

    # --- functions --------------------------------------------------------------------------------

    def _functions(self, project: str) -> list[_Row]:
        return [r for r in self.store.functions.values() if r.entity["project"] == project]

    def list_functions(self, project: str, *, name: str | None = None, kind: str | None = None,
                       labels: Sequence[str] = (), versions: Versions = "latest",
                       page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page:
        with self.store.mutex:
            rows = _newest_first(self._functions(project))
            if versions != "all":
                latest: dict[str, _Row] = {}
                for row in rows:
                    latest.setdefault(row.entity["name"], row)
                rows = list(latest.values())
            rows = [r for r in rows if (name is None or r.entity["name"] == name)
                    and (kind is None or r.entity["kind"] == kind)
                    and set(labels) <= set(r.entity["metadata"].get("labels") or ())]
            return _page(rows, page, size)

    def get_function(self, project: str, id: str) -> dict[str, Any]:
        with self.store.mutex:
            return _copy(self._function_row(project, id).entity)

    def _function_row(self, project: str, id_: str) -> _Row:
        row = self.store.functions.get(id_)
        if row is None or row.entity["project"] != project:
            raise not_found("function", id_, project)
        return row

    def create_function(self, project: str, function: Entity) -> dict[str, Any]:
        built = ent.new_function(project, function, self._stamp())
        with self.store.mutex:
            self._project_row(project)
            if built["id"] in self.store.functions:
                raise duplicated("function", built["id"], project)
            self.store.functions[built["id"]] = _Row(built, self._next())
            return _copy(built)

    def update_function(self, project: str, id: str, function: Entity) -> dict[str, Any]:
        with self.store.mutex:
            row = self._function_row(project, id)
            row.entity = ent.updated_function(row.entity, function, self._stamp())
            return _copy(row.entity)

    def _dependents(self, function_refs: set[str]) -> tuple[list[_Row], list[_Row]]:
        tasks = [r for r in self.store.tasks.values() if r.function_ref in function_refs]
        task_ids = {r.entity["id"] for r in tasks}
        runs = [r for r in self.store.runs.values() if r.task_id in task_ids]
        return tasks, runs

    def _drop(self, functions: list[_Row], tasks: list[_Row], runs: list[_Row]) -> None:
        store = self.store
        for table, rows in ((store.functions, functions), (store.tasks, tasks), (store.runs, runs)):
            for row in rows:
                table.pop(row.entity["id"], None)

    def delete_function(self, project: str, id: str, *, cascade: bool = False) -> None:
        with self.store.mutex:
            row = self._function_row(project, id)
            tasks, runs = self._dependents({ent.function_ref_of(row.entity)})
            if (tasks or runs) and not cascade:
                what = f"function `{row.entity['name']}` version `{id}`"
                raise orphan_conflict(what, project, len(tasks), len(runs))
            self._drop([row], tasks, runs)

    def delete_function_versions(self, project: str, name: str) -> None:
        with self.store.mutex:
            rows = [r for r in self._functions(project) if r.entity["name"] == name]
            if not rows:
                raise not_found("function", name, project)
            tasks, runs = self._dependents({ent.function_ref_of(r.entity) for r in rows})
            self._drop(rows, tasks, runs)

    # --- tasks ------------------------------------------------------------------------------------

    def create_task(self, project: str, task: Entity) -> dict[str, Any]:
        ref = ent.task_function_ref(project, task)
        with self.store.mutex:
            self._project_row(project)
            function = self._function_row(project, str(ref.id)).entity
            ent.check_task_function(str(task["kind"]), ref, function)
            built = ent.new_task(project, task, function, self._stamp())
            self._check_new_task(project, built)
            self.store.tasks[built["id"]] = _Row(built, self._next(), function_ref=built["spec"]["function"])
            return _copy(built)

    def _check_new_task(self, project: str, built: dict[str, Any]) -> None:
        if built["id"] in self.store.tasks:
            raise duplicated("task", built["id"], project)
        for row in self.store.tasks.values():
            if row.function_ref == built["spec"]["function"] and row.entity["kind"] == built["kind"]:
                raise ConflictError(
                    f"function `{built['spec']['function']}` already has a `{built['kind']}` task "
                    f"(`{row.entity['id']}`, project `{project}`); update that task instead of creating "
                    f"another"
                )

    def get_task(self, project: str, id: str) -> dict[str, Any]:
        with self.store.mutex:
            return _copy(self._task_row(project, id).entity)

    def _task_row(self, project: str, id_: str) -> _Row:
        row = self.store.tasks.get(id_)
        if row is None or row.entity["project"] != project:
            raise not_found("task", id_, project)
        return row

    def update_task(self, project: str, id: str, task: Entity) -> dict[str, Any]:
        with self.store.mutex:
            row = self._task_row(project, id)
            row.entity = ent.updated_task(row.entity, task)
            return _copy(row.entity)

    def delete_task(self, project: str, id: str, *, cascade: bool = False) -> None:
        with self.store.mutex:
            row = self._task_row(project, id)
            runs = [r for r in self.store.runs.values() if r.task_id == id]
            if runs and not cascade:
                raise orphan_conflict(f"task `{id}`", project, 0, len(runs))
            self._drop([], [row], runs)

    def list_tasks(self, project: str, *, function: str | None = None, kind: str | None = None,
                   page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page:
        with self.store.mutex:
            rows = [r for r in self.store.tasks.values() if r.entity["project"] == project
                    and _matches_function(r.function_ref, function) and kind in (None, r.entity["kind"])]
            return _page(sorted(rows, key=lambda r: r.seq, reverse=True), page, size)

    # --- runs -------------------------------------------------------------------------------------

    def create_run(self, project: str, run: Entity) -> dict[str, Any]:
        ref = ent.run_task_ref(project, run)
        with self.store.mutex:
            self._project_row(project)
            task_row = self._task_row(project, ref.id)
            ent.check_run_task(ref, task_row.entity)
            built = ent.new_run(project, run, self._stamp())
            if built["id"] in self.store.runs:
                raise duplicated("run", built["id"], project)
            self.store.runs[built["id"]] = _Row(built, self._next(), task_row.function_ref, ref.id)
            return _copy(built)

    def get_run(self, project: str, id: str) -> dict[str, Any]:
        with self.store.mutex:
            return _copy(self._run_row(project, id).entity)

    def _run_row(self, project: str, id_: str) -> _Row:
        row = self.store.runs.get(id_)
        if row is None or row.entity["project"] != project:
            raise not_found("run", id_, project)
        return row

    def update_run(self, project: str, id: str, run: Entity) -> dict[str, Any]:
        with self.store.mutex:
            row = self._run_row(project, id)
            row.entity = ent.updated_run(row.entity, run, self._stamp())
            return _copy(row.entity)

    def list_runs(self, project: str, *, task: str | None = None, function: str | None = None,
                  state: str | None = None, page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page:
        with self.store.mutex:
            rows = [r for r in self.store.runs.values() if r.entity["project"] == project
                    and task in (None, r.entity["spec"]["task"])
                    and _matches_function(r.function_ref, function)
                    and state in (None, r.entity["status"].get("state"))]
            return _page(_newest_first(rows), page, size)

    def delete_run(self, project: str, id: str) -> None:
        with self.store.mutex:
            self._drop([], [], [self._run_row(project, id)])

    # --- bulk read --------------------------------------------------------------------------------

    def read_state(self, project: str) -> ActualState:
        with self.store.mutex:
            fns = sorted(self._functions(project), key=lambda r: r.order, reverse=True)
            fns.sort(key=lambda r: r.entity["name"])  # stable: newest first within each name
            tasks = sorted((r for r in self.store.tasks.values() if r.entity["project"] == project),
                           key=lambda r: r.seq)
            runs = sorted((r for r in self.store.runs.values() if r.entity["project"] == project),
                          key=lambda r: r.seq)
            return ActualState(project, tuple(_copy(r.entity) for r in fns),
                               tuple(_copy(r.entity) for r in tasks), tuple(_copy(r.entity) for r in runs))

    # --- lock -------------------------------------------------------------------------------------

    def acquire_lock(self, project: str, owner: str, ttl_seconds: float) -> LockInfo:
        with self.store.mutex:
            now = self._clock()
            current = self.store.locks.get(project)
            if current is not None and not locking.may_acquire(current, now):
                raise locking.held_error(current)
            lock = locking.new_lock(project, owner, ttl_seconds, now)
            self.store.locks[project] = lock
            return lock

    def heartbeat_lock(self, lock: LockInfo, ttl_seconds: float) -> LockInfo:
        locking.check_ttl(ttl_seconds)
        renewed = self._as_holder(lock, lambda cur: locking.renewed(cur, ttl_seconds, self._clock()))
        assert renewed is not None
        return renewed

    def release_lock(self, lock: LockInfo) -> None:
        with self.store.mutex:
            if self.store.locks.get(lock.project) is None:
                return  # already gone: releasing twice is harmless
            self._as_holder(lock, lambda cur: None)

    def _as_holder(self, lock: LockInfo,
                   change: Callable[[LockInfo], LockInfo | None]) -> LockInfo | None:
        with self.store.mutex:
            current = self.store.locks.get(lock.project)
            if current is None or not locking.is_holder(lock, current):
                raise locking.lost_error(lock, current)
            updated = change(current)
            if updated is None:
                del self.store.locks[lock.project]
            else:
                self.store.locks[lock.project] = updated
            return updated

    def lock_info(self, project: str) -> LockInfo | None:
        with self.store.mutex:
            current = self.store.locks.get(project)
            return replace(current) if current is not None else None

    def force_release_lock(self, project: str) -> LockInfo | None:
        with self.store.mutex:
            return self.store.locks.pop(project, None)

    def data_dir(self) -> Path:
        return self.store.folder()

    def batch(self) -> AbstractContextManager[Batch]:
        # nothing to gain from grouping dict updates, and no crash to survive
        return one_by_one()

    def close(self) -> None:
        """Nothing to release: the store lives as long as someone references it."""

