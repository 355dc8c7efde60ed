"""`--select` and `--exclude`: narrow a plan to some entities without breaking what depends on what.

A pattern (fnmatch) matches an entity by its name (`train-*`) or by type and name (`task/*`,
`function/train-forecast`). Selecting a function selects its tasks and declared runs too, whether or
not the function itself changes; selecting anything also selects the changes it requires (a task's new
function version). Excluding a function excludes its tasks and runs; excluding anything excludes
everything that requires it.
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


def _functions_matching(changes: Sequence[Change], patterns: Sequence[str]) -> set[str]:
    """The functions the patterns name, among those the changes belong to (changed or not)."""
    names = {name for name in map(_function_of, changes) if name is not None}
    return {name for name in names if any(fnmatchcase(name, p) or fnmatchcase(f"function/{name}", p)
                                          for p in patterns)}


def _matching(changes: Sequence[Change], patterns: Sequence[str]) -> set[Identity]:
    functions = _functions_matching(changes, patterns)
    return {c.identity for c in changes if matches(c.identity, patterns) or _function_of(c) in functions}


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
        chosen = _with_requirements(_matching(changes, include), changes)
    if exclude:
        chosen -= _with_dependents(_matching(changes, exclude), changes)
    return tuple(c for c in changes if c.identity in chosen)
