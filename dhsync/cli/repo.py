"""Loading the spec repository for a command that acts on it: diagnostics printed, exit 1 on errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from dhsync.cli.common import use_color
from dhsync.model.diagnostics import Diagnostic
from dhsync.model.entities import DesiredEntity, DesiredState
from dhsync.model.errors import InvalidInputError
from dhsync.render.diagnostics import text_lines
from dhsync.specs.loader import LoadResult, load_repository
from dhsync.specs.models.config import Config


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


def load_checked(root: Path, *, use_cache: bool = True) -> LoadResult:
    """The repository at `root` with every problem found in it: the loader's, and what the runtimes of its
    function kinds check beyond the schema."""
    return load_repository(root, use_cache=use_cache, check=_RuntimeChecks())


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
