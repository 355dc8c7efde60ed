"""A cache of what was parsed and checked, keyed by file content, so an unchanged repository loads fast.

It lives in `.dhsync/cache/` beside dhsync.yaml. A damaged or foreign cache file is ignored and rewritten:
the cache can only make loading faster, never change its result.

Secret values are never written to it in clear (README "Secrets"). What comes from a file whose content
holds one (by the rules the plan masks with, the repository's `secrets.mask`/`show` included) is sealed:
encrypted and authenticated with a key derived from that file's own bytes, which the cache does not keep
(specs.seal). The checked entry of such a file and its entities in the snapshot are opened by reading the
file (no parse, no check); the cache alone, or after the file changed (a secret removed or rotated),
discloses nothing and opens nothing. Files without secrets are not touched.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from dhsync._version import __version__
from dhsync.model.plan import SecretRules
from dhsync.model.secret_names import NO_RULES
from dhsync.model.secret_values import holds_secret
from dhsync.specs.seal import Keys, file_keys, open_sealed
from dhsync.specs.seal import seal as seal_bytes

CACHE_FORMAT = 7  # 7: entries holding a secret are sealed (6: markers; 5 and older may hold secrets: not read)
_SEALED = "sealed"  # an entry or a snapshot row holding a secret is `{"sealed": …}`
# A file changed within this long before the cache was written may have changed again in the same
# timestamp tick without its stamp showing it ("racy git"); such stamps are not trusted.
RACY_NS = 2_000_000_000
_FORMAT_BITS, _REGULAR = stat.S_IFMT(0o177777), stat.S_IFREG  # st_mode & _FORMAT_BITS == _REGULAR: S_ISREG


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
        # their sealing keys, by content key: each file is read and hashed once per load (in memory only)
        self._file_keys: dict[str, Keys] = {}
        self._written_ns = 0
        self._old_stamps: dict[str, Any] = {}
        self._old: dict[str, Any] | None = None if path is not None else {}
        self._new: dict[str, Any] = {}
        self._stamps: dict[str, Any] = {}
        self._keep_entries = True  # False: this load wrote no entry (forgo_entries)
        self._untrusted = False  # a known file could not be trusted: rewrite so its stamp becomes usable
        if path is not None:
            self._read_stamps(path.with_name("stamps.json"))

    def stamped(self, name: str, st: os.stat_result) -> Any | None:
        """What was recorded for `name` if the file provably did not change since, else None."""
        old = self._old_stamps.get(name)
        if old is None:
            return None
        mtime = st.st_mtime_ns
        if st.st_mode & _FORMAT_BITS != _REGULAR or mtime >= self._written_ns - RACY_NS or \
                old[0] != mtime or old[1] != st.st_size or old[2] != st.st_ino:
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

    def get(self, key: str, source: bytes | str) -> Any | None:
        """The entry under `key`, or None. `source` is the file's bytes, or its path (read only when the
        entry is sealed): a sealed entry opens with the bytes it was made from, else it is a miss."""
        entry = self._entries().get(key)
        if entry is None:
            return None
        self._new[key] = entry
        if not _is_sealed(entry):
            return entry
        self._secret_keys.add(key)
        return _open(entry, self._keys(key, lambda: source if isinstance(source, bytes) else _read_path(source)))

    def put(self, key: str, entry: Any, data: bytes) -> None:
        """Keep `entry`, made from a file with the bytes `data`: sealed with them when it holds a secret."""
        if holds_secret(entry, self._secrets):
            self._secret_keys.add(key)
            entry = {_SEALED: seal_bytes(orjson.dumps(entry), self._keys(key, lambda: data))}
        self._new[key] = entry

    def seal(self, root: Path, relative: str, value: Any) -> Any:
        """`value` (taken from the spec file `relative`) as the snapshot may keep it: sealed when the file
        holds a secret, as it is otherwise."""
        content_key = self._stamps.get(relative, [None] * 4)[3]
        if content_key not in self._secret_keys:
            return value
        return {_SEALED: seal_bytes(orjson.dumps(value), self._keys(content_key, lambda: _read(root, relative)))}

    def unseal(self, root: Path, relative: str, value: Any) -> Any | None:
        """What `seal` was given, or None when the file no longer opens it (then the snapshot is not used)."""
        if not _is_sealed(value):
            return value
        content_key = self._stamps.get(relative, [None] * 4)[3]  # stamped (trusted) just before
        if content_key is not None:  # sealed again when a snapshot updated in place is saved
            self._secret_keys.add(content_key)
        return _open(value, self._keys(content_key, lambda: _read(root, relative)))

    def _keys(self, content_key: str | None, data: Callable[[], bytes]) -> Keys:
        if content_key is None:
            return file_keys(data(), self._salt)
        keys = self._file_keys.get(content_key)
        if keys is None:
            keys = self._file_keys[content_key] = file_keys(data(), self._salt)
        return keys

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

    def forgo_entries(self) -> None:
        """Look no entry up and keep the entries file as it is (a load that checks a few changed files)."""
        self._old, self._keep_entries = {}, False

    def save(self) -> None:
        """Keep only what this load used; write atomically; a read-only folder just means no cache."""
        if self.path is None:
            return
        header = {"format": CACHE_FORMAT, "salt": self._salt}
        used = self._new.keys() != (self._old or {}).keys()
        if self._keep_entries and used:
            write_json(self.path, {**header, "entries": self._new})
        if self._stamps != self._old_stamps or self._untrusted:
            write_json(self.path.with_name("stamps.json"),
                        {**header, "written_ns": time.time_ns(), "stamps": self._stamps})


def _open(sealed: dict[str, Any], keys: Keys) -> Any | None:
    plain = open_sealed(sealed[_SEALED], keys)
    return None if plain is None else orjson.loads(plain)


def _is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get(_SEALED), str) and len(value) == 1


def _read(root: Path, relative: str) -> bytes:
    return _read_path(os.path.join(root, relative))


def _read_path(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""  # nothing opens with it: the load goes the slow way


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Written whole or not at all (a temporary file renamed into place); a read-only folder: not written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps(payload))
        os.replace(tmp, path)
    except OSError:
        return


def cache_salt(config_fingerprint: bytes, kinds_key: str = "") -> str:
    """Entries are valid only for this dhsync version, this cache format, these dhsync.yaml defaults and
    these function kinds (`kinds_key` names the runtimes serving them: a plugin installed or removed
    turns a kind valid or unknown)."""
    version = f"{__version__}/{CACHE_FORMAT}".encode()
    kinds = b"\0" + kinds_key.encode() if kinds_key else b""  # none passed: the keys of before, kept
    return hashlib.sha256(version + b"\0" + config_fingerprint + kinds).hexdigest()[:32]
