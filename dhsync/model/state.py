"""The actual state of one project as a backend holds it, as plain DigitalHub-shaped dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Entity = Mapping[str, Any]


@dataclass(frozen=True)
class ActualState:
    """Every function version, task and run of a project, read in bulk.

    Functions hold all versions, newest first per name (the first of a name is its latest).
    """

    project: str
    functions: tuple[Entity, ...] = ()
    tasks: tuple[Entity, ...] = ()
    runs: tuple[Entity, ...] = ()

    def latest_functions(self) -> dict[str, Entity]:
        latest: dict[str, Entity] = {}
        for fn in self.functions:
            latest.setdefault(str(fn["name"]), fn)
        return latest


@dataclass(frozen=True)
class Page:
    """One page of a listing; `page` is 0-based like DHCore's."""

    items: tuple[Entity, ...]
    total: int
    page: int
    size: int

    @property
    def last(self) -> bool:
        return (self.page + 1) * self.size >= self.total


@dataclass(frozen=True)
class LockInfo:
    """Who holds the backend lock of a project, since when, until when."""

    project: str
    owner: str
    host: str
    pid: int
    token: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime
    extra: Mapping[str, Any] = field(default_factory=dict)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at
