"""`dhsync plan`: what apply would change, as text, JSON (the plan file) or a Markdown PR comment."""

from __future__ import annotations

import os
from pathlib import Path

import click
import orjson

from dhsync.apply import Flags, plan_now, with_source
from dhsync.cli.common import EXIT_CHANGES, EXIT_OK, finish, use_color
from dhsync.cli.plan_options import selection_options, warn_unmatched
from dhsync.cli.repo import load_or_fail
from dhsync.cli.target import backend_option, opened, resolve
from dhsync.model.errors import InvalidInputError
from dhsync.plan.codec import to_dict
from dhsync.render import plan_markdown, plan_text


@click.command(short_help="Show what apply would change (text, JSON plan file, Markdown).")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="save the plan as JSON; `dhsync apply FILE` applies exactly it")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="exit 2 when there are changes, 0 when there are none")
@selection_options
@click.option("-q", "--quiet", is_flag=True, help="print only the summary line")
@backend_option
def plan(path: Path, out: Path | None, fmt: str, detailed_exitcode: bool, flags: Flags, quiet: bool,
         backend_url: str | None) -> None:
    """Show what `dhsync apply` would change in the backend to match the repository at PATH."""
    repo = load_or_fail(path)
    target = resolve(path, backend_url, repo.config.project)
    with opened(target, missing_ok=True) as backend:
        planned = plan_now(backend, repo.desired, repo.config, flags)
    for note in planned.notes:
        click.echo(f"note: {note}", err=True)
    warn_unmatched(repo.desired, planned.actual, flags)
    made = with_source(planned.plan, path, target.url, target.base_dir)
    data = to_dict(made)
    if out is not None:
        _save(out, data)
    if fmt == "json":
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    elif fmt == "markdown":
        click.echo(plan_markdown.render(data))
    elif quiet:
        click.echo(plan_text.quiet_line(data))
    else:
        for line in plan_text.render(data, use_color()):
            click.echo(line)
    if out is not None and fmt == "text" and not quiet:
        click.echo(f"\nSaved the plan to {out}; `dhsync apply {out}` applies exactly this plan.")
    finish(EXIT_CHANGES if detailed_exitcode and not made.empty else EXIT_OK)


def _save(out: Path, data: dict[str, object]) -> None:
    temporary = out.with_name(f".{out.name}.tmp")
    try:
        temporary.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        os.replace(temporary, out)
    except OSError as exc:
        raise InvalidInputError(f"cannot write the plan to `{out}`: {exc.strerror or exc}") from None
