"""`dhsync init [PATH]`: scaffold a spec repository that validates and applies straight away."""

from __future__ import annotations

import re
import shlex
from importlib import resources
from pathlib import Path

import click

from dhsync.cli.common import EXIT_ERROR, EXIT_OK, fail, finish
from dhsync.model.errors import InvalidInputError
from dhsync.model.refs import require_name
from dhsync.specs.models.config import CONFIG_FILE
from dhsync.specs.schema_gen import CONFIG_SCHEMA, DOCUMENT_SCHEMA
from dhsync.specs.schema_gen import write as write_schemas

_FILES = {  # template -> destination
    "dhsync.yaml.tmpl": CONFIG_FILE,
    "functions/hello.yaml": "functions/hello.yaml",
    "src/hello.py": "src/hello.py",
    "gitignore.tmpl": ".gitignore",
}


def project_name_for(folder: Path) -> str:
    name = re.sub(r"[^a-zA-Z0-9._+-]+", "-", folder.resolve().name).strip("-")
    return name or "my-project"


@click.command(short_help="Scaffold a spec repository that validates and applies.")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--project", help="DigitalHub project name (default: the folder's name)")
@click.option("--force", is_flag=True, help="overwrite files that already exist")
def init(path: Path, project: str | None, force: bool) -> None:
    """Create a spec repository at PATH: dhsync.yaml, an example function with its code, task and run,
    and JSON Schemas for editors."""
    name = require_name(project, "--project") if project is not None else project_name_for(path)
    targets = [path / dest for dest in _FILES.values()]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        fail(f"{existing[0]} already exists; nothing was written (use --force to overwrite)")
        finish(EXIT_ERROR)
    try:
        _write(path, name)
    except OSError as exc:
        raise InvalidInputError(f"cannot write the spec repository at `{path}`: {exc.strerror or exc}"
                                f"{f' ({exc.filename})' if exc.filename else ''}; choose a folder you can write "
                                "to") from None
    click.echo(f"\nSpec repository for project `{name}` ready. Next: dhsync validate {shlex.quote(str(path))}")
    finish(EXIT_OK)


def _write(path: Path, name: str) -> None:
    templates = resources.files("dhsync").joinpath("templates", "init")
    for template, dest in _FILES.items():
        target = path / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        text = templates.joinpath(template).read_text(encoding="utf-8")
        target.write_text(text.replace("{project}", name) if dest == CONFIG_FILE else text, encoding="utf-8")
        click.echo(f"created {target}")
    for schema in write_schemas(path / "schemas", (DOCUMENT_SCHEMA, CONFIG_SCHEMA)):
        click.echo(f"created {schema}")
