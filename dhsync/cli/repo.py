"""Loading the spec repository for a command that acts on it: diagnostics printed, exit 1 on errors."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import click

from dhsync.cli.common import use_color
from dhsync.model.diagnostics import Diagnostic
from dhsync.model.entities import DesiredEntity, DesiredState
from dhsync.model.errors import InvalidInputError
from dhsync.render.diagnostics import text_lines
from dhsync.specs.loader import LoadResult, load_repository
from dhsync.specs.models.config import Config
from dhsync.specs.validate_kinds import Actions

# runtimes.registry.ENTRY_POINT_GROUP, not imported from there: importing it loads every runtime
RUNTIME_ENTRY_POINTS = "dhsync.runtimes"


@dataclass(frozen=True)
class Repository:
    root: Path
    config: Config
    desired: DesiredState


class _RuntimeChecks:
    """The runtimes' checks of functions beyond the schema, imported on first use: the loader keeps what
    they found with each entity, so a warm load checks nothing and imports no runtime."""

    def __init__(self) -> None:
        self._check: Callable[[DesiredEntity], list[Diagnostic]] | None = None

    def __call__(self, entity: DesiredEntity) -> list[Diagnostic]:
        if self._check is None:
            from dhsync.runtimes.checks import function_checker

            self._check = function_checker()
        return self._check(entity)


class _RuntimeKinds:
    """The actions of each function kind the runtimes serve, plugins included, for validation. Its key is
    the installed plugins' entry points, which importlib.metadata lists without importing them, so a load
    the snapshot answers imports no runtime, and installing or removing a plugin changes the key."""

    def __init__(self) -> None:
        self.key = plugins_key()
        self._actions: Actions | None = None

    def __call__(self) -> Actions:
        if self._actions is None:
            from dhsync.runtimes.registry import runtimes

            self._actions = {kind: tuple(runtime.actions) for kind, runtime in runtimes().items()}
        return self._actions


def plugins_key() -> str:
    """The runtime plugins installed, as a short key ("" for none): entry point and distribution version,
    so that upgrading a plugin (maybe with other actions) changes it too."""
    points = sorted(_described(point) for point in entry_points(group=RUNTIME_ENTRY_POINTS))
    return hashlib.sha256("\n".join(points).encode()).hexdigest()[:16] if points else ""


def _described(point: EntryPoint) -> str:
    dist = point.dist
    return f"{point.name}={point.value} ({dist.name} {dist.version})" if dist is not None else \
        f"{point.name}={point.value}"


def load_checked(root: Path, *, use_cache: bool = True) -> LoadResult:
    """The repository at `root` with every problem found in it: the loader's (kinds as the runtimes serve
    them, plugins included), and what the runtimes of its function kinds check beyond the schema."""
    return load_repository(root, use_cache=use_cache, check=_RuntimeChecks(), kinds=_RuntimeKinds())


def load_or_fail(root: Path, *, use_cache: bool = True) -> Repository:
    """The repository at `root`, or InvalidInputError (exit 1) after printing every problem in it."""
    result = load_checked(root, use_cache=use_cache)
    for line in text_lines(result.diagnostics, color=use_color(sys.stderr)):
        click.echo(line, err=True)
    if not result.ok or result.config is None or result.state is None:
        errors = sum(1 for d in result.diagnostics if str(d.severity) == "error")
        raise InvalidInputError(f"the repository at `{root}` does not validate ({errors} error(s) above); fix them "
                                "and run again (`dhsync validate` lists them too)")
    return Repository(root, result.config, result.state)
