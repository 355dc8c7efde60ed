"""`dhsync lock info|release`: who holds the apply lock of a project, and freeing one left behind."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from dhsync.backends import holder
from dhsync.cli.common import EXIT_OK, finish
from dhsync.cli.target import backend_option, opened, resolve
from dhsync.model.errors import InvalidInputError
from dhsync.model.state import LockInfo

_GONE = " (no such process on this host now: if it was the apply, `dhsync lock release --force`)"
_PATH = click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
_PROJECT = click.option("--project", help="project name (default: dhsync.yaml's)")


def describe(lock: LockInfo, now: datetime) -> list[str]:
    # One rule for "the holder is gone" (holder.ended: host, boot, pid namespace, start time), asked once, so
    # the state line and the host line cannot disagree.
    ended = holder.ended(lock)
    if lock.expired(now):
        state = "expired (the next apply takes it over)"
    elif ended:
        state = "held by a process that has ended (the next apply or run takes it over)"
    else:
        state = "held"
    return [f"project:   {lock.project}", f"state:     {state}", f"owner:     {lock.owner}",
            f"host, pid: {lock.host}, {lock.pid}{_GONE if ended else ''}",
            f"since:     {lock.acquired_at.isoformat()}",
            f"heartbeat: {lock.heartbeat_at.isoformat()}", f"expires:   {lock.expires_at.isoformat()}"]


@click.group()
def lock() -> None:
    """The lock `dhsync apply` holds while it writes (one per project)."""


@lock.command()
@_PATH
@_PROJECT
@backend_option
def info(path: Path, project: str | None, backend_url: str | None) -> None:
    """Who holds the lock, since when and until when."""
    target = resolve(path, backend_url, project)
    with opened(target) as backend:
        current = backend.lock_info(target.project)
    if current is None:
        click.echo(f"project {target.project} is not locked")
    else:
        for line in describe(current, datetime.now(UTC)):
            click.echo(line)
    finish(EXIT_OK)


@lock.command()
@_PATH
@_PROJECT
@click.option("--force", is_flag=True, help="required: the lock is someone else's")
@backend_option
def release(path: Path, project: str | None, force: bool, backend_url: str | None) -> None:
    """Free a lock left by an apply that died (its expiry would free it too)."""
    target = resolve(path, backend_url, project)
    with opened(target) as backend:
        if not force:
            held = backend.lock_info(target.project)
            if held is None:
                click.echo(f"project {target.project} is not locked; nothing to release")
                return finish(EXIT_OK)
            gone = ", which no longer runs" if holder.ended(held) else ""
            raise InvalidInputError(f"the lock belongs to {held.owner} on {held.host} (pid {held.pid}{gone}); if "
                                    "that process is gone, `dhsync lock release --force` frees it")
        freed = backend.force_release_lock(target.project)
    if freed is None:
        click.echo(f"project {target.project} was not locked; nothing to release")
    else:
        click.echo(f"released the lock of {freed.owner} on {freed.host} (pid {freed.pid}), held since "
                   f"{freed.acquired_at.isoformat()}")
    finish(EXIT_OK)
