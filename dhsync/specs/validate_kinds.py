"""The actions of each function kind, as validation knows them.

They come from outside `specs` (which must not import the runtimes): `cli.repo` passes the runtimes' own,
plugins included, so a kind served by an installed runtime plugin validates. Loading without them knows
the built-in kinds only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Protocol

import orjson

from dhsync.model.kinds import BUILTIN_ACTIONS

Actions = Mapping[str, tuple[str, ...]]  # function kind -> its actions (each one task kind)


class KindActions(Protocol):
    """`key` names the mapping without computing it (it keys the load caches: other kinds, other results,
    and a warm load must not pay for the mapping); calling it gives the mapping, when a document is checked."""

    @property
    def key(self) -> str: ...

    def __call__(self) -> Actions: ...


class FixedKinds:
    """A mapping known up front (tests, callers that have it): its key is its content."""

    def __init__(self, actions: Actions) -> None:
        self._actions = {kind: tuple(names) for kind, names in actions.items()}
        self.key = hashlib.sha256(orjson.dumps(self._actions, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def __call__(self) -> Actions:
        return self._actions


def actions_of(kinds: KindActions | None) -> Actions:
    """The mapping `kinds` gives; the built-in kinds when nothing was passed in."""
    return BUILTIN_ACTIONS if kinds is None else kinds()
