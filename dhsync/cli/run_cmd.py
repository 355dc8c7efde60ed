"""`dhsync run NAME [PATH]`: run a declared run on this machine now; `--function F`: an ad-hoc run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from dhsync.backends import shareable
from dhsync.backends.base import Backend
from dhsync.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, fail, finish, use_color
from dhsync.cli.repo import load_or_fail
from dhsync.cli.run_params import parse_params
from dhsync.cli.runs_common import artifact_files, refer
from dhsync.cli.target import backend_option, lock_timeout_option, opened, resolve
from dhsync.model.errors import InvalidInputError, RuntimeExecutionError
from dhsync.model.runstate import RunState
from dhsync.render import runs as render
from dhsync.runtimes import FINAL_STATES, BackendLocator, NotRunnableError, execute_run, read_logs, state_of

LOG_TAIL_LINES = 12


@click.command("run", short_help="Run a declared run (or a stored function) on this machine, now.")
@click.argument("args", nargs=-1, metavar="[NAME] [PATH]")
@click.option("--function", "function_name", metavar="FUNCTION",
              help="an ad-hoc run of the latest version of this stored function, instead of a declared run")
@click.option("--action", metavar="ACTION", help="with --function: the action to run (default: job)")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="a parameter of the handler; VALUE is read as YAML (7, 0.5, true, [1, 2], text); "
                   "overrides the declared one; repeatable")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="wait for the end (Ctrl-C stops the run), or return once it goes on in the background")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="stop the run when it takes longer (it ends in ERROR)")
@lock_timeout_option
@backend_option
def run(args: tuple[str, ...], function_name: str | None, action: str | None, params: tuple[str, ...], wait: bool,
        timeout: float | None, lock_timeout: float, backend_url: str | None) -> None:
    """Run the declared run NAME of the repository at PATH (default: here) on this machine, now.

    The function must be in the backend as the repository declares it (`dhsync apply` first). With
    --function FUNCTION [PATH], run the latest stored version of FUNCTION instead.

    Exit 0 when the run COMPLETED (with --no-wait: once it started), 1 when it ended in ERROR or cannot
    run here, 130 on Ctrl-C (the run is stopped and recorded STOPPED).
    """
    from dhsync.cli import run_start  # the SDK loads here, not when `dhsync validate` starts

    name, root = _positionals(args, function_name, action)
    overrides = parse_params(params)
    repo = None if function_name is not None else load_or_fail(root)
    target = resolve(root, backend_url, repo.config.project if repo is not None else None)
    if not wait and not shareable(target.url):
        raise InvalidInputError(f"--no-wait needs a backend another process can open; `{target.url}` lives in this "
                                "process only")
    reopen = run_start.reopen_of(target)
    with opened(target, create=True) as backend:
        if repo is None:
            created = run_start.adhoc(backend, target, str(function_name), action or "job", overrides)
        else:
            created = run_start.declared(backend, repo, str(name), overrides, lock_timeout)
        label = render.label_of(render.summary(created))
        click.echo(f"Running {label} as run {created['id']}" + (" (Ctrl-C stops it)" if wait else ""), err=True)
        finish(_execute(backend, created, target.root, wait=wait, timeout=timeout, reopen=reopen))


def _positionals(args: tuple[str, ...], function_name: str | None, action: str | None) -> tuple[str | None, Path]:
    if function_name is None and action is not None:
        raise InvalidInputError("--action goes with --function; a declared run names its action in its kind")
    if function_name is not None:
        if len(args) > 1:
            raise InvalidInputError(f"with --function, give at most the repository PATH (got {' '.join(args)})")
        return None, Path(args[0] if args else ".")
    if not args or len(args) > 2:
        raise InvalidInputError("give the name of a declared run, and optionally the repository PATH: `dhsync run "
                                "NAME [PATH]` (or `dhsync run --function FUNCTION` for an ad-hoc run)")
    return args[0], Path(args[1] if len(args) == 2 else ".")


def _execute(backend: Backend, created: dict[str, Any], root: Path, *, wait: bool, timeout: float | None,
             reopen: BackendLocator | None) -> int:
    color = use_color()
    project, id_ = str(created["project"]), str(created["id"])
    try:
        ended = execute_run(backend, created, repo_root=root.resolve(), wait=wait, timeout=timeout, reopen=reopen)
    except NotRunnableError as exc:
        _show(backend, backend.get_run(project, id_), color)
        fail(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _show(backend, backend.get_run(project, id_), color)
        click.echo("interrupted: the run was stopped", err=True)
        return EXIT_INTERRUPTED
    _show(backend, ended, color)
    return _ending(backend, ended)


def _show(backend: Backend, run: Mapping[str, Any], color: bool) -> None:
    for line in render.report(render.summary(run), artifact_files(backend, run), color):
        click.echo(line)


def _ending(backend: Backend, run: Mapping[str, Any]) -> int:
    state, ref = state_of(run), refer(run)
    if state == RunState.COMPLETED:
        click.echo(f"Logs: dhsync logs {ref}")
        return EXIT_OK
    if state not in FINAL_STATES:
        click.echo(f"It goes on in the background: `dhsync logs {ref} --follow` shows its output, `dhsync runs` "
                   f"its state, `dhsync stop {ref}` stops it.")
        return EXIT_OK
    try:
        tail = read_logs(backend, run).rstrip("\n").splitlines()[-LOG_TAIL_LINES:]
    except RuntimeExecutionError:  # it ended before it had a log (its spec could not be built)
        tail = []
    if tail:
        click.echo(f"Last lines of its log (`dhsync logs {ref}` shows all):", err=True)
        for line in tail:
            click.echo(f"  {line}", err=True)
    fail(str((run.get("status") or {}).get("message") or f"the run ended {state}"))
    return EXIT_ERROR
