"""The one exception tree of dhsync; subclasses are chosen by what the caller does next."""

from __future__ import annotations


class DhsyncError(Exception):
    """Root of every error dhsync raises on purpose. Messages name the object and the next step."""

    exit_code = 1


class InvalidInputError(DhsyncError):
    """The user's input (files, arguments, names) is wrong; nothing was changed."""


class NotFoundError(DhsyncError):
    """A project, function, task or run does not exist."""

    def __init__(self, entity_type: str, identifier: str, project: str | None = None,
                 *, hint: str | None = None) -> None:
        where = f" in project `{project}`" if project else ""
        next_step = f"; {hint}" if hint else ""
        super().__init__(f"{entity_type} `{identifier}` not found{where}{next_step}")
        self.entity_type = entity_type
        self.identifier = identifier
        self.project = project


class ConflictError(DhsyncError):
    """The write would duplicate an identity or orphan dependents; nothing was changed."""


class BackendError(DhsyncError):
    """The backend failed, answered garbage, timed out, or its storage is unusable."""


class StalePlanError(DhsyncError):
    """A saved plan no longer matches the backend or the repository."""

    exit_code = 3


class LockHeldError(DhsyncError):
    """Another process holds the backend lock."""

    exit_code = 4


class ProtectedError(DhsyncError):
    """A protection rule refused the change (prune disabled, protected entity, empty desired set)."""

    exit_code = 5


class RuntimeExecutionError(DhsyncError):
    """A runtime could not execute a run."""
