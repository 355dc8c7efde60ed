"""`dhsync lock info|release`: who holds the apply lock of a project, and freeing one left behind."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import click

from dhsync.cli.common import EXIT_OK, finish
from dhsync.cli.target import backend_option, opened, resolve
from dhsync.model.errors import InvalidInputError
from dhsync.model.state import LockInfo

_PATH = click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
_PROJECT = click.option("--project", help="project name (default: dhsync.yaml's)")


def _pid_note(lock: LockInfo) -> str:
    """Whether the holder still runs, when it is on this host (a hint only: containers share hostnames,
    not pids, so dhsync never frees a lock on this alone)."""
    if lock.host != socket.gethostname():
        return ""
    try:
        os.kill(lock.pid, 0)
    except ProcessLookupError:
        return " (no such process on this host now: if it was the apply, `dhsync lock release --force`)"
    except PermissionError:
        pass
    return ""


def describe(lock: LockInfo, now: datetime) -> list[str]:
    state = "expired (the next apply takes it over)" if lock.expired(now) else "held"
    return [f"project:   {lock.project}", f"state:     {state}", f"owner:     {lock.owner}",
            f"host, pid: {lock.host}, {lock.pid}{_pid_note(lock)}", f"since:     {lock.acquired_at.isoformat()}",
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
    if not force:
        raise InvalidInputError("the lock belongs to the apply that took it; if that process is gone, "
                                "`dhsync lock release --force` frees it")
    target = resolve(path, backend_url, project)
    with opened(target) as backend:
        freed = backend.force_release_lock(target.project)
    if freed is None:
        click.echo(f"project {target.project} was not locked; nothing to release")
    else:
        click.echo(f"released the lock of {freed.owner} on {freed.host} (pid {freed.pid}), held since "
                   f"{freed.acquired_at.isoformat()}")
    finish(EXIT_OK)
