"""Backends: where entities live. `open_backend(url)` picks one by the URL's scheme.

- `memory://` a fresh in-memory store; `memory://<name>` one store shared by every backend opened
  on that name in this process.
- `sqlite:///<path>` the embedded database; a relative path is relative to `base_dir` (the folder
  of dhsync.yaml) or the current directory; `sqlite:////<abs/path>` is absolute.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from dhsync.backends.base import Backend
from dhsync.backends.memory import MemoryBackend, MemoryStore
from dhsync.model.errors import InvalidInputError

Opener = Callable[[str, str, Path], Backend]

_shared_stores: dict[str, MemoryStore] = {}
_shared_mutex = threading.Lock()


def _open_memory(url: str, rest: str, base_dir: Path) -> Backend:
    if not rest:
        return MemoryBackend(url=url)
    with _shared_mutex:
        store = _shared_stores.setdefault(rest, MemoryStore())
    return MemoryBackend(store, url=url)


def _open_sqlite(url: str, rest: str, base_dir: Path) -> Backend:
    if "?" in rest or "#" in rest:
        raise InvalidInputError(f"backend URL `{url}` has a query or fragment; sqlite URLs are a file path only "
                                "(`sqlite:///relative/path.db`, `sqlite:////abs/path.db`)")
    # `sqlite:///rel/path` leaves `/rel/path` after the scheme's `//`; one more `/` makes it absolute.
    if not rest.startswith("/") or rest == "/":
        raise InvalidInputError(
            f"backend URL `{url}` has no file path; "
            f"use `sqlite:///relative/path.db` or `sqlite:////abs/path.db`"
        )
    path = Path(rest[1:]).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    from dhsync.backends.sqlite import SqliteBackend  # imported on use: memory:// needs none of it

    return SqliteBackend(path, url=url)


OPENERS: dict[str, Opener] = {
    "memory": _open_memory,
    "sqlite": _open_sqlite,
}


def open_backend(url: str, base_dir: Path | None = None) -> Backend:
    """The backend a URL names; InvalidInputError for a URL no opener knows."""
    scheme, sep, rest = url.partition("://")
    opener = OPENERS.get(scheme) if sep else None
    if opener is None:
        known = ", ".join(f"{name}://" for name in OPENERS)
        later = (" (the DHCore backend is not part of this version yet)" if sep and scheme.startswith("dhcore")
                 else "")
        raise InvalidInputError(
            f"backend URL `{url}` is not supported{later}; use one of: {known} (e.g. sqlite:///.dhsync/state.db)"
        )
    return opener(url, rest, base_dir if base_dir is not None else Path.cwd())


__all__ = ["OPENERS", "Backend", "MemoryBackend", "open_backend"]
