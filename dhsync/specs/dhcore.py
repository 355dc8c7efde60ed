"""DHCore 0.15's JSON Schemas, shipped with the package, by entity type and kind."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

_FOLDERS = ("function", "task", "run")


def _schema_file(folder: str, kind: str) -> Any:
    return resources.files("dhsync.specs").joinpath("dhcore_schemas", folder, f"{kind}.json")


@cache
def known_kinds() -> frozenset[str]:
    """Every kind DHCore 0.15 publishes a spec schema for."""
    kinds: set[str] = set()
    for folder in _FOLDERS:
        directory = resources.files("dhsync.specs").joinpath("dhcore_schemas", folder)
        kinds.update(entry.name.removesuffix(".json") for entry in directory.iterdir()
                     if entry.name.endswith(".json"))
    return frozenset(kinds)


def folder_of(kind: str) -> str:
    if kind.endswith(":run"):
        return "run"
    return "task" if "+" in kind else "function"


@cache
def spec_schema(kind: str) -> dict[str, Any] | None:
    """DHCore 0.15's schema of `kind`'s spec, or None when it publishes none."""
    entry = _schema_file(folder_of(kind), kind)
    if not entry.is_file():
        return None
    loaded: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
    return loaded


@cache
def spec_validator(kind: str) -> Draft202012Validator | None:
    schema = spec_schema(kind)
    return Draft202012Validator(schema) if schema is not None else None
