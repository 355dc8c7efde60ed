"""Find and read `dhsync.yaml`.

Checking it needs the pydantic models (0.1 s of imports); a dhsync.yaml whose bytes were checked before
is read back from `.dhsync/cache/config.json` instead, sealed with keys derived from those bytes and the
dhsync version (specs.seal). A damaged, foreign or stale entry does not open: a miss, never an answer.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson

from dhsync._version import __version__
from dhsync.model.diagnostics import Diagnostic
from dhsync.model.errors import InvalidInputError
from dhsync.specs.cache import write_json
from dhsync.specs.filekind import not_regular
from dhsync.specs.models.config import CONFIG_FILE, STATE_DIR, Config, config_from_dict
from dhsync.specs.seal import file_keys, open_sealed, seal
from dhsync.specs.yamlio import Locator, read_documents

# what to do about a dhsync.yaml that is there but no file (not `dhsync init --force`: it would open a FIFO)
NOT_A_CONFIG_FIX = f"remove it and write {CONFIG_FILE} as a regular file"
_CACHE_FORMAT = 1


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
    try:
        known = cached_config(path.parent, path.read_bytes())
    except OSError:
        known = None
    if known is not None:
        return known
    from pydantic import ValidationError  # only for a dhsync.yaml not seen before

    from dhsync.specs.issues import from_validation
    from dhsync.specs.models.config_schema import Config as Checked

    docs = read_documents(path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise InvalidInputError(f"{path}: dhsync.yaml must hold exactly one mapping (project, backend, …)")
    try:
        return config_from_dict(Checked.model_validate(docs[0]).model_dump())
    except ValidationError as exc:
        issue = from_validation(exc.errors(include_url=False), 0, Checked)[0]
        where = Locator(path.read_text(encoding="utf-8-sig"), str(path)).locate(0, issue.path, key=issue.at_key)
        raise InvalidInputError(Diagnostic(issue.severity, issue.code, issue.message, where, issue.path,
                                           issue.suggestion).one_line()) from None


def _cache_path(root: Path) -> Path:
    return root / STATE_DIR / "cache" / "config.json"


def _salt() -> str:
    return f"dhsync.yaml/{__version__}/{_CACHE_FORMAT}"


def cached_config(root: Path, data: bytes) -> Config | None:
    """The Config checked before from a dhsync.yaml with exactly these bytes, else None. The entry is
    sealed with keys derived from those bytes: `defaults` may hold a secret (README "Secrets"), and an
    entry made from other bytes does not open."""
    try:
        entry = orjson.loads(_cache_path(root).read_bytes())
        plain = open_sealed(entry["config"], file_keys(data, _salt()))
        return None if plain is None else config_from_dict(orjson.loads(plain))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


def remember_config(root: Path, data: bytes, config: Config) -> None:
    """Keep a Config just checked for the next command (the loader calls it; commands that only look don't)."""
    sealed = seal(orjson.dumps(config.to_dict()), file_keys(data, _salt()))
    write_json(_cache_path(root), {"format": _CACHE_FORMAT, "config": sealed})
