"""YAML reading for one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from dhsync.model.errors import InvalidInputError


def read_documents(path: Path) -> list[Any]:
    """Every document of a YAML file as plain Python values; raises InvalidInputError when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read: {exc}") from None
    try:
        return [doc for doc in YAML(typ="safe", pure=True).load_all(text) if doc is not None]
    except YAMLError as exc:
        raise InvalidInputError(f"{path}: not valid YAML: {exc}") from None
