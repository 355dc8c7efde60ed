"""Everything a supervisor needs to start and follow one run's child process, as a JSON file.

Written into the run's working folder (mode 0600: it holds the task's environment variables and the
secrets to mask in the log) so that
a detached supervisor process can pick it up; removed with that folder when the run ends.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dhsync.runtimes.base import BackendLocator

# The line a detached supervisor reads on its stdin before it starts the child: the caller sends it once
# READY (naming that supervisor) is recorded.
GO = b"go\n"


@dataclass(frozen=True)
class Job:
    project: str
    run_id: str
    request: str
    result: str
    cwd: str
    work: str
    log: str
    env: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None
    log_limit: int = 0
    reopen: BackendLocator | None = None
    # the values the run's spec holds as secrets: masked in its log (model.secret_values.secret_strings)
    secrets: tuple[str, ...] = ()

    def save(self, path: Path) -> Path:
        return write_private(path, json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> Job:
        data = json.loads(path.read_text(encoding="utf-8"))
        reopen = data.pop("reopen", None)
        secrets = tuple(data.pop("secrets", ()))
        return cls(**data, reopen=BackendLocator(**reopen) if reopen else None, secrets=secrets)

    def read_outcome(self) -> dict[str, Any] | None:
        """What the child wrote as its outcome; None when it ended without writing one."""
        try:
            outcome = json.loads(Path(self.result).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return outcome if isinstance(outcome, dict) else None


def write_private(path: Path, text: str) -> Path:
    """Write `text` to a file only its owner can read (mode 0600 from the start, never readable by others)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
