"""`dhsync doctor`: SQLite's full integrity check of the state database; exit 0 intact, 1 damaged."""

from __future__ import annotations

from pathlib import Path

import click

from dhsync.backends import examine_backend
from dhsync.cli.common import EXIT_OK, finish
from dhsync.cli.target import backend_option, resolve
from dhsync.model.errors import BackendError, InvalidInputError


@click.command(short_help="Check the state database for damage (read only).")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@backend_option
def doctor(path: Path, backend_url: str | None) -> None:
    """Run SQLite's full integrity check on the state database of the repository at PATH (or the one
    --backend names): exit 0 when it is intact, 1 when it is damaged or missing, with the file and what to do.
    Never writes to the database. (Opening a backend checks it only after dhsync did not close it cleanly.)"""
    target = resolve(path, backend_url, project="")  # no project: the whole file is checked
    try:
        health = examine_backend(target.url, target.base_dir)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{exc} (the backend comes from {target.source})") from None
    except BackendError as exc:  # missing, or no dhsync state database at all
        raise BackendError(f"{exc} (the backend comes from {target.source})") from None
    if not health.ok:
        raise BackendError(health.damage())
    click.echo(health.summary())
    finish(EXIT_OK)
