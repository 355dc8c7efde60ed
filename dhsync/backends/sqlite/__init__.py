"""The embedded SQLite backend (the default): see backend.SqliteBackend."""

from __future__ import annotations

from dhsync.backends.sqlite.backend import SqliteBackend

__all__ = ["SqliteBackend"]
