"""`dhsync.yaml`: the project, the backend, which files hold specs, defaults and policies."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dhsync.specs.models.common import Name, StrictModel

CONFIG_FILE = "dhsync.yaml"
STATE_DIR = ".dhsync"
DEFAULT_BACKEND = "sqlite:///.dhsync/state.db"
# the backend URL that overrides dhsync.yaml's, for the CLI and the SDK alike
BACKEND_ENV_VAR = "DHSYNC_BACKEND"
DEFAULT_SPEC_GLOBS: tuple[str, ...] = ("**/*.yaml", "**/*.yml")


class Defaults(StrictModel):
    """Partial documents merged under every document of that type (the document wins)."""

    function: dict[str, Any] = Field(default_factory=dict, description="merged under every function")
    task: dict[str, Any] = Field(default_factory=dict, description="merged under every task")
    run: dict[str, Any] = Field(default_factory=dict, description="merged under every declared run")


class Policies(StrictModel):
    prune: bool = Field(False, description="delete what dhsync created and the repository no longer declares")
    protect: list[str] = Field(default_factory=list,
                               description="glob patterns of function names that are never deleted")
    allow_empty: bool = Field(False, description="allow pruning when the repository declares nothing")


class Config(StrictModel):
    """The `dhsync.yaml` at the root of a spec repository."""

    project: Name = Field(description="the DigitalHub project every document belongs to")
    backend: str = Field(DEFAULT_BACKEND, description="sqlite:///path, dhcore+https://host, or memory://")
    specs: list[str] = Field(default_factory=lambda: list(DEFAULT_SPEC_GLOBS),
                             description="glob patterns (relative to this file) of spec files")
    ignore: list[str] = Field(default_factory=list, description="glob patterns of files that are not specs")
    defaults: Defaults = Field(default_factory=Defaults)
    policies: Policies = Field(default_factory=Policies)
    ignore_changes: list[str] = Field(
        default_factory=list,
        description="field paths (e.g. spec.image) whose differences plan does not report",
    )
