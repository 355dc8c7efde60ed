"""The `dhsync` command. Exit codes (the same for every command):

0 success, nothing to change · 1 error · 2 changes present · 3 stale saved plan · 4 lock held ·
5 refused by a protection rule · 130 interrupted.
"""

from __future__ import annotations

import sys

import click

from dhsync._version import __version__
from dhsync.cli import (
    apply_cmd,
    drift_cmd,
    import_cmd,
    init_cmd,
    lock_cmd,
    logs_cmd,
    plan_cmd,
    run_cmd,
    runs_cmd,
    stop_cmd,
    validate_cmd,
)
from dhsync.cli.common import DhsyncGroup, run_guarded


@click.group(cls=DhsyncGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="dhsync")
def cli() -> None:
    """GitOps for DigitalHub functions, tasks and runs.

    Keep function, task and run YAML in a repository; `validate` checks it, `plan` shows what
    `apply` would change in the backend, `apply` makes it so and runs the declared runs.

    \b
    Exit codes: 0 ok, nothing to change · 1 error · 2 changes present · 3 stale plan ·
    4 lock held · 5 refused by a protection rule · 130 interrupted.
    """


cli.add_command(validate_cmd.validate)
cli.add_command(init_cmd.init)
cli.add_command(plan_cmd.plan)
cli.add_command(apply_cmd.apply)
cli.add_command(lock_cmd.lock)
cli.add_command(drift_cmd.drift)
cli.add_command(import_cmd.import_)

cli.add_command(run_cmd.run)
cli.add_command(runs_cmd.runs)
cli.add_command(logs_cmd.logs)
cli.add_command(stop_cmd.stop)


def main() -> None:
    sys.exit(run_guarded(cli))
