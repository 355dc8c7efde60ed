"""The whole desired state of a clean repository, kept per spec file so that an unchanged repository loads
in one read and a changed one re-checks only the files that changed (specs.loader).

Valid only while dhsync.yaml is byte-identical; a file's rows stand while the file (and every code file
they were built from) still carries a trusted stamp with the content key recorded here (see
CheckCache.stamped). Each row also keeps what the runtime checks found in its entity. JSON, never pickle:
a cache file can come from anywhere (a clone, an archive) and must not be able to run code.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dhsync.model.diagnostics import Diagnostic, Location, Severity
from dhsync.model.entities import DesiredEntity, Identity, TriggerPolicy
from dhsync.model.kinds import EntityType
from dhsync.specs.cache import CheckCache

# 4: JSON lines (a header, then a row a line); 3: rows keep the runtime checks' findings; 2: keeps the desired
# state's digest
SNAPSHOT_FORMAT = 4
# dict lookups, not Enum calls: a warm load rebuilds tens of thousands of entities
_TYPES = {t.value: t for t in EntityType}
_TRIGGERS = {t.value: t for t in TriggerPolicy}
_SEVERITIES = {s.value: s for s in Severity}
# row columns
TYPE, PROJECT, NAME, KIND, METADATA, SPEC, FILE, LINE, SOURCES, FINDINGS = 0, 1, 2, 3, 4, 5, 6, 7, 12, 13


def snapshot_key(config_bytes: bytes, salt: str) -> str:
    return hashlib.sha256(salt.encode() + b"\0" + config_bytes).hexdigest()


@dataclass
class Snapshot:
    files: dict[str, str]  # spec file -> its content key, in load order
    rows: dict[str, list[list[Any]]]  # spec file -> the rows of its entities, in order (sealed ones open)
    digest: str


def row(entity: DesiredEntity, relative: str, findings: Sequence[Diagnostic]) -> list[Any]:
    return [entity.type.value, entity.project, entity.name, entity.kind, entity.metadata, entity.spec,
            relative, entity.origin.line, entity.protect, entity.function, entity.action,
            entity.trigger.value if entity.trigger else None, entity.sources,
            [[d.severity.value, d.code, d.message, d.location.line, d.location.column, list(d.path), d.suggestion]
             for d in findings]]


def entity(values: list[Any], display: Callable[[str], str]) -> DesiredEntity:
    type_, project, name, kind, metadata, spec, rel, line, protect, function, action, trigger, sources, _ = values
    # the same fields `DesiredEntity(...)` and `Location(...)` set, set at once: a frozen dataclass's
    # __init__ sets each field with its own object.__setattr__ (a warm load builds tens of thousands)
    origin = _new(Location)
    _set(origin, "__dict__", {"file": display(rel), "line": line, "column": 1})
    made = _new(DesiredEntity)
    _set(made, "__dict__", {"identity": Identity(_TYPES[type_], project, name), "kind": kind, "metadata": metadata,
                            "spec": spec, "origin": origin, "protect": protect, "function": function,
                            "action": action, "trigger": _TRIGGERS[trigger] if trigger else None,
                            "sources": sources})
    return made


_new, _set = object.__new__, object.__setattr__


def findings(values: list[Any], where: str) -> list[Diagnostic]:
    return [Diagnostic(_SEVERITIES[sev], code, message, Location(where, line, col), tuple(path), hint)
            for sev, code, message, line, col, path, hint in values[FINDINGS]]


def _sealed(values: list[Any], seal: Callable[[str, Any], Any] | None) -> list[Any]:
    """The row with its metadata, spec and findings sealed when its file holds a secret (CheckCache.seal)."""
    inner = [values[METADATA], values[SPEC], values[FINDINGS]]
    shut = seal(values[FILE], inner) if seal is not None else inner
    if shut is inner:
        return values
    return [*values[:METADATA], shut, None, *values[FILE:FINDINGS], None]


def _opened(values: list[Any], root: Path, cache: CheckCache) -> list[Any] | None:
    if values[SPEC] is not None or not isinstance(values[METADATA], dict):
        return values
    inner = cache.unseal(root, values[FILE], values[METADATA])
    if inner is None:
        return None
    metadata, spec, found = inner
    return [*values[:METADATA], metadata, spec, *values[FILE:FINDINGS], found]


def save(path: Path, key: str, snapshot: Snapshot, seal: Callable[[str, Any], Any] | None = None) -> None:
    """One JSON line of header, then one line per row: the load decodes a row at a time instead of holding
    the whole file's bytes and its parse beside the entities (~75 MB at 30,000 functions). Written whole or
    not at all (a temporary file renamed into place); a read-only folder: not written."""
    rows = [_sealed(values, seal) for relative in snapshot.files for values in snapshot.rows.get(relative, ())]
    header = {"format": SNAPSHOT_FORMAT, "key": key, "files": snapshot.files, "digest": snapshot.digest,
              "rows": len(rows)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps(header))
            for values in rows:
                out.write(b"\n" + orjson.dumps(values))
        os.replace(tmp, path)
    except OSError:
        return


def load(path: Path, key: str) -> Snapshot | None:
    """The snapshot made under `key` (rows still sealed), or None when there is none or it is damaged."""
    try:
        with path.open("rb") as lines:
            header = orjson.loads(lines.readline())
            if header.get("format") != SNAPSHOT_FORMAT or header.get("key") != key:
                return None
            files: dict[str, str] = header["files"]
            rows: dict[str, list[list[Any]]] = {relative: [] for relative in files}
            shared: dict[str, str] = {}  # every entity's project and kind, one object each (~55 bytes per row)
            share = shared.setdefault
            count = 0
            loads = orjson.loads
            for line in lines:
                values = loads(line)
                values[PROJECT] = share(values[PROJECT], values[PROJECT])
                values[KIND] = share(values[KIND], values[KIND])
                rows[values[FILE]].append(values)
                count += 1
        if count != header["rows"]:  # cut short at a line's end
            return None
        return Snapshot(files, rows, str(header["digest"]))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


def open_rows(snapshot: Snapshot, root: Path, cache: CheckCache, names: Sequence[str]) -> bool:
    """Open the sealed rows of these files in place; False when one does not open (its file changed)."""
    all_rows = snapshot.rows
    for relative in names:
        rows = all_rows[relative]
        if all(values[SPEC] is not None for values in rows):
            continue  # nothing sealed (what _opened leaves as it is)
        opened = [_opened(values, root, cache) for values in rows]
        if any(values is None for values in opened):
            return False
        all_rows[relative] = [values for values in opened if values is not None]
    return True


@dataclass
class Changes:
    """What changed since the snapshot: spec files to check again (new or edited), files gone, and files
    whose spec is unchanged but a code file they send is not."""

    edited: list[str]
    removed: list[str]
    code: list[str]

    def __bool__(self) -> bool:
        return bool(self.edited or self.removed or self.code)


def changes(snapshot: Snapshot, root: Path, files: Sequence[str], cache: CheckCache) -> Changes:
    prefix, stamped, stat = os.path.join(root, ""), cache.stamped, os.stat
    listed = set(files)
    found = Changes([], [name for name in snapshot.files if name not in listed], [])
    recorded_of, rows, edited, code = snapshot.files.get, snapshot.rows, found.edited.append, found.code.append
    code_ok: dict[str, bool] = {}
    for relative in files:
        recorded = recorded_of(relative)
        if recorded is None:
            edited(relative)
            continue
        try:
            st = stat(prefix + relative.removeprefix("code:"))
        except OSError:
            edited(relative)
            continue
        if stamped(relative, st) != recorded:
            edited(relative)
            continue
        if _code_changed(rows[relative], stamped, prefix, code_ok):
            code(relative)
    return found


def _code_changed(rows: list[list[Any]], stamped: Callable[[str, os.stat_result], Any], prefix: str,
                  known: dict[str, bool]) -> bool:
    """Whether a code file these rows were built from changed (each code file stamped once per load)."""
    for values in rows:
        for source, sha in values[SOURCES].items():
            if not _code_unchanged(stamped, source, sha, prefix, known):
                return True
    return False


def _code_unchanged(stamped: Callable[[str, os.stat_result], Any], source: str, sha: str, prefix: str,
                    known: dict[str, bool]) -> bool:
    same = known.get(source)
    if same is None:
        try:
            recorded = stamped(f"code:{source}", os.lstat(prefix + source))
        except OSError:
            recorded = None
        same = known[source] = isinstance(recorded, list) and recorded[0] == sha
    return same
