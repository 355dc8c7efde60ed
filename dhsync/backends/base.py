"""The one Protocol every backend keeps, shaped after DHCore's REST semantics.

Entities go in and come out as plain dicts in DigitalHub's shape. Backends set server-owned fields
(`id` when absent, `key`, `user`, `status`, `metadata.created/updated/version/created_by`) exactly as
DHCore does. Errors are dhsync's own: NotFoundError, ConflictError, InvalidInputError, BackendError,
LockHeldError.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from dhsync.model.errors import BackendError
from dhsync.model.state import ActualState, Entity, LockInfo, Page

Versions = Literal["latest", "all"]


class MissingBackendError(BackendError):
    """The backend was opened to read (create=False) and does not exist yet; nothing was created."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path

DEFAULT_PAGE_SIZE = 100


class Batch(Protocol):
    """What `Backend.batch()` gives the block that writes through it.

    `atomic` True: the block's writes become durable and visible together when it ends (a crash inside it
    loses all of them, an exception rolls all of them back), and a write that raises undoes only itself.
    False: each write is made when it is called, as without a batch (a store that cannot group writes,
    such as DHCore over HTTP, makes them one by one); a caller journals each write on its own then."""

    @property
    def atomic(self) -> bool: ...


@dataclass(frozen=True)
class OneByOne:
    """The batch of a store that makes each write when it is called."""

    atomic: bool = False


def one_by_one() -> AbstractContextManager[Batch]:
    return nullcontext(OneByOne())


@runtime_checkable
class Backend(Protocol):
    url: str

    # projects
    def get_project(self, name: str) -> dict[str, Any]: ...
    def create_project(self, project: Entity) -> dict[str, Any]: ...
    def list_projects(self) -> list[dict[str, Any]]: ...
    def delete_project(self, name: str, *, cascade: bool = True) -> None: ...

    # functions (versioned)
    def list_functions(self, project: str, *, name: str | None = None, kind: str | None = None,
                       labels: Sequence[str] = (), versions: Versions = "latest",
                       page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page: ...
    def get_function(self, project: str, id: str) -> dict[str, Any]: ...
    def create_function(self, project: str, function: Entity) -> dict[str, Any]: ...
    def update_function(self, project: str, id: str, function: Entity) -> dict[str, Any]: ...
    def delete_function(self, project: str, id: str, *, cascade: bool = False) -> None: ...
    def delete_function_versions(self, project: str, name: str) -> None: ...

    # tasks (bound to one function version)
    def create_task(self, project: str, task: Entity) -> dict[str, Any]: ...
    def get_task(self, project: str, id: str) -> dict[str, Any]: ...
    def update_task(self, project: str, id: str, task: Entity) -> dict[str, Any]: ...
    def delete_task(self, project: str, id: str, *, cascade: bool = False) -> None: ...
    def list_tasks(self, project: str, *, function: str | None = None, kind: str | None = None,
                   page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page: ...

    # runs
    def create_run(self, project: str, run: Entity) -> dict[str, Any]: ...
    def get_run(self, project: str, id: str) -> dict[str, Any]: ...
    def update_run(self, project: str, id: str, run: Entity) -> dict[str, Any]: ...
    def list_runs(self, project: str, *, task: str | None = None, function: str | None = None,
                  state: str | None = None, page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> Page: ...
    def delete_run(self, project: str, id: str) -> None: ...

    # the whole project in a constant number of queries
    def read_state(self, project: str) -> ActualState: ...

    # the reconciler's lock, one per project
    def acquire_lock(self, project: str, owner: str, ttl_seconds: float) -> LockInfo: ...
    def heartbeat_lock(self, lock: LockInfo, ttl_seconds: float) -> LockInfo: ...
    def release_lock(self, lock: LockInfo) -> None: ...
    def lock_info(self, project: str) -> LockInfo | None: ...
    def force_release_lock(self, project: str) -> LockInfo | None: ...

    # several writes in one transaction where the store has them (apply's chunks); see Batch
    def batch(self) -> AbstractContextManager[Batch]: ...

    # files that belong to runs (logs, artifacts) live under this local folder
    def data_dir(self) -> Path: ...

    def close(self) -> None: ...
