"""What the run commands (`run`, `runs`, `logs`, `stop`) share: how a run is referred to and its files."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dhsync.backends.base import Backend
from dhsync.runtimes import artifact_file

# Enough of an id to find the run again (`dhsync logs <this>`) without a clash in any realistic project.
REFER_CHARS = 12


def refer(run: Mapping[str, Any]) -> str:
    return str(run["id"])[:REFER_CHARS]


def artifact_files(backend: Backend, run: Mapping[str, Any]) -> dict[str, Path | None]:
    """Each output of the run -> the file (or folder) it was stored as, relative to here when inside."""
    outputs: Mapping[str, Any] = (run.get("status") or {}).get("outputs") or {}
    return {name: _shown(artifact_file(backend, str(key))) for name, key in outputs.items()}


def _shown(path: Path | None) -> Path | None:
    if path is None:
        return None
    relative = os.path.relpath(path)
    return Path(relative) if not relative.startswith("..") else path
