"""`dhsync validate` output: one line per problem for people, a JSON document for editors and CI.

Messages quote the values they complain about (`python_version` is `…`), so what is shown of them is
masked as plans are (README "Secrets"): credentials by their look anywhere in a message, and every quoted
value of a field whose name is a credential's (`db_password` is `…`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import orjson

from dhsync.model.diagnostics import Diagnostic, Severity
from dhsync.model.kinds import EntityType
from dhsync.model.redact import REDACTED, redact_text
from dhsync.model.secret_names import is_credential_name
from dhsync.specs.loader import LoadResult

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m"}


_QUOTED = re.compile(r"`([^`]*)`")
_INDEX = re.compile(r"\[\d+\]")


def shown(d: Diagnostic) -> Diagnostic:
    """`d` as it may be shown: no credential in its message or suggestion."""
    fields = frozenset(part for part in d.path if isinstance(part, str))
    secret_field = any(is_credential_name(part) for part in fields)
    message = _masked(d.message, secret_field, fields)
    # suggestions name fields and give examples (`did you mean `secrets`?`); they quote no value of the file
    suggestion = None if d.suggestion is None else redact_text(d.suggestion)
    if message == d.message and suggestion == d.suggestion:
        return d
    return replace(d, message=message, suggestion=suggestion)


def _masked(text: str, secret_field: bool, fields: frozenset[str]) -> str:
    text = redact_text(text)
    if not secret_field:
        return text

    def quoted(match: re.Match[str]) -> str:
        # under a credential's name every quoted value goes, but for field names (`db_password`, `hide`)
        names = _INDEX.sub("", match[1]).split(".")  # `secrets[0]`, `spec.envs`
        keep = all(name in fields for name in names) or match[1] == REDACTED
        return match[0] if keep else f"`{REDACTED}`"
    return _QUOTED.sub(quoted, text)


def text_lines(diagnostics: Sequence[Diagnostic], color: bool = False) -> list[str]:
    lines = []
    for d in map(shown, diagnostics):
        line = d.one_line()
        if color:
            word = f"{d.severity}:"
            line = line.replace(f" {word} ", f" {_COLORS[d.severity]}{word}\x1b[0m ", 1)
        lines.append(line)
    return lines


def summary(result: LoadResult) -> str:
    counts = Counter(d.severity for d in result.diagnostics)
    errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
    files = len(result.files)
    where = f"{files} file{'s' if files != 1 else ''}"
    if result.state is not None and not errors:
        entities = _entity_counts(result)
        tail = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
        return f"{result.root.as_posix()}: {entities} in {where}, no errors{tail}."
    parts = [f"{errors} error{'s' if errors != 1 else ''}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{result.root.as_posix()}: {', '.join(parts)} in {where}."


def _entity_counts(result: LoadResult) -> str:
    assert result.state is not None
    counts = Counter(e.type for e in result.state.entities)
    names = ((EntityType.FUNCTION, "function"), (EntityType.TASK, "task"), (EntityType.RUN, "declared run"))
    return ", ".join(f"{counts[t]} {n}{'s' if counts[t] != 1 else ''}" for t, n in names)


def as_json(result: LoadResult) -> str:
    counts = Counter(d.severity for d in result.diagnostics)
    payload: dict[str, Any] = {
        "ok": result.ok,
        "root": result.root.as_posix(),
        "project": result.config.project if result.config else None,
        "files": list(result.files),
        "entities": [{"type": str(e.type), "kind": e.kind, "name": e.name, "origin": str(e.origin)}
                     for e in (result.state.entities if result.state else ())],
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "diagnostics": [shown(d).to_dict() for d in result.diagnostics],
    }
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode()
