"""`--select` and `--exclude`: narrow a plan to some entities without breaking what depends on what.

A pattern (fnmatch) matches an entity by its name (`train-*`) or by type and name (`task/*`,
`function/train-forecast`). Selecting a function selects its tasks and declared runs too; selecting
anything also selects the changes it requires (a task's new function version). Excluding something
excludes everything that requires it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from dhsync.model.entities import Identity
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Change


def matches(identity: Identity, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(identity.name, p) or fnmatchcase(str(identity), p) for p in patterns)


def _function_of(change: Change) -> str | None:
    return change.identity.name if change.identity.type is EntityType.FUNCTION else change.function


def _with_requirements(chosen: set[Identity], changes: Sequence[Change]) -> set[Identity]:
    by_identity = {c.identity: c for c in changes}
    todo = list(chosen)
    while todo:
        change = by_identity.get(todo.pop())
        for needed in change.requires if change is not None else ():
            if needed not in chosen:
                chosen.add(needed)
                todo.append(needed)
    return chosen


def _with_dependents(dropped: set[Identity], changes: Sequence[Change]) -> set[Identity]:
    grew = True
    while grew:
        grew = False
        for change in changes:
            if change.identity not in dropped and any(r in dropped for r in change.requires):
                dropped.add(change.identity)
                grew = True
    return dropped


def select(changes: Sequence[Change], include: Sequence[str], exclude: Sequence[str]) -> tuple[Change, ...]:
    chosen = {c.identity for c in changes}
    if include:
        functions = {c.identity.name for c in changes
                     if c.identity.type is EntityType.FUNCTION and matches(c.identity, include)}
        chosen = {c.identity for c in changes if matches(c.identity, include) or _function_of(c) in functions}
        chosen = _with_requirements(chosen, changes)
    if exclude:
        dropped = _with_dependents({c.identity for c in changes if matches(c.identity, exclude)}, changes)
        chosen -= dropped
    return tuple(c for c in changes if c.identity in chosen)
