"""Find and read `dhsync.yaml`."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from pydantic import ValidationError

from dhsync.model.diagnostics import Diagnostic
from dhsync.model.errors import InvalidInputError
from dhsync.specs.filekind import not_regular
from dhsync.specs.issues import from_validation
from dhsync.specs.models.config import CONFIG_FILE, Config
from dhsync.specs.yamlio import Locator, read_documents

# what to do about a dhsync.yaml that is there but no file (not `dhsync init --force`: it would open a FIFO)
NOT_A_CONFIG_FIX = f"remove it and write {CONFIG_FILE} as a regular file"


def find_config(start: Path) -> Path | None:
    """The `dhsync.yaml` in `start` (a folder or the file itself), or None when there is none; one that is
    there but no regular file (a FIFO, a folder, a link to nothing) is an InvalidInputError saying so, not
    "no dhsync.yaml", which would send the user to create a file that exists."""
    candidate = start if start.name == CONFIG_FILE else start / CONFIG_FILE
    what = not_a_config_file(candidate)
    if what is not None:
        raise InvalidInputError(f"`{candidate}` is {what}, so dhsync does not read it; {NOT_A_CONFIG_FIX}")
    return candidate if candidate.is_file() else None


def not_a_config_file(path: Path) -> str | None:
    """What `path` is, in words, when something is there that is no regular file; None for a regular file
    or nothing at all. Only stat is used: opening a FIFO would wait for a writer."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a symbolic link to nothing" if os.path.islink(path) else None
    except OSError as exc:
        return "a symbolic link loop" if exc.errno == errno.ELOOP else None
    what = not_regular(mode)
    return None if what is None else f"{what}, not a regular file"


def load_config(path: Path) -> Config:
    """Parse `dhsync.yaml`; raises InvalidInputError naming the file, line and field."""
    docs = read_documents(path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise InvalidInputError(f"{path}: dhsync.yaml must hold exactly one mapping (project, backend, …)")
    try:
        return Config.model_validate(docs[0])
    except ValidationError as exc:
        issue = from_validation(exc.errors(include_url=False), 0, Config)[0]
        where = Locator(path.read_text(encoding="utf-8-sig"), str(path)).locate(0, issue.path, key=issue.at_key)
        raise InvalidInputError(Diagnostic(issue.severity, issue.code, issue.message, where, issue.path,
                                           issue.suggestion).one_line()) from None
