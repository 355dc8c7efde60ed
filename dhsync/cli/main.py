"""The `dhsync` command. Exit codes (the same for every command):

0 success, nothing to change · 1 error · 2 changes present · 3 stale saved plan · 4 lock held ·
5 refused by a protection rule · 130 interrupted.

Commands are imported when they run, not when `dhsync` starts: `dhsync validate` does not pay for apply's
imports, and `dhsync --version` answers before click itself is imported.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from dhsync._version import __version__

# name -> (module in dhsync.cli, attribute, one line for `dhsync --help`), in the order --help lists them
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("validate_cmd", "validate", "Check the spec repository; every problem, located."),
    "init": ("init_cmd", "init", "Scaffold a spec repository that validates and applies."),
    "plan": ("plan_cmd", "plan", "Show what apply would change (text, JSON plan file, Markdown)."),
    "apply": ("apply_cmd", "apply", "Make the backend match the repository, or apply a saved plan."),
    "lock": ("lock_cmd", "lock", "The lock `dhsync apply` holds while it writes (one per project)."),
    "drift": ("drift_cmd", "drift", "Exit 2 when the backend no longer matches the repository."),
    "import": ("import_cmd", "import_", "Adopt declared functions that were made outside dhsync."),
    "run": ("run_cmd", "run", "Run a declared run (or a stored function) on this machine, now."),
    "runs": ("runs_cmd", "runs", "List the runs, newest first, with state, duration and results."),
    "logs": ("logs_cmd", "logs", "Print or follow the log of a run."),
    "stop": ("stop_cmd", "stop", "Stop a run executing on this machine."),
    "doctor": ("doctor_cmd", "doctor", "Check the state database for damage (read only)."),
}

HELP = """GitOps for DigitalHub functions, tasks and runs.

    Keep function, task and run YAML in a repository; `validate` checks it, `plan` shows what
    `apply` would change in the backend, `apply` makes it so and runs the declared runs.

    \b
    Exit codes: 0 ok, nothing to change · 1 error · 2 changes present · 3 stale plan ·
    4 lock held · 5 refused by a protection rule · 130 interrupted.
    """


def load_command(name: str) -> Any:
    module, attribute, _ = COMMANDS[name]
    return getattr(importlib.import_module(f"dhsync.cli.{module}"), attribute)


def _cli() -> Any:
    import click

    from dhsync.cli.common import DhsyncGroup

    class LazyGroup(DhsyncGroup):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return list(COMMANDS)

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            return load_command(cmd_name) if cmd_name in COMMANDS else None

        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            # the one-line help of every command without importing them all
            with formatter.section("Commands"):
                formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])

    @click.group(cls=LazyGroup, help=HELP,
                 context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
    @click.version_option(__version__, "--version", prog_name="dhsync")
    def cli() -> None:
        pass

    return cli


def __getattr__(name: str) -> Any:
    if name == "cli":  # `from dhsync.cli.main import cli`: the click group, built on first use
        return _cli()
    raise AttributeError(name)


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # the one answer that needs nothing else
        sys.stdout.write(f"dhsync, version {__version__}\n")
        sys.exit(0)
    from dhsync.cli.common import run_guarded

    sys.exit(run_guarded(_cli()))
