"""The code of a python function on disk, ready for the child process to import.

Where the code comes from, first match wins: `source.source` a `git+file://` / `git+https://` URL
(cloned); inline `code`; `base64`; `source.source` a file of the repository. Single-file code is
written as `<file-stem>.py` and as `main.py`, so `func`, `main:func` and `<stem>:func` all find it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dhsync.model.redact import redact_url
from dhsync.runtimes.local.errors import PrepareError
from dhsync.runtimes.local.files import cache_dir
from dhsync.runtimes.local.git import checkout, is_git_url

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_HANDLER_RE = re.compile(rf"^(?:(?P<module>{_IDENT}(?:\.{_IDENT})*):)?(?P<func>{_IDENT})$")
DEFAULT_MODULE = "main"


@dataclass(frozen=True)
class Code:
    """Import `module` from `folder` and call `function` (after `init_function`, when given)."""

    folder: Path
    module: str
    function: str
    init_function: str | None
    origin: str  # where the code came from, as shown in messages and the log (credentials redacted)


@lru_cache(maxsize=4096)  # validate parses every function's handler; most repeat
def parse_handler(text: str) -> tuple[str | None, str] | None:
    """`func` -> (None, func); `pkg.module:func` -> (pkg.module, func); None when malformed."""
    match = _HANDLER_RE.match(text.strip())
    return (match["module"], match["func"]) if match else None


def handler_problem(handler: Any) -> str | None:
    if not isinstance(handler, str) or not handler.strip():
        return "the python function has no `source.handler`; set it to `func` or `module:func`"
    if parse_handler(handler) is None:
        return (f"handler `{handler}` is not `func` or `module:func` (python names, e.g. `main` or "
                "`pkg.train:fit`)")
    return None


def materialise(source: Mapping[str, Any], *, repo_root: Path, work: Path,
                log: Callable[[str], None]) -> Code:
    problem = handler_problem(source.get("handler"))
    if problem is not None:
        raise PrepareError(problem)
    module, function = parse_handler(str(source["handler"])) or (None, "")
    init = source.get("init_function")
    if init is not None and (not isinstance(init, str) or parse_handler(init) != (None, init)):
        raise PrepareError(f"init_function `{init}` is not a python function name")
    uri = source.get("source")
    if isinstance(uri, str) and is_git_url(uri):
        folder = checkout(uri, cache_dir() / "git", log)
        return Code(folder, module or DEFAULT_MODULE, function, init, redact_url(uri))
    text, origin = _code_bytes(source, uri, repo_root)
    stem = _stem(uri)
    folder = work / "code"
    folder.mkdir(parents=True, exist_ok=True)
    for name in {stem, DEFAULT_MODULE}:
        (folder / f"{name}.py").write_bytes(text)
    return Code(folder, module or stem, function, init, origin)


def _code_bytes(source: Mapping[str, Any], uri: Any, repo_root: Path) -> tuple[bytes, str]:
    label = redact_url(uri) if isinstance(uri, str) and uri else "the inline code"
    if isinstance(source.get("code"), str):
        return str(source["code"]).encode("utf-8"), label
    if isinstance(source.get("base64"), str):
        try:
            return base64.b64decode(str(source["base64"]), validate=True), label
        except (binascii.Error, ValueError):
            raise PrepareError(f"source.base64 of the function ({label}) is not valid base64; "
                               "store the function again from its file") from None
    if not isinstance(uri, str) or not uri:
        raise PrepareError("the python function has no code: set source.source (a file or git URL), "
                           "source.code or source.base64")
    if "://" in uri:
        raise PrepareError(f"source `{label}` cannot be fetched by the local executor; use a file of the "
                           "repository, inline code, or a git+https:// / git+file:// URL")
    return _read_file(repo_root / uri, uri), uri


def _read_file(path: Path, uri: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PrepareError(f"source file `{uri}` not found (looked in {path.parent})") from None
    except OSError as exc:
        raise PrepareError(f"source file `{path}` cannot be read: {exc.strerror or exc}") from None


def _stem(uri: Any) -> str:
    if isinstance(uri, str) and uri.endswith(".py") and "://" not in uri:
        stem = Path(uri).stem
        if re.fullmatch(_IDENT, stem):
            return stem
    return DEFAULT_MODULE
