"""The options `plan` and `apply` share: what to prune and which entities to look at."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from dhsync.apply import Flags
from dhsync.apply.planning import unmatched_patterns
from dhsync.model.entities import DesiredState
from dhsync.model.plan import Plan
from dhsync.model.state import ActualState

F = TypeVar("F", bound=Callable[..., Any])


_FLAG_NAMES = ("prune", "allow_empty", "select", "exclude", "cascade", "ignore_protect", "adopt")


def selection_options(func: F) -> F:
    """The options as click sees them, handed to the command as one `flags: Flags` argument."""
    @functools.wraps(func)
    def with_flags(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _FLAG_NAMES}
        flags = Flags(**{**values, "select": tuple(values["select"]), "exclude": tuple(values["exclude"])})
        return func(*args, flags=flags, **kwargs)

    decorated: Any = with_flags
    for option in reversed([
        click.option("--prune/--no-prune", default=None,
                     help="delete what dhsync created and the repository no longer declares (default: "
                          "policies.prune of dhsync.yaml)"),
        click.option("--allow-empty", is_flag=True,
                     help="prune even when the repository declares no function at all"),
        click.option("--select", "select", multiple=True, metavar="PATTERN",
                     help="only these entities (name or type/name glob: train-*, task/*); repeatable"),
        click.option("--cascade", is_flag=True, help="allow deletes that take run history with them"),
        click.option("--ignore-protect", is_flag=True, help="allow deleting protected functions"),
        click.option("--adopt", is_flag=True,
                     help="take over declared functions that exist but were made outside dhsync (by hand, by "
                          "the SDK); default policies.adopt of dhsync.yaml"),
        click.option("--exclude", "exclude", multiple=True, metavar="PATTERN",
                     help="leave these entities out (and what requires them); repeatable; `run/*` leaves "
                          "the declared runs out"),
    ]):
        decorated = option(decorated)
    result: F = decorated
    return result


def warn_unmatched(desired: DesiredState, actual: ActualState | Plan, flags: Flags) -> None:
    """Say which --select/--exclude patterns match nothing: a typo there would hide every change."""
    for option, patterns in (("--select", flags.select), ("--exclude", flags.exclude)):
        for pattern in unmatched_patterns(desired, actual, patterns):
            click.echo(f"warning: {option} `{pattern}` matches nothing in the repository or the backend "
                       "(patterns: a name glob like `train-*`, or type/name like `task/*`)", err=True)
