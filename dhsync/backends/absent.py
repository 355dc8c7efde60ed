"""The backend a `sqlite:///…` URL names before its database exists, for `dhsync plan`.

A plan against a backend that was never applied is "create everything"; showing it must not create the
database, or even its folder, behind what may be a typo in the URL. So the plan reads this: an empty
store that refuses writes and keeps the data folder (journal) the database would have.
"""

from __future__ import annotations

from pathlib import Path

from dhsync.backends.entities import Stamp
from dhsync.backends.memory import MemoryBackend
from dhsync.backends.sqlite.backend import data_dir_of
from dhsync.model.errors import BackendError
from dhsync.model.state import LockInfo


class AbsentBackend(MemoryBackend):
    """Holds nothing; every create or update, and taking the lock, is a BackendError naming the path
    (deletes and other updates find nothing to change)."""

    def __init__(self, path: Path, url: str) -> None:
        super().__init__(url=url)
        self.path = path

    def _refused(self) -> BackendError:
        return BackendError(f"no state database at `{self.path}` yet and this command only reads; `dhsync apply` "
                            "creates it")

    def _stamp(self) -> Stamp:
        # every create and update of MemoryBackend stamps the entity first: refused before anything is stored
        raise self._refused()

    def acquire_lock(self, project: str, owner: str, ttl_seconds: float) -> LockInfo:
        raise self._refused()

    def data_dir(self) -> Path:
        return data_dir_of(self.path)
