"""`dhsync validate [PATH]`: every problem in every file, located, in one run."""

from __future__ import annotations

from pathlib import Path

import click

from dhsync.cli.common import EXIT_ERROR, EXIT_OK, finish, use_color
from dhsync.cli.repo import load_checked
from dhsync.render.diagnostics import as_json, summary, text_lines


@click.command(short_help="Check the spec repository; every problem, located.")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json is for editors and CI")
@click.option("--no-cache", is_flag=True, help="ignore and do not write the cache in .dhsync/cache/")
def validate(path: Path, fmt: str, no_cache: bool) -> None:
    """Check the spec repository at PATH (default: here) without touching any backend.

    Prints `file:line:col: error: message (field.path)` per problem; exit 0 when clean, 1 otherwise.
    """
    result = load_checked(path, use_cache=not no_cache)
    if fmt == "json":
        click.echo(as_json(result))
    else:
        for line in text_lines(result.diagnostics, color=use_color()):
            click.echo(line)
        click.echo(summary(result), err=True)  # stdout stays pure diagnostics, for piping
    finish(EXIT_OK if result.ok else EXIT_ERROR)
