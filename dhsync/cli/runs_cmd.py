"""`dhsync runs [PATH]`: the runs of the project, newest first, with state, duration and results."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

import click

from dhsync.backends.base import Backend
from dhsync.cli.common import use_color
from dhsync.cli.target import backend_option, opened, resolve
from dhsync.model.errors import NotFoundError
from dhsync.model.refs import FunctionRef
from dhsync.model.runstate import ACTIVE_STATES, RunState, state_of
from dhsync.render import runs as render
from dhsync.runtimes import UnknownExecutorError, refresh_run

STATES = tuple(str(state) for state in RunState if state is not RunState.DELETED)


@click.command("runs", short_help="List the runs, newest first, with state, duration and results.")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--function", "function_name", metavar="FUNCTION", help="only the runs of this function (any version)")
@click.option("--state", type=click.Choice(STATES, case_sensitive=False), metavar="STATE",
              help=f"only the runs in this state ({', '.join(STATES)})")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="show at most this many")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@backend_option
def runs(path: Path, function_name: str | None, state: str | None, limit: int, fmt: str,
         backend_url: str | None) -> None:
    """List the runs of the project of the repository at PATH (default: here), newest first."""
    from dhsync.sdk.run_lookup import iter_runs  # the SDK loads on use, not when `dhsync validate` starts

    target = resolve(path, backend_url)
    with opened(target) as backend:
        function = None
        if function_name is not None:
            latest = backend.list_functions(target.project, name=function_name, page=0, size=1).items
            if not latest:
                raise NotFoundError("function", function_name, target.project,
                                    hint=f"no runs to show in `{target.url}`")
            function = str(FunctionRef(str(latest[0]["kind"]), target.project, function_name))
        found = list(islice(iter_runs(backend, target.project, function=function,
                                      state=state.upper() if state else None), limit + 1))
        shown = [_refreshed(backend, r) for r in found[:limit]]
    summaries = [render.summary(run) for run in shown]
    if fmt == "json":
        click.echo(render.as_json(summaries))
        return
    if not summaries:
        click.echo(f"No runs in project `{target.project}` ({target.url}) match.", err=True)
        return
    for line in render.table(summaries, use_color()):
        click.echo(line)
    if len(found) > limit:
        click.echo(f"(the newest {limit}; --limit shows more)", err=True)


def _refreshed(backend: Backend, run: dict[str, Any]) -> dict[str, Any]:
    """A run still going, as its executor knows it now: one whose supervisor died is ended, not shown
    RUNNING forever. A run of an executor this dhsync lacks is shown as stored, with a warning."""
    if state_of(run) not in ACTIVE_STATES:
        return run
    try:
        return refresh_run(backend, run)
    except UnknownExecutorError as exc:
        click.echo(f"warning: {exc}; shown as stored", err=True)
        return run
