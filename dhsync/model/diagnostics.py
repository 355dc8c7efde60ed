"""Diagnostics: what loading and validating found wrong, located to file:line:column and field path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based, 0 when unknown."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem. `code` is a stable identifier tests and editors can match on."""

    severity: Severity
    code: str
    message: str
    location: Location
    path: tuple[str | int, ...] = ()
    suggestion: str | None = None
    related: tuple[Location, ...] = field(default=())

    @property
    def field_path(self) -> str:
        return format_path(self.path)

    def at(self, location: Location) -> Diagnostic:
        return replace(self, location=location)

    def one_line(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.path:
            text += f" ({self.field_path})"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.field_path,
            "suggestion": self.suggestion,
            "related": [str(loc) for loc in self.related],
        }


def format_path(path: Sequence[str | int]) -> str:
    """`spec.volumes[0].name` style, the way users write it in YAML."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def error(code: str, message: str, location: Location, path: Sequence[str | int] = (),
          suggestion: str | None = None, related: Iterable[Location] = ()) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, location, tuple(path), suggestion, tuple(related))


def warning(code: str, message: str, location: Location, path: Sequence[str | int] = (),
            suggestion: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, location, tuple(path), suggestion)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.location.file, d.location.line, d.location.column, d.code)
