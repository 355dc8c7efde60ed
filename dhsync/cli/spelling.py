"""What people type from other tools: Terraform spells long options with one dash (`-auto-approve`,
`-detailed-exitcode`, `-out=plan`), which click would read as a cluster of short options and answer
`No such option '-a'`. Such a word gets a hint with dhsync's spelling instead."""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

# one dash, then a word of three or more letters (or any word with `=value`): never a short option of dhsync's
_SINGLE_DASH_LONG = re.compile(r"-(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:=(?P<value>.*))?", re.DOTALL)


def _single_dash_word(arg: str) -> tuple[str, str | None] | None:
    match = _SINGLE_DASH_LONG.fullmatch(arg)
    if match is None or (len(match["name"]) < 3 and match["value"] is None):
        return None
    return match["name"], match["value"]


# Terraform options dhsync has no flag for, and what does the same here
_TERRAFORM_ONLY = {
    "no-color": "set NO_COLOR=1 (dhsync colours only a terminal anyway)",
    "input": "dhsync never prompts without a terminal; `dhsync apply --auto-approve` applies without asking",
    "target": "`--select PATTERN` narrows plan and apply (`--select train-forecast`, `--select 'task/*'`)",
    "chdir": "give the repository's path as the argument (`dhsync plan PATH`)",
    "var": "dhsync has no variables: values live in the repository's YAML (and `--param k=v` for `dhsync run`)",
    "var-file": "dhsync has no variables: values live in the repository's YAML",
}


def single_dash_hint(args: Sequence[str], command: click.Command | None) -> str | None:
    """The hint for the first Terraform-style option in `args`: dhsync's `--NAME` when `command` has it, or
    what does the same in dhsync for the Terraform options it has no flag for."""
    known = {opt for param in (command.params if command else ()) for opt in getattr(param, "opts", ())}
    for arg in args:
        if arg == "--":
            break
        found = _single_dash_word(arg)
        if found is None:
            continue
        name, value = found
        if f"--{name}" in known:
            typed = f"--{name}" + (f" {value}" if value is not None else "")
            return f"no such option `{arg}`: dhsync spells long options with two dashes; did you mean `{typed}`?"
        if name in _TERRAFORM_ONLY:
            return f"no such option `{arg}` (a Terraform option): {_TERRAFORM_ONLY[name]}"
    return None


def hinted(exc: click.NoSuchOption, args: Sequence[str]) -> click.UsageError:
    """`exc`, or a usage error with the hint when the unknown option was a Terraform-style long one."""
    command = exc.ctx.command if exc.ctx is not None else None
    hint = single_dash_hint(args, command)
    return exc if hint is None else click.UsageError(hint, exc.ctx)
