"""Creating the run `dhsync run` executes: a declared run of the repository, or an ad-hoc run of a
stored function. (Its own module so the SDK loads only when a run is made: see run_cmd.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from dhsync.backends.base import Backend
from dhsync.cli.repo import Repository
from dhsync.cli.target import Target
from dhsync.model.errors import NotFoundError, RuntimeExecutionError
from dhsync.runtimes import BackendLocator, cannot_execute
from dhsync.sdk.declared import create_declared_run, declared_run
from dhsync.sdk.execution import create_run, locator


def reopen_of(target: Target) -> BackendLocator | None:
    """How a detached supervisor opens the target's backend (None: it lives in this process only)."""
    return locator(target.url, target.base_dir)


def _refuse_if_not_here(what: str, run_kind: str, spec: Mapping[str, Any]) -> None:
    why = cannot_execute(run_kind, spec)
    if why is not None:
        raise RuntimeExecutionError(f"{what} cannot execute on this machine: {why}. Nothing was stored")


def declared(backend: Backend, repo: Repository, name: str, overrides: Mapping[str, Any],
             lock_timeout: float = 0.0) -> dict[str, Any]:
    run = declared_run(repo.desired, name)
    _refuse_if_not_here(f"run `{name}`", run.kind, run.spec)
    return create_declared_run(backend, repo.desired, repo.config, name, overrides, lock_timeout=lock_timeout,
                               say=_note)


def _note(text: str) -> None:
    click.echo(f"note: {text}", err=True)


def adhoc(backend: Backend, target: Target, function_name: str, action: str,
          overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A run of `action` of the latest stored version of `function_name`, on this machine."""
    found = backend.list_functions(target.project, name=function_name, page=0, size=1).items
    if not found:
        raise NotFoundError("function", function_name, target.project,
                            hint=f"`dhsync apply` stores the repository's functions in `{target.url}`")
    fields = {"local_execution": True, **({"parameters": dict(overrides)} if overrides else {})}
    _refuse_if_not_here(f"a `{action}` run of function `{function_name}`", f"{found[0]['kind']}+{action}:run", fields)
    return create_run(backend, found[0], action, fields)
