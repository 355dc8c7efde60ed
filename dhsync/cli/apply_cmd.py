"""`dhsync apply [PATH | PLANFILE]`: make the backend match the repository, or apply a saved plan."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click
import orjson

from dhsync.apply import ApplyResult, Flags, Request, RunSettings
from dhsync.apply.reconcile import confirm_before_creating, reconcile
from dhsync.backends.absent import AbsentBackend
from dhsync.backends.base import Backend
from dhsync.cli.common import EXIT_ERROR, EXIT_OK, finish, use_color
from dhsync.cli.plan_options import selection_options, warn_unmatched
from dhsync.cli.repo import Repository, load_or_fail
from dhsync.cli.target import Target, backend_option, lock_timeout_option, opened, resolve
from dhsync.model.errors import InvalidInputError, StalePlanError
from dhsync.model.plan import Plan
from dhsync.plan.codec import from_dict, to_dict
from dhsync.render import apply_events, apply_text, plan_text
from dhsync.specs.config import find_config
from dhsync.specs.models.config import CONFIG_FILE

PROMPT = "Apply these changes? Only 'yes' is accepted"
_FLAG_WORDS = "--prune, --allow-empty, --cascade, --ignore-protect, --adopt, --select and --exclude"


class TerminalReview:
    """Show the plan; ask on a terminal, refuse without one unless --auto-approve (or a saved plan)."""

    def __init__(self, auto_approve: bool, show: Callable[[Plan], None]) -> None:
        self.auto_approve = auto_approve
        self._show = show

    def show(self, plan: Plan) -> None:
        self._show(plan)

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


def _saved_plan_target(plan: Plan, path: Path, repo: Repository, backend_url: str | None) -> Target:
    """The backend a saved plan applies to: the one this repository names (its dhsync.yaml, relative to it, or
    --backend/DHSYNC_BACKEND), which must be the one the plan was made against. Never the folder the plan
    was made in: CI jobs check out into different paths."""
    if repo.config.project != plan.project:
        raise StalePlanError(f"the plan `{path}` was made for project `{plan.project}`, and the repository at "
                             f"`{repo.root}` is project `{repo.config.project}`; nothing was applied")
    target = resolve(repo.root, backend_url, repo.config.project)
    made_on = plan.source.get("backend")
    if made_on and made_on != target.url:
        raise StalePlanError(f"the plan `{path}` was made against backend `{made_on}`, and here the backend is "
                             f"`{target.url}` (from {target.source}); nothing was applied. Pass --backend "
                             f"{made_on} to apply it there, or make the plan again here")
    return target


def _check_saved_flags(flags: Flags, no_run: bool, repo_path: Path | None, saved: Plan | None) -> None:
    if saved is None:
        if repo_path is not None:
            raise InvalidInputError(f"REPO (`{repo_path}`) goes with a plan file only: `dhsync apply plan.json "
                                    "REPO`; to apply a repository, give its path as the first argument")
        return
    if flags != Flags() or no_run:
        raise InvalidInputError(f"a saved plan is applied as it was made: give {_FLAG_WORDS} to `dhsync plan` "
                                "(--no-run is `--exclude 'run/*'` there)")


@click.command(short_help="Make the backend match the repository, or apply a saved plan.")
@click.argument("source", default=".", type=click.Path(path_type=Path, exists=True))
@click.argument("repo_path", metavar="[REPO]", required=False,
                type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--auto-approve", is_flag=True, help="apply without asking (needed when there is no terminal)")
@selection_options
@click.option("--no-run", is_flag=True, help="leave the declared runs out (the next apply triggers them)")
@click.option("--run-timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="stop a triggered run that takes longer (it ends in ERROR)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one JSON object per line (the plan, each change, notes) and a final summary object")
@click.option("-q", "--quiet", is_flag=True, help="no plan and no line per change: what failed, and the summary")
@lock_timeout_option
@backend_option
def apply(source: Path, repo_path: Path | None, auto_approve: bool, flags: Flags, no_run: bool,
          run_timeout: float | None, fmt: str, quiet: bool, lock_timeout: float,
          backend_url: str | None) -> None:
    """Make the backend match the repository at SOURCE (default: here), or apply the plan file SOURCE
    exactly to the repository of the current folder (or REPO), refused with exit 3 when that repository,
    its backend or what the backend holds differs from what the plan was made against."""
    saved = _read_plan(source) if source.is_file() else None
    _check_saved_flags(flags, no_run, repo_path, saved)
    if no_run:
        flags = replace(flags, exclude=(*flags.exclude, "run/*"))
    root = (repo_path or Path(".")) if saved is not None else source
    if saved is not None and find_config(root) is None:
        raise InvalidInputError(f"a saved plan applies to the repository of the current folder, and `{root}` has no "
                                f"{CONFIG_FILE}: run `dhsync apply {source}` in the repository's checkout, or give "
                                f"it: `dhsync apply {source} REPO`")
    repo = load_or_fail(root)
    target = (_saved_plan_target(saved, source, repo, backend_url) if saved is not None
              else resolve(root, backend_url, repo.config.project))
    if fmt == "json" and not (auto_approve or saved is not None):
        raise InvalidInputError("apply --format json does not ask for confirmation: pass --auto-approve, or apply "
                                "a saved plan (`dhsync plan --out plan.json`, then `dhsync apply plan.json`)")
    request = Request(repo.desired, repo.config, root, target.url, target.base_dir, flags,
                      RunSettings(root.resolve(), run_timeout), saved, lock_timeout=lock_timeout)
    view = _JsonView() if fmt == "json" else _TextView(use_color(), quiet)
    review = TerminalReview(auto_approve or saved is not None, view.show)
    with opened(target, missing_ok=True) as backend:
        if isinstance(backend, AbsentBackend):
            # a refused or cancelled first apply must leave no empty database behind: ask first, create after
            first = confirm_before_creating(backend, request, review)
        else:
            result = _reconcile(backend, request, review, view)
    if isinstance(backend, AbsentBackend):
        if first is None:
            result = ApplyResult(Plan(request.desired.project, (), "", ""))
        else:
            with opened(target, create=True) as created:
                result = _reconcile(created, replace(request, saved=first), TerminalReview(True, _shown), view)
    warn_unmatched(repo.desired, result.plan, flags)
    view.report(result)
    finish(EXIT_OK if result.ok else EXIT_ERROR)


def _shown(plan: Plan) -> None:
    """The plan was shown (and confirmed) before the backend was created."""


def _reconcile(backend: Backend, request: Request, review: TerminalReview, view: _TextView | _JsonView) -> ApplyResult:
    try:
        return reconcile(backend, request, review, view.reporter)
    except KeyboardInterrupt:
        said = apply_text.interrupted_line(view.reporter)
        if said is not None:
            click.echo(f"\n{said}", err=True)
        raise


class _TextView:
    def __init__(self, color: bool, quiet: bool) -> None:
        self.color, self.quiet = color, quiet
        bar = _bar_writer() if sys.stderr.isatty() and not quiet else None
        self.reporter = apply_text.LineReporter(click.echo, color=color, bar=bar, quiet=quiet)

    def show(self, plan: Plan) -> None:
        data = to_dict(plan)
        if self.quiet:
            click.echo(plan_text.quiet_line(data))
            return
        for line in plan_text.render(data, self.color):
            click.echo(line)

    def report(self, result: ApplyResult) -> None:
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
        if result.outcomes:
            click.echo("")
            for line in apply_text.run_lines(result):
                click.echo(line)
            click.echo(apply_text.result_line(result))
        if self.quiet and result.plan.degraded:  # the full view showed them with the plan
            for line in plan_text.degraded_lines(to_dict(result.plan)):
                click.echo(line)


class _JsonView:
    def __init__(self) -> None:
        self.reporter = apply_events.JsonReporter(click.echo)

    def show(self, plan: Plan) -> None:
        click.echo(apply_events.plan_event(to_dict(plan)))

    def report(self, result: ApplyResult) -> None:
        for note in result.notes:
            click.echo(apply_events.line("note", message=note))
        click.echo(apply_events.summary_event(result))


def _bar_writer() -> apply_text.Write:
    def write(text: str) -> None:
        click.echo(text, err=True, nl=False)
    return write
