"""What every command shares: colour policy, printing, and turning errors into exit codes."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import click

from dhsync.model.errors import DhsyncError

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_STALE, EXIT_LOCKED, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 5, 130


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)


# Set by run_guarded: this process ends with the command, so once interrupted it may ignore SIGINT for
# good. Under click's test runner (the process goes on) the previous handler is put back instead.
_process_ends_with_command = False


def _say_interrupted() -> None:
    """Say `interrupted` once: a second Ctrl-C while saying it (or after) must not become a traceback."""
    if threading.current_thread() is not threading.main_thread():
        click.echo("\ninterrupted", err=True)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        click.echo("\ninterrupted", err=True)
    finally:
        if not _process_ends_with_command:
            signal.signal(signal.SIGINT, previous)


class DhsyncGroup(click.Group):
    """Turns dhsync's own errors into their message and exit code inside click, so that every way of
    calling a command (the console script, `python -m dhsync`, click's test runner) ends the same."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["dhsync.args"] = list(args)  # as typed, for the hint on a Terraform-style option
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        args: list[str] = ctx.meta.get("dhsync.args", [])
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            from dhsync.cli.spelling import hinted  # only on this error path

            hinted(exc, args).show()
            ctx.exit(EXIT_ERROR)  # click's own code for a usage error is 2, dhsync's "changes present"
        except click.UsageError as exc:
            exc.show()
            ctx.exit(EXIT_ERROR)
        except DhsyncError as exc:
            fail(str(exc))
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _say_interrupted()
            ctx.exit(EXIT_INTERRUPTED)


def run_guarded(command: click.Group) -> int:
    """Run the click group; no traceback ever reaches the user, every failure maps to an exit code."""
    global _process_ends_with_command
    _process_ends_with_command = True
    try:
        code = command.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _say_interrupted()
        return EXIT_INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except DhsyncError as exc:
        fail(str(exc))
        return exc.exit_code
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        fail(f"internal error: {type(exc).__name__}: {exc}. This is a dhsync bug; please report it "
             "with the command you ran (set DHSYNC_DEBUG=1 to see the traceback).")
        if os.environ.get("DHSYNC_DEBUG"):
            raise
        return EXIT_ERROR
    return code if isinstance(code, int) else EXIT_OK


def finish(code: int) -> None:
    """End a command with `code` (works under click's standalone mode and under run_guarded)."""
    click.get_current_context().exit(code)
