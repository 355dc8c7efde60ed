"""The whole desired state of a clean repository, kept so that an unchanged repository loads in one read.

Valid only while dhsync.yaml is byte-identical, the same spec files exist, and every spec and code file
it was built from still carries a trusted stamp (see CheckCache.stamped). JSON, never pickle: a cache
file can come from anywhere (a clone, an archive) and must not be able to run code.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from dhsync.model.diagnostics import Location
from dhsync.model.entities import DesiredEntity, Identity, TriggerPolicy
from dhsync.model.kinds import EntityType
from dhsync.specs.cache import CheckCache

SNAPSHOT_FORMAT = 2  # 2: keeps the desired state's digest
# dict lookups, not Enum calls: a warm load rebuilds tens of thousands of entities
_TYPES = {t.value: t for t in EntityType}
_TRIGGERS = {t.value: t for t in TriggerPolicy}


def snapshot_key(config_bytes: bytes, salt: str) -> str:
    return hashlib.sha256(salt.encode() + b"\0" + config_bytes).hexdigest()


def _row(entity: DesiredEntity, relative: str) -> list[Any]:
    return [entity.type.value, entity.project, entity.name, entity.kind, entity.metadata, entity.spec,
            relative, entity.origin.line, entity.protect, entity.function, entity.action,
            entity.trigger.value if entity.trigger else None, entity.sources]


def _entity(row: list[Any], display: Callable[[str], str]) -> DesiredEntity:
    type_, project, name, kind, metadata, spec, rel, line, protect, function, action, trigger, sources = row
    identity = Identity(_TYPES[type_], project, name)
    return DesiredEntity(identity, kind, metadata, spec, Location(display(rel), line, 1), protect, function, action,
                         _TRIGGERS[trigger] if trigger else None, sources)


def _sealed(row: list[Any], seal: Callable[[str, Any], Any] | None) -> list[Any]:
    """The row with its metadata and spec sealed when its file holds a secret (CheckCache.seal)."""
    shut = seal(row[6], [row[4], row[5]]) if seal is not None else None
    return [*row[:4], shut, None, *row[6:]] if isinstance(shut, dict) else row


def _opened(row: list[Any], root: Path, cache: CheckCache) -> list[Any] | None:
    if row[5] is not None or not isinstance(row[4], dict):
        return row
    pair = cache.unseal(root, row[6], row[4])
    return None if pair is None else [*row[:4], pair[0], pair[1], *row[6:]]


def save(path: Path, key: str, files: dict[str, str], entities: Sequence[tuple[str, DesiredEntity]],
         digest: str, seal: Callable[[str, Any], Any] | None = None) -> None:
    payload = {"format": SNAPSHOT_FORMAT, "key": key, "files": files, "digest": digest,
               "entities": [_sealed(_row(entity, relative), seal) for relative, entity in entities]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(orjson.dumps(payload))
        os.replace(tmp, path)
    except OSError:
        return


def load(path: Path, key: str, root: Path, files: Sequence[str], cache: CheckCache,
         display: Callable[[str], str]) -> tuple[list[DesiredEntity], str] | None:
    """The snapshot's entities and their digest if nothing they came from changed, else None."""
    try:
        data = orjson.loads(path.read_bytes())
        if data.get("format") != SNAPSHOT_FORMAT or data.get("key") != key:
            return None
        recorded: dict[str, str] = data["files"]
        if list(recorded) != list(files) or not _unchanged(root, recorded, data["entities"], cache):
            return None
        rows = [_opened(row, root, cache) for row in data["entities"]]
        if any(row is None for row in rows):
            return None
        return [_entity(row, display) for row in rows if row is not None], str(data["digest"])
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _unchanged(root: Path, recorded: dict[str, str], rows: list[list[Any]], cache: CheckCache) -> bool:
    prefix, stamped = os.path.join(root, ""), cache.stamped
    for relative, content_key in recorded.items():
        if stamped(relative, os.stat(prefix + relative)) != content_key:
            return False
    code_files = {source for row in rows for source in row[12]}
    return all(stamped(f"code:{source}", os.lstat(prefix + source)) is not None for source in code_files)
