"""Backends: where entities live. `open_backend(url)` picks one by the URL's scheme.

- `memory://` a fresh in-memory store; `memory://<name>` one store shared by every backend opened
  on that name in this process.
- `sqlite:///<path>` the embedded database; a relative path is relative to `base_dir` (the folder
  of dhsync.yaml) or the current directory; `sqlite:////<abs/path>` is absolute. The path is taken
  as written, never percent-decoded, but for a leading `~` (the home folder; see sqlite_url).

`create=False` opens only a backend that exists (MissingBackendError otherwise): commands that only
look must not leave a database, or its folders, behind a mistyped URL.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from dhsync.backends.base import Backend, MissingBackendError
from dhsync.backends.memory import MemoryBackend, MemoryStore
from dhsync.backends.sqlite_url import sqlite_path
from dhsync.model.errors import InvalidInputError

if TYPE_CHECKING:
    from dhsync.backends.sqlite.doctor import Health


class Opener(Protocol):
    def __call__(self, url: str, rest: str, base_dir: Path, *, create: bool) -> Backend: ...


_shared_stores: dict[str, MemoryStore] = {}
_shared_mutex = threading.Lock()


def _open_memory(url: str, rest: str, base_dir: Path, *, create: bool) -> Backend:
    # nothing on disk: a memory store always "exists", whatever `create` says
    if not rest:
        return MemoryBackend(url=url)
    with _shared_mutex:
        store = _shared_stores.setdefault(rest, MemoryStore())
    return MemoryBackend(store, url=url)


def _open_sqlite(url: str, rest: str, base_dir: Path, *, create: bool) -> Backend:
    path = sqlite_path(url, rest, base_dir)
    from dhsync.backends.sqlite import SqliteBackend  # imported on use: memory:// needs none of it

    return SqliteBackend(path, url=url, create=create)


OPENERS: dict[str, Opener] = {
    "memory": _open_memory,
    "sqlite": _open_sqlite,
}


def open_backend(url: str, base_dir: Path | None = None, *, create: bool = True) -> Backend:
    """The backend a URL names; InvalidInputError for a URL no opener knows. With `create=False` a backend
    that does not exist yet is MissingBackendError, and nothing is created."""
    scheme, sep, rest = url.partition("://")
    opener = OPENERS.get(scheme) if sep else None
    if opener is None:
        known = ", ".join(f"{name}://" for name in OPENERS)
        later = (" (the DHCore backend is not part of this version yet)" if sep and scheme.startswith("dhcore")
                 else "")
        raise InvalidInputError(
            f"backend URL `{url}` is not supported{later}; use one of: {known} (e.g. sqlite:///.dhsync/state.db)"
        )
    return opener(url, rest, base_dir if base_dir is not None else Path.cwd(), create=create)


def shareable(url: str) -> bool:
    """Whether another process can open the backend at `url` (a detached run's supervisor, say): a memory
    store lives in the process that opened it, every other backend is named by its URL alone."""
    return url.partition("://")[0] != "memory"


def examine_backend(url: str, base_dir: Path | None = None) -> Health:
    """The full integrity check of the state database a `sqlite://` URL names, read only (`dhsync doctor`);
    the other backends keep no database file here to check."""
    scheme, sep, rest = url.partition("://")
    if scheme != "sqlite" or not sep:
        raise InvalidInputError(f"`dhsync doctor` checks sqlite state databases, and backend `{url}` is none; "
                                "give one with --backend sqlite:///path.db")
    from dhsync.backends.sqlite.doctor import examine  # imported on use, as for open_backend

    return examine(sqlite_path(url, rest, base_dir if base_dir is not None else Path.cwd()))


__all__ = ["OPENERS", "Backend", "MemoryBackend", "MissingBackendError", "examine_backend", "open_backend", "shareable"]
