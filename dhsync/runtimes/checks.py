"""What a runtime knows about a function that its JSON Schema cannot say (a handler that is not a python
name, a requirement that is not PEP 508), as located diagnostics for `validate`, `plan` and `apply`."""

from __future__ import annotations

from collections.abc import Callable

from dhsync.model.diagnostics import Diagnostic, error
from dhsync.model.entities import DesiredEntity
from dhsync.model.kinds import EntityType
from dhsync.runtimes.registry import runtimes


def function_checker() -> Callable[[DesiredEntity], list[Diagnostic]]:
    """The check of one entity (the loader keeps what it finds with the entity, so an unchanged one is
    not checked again); the runtimes are looked up once."""
    known = runtimes()

    def check(entity: DesiredEntity) -> list[Diagnostic]:
        runtime = known.get(entity.kind) if entity.type is EntityType.FUNCTION else None
        if runtime is None:  # kinds without a runtime are stored and diffed like any other
            return []
        return [error("runtime-check", f"function `{entity.name}`: {problem}", entity.origin, ("spec",))
                for problem in runtime.check_function(entity.spec)]

    return check
