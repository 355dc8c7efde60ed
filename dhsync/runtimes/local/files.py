"""Where the files of a run live, and the keys of its artifacts."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "DHSYNC_CACHE_DIR"
_ARTIFACT_KEY_RE = re.compile(
    r"^store://(?P<project>[^/]+)/artifact/(?P<kind>[^/]+)/(?P<name>[^:/]+):(?P<id>[a-zA-Z0-9._+-]+)$")


@dataclass(frozen=True)
class RunFiles:
    """The log, the artifact folder and the working folder of one run under a backend's data folder."""

    data: Path
    run_id: str

    @property
    def log(self) -> Path:
        return self.data / "logs" / f"{self.run_id}.log"

    @property
    def artifacts(self) -> Path:
        return self.data / "artifacts" / self.run_id

    @property
    def work(self) -> Path:
        return self.data / "work" / self.run_id


def artifact_key(project: str, name: str, run_id: str) -> str:
    return f"store://{project}/artifact/artifact/{name}:{run_id}"


def artifact_path(data: Path, key: str) -> Path | None:
    """The file (or folder) an artifact key of a local run names; None when the key is not one or
    nothing is stored under it."""
    match = _ARTIFACT_KEY_RE.match(key)
    if match is None:
        return None
    folder = RunFiles(data, match["id"]).artifacts / match["name"]
    if not folder.is_dir():
        return None
    entries = sorted(folder.iterdir())
    return entries[0] if len(entries) == 1 else folder


def is_artifact_key(key: str) -> bool:
    return _ARTIFACT_KEY_RE.match(key) is not None


def cache_dir() -> Path:
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "dhsync"
