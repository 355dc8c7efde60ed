"""A cache of what was parsed and checked, keyed by file content, so an unchanged repository loads fast.

It lives in `.dhsync/cache/` beside dhsync.yaml. A damaged or foreign cache file is ignored and rewritten:
the cache can only make loading faster, never change its result.

Secret values are never written to it (README "Secrets"): a file whose content holds one (by the rules the
plan masks with, the repository's `secrets.mask`/`show` included) is recorded as a marker under its content
hash, so it is parsed again on every load, and the loader keeps no snapshot of a repository that has one.
Files without secrets keep the warm path.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from dhsync._version import __version__
from dhsync.model.plan import SecretRules
from dhsync.model.secret_names import NO_RULES
from dhsync.model.secret_values import holds_secret

CACHE_FORMAT = 6  # 6: entries holding a secret are markers (format 5 files may hold secrets: not read)
# what an entry holding a secret is kept as: its content hash (the key) and this
_SECRET_MARKER = {"holds_secret": True}
# A file changed within this long before the cache was written may have changed again in the same
# timestamp tick without its stamp showing it ("racy git"); such stamps are not trusted.
RACY_NS = 2_000_000_000


class CheckCache:
    """Entries by content key (read only when needed), and stamps (mtime, size, inode, content key)
    that let an unchanged file skip reading. `path` is the entries file; stamps live beside it."""

    def __init__(self, path: Path | None, salt: str, secrets: SecretRules = NO_RULES) -> None:
        self.path = path
        # other secret rules, other entries: one written as clear under looser rules must not be read back
        self._salt = salt if secrets == NO_RULES else hashlib.sha256(
            orjson.dumps([salt, secrets.mask, secrets.show])).hexdigest()[:32]
        self._secrets = secrets
        self.held_secret = False  # some file of this load holds a secret: the loader keeps no snapshot
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
        """The entry under `key`, or None: also for a file holding a secret, which is parsed again."""
        entry = self._entries().get(key)
        if entry is not None:
            self._new[key] = entry
        if entry == _SECRET_MARKER:
            self.held_secret = True
            return None
        return entry

    def put(self, key: str, entry: Any) -> None:
        if holds_secret(entry, self._secrets):
            self.held_secret = True
            entry = _SECRET_MARKER
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
    """Entries are valid only for this dhsync version, this cache format and these dhsync.yaml defaults."""
    version = f"{__version__}/{CACHE_FORMAT}".encode()
    return hashlib.sha256(version + b"\0" + config_fingerprint).hexdigest()[:32]


def discard(path: Path) -> None:
    """Remove a cache file that must not stay (a snapshot of a repository that now holds a secret)."""
    with contextlib.suppress(OSError):
        path.unlink()
