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
from typing import Any, TypeVar

import click

from dhsync.backends import open_backend
from dhsync.backends.base import Backend
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
def opened(target: Target) -> Iterator[Backend]:
    try:
        backend = open_backend(target.url, target.base_dir)
    except (InvalidInputError, BackendError) as exc:
        raise type(exc)(f"{exc} (the backend comes from {target.source})") from None
    if target.url.startswith("memory://"):
        click.echo(f"warning: backend `{target.url}` (from {target.source}) lives in this process only: what this "
                   "command writes is gone when it ends", err=True)
    try:
        yield backend
    finally:
        backend.close()
