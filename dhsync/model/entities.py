"""Frozen value types for entities as dhsync reasons about them.

Mappings inside these values are plain dicts produced by the loader or a backend; treat them as
read-only. Their content is DigitalHub's shape (`kind`, `name`, `project`, `metadata`, `spec`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import Any

from dhsync.model.diagnostics import Location
from dhsync.model.hashing import content_hash
from dhsync.model.kinds import EntityType

# Fields a backend owns; they are never desired state and never diffed.
SERVER_OWNED_TOP_LEVEL: frozenset[str] = frozenset({"id", "key", "status", "user", "extensions"})
SERVER_OWNED_METADATA: frozenset[str] = frozenset({
    "project", "name", "version", "created", "updated", "created_by", "updated_by", "relationships", "ref",
})
# Metadata the user owns: a change to these updates a function version in place.
USER_METADATA: tuple[str, ...] = ("description", "labels", "embedded")


class TriggerPolicy(StrEnum):
    ON_CHANGE = "on-change"
    ALWAYS = "always"
    MANUAL = "manual"


@dataclass(frozen=True, order=True, slots=True)
class Identity:
    """Who an entity is, independent of its version.

    functions: `name`; tasks: `<function>/<task-kind>` (one task per function and kind);
    declared runs: their declared `name`.
    """

    type: EntityType
    project: str
    name: str

    def __str__(self) -> str:
        return f"{self.type}/{self.name}"


def task_identity_name(function_name: str, task_kind: str) -> str:
    return f"{function_name}/{task_kind}"


@dataclass(frozen=True)
class DesiredEntity:
    """One entity the repository declares, normalised and with its references resolved by name."""

    identity: Identity
    kind: str
    metadata: Mapping[str, Any]
    spec: Mapping[str, Any]
    origin: Location
    protect: bool = False
    # For tasks and runs: the function (by name) and action they belong to.
    function: str | None = None
    action: str | None = None
    trigger: TriggerPolicy | None = None
    # Files the spec was built from (code files), relative to the repo root, with their sha256.
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def type(self) -> EntityType:
        return self.identity.type

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def project(self) -> str:
        return self.identity.project

    def to_document(self) -> dict[str, Any]:
        """The DigitalHub-shaped document (user-owned fields only)."""
        doc: dict[str, Any] = {"kind": self.kind, "project": self.project}
        if self.type is EntityType.FUNCTION or self.type is EntityType.RUN:
            doc["name"] = self.name
        if self.metadata:
            doc["metadata"] = dict(self.metadata)
        doc["spec"] = dict(self.spec)
        return doc


@dataclass(frozen=True)
class DesiredState:
    """What a spec repository declares for one project."""

    project: str
    entities: tuple[DesiredEntity, ...]
    # desired_digest(self), when the loader already knows it (an unchanged repository's snapshot keeps it)
    digest: str | None = field(default=None, compare=False)

    def by_type(self, entity_type: EntityType) -> tuple[DesiredEntity, ...]:
        return tuple(e for e in self.entities if e.type is entity_type)

    def get(self, identity: Identity) -> DesiredEntity | None:
        for entity in self.entities:
            if entity.identity == identity:
                return entity
        return None


def desired_digest(state: DesiredState) -> str:
    """A hash of everything the repository declares (content, protection, trigger policies); a saved plan
    is stale when it moves. `state.digest` when the loader knew it already."""
    if state.digest is not None:
        return state.digest
    entries = sorted((
        (e.identity.type.value, e.identity.name, e.kind, _plain(e.metadata), _plain(e.spec), e.protect,
         str(e.trigger or ""))
        for e in state.entities
    ), key=itemgetter(0, 1))
    return "sha256:" + content_hash((state.project, entries))


def _plain(value: Mapping[str, Any]) -> Mapping[str, Any]:
    # the loader's mappings are dicts already; copying 20,000 of them was a third of this hash
    return value if type(value) is dict else dict(value)
