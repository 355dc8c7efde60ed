"""`dhsync apply [PATH | PLANFILE]`: make the backend match the repository, or apply a saved plan."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from dhsync.apply import ApplyResult, Request, RunSettings, reconcile
from dhsync.cli.common import EXIT_ERROR, EXIT_OK, finish, use_color
from dhsync.cli.plan_options import flags_from, selection_options
from dhsync.cli.repo import load_or_fail
from dhsync.cli.target import Target, backend_option, opened, resolve
from dhsync.model.errors import InvalidInputError
from dhsync.model.plan import Plan
from dhsync.plan.codec import from_dict, to_dict
from dhsync.render import apply_text, plan_text

PROMPT = "Apply these changes? Only 'yes' is accepted"


class TerminalReview:
    """Show the plan; ask on a terminal, refuse without one unless --auto-approve (or a saved plan)."""

    def __init__(self, auto_approve: bool, color: bool) -> None:
        self.auto_approve = auto_approve
        self.color = color

    def show(self, plan: Plan) -> None:
        for line in plan_text.render(to_dict(plan), self.color):
            click.echo(line)

    def confirm(self, plan: Plan) -> bool:
        if self.auto_approve:
            return True
        if not sys.stdin.isatty():
            raise InvalidInputError(
                "the plan above was not applied: apply asks for confirmation and there is no terminal. Pass "
                "--auto-approve, or save the plan (`dhsync plan --out plan.json`) and apply that file")
        click.echo("")
        answer: str = click.prompt(PROMPT, default="", show_default=False)
        return answer.strip() == "yes"


def _read_plan(path: Path) -> Plan:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InvalidInputError(f"cannot read the plan file `{path}`: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InvalidInputError(f"`{path}` is not a plan file (not JSON: {exc}); make one with "
                                "`dhsync plan --out FILE`") from None
    return from_dict(data)


def _saved_target(plan: Plan, path: Path) -> tuple[Path, Target | None]:
    root = plan.source.get("root")
    if not root or not Path(root).is_dir():
        raise InvalidInputError(f"the plan `{path}` was made for the repository at `{root}`, which is not here; "
                                "make the plan again in this checkout")
    url, base = plan.source.get("backend"), plan.source.get("base_dir")
    target = None if not url else Target(Path(root), plan.project, url, Path(base or root), f"the plan {path}")
    return Path(root), target


@click.command(short_help="Make the backend match the repository, or apply a saved plan.")
@click.argument("source", default=".", type=click.Path(path_type=Path, exists=True))
@click.option("--auto-approve", is_flag=True, help="apply without asking (needed when there is no terminal)")
@selection_options
@click.option("--no-run", is_flag=True, help="leave the declared runs out (the next apply triggers them)")
@click.option("--run-timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="stop a triggered run that takes longer (it ends in ERROR)")
@backend_option
def apply(source: Path, auto_approve: bool, prune: bool | None, allow_empty: bool, cascade: bool,
          ignore_protect: bool, select: tuple[str, ...], exclude: tuple[str, ...], no_run: bool,
          run_timeout: float | None, backend_url: str | None) -> None:
    """Make the backend match the repository at SOURCE (default: here), or apply the plan file SOURCE
    exactly (refused with exit 3 when the backend or the repository changed since it was made)."""
    saved = _read_plan(source) if source.is_file() else None
    if saved is not None and (prune is not None or allow_empty or cascade or ignore_protect or select or exclude
                              or no_run):
        raise InvalidInputError("a saved plan is applied as it was made: give --prune, --allow-empty, --cascade, "
                                "--ignore-protect, --select and --exclude to `dhsync plan` (--no-run is "
                                "`--exclude 'run/*'` there)")
    if no_run:
        exclude = (*exclude, "run/*")
    root, target = _saved_target(saved, source) if saved is not None else (source, None)
    repo = load_or_fail(root)
    if target is None or backend_url is not None:
        target = resolve(root, backend_url, repo.config.project)
    color = use_color()
    request = Request(repo.desired, repo.config, root, target.url, target.base_dir,
                      flags_from(prune, allow_empty, select, exclude, cascade, ignore_protect),
                      RunSettings(root.resolve(), run_timeout), saved)
    bar = _bar_writer() if sys.stderr.isatty() else None
    reporter = apply_text.LineReporter(click.echo, color=color, bar=bar)
    with opened(target) as backend:
        try:
            result = reconcile(backend, request, TerminalReview(auto_approve or saved is not None, color), reporter)
        except KeyboardInterrupt:
            said = apply_text.interrupted_line(reporter)
            if said is not None:
                click.echo(f"\n{said}", err=True)
            raise
    _report(result)
    finish(EXIT_OK if result.ok else EXIT_ERROR)


def _bar_writer() -> apply_text.Write:
    def write(text: str) -> None:
        click.echo(text, err=True, nl=False)
    return write


def _report(result: ApplyResult) -> None:
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if not result.outcomes:
        return
    click.echo("")
    for line in apply_text.run_lines(result):
        click.echo(line)
    click.echo(apply_text.result_line(result))
