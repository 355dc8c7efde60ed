"""What a runtime knows about a function that its JSON Schema cannot say (a handler that is not a python
name, a requirement that is not PEP 508), as located diagnostics for `validate`, `plan` and `apply`."""

from __future__ import annotations

from collections.abc import Iterable

from dhsync.model.diagnostics import Diagnostic, error
from dhsync.model.entities import DesiredEntity
from dhsync.model.kinds import EntityType
from dhsync.runtimes.registry import runtimes


def check_functions(entities: Iterable[DesiredEntity]) -> list[Diagnostic]:
    """One error per problem the runtime of each declared function finds; kinds without a runtime are
    stored and diffed like any other and have nothing to check here."""
    known = runtimes()
    found = []
    for entity in entities:
        runtime = known.get(entity.kind) if entity.type is EntityType.FUNCTION else None
        if runtime is None:
            continue
        for problem in runtime.check_function(entity.spec):
            found.append(error("runtime-check", f"function `{entity.name}`: {problem}", entity.origin, ("spec",)))
    return found
