"""Code files: `spec.source.source: src/train.py` is read from the repository and sent as base64;
inline `code:` becomes base64 too (as the SDK does). Remote sources (git+https://, s3:// …) stay as they are."""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from dhsync.model.diagnostics import Severity
from dhsync.specs.filekind import inside, not_regular
from dhsync.specs.files import read_whole
from dhsync.specs.issue import Issue
from dhsync.specs.suggest import did_you_mean

MAX_CODE_BYTES = 10 * 1024 * 1024
_SOURCE_PATH = ("spec", "source", "source")
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class CodeFile:
    relative: str
    sha256: str
    base64: str


def is_remote(source: str) -> bool:
    return "://" in source


def is_file_url(source: str) -> bool:
    scheme, colon, _ = source.partition(":")
    return bool(colon) and scheme.lower() == "file"


def file_url_issue(root: Path, source: str, doc: int) -> Issue | None:
    """A `file:` URL names a path on whichever machine reads it, and no executor reads one; outside the
    repository it would send (or run) what is not under review, so it is refused before anything runs."""
    parts = urlsplit(source)
    local = unquote(parts.path)
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, local))  # an absolute `local` replaces the root
    if parts.netloc not in ("", "localhost") or not inside(real, real_root):
        return _escapes(source, doc)
    relative = Path(os.path.relpath(real, real_root)).as_posix()
    return Issue("code-file-url", f"`{source}` is a file URL, which no executor fetches", doc, _SOURCE_PATH,
                 f"give the path relative to the repository (`{relative}`) so that dhsync sends the code",
                 severity=Severity.WARNING)


def encode_inline(spec_source: dict[str, Any]) -> None:
    if "code" in spec_source:
        spec_source["base64"] = base64.b64encode(str(spec_source.pop("code")).encode("utf-8")).decode("ascii")


class Stamps(Protocol):
    def stamped(self, name: str, st: os.stat_result) -> Any | None: ...
    def stamp(self, name: str, st: os.stat_result, payload: Any) -> None: ...


class CodeReader:
    """Reads the code files of one repository; an unchanged file (by its stamp) is not read again."""

    def __init__(self, root: Path, stamps: Stamps | None = None) -> None:
        self.root = root
        self._root_abs = os.path.abspath(root)
        self._root_real = os.path.realpath(root)
        self._stamps = stamps
        self._real_dirs: dict[str, str] = {}

    def read(self, source: str, doc: int) -> CodeFile | Issue:
        if os.path.isabs(source):
            return read_code_file(self.root, source, doc)
        norm = os.path.normpath(os.path.join(self._root_abs, source))
        folder = os.path.dirname(norm)
        real = self._real_dirs.get(folder)
        if real is None:
            real = self._real_dirs[folder] = os.path.realpath(folder)
        try:
            st = os.lstat(norm)
        except OSError:
            st = None
        inside = real == self._root_real or real.startswith(self._root_real + os.sep)
        if not inside or st is None or not stat.S_ISREG(st.st_mode):
            return read_code_file(self.root, source, doc)  # the careful path explains what is wrong
        known = self._stamps.stamped(f"code:{source}", st) if self._stamps else None
        if known is not None:
            return CodeFile(source, known[0], known[1])
        found = _read_regular(norm, st.st_size, source, doc)
        if isinstance(found, CodeFile) and self._stamps is not None:
            self._stamps.stamp(f"code:{source}", st, [found.sha256, found.base64])
        return found


def read_code_file(root: Path, source: str, doc: int) -> CodeFile | Issue:
    """The file `source` names, inside the repository `root`, or the issue that prevents reading it."""
    if PurePosixPath(source).is_absolute() or Path(source).is_absolute():
        return Issue("code-path-absolute", f"code path `{source}` is absolute", doc, _SOURCE_PATH,
                     "give a path relative to the repository root (the folder of dhsync.yaml)")
    lexical = Path(os.path.normpath(root.absolute() / source))
    if not lexical.is_relative_to(root.absolute()):
        return _escapes(source, doc)
    try:
        resolved = (root / source).resolve(strict=True)
    except FileNotFoundError:
        return _missing(root, source, doc)
    except (OSError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
            return Issue("code-path-loop", f"code path `{source}` is a symbolic link loop", doc, _SOURCE_PATH)
        return Issue("code-unreadable", f"cannot read code file `{source}`: {exc}", doc, _SOURCE_PATH)
    if not resolved.is_relative_to(root.resolve()):
        return _escapes(source, doc)  # through a symbolic link
    return _read(resolved, source, doc)


def _escapes(source: str, doc: int) -> Issue:
    return Issue("code-path-escapes", f"code path `{source}` leads outside the repository", doc, _SOURCE_PATH,
                 "keep code files inside the repository, or use a git+https:// source")


def _read(resolved: Path, source: str, doc: int) -> CodeFile | Issue:
    try:
        st = resolved.stat()
    except OSError as exc:
        return Issue("code-unreadable", f"cannot read code file `{source}`: {exc.strerror or exc}", doc,
                     _SOURCE_PATH)
    if stat.S_ISDIR(st.st_mode):
        return Issue("code-path-folder", f"code path `{source}` is a folder; dhsync sends single files", doc,
                     _SOURCE_PATH, "name the file that holds the handler")
    what = not_regular(st.st_mode)
    if what is not None:  # reading a FIFO waits for a writer, a device never ends
        return Issue("code-not-a-file", f"code path `{source}` is {what}, not a regular file", doc, _SOURCE_PATH,
                     "point `source` at a regular file of the repository")
    return _read_regular(str(resolved), st.st_size, source, doc)


def _read_regular(path: str, size: int, source: str, doc: int) -> CodeFile | Issue:
    """A file already known to be a regular file inside the repository (the common, fast case)."""
    if size > MAX_CODE_BYTES:
        return Issue("code-too-large", f"code file `{source}` is {size:,} bytes; the limit is {MAX_CODE_BYTES:,}",
                     doc, _SOURCE_PATH)
    try:
        data = read_whole(path, size, _NO_FOLLOW)  # no link swapped in since the lstat
    except OSError as exc:
        return Issue("code-unreadable", f"cannot read code file `{source}`: {exc.strerror or exc}", doc,
                     _SOURCE_PATH)
    return CodeFile(source, hashlib.sha256(data).hexdigest(), base64.b64encode(data).decode("ascii"))


def _missing(root: Path, source: str, doc: int) -> Issue:
    parent = (root / source).parent
    siblings = [p.name for p in parent.iterdir()] if parent.is_dir() else []
    hint = did_you_mean(PurePosixPath(source).name, siblings)
    if hint is not None:
        folder = PurePosixPath(source).parent
        close = hint.split("`")[1]
        hint = f"did you mean `{(folder / close).as_posix()}`?"
    return Issue("code-not-found", f"code file `{source}` does not exist", doc, _SOURCE_PATH,
                 hint or "paths are relative to the repository root (the folder of dhsync.yaml)")
