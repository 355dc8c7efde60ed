"""Which repository, project and backend a command works on.

Every command that touches a backend takes `PATH` (the spec repository, default `.`) and `--backend`.
The backend is, first match wins: `--backend URL` (relative sqlite paths: the current directory) →
`DHSYNC_BACKEND` (the same) → the `backend` of PATH's `dhsync.yaml` (relative to that file) → the
embedded default beside it. The project is `--project` where a command offers it, else `dhsync.yaml`'s.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click

from dhsync.backends import open_backend, shareable
from dhsync.backends.base import Backend, MissingBackendError
from dhsync.model.errors import BackendError, InvalidInputError
from dhsync.specs.config import find_config, load_config
from dhsync.specs.models.config import BACKEND_ENV_VAR as ENV_VAR
from dhsync.specs.models.config import CONFIG_FILE, DEFAULT_BACKEND

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Target:
    root: Path
    project: str
    url: str
    base_dir: Path
    # which rule chose the backend: `--backend`, the environment variable, dhsync.yaml, the default
    source: str


def backend_option(func: F) -> F:
    decorated: F = click.option(
        "--backend", "backend_url", metavar="URL",
        help=f"backend URL (sqlite:///path.db, memory://); default ${ENV_VAR}, else dhsync.yaml's")(func)
    return decorated


def resolve(root: Path, backend_url: str | None = None, project: str | None = None) -> Target:
    """The target of a command run on the repository at `root` (InvalidInputError when it has none)."""
    config_path = find_config(root)
    config = load_config(config_path) if config_path is not None else None
    if project is None:
        if config is None:
            raise InvalidInputError(f"no {CONFIG_FILE} in `{root}`: run the command in a spec repository, give its "
                                    "path, or `dhsync init` one")
        project = config.project
    from_env = os.environ.get(ENV_VAR, "").strip()
    if backend_url is not None:
        if not backend_url.strip():
            raise InvalidInputError("--backend is an empty URL; give e.g. `sqlite:///state.db` or `memory://`")
        return Target(root, project, backend_url.strip(), Path.cwd(), "--backend")
    if from_env:
        return Target(root, project, from_env, Path.cwd(), f"environment variable {ENV_VAR}")
    if config is not None and config_path is not None:
        return Target(root, project, config.backend, config_path.parent.resolve(), str(config_path))
    return Target(root, project, DEFAULT_BACKEND, root.resolve(), "embedded default")


@contextlib.contextmanager
def opened(target: Target, *, create: bool = False, missing_ok: bool = False) -> Iterator[Backend]:
    """The target's backend, open for the command. Only commands that write new state (`apply`, `run`) pass
    `create=True`: a command that looks must not leave a database, or its folders, behind a mistyped URL.
    A missing database is an error naming its path, or with `missing_ok` (`plan`) an empty backend,
    said in a note."""
    try:
        backend = open_backend(target.url, target.base_dir, create=create)
    except MissingBackendError as exc:
        if not missing_ok:
            raise MissingBackendError(f"{exc} (the backend comes from {target.source})", exc.path) from None
        from dhsync.backends.absent import AbsentBackend  # on use: it loads the sqlite backend

        click.echo(f"note: no backend yet at `{exc.path}` (from {target.source}): everything is to create; "
                   "`dhsync apply` creates it", err=True)
        backend = AbsentBackend(exc.path, target.url)
    except (InvalidInputError, BackendError) as exc:
        raise type(exc)(f"{exc} (the backend comes from {target.source})") from None
    if not shareable(target.url):
        click.echo(f"warning: backend `{target.url}` (from {target.source}) lives in this process only: what this "
                   "command writes is gone when it ends", err=True)
    try:
        yield backend
    finally:
        backend.close()


class Duration(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.2+
    """`30s`, `2m`, `1h`, `1.5`: seconds (no unit), as a float; `0` means "do not wait"."""

    name = "duration"
    units: ClassVar[dict[str, float]] = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip().lower()
        number, unit = text.rstrip("smh"), text[len(text.rstrip("smh")):]
        try:
            seconds = float(number) * self.units[unit]
        except (ValueError, KeyError):
            self.fail(f"`{value}` is not a duration; give e.g. 30s, 2m, 1h or 0", param, ctx)
        if not seconds >= 0 or seconds == float("inf"):
            self.fail(f"`{value}` is not a duration of zero or more seconds", param, ctx)
        return seconds


def lock_timeout_option(func: F) -> F:
    decorated: F = click.option(
        "--lock-timeout", "lock_timeout", type=Duration(), default="0", show_default=True, metavar="DURATION",
        help="wait this long (30s, 2m, 1h) for the lock an apply or run holds, then exit 4; 0: do not wait")(func)
    return decorated
