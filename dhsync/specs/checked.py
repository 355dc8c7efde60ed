"""A checked document, as the checks (`validate`) make it and the cache and `resolve` read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dhsync.model.kinds import EntityType


@dataclass(frozen=True)
class Checked:
    """One valid document: what the user declares, in DigitalHub's shape, server-owned fields set aside."""

    doc: int
    kind: str
    type: EntityType
    content: dict[str, Any]
    set_aside: tuple[str, ...] = field(default=())
    # False when the document has errors: it is kept only so that its references and code path are
    # still checked (every problem in one run), never turned into an entity.
    valid: bool = True
