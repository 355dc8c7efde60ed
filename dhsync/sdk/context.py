"""Which backend the SDK API talks to.

The first of these that is present wins:

1. an explicit ``backend=`` argument: a Backend object, or a URL (`sqlite:///path`, `memory://`);
   a relative sqlite path is relative to the current directory;
2. the environment variable ``DHSYNC_BACKEND``, a URL (relative sqlite paths: current directory);
3. the ``dhsync.yaml`` of the current directory: its ``backend`` (relative sqlite paths are relative
   to the folder of that file, so the SDK and ``dhsync apply`` share one state database);
4. the embedded default ``sqlite:///.dhsync/state.db`` in the current directory.

Backends opened from a URL are cached: one per URL (and base folder) per process, so every call of a
session shares one connection. ``reset_backends()`` closes them all (tests, or a changed environment).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from dhsync.backends.base import Backend
from dhsync.model.errors import InvalidInputError
from dhsync.specs.config import find_config, load_config
from dhsync.specs.models.config import BACKEND_ENV_VAR, DEFAULT_BACKEND

ENV_VAR = BACKEND_ENV_VAR

BackendArg = Backend | str | None

_lock = threading.Lock()
_cache: dict[tuple[str, str], Backend] = {}


@dataclass(frozen=True)
class BackendChoice:
    """A backend URL, the folder its relative paths start from, and which rule chose it."""

    url: str
    base_dir: Path
    source: str


def choose_backend(explicit: str | None = None, cwd: Path | None = None) -> BackendChoice:
    """Apply the resolution rules of this module (without opening anything)."""
    here = (cwd or Path.cwd()).resolve()
    if explicit is not None:
        return BackendChoice(_non_empty(explicit, "the backend argument"), here, "argument")
    from_env = os.environ.get(ENV_VAR)
    if from_env is not None and from_env.strip():
        return BackendChoice(from_env.strip(), here, f"environment variable {ENV_VAR}")
    config_path = find_config(here)
    if config_path is not None:
        config = load_config(config_path)
        return BackendChoice(config.backend, config_path.parent, str(config_path))
    return BackendChoice(DEFAULT_BACKEND, here, "embedded default")


def _non_empty(url: str, what: str) -> str:
    if not url.strip():
        raise InvalidInputError(f"{what} is an empty URL; give e.g. `sqlite:///state.db` or `memory://`")
    return url.strip()


def get_backend(backend: BackendArg = None) -> Backend:
    """The backend for one SDK call: `backend` itself when it is a Backend, else the cached one for the
    chosen URL (opened on first use)."""
    if backend is not None and not isinstance(backend, str):
        return backend
    choice = choose_backend(backend)
    key = (choice.url, str(choice.base_dir))
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            from dhsync.backends import open_backend

            cached = open_backend(choice.url, choice.base_dir)
            _cache[key] = cached
        return cached


def reset_backends() -> None:
    """Close and forget every cached backend; the next call resolves and opens again."""
    with _lock:
        opened = list(_cache.values())
        _cache.clear()
    for backend in opened:
        backend.close()
