"""`dhsync drift`: for scheduled jobs, does the backend still match the repository? Exit 2 when not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson

from dhsync.apply import Flags, plan_now
from dhsync.cli.common import EXIT_CHANGES, EXIT_OK, finish
from dhsync.cli.repo import load_or_fail
from dhsync.cli.target import backend_option, opened, resolve
from dhsync.plan.codec import summary, to_dict
from dhsync.render.plan_text import ACTION_WORDS, degraded_lines, summary_line


@click.command(short_help="Exit 2 when the backend no longer matches the repository.")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@backend_option
def drift(path: Path, fmt: str, backend_url: str | None) -> None:
    """Check whether the backend drifted from the repository at PATH: exit 0 when it matches, 2 when
    `dhsync apply` would change something (one line per entity) or a declared run is degraded (its last
    run on the current version failed), 1 on error. Never writes."""
    repo = load_or_fail(path)
    target = resolve(path, backend_url, repo.config.project)
    with opened(target) as backend:
        planned = plan_now(backend, repo.desired, repo.config, Flags())
    for note in planned.notes:
        click.echo(f"note: {note}", err=True)
    plan = planned.plan
    drifted = [(ACTION_WORDS.get(str(c.action), str(c.action)), str(c.identity)) for c in plan.changes]
    degraded = to_dict(plan)["degraded"]
    if fmt == "json":
        click.echo(orjson.dumps({"project": plan.project, "drifted": bool(drifted), "summary": summary(plan.changes),
                                 "changes": [{"action": a, "address": addr} for a, addr in drifted],
                                 "degraded": degraded}).decode())
    else:
        _print_text(plan.project, drifted, summary(plan.changes), degraded)
    finish(EXIT_CHANGES if drifted or degraded else EXIT_OK)


def _print_text(project: str, drifted: list[tuple[str, str]], counts: dict[str, int],
                degraded: list[dict[str, Any]]) -> None:
    for action, address in drifted:
        click.echo(f"{address}: {action}")
    if drifted:
        click.echo(summary_line(counts))
    elif not degraded:
        click.echo(f"No drift: project {project} matches the repository.")
    for line in degraded_lines({"degraded": degraded}):
        click.echo(line)
