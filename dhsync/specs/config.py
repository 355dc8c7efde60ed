"""Find and read `dhsync.yaml`."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from dhsync.model.diagnostics import Diagnostic
from dhsync.model.errors import InvalidInputError
from dhsync.specs.issues import from_validation
from dhsync.specs.models.config import CONFIG_FILE, Config
from dhsync.specs.yamlio import Locator, read_documents


def find_config(start: Path) -> Path | None:
    """The `dhsync.yaml` in `start` (a folder or the file itself), or None."""
    candidate = start if start.name == CONFIG_FILE else start / CONFIG_FILE
    return candidate if candidate.is_file() else None


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
