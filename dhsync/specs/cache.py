"""A cache of what was parsed and checked, keyed by file content, so an unchanged repository loads fast.

It lives in `.dhsync/cache/` beside dhsync.yaml. A damaged or foreign cache file is ignored and rewritten:
the cache can only make loading faster, never change its result.

Secret values are never written to it in clear (README "Secrets"). A file whose content holds one (by the
rules the plan masks with, the repository's `secrets.mask`/`show` included) is recorded as a marker under
its content hash, so it is parsed again when the snapshot cannot serve the load. In the snapshot, the
entities of such a file are sealed: encrypted with a key derived from the file's own bytes, which the cache
does not keep. A warm load reads those files (no parse, no check) to open them; the cache alone, or after
the file changed (a secret removed or rotated), discloses nothing. Files without secrets are not touched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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
        self._secret_keys: set[str] = set()  # content keys of the files that hold a secret
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
            self._secret_keys.add(key)
            return None
        return entry

    def put(self, key: str, entry: Any) -> None:
        if holds_secret(entry, self._secrets):
            self._secret_keys.add(key)
            entry = _SECRET_MARKER
        self._new[key] = entry

    def seal(self, root: Path, relative: str, value: Any) -> Any:
        """`value` (taken from the spec file `relative`) as the snapshot may keep it: sealed when the file
        holds a secret, as it is otherwise."""
        content_key = self._stamps.get(relative, [None] * 4)[3]
        if content_key not in self._secret_keys:
            return value
        return {_SEALED: _seal(orjson.dumps(value), _read(root, relative), self._salt)}

    def unseal(self, root: Path, relative: str, value: Any) -> Any | None:
        """What `seal` was given, or None when the file no longer opens it (then the snapshot is not used)."""
        if not (isinstance(value, dict) and isinstance(value.get(_SEALED), str)):
            return value
        plain = _open(value[_SEALED], _read(root, relative), self._salt)
        return None if plain is None else orjson.loads(plain)

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


_SEALED = "sealed"


def _read(root: Path, relative: str) -> bytes:
    try:
        return (root / relative).read_bytes()
    except OSError:
        return b""  # nothing opens with it: the load goes the slow way


def _file_key(data: bytes, salt: str) -> bytes:
    # not CheckCache.key (the content key the cache stores): this one must not be derivable from the cache
    return hashlib.blake2b(data, digest_size=32, key=b"dhsync-seal\0" + salt.encode()[:48]).digest()


def _stream(key: bytes, nonce: bytes, size: int) -> int:
    return int.from_bytes(hashlib.shake_256(key + nonce).digest(size), "big")


def _seal(plain: bytes, data: bytes, salt: str) -> str:
    """`plain` encrypted (SHAKE-256 keystream) and authenticated (HMAC-SHA256) under the file's key."""
    key, nonce = _file_key(data, salt), os.urandom(16)
    cipher = (int.from_bytes(plain, "big") ^ _stream(key, nonce, len(plain))).to_bytes(len(plain), "big")
    tag = hmac.new(key, nonce + cipher, hashlib.sha256).digest()
    return base64.b64encode(nonce + tag + cipher).decode()


def _open(sealed: str, data: bytes, salt: str) -> bytes | None:
    try:
        raw = base64.b64decode(sealed, validate=True)
    except ValueError:
        return None
    key, nonce, tag, cipher = _file_key(data, salt), raw[:16], raw[16:48], raw[48:]
    if not hmac.compare_digest(tag, hmac.new(key, nonce + cipher, hashlib.sha256).digest()):
        return None  # another file (edited since), or a damaged snapshot
    return (int.from_bytes(cipher, "big") ^ _stream(key, nonce, len(cipher))).to_bytes(len(cipher), "big")


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
