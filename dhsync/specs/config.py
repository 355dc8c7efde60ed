"""Find and read `dhsync.yaml`."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from dhsync.model.errors import InvalidInputError
from dhsync.specs.models.config import CONFIG_FILE, Config
from dhsync.specs.yamlio import read_documents


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
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInputError(f"{path}: {first['msg']} ({where})") from None
