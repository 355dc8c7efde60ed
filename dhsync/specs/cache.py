"""A cache of what was parsed and checked, keyed by file content, so an unchanged repository loads fast.

It lives in `.dhsync/cache/` beside dhsync.yaml. A damaged or foreign cache file is ignored and rewritten:
the cache can only make loading faster, never change its result.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from dhsync._version import __version__

CACHE_FORMAT = 5
# A file changed within this long before the cache was written may have changed again in the same
# timestamp tick without its stamp showing it ("racy git"); such stamps are not trusted.
RACY_NS = 2_000_000_000


class CheckCache:
    """Entries by content key (read only when needed), and stamps (mtime, size, inode, content key)
    that let an unchanged file skip reading. `path` is the entries file; stamps live beside it."""

    def __init__(self, path: Path | None, salt: str) -> None:
        self.path = path
        self._salt = salt
        self._written_ns = 0
        self._old_stamps: dict[str, Any] = {}
        self._old: dict[str, Any] | None = None if path is not None else {}
        self._new: dict[str, Any] = {}
        self._stamps: dict[str, Any] = {}
        self._untrusted = False  # a known file could not be trusted: rewrite so its stamp becomes usable
        if path is not None:
            self._read_stamps(path.with_name("stamps.json"))

    def stamped(self, name: str, st: os.stat_result) -> Any | None:
        """What was recorded for `name` if the file provably did not change since, else None."""
        old = self._old_stamps.get(name)
        if old is None:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_mtime_ns >= self._written_ns - RACY_NS or \
                old[0] != st.st_mtime_ns or old[1] != st.st_size or old[2] != st.st_ino:
            self._untrusted = True
            return None
        self._stamps[name] = old
        return old[3]

    def keys_of(self, names: list[str]) -> dict[str, str]:
        """The content keys recorded for these files in this load, in order."""
        return {name: self._stamps[name][3] for name in names}

    def stamp(self, name: str, st: os.stat_result, payload: Any) -> None:
        self._stamps[name] = [st.st_mtime_ns, st.st_size, st.st_ino, payload]

    def key(self, data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=20, key=self._salt.encode()[:64]).hexdigest()

    def get(self, key: str) -> Any | None:
        entry = self._entries().get(key)
        if entry is not None:
            self._new[key] = entry
        return entry

    def put(self, key: str, entry: Any) -> None:
        self._new[key] = entry

    def _entries(self) -> dict[str, Any]:
        if self._old is None:
            assert self.path is not None
            data = _read_json(self.path)
            ok = data.get("format") == CACHE_FORMAT and data.get("salt") == self._salt
            entries = data.get("entries") if ok else None
            self._old = entries if isinstance(entries, dict) else {}
        return self._old

    def _read_stamps(self, path: Path) -> None:
        data = _read_json(path)
        stamps = data.get("stamps")
        if data.get("format") == CACHE_FORMAT and data.get("salt") == self._salt and isinstance(stamps, dict):
            self._old_stamps, self._written_ns = stamps, int(data.get("written_ns", 0))

    def save(self) -> None:
        """Keep only what this load used; write atomically; a read-only folder just means no cache."""
        if self.path is None:
            return
        header = {"format": CACHE_FORMAT, "salt": self._salt}
        if (self._old is None and self._new) or (self._old is not None and self._new.keys() != self._old.keys()):
            _write_json(self.path, {**header, "entries": self._new})
        if self._stamps != self._old_stamps or self._untrusted:
            _write_json(self.path.with_name("stamps.json"),
                        {**header, "written_ns": time.time_ns(), "stamps": self._stamps})


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps(payload))
        os.replace(tmp, path)
    except OSError:
        return


def cache_salt(config_fingerprint: bytes) -> str:
    """Entries are valid only for this dhsync version and these dhsync.yaml defaults."""
    return hashlib.sha256(__version__.encode() + b"\0" + config_fingerprint).hexdigest()[:32]
