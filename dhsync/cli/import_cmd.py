"""`dhsync import NAME… [--path PATH]`: adopt declared functions that were made outside dhsync."""

from __future__ import annotations

from pathlib import Path

import click

from dhsync.apply.adopt import import_functions
from dhsync.cli.common import EXIT_OK, finish
from dhsync.cli.repo import load_or_fail
from dhsync.cli.target import backend_option, opened, resolve


@click.command("import", short_help="Adopt declared functions that were made outside dhsync.")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("--path", "path", default=".", show_default=True,
              type=click.Path(path_type=Path, file_okay=False, exists=True), help="the spec repository")
@backend_option
def import_(names: tuple[str, ...], path: Path, backend_url: str | None) -> None:
    """Mark the functions NAME… (made by hand or by the SDK, and declared in the repository) as managed by
    dhsync, changing nothing else, as Terraform's `import` does. `dhsync plan` then shows how each differs
    from its declaration, and removing a declaration later makes it dhsync's to prune."""
    repo = load_or_fail(path)
    target = resolve(path, backend_url, repo.config.project)
    with opened(target) as backend:
        done = import_functions(backend, repo.desired, names)
    for item in done:
        if item.marked:
            click.echo(f"Imported function {item.name}: {len(item.marked)} of {item.versions} version(s) now "
                       "managed by dhsync.")
        else:
            click.echo(f"Function {item.name} was already managed by dhsync; nothing to do.")
    click.echo("Run `dhsync plan` to see how the imported functions differ from their declarations.")
    finish(EXIT_OK)
