"""What every SDK object shares: DigitalHub's envelope, the export key order, paged listings."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from dhsync.backends.base import DEFAULT_PAGE_SIZE
from dhsync.model.state import Page

# The order of `to_dict()` / `export()` in the DigitalHub SDK (contract §1.1).
EXPORT_ORDER: tuple[str, ...] = ("kind", "metadata", "spec", "status", "user", "project", "name", "id", "key")


class Status(dict[str, Any]):
    """A status mapping whose keys also read as attributes, like the SDK's (`run.status.state`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            if name in ("state", "message"):
                return None
            raise AttributeError(name) from None


class EntityObject:
    """The envelope of a project, function, task or run as a backend returned it."""

    kind: str
    name: str
    project: str
    id: str
    key: str
    metadata: dict[str, Any]
    spec: dict[str, Any]
    status: Status
    user: str | None

    def _load(self, entity: Mapping[str, Any]) -> None:
        data = copy.deepcopy(dict(entity))
        self.kind = str(data["kind"])
        self.id = str(data["id"])
        self.name = str(data.get("name") or self.id)
        self.project = str(data.get("project") or self.name)
        self.key = str(data.get("key", ""))
        self.metadata = dict(data.get("metadata") or {})
        self.spec = dict(data.get("spec") or {})
        self.status = Status(data.get("status") or {})
        self.user = data.get("user")
        self._extra = {k: v for k, v in data.items() if k not in EXPORT_ORDER}

    def to_dict(self) -> dict[str, Any]:
        """The entity in the SDK's export shape and key order; absent (None) fields are left out."""
        values: dict[str, Any] = {
            "kind": self.kind, "metadata": self.metadata or None, "spec": self.spec,
            "status": dict(self.status) or None, "user": self.user, "project": self.project,
            "name": self.name, "id": self.id, "key": self.key or None,
        }
        out = {k: copy.deepcopy(values[k]) for k in EXPORT_ORDER if values[k] is not None}
        out.update(copy.deepcopy(self._extra))
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key or self.id!r})"


def iterate_pages(fetch: Callable[[int, int], Page],
                  size: int = DEFAULT_PAGE_SIZE) -> Iterator[Mapping[str, Any]]:
    """Every item of a paged listing, asking for the next page until the backend says it was the last."""
    page_number = 0
    while True:
        page = fetch(page_number, size)
        yield from page.items
        if page.last or not page.items:
            return
        page_number += 1
