"""`dhsync stop RUN [PATH]`: stop a run through the executor it records and show how it ended."""

from __future__ import annotations

from pathlib import Path

import click

from dhsync.cli.common import use_color
from dhsync.cli.runs_common import artifact_files
from dhsync.cli.target import backend_option, opened, resolve
from dhsync.render import runs as render
from dhsync.runtimes import FINAL_STATES, refresh_run, state_of, stop_run


@click.command("stop", short_help="Stop a run executing on this machine.")
@click.argument("run_ref", metavar="RUN")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@backend_option
def stop(run_ref: str, path: Path, backend_url: str | None) -> None:
    """Stop RUN (a run id, a unique id prefix, or a declared run's name: its newest run) and print its
    final state. A run that has ended already is shown as it is. PATH is the repository (default: here)."""
    from dhsync.sdk.run_lookup import find_run  # the SDK loads on use, not when `dhsync validate` starts

    target = resolve(path, backend_url)
    with opened(target) as backend:
        run = refresh_run(backend, find_run(backend, target.project, run_ref))
        already = state_of(run) in FINAL_STATES
        ended = run if already else stop_run(backend, run)
        for line in render.report(render.summary(ended), artifact_files(backend, ended), use_color()):
            click.echo(line)
    if already:
        click.echo(f"It had ended already ({state_of(ended)}); nothing was stopped.", err=True)
