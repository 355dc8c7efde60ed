"""Run states as DHCore names them: the one definition the planner, the runtimes and the views share.

CREATED -> BUILT -> READY -> RUNNING -> COMPLETED | ERROR; RUNNING -> STOP -> STOPPED on request.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class RunState(StrEnum):
    CREATED = "CREATED"
    BUILT = "BUILT"
    READY = "READY"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"
    STOP = "STOP"
    STOPPED = "STOPPED"
    DELETED = "DELETED"


FINAL_STATES: frozenset[str] = frozenset({RunState.COMPLETED, RunState.ERROR, RunState.STOPPED, RunState.DELETED})
ACTIVE_STATES: frozenset[str] = frozenset({RunState.BUILT, RunState.READY, RunState.RUNNING, RunState.STOP})


def state_of(run: Mapping[str, Any]) -> str:
    """The state a run's status records (a run with none was just created)."""
    return str((run.get("status") or {}).get("state") or RunState.CREATED)
