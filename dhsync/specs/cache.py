"""A cache of what was parsed and checked, keyed by file content, so an unchanged repository loads fast.

It lives in `.dhsync/cache/` beside dhsync.yaml. A damaged or foreign cache file is ignored and rewritten:
the cache can only make loading faster, never change its result.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from dhsync import __version__

CACHE_FORMAT = 2


class CheckCache:
    def __init__(self, path: Path | None, salt: str) -> None:
        self.path = path
        self._salt = salt
        self._old: dict[str, Any] = self._read() if path is not None else {}
        self._new: dict[str, Any] = {}

    def key(self, data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=20, key=self._salt.encode()[:64]).hexdigest()

    def get(self, key: str) -> Any | None:
        entry = self._old.get(key)
        if entry is not None:
            self._new[key] = entry
        return entry

    def put(self, key: str, entry: Any) -> None:
        self._new[key] = entry

    def _read(self) -> dict[str, Any]:
        assert self.path is not None
        try:
            data = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        ok = isinstance(data, dict) and data.get("format") == CACHE_FORMAT and data.get("salt") == self._salt
        entries = data.get("entries") if ok else None
        return entries if isinstance(entries, dict) else {}

    def save(self) -> None:
        """Keep only what this load used; write atomically; a read-only folder just means no cache."""
        if self.path is None or self._new.keys() == self._old.keys():
            return
        payload = orjson.dumps({"format": CACHE_FORMAT, "salt": self._salt, "entries": self._new})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".check-")
            with os.fdopen(fd, "wb") as out:
                out.write(payload)
            os.replace(tmp, self.path)
        except OSError:
            return


def cache_salt(config_fingerprint: bytes) -> str:
    """Entries are valid only for this dhsync version and these dhsync.yaml defaults."""
    return hashlib.sha256(__version__.encode() + b"\0" + config_fingerprint).hexdigest()[:32]
