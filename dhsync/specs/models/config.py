"""`dhsync.yaml` as commands read it: the project, the backend, which files hold specs, defaults and policies.

Plain frozen dataclasses, so a command whose dhsync.yaml did not change imports no pydantic: the file is
checked by the pydantic models of `config_schema` only when its content is new (specs.config).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONFIG_FILE = "dhsync.yaml"
STATE_DIR = ".dhsync"
DEFAULT_BACKEND = "sqlite:///.dhsync/state.db"
# the backend URL that overrides dhsync.yaml's, for the CLI and the SDK alike
BACKEND_ENV_VAR = "DHSYNC_BACKEND"
DEFAULT_SPEC_GLOBS: tuple[str, ...] = ("**/*.yaml", "**/*.yml")


@dataclass(frozen=True)
class Defaults:
    """Partial documents merged under every document of that type (the document wins)."""

    function: dict[str, Any] = field(default_factory=dict)
    task: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Policies:
    prune: bool = False
    protect: list[str] = field(default_factory=list)
    allow_empty: bool = False
    adopt: bool = False
    retry_failed_runs: bool = False


@dataclass(frozen=True)
class Secrets:
    mask: list[str] = field(default_factory=list)
    show: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Config:
    """The `dhsync.yaml` at the root of a spec repository (fields as `config_schema.Config` documents them)."""

    project: str
    backend: str = DEFAULT_BACKEND
    specs: list[str] = field(default_factory=lambda: list(DEFAULT_SPEC_GLOBS))
    ignore: list[str] = field(default_factory=list)
    defaults: Defaults = field(default_factory=Defaults)
    policies: Policies = field(default_factory=Policies)
    secrets: Secrets = field(default_factory=Secrets)
    ignore_changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """What `from_dict` reads back (the checked model's dump has the same shape)."""
        return {"project": self.project, "backend": self.backend, "specs": self.specs, "ignore": self.ignore,
                "defaults": vars(self.defaults), "policies": vars(self.policies), "secrets": vars(self.secrets),
                "ignore_changes": self.ignore_changes}


def config_from_dict(data: dict[str, Any]) -> Config:
    """The Config of a checked dump. Types are asserted, not coerced: a cached dump that does not fit
    raises (TypeError, KeyError, ValueError) and is then a miss."""
    config = Config(_typed(data["project"], str), _typed(data["backend"], str), _strings(data["specs"]),
                    _strings(data["ignore"]), Defaults(**_dicts(data["defaults"], 3)),
                    Policies(**data["policies"]), Secrets(**data["secrets"]), _strings(data["ignore_changes"]))
    if not all(isinstance(getattr(config.policies, name), bool)
               for name in ("prune", "allow_empty", "adopt", "retry_failed_runs")):
        raise TypeError("policies")
    for names in (config.policies.protect, config.secrets.mask, config.secrets.show):
        _strings(names)
    return config


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}")
    return value


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError("expected a list of strings")
    return value


def _dicts(value: Any, count: int) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or len(value) != count or not all(isinstance(v, dict) for v in value.values()):
        raise TypeError("expected mappings")
    return value
