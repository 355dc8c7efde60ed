"""The error that keeps a run from starting."""

from __future__ import annotations

from dhsync.model.errors import RuntimeExecutionError


class PrepareError(RuntimeExecutionError):
    """The run cannot start (its code, inputs or requirements are not there); the message becomes the
    run's ERROR message, so it names the cause and the next step."""
