"""Value types shared by every layer: entities, kinds, references, diagnostics, errors. No I/O."""

from __future__ import annotations

from dhsync.model.diagnostics import Diagnostic, Location, Severity
from dhsync.model.entities import DesiredEntity, DesiredState, Identity, TriggerPolicy
from dhsync.model.errors import (
    BackendError,
    ConflictError,
    DhsyncError,
    InvalidInputError,
    LockHeldError,
    NotFoundError,
    ProtectedError,
    StalePlanError,
)
from dhsync.model.kinds import EntityType

__all__ = [
    "BackendError",
    "ConflictError",
    "DesiredEntity",
    "DesiredState",
    "DhsyncError",
    "Diagnostic",
    "EntityType",
    "Identity",
    "InvalidInputError",
    "Location",
    "LockHeldError",
    "NotFoundError",
    "ProtectedError",
    "Severity",
    "StalePlanError",
    "TriggerPolicy",
]
