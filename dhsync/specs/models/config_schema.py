"""`dhsync.yaml` as checked on a miss: pydantic models whose errors name the field, and the JSON Schema
`dhsync init` writes. Commands get the plain `models.config.Config` built from them (no pydantic needed
when dhsync.yaml is unchanged since the last load, see specs.config)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from dhsync.specs.models.common import Name, StrictModel
from dhsync.specs.models.config import DEFAULT_BACKEND, DEFAULT_SPEC_GLOBS

_GLOB_FIX = "write it from the folder of dhsync.yaml (e.g. `functions/**/*.yaml`), or copy the files in"


def _inside_repository(glob: str) -> str:
    """Spec globs match paths inside the repository, relative to dhsync.yaml: one that is absolute or has a
    `..` piece matches nothing, which would only show as "no file matches" (or as an empty repository)."""
    if glob.startswith(("/", "\\")) or glob[1:3] in (":/", ":\\"):
        raise ValueError(f"`{glob}` is an absolute path, but spec globs find files inside the repository only; "
                         f"{_GLOB_FIX}")
    if ".." in glob.replace("\\", "/").split("/"):
        raise ValueError(f"`{glob}` climbs out of the repository with `..`, but spec globs find files inside it "
                         f"only; {_GLOB_FIX}")
    return glob


SpecGlob = Annotated[str, AfterValidator(_inside_repository)]


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
    adopt: bool = Field(False, description="let apply take over (mark as managed) functions of a declared name "
                                           "that were made outside dhsync (by hand or by the SDK)")
    retry_failed_runs: bool = Field(False, description="let apply trigger again a declared run whose last "
                                                       "execution for the current version failed or never finished")


class Secrets(StrictModel):
    """What counts as a secret beyond the built-in rules (see the README's "Secrets")."""

    mask: list[str] = Field(default_factory=list,
                            description="glob patterns of env and parameter names whose values are always masked")
    show: list[str] = Field(default_factory=list,
                            description="names the built-in rules would mask that are not secrets (false positives)")


class Config(StrictModel):
    """The `dhsync.yaml` at the root of a spec repository."""

    project: Name = Field(description="the DigitalHub project every document belongs to")
    backend: str = Field(DEFAULT_BACKEND, description="sqlite:///path, dhcore+https://host, or memory://")
    specs: list[SpecGlob] = Field(default_factory=lambda: list(DEFAULT_SPEC_GLOBS),
                             description="glob patterns (relative to this file) of spec files")
    ignore: list[str] = Field(default_factory=list, description="glob patterns of files that are not specs")
    defaults: Defaults = Field(default_factory=Defaults)
    policies: Policies = Field(default_factory=Policies)
    secrets: Secrets = Field(default_factory=Secrets)
    ignore_changes: list[str] = Field(
        default_factory=list,
        description="field paths (e.g. spec.image) whose differences plan does not report",
    )
