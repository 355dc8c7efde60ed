"""One problem in one document, located by field path (the loader adds line and column). Apart from the
pydantic and JSON Schema translations in `issues`, so what only places issues (code files, references)
loads neither."""

from __future__ import annotations

from dataclasses import dataclass

from dhsync.model.diagnostics import Severity

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """A problem in one document of a file, located by field path; the loader adds line and column."""

    code: str
    message: str
    doc: int
    path: Path = ()
    suggestion: str | None = None
    at_key: bool = False
    severity: Severity = Severity.ERROR
    first: Path | None = None  # a repeated item: where the first one is; the loader says on which line
